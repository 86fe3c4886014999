/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>
#include <sys/stat.h>

#include "conf/cpu.h"
#include "conf/domain.h"
#include "conf/launchsec.h"
#include "conf/memory.h"
#include "conf/os.h"
#include "conf/values.h"
#include "util/error.h"
#include "util/i18n.h"

/* Longer names are refused (libvirt's own limit depends on the driver). */
#define CONF_DOMAIN_NAME_MAX 200

VGM_ENUM_IMPL(confDomainVirt, CONF_DOMAIN_VIRT_LAST,
              "none", "qemu", "kvm");
VGM_ENUM_IMPL(confDomainVcpuPlacement, CONF_DOMAIN_VCPU_PLACEMENT_LAST,
              "default", "static", "auto");
VGM_ENUM_IMPL(confDomainLifecycle, CONF_DOMAIN_LIFECYCLE_LAST,
              "default", "destroy", "restart", "rename-restart", "preserve");
VGM_ENUM_IMPL(confDomainCrash, CONF_DOMAIN_CRASH_LAST,
              "default", "destroy", "restart", "rename-restart", "preserve",
              "coredump-destroy", "coredump-restart");

/**
 * confDomainDefNew:
 *
 * Returns: an empty, inactive domain definition.
 */
confDomainDef *
confDomainDefNew(void)
{
    confDomainDef *def = g_new0(confDomainDef, 1);

    def->id = -1;
    return def;
}

/**
 * confDomainDefFree:
 * @def: a definition, or NULL
 *
 * Frees @def and everything it owns.
 */
void
confDomainDefFree(confDomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    if (def->metadata)
        xmlFreeDoc(def->metadata);
    confDomainOsClear(def);
    confDomainClockClear(&def->clock);
    confDomainCPUDefFree(def->cpu);
    confMemoryBackingFree(def->memoryBacking);
    confLaunchSecurityFree(def->launchSecurity);
    confDevicesClear(&def->devices);
    g_free(def);
}

static int
confDomainNameCheck(const char *name, GError **error)
{
    const char *p;

    if (strlen(name) > CONF_DOMAIN_NAME_MAX) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("'/domain/name' is longer than %1$d bytes"),
                    CONF_DOMAIN_NAME_MAX);
        return -1;
    }
    for (p = name; *p; p++) {
        if (*p == '/' || g_ascii_iscntrl(*p)) {
            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("'/domain/name' must not contain '/' or control characters"));
            return -1;
        }
    }
    return 0;
}

static int
confDomainNameParse(xmlNodePtr root, confDomainDef *def, GError **error)
{
    if (confXMLChildContent(root, "name", &def->name, error) < 0)
        return -1;
    if (!def->name || strspn(def->name, " \t\r\n") == strlen(def->name)) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing or empty required element '/domain/name'"));
        return -1;
    }
    return confDomainNameCheck(def->name, error);
}

static int
confDomainUUIDParse(xmlNodePtr root, confDomainDef *def, GError **error)
{
    g_autofree char *str = NULL;
    int rc = confXMLChildContent(root, "uuid", &str, error);

    if (rc < 0)
        return -1;
    if (rc == 0) {
        confUUIDGenerate(def->uuid);
        return 0;
    }
    if (confUUIDParse(str, def->uuid) < 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '/domain/uuid': expected a UUID"),
                    str);
        return -1;
    }
    return 0;
}

static int
confDomainTitleParse(xmlNodePtr root, confDomainDef *def, GError **error)
{
    if (confXMLChildContent(root, "title", &def->title, error) < 0 ||
        confXMLChildContent(root, "description", &def->description,
                            error) < 0)
        return -1;
    if (def->title && strchr(def->title, '\n')) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("'/domain/title' must not contain newlines"));
        return -1;
    }
    return 0;
}

/* Drop the indentation text between elements so it can be redone. */
static void
confDomainStripBlanks(xmlNodePtr node)
{
    xmlNodePtr cur = node->children;
    bool hasElements = false;

    for (; cur; cur = cur->next)
        hasElements |= cur->type == XML_ELEMENT_NODE;
    cur = node->children;
    while (cur) {
        xmlNodePtr next = cur->next;

        if (hasElements && cur->type == XML_TEXT_NODE &&
            xmlIsBlankNode(cur)) {
            xmlUnlinkNode(cur);
            xmlFreeNode(cur);
        } else if (cur->type == XML_ELEMENT_NODE) {
            confDomainStripBlanks(cur);
        }
        cur = next;
    }
}

static int
confDomainMetadataParse(xmlNodePtr root, confDomainDef *def, GError **error)
{
    xmlNodePtr node;
    xmlNodePtr cur;
    xmlNodePtr copy;
    int rc = confXMLChildUnique(root, "metadata", &node, error);

    if (rc <= 0)
        return rc;
    if (node->properties) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("unknown attribute '%1$s' on element '/domain/metadata'"),
                    (const char *)node->properties->name);
        return -1;
    }
    def->metadata = xmlNewDoc((const xmlChar *)"1.0");
    xmlDocSetRootElement(def->metadata,
                         xmlNewDocNode(def->metadata, NULL,
                                       (const xmlChar *)"metadata", NULL));
    /*
     * Copy child by child so that a namespace declared further up (on
     * <domain>) is declared again on each child, as libvirt prints it.
     */
    for (cur = node->children; cur; cur = cur->next) {
        if (!(copy = xmlDocCopyNode(cur, def->metadata, 1))) {
            g_set_error(error, CONF_ERROR, VIR_ERR_NO_MEMORY,
                        _("cannot copy '/domain/metadata'"));
            return -1;
        }
        xmlAddChild(xmlDocGetRootElement(def->metadata), copy);
    }
    confDomainStripBlanks(xmlDocGetRootElement(def->metadata));
    return 0;
}

static int
confDomainMemoryElem(xmlNodePtr root, const char *name, bool required,
                     unsigned long long *kib, GError **error)
{
    static const char *const attrs[] = { "unit", NULL };
    static const char *const maxAttrs[] = { "unit", "slots", NULL };
    bool isMax = strcmp(name, "maxMemory") == 0;
    xmlNodePtr node;
    int rc = confXMLChildUnique(root, name, &node, error);

    if (rc < 0)
        return -1;
    if (rc == 0 && !required)
        return 0;
    if (rc > 0 &&
        (confXMLCheckNode(node, isMax ? maxAttrs : attrs, NULL, error) < 0 ||
         (rc = confXMLParseMemory(node, kib, error)) < 0))
        return -1;
    if (rc == 0 || *kib == 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing or zero required element '/domain/%1$s'"),
                    name);
        return -1;
    }
    return 1;
}

static int
confDomainMemoryParse(xmlNodePtr root, confDomainDef *def, GError **error)
{
    int rc;

    if (confDomainMemoryElem(root, "memory", true, &def->memory,
                             error) < 0 ||
        confDomainMemoryElem(root, "currentMemory", false,
                             &def->currentMemory, error) < 0 ||
        (rc = confDomainMemoryElem(root, "maxMemory", false,
                                   &def->maxMemory, error)) < 0)
        return -1;
    if (rc == 0)
        return 0;
    return confXMLPropUInt(confXMLChild(root, "maxMemory"), "slots", 10,
                           CONF_PROP_REQUIRED | CONF_PROP_NONZERO,
                           &def->maxMemorySlots, error) < 0 ? -1 : 0;
}

static int
confDomainVcpuParse(xmlNodePtr root, confDomainDef *def, GError **error)
{
    static const char *const attrs[] = { "placement", "current", NULL };
    g_autofree char *str = NULL;
    xmlNodePtr node;
    int placement = 0;
    int rc = confXMLChildUnique(root, "vcpu", &node, error);

    def->vcpus = 1;
    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropEnum(node, "placement", confDomainVcpuPlacementToString,
                        CONF_PROP_NONZERO, &placement, error) < 0 ||
        confXMLPropUInt(node, "current", 10, CONF_PROP_NONZERO,
                        &def->vcpusCurrent, error) < 0)
        return -1;
    def->vcpuPlacement = placement;
    str = confXMLNodeContent(node);
    if (str)
        g_strstrip(str);
    if (!str || confStrToUInt(str, 10, &def->vcpus) < 0 || def->vcpus == 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '/domain/vcpu': expected a positive integer"),
                    str ? str : "");
        return -1;
    }
    return 0;
}

static int
confDomainIommufdParse(xmlNodePtr root, confDomainDef *def, GError **error)
{
    static const char *const attrs[] = { "enabled", NULL };
    xmlNodePtr node;
    int rc = confXMLChildUnique(root, "iommufd", &node, error);

    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropTristateBool(node, "enabled", CONF_PROP_REQUIRED,
                                &def->iommufd, error) < 0)
        return -1;
    return 0;
}

static int
confDomainLifecycleParse(xmlNodePtr root, const char *name,
                         vgmEnumToStringFunc toString, int *value,
                         GError **error)
{
    xmlNodePtr node;
    int rc = confXMLChildUnique(root, name, &node, error);

    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(node, NULL, NULL, error) < 0 ||
        (rc = confXMLContentEnum(node, toString, 1, value, error)) < 0)
        return -1;
    if (rc == 0) {
        g_autofree char *accepted = vgmEnumJoinValues(toString, 1);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("empty element '/domain/%1$s': accepted values are %2$s"),
                    name, accepted);
        return -1;
    }
    return 0;
}

static int
confDomainLifecyclesParse(xmlNodePtr root, confDomainDef *def,
                          GError **error)
{
    int poweroff = 0;
    int reboot = 0;
    int crash = 0;

    if (confDomainLifecycleParse(root, "on_poweroff",
                                 confDomainLifecycleToString, &poweroff,
                                 error) < 0 ||
        confDomainLifecycleParse(root, "on_reboot",
                                 confDomainLifecycleToString, &reboot,
                                 error) < 0 ||
        confDomainLifecycleParse(root, "on_crash", confDomainCrashToString,
                                 &crash, error) < 0)
        return -1;
    def->onPoweroff = poweroff;
    def->onReboot = reboot;
    def->onCrash = crash;
    return 0;
}

static int
confDomainRootParse(xmlNodePtr root, confDomainDef *def, unsigned int flags,
                    GError **error)
{
    int type = 0;
    int id = -1;

    if (strcmp((const char *)root->name, "domain") != 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("unexpected root element '%1$s', expecting 'domain'"),
                    (const char *)root->name);
        return -1;
    }
    if (confXMLPropEnum(root, "type", confDomainVirtToString,
                        CONF_PROP_REQUIRED | CONF_PROP_NONZERO, &type,
                        error) < 0 ||
        confXMLPropInt(root, "id", 10, CONF_PROP_NONE, &id, error) < 0)
        return -1;
    def->virtType = type;
    /* Like libvirt, a live id in an inactive definition is ignored. */
    def->id = (flags & CONF_DOMAIN_PARSE_STATUS) ? MAX(id, -1) : -1;
    return 0;
}

static int
confDomainSectionsParse(xmlNodePtr root, confDomainDef *def, GError **error)
{
    xmlNodePtr node;
    int rc;

    if ((rc = confXMLChildUnique(root, "os", &node, error)) < 0)
        return -1;
    if (rc == 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing required element '/domain/os'"));
        return -1;
    }
    if (confDomainOsParse(node, def, error) < 0)
        return -1;
    if ((rc = confXMLChildUnique(root, "features", &node, error)) < 0 ||
        (rc > 0 && confDomainFeaturesParse(node, &def->features,
                                           error) < 0))
        return -1;
    if ((rc = confXMLChildUnique(root, "cpu", &node, error)) < 0 ||
        (rc > 0 && confDomainCPUDefParse(node, &def->cpu, error) < 0))
        return -1;
    if ((rc = confXMLChildUnique(root, "clock", &node, error)) < 0 ||
        (rc > 0 && confDomainClockParse(node, &def->clock, error) < 0))
        return -1;
    if ((rc = confXMLChildUnique(root, "memoryBacking", &node, error)) < 0 ||
        (rc > 0 && confMemoryBackingParse(node, &def->memoryBacking,
                                          error) < 0))
        return -1;
    if ((rc = confXMLChildUnique(root, "launchSecurity", &node,
                                 error)) < 0 ||
        (rc > 0 && confLaunchSecurityParse(node, &def->launchSecurity,
                                           error) < 0))
        return -1;
    return 0;
}

/* Whether a device asks for <boot order=''/> (libvirt's per-device boot). */
static bool
confDomainHasDeviceBoot(xmlNodePtr devices)
{
    xmlNodePtr dev;

    for (dev = devices->children; dev; dev = dev->next) {
        if (dev->type == XML_ELEMENT_NODE && confXMLChild(dev, "boot"))
            return true;
    }
    return false;
}

static int
confDomainDevicesParse(xmlNodePtr root, confDomainDef *def,
                       unsigned int flags, GError **error)
{
    xmlNodePtr node;
    int rc = confXMLChildUnique(root, "devices", &node, error);

    if (rc <= 0)
        return rc;
    def->deviceBoot = confDomainHasDeviceBoot(node);
    return confDevicesParse(node, def, flags, error);
}

static int
confDomainDefParseNode(xmlNodePtr root, confDomainDef *def,
                       unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "type", "id", NULL };
    static const char *const children[] = {
        "name", "uuid", "title", "description", "metadata", "maxMemory",
        "memory", "currentMemory", "memoryBacking", "vcpu", "iommufd", "os",
        "features", "cpu", "clock", "on_poweroff", "on_reboot", "on_crash",
        "devices", "launchSecurity", NULL
    };

    if (confDomainRootParse(root, def, flags, error) < 0 ||
        confXMLCheckNode(root, attrs, children, error) < 0 ||
        confDomainNameParse(root, def, error) < 0 ||
        confDomainUUIDParse(root, def, error) < 0 ||
        confDomainTitleParse(root, def, error) < 0 ||
        confDomainMetadataParse(root, def, error) < 0 ||
        confDomainMemoryParse(root, def, error) < 0 ||
        confDomainVcpuParse(root, def, error) < 0 ||
        confDomainIommufdParse(root, def, error) < 0 ||
        confDomainSectionsParse(root, def, error) < 0 ||
        confDomainLifecyclesParse(root, def, error) < 0 ||
        confDomainDevicesParse(root, def, flags, error) < 0)
        return -1;
    return 0;
}

static int
confDomainDefPostParse(confDomainDef *def, const confDomainParseOpts *opts,
                       GError **error)
{
    g_autofree char *emulator = NULL;

    if (def->currentMemory == 0)
        def->currentMemory = def->memory;
    if (!def->vcpuPlacement)
        def->vcpuPlacement = CONF_DOMAIN_VCPU_PLACEMENT_STATIC;
    if (!def->onPoweroff)
        def->onPoweroff = CONF_DOMAIN_LIFECYCLE_DESTROY;
    if (!def->onReboot)
        def->onReboot = CONF_DOMAIN_LIFECYCLE_RESTART;
    if (!def->onCrash)
        def->onCrash = CONF_DOMAIN_CRASH_DESTROY;
    if (confDomainOsPostParse(def, opts, error) < 0 ||
        confDomainCPUDefPostParse(def, error) < 0)
        return -1;
    if (opts && opts->emulator)
        emulator = g_strdup(opts->emulator);
    else
        emulator = g_strdup_printf("/usr/bin/qemu-system-%s", def->os.arch);
    return confDevicesPostParse(def, emulator, error);
}

static int
confDomainDefParseDoc(xmlDocPtr doc, const confDomainParseOpts *opts,
                      unsigned int flags, confDomainDef **out,
                      GError **error)
{
    g_autoptr(confDomainDef) def = confDomainDefNew();

    if (confDomainDefParseNode(xmlDocGetRootElement(doc), def, flags,
                               error) < 0)
        return -1;
    if (!(flags & CONF_DOMAIN_PARSE_NO_POSTPARSE) &&
        (confDomainDefPostParse(def, opts, error) < 0 ||
         confDomainDefValidate(def, error) < 0))
        return -1;
    *out = g_steal_pointer(&def);
    return 0;
}

/**
 * confDomainDefParseString:
 * @xml: the domain XML
 * @opts: defaults for post-parse, or NULL
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Parse, fill in defaults and validate a domain definition.
 *
 * Returns: the definition, or NULL with @error set.
 */
confDomainDef *
confDomainDefParseString(const char *xml, const confDomainParseOpts *opts,
                         unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    confDomainDef *def = NULL;

    if (!(doc = confXMLParse(xml, opts ? opts->maxBytes : 0, NULL, error)))
        return NULL;
    if (confDomainDefParseDoc(doc, opts, flags, &def, error) < 0)
        return NULL;
    return def;
}

/**
 * confDomainDefParseFile:
 * @path: the file holding the domain XML
 * @opts: defaults for post-parse, or NULL
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the definition, or NULL with @error set.
 */
confDomainDef *
confDomainDefParseFile(const char *path, const confDomainParseOpts *opts,
                       unsigned int flags, GError **error)
{
    size_t max = opts && opts->maxBytes ? opts->maxBytes : CONF_XML_MAX_BYTES;
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    struct stat sb;

    if (stat(path, &sb) == 0 && (size_t)sb.st_size > max) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("XML document '%1$s' is %2$zu bytes, more than the limit of %3$zu bytes"),
                    path, (size_t)sb.st_size, max);
        return NULL;
    }
    if (!g_file_get_contents(path, &xml, NULL, &err)) {
        g_set_error(error, CONF_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot read domain XML '%1$s': %2$s"),
                    path, err->message);
        return NULL;
    }
    return confDomainDefParseString(xml, opts, flags, error);
}

static int
confDomainDefValidateSizes(const confDomainDef *def, GError **error)
{
    if (def->currentMemory > def->memory) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_DETAIL,
                    _("'/domain/currentMemory' (%1$llu KiB) must not be larger than '/domain/memory' (%2$llu KiB)"),
                    def->currentMemory, def->memory);
        return -1;
    }
    if (def->maxMemory && def->maxMemory < def->memory) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_DETAIL,
                    _("'/domain/maxMemory' (%1$llu KiB) must not be smaller than '/domain/memory' (%2$llu KiB)"),
                    def->maxMemory, def->memory);
        return -1;
    }
    if (def->vcpusCurrent > def->vcpus) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_DETAIL,
                    _("'/domain/vcpu/@current' (%1$u) must not be larger than '/domain/vcpu' (%2$u)"),
                    def->vcpusCurrent, def->vcpus);
        return -1;
    }
    return 0;
}

/**
 * confDomainDefValidate:
 * @def: the domain, after post-parse
 * @error: return location for a GError
 *
 * Checks that need no QEMU binary: sizes, topology, memory backing and
 * launch security combinations, then the devices.
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDomainDefValidate(const confDomainDef *def, GError **error)
{
    if (confDomainDefValidateSizes(def, error) < 0 ||
        confDomainOsValidate(def, error) < 0 ||
        confDomainCPUDefValidate(def, error) < 0 ||
        confMemoryBackingValidate(def, error) < 0 ||
        confLaunchSecurityValidate(def, error) < 0 ||
        confDevicesValidate(def, error) < 0)
        return -1;
    return 0;
}

static void
confDomainMetadataFormat(confBuf *buf, const confDomainDef *def)
{
    xmlBufferPtr xb;

    if (!def->metadata || !xmlDocGetRootElement(def->metadata))
        return;
    xb = xmlBufferCreate();
    if (xmlNodeDump(xb, def->metadata, xmlDocGetRootElement(def->metadata),
                    buf->indent / 2, 1) >= 0)
        confBufAdd(buf, "%s\n", (const char *)xmlBufferContent(xb));
    xmlBufferFree(xb);
}

static void
confDomainHeadFormat(confBuf *buf, const confDomainDef *def)
{
    char uuid[37];

    confBufEscape(buf, "<name>%s</name>\n", def->name ? def->name : "");
    confUUIDFormat(def->uuid, uuid);
    confBufAdd(buf, "<uuid>%s</uuid>\n", uuid);
    if (def->title)
        confBufEscape(buf, "<title>%s</title>\n", def->title);
    if (def->description)
        confBufEscapeText(buf, "<description>%s</description>\n",
                          def->description);
    confDomainMetadataFormat(buf, def);
    if (def->maxMemory)
        confBufAdd(buf, "<maxMemory slots='%u' unit='KiB'>%llu</maxMemory>\n",
                   def->maxMemorySlots, def->maxMemory);
    confBufAdd(buf, "<memory unit='KiB'>%llu</memory>\n", def->memory);
    if (def->currentMemory)
        confBufAdd(buf, "<currentMemory unit='KiB'>%llu</currentMemory>\n",
                   def->currentMemory);
    confMemoryBackingFormat(buf, def->memoryBacking);
    confBufAdd(buf, "<vcpu");
    if (def->vcpuPlacement)
        confBufAdd(buf, " placement='%s'",
                   confDomainVcpuPlacementToString(def->vcpuPlacement));
    /* Like libvirt: current only when some vCPUs are offline. */
    if (def->vcpusCurrent && def->vcpusCurrent < def->vcpus)
        confBufAdd(buf, " current='%u'", def->vcpusCurrent);
    confBufAdd(buf, ">%u</vcpu>\n", def->vcpus);
    if (def->iommufd)
        confBufAdd(buf, "<iommufd enabled='%s'/>\n",
                   vgmTristateBoolToString(def->iommufd));
}

static void
confDomainLifecycleFormat(confBuf *buf, const confDomainDef *def)
{
    if (def->onPoweroff)
        confBufAdd(buf, "<on_poweroff>%s</on_poweroff>\n",
                   confDomainLifecycleToString(def->onPoweroff));
    if (def->onReboot)
        confBufAdd(buf, "<on_reboot>%s</on_reboot>\n",
                   confDomainLifecycleToString(def->onReboot));
    if (def->onCrash)
        confBufAdd(buf, "<on_crash>%s</on_crash>\n",
                   confDomainCrashToString(def->onCrash));
}

/**
 * confDomainDefFormat:
 * @def: the domain
 * @flags: virDomainXMLFlags; without VIR_DOMAIN_XML_INACTIVE a running
 *         domain gets its id='N'
 *
 * Returns: the domain XML like libvirt's dumpxml (g_free it).
 */
char *
confDomainDefFormat(const confDomainDef *def, unsigned int flags)
{
    g_auto(confBuf) buf = { 0 };
    g_auto(confBuf) child = { 0 };

    confBufInit(&buf);
    confBufInitChild(&child, &buf);
    confBufAdd(&buf, "<domain type='%s'",
               confDomainVirtToString(def->virtType));
    if (!(flags & VIR_DOMAIN_XML_INACTIVE) && def->id >= 0)
        confBufAdd(&buf, " id='%d'", def->id);
    confBufAdd(&buf, ">\n");
    confDomainHeadFormat(&child, def);
    confDomainOsFormat(&child, def);
    confDomainFeaturesFormat(&child, &def->features);
    confDomainCPUDefFormat(&child, def->cpu);
    confDomainClockFormat(&child, &def->clock);
    confDomainLifecycleFormat(&child, def);
    confDevicesFormat(&child, def, flags);
    confLaunchSecurityFormat(&child, def->launchSecurity);
    g_string_append(buf.str, child.str->str);
    confBufAdd(&buf, "</domain>\n");
    return confBufSteal(&buf);
}
