/*
 * flash: the saved configuration on disk (doc/FLASH.md).
 *
 *   <dir>/board.ini              the current save: vendor INI with secrets (0600)
 *   <dir>/tls/<N>/...            its TLS material, context N (see tls/tls.h)
 *   <dir>/generations/<G>/       earlier saves (board.ini, tls/), G grows with each save;
 *                                the newest FLASH_KEEP are kept
 *
 * A save is one commit of board.ini and material together: the previous save is
 * copied to a new generation, the new one is written complete (fsync'd) in
 * <dir>/.save-new, renamed to <dir>/.save-commit (the commit point) and moved in
 * place. A crash or a full disk at any point leaves a bootable flash: before the
 * commit point the previous save, after it the new one (flash_clean, at boot,
 * completes it). Nothing else writes the flash, except boot giving an in-use
 * context that has no material its first key (tlsmgr).
 */
#ifndef SBC_FLASH_H
#define SBC_FLASH_H

#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "conf/store.h"

/* Earlier saves kept on flash besides the current one. */
#define FLASH_KEEP 5

/*
 * Loads <dir>/board.ini as a whole (replace) document, or the factory
 * defaults when it does not exist. NULL with every error in d when the flash
 * is invalid (file and line named).
 */
struct conf_store *flash_load(const char *dir, struct conf_diag *d);

/*
 * Boot: flash_load of the current save; when it does not validate (or is
 * missing) while earlier generations exist, the newest generation that
 * validates: *gen is its id (0: the current save), why the errors of the
 * current save (for the "configuration rolled back" alarm). Only a flash
 * with neither gives the factory defaults. NULL when nothing validates.
 */
struct conf_store *flash_boot_load(const char *dir, struct conf_diag *d, unsigned *gen, char *why,
				   size_t whylen);

/* Boot only: removes what an interrupted save left, completes a committed one. */
void flash_clean(const char *dir);

/*
 * Saves st and the material under <matroot>/tls (NULL: none) as the current
 * save, the previous one becoming a generation; saving what is saved already
 * changes nothing. -1 with the reason in err: nothing changed on flash, except
 * when the failure came after the commit point (then the next boot completes it).
 */
int flash_save(const char *dir, const struct conf_store *st, const char *matroot, char *err,
	       size_t errlen);

/* One saved generation: id 0 is the current save. */
struct flash_gen {
	unsigned id;
	time_t saved;    /* when it was saved (its board.ini's mtime) */
	int valid;       /* its board.ini validates */
	char error[300]; /* the first errors when not */
};

/* Current save first, then earlier ones newest first; *out malloc'd (free()). */
int flash_gen_list(const char *dir, struct flash_gen **out, unsigned *n, char *err, size_t errlen);
/* <dir> for id 0, <dir>/generations/<id> otherwise; -1 when it does not fit. */
int flash_gen_dir(const char *dir, unsigned id, char *buf, size_t len);
/*
 * Makes generation id (> 0) the current save again (the current one becoming a
 * generation): it boots at the next reset. Refused when it does not validate.
 */
int flash_gen_restore(const char *dir, unsigned id, char *err, size_t errlen);

/* Copies a directory tree (regular files, modes and times kept; names starting with '.' and
 * temporary files left out); sync fsyncs every file and directory. */
int flash_tree_copy(const char *src, const char *dst, int sync, char *err, size_t errlen);
/* 1 when both trees hold the same regular files with the same bytes (missing = empty). */
int flash_tree_equal(const char *a, const char *b);
/* Copies one regular file (mode and times of sb kept). */
int flash_file_copy(const char *src, const char *dst, const struct stat *sb, int sync, char *err,
		    size_t errlen);
void flash_tree_remove(const char *path);

/* Writes data to path atomically with the given mode (temp, fsync, rename, fsync dir). */
int flash_write_file(const char *path, const void *data, size_t len, unsigned mode, char *err,
		     size_t errlen);

/* Reads a whole file (at most max bytes); NULL with the reason in err. */
char *flash_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
