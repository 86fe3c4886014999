/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_COMMANDPRIV_H_ALLOW
#include "conf/cpu.h"
#include "conf/launchsec.h"
#include "conf/memory.h"
#include "driver/commandpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * <launchSecurity>: the sev-guest, sev-snp-guest or tdx-guest object
 * (id lsec0, named by -machine confidential-guest-support=), emitted after
 * the devices like libvirt does, and what the QEMU, the host and the rest
 * of the domain must offer for it (libvirt-xml.md §3, qemu-facts.md §2).
 */

#define DRV_TDX_QGS_DEFAULT "/var/run/tdx-qgs/qgs.socket"

typedef struct {
    const char *qomType;
    drvQemuCapsFlag cap;
    drvHostVMType vmType;
} drvLaunchSecurityInfo;

static const drvLaunchSecurityInfo drvLaunchSecurityTable[] = {
    [CONF_LAUNCH_SECURITY_SEV] = { "sev-guest", DRV_QEMU_CAPS_SEV_GUEST,
                                   DRV_HOST_VM_TYPE_SEV },
    [CONF_LAUNCH_SECURITY_SEV_SNP] = { "sev-snp-guest",
                                       DRV_QEMU_CAPS_SEV_SNP_GUEST,
                                       DRV_HOST_VM_TYPE_SNP },
    [CONF_LAUNCH_SECURITY_TDX] = { "tdx-guest", DRV_QEMU_CAPS_TDX_GUEST,
                                   DRV_HOST_VM_TYPE_TDX },
};

static bool
drvHostHasLaunchSecurity(const drvHostCaps *host,
                         const drvLaunchSecurityInfo *info)
{
    if (drvHostCapsHasVMType(host, info->vmType))
        return true;
    /* an old kernel without KVM_CAP_VM_TYPES still runs SEV */
    return info->vmType == DRV_HOST_VM_TYPE_SEV && host->sevDevice &&
           host->sevParam == VGM_TRISTATE_BOOL_YES;
}

static int
drvValidateLaunchSecurityHost(const drvCommandCtx *ctx,
                              const confLaunchSecurity *sec, GError **error)
{
    const drvLaunchSecurityInfo *info = &drvLaunchSecurityTable[sec->type];

    if (ctx->def->virtType != CONF_DOMAIN_VIRT_KVM) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("launch security '%1$s' needs domain type 'kvm'"),
                    confLaunchSecurityToString(sec->type));
        return -1;
    }
    if (!ctx->host || drvHostHasLaunchSecurity(ctx->host, info))
        return 0;
    g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("launch security '%1$s' is not supported by this host: KVM does not offer the '%2$s' VM type"),
                confLaunchSecurityToString(sec->type),
                drvHostVMTypeToString(info->vmType));
    return -1;
}

static int
drvValidateLaunchSecurityProps(const drvCommandCtx *ctx,
                               const confLaunchSecurity *sec, GError **error)
{
    const char *type = drvLaunchSecurityTable[sec->type].qomType;
    g_autofree char *khPath = g_strdup_printf(
        "object-add/arg-type/+%s/kernel-hashes", type);
    g_autofree char *cipPath = g_strdup_printf(
        "object-add/arg-type/+%s/convert-in-place", type);

    if (sec->type != CONF_LAUNCH_SECURITY_TDX && !sec->haveReducedPhysBits) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("launch security '%1$s' needs '/domain/launchSecurity/reducedPhysBits': QEMU's '%2$s' requires it"),
                    confLaunchSecurityToString(sec->type), type);
        return -1;
    }
    if (sec->kernelHashes != VGM_TRISTATE_BOOL_ABSENT &&
        drvCommandRequireSchema(ctx, khPath, "'/domain/launchSecurity/@kernelHashes'",
                                error) < 0)
        return -1;
    if (sec->haveQGS &&
        drvCommandRequireCap(ctx, DRV_QEMU_CAPS_TDX_GUEST_QUOTE_GENERATION_SOCKET,
                             "'/domain/launchSecurity/quoteGenerationService'",
                             error) < 0)
        return -1;
    /* 'no' is QEMU's default: only 'yes' needs the property */
    if (sec->convertInPlace != VGM_TRISTATE_BOOL_YES)
        return 0;
    if (drvCommandRequireCap(ctx, DRV_QEMU_CAPS_CGS_CONVERT_IN_PLACE,
                             "'/domain/launchSecurity/@convertInPlace'",
                             error) < 0 ||
        drvCommandRequireSchema(ctx, cipPath,
                                "'/domain/launchSecurity/@convertInPlace'",
                                error) < 0)
        return -1;
    return 0;
}

static int
drvValidateConvertInPlace(const drvCommandCtx *ctx,
                          const confLaunchSecurity *sec, GError **error)
{
    const confMemoryBacking *mb = ctx->def->memoryBacking;

    if (sec->convertInPlace != VGM_TRISTATE_BOOL_YES ||
        (mb && mb->source == CONF_MEMORY_SOURCE_GUEST_MEMFD))
        return 0;
    g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                _("'/domain/launchSecurity/@convertInPlace' needs <memoryBacking><source type='guest-memfd'/></memoryBacking>"));
    return -1;
}

static int
drvValidateTDXMachine(const drvCommandCtx *ctx, GError **error)
{
    const confDomainDef *def = ctx->def;
    const char *why = NULL;

    if (!ctx->q35)
        why = _("a q35 machine type");
    else if (def->cpu && def->cpu->mode == CONF_CPU_MODE_CUSTOM)
        why = _("<cpu mode='host-passthrough'/> (QEMU refuses named CPU models for TDX)");
    else if (def->features.ioapic == CONF_DOMAIN_IOAPIC_KVM)
        why = _("a split irqchip, not <ioapic driver='kvm'/>");
    else if (def->os.loader && def->os.loader->type == CONF_DOMAIN_LOADER_TYPE_PFLASH)
        why = _("firmware loaded as ROM (<loader type='rom'>), not pflash");
    if (!why)
        return 0;
    g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("launch security 'tdx' needs %1$s"), why);
    return -1;
}

static int
drvValidateLaunchSecurityMachine(const drvCommandCtx *ctx,
                                 const confLaunchSecurity *sec,
                                 GError **error)
{
    if (sec->type != CONF_LAUNCH_SECURITY_SEV &&
        ctx->def->features.smm == VGM_TRISTATE_SWITCH_ON) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("launch security '%1$s' does not support SMM: remove <smm state='on'/>"),
                    confLaunchSecurityToString(sec->type));
        return -1;
    }
    if (sec->type == CONF_LAUNCH_SECURITY_TDX)
        return drvValidateTDXMachine(ctx, error);
    return 0;
}

/**
 * drvValidateLaunchSecurity:
 * @ctx: the build context
 * @error: return location for a GError
 *
 * What <launchSecurity> needs from this QEMU, the host and the machine.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvValidateLaunchSecurity(const drvCommandCtx *ctx, GError **error)
{
    const confLaunchSecurity *sec = ctx->def->launchSecurity;
    g_autofree char *what = NULL;

    if (!sec)
        return 0;
    what = g_strdup_printf(_("launch security '%1$s'"),
                           confLaunchSecurityToString(sec->type));
    if (drvCommandRequireCap(ctx, drvLaunchSecurityTable[sec->type].cap,
                             what, error) < 0 ||
        drvCommandRequireCap(ctx, DRV_QEMU_CAPS_MACHINE_CONFIDENTIAL_GUEST_SUPPORT,
                             what, error) < 0 ||
        drvValidateLaunchSecurityProps(ctx, sec, error) < 0 ||
        drvValidateConvertInPlace(ctx, sec, error) < 0 ||
        drvValidateLaunchSecurityMachine(ctx, sec, error) < 0 ||
        drvValidateLaunchSecurityHost(ctx, sec, error) < 0)
        return -1;
    return 0;
}

static int
drvBuildSEVCommonProps(qapiJSON **props, const confLaunchSecurity *sec,
                       GError **error)
{
    if (sec->haveCbitpos &&
        qapiJSONObjectAdd(props, error, "u:cbitpos", sec->cbitpos, NULL) < 0)
        return -1;
    if (sec->haveReducedPhysBits &&
        qapiJSONObjectAdd(props, error, "u:reduced-phys-bits",
                          sec->reducedPhysBits, NULL) < 0)
        return -1;
    if (sec->havePolicy &&
        qapiJSONObjectAdd(props, error, "U:policy", (guint64)sec->policy,
                          NULL) < 0)
        return -1;
    return 0;
}

static int
drvBuildSEVProps(drvCommand *cmd, qapiJSON **props,
                 const drvCommandCtx *ctx, const confLaunchSecurity *sec,
                 GError **error)
{
    g_autofree char *dhCert = NULL;
    g_autofree char *session = NULL;

    if (sec->dhCert) {
        dhCert = g_strdup_printf("%s/dh_cert.base64", ctx->config->libDir);
        if (cmd)
            drvCommandAddFile(cmd, dhCert, sec->dhCert);
    }
    if (sec->session) {
        session = g_strdup_printf("%s/session.base64", ctx->config->libDir);
        if (cmd)
            drvCommandAddFile(cmd, session, sec->session);
    }
    if (sec->haveHandle &&
        qapiJSONObjectAdd(props, error, "u:handle", sec->handle, NULL) < 0)
        return -1;
    return qapiJSONObjectAdd(props, error, "S:dh-cert-file", dhCert,
                             "S:session-file", session, NULL);
}

static vgmTristateBool
drvTristateNot(vgmTristateBool value)
{
    if (value == VGM_TRISTATE_BOOL_YES)
        return VGM_TRISTATE_BOOL_NO;
    if (value == VGM_TRISTATE_BOOL_NO)
        return VGM_TRISTATE_BOOL_YES;
    return VGM_TRISTATE_BOOL_ABSENT;
}

static int
drvBuildSEVSNPProps(qapiJSON **props, const confLaunchSecurity *sec,
                    GError **error)
{
    return qapiJSONObjectAdd(props, error,
                             "S:guest-visible-workarounds",
                             sec->guestVisibleWorkarounds,
                             "S:id-block", sec->idBlock,
                             "S:id-auth", sec->idAuth,
                             "S:host-data", sec->hostData,
                             "T:author-key-enabled", sec->authorKey,
                             "T:vcek-disabled", drvTristateNot(sec->vcek),
                             NULL);
}

static int
drvBuildTDXProps(qapiJSON **props, const confLaunchSecurity *sec,
                 GError **error)
{
    g_autoptr(qapiJSON) qgs = NULL;

    if (sec->havePolicy &&
        qapiJSONObjectAdd(props, error, "U:attributes", (guint64)sec->policy,
                          NULL) < 0)
        return -1;
    if (sec->haveQGS &&
        qapiJSONObjectAdd(&qgs, error, "s:type", "unix", "s:path",
                          sec->qgsPath ? sec->qgsPath : DRV_TDX_QGS_DEFAULT,
                          NULL) < 0)
        return -1;
    return qapiJSONObjectAdd(props, error,
                             "S:mrconfigid", sec->mrConfigId,
                             "S:mrowner", sec->mrOwner,
                             "S:mrownerconfig", sec->mrOwnerConfig,
                             "O:quote-generation-socket", &qgs, NULL);
}

/* convertInPlace='no' is said only to a QEMU that knows the property */
static vgmTristateBool
drvConvertInPlace(const drvCommandCtx *ctx, const confLaunchSecurity *sec)
{
    g_autofree char *path = g_strdup_printf(
        "object-add/arg-type/+%s/convert-in-place",
        drvLaunchSecurityTable[sec->type].qomType);

    if (sec->convertInPlace == VGM_TRISTATE_BOOL_NO &&
        !drvQemuCapsSchemaHas(ctx->caps, path))
        return VGM_TRISTATE_BOOL_ABSENT;
    return sec->convertInPlace;
}

static qapiJSON *
drvBuildLaunchSecurityPropsFull(drvCommand *cmd, const drvCommandCtx *ctx,
                                GError **error)
{
    const confLaunchSecurity *sec = ctx->def->launchSecurity;
    g_autoptr(qapiJSON) props = NULL;
    int rc = 0;

    if (qapiJSONObjectAdd(&props, error, "s:qom-type",
                          drvLaunchSecurityTable[sec->type].qomType,
                          "s:id", DRV_COMMAND_LSEC_ID, NULL) < 0)
        return NULL;
    if (sec->type == CONF_LAUNCH_SECURITY_TDX)
        rc = drvBuildTDXProps(&props, sec, error);
    else if (drvBuildSEVCommonProps(&props, sec, error) < 0)
        rc = -1;
    else if (sec->type == CONF_LAUNCH_SECURITY_SEV)
        rc = drvBuildSEVProps(cmd, &props, ctx, sec, error);
    else
        rc = drvBuildSEVSNPProps(&props, sec, error);
    if (rc < 0 ||
        qapiJSONObjectAdd(&props, error, "T:kernel-hashes", sec->kernelHashes,
                          "T:convert-in-place", drvConvertInPlace(ctx, sec),
                          NULL) < 0)
        return NULL;
    return g_steal_pointer(&props);
}

/**
 * drvBuildLaunchSecurityProps:
 * @ctx: the build context (with a <launchSecurity>)
 * @error: return location for a GError
 *
 * Returns: (transfer full): the lsec0 object's props, or NULL with
 * @error set.
 */
qapiJSON *
drvBuildLaunchSecurityProps(const drvCommandCtx *ctx, GError **error)
{
    return drvBuildLaunchSecurityPropsFull(NULL, ctx, error);
}

/**
 * drvBuildLaunchSecurityCommandLine:
 * @cmd: the command (gets the SEV session files to write)
 * @ctx: the build context
 * @error: return location for a GError
 *
 * The lsec0 object, after the devices as in libvirt.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildLaunchSecurityCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                                  GError **error)
{
    g_autoptr(qapiJSON) props = NULL;

    if (!ctx->def->launchSecurity)
        return 0;
    if (!(props = drvBuildLaunchSecurityPropsFull(cmd, ctx, error)))
        return -1;
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_OBJECT, &props);
    return 0;
}
