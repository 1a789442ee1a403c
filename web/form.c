/*
 * Request bodies: urlencoded forms (our own decoder: '+' is a space in form
 * bodies, which evhttp's query decoder leaves alone) and multipart/form-data
 * (strict: every part delimited, headers bounded, form-data with a name).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/web.h"

#define MAX_FIELDS       512
#define MAX_PART_HEADERS 8192

void web_form_free(struct web_form *fm)
{
	for (unsigned i = 0; i < fm->n; i++) {
		free(fm->f[i].name);
		free(fm->f[i].filename);
		free(fm->f[i].value);
	}
	free(fm->f);
	fm->f = NULL;
	fm->n = 0;
}

static int add(struct web_form *fm, char *name, char *filename, char *value, size_t len, char *err,
	       size_t errlen)
{
	struct web_field *nf;

	if (fm->n >= MAX_FIELDS || !(nf = realloc(fm->f, (fm->n + 1) * sizeof(*nf)))) {
		snprintf(err, errlen, "too many form fields (at most %d)", MAX_FIELDS);
		free(name), free(filename), free(value);
		return -1;
	}
	fm->f = nf;
	fm->f[fm->n++] = (struct web_field){name, filename, value, len};
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes s[0..len) into a new string; NULL when malformed (bad escape, NUL byte). */
static char *urldecode(const char *s, size_t len, size_t *outlen)
{
	char *o = malloc(len + 1);
	size_t k = 0;

	if (!o)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int h, l;
			if (i + 2 >= len) {
				free(o);
				return NULL;
			}
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0) {
				free(o);
				return NULL;
			}
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0) {
			free(o);
			return NULL;
		}
		o[k++] = (char)c;
	}
	o[k] = 0;
	*outlen = k;
	return o;
}

static int parse_urlencoded(struct web_form *fm, const char *body, size_t len, char *err,
			    size_t errlen)
{
	size_t i = 0;

	while (i < len) {
		size_t end = i, eq;
		char *name, *value;
		size_t nlen, vlen;
		while (end < len && body[end] != '&')
			end++;
		for (eq = i; eq < end && body[eq] != '='; eq++)
			;
		if (end > i) {
			name = urldecode(body + i, eq - i, &nlen);
			value = eq < end ? urldecode(body + eq + 1, end - eq - 1, &vlen)
					 : (vlen = 0, strdup(""));
			if (!name || !value) {
				free(name), free(value);
				snprintf(err, errlen, "malformed form data (bad %%-escape or NUL)");
				return -1;
			}
			if (add(fm, name, NULL, value, vlen, err, errlen) < 0)
				return -1;
		}
		i = end + 1;
	}
	return 0;
}

int web_form_query(struct web_form *fm, const char *query, char *err, size_t errlen)
{
	return query ? parse_urlencoded(fm, query, strlen(query), err, errlen) : 0;
}

/* The value of parameter key in a header value such as `form-data; name="a"`; malloc'd. */
static char *param(const char *h, const char *key)
{
	size_t klen = strlen(key);
	const char *p = h;

	while ((p = strchr(p, ';'))) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, key, klen) != 0 || p[klen] != '=')
			continue;
		p += klen + 1;
		if (*p == '"') {
			const char *e = ++p;
			while (*e && *e != '"') {
				if (*e == '\\' && e[1])
					e++;
				e++;
			}
			if (*e != '"')
				return NULL;
			return strndup(p, (size_t)(e - p));
		}
		return strndup(p, strcspn(p, "; \t"));
	}
	return NULL;
}

static const char *mem_find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	return memmem(hay, hlen, needle, nlen);
}

static int parse_multipart(struct web_form *fm, const char *ctype, const char *body, size_t len,
			   char *err, size_t errlen)
{
	char *b = param(ctype, "boundary"), delim[80];
	const char *p, *end = body + len;
	size_t dlen;

	if (!b || !b[0] || strlen(b) > 70) {
		free(b);
		snprintf(err, errlen, "malformed multipart: missing or bad boundary");
		return -1;
	}
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	free(b);
	/* the first delimiter may open the body (no preamble) */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		p = body + dlen - 2;
	else if ((p = mem_find(body, len, delim, dlen)))
		p += dlen;
	else
		goto bad;
	for (;;) {
		const char *hend, *next;
		char *hdrs, *disp, *name, *filename, *value;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0; /* closing delimiter; the epilogue is ignored */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			goto bad;
		p += 2;
		hend = mem_find(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!hend || hend - p > MAX_PART_HEADERS)
			goto bad;
		next = mem_find(hend + 4, (size_t)(end - hend - 4), delim, dlen);
		if (!next)
			goto bad;
		hdrs = strndup(p, (size_t)(hend - p) + 2);
		if (!hdrs)
			goto bad;
		disp = NULL;
		for (char *l = hdrs, *nl; (nl = strstr(l, "\r\n")); l = nl + 2) {
			*nl = 0;
			if (strncasecmp(l, "Content-Disposition:", 20) == 0)
				disp = l + 20;
		}
		while (disp && (*disp == ' ' || *disp == '\t'))
			disp++;
		if (!disp || strncasecmp(disp, "form-data", 9) != 0 ||
		    !(name = param(disp, "name"))) {
			free(hdrs);
			snprintf(err, errlen,
				 "malformed multipart: a part is not form-data with a "
				 "name");
			return -1;
		}
		filename = param(disp, "filename");
		free(hdrs);
		value = malloc((size_t)(next - hend - 4) + 1);
		if (!value) {
			free(name), free(filename);
			goto bad;
		}
		memcpy(value, hend + 4, (size_t)(next - hend - 4));
		value[next - hend - 4] = 0;
		if (add(fm, name, filename, value, (size_t)(next - hend - 4), err, errlen) < 0)
			return -1;
		p = next + dlen;
	}
bad:
	snprintf(err, errlen, "malformed multipart body: missing delimiter or part headers");
	return -1;
}

int web_form_parse(struct web_form *fm, const char *ctype, const char *body, size_t len, char *err,
		   size_t errlen)
{
	if (!ctype || !len)
		return 0;
	if (strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0)
		return parse_urlencoded(fm, body, len, err, errlen);
	if (strncasecmp(ctype, "multipart/form-data", 19) == 0)
		return parse_multipart(fm, ctype, body, len, err, errlen);
	return 0; /* other bodies (INI, PEM, JSON) are read raw by their handlers */
}

const struct web_field *web_form_field(const struct web_form *fm, const char *name)
{
	for (unsigned i = 0; i < fm->n; i++)
		if (strcmp(fm->f[i].name, name) == 0)
			return &fm->f[i];
	return NULL;
}

const char *web_form_get(const struct web_form *fm, const char *name)
{
	const struct web_field *f = web_form_field(fm, name);

	return f ? f->value : NULL;
}
