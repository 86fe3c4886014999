/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#define VGM_VALIDATEPRIV_H_ALLOW
#include "tools/validatepriv.h"
#include "util/i18n.h"

/*
 * The checks of a QEMU binary (virt-gmem-validate --qemu PATH), from its
 * probed capabilities (driver/qemucaps.c: decided from the QAPI schema,
 * QOM and trace events, never from the version, which appears only in
 * the reasons).  Every missing feature is a WARN: it rules out a class
 * of guests or a feature, not guest_memfd guests as a whole.
 */

#define TOOL_QEMU_VERSION_FMT "%u.%u.%u"
#define TOOL_QEMU_VERSION_ARGS(v) (v) / 1000000, (v) / 1000 % 1000, (v) % 1000

static bool
toolQemuHas(const toolValidateCtx *ctx, drvQemuCapsFlag flag)
{
    return drvQemuCapsHas(ctx->qemu, flag);
}

/* "QEMU 7.2.22" for the reasons. */
static char *
toolQemuName(const toolValidateCtx *ctx)
{
    unsigned int v = drvQemuCapsGetVersion(ctx->qemu);

    return g_strdup_printf("QEMU " TOOL_QEMU_VERSION_FMT,
                           TOOL_QEMU_VERSION_ARGS(v));
}

/**
 * toolCheckQemuGmem:
 * @ctx: the checks' data; @ctx->qemu is set
 * @out: set to WARN when the QEMU lacks a guest_memfd memory backend in either proposed form
 */
void
toolCheckQemuGmem(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    g_autofree char *qemu = NULL;

    if (toolQemuHas(ctx, DRV_QEMU_CAPS_MEMORY_BACKEND_GUEST_MEMFD) ||
        toolQemuHas(ctx, DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_GUEST_MEMFD))
        return;
    qemu = toolQemuName(ctx);
    toolCheckSet(out, TOOL_VALIDATE_WARN,
                 _("Use a QEMU with one of the guest_memfd memory backend proposals merged (no release has one yet); confidential guests still run with separate shared memory."),
                 _("%1$s has no guest_memfd memory backend: neither the object 'memory-backend-guest-memfd' nor the property 'guest-memfd' of 'memory-backend-memfd'"),
                 qemu);
}

/**
 * toolCheckQemuConvertInPlace:
 * @ctx: the checks' data; @ctx->qemu is set
 * @out: set to WARN when the QEMU lacks the confidential guest objects' convert-in-place property
 */
void
toolCheckQemuConvertInPlace(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    g_autofree char *qemu = NULL;

    if (toolQemuHas(ctx, DRV_QEMU_CAPS_CGS_CONVERT_IN_PLACE))
        return;
    qemu = toolQemuName(ctx);
    toolCheckSet(out, TOOL_VALIDATE_WARN,
                 _("Use a QEMU with the guest_memfd in-place conversion patches; confidential guests then keep shared and private memory apart."),
                 _("%1$s cannot convert guest memory in place: its confidential guest objects have no 'convert-in-place' property"),
                 qemu);
}

/**
 * toolCheckQemuSevSnp:
 * @ctx: the checks' data; @ctx->qemu is set
 * @out: set to WARN when the QEMU lacks the sev-snp-guest object
 */
void
toolCheckQemuSevSnp(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    g_autofree char *qemu = NULL;

    if (toolQemuHas(ctx, DRV_QEMU_CAPS_SEV_SNP_GUEST))
        return;
    qemu = toolQemuName(ctx);
    toolCheckSet(out, TOOL_VALIDATE_WARN,
                 _("Use QEMU 9.1 or newer for SEV-SNP guests; nothing to change if this host runs none."),
                 _("%1$s has no 'sev-snp-guest' object: it cannot run SEV-SNP guests"),
                 qemu);
}

/**
 * toolCheckQemuTdx:
 * @ctx: the checks' data; @ctx->qemu is set
 * @out: set to WARN when the QEMU lacks the tdx-guest object
 */
void
toolCheckQemuTdx(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    g_autofree char *qemu = NULL;

    if (toolQemuHas(ctx, DRV_QEMU_CAPS_TDX_GUEST))
        return;
    qemu = toolQemuName(ctx);
    toolCheckSet(out, TOOL_VALIDATE_WARN,
                 _("Use QEMU 10.1 or newer for TDX guests; nothing to change if this host runs none."),
                 _("%1$s has no 'tdx-guest' object: it cannot run TDX guests"),
                 qemu);
}

/**
 * toolCheckQemuIommufd:
 * @ctx: the checks' data; @ctx->qemu is set
 * @out: set to WARN when the QEMU lacks the iommufd object and vfio-pci's iommufd property
 */
void
toolCheckQemuIommufd(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const char *hint = _("Use a newer QEMU built with iommufd support (10.0 has it).");
    g_autofree char *qemu = toolQemuName(ctx);

    if (!toolQemuHas(ctx, DRV_QEMU_CAPS_IOMMUFD)) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint,
                     _("%1$s has no 'iommufd' object: assigned devices cannot use iommufd, which confidential guests with VFIO devices need"),
                     qemu);
    } else if (!toolQemuHas(ctx, DRV_QEMU_CAPS_VFIO_PCI_IOMMUFD)) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint,
                     _("%1$s has an 'iommufd' object, but its 'vfio-pci' device has no 'iommufd' property"),
                     qemu);
    }
}

/**
 * toolCheckQemuRamBlockAttrs:
 * @ctx: the checks' data; @ctx->qemu is set
 * @out: set to WARN when the QEMU lacks RAM block attributes (shared device assignment)
 */
void
toolCheckQemuRamBlockAttrs(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    g_autofree char *qemu = NULL;

    if (toolQemuHas(ctx, DRV_QEMU_CAPS_RAM_BLOCK_ATTRIBUTES))
        return;
    qemu = toolQemuName(ctx);
    toolCheckSet(out, TOOL_VALIDATE_WARN,
                 _("Use QEMU 10.1 or newer to assign devices to confidential guests."),
                 _("%1$s does not track shared and private memory for devices (no RAM block attributes): VFIO devices cannot be assigned to confidential guests"),
                 qemu);
}

/* The names of the missing conversion trace pieces, comma-separated. */
static char *
toolQemuMissingTrace(const toolValidateCtx *ctx)
{
    g_autoptr(GPtrArray) missing = g_ptr_array_new();

    if (!toolQemuHas(ctx, DRV_QEMU_CAPS_TRACE_KVM_CONVERT_MEMORY))
        g_ptr_array_add(missing, (gpointer)"kvm_convert_memory");
    if (!toolQemuHas(ctx,
                     DRV_QEMU_CAPS_TRACE_RAM_BLOCK_ATTRIBUTES_STATE_CHANGE))
        g_ptr_array_add(missing, (gpointer)"ram_block_attributes_state_change");
    if (!toolQemuHas(ctx, DRV_QEMU_CAPS_TRACE_EVENT_SET_STATE))
        g_ptr_array_add(missing, (gpointer)"trace-event-set-state");
    if (missing->len == 0)
        return NULL;
    g_ptr_array_add(missing, NULL);
    return g_strjoinv("', '", (char **)missing->pdata);
}

/**
 * toolCheckQemuTrace:
 * @ctx: the checks' data; @ctx->qemu is set
 * @out: set to WARN when the QEMU lacks the two conversion trace events and trace-event-set-state
 */
void
toolCheckQemuTrace(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    g_autofree char *missing = toolQemuMissingTrace(ctx);
    g_autofree char *qemu = NULL;

    if (!missing)
        return;
    qemu = toolQemuName(ctx);
    toolCheckSet(out, TOOL_VALIDATE_WARN,
                 _("Use QEMU 10.1 or newer, built with a trace backend; until then shared and private memory of guests are not reported."),
                 _("%1$s lacks what conversion tracking needs: '%2$s'"),
                 qemu, missing);
}

/**
 * toolCheckQemuPostcopy:
 * @ctx: the checks' data; @ctx->qemu is set
 * @out: set to WARN when the QEMU lacks the postcopy-ram migration capability
 */
void
toolCheckQemuPostcopy(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    g_autofree char *qemu = NULL;

    if (toolQemuHas(ctx, DRV_QEMU_CAPS_MIGRATE_POSTCOPY_RAM))
        return;
    qemu = toolQemuName(ctx);
    toolCheckSet(out, TOOL_VALIDATE_WARN,
                 _("Use a QEMU built with post-copy migration support."),
                 _("%1$s has no 'postcopy-ram' migration capability: post-copy migration is not possible"),
                 qemu);
}
