/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <sys/stat.h>

#define VGM_HOSTPRIV_H_ALLOW
#include "driver/hostpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The text form of drvHostCaps: one "key=value" line per fact, in a
 * fixed order, for the capability cache, debugging and golden tests.
 * Values never depend on the locale (errno names, not strerror).
 */

static const struct {
    int err;
    const char *name;
} drvHostErrnoNames[] = {
    { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
    { ENXIO, "ENXIO" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
    { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
    { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
    { EINVAL, "EINVAL" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
    { ENOSPC, "ENOSPC" }, { ENOSYS, "ENOSYS" },
    { EOPNOTSUPP, "EOPNOTSUPP" },
};

/**
 * drvHostErrnoName:
 * @err: an errno value
 *
 * Returns: its symbolic name ("EINVAL"), or "errno N" for one we do not
 * name (in a per-thread buffer).
 */
const char *
drvHostErrnoName(int err)
{
    static _Thread_local char buf[32];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(drvHostErrnoNames); i++) {
        if (drvHostErrnoNames[i].err == err)
            return drvHostErrnoNames[i].name;
    }
    g_snprintf(buf, sizeof(buf), "errno %d", err);
    return buf;
}

static void
drvHostFormatStep(GString *buf, const char *key, const drvHostStep *step)
{
    const char *val = "not-run";

    if (step->state == DRV_HOST_STEP_OK)
        val = "ok";
    if (step->state == DRV_HOST_STEP_FAILED) {
        g_string_append_printf(buf, "%s=error:%s\n", key,
                               drvHostErrnoName(step->err));
        return;
    }
    g_string_append_printf(buf, "%s=%s\n", key, val);
}

static void
drvHostFormatNumber(GString *buf, const char *key, long long val)
{
    if (val == DRV_HOST_UNKNOWN)
        g_string_append_printf(buf, "%s=unknown\n", key);
    else
        g_string_append_printf(buf, "%s=%lld\n", key, val);
}

static void
drvHostFormatBool(GString *buf, const char *key, bool val)
{
    g_string_append_printf(buf, "%s=%s\n", key, val ? "yes" : "no");
}

static void
drvHostFormatTristate(GString *buf, const char *key, vgmTristateBool val)
{
    g_string_append_printf(buf, "%s=%s\n", key,
                           val == VGM_TRISTATE_BOOL_ABSENT ? "absent" :
                           vgmTristateBoolToString(val));
}

static void
drvHostFormatVMTypes(GString *buf, const drvHostCaps *caps)
{
    g_autoptr(GString) types = g_string_new(NULL);
    int t;

    for (t = 0; t < DRV_HOST_VM_TYPE_LAST; t++) {
        if (!drvHostCapsHasVMType(caps, t))
            continue;
        if (types->len)
            g_string_append_c(types, ',');
        g_string_append(types, drvHostVMTypeToString(t));
    }
    g_string_append_printf(buf, "kvm.vm-types=%s\n",
                           types->len ? types->str : "none");
}

static void
drvHostFormatGmemFlags(GString *buf, unsigned long long flags)
{
    const char *val = "none";

    if (flags == DRV_HOST_GMEM_FLAG_MMAP)
        val = "mmap";
    else if (flags == (DRV_HOST_GMEM_FLAG_MMAP |
                       DRV_HOST_GMEM_FLAG_INIT_SHARED))
        val = "mmap,init-shared";
    g_string_append_printf(buf, "gmem.flags=%s\n", val);
}

static void
drvHostFormatCocoVM(GString *buf, const drvHostCaps *caps)
{
    size_t i;

    if (caps->cocoVmType == DRV_HOST_VM_TYPE_DEFAULT) {
        g_string_append(buf, "kvm.coco-vm=none\n");
        return;
    }
    g_string_append_printf(buf, "kvm.coco-vm=%s\n",
                           drvHostVMTypeToString(caps->cocoVmType));
    drvHostFormatStep(buf, "kvm.coco-vm.create", &caps->cocoVmCreate);
    for (i = 0; i < DRV_HOST_KVM_CAP_LAST; i++) {
        g_autofree char *key = g_strdup_printf("kvm.coco-vm.%s",
                                               drvHostKvmCapToString(i));

        drvHostFormatNumber(buf, key, caps->cocoVmCaps[i]);
    }
}

static void
drvHostFormatKvm(GString *buf, const drvHostCaps *caps)
{
    size_t i;

    drvHostFormatBool(buf, "kvm.device", caps->kvmDevice);
    drvHostFormatStep(buf, "kvm.open", &caps->kvmOpen);
    drvHostFormatNumber(buf, "kvm.api-version", caps->kvmApiVersion);
    g_string_append_printf(buf, "kvm.module=%s\n",
                           caps->kvmModule ? caps->kvmModule : "none");
    drvHostFormatStep(buf, "kvm.vm-create", &caps->vmCreate);
    for (i = 0; i < DRV_HOST_KVM_CAP_LAST; i++) {
        g_autofree char *sys = g_strdup_printf("kvm.sys.%s",
                                               drvHostKvmCapToString(i));
        g_autofree char *vm = g_strdup_printf("kvm.vm.%s",
                                              drvHostKvmCapToString(i));

        drvHostFormatNumber(buf, sys, caps->sysCaps[i]);
        drvHostFormatNumber(buf, vm, caps->vmCaps[i]);
    }
    drvHostFormatVMTypes(buf, caps);
    drvHostFormatCocoVM(buf, caps);
    /* KVM Userfault (KVM_CAP_USERFAULT) is not merged upstream. */
    g_string_append(buf, "kvm.userfault=not-detectable\n");
    drvHostFormatGmemFlags(buf, caps->gmemFlags);
    drvHostFormatStep(buf, "gmem.create", &caps->gmemCreate);
    drvHostFormatStep(buf, "gmem.mmap", &caps->gmemMmap);
    drvHostFormatStep(buf, "gmem.access", &caps->gmemAccess);
}

static void
drvHostFormatUffd(GString *buf, const drvHostCaps *caps)
{
    drvHostFormatBool(buf, "uffd.device", caps->uffdDevice);
    drvHostFormatNumber(buf, "uffd.unprivileged", caps->uffdUnprivileged);
    g_string_append_printf(buf, "uffd.method=%s\n",
                           caps->uffdMethod ? caps->uffdMethod : "none");
    drvHostFormatStep(buf, "uffd.open", &caps->uffdOpen);
    g_string_append_printf(buf, "uffd.features=0x%llx\n",
                           caps->uffdFeatures);
    drvHostFormatStep(buf, "uffd.memfd-missing", &caps->uffdMemfdMissing);
    drvHostFormatStep(buf, "uffd.gmem-missing", &caps->uffdGmemMissing);
    drvHostFormatStep(buf, "uffd.gmem-minor", &caps->uffdGmemMinor);
}

static void
drvHostFormatPlatform(GString *buf, const drvHostCaps *caps)
{
    size_t i;

    drvHostFormatBool(buf, "sev.device", caps->sevDevice);
    drvHostFormatTristate(buf, "sev.kvm-amd.sev", caps->sevParam);
    drvHostFormatTristate(buf, "sev.kvm-amd.sev-es", caps->sevEsParam);
    drvHostFormatTristate(buf, "sev.kvm-amd.sev-snp", caps->sevSnpParam);
    drvHostFormatTristate(buf, "tdx.kvm-intel.tdx", caps->tdxParam);
    drvHostFormatBool(buf, "vfio.device", caps->vfioDevice);
    drvHostFormatBool(buf, "iommufd.device", caps->iommufdDevice);
    drvHostFormatNumber(buf, "iommu.groups", caps->iommuGroups);
    drvHostFormatNumber(buf, "vfio.dma-entry-limit", caps->vfioDmaEntryLimit);
    for (i = 0; i < caps->nhugepages; i++) {
        const drvHostHugepages *hp = &caps->hugepages[i];
        g_autofree char *key = g_strdup_printf("hugepages.%llukB",
                                               hp->sizeKiB);
        g_autofree char *total = g_strdup_printf("%s.total", key);
        g_autofree char *freeKey = g_strdup_printf("%s.free", key);

        drvHostFormatNumber(buf, total, hp->total);
        drvHostFormatNumber(buf, freeKey, hp->free);
    }
}

/**
 * drvHostCapsFormat:
 * @caps: probed capabilities
 *
 * Returns: the capabilities as "key=value" lines (g_free it).
 */
char *
drvHostCapsFormat(const drvHostCaps *caps)
{
    GString *buf = g_string_new(NULL);

    g_string_append_printf(buf, "host.kernel-release=%s\n",
                           caps->kernelRelease);
    g_string_append_printf(buf, "host.arch=%s\n", caps->arch);
    drvHostFormatNumber(buf, "host.cpus", caps->cpus);
    drvHostFormatNumber(buf, "host.memory-kib", caps->memoryKiB);
    drvHostFormatKvm(buf, caps);
    drvHostFormatUffd(buf, caps);
    drvHostFormatPlatform(buf, caps);
    return g_string_free(buf, FALSE);
}

static char *
drvHostFingerprintMake(const char *release, bool kvm)
{
    return g_strdup_printf("kernel=%s kvm=%s", release, kvm ? "yes" : "no");
}

/**
 * drvHostCapsFingerprint:
 * @caps: probed capabilities
 *
 * What a capability cache compares to decide whether @caps still
 * describe the host: the kernel release and whether /dev/kvm exists.
 * drvHostFingerprint() computes the same string without a probe.
 *
 * Returns: the fingerprint (g_free it).
 */
char *
drvHostCapsFingerprint(const drvHostCaps *caps)
{
    return drvHostFingerprintMake(caps->kernelRelease, caps->kvmDevice);
}

/**
 * drvHostFingerprintOps:
 * @ops: host access
 * @error: return location for a GError
 *
 * Returns: the current host's fingerprint (see drvHostCapsFingerprint),
 * or NULL with @error set when uname fails.
 */
char *
drvHostFingerprintOps(const drvHostOps *ops, GError **error)
{
    struct utsname uts;

    if (ops->uname(&uts) < 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot get the kernel release: %1$s"),
                    g_strerror(errno));
        return NULL;
    }
    return drvHostFingerprintMake(uts.release,
                                  drvHostPathExists(ops, "/dev/kvm"));
}

/**
 * drvHostFingerprint:
 * @error: return location for a GError
 *
 * Returns: this host's fingerprint, or NULL with @error set.
 */
char *
drvHostFingerprint(GError **error)
{
    return drvHostFingerprintOps(&drvHostOpsReal, error);
}
