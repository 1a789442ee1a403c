/*
 * ini_ignored: the vendor features a document uses that this SBC ignores, as
 * one summary instead of one warning each (sbc-ini check and import end with
 * it). The reader's rules decide what is ignored: a [ Table ] the schema does
 * not have (its rows with it), a global parameter it does not have (grouped by
 * the "[ ... Params ]" header above it), a FORMAT column a known table does
 * not have.
 */
#ifndef INI_IGNORED_H
#define INI_IGNORED_H

#include <stddef.h>

/*
 * NULL when nothing is ignored (or out of memory); else (malloc'd):
 *   Ignored by this SBC: T tables (R rows), P parameters, C columns
 *     table NAME: R rows
 *     [SECTION]: N parameters: A, B, ...
 *     table NAME: N columns: X, Y
 * one line per table or parameter section, in document order.
 */
char *ini_ignored_summary(const char *text, size_t len);

#endif
