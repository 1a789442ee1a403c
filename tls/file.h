/*
 * tls internal: the files of a context directory.
 *
 * Reads are bounded by TLS_MAX_INPUT. Writes never leave a partial file: each
 * file is staged (temp file in the same directory, written, fsync'd, given its
 * final mode), then tls_stage_commit renames every staged file into place and
 * fsyncs the directory. When a commit of several files fails half-way the
 * files already replaced are restored from hard-link backups, so a key and its
 * certificate change together or not at all. One writer per directory (sbcd)
 * is assumed. Every function returns 0, or -1 with the reason in err.
 */
#ifndef TLS_FILE_H
#define TLS_FILE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* out = dir/name; -1 when it does not fit. */
int tls_path(char *out, size_t outlen, const char *dir, const char *name, char *err, size_t errlen);

/*
 * Reads a whole regular file into a malloc'd buffer (NUL-terminated, the NUL
 * not counted in len). With optional set a missing file is no error: 0 with
 * *buf NULL and *len 0.
 */
int tls_file_read(const char *path, int optional, unsigned char **buf, size_t *len, char *err,
		  size_t errlen);
/* Wipes (it may hold a key) and frees a buffer of tls_file_read. */
void tls_file_free(unsigned char *buf, size_t len);
int tls_file_exists(const char *path);
/* Creates dir and its missing parents (mode 0700). */
int tls_dir_make(const char *dir, char *err, size_t errlen);
/* Refuses a key file that group or others may access (any of mode 077). */
int tls_key_perms_check(const char *path, char *err, size_t errlen);

struct tls_stage {
	char path[PATH_MAX]; /* final name */
	char tmp[PATH_MAX];  /* staged content; empty: remove path on commit */
};

int tls_stage_write(struct tls_stage *s, const char *path, const void *buf, size_t len, mode_t mode,
		    char *err, size_t errlen);
void tls_stage_remove(struct tls_stage *s, const char *path);
/* Puts n staged changes (all in one directory) in place, all or nothing. */
int tls_stage_commit(struct tls_stage *s, unsigned n, char *err, size_t errlen);
/* Drops staged temp files (after a failure before commit). */
void tls_stage_discard(struct tls_stage *s, unsigned n);

#endif
