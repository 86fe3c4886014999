/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifndef VGM_HOSTPRIV_H_ALLOW
# error "driver/hostpriv.h is only for driver/host*.c and tests"
#endif

#include <linux/kvm.h>
#include <linux/userfaultfd.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>

#include "driver/host.h"

/*
 * Every host access of the probe goes through this table (STYLE rule
 * 39), so a test can fake a whole host.  Each member behaves like the
 * libc call it is named after: on failure it returns -1 (NULL for the
 * pointer-returning ones, MAP_FAILED for mmap) and sets errno.
 *
 * File descriptors the ops hand out must be real ones: the probe closes
 * them with close() (VGM_AUTOCLOSE).  A fake can hand out duplicates of
 * /dev/null and remember what each one stands for.
 */
typedef struct drvHostOps drvHostOps;
struct drvHostOps {
    int (*open)(const char *path, int flags);
    /* @arg is the integer or pointer argument of the request. */
    int (*ioctl)(int fd, unsigned long request, uintptr_t arg);
    void *(*mmap)(size_t length, int prot, int flags, int fd);
    int (*munmap)(void *addr, size_t length);
    int (*ftruncate)(int fd, off_t length);
    int (*memfdCreate)(const char *name, unsigned int flags);
    int (*userfaultfd)(int flags);
    /* The whole file, NUL-terminated (g_free it). */
    char *(*readFile)(const char *path);
    /* The names in a directory, sorted, NULL-terminated (g_strfreev). */
    char **(*listDir)(const char *path);
    int (*stat)(const char *path, struct stat *st);
    int (*uname)(struct utsname *buf);
    long (*sysconf)(int name);
};

/* The real host. */
extern const drvHostOps drvHostOpsReal;

drvHostCaps *drvHostCapsProbeOps(const drvHostOps *ops, GError **error);
char *drvHostFingerprintOps(const drvHostOps *ops, GError **error);
bool drvHostKVMUsableOps(const drvHostOps *ops);

/* The KVM_CAP_* number of each drvHostKvmCap. */
extern const unsigned int drvHostKvmCapNumbers[DRV_HOST_KVM_CAP_LAST];

/* Internal to driver/host*.c */
void drvHostKvmProbe(const drvHostOps *ops, drvHostCaps *caps);
void drvHostUffdProbeBase(const drvHostOps *ops, drvHostCaps *caps);
/* The size of the probe's test mappings (guest_memfd and memfd). */
#define DRV_HOST_PROBE_MAP_SIZE (64 * 1024)

void drvHostUffdProbeRange(const drvHostOps *ops, const drvHostCaps *caps,
                           void *addr, unsigned long long mode,
                           drvHostStep *step);
void drvHostStepSet(drvHostStep *step, int ret);
bool drvHostPathExists(const drvHostOps *ops, const char *path);
long long drvHostReadNumber(const drvHostOps *ops, const char *path);

/*
 * uAPI numbers.  Debian 12's linux-libc-dev (6.1) predates guest_memfd,
 * so whatever <linux/kvm.h> lacks is defined here from the Linux 7.2
 * headers (shared/qemu-facts.md §7).  Nothing that is not merged
 * upstream (KVM Userfault) is defined.
 */
#ifndef KVM_CAP_SPLIT_IRQCHIP
# define KVM_CAP_SPLIT_IRQCHIP 121
#endif
#ifndef KVM_CAP_USER_MEMORY2
# define KVM_CAP_USER_MEMORY2 231
#endif
#ifndef KVM_CAP_MEMORY_FAULT_INFO
# define KVM_CAP_MEMORY_FAULT_INFO 232
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
# define KVM_CAP_MEMORY_ATTRIBUTES 233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
# define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_VM_TYPES
# define KVM_CAP_VM_TYPES 235
#endif
#ifndef KVM_CAP_PRE_FAULT_MEMORY
# define KVM_CAP_PRE_FAULT_MEMORY 236
#endif
#ifndef KVM_CAP_X86_APIC_BUS_CYCLES_NS
# define KVM_CAP_X86_APIC_BUS_CYCLES_NS 237
#endif
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
# define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif

/* struct kvm_create_guest_memfd, under our own name. */
typedef struct {
    uint64_t size;
    uint64_t flags;
    uint64_t reserved[6];
} drvHostGmemCreateArgs;

#ifndef KVM_CREATE_GUEST_MEMFD
# define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, drvHostGmemCreateArgs)
#endif
