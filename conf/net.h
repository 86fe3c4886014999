/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

#include "conf/address.h"
#include "conf/xml.h"
#include "util/enum.h"

typedef enum {
    CONF_NET_TYPE_USER = 0,
    CONF_NET_TYPE_NETWORK,
    CONF_NET_TYPE_BRIDGE,

    CONF_NET_TYPE_LAST
} confNetType;
VGM_ENUM_DECL(confNetType);

typedef enum {
    CONF_NET_MODEL_NONE = 0,
    CONF_NET_MODEL_VIRTIO,
    CONF_NET_MODEL_E1000,
    CONF_NET_MODEL_E1000E,
    CONF_NET_MODEL_RTL8139,

    CONF_NET_MODEL_LAST
} confNetModel;
VGM_ENUM_DECL(confNetModel);

#define CONF_MAC_LEN 6

typedef struct {
    confNetType type;
    unsigned char mac[CONF_MAC_LEN];
    bool macGenerated;         /* post-parse made it up */
    char *source;              /* network name or bridge name */
    char *ifname;              /* <target dev=>, live only */
    confNetModel model;
    confDeviceInfo info;
} confNetDef;

void confNetDefFree(confNetDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confNetDef, confNetDefFree)

confNetDef *confNetDefParse(xmlNodePtr node, unsigned int flags,
                            GError **error);
/* A random 52:54:00:xx:xx:xx address when none was given. */
void confNetDefPostParse(confNetDef *def);
void confNetDefFormat(confBuf *buf, const confNetDef *def,
                      unsigned int flags);
/* "aa:bb:cc:dd:ee:ff" -> bytes; -1 when malformed. */
int confMacParse(const char *str, unsigned char mac[CONF_MAC_LEN]);
char *confMacFormat(const unsigned char mac[CONF_MAC_LEN]);
/* Conventional PCI (needs a PCI, not PCIe, slot). */
bool confNetModelIsConventionalPCI(confNetModel model);
