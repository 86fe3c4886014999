/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VGM_HOSTPRIV_H_ALLOW
#include "driver/hostpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Host probing: the real ops table, the sysfs/procfs facts (SEV, TDX,
 * VFIO, hugepages, the KVM vendor module) and the top-level probe.  The
 * KVM ioctls are in hostkvm.c, userfaultfd in hostuffd.c, the text
 * dump in hostformat.c.
 */

static int
drvHostRealOpen(const char *path, int flags)
{
    return open(path, flags);
}

static int
drvHostRealIoctl(int fd, unsigned long request, uintptr_t arg)
{
    return ioctl(fd, request, arg);
}

static void *
drvHostRealMmap(size_t length, int prot, int flags, int fd)
{
    return mmap(NULL, length, prot, flags, fd, 0);
}

static int
drvHostRealUserfaultfd(int flags)
{
    return syscall(SYS_userfaultfd, flags);
}

static char *
drvHostRealReadFile(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &error)) {
        errno = error->domain == G_FILE_ERROR &&
                error->code == G_FILE_ERROR_NOENT ? ENOENT : EIO;
        return NULL;
    }
    return data;
}

static char **
drvHostRealListDir(const char *path)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    if (!(dir = g_dir_open(path, 0, NULL))) {
        errno = ENOENT;
        return NULL;
    }
    while ((name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

const drvHostOps drvHostOpsReal = {
    .open = drvHostRealOpen,
    .ioctl = drvHostRealIoctl,
    .mmap = drvHostRealMmap,
    .munmap = munmap,
    .ftruncate = ftruncate,
    .memfdCreate = memfd_create,
    .userfaultfd = drvHostRealUserfaultfd,
    .readFile = drvHostRealReadFile,
    .listDir = drvHostRealListDir,
    .stat = stat,
    .uname = uname,
    .sysconf = sysconf,
};

/**
 * drvHostStepSet:
 * @step: the step to record
 * @ret: what the call returned; on < 0, errno is read
 *
 * Record the outcome of one probe call.  Call it right after the call,
 * before anything can change errno.
 */
void
drvHostStepSet(drvHostStep *step, int ret)
{
    if (ret < 0) {
        step->state = DRV_HOST_STEP_FAILED;
        step->err = errno;
    } else {
        step->state = DRV_HOST_STEP_OK;
        step->err = 0;
    }
}

/**
 * drvHostPathExists:
 * @ops: host access
 * @path: a device node, file or directory
 *
 * Returns: whether stat() finds @path.
 */
bool
drvHostPathExists(const drvHostOps *ops, const char *path)
{
    struct stat st;

    return ops->stat(path, &st) == 0;
}

/**
 * drvHostReadNumber:
 * @ops: host access
 * @path: a sysfs or procfs file
 *
 * Returns: the non-negative integer the file starts with, or
 * DRV_HOST_UNKNOWN when it is missing or holds something else.
 */
long long
drvHostReadNumber(const drvHostOps *ops, const char *path)
{
    g_autofree char *data = ops->readFile(path);
    char *end = NULL;
    long long val;

    if (!data)
        return DRV_HOST_UNKNOWN;
    errno = 0;
    val = strtoll(data, &end, 10);
    if (errno != 0 || end == data || val < 0)
        return DRV_HOST_UNKNOWN;
    return val;
}

/* A module's bool parameter ("Y"/"N", "1"/"0"); ABSENT without file. */
static vgmTristateBool
drvHostReadBoolParam(const drvHostOps *ops, const char *module,
                     const char *param)
{
    g_autofree char *path = g_strdup_printf("/sys/module/%s/parameters/%s",
                                            module, param);
    g_autofree char *data = ops->readFile(path);

    if (!data)
        return VGM_TRISTATE_BOOL_ABSENT;
    g_strstrip(data);
    if (strcmp(data, "Y") == 0 || strcmp(data, "1") == 0)
        return VGM_TRISTATE_BOOL_YES;
    return VGM_TRISTATE_BOOL_NO;
}

/* kvm_intel or kvm_amd, else the first other kvm_* module. */
static char *
drvHostProbeKvmModule(const drvHostOps *ops)
{
    g_auto(GStrv) names = ops->listDir("/sys/module");
    size_t i;

    if (!names)
        return NULL;
    if (g_strv_contains((const char *const *)names, "kvm_intel"))
        return g_strdup("kvm_intel");
    if (g_strv_contains((const char *const *)names, "kvm_amd"))
        return g_strdup("kvm_amd");
    for (i = 0; names[i]; i++) {
        if (g_str_has_prefix(names[i], "kvm_"))
            return g_strdup(names[i]);
    }
    return NULL;
}

static void
drvHostProbeConfidential(const drvHostOps *ops, drvHostCaps *caps)
{
    caps->sevDevice = drvHostPathExists(ops, "/dev/sev");
    caps->sevParam = drvHostReadBoolParam(ops, "kvm_amd", "sev");
    caps->sevEsParam = drvHostReadBoolParam(ops, "kvm_amd", "sev_es");
    caps->sevSnpParam = drvHostReadBoolParam(ops, "kvm_amd", "sev_snp");
    caps->tdxParam = drvHostReadBoolParam(ops, "kvm_intel", "tdx");
}

static void
drvHostProbeDevAssign(const drvHostOps *ops, drvHostCaps *caps)
{
    g_auto(GStrv) groups = NULL;

    caps->vfioDevice = drvHostPathExists(ops, "/dev/vfio/vfio");
    caps->iommufdDevice = drvHostPathExists(ops, "/dev/iommu");
    groups = ops->listDir("/sys/kernel/iommu_groups");
    caps->iommuGroups = groups ? g_strv_length(groups) : DRV_HOST_UNKNOWN;
    caps->vfioDmaEntryLimit = drvHostReadNumber(ops,
        "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit");
}

/* hugepages-2048kB -> 2048 */
static unsigned long long
drvHostHugepageSize(const char *name)
{
    const char *num = name + strlen("hugepages-");
    char *end = NULL;
    unsigned long long val;

    if (!g_str_has_prefix(name, "hugepages-"))
        return 0;
    val = g_ascii_strtoull(num, &end, 10);
    if (end == num || strcmp(end, "kB") != 0)
        return 0;
    return val;
}

static gint
drvHostHugepagesCompare(gconstpointer a, gconstpointer b)
{
    const drvHostHugepages *ha = a;
    const drvHostHugepages *hb = b;

    return ha->sizeKiB < hb->sizeKiB ? -1 : ha->sizeKiB > hb->sizeKiB;
}

static void
drvHostProbeHugepages(const drvHostOps *ops, drvHostCaps *caps)
{
    const char *base = "/sys/kernel/mm/hugepages";
    g_auto(GStrv) names = ops->listDir(base);
    g_autoptr(GArray) sizes = g_array_new(FALSE, TRUE,
                                          sizeof(drvHostHugepages));
    size_t i;

    for (i = 0; names && names[i]; i++) {
        drvHostHugepages hp = { .sizeKiB = drvHostHugepageSize(names[i]) };
        g_autofree char *total = NULL;
        g_autofree char *freePath = NULL;

        if (hp.sizeKiB == 0)
            continue;
        total = g_strdup_printf("%s/%s/nr_hugepages", base, names[i]);
        freePath = g_strdup_printf("%s/%s/free_hugepages", base, names[i]);
        hp.total = drvHostReadNumber(ops, total);
        hp.free = drvHostReadNumber(ops, freePath);
        g_array_append_val(sizes, hp);
    }
    g_array_sort(sizes, drvHostHugepagesCompare);
    caps->hugepages = g_array_steal(sizes, &caps->nhugepages);
}

/* "MemTotal:  16384 kB" in /proc/meminfo */
static long long
drvHostProbeMemory(const drvHostOps *ops)
{
    g_autofree char *data = ops->readFile("/proc/meminfo");
    const char *line;

    if (!data || !(line = strstr(data, "MemTotal:")))
        return DRV_HOST_UNKNOWN;
    return g_ascii_strtoll(line + strlen("MemTotal:"), NULL, 10);
}

static int
drvHostProbeUname(const drvHostOps *ops, drvHostCaps *caps, GError **error)
{
    struct utsname uts;
    long cpus;

    if (ops->uname(&uts) < 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot get the kernel release: %1$s"),
                    g_strerror(errno));
        return -1;
    }
    caps->kernelRelease = g_strdup(uts.release);
    caps->arch = g_strdup(uts.machine);
    cpus = ops->sysconf(_SC_NPROCESSORS_ONLN);
    caps->cpus = cpus > 0 ? cpus : DRV_HOST_UNKNOWN;
    caps->memoryKiB = drvHostProbeMemory(ops);
    return 0;
}

static drvHostCaps *
drvHostCapsNew(void)
{
    drvHostCaps *caps = g_new0(drvHostCaps, 1);
    size_t i;

    caps->kvmApiVersion = DRV_HOST_UNKNOWN;
    caps->uffdUnprivileged = DRV_HOST_UNKNOWN;
    caps->iommuGroups = DRV_HOST_UNKNOWN;
    caps->vfioDmaEntryLimit = DRV_HOST_UNKNOWN;
    for (i = 0; i < DRV_HOST_KVM_CAP_LAST; i++) {
        caps->sysCaps[i] = DRV_HOST_UNKNOWN;
        caps->vmCaps[i] = DRV_HOST_UNKNOWN;
        caps->cocoVmCaps[i] = DRV_HOST_UNKNOWN;
    }
    return caps;
}

/**
 * drvHostCapsFree:
 * @caps: capabilities, or NULL
 *
 * Free @caps.
 */
void
drvHostCapsFree(drvHostCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->kernelRelease);
    g_free(caps->arch);
    g_free(caps->kvmModule);
    g_free(caps->hugepages);
    g_free(caps);
}

/**
 * drvHostCapsProbeOps:
 * @ops: host access (drvHostOpsReal, or a test's fake)
 * @error: return location for a GError
 *
 * Probe everything drvHostCaps describes.  What the host lacks is
 * recorded, not an error.
 *
 * Returns: the capabilities, or NULL with @error set when uname fails.
 */
drvHostCaps *
drvHostCapsProbeOps(const drvHostOps *ops, GError **error)
{
    g_autoptr(drvHostCaps) caps = drvHostCapsNew();

    if (drvHostProbeUname(ops, caps, error) < 0)
        return NULL;
    caps->kvmModule = drvHostProbeKvmModule(ops);
    drvHostUffdProbeBase(ops, caps);
    drvHostKvmProbe(ops, caps);
    drvHostProbeConfidential(ops, caps);
    drvHostProbeDevAssign(ops, caps);
    drvHostProbeHugepages(ops, caps);
    return g_steal_pointer(&caps);
}

/**
 * drvHostCapsProbe:
 * @error: return location for a GError
 *
 * Probe this host.  Creates a KVM VM, a guest_memfd and userfaultfds
 * for a moment; all of them are closed again.
 *
 * Returns: the capabilities, or NULL with @error set.
 */
drvHostCaps *
drvHostCapsProbe(GError **error)
{
    return drvHostCapsProbeOps(&drvHostOpsReal, error);
}

/**
 * drvHostCapsHasVMType:
 * @caps: probed capabilities
 * @type: a KVM VM type
 *
 * Returns: whether KVM_CAP_VM_TYPES offers @type.  The default type is
 * always there when a VM could be created.
 */
bool
drvHostCapsHasVMType(const drvHostCaps *caps, drvHostVMType type)
{
    long long mask = drvHostCapsKvmCap(caps, DRV_HOST_KVM_CAP_VM_TYPES);

    if (type == DRV_HOST_VM_TYPE_DEFAULT &&
        caps->vmCreate.state == DRV_HOST_STEP_OK)
        return true;
    return mask > 0 && (mask & (1LL << type));
}

/**
 * drvHostCapsKvmCap:
 * @caps: probed capabilities
 * @cap: a capability
 *
 * Returns: the value on the default VM's fd (as QEMU asks), else on
 * /dev/kvm, else DRV_HOST_UNKNOWN.
 */
long long
drvHostCapsKvmCap(const drvHostCaps *caps, drvHostKvmCap cap)
{
    long long vm = caps->vmCaps[cap];

    return vm != DRV_HOST_UNKNOWN ? vm : caps->sysCaps[cap];
}

/**
 * drvHostCapsPrivateMemory:
 * @caps: probed capabilities
 *
 * Whether KVM has KVM_MEMORY_ATTRIBUTE_PRIVATE where QEMU looks for it:
 * on the fd of a confidential VM.  Without one, /dev/kvm's answer.
 *
 * Returns: true when private memory is supported.
 */
bool
drvHostCapsPrivateMemory(const drvHostCaps *caps)
{
    drvHostKvmCap cap = DRV_HOST_KVM_CAP_MEMORY_ATTRIBUTES;
    long long attrs = caps->sysCaps[cap];

    if (caps->cocoVmCreate.state == DRV_HOST_STEP_OK)
        attrs = caps->cocoVmCaps[cap];
    return attrs > 0 && (attrs & DRV_HOST_MEMORY_ATTRIBUTE_PRIVATE);
}
