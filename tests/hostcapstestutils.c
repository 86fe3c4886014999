/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define VGM_HOSTPRIV_H_ALLOW
#include "driver/hostpriv.h"
#include "tests/hostcapstestutils.h"
#include "tests/testutils.h"

/* The fake host ops; see tests/hostcapstestutils.h. */

typedef enum {
    TEST_FD_KVM = 1,
    TEST_FD_VM,
    TEST_FD_COCO_VM,
    TEST_FD_GMEM,
    TEST_FD_MEMFD,
    TEST_FD_UFFD_DEV,
    TEST_FD_UFFD,
} testFdKind;

/* The state of the fake host while a case runs. */
static const testHost *testCur;
static GHashTable *testFds;      /* fd -> testFdKind */
static GHashTable *testMaps;     /* address -> testFdKind of the fd */
static GHashTable *testAllFds;   /* every fd handed out */

static int
testNewFd(testFdKind kind)
{
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    g_hash_table_insert(testFds, GINT_TO_POINTER(fd), GINT_TO_POINTER(kind));
    g_hash_table_add(testAllFds, GINT_TO_POINTER(fd));
    return fd;
}

static int
testFail(int err)
{
    errno = err;
    return -1;
}

static testFdKind
testFdKindOf(int fd)
{
    return GPOINTER_TO_INT(g_hash_table_lookup(testFds, GINT_TO_POINTER(fd)));
}

static bool
testHasPath(const char *path)
{
    return testCur->paths &&
           g_strv_contains((const char *const *)testCur->paths, path);
}

static const char *
testFileContent(const char *path)
{
    const testHostFile *f;

    for (f = testCur->files; f && f->path; f++) {
        if (strcmp(f->path, path) == 0)
            return f->content;
    }
    return NULL;
}

static int
testOpen(const char *path, int flags)
{
    if (strcmp(path, "/dev/kvm") == 0 && testHasPath(path)) {
        if (testCur->kvmOpenErrno)
            return testFail(testCur->kvmOpenErrno);
        return testNewFd(TEST_FD_KVM);
    }
    if (strcmp(path, "/dev/userfaultfd") == 0 && testHasPath(path))
        return testNewFd(TEST_FD_UFFD_DEV);
    return testFail(ENOENT);
}

static int
testIoctlKvm(unsigned long request, uintptr_t arg)
{
    long long types = testCur->sysCaps[DRV_HOST_KVM_CAP_VM_TYPES];
    size_t i;

    if (request == KVM_GET_API_VERSION)
        return 12;
    if (request == KVM_CREATE_VM) {
        if (arg == 0)
            return testNewFd(TEST_FD_VM);
        if (types <= 0 || !(types & (1LL << arg)))
            return testFail(EINVAL);
        return testNewFd(TEST_FD_COCO_VM);
    }
    if (request != KVM_CHECK_EXTENSION)
        return testFail(ENOTTY);
    for (i = 0; i < DRV_HOST_KVM_CAP_LAST; i++) {
        if (drvHostKvmCapNumbers[i] == arg)
            return testCur->sysCaps[i];
    }
    return 0;
}

static int
testIoctlVM(const long long *caps, unsigned long request, uintptr_t arg)
{
    const drvHostGmemCreateArgs *gmem = (const void *)arg;
    long long flags = caps[DRV_HOST_KVM_CAP_GUEST_MEMFD_FLAGS];
    size_t i;

    if (request == KVM_CHECK_EXTENSION) {
        for (i = 0; i < DRV_HOST_KVM_CAP_LAST; i++) {
            if (drvHostKvmCapNumbers[i] == arg)
                return caps[i];
        }
        return 0;
    }
    if (request != KVM_CREATE_GUEST_MEMFD ||
        caps[DRV_HOST_KVM_CAP_GUEST_MEMFD] <= 0)
        return testFail(ENOTTY);
    if (gmem->size == 0 || (gmem->flags & ~(unsigned long long)MAX(flags, 0)))
        return testFail(EINVAL);
    return testNewFd(TEST_FD_GMEM);
}

static int
testIoctlUffd(unsigned long request, uintptr_t arg)
{
    struct uffdio_api *api = (void *)arg;
    const struct uffdio_register *reg = (const void *)arg;
    testFdKind kind;

    if (request == UFFDIO_API) {
        api->features = 0x1ffff;
        return 0;
    }
    if (request != UFFDIO_REGISTER)
        return testFail(ENOTTY);
    kind = GPOINTER_TO_INT(g_hash_table_lookup(testMaps,
        GSIZE_TO_POINTER(reg->range.start)));
    if (kind == TEST_FD_MEMFD && reg->mode == UFFDIO_REGISTER_MODE_MISSING)
        return 0;
    if (kind != TEST_FD_GMEM)
        return testFail(EINVAL);
    if (reg->mode == UFFDIO_REGISTER_MODE_MISSING)
        return testCur->uffdGmemMissingErrno ?
               testFail(testCur->uffdGmemMissingErrno) : 0;
    return testCur->uffdGmemMinorErrno ?
           testFail(testCur->uffdGmemMinorErrno) : 0;
}

static int
testIoctl(int fd, unsigned long request, uintptr_t arg)
{
    switch (testFdKindOf(fd)) {
    case TEST_FD_KVM:
        return testIoctlKvm(request, arg);
    case TEST_FD_VM:
        return testIoctlVM(testCur->vmCaps, request, arg);
    case TEST_FD_COCO_VM:
        return testIoctlVM(testCur->cocoCaps, request, arg);
    case TEST_FD_UFFD:
        return testIoctlUffd(request, arg);
    case TEST_FD_UFFD_DEV:
        if (request != USERFAULTFD_IOC_NEW)
            return testFail(ENOTTY);
        return testCur->uffdErrno ? testFail(testCur->uffdErrno) :
                                    testNewFd(TEST_FD_UFFD);
    case TEST_FD_GMEM:
    case TEST_FD_MEMFD:
        break;
    }
    return testFail(ENOTTY);
}

static void *
testMmap(size_t length, int prot, int flags, int fd)
{
    testFdKind kind = testFdKindOf(fd);
    void *mem;

    if (kind != TEST_FD_GMEM && kind != TEST_FD_MEMFD) {
        errno = ENODEV;
        return MAP_FAILED;
    }
    if (kind == TEST_FD_GMEM && testCur->gmemMmapErrno) {
        errno = testCur->gmemMmapErrno;
        return MAP_FAILED;
    }
    mem = mmap(NULL, length, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem != MAP_FAILED)
        g_hash_table_insert(testMaps, mem, GINT_TO_POINTER(kind));
    return mem;
}

static int
testMunmap(void *addr, size_t length)
{
    if (!g_hash_table_remove(testMaps, addr))
        return testFail(EINVAL);
    return munmap(addr, length);
}

static int
testFtruncate(int fd, off_t length)
{
    return testFdKindOf(fd) == TEST_FD_MEMFD ? 0 : testFail(EINVAL);
}

static int
testMemfdCreate(const char *name, unsigned int flags)
{
    return testNewFd(TEST_FD_MEMFD);
}

static int
testUserfaultfd(int flags)
{
    return testCur->uffdErrno ? testFail(testCur->uffdErrno) :
                                testNewFd(TEST_FD_UFFD);
}

static char *
testReadFile(const char *path)
{
    const char *content = testFileContent(path);

    if (!content) {
        errno = ENOENT;
        return NULL;
    }
    return g_strdup(content);
}

/* The names directly below @dir among the fake paths and files. */
static void
testCollectChild(GPtrArray *names, const char *path, const char *dir)
{
    size_t len = strlen(dir);
    const char *rest;
    g_autofree char *name = NULL;

    if (strncmp(path, dir, len) != 0 || path[len] != '/' || !path[len + 1])
        return;
    rest = path + len + 1;
    name = g_strndup(rest, strcspn(rest, "/"));
    if (!g_ptr_array_find_with_equal_func(names, name, g_str_equal, NULL))
        g_ptr_array_add(names, g_steal_pointer(&name));
}

static char **
testListDir(const char *path)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *asDir = g_strdup_printf("%s/", path);
    const testHostFile *f;
    size_t i;

    for (i = 0; testCur->paths && testCur->paths[i]; i++)
        testCollectChild(names, testCur->paths[i], path);
    for (f = testCur->files; f && f->path; f++)
        testCollectChild(names, f->path, path);
    if (names->len == 0 && !testHasPath(asDir)) {
        errno = ENOENT;
        return NULL;
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

static int
testStat(const char *path, struct stat *st)
{
    g_auto(GStrv) names = NULL;

    memset(st, 0, sizeof(*st));
    if (testHasPath(path)) {
        st->st_mode = S_IFCHR | 0600;
        return 0;
    }
    if (testFileContent(path)) {
        st->st_mode = S_IFREG | 0444;
        return 0;
    }
    if ((names = testListDir(path))) {
        st->st_mode = S_IFDIR | 0755;
        return 0;
    }
    return testFail(ENOENT);
}

static int
testUname(struct utsname *buf)
{
    memset(buf, 0, sizeof(*buf));
    g_strlcpy(buf->release, testCur->release, sizeof(buf->release));
    g_strlcpy(buf->machine, "x86_64", sizeof(buf->machine));
    return 0;
}

static long
testSysconf(int name)
{
    if (name != _SC_NPROCESSORS_ONLN)
        return -1;
    return testCur->cpus ? testCur->cpus : 8;
}

static const drvHostOps testOps = {
    .open = testOpen,
    .ioctl = testIoctl,
    .mmap = testMmap,
    .munmap = testMunmap,
    .ftruncate = testFtruncate,
    .memfdCreate = testMemfdCreate,
    .userfaultfd = testUserfaultfd,
    .readFile = testReadFile,
    .listDir = testListDir,
    .stat = testStat,
    .uname = testUname,
    .sysconf = testSysconf,
};

/* Every fd the fake handed out is closed, every mapping unmapped. */
static bool
testCheckLeaks(void)
{
    GHashTableIter iter;
    gpointer key;
    bool ok = true;

    g_hash_table_iter_init(&iter, testAllFds);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        if (fcntl(GPOINTER_TO_INT(key), F_GETFD) >= 0) {
            VGM_TEST_FAIL("fd %d was left open", GPOINTER_TO_INT(key));
            ok = false;
        }
    }
    if (g_hash_table_size(testMaps) > 0) {
        VGM_TEST_FAIL("%u mappings were left", g_hash_table_size(testMaps));
        ok = false;
    }
    return ok;
}

/* Make @host the faked one, with no fd or mapping handed out yet. */
static void
testBegin(const testHost *host)
{
    testCur = host;
    testFds = g_hash_table_new(g_direct_hash, g_direct_equal);
    testMaps = g_hash_table_new(g_direct_hash, g_direct_equal);
    testAllFds = g_hash_table_new(g_direct_hash, g_direct_equal);
}

/* Returns: false, with the current test failed, when something leaked. */
static bool
testEnd(void)
{
    bool ok = testCheckLeaks();

    g_clear_pointer(&testFds, g_hash_table_unref);
    g_clear_pointer(&testMaps, g_hash_table_unref);
    g_clear_pointer(&testAllFds, g_hash_table_unref);
    return ok;
}

/**
 * testHostProbe:
 * @host: a faked host
 *
 * Returns: its capabilities, or NULL with the current test failed.
 */
drvHostCaps *
testHostProbe(const testHost *host)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(drvHostCaps) caps = NULL;

    testBegin(host);
    caps = drvHostCapsProbeOps(&testOps, &error);
    if (!caps)
        VGM_TEST_FAIL("probe failed: %s", error->message);
    if (!testEnd())
        return NULL;
    return g_steal_pointer(&caps);
}

/**
 * testHostKVMUsable:
 * @host: a faked host
 *
 * Returns: drvHostKVMUsableOps() of @host; false with the current test
 * failed when it leaks an fd.
 */
bool
testHostKVMUsable(const testHost *host)
{
    bool usable;

    testBegin(host);
    usable = drvHostKVMUsableOps(&testOps);
    return testEnd() && usable;
}

/**
 * testHostFingerprint:
 * @host: a faked host
 * @error: return location for an error
 *
 * Returns: drvHostFingerprintOps() of @host, or NULL with @error set.
 */
char *
testHostFingerprint(const testHost *host, GError **error)
{
    testCur = host;
    return drvHostFingerprintOps(&testOps, error);
}

/* The hosts.  KVM answers use the enum index of each capability. */

#define TEST_CAP(name) DRV_HOST_KVM_CAP_##name

/* A non-confidential KVM host whose guest_memfd offers @flags. */
#define TEST_CAPS_GMEM(flags) \
    [TEST_CAP(USER_MEMORY2)] = 1, [TEST_CAP(MEMORY_FAULT_INFO)] = 1, \
    [TEST_CAP(MEMORY_ATTRIBUTES)] = 0, [TEST_CAP(GUEST_MEMFD)] = 1, \
    [TEST_CAP(VM_TYPES)] = 1, [TEST_CAP(PRE_FAULT_MEMORY)] = 0, \
    [TEST_CAP(GUEST_MEMFD_FLAGS)] = (flags), [TEST_CAP(SPLIT_IRQCHIP)] = 1, \
    [TEST_CAP(X86_APIC_BUS_CYCLES_NS)] = 1

/* Linux 6.18 on this machine's nested KVM (shared/qemu-facts.md §7). */
#define TEST_CAPS_THIS_HOST TEST_CAPS_GMEM(3)

/*
 * A confidential computing host: VM @types, memory @attrs and guest_memfd
 * @flags (a confidential VM has the private attribute and no mmap).
 */
#define TEST_CAPS_COCO(types, attrs, flags) \
    [TEST_CAP(USER_MEMORY2)] = 1, [TEST_CAP(MEMORY_FAULT_INFO)] = 1, \
    [TEST_CAP(MEMORY_ATTRIBUTES)] = (attrs), [TEST_CAP(GUEST_MEMFD)] = 1, \
    [TEST_CAP(VM_TYPES)] = (types), [TEST_CAP(PRE_FAULT_MEMORY)] = 1, \
    [TEST_CAP(GUEST_MEMFD_FLAGS)] = (flags), [TEST_CAP(SPLIT_IRQCHIP)] = 1, \
    [TEST_CAP(X86_APIC_BUS_CYCLES_NS)] = 1

#define TEST_FILES_COMMON \
    { "/proc/meminfo", "MemTotal:       16318412 kB\nMemFree: 1 kB\n" }, \
    { "/proc/sys/vm/unprivileged_userfaultfd", "0\n" }, \
    { "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "512\n" }, \
    { "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "500\n" }

static const char *const testPathsThisHost[] = {
    "/dev/kvm", "/dev/userfaultfd", "/sys/module/kvm/", "/sys/module/kvm_pvm/",
    "/sys/kernel/iommu_groups/", NULL,
};

static const testHostFile testFilesThisHost[] = {
    { "/proc/meminfo", "MemTotal:       24682416 kB\n" },
    { "/proc/sys/vm/unprivileged_userfaultfd", "0\n" },
    { "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "0\n" },
    { "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "0\n" },
    { "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "0\n" },
    { "/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages", "0\n" },
    { NULL, NULL },
};

static const char *const testPathsSnp[] = {
    "/dev/kvm", "/dev/userfaultfd", "/dev/sev", "/dev/vfio/vfio",
    "/dev/iommu", "/sys/module/kvm/", "/sys/module/ccp/",
    "/sys/kernel/iommu_groups/0/", "/sys/kernel/iommu_groups/1/",
    "/sys/kernel/iommu_groups/2/", NULL,
};

static const testHostFile testFilesSnp[] = {
    TEST_FILES_COMMON,
    { "/sys/module/kvm_amd/parameters/sev", "Y\n" },
    { "/sys/module/kvm_amd/parameters/sev_es", "Y\n" },
    { "/sys/module/kvm_amd/parameters/sev_snp", "Y\n" },
    { "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit", "65535\n" },
    { NULL, NULL },
};

static const char *const testPathsTdx[] = {
    "/dev/kvm", "/dev/userfaultfd", "/dev/vfio/vfio", "/dev/iommu",
    "/sys/module/kvm/", "/sys/kernel/iommu_groups/7/", NULL,
};

static const testHostFile testFilesTdx[] = {
    TEST_FILES_COMMON,
    { "/sys/module/kvm_intel/parameters/tdx", "Y\n" },
    { "/sys/module/kvm_intel/parameters/nested", "Y\n" },
    { "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit", "65535\n" },
    { NULL, NULL },
};

static const char *const testPathsNoKvm[] = {
    "/dev/userfaultfd", NULL,
};

static const testHostFile testFilesNoKvm[] = {
    TEST_FILES_COMMON,
    { NULL, NULL },
};

static const char *const testPathsOld[] = {
    "/dev/kvm", "/sys/module/kvm/", "/sys/kernel/iommu_groups/0/", NULL,
};

static const testHostFile testFilesOld[] = {
    TEST_FILES_COMMON,
    { "/sys/module/kvm_intel/parameters/nested", "N\n" },
    { NULL, NULL },
};

static const char *const testPathsFuture[] = {
    "/dev/kvm", "/dev/userfaultfd", "/dev/vfio/vfio", "/dev/iommu",
    "/sys/module/kvm/", "/sys/kernel/iommu_groups/0/", NULL,
};

static const testHostFile testFilesFuture[] = {
    TEST_FILES_COMMON,
    { "/sys/module/kvm_intel/parameters/tdx", "N\n" },
    { NULL, NULL },
};

static const char *const testPathsNoAccess[] = {
    "/dev/kvm", "/sys/module/kvm/", "/sys/module/kvm_amd/", NULL,
};

const testHost testHosts[] = {
    {
        .name = "this-host", .release = "6.18.44-fc-v445", .cpus = 2,
        .sysCaps = { TEST_CAPS_THIS_HOST }, .vmCaps = { TEST_CAPS_THIS_HOST },
        .uffdGmemMissingErrno = EINVAL, .uffdGmemMinorErrno = EINVAL,
        .paths = testPathsThisHost, .files = testFilesThisHost,
    },
    {
        .name = "snp", .release = "6.18.0-snp",
        .sysCaps = { TEST_CAPS_COCO(0x1d, 8, 3) },
        .vmCaps = { TEST_CAPS_COCO(0x1d, 0, 3) },
        .cocoCaps = { TEST_CAPS_COCO(0x1d, 8, 0) },
        .uffdGmemMissingErrno = EINVAL, .uffdGmemMinorErrno = EINVAL,
        .paths = testPathsSnp, .files = testFilesSnp,
    },
    {
        .name = "tdx", .release = "6.18.0-tdx",
        .sysCaps = { TEST_CAPS_COCO(0x21, 8, 3) },
        .vmCaps = { TEST_CAPS_COCO(0x21, 0, 3) },
        .cocoCaps = { TEST_CAPS_COCO(0x21, 8, 0) },
        .uffdGmemMissingErrno = EINVAL, .uffdGmemMinorErrno = EINVAL,
        .paths = testPathsTdx, .files = testFilesTdx,
    },
    {
        .name = "no-kvm", .release = "6.12.0-nokvm",
        .paths = testPathsNoKvm, .files = testFilesNoKvm,
    },
    {
        /* Linux 5.15: every guest_memfd capability is 0, no
         * /dev/userfaultfd (the syscall is used) */
        .name = "old-kernel", .release = "5.15.0-old",
        .sysCaps = { [TEST_CAP(SPLIT_IRQCHIP)] = 1 },
        .vmCaps = { [TEST_CAP(SPLIT_IRQCHIP)] = 1 },
        .paths = testPathsOld, .files = testFilesOld,
    },
    {
        /* userfaultfd registers guest_memfd (vm_uffd_ops) */
        .name = "future-uffd", .release = "7.3.0-future",
        .sysCaps = { TEST_CAPS_THIS_HOST }, .vmCaps = { TEST_CAPS_THIS_HOST },
        .paths = testPathsFuture, .files = testFilesFuture,
    },
    {
        /* guest_memfd maps, but cannot start out shared (only FLAG_MMAP) */
        .name = "gmem-mmap-only", .release = "6.17.0-mmap",
        .sysCaps = { TEST_CAPS_GMEM(1) }, .vmCaps = { TEST_CAPS_GMEM(1) },
        .uffdGmemMissingErrno = EINVAL, .uffdGmemMinorErrno = EINVAL,
        .paths = testPathsThisHost, .files = testFilesThisHost,
    },
    {
        /* guest_memfd claims mmap support, but mmap fails */
        .name = "gmem-mmap-broken", .release = "6.18.0-broken",
        .sysCaps = { TEST_CAPS_THIS_HOST }, .vmCaps = { TEST_CAPS_THIS_HOST },
        .gmemMmapErrno = ENODEV,
        .paths = testPathsThisHost, .files = testFilesThisHost,
    },
    {
        /* an unprivileged user: /dev/kvm and userfaultfd refused */
        .name = "kvm-no-access", .release = "6.18.0-user",
        .kvmOpenErrno = EACCES, .uffdErrno = EPERM,
        .paths = testPathsNoAccess, .files = testFilesNoKvm,
    },
};

const size_t testNHosts = G_N_ELEMENTS(testHosts);

/**
 * testHostFind:
 * @name: a faked host's name
 *
 * Returns: the host; aborts when there is no such host.
 */
const testHost *
testHostFind(const char *name)
{
    size_t i;

    for (i = 0; i < testNHosts; i++) {
        if (strcmp(testHosts[i].name, name) == 0)
            return &testHosts[i];
    }
    g_error("no faked host called '%s'", name);
}
