/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define VGM_HOSTPRIV_H_ALLOW
#include "driver/hostpriv.h"
#include "util/fd.h"

/*
 * The userfaultfd part of the host probe.  Whether userfaultfd can
 * register a guest_memfd mapping has no uAPI flag (the vm_uffd_ops
 * design needs none), so the only test is to try it: EINVAL from
 * UFFDIO_REGISTER means "not on this kind of memory".  A memfd
 * registration beside it shows that userfaultfd itself works.
 */

/* A new userfaultfd through /dev/userfaultfd, else the syscall. */
static int
drvHostUffdNew(const drvHostOps *ops, const drvHostCaps *caps)
{
    VGM_AUTOCLOSE int dev = -1;

    if (g_strcmp0(caps->uffdMethod, "syscall") == 0)
        return ops->userfaultfd(O_CLOEXEC | O_NONBLOCK);
    if ((dev = ops->open("/dev/userfaultfd", O_RDWR | O_CLOEXEC)) < 0)
        return -1;
    return ops->ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
}

/* A userfaultfd after the UFFDIO_API handshake, or -1 with errno. */
static int
drvHostUffdOpen(const drvHostOps *ops, const drvHostCaps *caps,
                unsigned long long *features)
{
    struct uffdio_api api = { .api = UFFD_API, .features = 0 };
    VGM_AUTOCLOSE int fd = -1;

    if ((fd = drvHostUffdNew(ops, caps)) < 0)
        return -1;
    if (ops->ioctl(fd, UFFDIO_API, (uintptr_t)&api) < 0)
        return -1;
    if (features)
        *features = api.features;
    return vgmStealFD(&fd);
}

/**
 * drvHostUffdProbeRange:
 * @ops: host access
 * @caps: its uffdMethod says how to get a userfaultfd
 * @addr: start of a mapping of DRV_HOST_PROBE_MAP_SIZE bytes
 * @mode: UFFDIO_REGISTER_MODE_MISSING or _MINOR
 * @step: the outcome of UFFDIO_REGISTER
 *
 * Try to register the mapping with a fresh userfaultfd.  Closing the
 * userfaultfd drops the registration again.
 */
void
drvHostUffdProbeRange(const drvHostOps *ops, const drvHostCaps *caps,
                      void *addr, unsigned long long mode, drvHostStep *step)
{
    struct uffdio_register reg = { 0 };
    VGM_AUTOCLOSE int fd = -1;
    int ret;

    reg.range.start = (uintptr_t)addr;
    reg.range.len = DRV_HOST_PROBE_MAP_SIZE;
    reg.mode = mode;
    fd = drvHostUffdOpen(ops, caps, NULL);
    ret = fd < 0 ? -1 : ops->ioctl(fd, UFFDIO_REGISTER, (uintptr_t)&reg);
    drvHostStepSet(step, ret);
}

/* Register MISSING on a shared memfd mapping: does userfaultfd work? */
static void
drvHostUffdProbeMemfd(const drvHostOps *ops, drvHostCaps *caps)
{
    VGM_AUTOCLOSE int memfd = -1;
    void *mem;

    memfd = ops->memfdCreate("virtgmem-uffd-probe", MFD_CLOEXEC);
    if (memfd < 0 || ops->ftruncate(memfd, DRV_HOST_PROBE_MAP_SIZE) < 0) {
        drvHostStepSet(&caps->uffdMemfdMissing, -1);
        return;
    }
    mem = ops->mmap(DRV_HOST_PROBE_MAP_SIZE, PROT_READ | PROT_WRITE,
                    MAP_SHARED, memfd);
    if (mem == MAP_FAILED) {
        drvHostStepSet(&caps->uffdMemfdMissing, -1);
        return;
    }
    drvHostUffdProbeRange(ops, caps, mem, UFFDIO_REGISTER_MODE_MISSING,
                          &caps->uffdMemfdMissing);
    ops->munmap(mem, DRV_HOST_PROBE_MAP_SIZE);
}

/**
 * drvHostUffdProbeBase:
 * @ops: host access
 * @caps: filled in
 *
 * Whether userfaultfd can be opened (through /dev/userfaultfd, else the
 * syscall), its features, vm.unprivileged_userfaultfd, and a MISSING
 * registration on a memfd.  The guest_memfd registrations are done by
 * drvHostKvmProbe() on its test mapping.
 */
void
drvHostUffdProbeBase(const drvHostOps *ops, drvHostCaps *caps)
{
    VGM_AUTOCLOSE int fd = -1;

    caps->uffdDevice = drvHostPathExists(ops, "/dev/userfaultfd");
    caps->uffdUnprivileged =
        drvHostReadNumber(ops, "/proc/sys/vm/unprivileged_userfaultfd");
    caps->uffdMethod = caps->uffdDevice ? "device" : "syscall";
    fd = drvHostUffdOpen(ops, caps, &caps->uffdFeatures);
    if (fd < 0 && caps->uffdDevice) {
        g_debug("/dev/userfaultfd failed (%s), trying the syscall",
                g_strerror(errno));
        caps->uffdMethod = "syscall";
        fd = drvHostUffdOpen(ops, caps, &caps->uffdFeatures);
    }
    drvHostStepSet(&caps->uffdOpen, fd);
    if (fd < 0) {
        g_debug("cannot open a userfaultfd (%s): %s", caps->uffdMethod,
                g_strerror(caps->uffdOpen.err));
        return;
    }
    drvHostUffdProbeMemfd(ops, caps);
}
