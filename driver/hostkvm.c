/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define VGM_HOSTPRIV_H_ALLOW
#include "driver/hostpriv.h"
#include "util/fd.h"

/*
 * The KVM part of the host probe: /dev/kvm, KVM_CHECK_EXTENSION on the
 * system and on a default VM, and a real guest_memfd create + mmap +
 * write/read test whose mapping is also offered to userfaultfd.
 */

G_STATIC_ASSERT(sizeof(drvHostGmemCreateArgs) == 64);
G_STATIC_ASSERT(KVM_CREATE_GUEST_MEMFD == 0xc040aed4UL);

VGM_ENUM_IMPL(drvHostKvmCap, DRV_HOST_KVM_CAP_LAST,
              "user-memory2",
              "memory-fault-info",
              "memory-attributes",
              "guest-memfd",
              "vm-types",
              "pre-fault-memory",
              "guest-memfd-flags",
              "split-irqchip",
              "x86-apic-bus-cycles-ns");

VGM_ENUM_IMPL(drvHostVMType, DRV_HOST_VM_TYPE_LAST,
              "default", "sw-protected", "sev", "sev-es", "snp", "tdx");

const unsigned int drvHostKvmCapNumbers[DRV_HOST_KVM_CAP_LAST] = {
    [DRV_HOST_KVM_CAP_USER_MEMORY2] = KVM_CAP_USER_MEMORY2,
    [DRV_HOST_KVM_CAP_MEMORY_FAULT_INFO] = KVM_CAP_MEMORY_FAULT_INFO,
    [DRV_HOST_KVM_CAP_MEMORY_ATTRIBUTES] = KVM_CAP_MEMORY_ATTRIBUTES,
    [DRV_HOST_KVM_CAP_GUEST_MEMFD] = KVM_CAP_GUEST_MEMFD,
    [DRV_HOST_KVM_CAP_VM_TYPES] = KVM_CAP_VM_TYPES,
    [DRV_HOST_KVM_CAP_PRE_FAULT_MEMORY] = KVM_CAP_PRE_FAULT_MEMORY,
    [DRV_HOST_KVM_CAP_GUEST_MEMFD_FLAGS] = KVM_CAP_GUEST_MEMFD_FLAGS,
    [DRV_HOST_KVM_CAP_SPLIT_IRQCHIP] = KVM_CAP_SPLIT_IRQCHIP,
    [DRV_HOST_KVM_CAP_X86_APIC_BUS_CYCLES_NS] = KVM_CAP_X86_APIC_BUS_CYCLES_NS,
};

static void
drvHostKvmCheckCaps(const drvHostOps *ops, int fd, long long *values)
{
    size_t i;

    for (i = 0; i < DRV_HOST_KVM_CAP_LAST; i++) {
        int ret = ops->ioctl(fd, KVM_CHECK_EXTENSION,
                             drvHostKvmCapNumbers[i]);

        values[i] = ret < 0 ? DRV_HOST_UNKNOWN : ret;
    }
}

/* The guest_memfd flags to test with: what the VM supports of ours. */
static unsigned long long
drvHostKvmGmemTestFlags(const drvHostCaps *caps)
{
    long long flags = drvHostCapsKvmCap(caps,
                                        DRV_HOST_KVM_CAP_GUEST_MEMFD_FLAGS);

    if (flags <= 0 || !(flags & DRV_HOST_GMEM_FLAG_MMAP))
        return 0;
    return flags & (DRV_HOST_GMEM_FLAG_MMAP | DRV_HOST_GMEM_FLAG_INIT_SHARED);
}

/*
 * Write a pattern into the mapping and read it back.  Only done on a
 * guest_memfd created INIT_SHARED: without it the pages start private
 * and touching them would be a SIGBUS.
 */
static void
drvHostKvmGmemAccess(unsigned char *mem, size_t len, drvHostStep *step)
{
    size_t i;

    for (i = 0; i < len; i += 4096)
        mem[i] = (unsigned char)(i / 4096 + 0x5a);
    for (i = 0; i < len; i += 4096) {
        if (mem[i] != (unsigned char)(i / 4096 + 0x5a)) {
            step->state = DRV_HOST_STEP_FAILED;
            step->err = EIO;
            return;
        }
    }
    step->state = DRV_HOST_STEP_OK;
}

static void
drvHostKvmGmemUffd(const drvHostOps *ops, void *mem, drvHostCaps *caps)
{
    if (caps->uffdOpen.state != DRV_HOST_STEP_OK)
        return;
    drvHostUffdProbeRange(ops, caps, mem, UFFDIO_REGISTER_MODE_MISSING,
                          &caps->uffdGmemMissing);
    drvHostUffdProbeRange(ops, caps, mem, UFFDIO_REGISTER_MODE_MINOR,
                          &caps->uffdGmemMinor);
}

static void
drvHostKvmGmemTest(const drvHostOps *ops, int vmfd, drvHostCaps *caps)
{
    drvHostGmemCreateArgs args = { 0 };
    VGM_AUTOCLOSE int gmemfd = -1;
    void *mem;

    if (drvHostCapsKvmCap(caps, DRV_HOST_KVM_CAP_GUEST_MEMFD) <= 0)
        return;
    caps->gmemFlags = drvHostKvmGmemTestFlags(caps);
    args.size = DRV_HOST_PROBE_MAP_SIZE;
    args.flags = caps->gmemFlags;
    gmemfd = ops->ioctl(vmfd, KVM_CREATE_GUEST_MEMFD, (uintptr_t)&args);
    drvHostStepSet(&caps->gmemCreate, gmemfd);
    if (gmemfd < 0 || !(caps->gmemFlags & DRV_HOST_GMEM_FLAG_MMAP))
        return;

    mem = ops->mmap(DRV_HOST_PROBE_MAP_SIZE, PROT_READ | PROT_WRITE,
                    MAP_SHARED, gmemfd);
    drvHostStepSet(&caps->gmemMmap, mem == MAP_FAILED ? -1 : 0);
    if (mem == MAP_FAILED)
        return;
    if (caps->gmemFlags & DRV_HOST_GMEM_FLAG_INIT_SHARED)
        drvHostKvmGmemAccess(mem, DRV_HOST_PROBE_MAP_SIZE, &caps->gmemAccess);
    drvHostKvmGmemUffd(ops, mem, caps);
    ops->munmap(mem, DRV_HOST_PROBE_MAP_SIZE);
}

/* Create a VM of the first confidential type offered, read its caps. */
static void
drvHostKvmProbeCocoVM(const drvHostOps *ops, int kvmfd, drvHostCaps *caps)
{
    static const drvHostVMType types[] = {
        DRV_HOST_VM_TYPE_SNP, DRV_HOST_VM_TYPE_TDX,
        DRV_HOST_VM_TYPE_SW_PROTECTED,
    };
    VGM_AUTOCLOSE int vmfd = -1;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(types); i++) {
        if (drvHostCapsHasVMType(caps, types[i]))
            break;
    }
    if (i == G_N_ELEMENTS(types))
        return;
    caps->cocoVmType = types[i];
    vmfd = ops->ioctl(kvmfd, KVM_CREATE_VM, types[i]);
    drvHostStepSet(&caps->cocoVmCreate, vmfd);
    if (vmfd < 0) {
        g_debug("KVM_CREATE_VM(%s) failed: %s",
                drvHostVMTypeToString(types[i]),
                g_strerror(caps->cocoVmCreate.err));
        return;
    }
    drvHostKvmCheckCaps(ops, vmfd, caps->cocoVmCaps);
}

static int
drvHostKvmOpen(const drvHostOps *ops, drvHostCaps *caps)
{
    int fd;

    caps->kvmDevice = drvHostPathExists(ops, "/dev/kvm");
    if (!caps->kvmDevice)
        return -1;
    fd = ops->open("/dev/kvm", O_RDWR | O_CLOEXEC);
    drvHostStepSet(&caps->kvmOpen, fd);
    if (fd < 0)
        g_debug("cannot open /dev/kvm: %s", g_strerror(caps->kvmOpen.err));
    return fd;
}

/**
 * drvHostKvmProbe:
 * @ops: host access
 * @caps: filled in
 *
 * Probe /dev/kvm, its capabilities and guest_memfd.  Also runs the
 * userfaultfd registration on the guest_memfd mapping, so
 * drvHostUffdProbeBase() must have run first.
 */
void
drvHostKvmProbe(const drvHostOps *ops, drvHostCaps *caps)
{
    VGM_AUTOCLOSE int kvmfd = -1;
    VGM_AUTOCLOSE int vmfd = -1;
    int ret;

    if ((kvmfd = drvHostKvmOpen(ops, caps)) < 0)
        return;
    ret = ops->ioctl(kvmfd, KVM_GET_API_VERSION, 0);
    caps->kvmApiVersion = ret < 0 ? DRV_HOST_UNKNOWN : ret;
    drvHostKvmCheckCaps(ops, kvmfd, caps->sysCaps);

    vmfd = ops->ioctl(kvmfd, KVM_CREATE_VM, DRV_HOST_VM_TYPE_DEFAULT);
    drvHostStepSet(&caps->vmCreate, vmfd);
    if (vmfd < 0) {
        g_debug("KVM_CREATE_VM failed: %s", g_strerror(caps->vmCreate.err));
        return;
    }
    drvHostKvmCheckCaps(ops, vmfd, caps->vmCaps);
    drvHostKvmGmemTest(ops, vmfd, caps);
    drvHostKvmProbeCocoVM(ops, kvmfd, caps);
}

/**
 * drvHostKVMUsableOps:
 * @ops: host access
 *
 * Whether /dev/kvm opens read-write, as QEMU opens it for -accel kvm.
 * Cheaper than a probe: nothing is asked of KVM.
 *
 * Returns: true when it opens.
 */
bool
drvHostKVMUsableOps(const drvHostOps *ops)
{
    VGM_AUTOCLOSE int fd = ops->open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0)
        g_debug("/dev/kvm is not usable: %s", g_strerror(errno));
    return fd >= 0;
}

/**
 * drvHostKVMUsable:
 *
 * Returns: whether this host's /dev/kvm opens read-write.
 */
bool
drvHostKVMUsable(void)
{
    return drvHostKVMUsableOps(&drvHostOpsReal);
}
