/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/domain.h"
#include "conf/launchsec.h"
#include "conf/memory.h"
#include "conf/values.h"
#include "util/error.h"
#include "util/i18n.h"

VGM_ENUM_IMPL(confLaunchSecurity, CONF_LAUNCH_SECURITY_LAST,
              "none", "sev", "sev-snp", "tdx");

/**
 * confLaunchSecurityFree:
 * @sec: a definition, or NULL
 *
 * Frees @sec.
 */
void
confLaunchSecurityFree(confLaunchSecurity *sec)
{
    if (!sec)
        return;
    g_free(sec->dhCert);
    g_free(sec->session);
    g_free(sec->guestVisibleWorkarounds);
    g_free(sec->idBlock);
    g_free(sec->idAuth);
    g_free(sec->hostData);
    g_free(sec->mrConfigId);
    g_free(sec->mrOwner);
    g_free(sec->mrOwnerConfig);
    g_free(sec->qgsPath);
    g_free(sec);
}

static int
confLaunchSecurityUInt(xmlNodePtr node, const char *name, bool *have,
                       unsigned int *value, GError **error)
{
    int rc = confXMLChildUInt(node, name, 10, value, error);

    if (rc < 0)
        return -1;
    *have = rc > 0;
    return 0;
}

static int
confLaunchSecurityPolicy(xmlNodePtr node, confLaunchSecurity *sec,
                         GError **error)
{
    unsigned long long max = sec->type == CONF_LAUNCH_SECURITY_SEV ?
        G_MAXUINT32 : G_MAXUINT64;
    xmlNodePtr child;
    int rc = confXMLChildUnique(node, "policy", &child, error);

    if (rc < 0)
        return -1;
    if (rc > 0) {
        if (confXMLCheckNode(child, NULL, NULL, error) < 0 ||
            (rc = confXMLContentHex(child, max, &sec->policy, error)) < 0)
            return -1;
    }
    sec->havePolicy = rc > 0;
    if (!sec->havePolicy && sec->type == CONF_LAUNCH_SECURITY_SEV) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing required element '%1$s/policy'"), path);
        return -1;
    }
    return 0;
}

static int
confLaunchSecuritySEVCommon(xmlNodePtr node, confLaunchSecurity *sec,
                            GError **error)
{
    if (confXMLPropTristateBool(node, "kernelHashes", CONF_PROP_NONE,
                                &sec->kernelHashes, error) < 0 ||
        confLaunchSecurityUInt(node, "cbitpos", &sec->haveCbitpos,
                               &sec->cbitpos, error) < 0 ||
        confLaunchSecurityUInt(node, "reducedPhysBits",
                               &sec->haveReducedPhysBits,
                               &sec->reducedPhysBits, error) < 0 ||
        confLaunchSecurityPolicy(node, sec, error) < 0)
        return -1;
    return 0;
}

static int
confLaunchSecuritySEVParse(xmlNodePtr node, confLaunchSecurity *sec,
                           GError **error)
{
    static const char *const attrs[] = {
        "type", "kernelHashes", "convertInPlace", NULL
    };
    static const char *const children[] = {
        "cbitpos", "reducedPhysBits", "policy", "handle", "dhCert",
        "session", NULL
    };

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confLaunchSecuritySEVCommon(node, sec, error) < 0 ||
        confLaunchSecurityUInt(node, "handle", &sec->haveHandle,
                               &sec->handle, error) < 0 ||
        confXMLChildContent(node, "dhCert", &sec->dhCert, error) < 0 ||
        confXMLChildContent(node, "session", &sec->session, error) < 0)
        return -1;
    return 0;
}

static int
confLaunchSecuritySNPParse(xmlNodePtr node, confLaunchSecurity *sec,
                           GError **error)
{
    static const char *const attrs[] = {
        "type", "kernelHashes", "authorKey", "vcek", "convertInPlace", NULL
    };
    static const char *const children[] = {
        "cbitpos", "reducedPhysBits", "policy", "guestVisibleWorkarounds",
        "idBlock", "idAuth", "hostData", NULL
    };

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropTristateBool(node, "authorKey", CONF_PROP_NONE,
                                &sec->authorKey, error) < 0 ||
        confXMLPropTristateBool(node, "vcek", CONF_PROP_NONE,
                                &sec->vcek, error) < 0 ||
        confLaunchSecuritySEVCommon(node, sec, error) < 0 ||
        confXMLChildContent(node, "guestVisibleWorkarounds",
                            &sec->guestVisibleWorkarounds, error) < 0 ||
        confXMLChildContent(node, "idBlock", &sec->idBlock, error) < 0 ||
        confXMLChildContent(node, "idAuth", &sec->idAuth, error) < 0 ||
        confXMLChildContent(node, "hostData", &sec->hostData, error) < 0)
        return -1;
    return 0;
}

static int
confLaunchSecurityTDXParse(xmlNodePtr node, confLaunchSecurity *sec,
                           GError **error)
{
    static const char *const attrs[] = { "type", "convertInPlace", NULL };
    static const char *const children[] = {
        "policy", "mrConfigId", "mrOwner", "mrOwnerConfig",
        "quoteGenerationService", NULL
    };
    static const char *const qgsAttrs[] = { "path", NULL };
    xmlNodePtr qgs;
    int rc;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confLaunchSecurityPolicy(node, sec, error) < 0 ||
        confXMLChildContent(node, "mrConfigId", &sec->mrConfigId,
                            error) < 0 ||
        confXMLChildContent(node, "mrOwner", &sec->mrOwner, error) < 0 ||
        confXMLChildContent(node, "mrOwnerConfig", &sec->mrOwnerConfig,
                            error) < 0 ||
        (rc = confXMLChildUnique(node, "quoteGenerationService", &qgs,
                                 error)) < 0)
        return -1;
    if (rc == 0)
        return 0;
    sec->haveQGS = true;
    if (confXMLCheckNode(qgs, qgsAttrs, NULL, error) < 0 ||
        confXMLPropString(qgs, "path", CONF_PROP_NONZERO, &sec->qgsPath,
                          error) < 0)
        return -1;
    return 0;
}

/**
 * confLaunchSecurityParse:
 * @node: <launchSecurity>
 * @sec: set to the new definition
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confLaunchSecurityParse(xmlNodePtr node, confLaunchSecurity **sec,
                        GError **error)
{
    g_autoptr(confLaunchSecurity) def = g_new0(confLaunchSecurity, 1);
    int type = 0;
    int rc = -1;

    if (confXMLPropEnum(node, "type", confLaunchSecurityToString,
                        CONF_PROP_REQUIRED | CONF_PROP_NONZERO, &type,
                        error) < 0 ||
        confXMLPropTristateBool(node, "convertInPlace", CONF_PROP_NONE,
                                &def->convertInPlace, error) < 0)
        return -1;
    def->type = type;
    switch (def->type) {
    case CONF_LAUNCH_SECURITY_SEV:
        rc = confLaunchSecuritySEVParse(node, def, error);
        break;
    case CONF_LAUNCH_SECURITY_SEV_SNP:
        rc = confLaunchSecuritySNPParse(node, def, error);
        break;
    case CONF_LAUNCH_SECURITY_TDX:
        rc = confLaunchSecurityTDXParse(node, def, error);
        break;
    case CONF_LAUNCH_SECURITY_NONE:
    case CONF_LAUNCH_SECURITY_LAST:
        break;
    }
    if (rc < 0)
        return -1;
    *sec = g_steal_pointer(&def);
    return 0;
}

static bool
confMachineIsQ35(const char *machine)
{
    return machine && (strcmp(machine, "q35") == 0 ||
                       g_str_has_prefix(machine, "pc-q35-"));
}

static int
confLaunchSecurityTDXValidate(const confDomainDef *def, GError **error)
{
    if (!confMachineIsQ35(def->os.machine)) {
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("'/domain/launchSecurity' of type 'tdx' requires a q35 machine type, not '%1$s'"),
                    def->os.machine ? def->os.machine : "");
        return -1;
    }
    if (def->features.ioapic == CONF_DOMAIN_IOAPIC_KVM) {
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("'/domain/launchSecurity' of type 'tdx' requires a split irqchip, not '/domain/features/ioapic' with driver 'kvm'"));
        return -1;
    }
    return 0;
}

static int
confLaunchSecurityKernelHashes(const confDomainDef *def,
                               const confLaunchSecurity *sec,
                               GError **error)
{
    if (sec->kernelHashes != VGM_TRISTATE_BOOL_YES || def->os.kernel)
        return 0;
    g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("'/domain/launchSecurity/@kernelHashes' requires direct kernel boot with '/domain/os/kernel'"));
    return -1;
}

static int
confLaunchSecurityConvertInPlace(const confDomainDef *def,
                                 const confLaunchSecurity *sec,
                                 GError **error)
{
    const char *type = confLaunchSecurityToString(sec->type);

    if (sec->convertInPlace != VGM_TRISTATE_BOOL_YES)
        return 0;
    if (sec->type == CONF_LAUNCH_SECURITY_SEV) {
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("'/domain/launchSecurity/@convertInPlace' is not supported with launch security type '%1$s'"),
                    type);
        return -1;
    }
    if (!def->memoryBacking ||
        def->memoryBacking->source != CONF_MEMORY_SOURCE_GUEST_MEMFD) {
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("'/domain/launchSecurity/@convertInPlace' requires '/domain/memoryBacking/source' of type 'guest-memfd'"));
        return -1;
    }
    return 0;
}

/**
 * confLaunchSecurityValidate:
 * @def: the domain
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confLaunchSecurityValidate(const confDomainDef *def, GError **error)
{
    const confLaunchSecurity *sec = def->launchSecurity;

    if (!sec)
        return 0;
    if (sec->type == CONF_LAUNCH_SECURITY_TDX &&
        confLaunchSecurityTDXValidate(def, error) < 0)
        return -1;
    if (sec->type != CONF_LAUNCH_SECURITY_SEV &&
        def->features.smm == VGM_TRISTATE_SWITCH_ON) {
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("'/domain/launchSecurity' of type '%1$s' is not supported with '/domain/features/smm' turned on"),
                    confLaunchSecurityToString(sec->type));
        return -1;
    }
    if (confLaunchSecurityKernelHashes(def, sec, error) < 0 ||
        confLaunchSecurityConvertInPlace(def, sec, error) < 0)
        return -1;
    return 0;
}

static void
confLaunchSecurityText(confBuf *buf, const char *name, const char *value)
{
    g_autofree char *fmt = NULL;

    if (!value)
        return;
    fmt = g_strdup_printf("<%s>%%s</%s>\n", name, name);
    confBufEscape(buf, fmt, value);
}

static void
confLaunchSecurityAttrs(confBuf *attrs, const confLaunchSecurity *sec)
{
    confBufAdd(attrs, " type='%s'", confLaunchSecurityToString(sec->type));
    if (sec->kernelHashes)
        confBufAdd(attrs, " kernelHashes='%s'",
                   vgmTristateBoolToString(sec->kernelHashes));
    if (sec->authorKey)
        confBufAdd(attrs, " authorKey='%s'",
                   vgmTristateBoolToString(sec->authorKey));
    if (sec->vcek)
        confBufAdd(attrs, " vcek='%s'", vgmTristateBoolToString(sec->vcek));
    if (sec->convertInPlace)
        confBufAdd(attrs, " convertInPlace='%s'",
                   vgmTristateBoolToString(sec->convertInPlace));
}

static void
confLaunchSecuritySEVFormat(confBuf *child, const confLaunchSecurity *sec)
{
    if (sec->haveCbitpos)
        confBufAdd(child, "<cbitpos>%u</cbitpos>\n", sec->cbitpos);
    if (sec->haveReducedPhysBits)
        confBufAdd(child, "<reducedPhysBits>%u</reducedPhysBits>\n",
                   sec->reducedPhysBits);
    if (sec->havePolicy && sec->type == CONF_LAUNCH_SECURITY_SEV)
        confBufAdd(child, "<policy>0x%04llx</policy>\n", sec->policy);
    else if (sec->havePolicy)
        confBufAdd(child, "<policy>0x%08llx</policy>\n", sec->policy);
    if (sec->haveHandle)
        confBufAdd(child, "<handle>%u</handle>\n", sec->handle);
    confLaunchSecurityText(child, "dhCert", sec->dhCert);
    confLaunchSecurityText(child, "session", sec->session);
    confLaunchSecurityText(child, "guestVisibleWorkarounds",
                           sec->guestVisibleWorkarounds);
    confLaunchSecurityText(child, "idBlock", sec->idBlock);
    confLaunchSecurityText(child, "idAuth", sec->idAuth);
    confLaunchSecurityText(child, "hostData", sec->hostData);
}

static void
confLaunchSecurityTDXFormat(confBuf *child, const confLaunchSecurity *sec)
{
    if (sec->havePolicy)
        confBufAdd(child, "<policy>0x%08llx</policy>\n", sec->policy);
    confLaunchSecurityText(child, "mrConfigId", sec->mrConfigId);
    confLaunchSecurityText(child, "mrOwner", sec->mrOwner);
    confLaunchSecurityText(child, "mrOwnerConfig", sec->mrOwnerConfig);
    if (sec->haveQGS && sec->qgsPath)
        confBufEscape(child, "<quoteGenerationService path='%s'/>\n",
                      sec->qgsPath);
    else if (sec->haveQGS)
        confBufAdd(child, "<quoteGenerationService/>\n");
}

/**
 * confLaunchSecurityFormat:
 * @buf: the output
 * @sec: the definition, or NULL
 *
 * Appends <launchSecurity> with libvirt's attribute and child order.
 */
void
confLaunchSecurityFormat(confBuf *buf, const confLaunchSecurity *sec)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };

    if (!sec)
        return;
    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confLaunchSecurityAttrs(&attrs, sec);
    if (sec->type == CONF_LAUNCH_SECURITY_TDX)
        confLaunchSecurityTDXFormat(&child, sec);
    else
        confLaunchSecuritySEVFormat(&child, sec);
    confXMLFormatElement(buf, "launchSecurity", &attrs, &child);
}
