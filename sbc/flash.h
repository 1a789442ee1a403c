/*
 * flash: the saved configuration on disk (doc/FLASH.md).
 *
 *   <dir>/board.ini              the configuration, vendor INI with secrets (0600)
 *   <dir>/tls/<N>/...            material of TLS context N (see tls/tls.h)
 *
 * Saving is atomic: a temporary file is written, fsync'd, renamed over
 * board.ini, and the directory fsync'd; a crash or full disk at any point
 * leaves the previous flash whole.
 */
#ifndef SBC_FLASH_H
#define SBC_FLASH_H

#include <stddef.h>

#include "conf/store.h"

/*
 * Loads <dir>/board.ini as a whole (replace) document, or the factory
 * defaults when it does not exist. NULL with every error in d when the flash
 * is invalid (file and line named).
 */
struct conf_store *flash_load(const char *dir, struct conf_diag *d);

/* Removes temporary files that an interrupted save left behind (boot only). */
void flash_clean(const char *dir);

/* Saves st to <dir>/board.ini atomically; -1 with the reason in err. */
int flash_save(const char *dir, const struct conf_store *st, char *err, size_t errlen);

/* Writes data to path atomically with the given mode (temp, fsync, rename, fsync dir). */
int flash_write_file(const char *path, const void *data, size_t len, unsigned mode, char *err,
		     size_t errlen);

/* Reads a whole file (at most max bytes); NULL with the reason in err. */
char *flash_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
