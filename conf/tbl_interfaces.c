/* InterfaceTable: the device's IP interfaces, referenced by SIP interfaces. */
#include "conf/cols.h"

static const struct conf_enum app_types[] = {{0, "oamp"},
					     {1, "media"},
					     {2, "control"},
					     {3, "oamp-media"},
					     {4, "oamp-control"},
					     {5, "media-control"},
					     {6, "oamp-media-control"},
					     {0, NULL}};
static const struct conf_enum modes[] = {
    {10, "ipv4-manual"}, {11, "ipv6-manual"}, {12, "ipv4-dhcp"}, {0, NULL}};

static const struct conf_column cols[] = {
    [NETIF_APPLICATION_TYPES] = {"ApplicationTypes", "application-type", 1, CONF_T_ENUM, 0, 0,
				 app_types, NULL, "6",
				 "Traffic carried: OAMP, media, control or a combination", 0},
    [NETIF_INTERFACE_MODE] = {"InterfaceMode", "mode", 2, CONF_T_ENUM, 0, 0, modes, NULL, "10",
			      "How the address is obtained", 0},
    [NETIF_IP_ADDRESS] = {"IPAddress", "ip-address", 3, CONF_T_IPADDR, 1, 0, NULL, NULL,
			  "127.0.0.1", "IP address of the interface",
			  CONF_F_MANDATORY | CONF_F_RESET},
    [NETIF_PREFIX_LENGTH] = {"PrefixLength", "prefix-length", 4, CONF_T_INT, 0, 128, NULL, NULL,
			     "8", "Network prefix length", 0},
    [NETIF_GATEWAY] = {"Gateway", "gateway", 5, CONF_T_IPADDR, 0, 0, NULL, NULL, "",
		       "Default gateway", 0},
    [NETIF_INTERFACE_NAME] = {"InterfaceName", "name", 6, CONF_T_STRING, 0, 32, NULL, NULL, "",
			      "Name of the interface, used by SIP interfaces",
			      CONF_F_NAME | CONF_F_MANDATORY},
    [NETIF_PRIMARY_DNS_SERVER_IP_ADDRESS] = {"PrimaryDNSServerIPAddress", "primary-dns", 7,
					     CONF_T_IPADDR, 0, 0, NULL, NULL, "",
					     "Primary DNS server", 0},
    [NETIF_SECONDARY_DNS_SERVER_IP_ADDRESS] = {"SecondaryDNSServerIPAddress", "secondary-dns", 8,
					       CONF_T_IPADDR, 0, 0, NULL, NULL, "",
					       "Secondary DNS server", 0},
    [NETIF_UNDERLYING_DEVICE] = {"UnderlyingDevice", "underlying-dev", 9, CONF_T_STRING, 0, 32,
				 NULL, NULL, "vlan 1",
				 "Ethernet device or VLAN carrying the interface", 0},
};
_Static_assert(CONF_NCOLS(cols) == NETIF_NCOLS, "conf/cols.h lists every column of interfaces");

const struct conf_table conf_tbl_interfaces = {
    .name = "InterfaceTable",
    .cli = "interface",
    .tree = "network",
    .mib = 3,
    .max_rows = 32,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "IP interfaces",
};
