/*
 * The configuration sent to the standby: the current save of the flash
 * (board.ini and tls/<N>/ material) as "F <len> <path>\n<bytes>" entries, and
 * its installation on the standby as a save of its own.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/cols.h"
#include "log/log.h"
#include "sbc/flash.h"
#include "sbc/ha_int.h"
#include "sbc/sbcd.h"
#include "sbc/tlsmgr.h"

static int add_file(FILE *f, const char *path, const char *rel, char *err, size_t errlen)
{
	size_t len;
	char *buf = flash_read_file(path, HA_MAX_CONF, &len, err, errlen);

	if (!buf)
		return -1;
	fprintf(f, "F %zu %s\n", len, rel);
	fwrite(buf, 1, len, f);
	explicit_bzero(buf, len); /* may be a private key */
	free(buf);
	return 0;
}

char *ha_pack(const char *flashdir, unsigned skip_ctx, size_t *len, char *err, size_t errlen)
{
	char path[PATH_MAX], sub[PATH_MAX], rel[64], *out = NULL;
	struct dirent *de, *fe;
	DIR *d, *cd;
	FILE *f = open_memstream(&out, len);
	int rc;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/board.ini", flashdir);
	rc = add_file(f, path, "board.ini", err, errlen);
	snprintf(path, sizeof(path), "%s/tls", flashdir);
	d = rc == 0 ? opendir(path) : NULL;
	while (d && rc == 0 && (de = readdir(d))) {
		char *end;
		unsigned long n = strtoul(de->d_name, &end, 10);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end || n == skip_ctx)
			continue; /* the sync context's material is each box's own */
		snprintf(sub, sizeof(sub), "%s/tls/%lu", flashdir, n);
		if (!(cd = opendir(sub)))
			continue;
		while (rc == 0 && (fe = readdir(cd))) {
			struct stat sb;
			if (fe->d_name[0] == '.' || strstr(fe->d_name, ".tmp") ||
			    strlen(fe->d_name) > 40)
				continue;
			snprintf(path, sizeof(path), "%s/%s", sub, fe->d_name);
			if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
				continue;
			snprintf(rel, sizeof(rel), "tls/%lu/%s", n, fe->d_name);
			rc = add_file(f, path, rel, err, errlen);
		}
		closedir(cd);
	}
	if (d)
		closedir(d);
	if (fclose(f) != 0 || rc < 0) {
		if (rc == 0)
			snprintf(err, errlen, "out of memory");
		if (out)
			explicit_bzero(out, *len);
		free(out);
		return NULL;
	}
	return out;
}

/* board.ini, or tls/<digits>/<name> with a plain name: nothing else is written. */
static int path_ok(const char *rel)
{
	const char *p = rel + 4, *slash;

	if (!strcmp(rel, "board.ini"))
		return 1;
	if (strncmp(rel, "tls/", 4) || !(slash = strchr(p, '/')) || slash == p)
		return 0;
	for (; p < slash; p++)
		if (*p < '0' || *p > '9')
			return 0;
	for (p = slash + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return slash[1] && slash[1] != '.';
}

static int unpack(const char *dir, const char *data, size_t len, char *err, size_t errlen)
{
	size_t off = 0;

	while (off < len) {
		char rel[128], path[PATH_MAX], *nl = memchr(data + off, '\n', len - off);
		size_t flen;
		if (!nl || nl - (data + off) > 120 ||
		    sscanf(data + off, "F %zu %127[^\n]", &flen, rel) != 2 || !path_ok(rel) ||
		    flen > len - (size_t)(nl + 1 - data)) {
			snprintf(err, errlen, "payload entry at byte %zu is malformed", off);
			return -1;
		}
		off = (size_t)(nl + 1 - data);
		if (!strncmp(rel, "tls/", 4)) {
			snprintf(path, sizeof(path), "%s/tls", dir);
			mkdir(path, 0700);
			snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(strrchr(rel, '/') - rel),
				 rel);
			mkdir(path, 0700);
		}
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
		if (flash_write_file(path, data + off, flen, 0600, err, errlen) < 0)
			return -1;
		off += flen;
	}
	return 0;
}

int ha_install(struct ha *h, const char *data, size_t len, unsigned long long gen, char *err,
	       size_t errlen)
{
	static const int local[] = {GLOBALS_HA_ENABLE, GLOBALS_HA_PEER_ADDRESS,
				    GLOBALS_HA_SYNC_PORT, GLOBALS_HA_SYNC_TLS_CONTEXT,
				    GLOBALS_HA_LOCAL_ADDRESS};
	struct sbcd *s = h->s;
	char dir[PATH_MAX], src[PATH_MAX], dst[PATH_MAX], buf[256], e2[256];
	const struct conf_row *mine = conf_store_get(s->running, &conf_tbl_globals, 0);
	struct conf_row *theirs;
	struct conf_store *st;
	struct conf_diag d;
	char *msgs;

	snprintf(dir, sizeof(dir), "%s/ha-in", s->rundir);
	flash_tree_remove(dir);
	if (mkdir(dir, 0700) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (unpack(dir, data, len, err, errlen) < 0)
		return -1;
	snprintf(dst, sizeof(dst), "%s/board.ini", dir);
	if (access(dst, F_OK) < 0) {
		snprintf(err, errlen, "the payload holds no board.ini");
		return -1;
	}
	/* this box keeps its own sync identity */
	snprintf(dst, sizeof(dst), "%s/tls", dir);
	mkdir(dst, 0700);
	snprintf(dst, sizeof(dst), "%s/tls/%u", dir, h->ctx);
	if (tlsmgr_ctxdir(s, h->ctx, src, sizeof(src)) == 0 && !access(src, F_OK) &&
	    flash_tree_copy(src, dst, 0, err, errlen) < 0)
		return -1;
	conf_diag_init(&d);
	st = flash_load(dir, &d);
	msgs = st ? NULL : conf_diag_join(&d);
	conf_diag_free(&d);
	if (!st) {
		snprintf(err, errlen, "the configuration does not load here: %s",
			 msgs ? msgs : "?");
		free(msgs);
		return -1;
	}
	theirs = conf_store_ensure(st, &conf_tbl_globals, 0, NULL);
	for (unsigned i = 0; mine && theirs && i < sizeof(local) / sizeof(local[0]); i++) {
		const struct conf_column *c = &conf_tbl_globals.cols[local[i]];
		const char *txt = conf_value_format(c, &mine->v[local[i]], buf, sizeof(buf));
		conf_row_set_text(&conf_tbl_globals, theirs, local[i], txt ? txt : "", e2,
				  sizeof(e2));
	}
	conf_diag_init(&d);
	if (sbcd_commit(s, st, &d) < 0) {
		msgs = conf_diag_join(&d);
		snprintf(err, errlen, "commit refused: %s", msgs ? msgs : "?");
		free(msgs);
		conf_diag_free(&d);
		return -1;
	}
	conf_diag_free(&d);
	/* the running material becomes the received one (and our own sync context) */
	snprintf(src, sizeof(src), "%s/tls", dir);
	snprintf(dst, sizeof(dst), "%s/tls", tlsmgr_root(s));
	flash_tree_remove(dst);
	if (flash_tree_copy(src, dst, 0, err, errlen) < 0)
		return -1;
	tlsmgr_changed(s, 0);
	if (flash_save(s->flashdir, s->running, tlsmgr_root(s), err, errlen) < 0)
		return -1;
	s->saves++;
	s->edits_saved = s->edits;
	if (ha_gen_write(h, gen, err, errlen) < 0)
		return -1;
	flash_tree_remove(dir);
	return 0;
}
