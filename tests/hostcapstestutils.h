/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "driver/host.h"

/*
 * Faked hosts for the host probe (driver/host*.c through its ops
 * table): each describes the files, device nodes and KVM answers of a
 * host; the fake ops hand out duplicates of /dev/null as file
 * descriptors and remember what each stands for.  Used by hostcapstest
 * (probe, virt-gmem-validate) and capabilitiestest (capabilities XML).
 */

typedef struct {
    const char *path;
    const char *content;
} testHostFile;

typedef struct {
    const char *name;
    const char *release;
    long cpus;                      /* 0: 8 */
    int kvmOpenErrno;               /* 0: /dev/kvm opens */
    long long sysCaps[DRV_HOST_KVM_CAP_LAST];
    long long vmCaps[DRV_HOST_KVM_CAP_LAST];    /* a default VM */
    long long cocoCaps[DRV_HOST_KVM_CAP_LAST];  /* a confidential VM */
    int gmemMmapErrno;              /* 0: a guest_memfd can be mapped */
    int uffdErrno;                  /* 0: userfaultfd can be created */
    int uffdGmemMissingErrno;       /* 0: registration works */
    int uffdGmemMinorErrno;
    const char *const *paths;       /* device nodes; "dir/" for a dir */
    const testHostFile *files;
} testHost;

/*
 * The faked hosts: this-host, snp, tdx, no-kvm, old-kernel, future-uffd,
 * gmem-mmap-only, gmem-mmap-broken, kvm-no-access.
 */
extern const testHost testHosts[];
extern const size_t testNHosts;

/* The host called @name; aborts the test program when there is none. */
const testHost *testHostFind(const char *name);

/*
 * Probe @host through the fake ops.  Fails the current test (and
 * returns NULL) when the probe fails or leaks an fd or a mapping.
 */
drvHostCaps *testHostProbe(const testHost *host);

/* drvHostKVMUsableOps() on @host. */
bool testHostKVMUsable(const testHost *host);

/* drvHostFingerprintOps() on @host. */
char *testHostFingerprint(const testHost *host, GError **error);
