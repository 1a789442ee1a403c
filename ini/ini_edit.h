/*
 * ini_edit: builds the incremental INI documents front ends send to sbcd
 * (LOAD incremental). Collect sets and deletes, then take the text:
 *
 *   struct ini_edit *e = ini_edit_new();
 *   ini_edit_set(e, t, 1, col, "value");   // a table column, by schema index
 *   ini_edit_set(e, conf_globals(), 0, col, "1");  // a global parameter
 *   ini_edit_delete(e, t, 2);
 *   char *doc = ini_edit_text(e, &len);    // malloc'd
 *   ini_edit_free(e);
 *
 * Values are text forms (conf_value_parse accepts them, enum names included).
 * A value with a double quote or a control character is refused (-1).
 */
#ifndef INI_INI_EDIT_H
#define INI_INI_EDIT_H

#include <stddef.h>

#include "conf/conf.h"

struct ini_edit;

struct ini_edit *ini_edit_new(void);
void ini_edit_free(struct ini_edit *e);
int ini_edit_set(struct ini_edit *e, const struct conf_table *t, unsigned index, int col,
		 const char *text);
/* Creates the row (with defaults) even when no column is set. */
int ini_edit_touch(struct ini_edit *e, const struct conf_table *t, unsigned index);
int ini_edit_delete(struct ini_edit *e, const struct conf_table *t, unsigned index);
unsigned ini_edit_count(const struct ini_edit *e);
char *ini_edit_text(const struct ini_edit *e, size_t *len);

#endif
