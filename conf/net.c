/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "conf/domain.h"
#include "conf/net.h"
#include "util/error.h"
#include "util/i18n.h"

/* <interface>: user, network and bridge NICs. */

VGM_ENUM_IMPL(confNetType, CONF_NET_TYPE_LAST, "user", "network", "bridge");
VGM_ENUM_IMPL(confNetModel, CONF_NET_MODEL_LAST,
              "none", "virtio", "e1000", "e1000e", "rtl8139");

/**
 * confNetDefFree:
 * @def: an interface, or NULL
 *
 * Frees @def.
 */
void
confNetDefFree(confNetDef *def)
{
    if (!def)
        return;
    g_free(def->source);
    g_free(def->ifname);
    confDeviceInfoClear(&def->info);
    g_free(def);
}

/**
 * confNetModelIsConventionalPCI:
 * @model: a NIC model
 *
 * Returns: whether the NIC is conventional PCI (needs a PCI, not PCIe,
 * slot); no model means QEMU's default rtl8139.
 */
bool
confNetModelIsConventionalPCI(confNetModel model)
{
    /* QEMU's default NIC (no <model>) is rtl8139. */
    return model == CONF_NET_MODEL_NONE || model == CONF_NET_MODEL_E1000 ||
           model == CONF_NET_MODEL_RTL8139;
}

/**
 * confMacParse:
 * @str: "aa:bb:cc:dd:ee:ff"
 * @mac: filled in
 *
 * Returns: 0, or -1 when @str is malformed.
 */
int
confMacParse(const char *str, unsigned char mac[CONF_MAC_LEN])
{
    size_t i;

    for (i = 0; i < CONF_MAC_LEN; i++) {
        if (!g_ascii_isxdigit(str[0]) || !g_ascii_isxdigit(str[1]))
            return -1;
        mac[i] = (g_ascii_xdigit_value(str[0]) << 4) |
                 g_ascii_xdigit_value(str[1]);
        str += 2;
        if (*str != (i == CONF_MAC_LEN - 1 ? '\0' : ':'))
            return -1;
        if (*str)
            str++;
    }
    return 0;
}

/**
 * confMacFormat:
 * @mac: a MAC address
 *
 * Returns: the lower-case colon form (g_free it).
 */
char *
confMacFormat(const unsigned char mac[CONF_MAC_LEN])
{
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                           mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static int
confNetMacParse(xmlNodePtr node, confNetDef *def, GError **error)
{
    static const char *const attrs[] = { "address", NULL };
    g_autofree char *str = NULL;
    g_autofree char *path = NULL;

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropString(node, "address", CONF_PROP_REQUIRED, &str,
                          error) < 0)
        return -1;
    path = confXMLNodePath(node);
    if (confMacParse(str, def->mac) < 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid MAC address '%1$s' at '%2$s': expected six hex bytes separated by ':'"),
                    str, path);
        return -1;
    }
    if (def->mac[0] & 0x01) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("expected a unicast MAC address at '%1$s', found multicast '%2$s'"),
                    path, str);
        return -1;
    }
    return 0;
}

static int
confNetSourceParse(xmlNodePtr node, confNetDef *def, GError **error)
{
    static const char *const networkAttrs[] = { "network", NULL };
    static const char *const bridgeAttrs[] = { "bridge", NULL };
    bool isNetwork = def->type == CONF_NET_TYPE_NETWORK;

    if (def->type == CONF_NET_TYPE_USER) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("element '%1$s' is not supported for interface type 'user'"),
                    path);
        return -1;
    }
    if (confXMLCheckNode(node, isNetwork ? networkAttrs : bridgeAttrs, NULL,
                         error) < 0)
        return -1;
    return confXMLPropString(node, isNetwork ? "network" : "bridge",
                             CONF_PROP_REQUIRED | CONF_PROP_NONZERO,
                             &def->source, error);
}

static int
confNetSimpleChildParse(xmlNodePtr node, const char *elem, const char *attr,
                        xmlNodePtr *child, GError **error)
{
    const char *attrs[] = { attr, NULL };
    int rc = confXMLChildUnique(node, elem, child, error);

    if (rc <= 0)
        return rc;
    return confXMLCheckNode(*child, attrs, NULL, error) < 0 ? -1 : 1;
}

static int
confNetChildrenParse(xmlNodePtr node, confNetDef *def, unsigned int flags,
                     GError **error)
{
    xmlNodePtr child;
    int model = CONF_NET_MODEL_NONE;

    if (confXMLChildUnique(node, "mac", &child, error) < 0 ||
        (child && confNetMacParse(child, def, error) < 0))
        return -1;
    if (!child)
        def->macGenerated = true;
    if (confXMLChildUnique(node, "source", &child, error) < 0 ||
        (child && confNetSourceParse(child, def, error) < 0))
        return -1;
    if (def->type != CONF_NET_TYPE_USER && !def->source) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing element 'source' in '%1$s' for interface type '%2$s'"),
                    path, confNetTypeToString(def->type));
        return -1;
    }
    if (confNetSimpleChildParse(node, "target", "dev", &child, error) < 0 ||
        (child && (flags & CONF_DOMAIN_PARSE_STATUS) &&
         confXMLPropString(child, "dev", 0, &def->ifname, error) < 0))
        return -1;
    if (confNetSimpleChildParse(node, "model", "type", &child, error) < 0 ||
        (child && confXMLPropEnum(child, "type", confNetModelToString,
                                  CONF_PROP_REQUIRED | CONF_PROP_NONZERO,
                                  &model, error) < 0))
        return -1;
    def->model = model;
    return confDeviceInfoParse(node, CONF_DEVICE_INFO_BOOT |
                               CONF_DEVICE_INFO_ROM | CONF_DEVICE_INFO_ACPI,
                               flags, &def->info, error);
}

/**
 * confNetDefParse:
 * @node: an <interface> element
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the interface, or NULL with @error set.
 */
confNetDef *
confNetDefParse(xmlNodePtr node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "type", NULL };
    static const char *const children[] = {
        "mac", "source", "target", "model", CONF_DEVICE_INFO_CHILDREN, NULL
    };
    g_autoptr(confNetDef) def = g_new0(confNetDef, 1);
    int type = CONF_NET_TYPE_USER;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropEnum(node, "type", confNetTypeToString,
                        CONF_PROP_REQUIRED, &type, error) < 0)
        return NULL;
    def->type = type;
    if (confNetChildrenParse(node, def, flags, error) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

/**
 * confNetDefPostParse:
 * @def: an interface
 *
 * An interface without <mac> gets 52:54:00 plus three random bytes.
 */
void
confNetDefPostParse(confNetDef *def)
{
    guint32 rnd;

    if (!def->macGenerated)
        return;
    /* libvirt's QEMU OUI 52:54:00 plus three random bytes. */
    rnd = g_random_int();
    def->mac[0] = 0x52;
    def->mac[1] = 0x54;
    def->mac[2] = 0x00;
    def->mac[3] = (rnd >> 16) & 0xff;
    def->mac[4] = (rnd >> 8) & 0xff;
    def->mac[5] = rnd & 0xff;
    def->macGenerated = false;
}

/**
 * confNetDefFormat:
 * @buf: the <devices> child buffer
 * @def: an interface
 * @flags: virDomainXMLFlags
 *
 * The tap name (<target dev=>) only in live XML.
 */
void
confNetDefFormat(confBuf *buf, const confNetDef *def, unsigned int flags)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };
    g_autofree char *mac = confMacFormat(def->mac);

    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confBufAdd(&attrs, " type='%s'", confNetTypeToString(def->type));
    confBufAdd(&child, "<mac address='%s'/>\n", mac);
    if (def->type == CONF_NET_TYPE_NETWORK)
        confBufEscape(&child, "<source network='%s'/>\n", def->source);
    else if (def->type == CONF_NET_TYPE_BRIDGE)
        confBufEscape(&child, "<source bridge='%s'/>\n", def->source);
    if (def->ifname && !(flags & VIR_DOMAIN_XML_INACTIVE))
        confBufEscape(&child, "<target dev='%s'/>\n", def->ifname);
    if (def->model)
        confBufAdd(&child, "<model type='%s'/>\n",
                   confNetModelToString(def->model));
    confDeviceInfoFormat(&child, &def->info, flags);
    confXMLFormatElement(buf, "interface", &attrs, &child);
}
