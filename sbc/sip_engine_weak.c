/* Temporary: stands in until the SIP engine lands (strong symbols override these). */
#include <stdlib.h>

#include "sbc/sip_engine.h"

__attribute__((weak)) struct sip_engine *sip_engine_create(su_root_t *root,
							   const struct conf_store *active,
							   const char *flashdir, const char *rundir,
							   char *err, size_t errlen)
{
	return (struct sip_engine *)malloc(1);
}

__attribute__((weak)) void sip_engine_destroy(struct sip_engine *e)
{
	free(e);
}

__attribute__((weak)) void sip_engine_status(struct sip_engine *e, struct conf_store *st)
{
}
