/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "tests/qemucapstestutils.h"
#include "tests/testutils.h"
#include "tests/xml2argvtestutils.h"

const char *const testXML2ArgvCapsNames[] = {
    "qemu-7.2.22",
    "qemu-10.0.13",
    "qemu-11.1.3",
    "qemu-11.1.3+gmem-rfc",
    "qemu-11.1.3+memfd-gmem",
    NULL,
};

typedef struct {
    drvQemuCaps *caps;
} testCapsEntry;

static void
testCapsEntryFree(gpointer data)
{
    testCapsEntry *e = data;

    drvQemuCapsFree(e->caps);
    g_free(e);
}

static GHashTable *testCapsCache;

static testCapsEntry *
testCapsLoad(const char *name, GError **error)
{
    testQemuCapsOverlay overlay = TEST_QEMU_CAPS_OVERLAY_NONE;
    g_autofree char *ver = NULL;
    testCapsEntry *e;
    char *plus;

    if (!testCapsCache)
        testCapsCache = g_hash_table_new_full(g_str_hash, g_str_equal,
                                              g_free, testCapsEntryFree);
    if ((e = g_hash_table_lookup(testCapsCache, name)))
        return e;
    g_assert(g_str_has_prefix(name, "qemu-"));
    ver = g_strdup(name + strlen("qemu-"));
    if ((plus = strchr(ver, '+'))) {
        overlay = strcmp(plus, "+gmem-rfc") == 0 ?
                  TEST_QEMU_CAPS_OVERLAY_GMEM_RFC :
                  TEST_QEMU_CAPS_OVERLAY_MEMFD_GMEM;
        *plus = '\0';
    }
    e = g_new0(testCapsEntry, 1);
    if (!(e->caps = testQemuCapsReplay(ver, overlay, error))) {
        g_free(e);
        return NULL;
    }
    g_hash_table_insert(testCapsCache, g_strdup(name), e);
    return e;
}

const drvQemuCaps *
testXML2ArgvGetCaps(const char *name, GError **error)
{
    testCapsEntry *e = testCapsLoad(name, error);

    return e ? e->caps : NULL;
}

const qapiSchema *
testXML2ArgvGetSchema(const char *name, GError **error)
{
    testCapsEntry *e = testCapsLoad(name, error);

    return e ? drvQemuCapsGetSchemaIndex(e->caps) : NULL;
}

static void
testHostSetKvm(drvHostCaps *host, long long vmTypes)
{
    size_t i;

    host->kvmDevice = true;
    host->kvmOpen.state = DRV_HOST_STEP_OK;
    host->vmCreate.state = DRV_HOST_STEP_OK;
    host->kvmModule = g_strdup("kvm_amd");
    for (i = 0; i < DRV_HOST_KVM_CAP_LAST; i++)
        host->sysCaps[i] = host->vmCaps[i] = 1;
    host->vmCaps[DRV_HOST_KVM_CAP_VM_TYPES] = vmTypes;
    host->vmCaps[DRV_HOST_KVM_CAP_GUEST_MEMFD_FLAGS] = 3;
    host->vmCaps[DRV_HOST_KVM_CAP_MEMORY_ATTRIBUTES] = 0;
}

drvHostCaps *
testXML2ArgvNewHost(const char *name)
{
    drvHostCaps *host = g_new0(drvHostCaps, 1);
    size_t i;

    host->kernelRelease = g_strdup("6.18.0");
    host->arch = g_strdup("x86_64");
    for (i = 0; i < DRV_HOST_KVM_CAP_LAST; i++)
        host->sysCaps[i] = host->vmCaps[i] = host->cocoVmCaps[i] =
            DRV_HOST_UNKNOWN;
    host->iommuGroups = DRV_HOST_UNKNOWN;
    host->vfioDmaEntryLimit = DRV_HOST_UNKNOWN;
    host->hugepages = g_new0(drvHostHugepages, 2);
    host->hugepages[0] = (drvHostHugepages) { 2048, 512, 512 };
    host->hugepages[1] = (drvHostHugepages) { 1048576, 4, 4 };
    host->nhugepages = 2;
    if (strcmp(name, "no-kvm") == 0)
        return host;
    if (strcmp(name, "plain") == 0) {
        testHostSetKvm(host, 1);
        host->nhugepages = 1;
        return host;
    }
    g_assert_cmpstr(name, ==, "full");
    testHostSetKvm(host, (1 << DRV_HOST_VM_TYPE_DEFAULT) |
                   (1 << DRV_HOST_VM_TYPE_SEV) |
                   (1 << DRV_HOST_VM_TYPE_SEV_ES) |
                   (1 << DRV_HOST_VM_TYPE_SNP) | (1 << DRV_HOST_VM_TYPE_TDX));
    host->sevDevice = true;
    host->sevParam = host->sevSnpParam = VGM_TRISTATE_BOOL_YES;
    host->vfioDevice = host->iommufdDevice = true;
    host->iommuGroups = 12;
    host->vfioDmaEntryLimit = 65535;
    return host;
}

confDomainDef *
testXML2ArgvParse(const char *name, const drvQemuCaps *caps, GError **error)
{
    g_autofree char *rel = g_strdup_printf("xml2argv/%s.xml", name);
    g_autofree char *path = vgmTestDataPath(rel);
    confDomainParseOpts opts = {
        .arch = "x86_64",
        .machine = drvQemuCapsGetDefaultMachine(caps),
    };

    return confDomainDefParseFile(path, &opts, 0, error);
}

static int
testFakeFD(drvCommandFDKind kind, const char *what, void *opaque,
           GError **error)
{
    int *next = opaque;

    return (*next)++;
}

void
testXML2ArgvConfigInit(testXML2ArgvConfig *cfg, const confDomainDef *def,
                       unsigned int flags)
{
    g_autofree char *shortName = drvCommandDomainShortName(def);

    cfg->libDir = g_strdup_printf("/var/lib/virtgmem/qemu/domain-%s",
                                  shortName);
    cfg->logFile = g_strdup_printf("/var/log/virtgmem/qemu/%s.log",
                                   def->name);
    cfg->nextFD = 3;
    cfg->config = (drvCommandConfig) {
        cfg->libDir, cfg->logFile, "/var/lib/virtgmem/qemu/ram",
        "/dev/hugepages", NULL, testFakeFD, &cfg->nextFD, flags,
    };
}

void
testXML2ArgvConfigClear(testXML2ArgvConfig *cfg)
{
    g_free(cfg->libDir);
    g_free(cfg->logFile);
}
