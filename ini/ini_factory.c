/* The embedded factory-default configuration, applied on an empty flash. */
#include <string.h>

#include "ini/ini.h"

/* Admin/Admin as the vendor ships it; the password is hashed when loaded. */
const char ini_factory_text[] =
    "; SBC factory defaults\n"
    "[ TLSContexts ]\n"
    "FORMAT TLSContexts_Index = TLSContexts_Name;\n"
    "TLSContexts 0 = \"default\";\n"
    "[ \\TLSContexts ]\n"
    "[ InterfaceTable ]\n"
    "FORMAT InterfaceTable_Index = InterfaceTable_ApplicationTypes, InterfaceTable_IPAddress, "
    "InterfaceTable_PrefixLength, InterfaceTable_InterfaceName;\n"
    "InterfaceTable 0 = 6, \"127.0.0.1\", 8, \"O+M+C\";\n"
    "[ \\InterfaceTable ]\n"
    "[ SIPInterface ]\n"
    "FORMAT SIPInterface_Index = SIPInterface_InterfaceName, SIPInterface_NetworkInterface;\n"
    "SIPInterface 0 = \"SIPInterface_0\", \"O+M+C\";\n"
    "[ \\SIPInterface ]\n"
    "[ WebUsers ]\n"
    "FORMAT WebUsers_Index = WebUsers_Username, WebUsers_Password, WebUsers_UserLevel;\n"
    "WebUsers 0 = \"Admin\", \"Admin\", 220;\n"
    "[ \\WebUsers ]\n";

static struct conf_store *factory_build(void)
{
	struct conf_store *st = conf_store_factory();
	struct conf_diag d;

	if (!st)
		return NULL;
	conf_diag_init(&d);
	/* incremental on the bare factory store: the text only adds rows */
	if (ini_load(st, ini_factory_text, strlen(ini_factory_text), "factory", INI_INCREMENTAL, 0,
		     &d) < 0) {
		conf_store_free(st);
		st = NULL;
	}
	conf_diag_free(&d);
	return st;
}

/* Built once (hashing the password is slow on purpose), then cloned. */
struct conf_store *ini_factory(void)
{
	static struct conf_store *cached;

	if (!cached)
		cached = factory_build();
	return cached ? conf_store_clone(cached) : NULL;
}
