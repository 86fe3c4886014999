/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>
#include <sys/utsname.h>

#include "conf/os.h"
#include "util/error.h"
#include "util/i18n.h"

VGM_ENUM_IMPL(confDomainFirmware, CONF_DOMAIN_FIRMWARE_LAST,
              "none", "bios", "efi");
VGM_ENUM_IMPL(confDomainLoaderType, CONF_DOMAIN_LOADER_TYPE_LAST,
              "none", "rom", "pflash");
VGM_ENUM_IMPL(confDomainImageFormat, CONF_DOMAIN_IMAGE_FORMAT_LAST,
              "none", "raw", "qcow2");
VGM_ENUM_IMPL(confDomainBootDev, CONF_DOMAIN_BOOT_LAST,
              "fd", "cdrom", "hd", "network");
VGM_ENUM_IMPL(confDomainIOAPIC, CONF_DOMAIN_IOAPIC_LAST,
              "none", "qemu", "kvm");
VGM_ENUM_IMPL(confDomainClockOffset, CONF_DOMAIN_CLOCK_OFFSET_LAST,
              "utc", "localtime");
VGM_ENUM_IMPL(confDomainTimerName, CONF_DOMAIN_TIMER_LAST,
              "platform", "pit", "rtc", "hpet", "tsc", "kvmclock",
              "hypervclock");
VGM_ENUM_IMPL(confDomainTickPolicy, CONF_DOMAIN_TICKPOLICY_LAST,
              "none", "delay", "catchup", "merge", "discard");

/**
 * confDomainOsClear:
 * @def: the domain
 *
 * Frees what <os> owns and resets the pointers.
 */
void
confDomainOsClear(confDomainDef *def)
{
    if (def->os.loader) {
        g_free(def->os.loader->path);
        g_clear_pointer(&def->os.loader, g_free);
    }
    if (def->os.nvram) {
        g_free(def->os.nvram->path);
        g_free(def->os.nvram->templatePath);
        g_clear_pointer(&def->os.nvram, g_free);
    }
    g_clear_pointer(&def->os.type, g_free);
    g_clear_pointer(&def->os.arch, g_free);
    g_clear_pointer(&def->os.machine, g_free);
    g_clear_pointer(&def->os.kernel, g_free);
    g_clear_pointer(&def->os.initrd, g_free);
    g_clear_pointer(&def->os.cmdline, g_free);
}

static int
confDomainOsTypeParse(xmlNodePtr node, confDomainDef *def, GError **error)
{
    static const char *const attrs[] = { "arch", "machine", NULL };
    xmlNodePtr type;
    int rc = confXMLChildUnique(node, "type", &type, error);

    if (rc < 0)
        return -1;
    if (rc == 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing required element '/domain/os/type'"));
        return -1;
    }
    if (confXMLCheckNode(type, attrs, NULL, error) < 0 ||
        confXMLPropString(type, "arch", CONF_PROP_NONZERO, &def->os.arch,
                          error) < 0 ||
        confXMLPropString(type, "machine", CONF_PROP_NONZERO,
                          &def->os.machine, error) < 0)
        return -1;
    def->os.type = confXMLNodeContent(type);
    if (def->os.type)
        g_strstrip(def->os.type);
    if (!def->os.type || strcmp(def->os.type, "hvm") != 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '/domain/os/type': accepted values are 'hvm'"),
                    def->os.type ? def->os.type : "");
        return -1;
    }
    return 0;
}

static int
confDomainLoaderParse(xmlNodePtr node, confDomainDef *def, GError **error)
{
    static const char *const attrs[] = {
        "readonly", "secure", "type", "stateless", "format", NULL
    };
    confDomainLoaderDef *loader;
    xmlNodePtr child;
    int type = 0;
    int format = 0;
    int rc = confXMLChildUnique(node, "loader", &child, error);

    if (rc <= 0)
        return rc;
    loader = def->os.loader = g_new0(confDomainLoaderDef, 1);
    if (confXMLCheckNode(child, attrs, NULL, error) < 0 ||
        confXMLPropTristateBool(child, "readonly", CONF_PROP_NONE,
                                &loader->readonly, error) < 0 ||
        confXMLPropTristateBool(child, "secure", CONF_PROP_NONE,
                                &loader->secure, error) < 0 ||
        confXMLPropTristateBool(child, "stateless", CONF_PROP_NONE,
                                &loader->stateless, error) < 0 ||
        confXMLPropEnum(child, "type", confDomainLoaderTypeToString,
                        CONF_PROP_NONZERO, &type, error) < 0 ||
        confXMLPropEnum(child, "format", confDomainImageFormatToString,
                        CONF_PROP_NONZERO, &format, error) < 0)
        return -1;
    loader->type = type;
    loader->format = format;
    if ((loader->path = confXMLNodeContent(child)))
        g_strstrip(loader->path);
    return 0;
}

static int
confDomainNvramParse(xmlNodePtr node, confDomainDef *def, GError **error)
{
    static const char *const attrs[] = { "template", "format", NULL };
    confDomainNvramDef *nvram;
    xmlNodePtr child;
    int format = 0;
    int rc = confXMLChildUnique(node, "nvram", &child, error);

    if (rc <= 0)
        return rc;
    nvram = def->os.nvram = g_new0(confDomainNvramDef, 1);
    if (confXMLCheckNode(child, attrs, NULL, error) < 0 ||
        confXMLPropString(child, "template", CONF_PROP_NONZERO,
                          &nvram->templatePath, error) < 0 ||
        confXMLPropEnum(child, "format", confDomainImageFormatToString,
                        CONF_PROP_NONZERO, &format, error) < 0)
        return -1;
    nvram->format = format;
    if ((nvram->path = confXMLNodeContent(child)))
        g_strstrip(nvram->path);
    return 0;
}

static int
confDomainBootParse(xmlNodePtr node, confDomainDef *def, GError **error)
{
    static const char *const attrs[] = { "dev", NULL };
    static const char *const menuAttrs[] = { "enable", "timeout", NULL };
    xmlNodePtr cur;
    xmlNodePtr menu;
    int rc;

    for (cur = node->children; cur; cur = cur->next) {
        int dev = 0;

        if (cur->type != XML_ELEMENT_NODE ||
            strcmp((const char *)cur->name, "boot") != 0)
            continue;
        if (def->os.nBootDevs >= CONF_DOMAIN_BOOT_LAST) {
            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("too many '/domain/os/boot' elements: at most %1$d are allowed"),
                        CONF_DOMAIN_BOOT_LAST);
            return -1;
        }
        if (confXMLCheckNode(cur, attrs, NULL, error) < 0 ||
            confXMLPropEnum(cur, "dev", confDomainBootDevToString,
                            CONF_PROP_REQUIRED, &dev, error) < 0)
            return -1;
        def->os.bootDevs[def->os.nBootDevs++] = dev;
    }
    if ((rc = confXMLChildUnique(node, "bootmenu", &menu, error)) <= 0)
        return rc;
    if (confXMLCheckNode(menu, menuAttrs, NULL, error) < 0 ||
        confXMLPropTristateBool(menu, "enable", CONF_PROP_REQUIRED,
                                &def->os.bootmenu, error) < 0 ||
        (rc = confXMLPropUInt(menu, "timeout", 10, CONF_PROP_NONE,
                              &def->os.bootmenuTimeout, error)) < 0)
        return -1;
    def->os.haveBootmenuTimeout = rc > 0;
    return 0;
}

/**
 * confDomainOsParse:
 * @node: <os>
 * @def: the domain being parsed
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDomainOsParse(xmlNodePtr node, confDomainDef *def, GError **error)
{
    static const char *const attrs[] = { "firmware", NULL };
    static const char *const children[] = {
        "type", "loader", "nvram", "kernel", "initrd", "cmdline", "boot",
        "bootmenu", NULL
    };
    int firmware = 0;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropEnum(node, "firmware", confDomainFirmwareToString,
                        CONF_PROP_NONZERO, &firmware, error) < 0 ||
        confDomainOsTypeParse(node, def, error) < 0 ||
        confDomainLoaderParse(node, def, error) < 0 ||
        confDomainNvramParse(node, def, error) < 0 ||
        confXMLChildContent(node, "kernel", &def->os.kernel, error) < 0 ||
        confXMLChildContent(node, "initrd", &def->os.initrd, error) < 0 ||
        confXMLChildContent(node, "cmdline", &def->os.cmdline, error) < 0 ||
        confDomainBootParse(node, def, error) < 0)
        return -1;
    def->os.firmware = firmware;
    return 0;
}

static char *
confHostArch(void)
{
    struct utsname uts;

    if (uname(&uts) < 0)
        return g_strdup("x86_64");
    if (strcmp(uts.machine, "i386") == 0 || strcmp(uts.machine, "i586") == 0)
        return g_strdup("i686");
    return g_strdup(uts.machine);
}

/**
 * confDomainOsPostParse:
 * @def: the domain
 * @opts: the defaults, or NULL
 * @error: return location for a GError
 *
 * Fill in arch, machine, the boot order and the clock offset.
 *
 * Returns: 0.
 */
int
confDomainOsPostParse(confDomainDef *def, const confDomainParseOpts *opts,
                      GError **error)
{
    if (!def->os.arch)
        def->os.arch = opts && opts->arch ? g_strdup(opts->arch) :
            confHostArch();
    if (!def->os.machine)
        def->os.machine = g_strdup(opts && opts->machine ? opts->machine :
                                   "pc");
    if (def->os.nBootDevs == 0 && !def->deviceBoot)
        def->os.bootDevs[def->os.nBootDevs++] = CONF_DOMAIN_BOOT_DISK;
    def->clock.present = true;
    return 0;
}

/**
 * confDomainOsValidate:
 * @def: the domain
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDomainOsValidate(const confDomainDef *def, GError **error)
{
    if (def->deviceBoot && def->os.nBootDevs > 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("per-device boot elements cannot be used together with '/domain/os/boot'"));
        return -1;
    }
    if ((def->os.initrd || def->os.cmdline) && !def->os.kernel) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("'/domain/os/initrd' and '/domain/os/cmdline' require '/domain/os/kernel'"));
        return -1;
    }
    if (def->os.nvram && def->os.loader &&
        def->os.loader->stateless == VGM_TRISTATE_BOOL_YES) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_DETAIL,
                    _("'/domain/os/nvram' is not allowed with a stateless '/domain/os/loader'"));
        return -1;
    }
    return 0;
}

static void
confDomainLoaderFormat(confBuf *buf, const confDomainLoaderDef *loader)
{
    if (!loader)
        return;
    confBufAdd(buf, "<loader");
    if (loader->readonly)
        confBufAdd(buf, " readonly='%s'",
                   vgmTristateBoolToString(loader->readonly));
    if (loader->secure)
        confBufAdd(buf, " secure='%s'",
                   vgmTristateBoolToString(loader->secure));
    if (loader->type)
        confBufAdd(buf, " type='%s'",
                   confDomainLoaderTypeToString(loader->type));
    if (loader->stateless)
        confBufAdd(buf, " stateless='%s'",
                   vgmTristateBoolToString(loader->stateless));
    if (loader->format)
        confBufAdd(buf, " format='%s'",
                   confDomainImageFormatToString(loader->format));
    if (loader->path)
        confBufEscape(buf, ">%s</loader>\n", loader->path);
    else
        confBufAdd(buf, "/>\n");
}

static void
confDomainNvramFormat(confBuf *buf, const confDomainNvramDef *nvram)
{
    if (!nvram)
        return;
    confBufAdd(buf, "<nvram");
    if (nvram->templatePath)
        confBufEscape(buf, " template='%s'", nvram->templatePath);
    if (nvram->format)
        confBufAdd(buf, " format='%s'",
                   confDomainImageFormatToString(nvram->format));
    if (nvram->path)
        confBufEscape(buf, ">%s</nvram>\n", nvram->path);
    else
        confBufAdd(buf, "/>\n");
}

static void
confDomainBootFormat(confBuf *buf, const confDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->os.nBootDevs; i++)
        confBufAdd(buf, "<boot dev='%s'/>\n",
                   confDomainBootDevToString(def->os.bootDevs[i]));
    if (!def->os.bootmenu)
        return;
    confBufAdd(buf, "<bootmenu enable='%s'",
               vgmTristateBoolToString(def->os.bootmenu));
    if (def->os.haveBootmenuTimeout)
        confBufAdd(buf, " timeout='%u'", def->os.bootmenuTimeout);
    confBufAdd(buf, "/>\n");
}

/**
 * confDomainOsFormat:
 * @buf: the output
 * @def: the domain
 *
 * Appends <os> in libvirt's child order.
 */
void
confDomainOsFormat(confBuf *buf, const confDomainDef *def)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };

    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    if (def->os.firmware)
        confBufAdd(&attrs, " firmware='%s'",
                   confDomainFirmwareToString(def->os.firmware));
    confBufAdd(&child, "<type");
    if (def->os.arch)
        confBufEscape(&child, " arch='%s'", def->os.arch);
    if (def->os.machine)
        confBufEscape(&child, " machine='%s'", def->os.machine);
    confBufEscape(&child, ">%s</type>\n", def->os.type ? def->os.type : "hvm");
    confDomainLoaderFormat(&child, def->os.loader);
    confDomainNvramFormat(&child, def->os.nvram);
    if (def->os.kernel)
        confBufEscape(&child, "<kernel>%s</kernel>\n", def->os.kernel);
    if (def->os.initrd)
        confBufEscape(&child, "<initrd>%s</initrd>\n", def->os.initrd);
    if (def->os.cmdline)
        confBufEscape(&child, "<cmdline>%s</cmdline>\n", def->os.cmdline);
    confDomainBootFormat(&child, def);
    confXMLFormatElement(buf, "os", &attrs, &child);
}

static int
confDomainFeatureState(xmlNodePtr node, const char *name, bool stateAttr,
                       bool stateRequired, vgmTristateSwitch *value,
                       GError **error)
{
    static const char *const stateAttrs[] = { "state", NULL };
    xmlNodePtr child;
    int rc = confXMLChildUnique(node, name, &child, error);

    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(child, stateAttr ? stateAttrs : NULL, NULL,
                         error) < 0)
        return -1;
    *value = VGM_TRISTATE_SWITCH_ON;
    if (!stateAttr)
        return 0;
    return confXMLPropTristateSwitch(child, "state", stateRequired ?
                                     CONF_PROP_REQUIRED : CONF_PROP_NONE,
                                     value, error) < 0 ? -1 : 0;
}

/**
 * confDomainFeaturesParse:
 * @node: <features>
 * @features: filled in
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDomainFeaturesParse(xmlNodePtr node, confDomainFeatures *features,
                        GError **error)
{
    static const char *const children[] = {
        "acpi", "apic", "pae", "vmport", "smm", "ioapic", NULL
    };
    static const char *const ioapicAttrs[] = { "driver", NULL };
    xmlNodePtr ioapic;
    int driver = 0;
    int rc;

    if (confXMLCheckNode(node, NULL, children, error) < 0 ||
        confDomainFeatureState(node, "acpi", false, false, &features->acpi,
                               error) < 0 ||
        confDomainFeatureState(node, "apic", false, false, &features->apic,
                               error) < 0 ||
        confDomainFeatureState(node, "pae", false, false, &features->pae,
                               error) < 0 ||
        confDomainFeatureState(node, "vmport", true, true,
                               &features->vmport, error) < 0 ||
        confDomainFeatureState(node, "smm", true, false, &features->smm,
                               error) < 0 ||
        (rc = confXMLChildUnique(node, "ioapic", &ioapic, error)) < 0)
        return -1;
    if (rc == 0)
        return 0;
    if (confXMLCheckNode(ioapic, ioapicAttrs, NULL, error) < 0 ||
        confXMLPropEnum(ioapic, "driver", confDomainIOAPICToString,
                        CONF_PROP_REQUIRED | CONF_PROP_NONZERO, &driver,
                        error) < 0)
        return -1;
    features->ioapic = driver;
    return 0;
}

/**
 * confDomainFeaturesFormat:
 * @buf: the output
 * @features: the features
 *
 * Appends <features> (nothing when none is set).
 */
void
confDomainFeaturesFormat(confBuf *buf, const confDomainFeatures *features)
{
    g_auto(confBuf) child = { 0 };

    confBufInitChild(&child, buf);
    if (features->acpi)
        confBufAdd(&child, "<acpi/>\n");
    if (features->apic)
        confBufAdd(&child, "<apic/>\n");
    if (features->pae)
        confBufAdd(&child, "<pae/>\n");
    if (features->vmport)
        confBufAdd(&child, "<vmport state='%s'/>\n",
                   vgmTristateSwitchToString(features->vmport));
    if (features->smm)
        confBufAdd(&child, "<smm state='%s'/>\n",
                   vgmTristateSwitchToString(features->smm));
    if (features->ioapic)
        confBufAdd(&child, "<ioapic driver='%s'/>\n",
                   confDomainIOAPICToString(features->ioapic));
    confXMLFormatElement(buf, "features", NULL, &child);
}

/**
 * confDomainClockClear:
 * @clock: the clock
 *
 * Frees the timers.
 */
void
confDomainClockClear(confDomainClock *clock)
{
    g_clear_pointer(&clock->timers, g_free);
    clock->ntimers = 0;
}

static int
confDomainTimerParse(xmlNodePtr node, confDomainTimer *timer,
                     GError **error)
{
    static const char *const attrs[] = {
        "name", "present", "tickpolicy", NULL
    };
    int name = 0;
    int tickpolicy = 0;

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropEnum(node, "name", confDomainTimerNameToString,
                        CONF_PROP_REQUIRED, &name, error) < 0 ||
        confXMLPropTristateBool(node, "present", CONF_PROP_NONE,
                                &timer->present, error) < 0 ||
        confXMLPropEnum(node, "tickpolicy", confDomainTickPolicyToString,
                        CONF_PROP_NONZERO, &tickpolicy, error) < 0)
        return -1;
    timer->name = name;
    timer->tickpolicy = tickpolicy;
    return 0;
}

/**
 * confDomainClockParse:
 * @node: <clock>
 * @clock: filled in
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDomainClockParse(xmlNodePtr node, confDomainClock *clock,
                     GError **error)
{
    static const char *const attrs[] = { "offset", NULL };
    static const char *const children[] = { "timer", NULL };
    xmlNodePtr cur;
    int offset = 0;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropEnum(node, "offset", confDomainClockOffsetToString,
                        CONF_PROP_NONE, &offset, error) < 0)
        return -1;
    clock->present = true;
    clock->offset = offset;
    clock->timers = g_new0(confDomainTimer,
                           confXMLChildCount(node, "timer"));
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (confDomainTimerParse(cur, &clock->timers[clock->ntimers++],
                                 error) < 0)
            return -1;
    }
    return 0;
}

/**
 * confDomainClockFormat:
 * @buf: the output
 * @clock: the clock
 *
 * Appends <clock> with its timers.
 */
void
confDomainClockFormat(confBuf *buf, const confDomainClock *clock)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };
    size_t i;

    if (!clock->present)
        return;
    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confBufAdd(&attrs, " offset='%s'",
               confDomainClockOffsetToString(clock->offset));
    for (i = 0; i < clock->ntimers; i++) {
        const confDomainTimer *timer = &clock->timers[i];

        confBufAdd(&child, "<timer name='%s'",
                   confDomainTimerNameToString(timer->name));
        if (timer->present)
            confBufAdd(&child, " present='%s'",
                       vgmTristateBoolToString(timer->present));
        if (timer->tickpolicy)
            confBufAdd(&child, " tickpolicy='%s'",
                       confDomainTickPolicyToString(timer->tickpolicy));
        confBufAdd(&child, "/>\n");
    }
    confXMLFormatElement(buf, "clock", &attrs, &child);
}
