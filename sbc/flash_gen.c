/* Flash generations: a save as one commit of board.ini and material, last known good, restore. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ini/ini.h"
#include "sbc/flash.h"
#include "log/log.h"

#define GEN_DIR   "generations"
#define SAVE_NEW  ".save-new"    /* being written: never valid, removed at boot */
#define SAVE_DONE ".save-commit" /* complete: installed at once, or at the next boot */
#define SAVE_OLD  ".save-old"    /* the tls/ an install replaced: removed */
#define FILE_MAX  (16u << 20)    /* board.ini: up to 16 times this (256 MiB) */

static int is_dir(const char *p)
{
	struct stat sb;

	return lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int exists(const char *p)
{
	struct stat sb;

	return lstat(p, &sb) == 0;
}

static void sync_dir(const char *p)
{
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int flash_gen_dir(const char *dir, unsigned id, char *buf, size_t len)
{
	int n =
	    id ? snprintf(buf, len, "%s/" GEN_DIR "/%u", dir, id) : snprintf(buf, len, "%s", dir);

	return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* Archived generation ids, newest (highest) first; *n of them. */
static unsigned *gen_ids(const char *dir, unsigned *n)
{
	char p[PATH_MAX];
	struct dirent *de;
	unsigned *ids = NULL, cap = 0;
	DIR *d;

	*n = 0;
	snprintf(p, sizeof(p), "%s/" GEN_DIR, dir);
	if (!(d = opendir(p)))
		return NULL;
	while ((de = readdir(d))) {
		char *end;
		unsigned long id = strtoul(de->d_name, &end, 10);
		if (!*de->d_name || *end || !id || id > 1000000000ul)
			continue;
		if (*n == cap) {
			unsigned *ni = realloc(ids, (cap = cap ? cap * 2 : 16) * sizeof(*ids));
			if (!ni)
				break;
			ids = ni;
		}
		ids[(*n)++] = (unsigned)id;
	}
	closedir(d);
	for (unsigned i = 1; i < *n; i++)
		for (unsigned j = i; j > 0 && ids[j - 1] < ids[j]; j--) {
			unsigned t = ids[j];
			ids[j] = ids[j - 1], ids[j - 1] = t;
		}
	return ids;
}

/* The current save (board.ini, tls/) copied as generation <newest + 1>, then old ones pruned. */
static int archive_current(const char *dir, char *err, size_t errlen)
{
	char gdir[PATH_MAX], part[PATH_MAX], fin[PATH_MAX], s[PATH_MAX], t[PATH_MAX];
	unsigned n, *ids = gen_ids(dir, &n), next = n ? ids[0] + 1 : 1;
	struct stat sb;
	int rc = -1;

	snprintf(s, sizeof(s), "%s/board.ini", dir);
	if (lstat(s, &sb) < 0) {
		free(ids);
		return 0; /* nothing saved yet */
	}
	snprintf(gdir, sizeof(gdir), "%s/" GEN_DIR, dir);
	snprintf(part, sizeof(part), "%s/.partial", gdir);
	snprintf(fin, sizeof(fin), "%s/%u", gdir, next);
	if (mkdir(gdir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", gdir, strerror(errno));
		goto out;
	}
	flash_tree_remove(part);
	if (mkdir(part, 0700) < 0) {
		snprintf(err, errlen, "%s: %s", part, strerror(errno));
		goto out;
	}
	snprintf(t, sizeof(t), "%s/board.ini", part);
	if (flash_file_copy(s, t, &sb, 1, err, errlen) < 0)
		goto out;
	snprintf(s, sizeof(s), "%s/tls", dir);
	snprintf(t, sizeof(t), "%s/tls", part);
	if (is_dir(s) && flash_tree_copy(s, t, 1, err, errlen) < 0)
		goto out;
	sync_dir(part);
	if (rename(part, fin) < 0) {
		snprintf(err, errlen, "%s: rename: %s", fin, strerror(errno));
		goto out;
	}
	sync_dir(gdir);
	/* the newest FLASH_KEEP archived generations stay, with the one just made */
	for (unsigned i = FLASH_KEEP > 0 ? FLASH_KEEP - 1 : 0; i < n; i++) {
		snprintf(t, sizeof(t), "%s/%u", gdir, ids[i]);
		flash_tree_remove(t);
	}
	rc = 0;
out:
	if (rc < 0)
		flash_tree_remove(part);
	free(ids);
	return rc;
}

/* Puts a complete SAVE_DONE in place; safe to repeat after a crash at any step. */
static int install(const char *dir, char *err, size_t errlen)
{
	char done[PATH_MAX], old[PATH_MAX], p[PATH_MAX], q[PATH_MAX];

	snprintf(done, sizeof(done), "%s/" SAVE_DONE, dir);
	snprintf(old, sizeof(old), "%s/" SAVE_OLD, dir);
	snprintf(p, sizeof(p), "%s/tls", done);
	snprintf(q, sizeof(q), "%s/tls", dir);
	if (is_dir(p)) {
		if (exists(q)) {
			flash_tree_remove(old);
			if (rename(q, old) < 0) {
				snprintf(err, errlen, "%s: rename: %s", q, strerror(errno));
				return -1;
			}
		}
		if (rename(p, q) < 0) {
			snprintf(err, errlen, "%s: rename: %s", q, strerror(errno));
			return -1;
		}
	}
	snprintf(p, sizeof(p), "%s/board.ini", done);
	snprintf(q, sizeof(q), "%s/board.ini", dir);
	if (exists(p) && rename(p, q) < 0) {
		snprintf(err, errlen, "%s: rename: %s", q, strerror(errno));
		return -1;
	}
	sync_dir(dir);
	flash_tree_remove(old);
	rmdir(done);
	sync_dir(dir);
	return 0;
}

/*
 * Makes (text, tlssrc/) the saved flash: the previous save becomes a generation, the new one
 * is written complete beside it, renamed into SAVE_DONE (the commit point), then installed.
 * tlssrc NULL: no material.
 */
static int commit(const char *dir, const char *text, size_t len, const char *tlssrc, char *err,
		  size_t errlen)
{
	char p[PATH_MAX], q[PATH_MAX], cur[PATH_MAX], nw[PATH_MAX];
	struct stat sb;
	size_t clen;
	char *ctext;
	int same;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* what cannot be replaced is found before anything changes */
	snprintf(cur, sizeof(cur), "%s/board.ini", dir);
	if (lstat(cur, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", cur);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/tls", dir);
	if (lstat(p, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", p);
		return -1;
	}
	/* saving what is saved already makes no generation */
	ctext = flash_read_file(cur, FILE_MAX * 16, &clen, q, sizeof(q));
	same = ctext && clen == len && memcmp(ctext, text, len) == 0 &&
	       (tlssrc ? flash_tree_equal(tlssrc, p) : flash_tree_equal(p, "/nonexistent"));
	if (ctext)
		explicit_bzero(ctext, clen);
	free(ctext);
	if (same)
		return 0;
	if (archive_current(dir, err, errlen) < 0)
		return -1;
	snprintf(nw, sizeof(nw), "%s/" SAVE_NEW, dir);
	flash_tree_remove(nw);
	if (mkdir(nw, 0700) < 0) {
		snprintf(err, errlen, "%s: %s", nw, strerror(errno));
		return -1;
	}
	snprintf(p, sizeof(p), "%s/tls", nw);
	snprintf(q, sizeof(q), "%s/board.ini", nw);
	/* tls/ always: an empty one replaces the saved material when nothing runs */
	if (mkdir(p, 0700) < 0) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		flash_tree_remove(nw);
		return -1;
	}
	if ((tlssrc && is_dir(tlssrc) && flash_tree_copy(tlssrc, p, 1, err, errlen) < 0) ||
	    flash_write_file(q, text, len, 0600, err, errlen) < 0) {
		flash_tree_remove(nw);
		return -1;
	}
	sync_dir(p);
	sync_dir(nw);
	snprintf(p, sizeof(p), "%s/" SAVE_DONE, dir);
	flash_tree_remove(p);
	if (rename(nw, p) < 0) {
		snprintf(err, errlen, "%s: rename: %s", p, strerror(errno));
		flash_tree_remove(nw);
		return -1;
	}
	sync_dir(dir);
	return install(dir, err, errlen);
}

int flash_save(const char *dir, const struct conf_store *st, const char *matroot, char *err,
	       size_t errlen)
{
	char tls[PATH_MAX];
	size_t len;
	char *text = ini_write(st, INI_W_SECRETS, &len);
	int rc;

	if (!text) {
		snprintf(err, errlen, "cannot write the configuration: out of memory");
		return -1;
	}
	snprintf(tls, sizeof(tls), "%s/tls", matroot ? matroot : "");
	rc = commit(dir, text, len, matroot ? tls : NULL, err, errlen);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

int flash_gen_restore(const char *dir, unsigned id, char *err, size_t errlen)
{
	char g[PATH_MAX], p[PATH_MAX];
	struct conf_diag d;
	struct conf_store *st;
	size_t len;
	char *text;
	int rc;

	if (!id || flash_gen_dir(dir, id, g, sizeof(g)) < 0 || !is_dir(g)) {
		snprintf(err, errlen, "no generation %u on flash (sbc-ini generations lists them)",
			 id);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/board.ini", g);
	if (!(text = flash_read_file(p, FILE_MAX * 16, &len, err, errlen)))
		return -1;
	conf_diag_init(&d);
	int was = conf_hash_import(1); /* a saved generation carries hashes */
	st = ini_build(NULL, text, len, p, INI_REPLACE, 0, &d);
	conf_hash_import(was);
	if (!st) {
		char *m = conf_diag_join(&d);
		snprintf(err, errlen, "generation %u does not validate: %s", id, m ? m : "");
		free(m);
		rc = -1;
	} else {
		snprintf(p, sizeof(p), "%s/tls", g);
		rc = commit(dir, text, len, p, err, errlen);
	}
	conf_store_free(st);
	conf_diag_free(&d);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

/* The first errors of d on one line, for an alarm. */
static void first_errors(const struct conf_diag *d, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < d->n && n + 1 < len; i++)
		if (strncmp(d->msg[i], "warning:", 8))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "; " : "", d->msg[i]);
}

struct conf_store *flash_boot_load(const char *dir, struct conf_diag *d, unsigned *gen, char *why,
				   size_t whylen)
{
	char p[PATH_MAX];
	unsigned n, *ids = gen_ids(dir, &n);
	struct conf_store *st = NULL;

	*gen = 0;
	why[0] = 0;
	snprintf(p, sizeof(p), "%s/board.ini", dir);
	if (exists(p) || !n) {
		st = flash_load(dir, d);
		if (st || !n) {
			free(ids);
			return st;
		}
		first_errors(d, why, whylen);
	} else {
		snprintf(why, whylen, "%s: missing", p);
	}
	for (unsigned i = 0; i < n && !st; i++) {
		struct conf_diag g;
		conf_diag_init(&g);
		flash_gen_dir(dir, ids[i], p, sizeof(p));
		st = flash_load(p, &g);
		if (st)
			*gen = ids[i];
		conf_diag_free(&g);
	}
	free(ids);
	return st;
}

int flash_gen_list(const char *dir, struct flash_gen **out, unsigned *nout, char *err,
		   size_t errlen)
{
	unsigned n, *ids = gen_ids(dir, &n);
	struct flash_gen *g = calloc(n + 1, sizeof(*g));
	char p[PATH_MAX];

	*out = NULL;
	*nout = 0;
	if (!g) {
		free(ids);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i <= n; i++) {
		struct conf_diag d;
		struct conf_store *st;
		struct stat sb;
		struct flash_gen *x = &g[*nout];
		x->id = i ? ids[i - 1] : 0;
		flash_gen_dir(dir, x->id, p, sizeof(p));
		snprintf(p + strlen(p), sizeof(p) - strlen(p), "/board.ini");
		if (stat(p, &sb) < 0)
			continue; /* nothing saved yet */
		x->saved = sb.st_mtime;
		conf_diag_init(&d);
		flash_gen_dir(dir, x->id, p, sizeof(p));
		st = flash_load(p, &d);
		x->valid = st != NULL;
		first_errors(&d, x->error, sizeof(x->error));
		conf_store_free(st);
		conf_diag_free(&d);
		(*nout)++;
	}
	free(ids);
	*out = g;
	return 0;
}

void flash_clean(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX], err[PATH_MAX + 100];

	while (dh && (de = readdir(dh)))
		if (strncmp(de->d_name, "board.ini.tmp.", 14) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	if (dh)
		closedir(dh);
	snprintf(path, sizeof(path), "%s/" SAVE_NEW, dir);
	flash_tree_remove(path);
	snprintf(path, sizeof(path), "%s/" GEN_DIR "/.partial", dir);
	flash_tree_remove(path);
	snprintf(path, sizeof(path), "%s/" SAVE_DONE, dir);
	/* a save that reached its commit point is completed */
	if (is_dir(path) && install(dir, err, sizeof(err)) < 0)
		log_warnx("flash: completing an interrupted save: %s", err);
	snprintf(path, sizeof(path), "%s/" SAVE_OLD, dir);
	flash_tree_remove(path);
}
