/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/qemucaps.h"
#include "driver/qemucapspriv.h"
#include "qapi/monitor.h"
#include "tests/qemucapstestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * driver/qemucaps*.c against recorded QEMU replies (7.2.22, 10.0.13,
 * 11.1.3 and two guest_memfd overlays on 11.1.3), replayed through the
 * fake QMP server: the flag set, version and machines are compared with
 * tests/data/qemucaps/NAME.caps (VGM_TEST_REGENERATE=1 rewrites them).
 * Then bad QEMUs: truncated, non-JSON and wrong-typed replies, silence,
 * a QEMU that goes away, an event flood.
 */

static gint
testStrPtrCmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct {
    const char *name;      /* golden file name */
    const char *ver;
    testQemuCapsOverlay overlay;
} capsCase;

static void
testCapsGolden(gconstpointer data)
{
    const capsCase *tc = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = testQemuCapsReplay(tc->ver, tc->overlay,
                                                     &error);
    g_autofree char *summary = NULL;
    g_autofree char *rel = g_strdup_printf("qemucaps/%s.caps", tc->name);

    if (!caps) {
        VGM_TEST_FAIL("%s: %s", tc->name, error->message);
        return;
    }
    summary = drvQemuCapsFormatSummary(caps);
    vgmTestCompareToFile(summary, rel);
}

#define DO_TEST_CAPS(name, ver, overlay) \
    do { \
        static const capsCase tc = { name, ver, overlay }; \
        g_test_add_data_func("/qemucaps/golden/" name, &tc, testCapsGolden); \
    } while (0)

/*
 * The rows of shared/qemu-replies/version-table.md (and of qemu-facts.md
 * §1.3 for the overlays) that our flags stand for, checked one by one so
 * a wrong golden file cannot hide a wrong decision.
 */
typedef struct {
    const char *ver;
    testQemuCapsOverlay overlay;
    const char *yes;       /* flags that must be set, comma-separated */
    const char *no;        /* flags that must not be set */
} tableCase;

static const tableCase tableCases[] = {
    { "7.2.22", TEST_QEMU_CAPS_OVERLAY_NONE,
      "memory-backend-memfd,memory-backend-memfd.hugetlb,sev-guest,"
      "sev-guest.kernel-hashes,query-sev-capabilities,vfio-pci,"
      "migrate.postcopy-ram,migrate.postcopy-preempt,migrate.return-path,"
      "migration.blocked-reasons,trace-event-set-state,"
      "machine.confidential-guest-support,machine.memory-backend,"
      "thread-context",
      "memory-backend-guest-memfd,memory-backend-memfd.guest-memfd,"
      "memory-backend-shm,sev-snp-guest,tdx-guest,iommufd,"
      "vfio-pci.iommufd,vfio-pci.fd,vfio-pci.enable-migration,"
      "sev-guest.legacy-vm-type,migrate.switchover-ack,migrate.mapped-ram,"
      "migrate.channels,event.VFIO_MIGRATION,trace.kvm_convert_memory,"
      "trace.ram_block_attributes_state_change,ram-block-attributes,"
      "cgs.convert-in-place,qom-list-get,tdx-guest.quote-generation-socket" },
    { "10.0.13", TEST_QEMU_CAPS_OVERLAY_NONE,
      "memory-backend-memfd,memory-backend-shm,sev-guest,sev-snp-guest,"
      "sev-guest.legacy-vm-type,iommufd,vfio-pci.iommufd,vfio-pci.fd,"
      "vfio-pci.enable-migration,migrate.switchover-ack,migrate.mapped-ram,"
      "migrate.channels,event.VFIO_MIGRATION,trace.kvm_convert_memory",
      "memory-backend-guest-memfd,memory-backend-memfd.guest-memfd,"
      "tdx-guest,trace.ram_block_attributes_state_change,"
      "ram-block-attributes,cgs.convert-in-place,qom-list-get" },
    { "11.1.3", TEST_QEMU_CAPS_OVERLAY_NONE,
      "tdx-guest,tdx-guest.quote-generation-socket,qom-list-get,"
      "trace.kvm_convert_memory,trace.ram_block_attributes_state_change,"
      "ram-block-attributes,sev-snp-guest,iommufd",
      "memory-backend-guest-memfd,memory-backend-memfd.guest-memfd,"
      "cgs.convert-in-place" },
    { "11.1.3", TEST_QEMU_CAPS_OVERLAY_GMEM_RFC,
      "memory-backend-guest-memfd,cgs.convert-in-place,tdx-guest",
      "memory-backend-memfd.guest-memfd" },
    { "11.1.3", TEST_QEMU_CAPS_OVERLAY_MEMFD_GMEM,
      "memory-backend-memfd.guest-memfd,memory-backend-memfd.hugetlb",
      "memory-backend-guest-memfd,cgs.convert-in-place" },
};

static void
testCapsCheckList(const drvQemuCaps *caps, const char *list, bool want,
                  const char *ver)
{
    g_auto(GStrv) names = g_strsplit(list, ",", -1);
    size_t i;

    for (i = 0; names[i]; i++) {
        int flag = drvQemuCapsFlagFromString(names[i]);

        if (flag < 0) {
            VGM_TEST_FAIL("unknown flag '%s'", names[i]);
            continue;
        }
        if (drvQemuCapsHas(caps, flag) != want)
            VGM_TEST_FAIL("%s: flag %s should be %s", ver, names[i],
                          want ? "set" : "unset");
    }
}

static void
testCapsTable(gconstpointer data)
{
    const tableCase *tc = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = testQemuCapsReplay(tc->ver, tc->overlay,
                                                     &error);

    if (!caps) {
        VGM_TEST_FAIL("%s: %s", tc->ver, error->message);
        return;
    }
    testCapsCheckList(caps, tc->yes, true, tc->ver);
    testCapsCheckList(caps, tc->no, false, tc->ver);
}

static void
testCapsMachines(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = testQemuCapsReplay(
        "11.1.3", TEST_QEMU_CAPS_OVERLAY_NONE, &error);
    g_autoptr(drvQemuCaps) old = testQemuCapsReplay(
        "7.2.22", TEST_QEMU_CAPS_OVERLAY_NONE, &error);
    size_t n = 0;

    g_assert_nonnull(caps);
    g_assert_nonnull(old);
    g_assert_cmpstr(drvQemuCapsCanonicalMachine(caps, "q35"), ==,
                    "pc-q35-11.1");
    g_assert_cmpstr(drvQemuCapsCanonicalMachine(caps, "pc"), ==,
                    "pc-i440fx-11.1");
    g_assert_cmpstr(drvQemuCapsCanonicalMachine(caps, "pc-q35-5.2"), ==,
                    "pc-q35-5.2");
    g_assert_null(drvQemuCapsCanonicalMachine(caps, "virt"));
    g_assert_cmpstr(drvQemuCapsGetDefaultMachine(caps), ==, "pc-q35-11.1");
    g_assert_cmpstr(drvQemuCapsGetDefaultMachine(old), ==, "pc-q35-7.2");
    g_assert_cmpuint(drvQemuCapsGetMachineMaxCpus(caps, "q35"), ==, 4096);
    g_assert_cmpuint(drvQemuCapsGetMachineMaxCpus(caps, "pc-i440fx-11.1"),
                     ==, 255);
    g_assert_cmpuint(drvQemuCapsGetMachineMaxCpus(caps, "none"), ==, 1);
    g_assert_cmpuint(drvQemuCapsGetMachineMaxCpus(caps, "virt"), ==, 0);
    g_assert_cmpuint(drvQemuCapsGetVersion(caps), ==, 11001003);
    g_assert_true(drvQemuCapsHasQOMType(caps, "memory-backend-memfd"));
    g_assert_true(drvQemuCapsHasCPUModel(caps, "host"));
    g_assert_cmpstr(drvQemuCapsGetCPUModels(caps, &n)[0], ==, "max");
    g_assert_cmpuint(n, ==, 189);
    g_assert_true(drvQemuCapsSchemaHas(caps, "query-sev-capabilities"));
    g_assert_true(drvQemuCapsHasMigrationCapability(caps, "switchover-ack"));
    g_assert_false(drvQemuCapsHasMigrationCapability(old, "switchover-ack"));
    g_assert_true(drvQemuCapsHasMigrationCapability(old, "postcopy-ram"));
    g_assert_cmpuint(qapiSchemaSize(drvQemuCapsGetSchemaIndex(caps)), ==,
                     qapiJSONArraySize(drvQemuCapsGetSchema(caps)));
}

/* The execute lines of @rel, in order, appended to @out. */
static void
testCollectCommands(const char *rel, GPtrArray *out)
{
    g_autofree char *data = vgmTestLoadData(rel);
    g_auto(GStrv) lines = g_strsplit(data ? data : "", "\n", -1);
    size_t i;

    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "{\"execute\""))
            g_ptr_array_add(out, qapiJSONParse(lines[i], NULL));
    }
}

/* drvQemuCapsProbeCommands() as {"execute", "arguments"} objects. */
static void
testProbeCommands(GPtrArray *out)
{
    g_auto(GStrv) cmds = drvQemuCapsProbeCommands();
    size_t i;

    for (i = 0; cmds[i]; i++) {
        g_autoptr(qapiJSON) args = NULL;
        char *space = strchr(cmds[i], ' ');

        if (space) {
            *space = '\0';
            args = qapiJSONParse(space + 1, NULL);
            g_assert_nonnull(args);
        }
        g_ptr_array_add(out, qapiMonitorMakeCommand(cmds[i], &args));
    }
}

/*
 * The renumbered data files hold exactly the probe's sequence (the fake
 * server would also fail, but this names the first difference).
 */
static void
testCapsSequence(gconstpointer data)
{
    const char *ver = data;
    g_autofree char *rel = g_strdup_printf("qemucaps/%s", ver);
    g_autofree char *dir = vgmTestDataPath(rel);
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) recorded =
        g_ptr_array_new_with_free_func((GDestroyNotify)qapiJSONFree);
    g_autoptr(GPtrArray) probe =
        g_ptr_array_new_with_free_func((GDestroyNotify)qapiJSONFree);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    guint i;

    while (d && (name = g_dir_read_name(d)))
        g_ptr_array_add(files, g_build_filename(rel, name, NULL));
    g_ptr_array_sort(files, (GCompareFunc)testStrPtrCmp);
    for (i = 0; i < files->len; i++)
        testCollectCommands(files->pdata[i], recorded);
    testCollectCommands("qemucaps/quit.jsonl", recorded);
    testProbeCommands(probe);
    for (i = 0; i < MIN(recorded->len, probe->len); i++) {
        g_autofree char *want = qapiJSONFormat(recorded->pdata[i], false);
        g_autofree char *got = qapiJSONFormat(probe->pdata[i], false);

        if (!qapiJSONEqual(recorded->pdata[i], probe->pdata[i])) {
            VGM_TEST_FAIL("%s: command %u is %s, recorded %s", ver, i, got,
                          want);
            return;
        }
    }
    g_assert_cmpuint(recorded->len, ==, probe->len);
}

static void
testCapsFlagNames(void)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    int i;

    for (i = 0; i < DRV_QEMU_CAPS_LAST; i++) {
        const char *name = drvQemuCapsFlagToString(i);

        g_assert_nonnull(name);
        g_assert_false(g_hash_table_contains(seen, name));
        g_hash_table_add(seen, (char *)name);
        g_assert_cmpint(drvQemuCapsFlagFromString(name), ==, i);
    }
}

/* ---- bad QEMUs ---- */

#define VERSION_CMD "{\"execute\": \"query-version\"}"
#define FLOOD_EVENT "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, " \
    "\"event\": \"RTC_CHANGE\", \"data\": {\"offset\": 1, \"qom-path\": " \
    "\"/machine/unattached/device[0]\"}}"

typedef struct {
    const char *name;
    void (*build)(testQMPServer *srv);
    unsigned int timeoutMs;
    const char *error;      /* expected substring; NULL: must succeed */
    int code;               /* expected error code; 0: any */
} badCase;

static void
addPrefix(testQMPServer *srv, int last)
{
    g_autoptr(GError) error = NULL;

    if (testQemuCapsAddScript(srv, "11.1.3", TEST_QEMU_CAPS_OVERLAY_NONE, 0,
                              last, &error) < 0)
        VGM_TEST_FAIL("%s", error->message);
}

static void
buildSilent(testQMPServer *srv)
{
}

static void
buildGone(testQMPServer *srv)
{
    testQMPServerAddHangup(srv);
}

static void
buildGoneMidway(testQMPServer *srv)
{
    addPrefix(srv, 2);          /* greeting, negotiation, query-version */
    testQMPServerAddHangup(srv);
}

static void
buildTruncated(testQMPServer *srv)
{
    addPrefix(srv, 1);
    testQMPServerAddExpect(srv, VERSION_CMD, NULL);
    testQMPServerAddSend(srv, "{\"return\": {\"qemu\": {\"micro\": 3, \"min");
    testQMPServerAddHangup(srv);
}

static void
buildNotJSON(testQMPServer *srv)
{
    addPrefix(srv, 1);
    testQMPServerAddExpect(srv, VERSION_CMD, NULL);
    testQMPServerAddSend(srv, "qemu-system-x86_64: Segmentation fault");
}

static void
buildVersionArray(testQMPServer *srv)
{
    addPrefix(srv, 1);
    testQMPServerAddExpect(srv, VERSION_CMD, "{\"return\": [1, 2]}");
}

static void
buildVersionString(testQMPServer *srv)
{
    addPrefix(srv, 1);
    testQMPServerAddExpect(srv, VERSION_CMD,
                           "{\"return\": {\"qemu\": {\"micro\": \"3\", "
                           "\"minor\": 1, \"major\": 11}, \"package\": \"\"}}");
}

static void
buildVersionError(testQMPServer *srv)
{
    addPrefix(srv, 1);
    testQMPServerAddExpect(srv, VERSION_CMD,
                           "{\"error\": {\"class\": \"GenericError\", "
                           "\"desc\": \"out of cheese\"}}");
}

static void
buildSchemaObject(testQMPServer *srv)
{
    addPrefix(srv, 3);
    testQMPServerAddExpect(srv, "{\"execute\": \"query-qmp-schema\"}",
                           "{\"return\": {}}");
}

static void
buildMachinesBad(testQMPServer *srv)
{
    addPrefix(srv, 16);
    testQMPServerAddExpect(srv, "{\"execute\": \"query-machines\"}",
                           "{\"return\": [{\"name\": 5}]}");
}

static void
buildMachinesNoCpuMax(testQMPServer *srv)
{
    addPrefix(srv, 16);
    testQMPServerAddExpect(srv, "{\"execute\": \"query-machines\"}",
                           "{\"return\": [{\"name\": \"pc\"}]}");
}

static void
buildTypesBad(testQMPServer *srv)
{
    addPrefix(srv, 4);
    testQMPServerAddExpect(srv, "{\"execute\": \"qom-list-types\"}",
                           "{\"return\": [{\"parent\": \"object\"}]}");
}

static void
buildFlood(testQMPServer *srv)
{
    g_autoptr(GError) error = NULL;
    int i;

    addPrefix(srv, 1);
    for (i = 0; i < 5000; i++)
        testQMPServerAddSend(srv, FLOOD_EVENT);
    if (testQemuCapsAddScript(srv, "11.1.3", TEST_QEMU_CAPS_OVERLAY_NONE, 2,
                              10, &error) < 0)
        VGM_TEST_FAIL("%s", error->message);
    for (i = 0; i < 5000; i++)
        testQMPServerAddSend(srv, FLOOD_EVENT);
    if (testQemuCapsAddScript(srv, "11.1.3", TEST_QEMU_CAPS_OVERLAY_NONE, 11,
                              -1, &error) < 0)
        VGM_TEST_FAIL("%s", error->message);
}

/* QEMU 7.2 may send its greeting twice (see qapi/monitor.c). */
static void
buildGreetTwice(testQMPServer *srv)
{
    addPrefix(srv, 0);
    addPrefix(srv, -1);
}

/* The same with the output cut at random, frames split anywhere. */
static void
buildGreetTwiceChunked(testQMPServer *srv)
{
    testQMPServerSetChunked(srv, 7, 512);
    buildGreetTwice(srv);
}

static const badCase badCases[] = {
    { "silent", buildSilent, 300, "no QMP greeting",
      VIR_ERR_OPERATION_TIMEOUT },
    { "gone-before-greeting", buildGone, 5000, "no QMP greeting", 0 },
    { "gone-midway", buildGoneMidway, 5000,
      "the monitor failed at command 'query-kvm': end of file", 0 },
    { "truncated", buildTruncated, 5000,
      "the monitor failed at command 'query-version'", 0 },
    { "not-json", buildNotJSON, 5000,
      "the monitor failed at command 'query-version'", 0 },
    { "version-array", buildVersionArray, 5000,
      "malformed reply of QEMU to 'query-version'", VIR_ERR_INTERNAL_ERROR },
    { "version-string", buildVersionString, 5000, "micro",
      VIR_ERR_INTERNAL_ERROR },
    { "version-error", buildVersionError, 5000, "out of cheese", 0 },
    { "schema-object", buildSchemaObject, 5000,
      "malformed reply of QEMU to 'query-qmp-schema'",
      VIR_ERR_INTERNAL_ERROR },
    { "machines-bad", buildMachinesBad, 5000, "query-machines",
      VIR_ERR_INTERNAL_ERROR },
    { "machines-no-cpu-max", buildMachinesNoCpuMax, 5000,
      "machine 'pc' in 'query-machines' has no valid 'cpu-max'",
      VIR_ERR_INTERNAL_ERROR },
    { "types-bad", buildTypesBad, 5000,
      "malformed reply of QEMU to 'qom-list-types': entry 0 has no string 'name'",
      VIR_ERR_INTERNAL_ERROR },
    { "event-flood", buildFlood, 20000, NULL, 0 },
    { "greet-twice", buildGreetTwice, 5000, NULL, 0 },
    { "greet-twice-chunked", buildGreetTwiceChunked, 20000, NULL, 0 },
};

static void
testCapsBad(gconstpointer data)
{
    const badCase *tc = data;
    g_autoptr(testQMPServer) srv = testQMPServerNew();
    g_autoptr(drvQemuCaps) caps = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) srvErr = NULL;
    gint64 start = g_get_monotonic_time();
    int fd;

    tc->build(srv);
    if ((fd = testQMPServerStart(srv, &error)) < 0) {
        VGM_TEST_FAIL("%s", error->message);
        return;
    }
    caps = drvQemuCapsProbeFD(fd, "/fake/qemu", tc->timeoutMs, &error);
    if (testQMPServerFinish(srv, &srvErr) < 0 && !tc->error)
        VGM_TEST_FAIL("%s: %s", tc->name, srvErr->message);
    if (!tc->error) {
        if (!caps)
            VGM_TEST_FAIL("%s: %s", tc->name, error->message);
        else if (!drvQemuCapsHas(caps, DRV_QEMU_CAPS_TDX_GUEST))
            VGM_TEST_FAIL("%s: flags lost", tc->name);
        return;
    }
    if (caps) {
        VGM_TEST_FAIL("%s: probe succeeded", tc->name);
        return;
    }
    g_assert_true(g_error_matches(error, DRV_ERROR, error->code));
    g_test_message("%s: %s", tc->name, error->message);
    if (!strstr(error->message, tc->error))
        VGM_TEST_FAIL("%s: error '%s' lacks '%s'", tc->name, error->message,
                      tc->error);
    if (tc->code && error->code != tc->code)
        VGM_TEST_FAIL("%s: error code %d, expected %d", tc->name,
                      error->code, tc->code);
    if (g_get_monotonic_time() - start > (tc->timeoutMs + 2000) * 1000LL)
        VGM_TEST_FAIL("%s: took too long", tc->name);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);

    DO_TEST_CAPS("7.2.22", "7.2.22", TEST_QEMU_CAPS_OVERLAY_NONE);
    DO_TEST_CAPS("10.0.13", "10.0.13", TEST_QEMU_CAPS_OVERLAY_NONE);
    DO_TEST_CAPS("11.1.3", "11.1.3", TEST_QEMU_CAPS_OVERLAY_NONE);
    DO_TEST_CAPS("11.1.3+gmem-rfc", "11.1.3", TEST_QEMU_CAPS_OVERLAY_GMEM_RFC);
    DO_TEST_CAPS("11.1.3+memfd-gmem", "11.1.3",
                 TEST_QEMU_CAPS_OVERLAY_MEMFD_GMEM);

    for (i = 0; i < G_N_ELEMENTS(tableCases); i++) {
        g_autofree char *name = g_strdup_printf("/qemucaps/table/%zu-%s", i,
                                                tableCases[i].ver);

        g_test_add_data_func(name, &tableCases[i], testCapsTable);
    }
    for (i = 0; i < G_N_ELEMENTS(badCases); i++) {
        g_autofree char *name = g_strdup_printf("/qemucaps/bad/%s",
                                                badCases[i].name);

        g_test_add_data_func(name, &badCases[i], testCapsBad);
    }
    g_test_add_data_func("/qemucaps/sequence/7.2.22", "7.2.22",
                         testCapsSequence);
    g_test_add_data_func("/qemucaps/sequence/10.0.13", "10.0.13",
                         testCapsSequence);
    g_test_add_data_func("/qemucaps/sequence/11.1.3", "11.1.3",
                         testCapsSequence);
    g_test_add_func("/qemucaps/machines", testCapsMachines);
    g_test_add_func("/qemucaps/flag-names", testCapsFlagNames);
    vgmTestAddUnusedCheck("qemucaps");
    return g_test_run();
}
