/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdarg.h>
#include <string.h>

#include "tools/validate.h"
#define VGM_VALIDATEPRIV_H_ALLOW
#include "tools/validatepriv.h"
#include "util/i18n.h"

/*
 * Severity policy: FAIL when no guest_memfd guest can run at all (no
 * usable KVM, no guest_memfd, a broken guest_memfd); WARN when a class
 * of guests or a feature is unavailable (confidential guests, SEV-SNP,
 * TDX, device assignment, post-copy, in-place conversion, hugepages).
 * Missing SEV-SNP or TDX hardware is a WARN whose hint says that nothing
 * needs to change on hosts that are not meant to run such guests.
 */

VGM_ENUM_IMPL(toolValidateResult, TOOL_VALIDATE_LAST, "PASS", "WARN", "FAIL");

typedef void (*toolCheckFunc)(const toolValidateCtx *ctx,
                              toolCheckOutcome *out);

typedef struct {
    const char *id;      /* stable, for --json */
    const char *prefix;  /* the subsystem, as virt-host-validate prints */
    const char *desc;    /* N_() */
    toolCheckFunc func;
    bool needsQemu;      /* a check of the --qemu binary */
} toolCheck;

/* The width the descriptions are padded to in the text output. */
#define TOOL_VALIDATE_DESC_WIDTH 56

/**
 * toolCheckSet:
 * @out: the outcome of a check
 * @result: WARN or FAIL
 * @hint: (nullable): translated advice
 * @fmt: the reason, printf-style
 *
 * Record a check's result other than PASS.
 */
void
toolCheckSet(toolCheckOutcome *out, toolValidateResult result,
             const char *hint, const char *fmt, ...)
{
    va_list ap;

    out->result = result;
    out->hint = hint;
    g_free(out->reason);
    va_start(ap, fmt);
    out->reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

static const char *
toolStepText(const drvHostStep *step)
{
    if (step->state == DRV_HOST_STEP_OK)
        return "ok";
    if (step->state == DRV_HOST_STEP_FAILED)
        return drvHostErrnoName(step->err);
    return _("not tried");
}

/* True (and @out set to @result) when KVM cannot even make a VM. */
static bool
toolCheckNoVM(const toolValidateCtx *ctx, toolValidateResult result,
              toolCheckOutcome *out)
{
    const drvHostCaps *host = ctx->host;
    const char *hint = _("Fix the KVM checks above first.");

    if (!host->kvmDevice || host->kvmOpen.state != DRV_HOST_STEP_OK) {
        toolCheckSet(out, result, hint, "%s", _("KVM is not available"));
        return true;
    }
    if (host->vmCreate.state != DRV_HOST_STEP_OK) {
        toolCheckSet(out, result, hint, _("KVM_CREATE_VM failed: %1$s"),
                     g_strerror(host->vmCreate.err));
        return true;
    }
    return false;
}

/* True (and @out set) when guest_memfd is missing. */
static bool
toolCheckNoGmem(const toolValidateCtx *ctx, toolValidateResult result,
                toolCheckOutcome *out)
{
    if (toolCheckNoVM(ctx, result, out))
        return true;
    if (drvHostCapsKvmCap(ctx->host, DRV_HOST_KVM_CAP_GUEST_MEMFD) <= 0) {
        toolCheckSet(out, result, _("Fix the guest_memfd check above first."),
                     "%s", _("guest_memfd is not available"));
        return true;
    }
    return false;
}

static void
toolCheckKvmDevice(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const drvHostCaps *host = ctx->host;

    if (!host->kvmDevice) {
        toolCheckSet(out, TOOL_VALIDATE_FAIL,
                     _("Enable virtualization in the firmware (or nested virtualization for a VM) "
                       "and load kvm_intel or kvm_amd."),
                     "%s", _("'/dev/kvm' does not exist"));
    } else if (host->kvmOpen.state != DRV_HOST_STEP_OK) {
        toolCheckSet(out, TOOL_VALIDATE_FAIL,
                     _("Run as root, or as a member of the group that owns '/dev/kvm'."),
                     _("cannot open '/dev/kvm': %1$s"),
                     g_strerror(host->kvmOpen.err));
    }
}

static void
toolCheckKvmApi(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const drvHostCaps *host = ctx->host;

    if (!host->kvmDevice || host->kvmOpen.state != DRV_HOST_STEP_OK) {
        toolCheckSet(out, TOOL_VALIDATE_FAIL,
                     _("Fix the KVM checks above first."),
                     "%s", _("KVM is not available"));
    } else if (host->kvmApiVersion != 12) {
        toolCheckSet(out, TOOL_VALIDATE_FAIL,
                     _("Use a kernel whose KVM has the stable API (version 12)."),
                     _("KVM API version is %1$lld, expected 12"),
                     host->kvmApiVersion);
    }
}

static void
toolCheckGmem(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const char *hint = _("Use Linux 6.8 or newer with guest_memfd enabled "
                         "(CONFIG_KVM_SW_PROTECTED_VM, CONFIG_KVM_AMD_SEV or "
                         "CONFIG_KVM_INTEL_TDX).");

    if (toolCheckNoVM(ctx, TOOL_VALIDATE_FAIL, out))
        return;
    if (drvHostCapsKvmCap(ctx->host, DRV_HOST_KVM_CAP_GUEST_MEMFD) <= 0) {
        toolCheckSet(out, TOOL_VALIDATE_FAIL, hint, "%s",
                     _("KVM does not support guest_memfd (KVM_CAP_GUEST_MEMFD)"));
    } else if (drvHostCapsKvmCap(ctx->host,
                                 DRV_HOST_KVM_CAP_USER_MEMORY2) <= 0) {
        toolCheckSet(out, TOOL_VALIDATE_FAIL, hint, "%s",
                     _("KVM lacks KVM_CAP_USER_MEMORY2, which guest_memfd memory slots need"));
    }
}

static void
toolCheckGmemMmap(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    long long flags;

    if (toolCheckNoGmem(ctx, TOOL_VALIDATE_WARN, out))
        return;
    flags = drvHostCapsKvmCap(ctx->host, DRV_HOST_KVM_CAP_GUEST_MEMFD_FLAGS);
    if (flags <= 0 || !(flags & DRV_HOST_GMEM_FLAG_MMAP)) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Use Linux 6.18 or newer."), "%s",
                     _("guest_memfd cannot be mapped by the host (no GUEST_MEMFD_FLAG_MMAP): "
                       "guests with a guest-memfd memory backend cannot run, confidential guests "
                       "still can"));
    }
}

static void
toolCheckGmemInitShared(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    long long flags;

    if (toolCheckNoGmem(ctx, TOOL_VALIDATE_WARN, out))
        return;
    flags = drvHostCapsKvmCap(ctx->host, DRV_HOST_KVM_CAP_GUEST_MEMFD_FLAGS);
    if (flags <= 0 || !(flags & DRV_HOST_GMEM_FLAG_INIT_SHARED)) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Use Linux 6.18 or newer."), "%s",
                     _("guest_memfd memory cannot start out shared (no "
                       "GUEST_MEMFD_FLAG_INIT_SHARED): non-confidential guests cannot use "
                       "guest_memfd as their RAM"));
    }
}

static void
toolCheckGmemTest(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const drvHostCaps *host = ctx->host;
    const char *hint = _("Check the kernel log (dmesg) for KVM errors.");

    if (toolCheckNoGmem(ctx, TOOL_VALIDATE_FAIL, out))
        return;
    if (host->gmemCreate.state != DRV_HOST_STEP_OK) {
        toolCheckSet(out, TOOL_VALIDATE_FAIL, hint,
                     _("KVM_CREATE_GUEST_MEMFD failed: %1$s"),
                     g_strerror(host->gmemCreate.err));
    } else if (host->gmemMmap.state == DRV_HOST_STEP_FAILED) {
        toolCheckSet(out, TOOL_VALIDATE_FAIL, hint,
                     _("mmap of a guest_memfd failed: %1$s"),
                     g_strerror(host->gmemMmap.err));
    } else if (host->gmemAccess.state == DRV_HOST_STEP_FAILED) {
        toolCheckSet(out, TOOL_VALIDATE_FAIL, hint, "%s",
                     _("data written to a guest_memfd mapping did not read back"));
    }
}

static void
toolCheckMemAttrs(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    if (toolCheckNoVM(ctx, TOOL_VALIDATE_WARN, out))
        return;
    if (!drvHostCapsPrivateMemory(ctx->host)) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Enable SEV-SNP (kvm_amd sev_snp=1) or TDX (kvm_intel tdx=1) if this "
                       "host should run confidential guests; nothing to change otherwise."),
                     "%s",
                     _("KVM has no private memory attribute (KVM_MEMORY_ATTRIBUTE_PRIVATE): "
                       "confidential guests cannot run on this host"));
    }
}

static void
toolCheckVMTypes(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const char *hint = _("Enable SEV-SNP or TDX if this host should run confidential guests; "
                         "nothing to change otherwise.");
    int t;

    if (toolCheckNoVM(ctx, TOOL_VALIDATE_WARN, out))
        return;
    for (t = DRV_HOST_VM_TYPE_SW_PROTECTED; t < DRV_HOST_VM_TYPE_LAST; t++) {
        if (drvHostCapsHasVMType(ctx->host, t))
            return;
    }
    if (drvHostCapsKvmCap(ctx->host, DRV_HOST_KVM_CAP_VM_TYPES) <= 0) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                     _("KVM does not report VM types (KVM_CAP_VM_TYPES): no confidential VMs"));
        return;
    }
    toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                 _("KVM offers only the default VM type: no confidential VMs"));
}

/* The reason for SEV-SNP or TDX when the KVM module is not @want. */
static void
toolCheckSetWrongModule(toolCheckOutcome *out, const char *hint,
                        const drvHostCaps *host, const char *want)
{
    if (!host->kvmModule) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint,
                     _("not available: no KVM vendor module is loaded, %1$s is needed"),
                     want);
        return;
    }
    toolCheckSet(out, TOOL_VALIDATE_WARN, hint,
                 _("not available: this host's KVM module is '%1$s', not %2$s"),
                 host->kvmModule, want);
}

static void
toolCheckSevSnp(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const drvHostCaps *host = ctx->host;
    const char *hint = _("Enable SEV-SNP in the firmware and load kvm_amd with sev_snp=1; nothing "
                         "to change on hosts without AMD SEV-SNP.");

    if (drvHostCapsHasVMType(host, DRV_HOST_VM_TYPE_SNP)) {
        if (!host->sevDevice) {
            toolCheckSet(out, TOOL_VALIDATE_WARN,
                         _("Load the ccp module, which provides '/dev/sev'."),
                         "%s", _("'/dev/sev' does not exist: QEMU cannot launch SEV-SNP guests"));
        }
    } else if (g_strcmp0(host->kvmModule, "kvm_amd") != 0) {
        toolCheckSetWrongModule(out, hint, host, "kvm_amd");
    } else if (host->sevSnpParam == VGM_TRISTATE_BOOL_ABSENT) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Use a kernel built with CONFIG_KVM_AMD_SEV."), "%s",
                     _("kvm_amd has no SEV-SNP support (no 'sev_snp' parameter)"));
    } else if (host->sevSnpParam == VGM_TRISTATE_BOOL_NO) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                     _("kvm_amd has SEV-SNP disabled (sev_snp=N)"));
    } else {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                     _("KVM does not offer the SEV-SNP VM type (KVM_CAP_VM_TYPES)"));
    }
}

static void
toolCheckTdx(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const drvHostCaps *host = ctx->host;
    const char *hint = _("Enable TDX in the firmware and load kvm_intel with tdx=1; nothing to "
                         "change on hosts without Intel TDX.");

    if (drvHostCapsHasVMType(host, DRV_HOST_VM_TYPE_TDX)) {
        if (drvHostCapsKvmCap(host,
                              DRV_HOST_KVM_CAP_X86_APIC_BUS_CYCLES_NS) <= 0) {
            toolCheckSet(out, TOOL_VALIDATE_WARN,
                         _("Use a newer kernel."), "%s",
                         _("KVM lacks KVM_CAP_X86_APIC_BUS_CYCLES_NS, which QEMU needs for TDX "
                           "guests"));
        }
    } else if (g_strcmp0(host->kvmModule, "kvm_intel") != 0) {
        toolCheckSetWrongModule(out, hint, host, "kvm_intel");
    } else if (host->tdxParam == VGM_TRISTATE_BOOL_ABSENT) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Use a kernel built with CONFIG_KVM_INTEL_TDX."), "%s",
                     _("kvm_intel has no TDX support (no 'tdx' parameter)"));
    } else if (host->tdxParam == VGM_TRISTATE_BOOL_NO) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                     _("kvm_intel has TDX disabled (tdx=N)"));
    } else {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                     _("KVM does not offer the TDX VM type (KVM_CAP_VM_TYPES)"));
    }
}

static void
toolCheckVfio(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    if (!ctx->host->vfioDevice) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Load the vfio-pci module (modprobe vfio-pci)."), "%s",
                     _("'/dev/vfio/vfio' does not exist: PCI devices cannot be assigned through "
                       "legacy VFIO"));
    }
}

static void
toolCheckIommufd(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    if (!ctx->host->iommufdDevice) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Load the iommufd module (CONFIG_IOMMUFD) and use a kernel with "
                       "CONFIG_VFIO_DEVICE_CDEV."),
                     "%s",
                     _("'/dev/iommu' does not exist: assigned devices cannot use iommufd, which "
                       "confidential guests with VFIO devices need"));
    }
}

static void
toolCheckIommuGroups(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const char *hint = _("Enable VT-d or AMD-Vi in the firmware and boot with intel_iommu=on or "
                         "amd_iommu=on.");

    if (ctx->host->iommuGroups == DRV_HOST_UNKNOWN) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                     _("'/sys/kernel/iommu_groups' does not exist: no device can be assigned"));
    } else if (ctx->host->iommuGroups == 0) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                     _("there are no IOMMU groups (the IOMMU is off or absent): no device can be "
                       "assigned"));
    }
}

static void
toolCheckUffd(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const drvHostCaps *host = ctx->host;

    if (host->uffdOpen.state != DRV_HOST_STEP_OK) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Use a kernel with CONFIG_USERFAULTFD, and run as root (or set "
                       "vm.unprivileged_userfaultfd=1, or give access to '/dev/userfaultfd')."),
                     _("post-copy migration is not possible on this host: cannot create a "
                       "userfaultfd (%1$s)"),
                     g_strerror(host->uffdOpen.err));
    } else if (host->uffdMemfdMissing.state != DRV_HOST_STEP_OK) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Use a kernel with userfaultfd support for shared memory "
                       "(CONFIG_USERFAULTFD, shmem)."),
                     _("post-copy migration is not possible on this host: userfaultfd cannot "
                       "register shared memory (%1$s)"),
                     toolStepText(&host->uffdMemfdMissing));
    }
}

static void
toolCheckUffdGmem(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    const drvHostCaps *host = ctx->host;
    const char *hint = _("Use a kernel whose userfaultfd supports guest_memfd (vm_uffd_ops); KVM "
                         "Userfault cannot be detected yet. Pre-copy migration still works.");

    if (host->uffdGmemMissing.state == DRV_HOST_STEP_OK)
        return;
    if (host->gmemMmap.state != DRV_HOST_STEP_OK) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                     _("guest_memfd post-copy migration is not possible on this host: there is no "
                       "guest_memfd mapping to register"));
    } else if (host->uffdOpen.state != DRV_HOST_STEP_OK) {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint, "%s",
                     _("guest_memfd post-copy migration is not possible on this host: userfaultfd "
                       "is not available"));
    } else {
        toolCheckSet(out, TOOL_VALIDATE_WARN, hint,
                     _("guest_memfd post-copy migration is not possible on this host: "
                       "UFFDIO_REGISTER on a guest_memfd mapping fails (MISSING: %1$s, MINOR: "
                       "%2$s)"),
                     toolStepText(&host->uffdGmemMissing),
                     toolStepText(&host->uffdGmemMinor));
    }
}

static void
toolCheckHugepages(const toolValidateCtx *ctx, toolCheckOutcome *out)
{
    if (ctx->host->nhugepages == 0) {
        toolCheckSet(out, TOOL_VALIDATE_WARN,
                     _("Use a kernel with CONFIG_HUGETLBFS."), "%s",
                     _("the kernel offers no hugepage sizes: guest memory cannot use hugepages"));
    }
}

/*
 * The checks, in output order: the host's, then those of the --qemu
 * binary (tools/validateqemu.c), which toolValidateReport() skips when
 * the ctx has no QEMU.
 */
static const toolCheck toolChecks[] = {
    { "kvm-device", "QEMU", N_("Checking if device '/dev/kvm' is usable"),
      toolCheckKvmDevice },
    { "kvm-api", "QEMU", N_("Checking for the KVM API version"),
      toolCheckKvmApi },
    { "guest-memfd", "QEMU", N_("Checking for guest_memfd (KVM_CAP_GUEST_MEMFD)"),
      toolCheckGmem },
    { "guest-memfd-mmap", "QEMU", N_("Checking for guest_memfd mmap (FLAG_MMAP)"),
      toolCheckGmemMmap },
    { "guest-memfd-init-shared", "QEMU",
      N_("Checking for guest_memfd shared init (INIT_SHARED)"),
      toolCheckGmemInitShared },
    { "guest-memfd-test", "QEMU",
      N_("Checking that a guest_memfd can be created and mapped"),
      toolCheckGmemTest },
    { "memory-attributes", "QEMU",
      N_("Checking for private memory (KVM_CAP_MEMORY_ATTRIBUTES)"),
      toolCheckMemAttrs },
    { "vm-types", "QEMU",
      N_("Checking for confidential VM types (KVM_CAP_VM_TYPES)"),
      toolCheckVMTypes },
    { "sev-snp", "QEMU", N_("Checking for AMD SEV-SNP"), toolCheckSevSnp },
    { "tdx", "QEMU", N_("Checking for Intel TDX"), toolCheckTdx },
    { "vfio", "QEMU", N_("Checking for VFIO ('/dev/vfio/vfio')"),
      toolCheckVfio },
    { "iommufd", "QEMU", N_("Checking for iommufd ('/dev/iommu')"),
      toolCheckIommufd },
    { "iommu-groups", "QEMU", N_("Checking for IOMMU groups"),
      toolCheckIommuGroups },
    { "userfaultfd", "QEMU", N_("Checking for userfaultfd"), toolCheckUffd },
    { "userfaultfd-guest-memfd", "QEMU",
      N_("Checking for userfaultfd on guest_memfd (MISSING/MINOR)"),
      toolCheckUffdGmem },
    { "hugepages", "QEMU", N_("Checking for hugepages"), toolCheckHugepages },
    { "qemu-guest-memfd", "QEMU",
      N_("Checking QEMU for a guest_memfd memory backend"),
      toolCheckQemuGmem, true },
    { "qemu-convert-in-place", "QEMU",
      N_("Checking QEMU for in-place conversion"),
      toolCheckQemuConvertInPlace, true },
    { "qemu-sev-snp", "QEMU", N_("Checking QEMU for SEV-SNP guests"),
      toolCheckQemuSevSnp, true },
    { "qemu-tdx", "QEMU", N_("Checking QEMU for TDX guests"),
      toolCheckQemuTdx, true },
    { "qemu-iommufd", "QEMU", N_("Checking QEMU for iommufd (vfio-pci)"),
      toolCheckQemuIommufd, true },
    { "qemu-ram-block-attributes", "QEMU",
      N_("Checking QEMU for RAM block attributes"),
      toolCheckQemuRamBlockAttrs, true },
    { "qemu-conversion-trace", "QEMU",
      N_("Checking QEMU for the conversion trace events"),
      toolCheckQemuTrace, true },
    { "qemu-postcopy", "QEMU", N_("Checking QEMU for post-copy migration"),
      toolCheckQemuPostcopy, true },
};

static void
toolValidateFormatText(GString *out, const toolCheck *check,
                       const toolCheckOutcome *res)
{
    const char *desc = _(check->desc);
    long pad = TOOL_VALIDATE_DESC_WIDTH - (long)g_utf8_strlen(desc, -1);

    g_string_append_printf(out, "%6s: %s%*s: %s", check->prefix, desc,
                           (int)MAX(pad, 0), "",
                           toolValidateResultToString(res->result));
    if (res->result == TOOL_VALIDATE_PASS) {
        g_string_append_c(out, '\n');
        return;
    }
    g_string_append_printf(out, " (%s)\n", res->reason);
    if (res->hint)
        g_string_append_printf(out, "%8s%s %s\n", "", _("Hint:"), res->hint);
}

static void
toolJSONString(GString *out, const char *str)
{
    const char *p;

    if (!str) {
        g_string_append(out, "null");
        return;
    }
    g_string_append_c(out, '"');
    for (p = str; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            g_string_append_printf(out, "\\u%04x", (unsigned char)*p);
        else
            g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

static void
toolValidateFormatJSON(GString *out, const toolCheck *check,
                       const toolCheckOutcome *res, bool last)
{
    g_string_append(out, "  {\"check\": ");
    toolJSONString(out, check->id);
    g_string_append(out, ", \"description\": ");
    toolJSONString(out, _(check->desc));
    g_string_append(out, ", \"result\": ");
    toolJSONString(out, toolValidateResultToString(res->result));
    g_string_append(out, ", \"reason\": ");
    toolJSONString(out, res->reason);
    g_string_append(out, ", \"hint\": ");
    toolJSONString(out, res->hint);
    g_string_append(out, last ? "}\n" : "},\n");
}

/**
 * toolValidateReport:
 * @ctx: what to check
 * @format: text (virt-host-validate style) or a JSON array
 * @out: the report is appended here
 *
 * Run every check on @ctx (those of a QEMU binary only when @ctx has
 * one).
 *
 * Returns: the exit status: TOOL_VALIDATE_EXIT_PASS when all checks
 * pass, _WARN when some only warn, _FAIL when one fails.
 */
int
toolValidateReport(const toolValidateCtx *ctx, toolValidateFormat format,
                   GString *out)
{
    toolValidateResult worst = TOOL_VALIDATE_PASS;
    size_t n = G_N_ELEMENTS(toolChecks);
    size_t i;

    /* the QEMU checks come last */
    while (!ctx->qemu && n > 0 && toolChecks[n - 1].needsQemu)
        n--;
    if (format == TOOL_VALIDATE_FORMAT_JSON)
        g_string_append(out, "[\n");
    for (i = 0; i < n; i++) {
        toolCheckOutcome res = { TOOL_VALIDATE_PASS, NULL, NULL };

        toolChecks[i].func(ctx, &res);
        worst = MAX(worst, res.result);
        if (format == TOOL_VALIDATE_FORMAT_JSON)
            toolValidateFormatJSON(out, &toolChecks[i], &res, i + 1 == n);
        else
            toolValidateFormatText(out, &toolChecks[i], &res);
        g_free(res.reason);
    }
    if (format == TOOL_VALIDATE_FORMAT_JSON)
        g_string_append(out, "]\n");
    if (worst == TOOL_VALIDATE_FAIL)
        return TOOL_VALIDATE_EXIT_FAIL;
    return worst == TOOL_VALIDATE_WARN ? TOOL_VALIDATE_EXIT_WARN :
                                         TOOL_VALIDATE_EXIT_PASS;
}
