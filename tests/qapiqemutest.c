/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qapi/monitor.h"
#include "qapi/schema.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * The monitor against a real QEMU started with "-machine none" (no KVM,
 * no root).  The binary is $VGM_TEST_QEMU or qemu-system-x86_64 in PATH;
 * without one the cases are skipped.
 */

#define TEST_TIMEOUT_MS 10000

typedef struct {
    char *dir;
    char *sock;
    GPid pid;
    GMainContext *ctx;
    qapiMonitor *mon;
    qapiSchema *schema;
    int eofCount;
    GPtrArray *events;
} testQEMU;

static testQEMU qemu;

static void
testOnEOF(qapiMonitor *mon, const GError *error, gpointer opaque)
{
    qemu.eofCount++;
}

static void
testOnEvent(qapiMonitor *mon, const char *name, gint64 secs, gint64 usecs,
            const qapiJSON *data, gpointer opaque)
{
    g_ptr_array_add(qemu.events, g_strdup(name));
}

static int
testQEMUStart(const char *binary, GError **error)
{
    g_autofree char *qmp = NULL;
    const char *argv[] = {
        binary, "-machine", "none", "-nodefaults", "-display", "none",
        "-qmp", NULL, NULL,
    };

    qemu.dir = g_dir_make_tmp("vgm-qemu-XXXXXX", error);
    if (!qemu.dir)
        return -1;
    qemu.sock = g_build_filename(qemu.dir, "qmp.sock", NULL);
    qmp = g_strdup_printf("unix:%s,server=on,wait=off", qemu.sock);
    argv[7] = qmp;
    if (!g_spawn_async(NULL, (char **)argv, NULL,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                       NULL, NULL, &qemu.pid, error))
        return -1;
    qemu.ctx = g_main_context_new();
    qemu.events = g_ptr_array_new_with_free_func(g_free);
    qemu.mon = qapiMonitorConnect(qemu.sock, qemu.ctx, TEST_TIMEOUT_MS, error);
    if (!qemu.mon)
        return -1;
    qapiMonitorSetEOFHandler(qemu.mon, testOnEOF, NULL);
    qapiMonitorSetEventHandlers(qemu.mon, NULL, 0, testOnEvent, NULL);
    return qapiMonitorHandshakeSync(qemu.mon, TEST_TIMEOUT_MS, error);
}

static void
testQEMUStop(void)
{
    int status;

    if (qemu.mon)
        qapiMonitorUnref(qemu.mon);
    if (qemu.pid > 0) {
        kill(qemu.pid, SIGTERM);
        waitpid(qemu.pid, &status, 0);
    }
    if (qemu.sock)
        unlink(qemu.sock);
    if (qemu.dir)
        rmdir(qemu.dir);
    qapiSchemaFree(qemu.schema);
    if (qemu.events)
        g_ptr_array_unref(qemu.events);
    if (qemu.ctx)
        g_main_context_unref(qemu.ctx);
    g_free(qemu.sock);
    g_free(qemu.dir);
}

static int
testRun(const char *execute, const char *args, qapiJSON **reply,
        GError **error)
{
    g_autoptr(qapiJSON) a = args ? qapiJSONParse(args, NULL) : NULL;
    g_autoptr(qapiJSON) cmd = qapiMonitorMakeCommand(execute, &a);

    return qapiMonitorCommandSync(qemu.mon, &cmd, TEST_TIMEOUT_MS, reply,
                                  error);
}

static void
testCaseVersion(gconstpointer data)
{
    g_autoptr(qapiJSON) reply = NULL;
    g_autoptr(GError) error = NULL;
    int major = 0;
    int minor = 0;
    int micro = 0;
    gint64 qmajor = -1;

    qapiMonitorGetVersion(qemu.mon, &major, &minor, &micro);
    if (testRun("query-version", NULL, &reply, &error) < 0)
        VGM_TEST_FAIL("%s", error->message);
    else if (!qapiJSONPathGetInt64(reply, "qemu/major", &qmajor) ||
             qmajor != major || major < 6)
        VGM_TEST_FAIL("greeting says %d, query-version %" G_GINT64_FORMAT,
                      major, qmajor);
}

/* The live schema answers like the recorded one of the same version. */
static void
testCaseSchema(gconstpointer data)
{
    static const char *const queries[] = {
        "object-add/arg-type/+memory-backend-memfd/hugetlb",
        "object-add/arg-type/+memory-backend-guest-memfd",
        "object-add/arg-type/+sev-snp-guest",
        "migrate-set-capabilities/arg-type/capabilities/capability/^switchover-ack",
        "query-migrate/ret-type/blocked-reasons",
        "object-add/arg-type/qom-type/^iommufd",
    };
    g_autoptr(qapiJSON) reply = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *rel = NULL;
    g_autofree char *text = NULL;
    g_autoptr(qapiSchema) recorded = NULL;
    int v[3];
    size_t i;

    if (testRun("query-qmp-schema", NULL, &reply, &error) < 0 ||
        !(qemu.schema = qapiSchemaNew(&reply, &error))) {
        VGM_TEST_FAIL("%s", error->message);
        return;
    }
    qapiMonitorGetVersion(qemu.mon, &v[0], &v[1], &v[2]);
    rel = g_strdup_printf("qemu/%d.%d.%d/07-query-qmp-schema.jsonl",
                          v[0], v[1], v[2]);
    if (!vgmTestDataExists(rel)) {
        g_test_message("no recorded schema of this QEMU to compare with");
        return;
    }
    text = vgmTestLoadData(rel);
    recorded = qapiSchemaParse(strchr(text, '\n') + 1, NULL);
    for (i = 0; i < G_N_ELEMENTS(queries); i++) {
        if (qapiSchemaHas(qemu.schema, queries[i]) !=
            qapiSchemaHas(recorded, queries[i]))
            VGM_TEST_FAIL("'%s' differs from the recording", queries[i]);
    }
}

static void
testCaseErrors(gconstpointer data)
{
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;

    if (testRun("frobnicate", NULL, NULL, &e1) != -1 ||
        !g_error_matches(e1, QAPI_ERROR, VIR_ERR_OPERATION_UNSUPPORTED) ||
        g_strcmp0(qapiMonitorGetLastErrorClass(qemu.mon),
                  "CommandNotFound") != 0)
        VGM_TEST_FAIL("unknown command: %s", e1 ? e1->message : "success");
    if (testRun("qom-get", "{\"path\":\"/nope\",\"property\":\"type\"}",
                NULL, &e2) != -1 ||
        !g_str_has_prefix(e2->message, "QEMU command 'qom-get' failed: ") ||
        strlen(e2->message) <= strlen("QEMU command 'qom-get' failed: "))
        VGM_TEST_FAIL("qom-get: %s", e2 ? e2->message : "success");
}

/* Validated props go through object-add; invalid ones are caught first. */
static void
testCaseObjectAdd(gconstpointer data)
{
    g_autoptr(qapiJSON) good = NULL;
    g_autoptr(qapiJSON) bad = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiJSON) cmd = NULL;

    if (!qemu.schema) {
        g_test_skip("no schema");
        return;
    }
    if (qapiJSONObjectAdd(&good, &error, "s:qom-type", "memory-backend-ram",
                          "s:id", "ram0", "U:size", (guint64)1 << 20,
                          "b:share", false, NULL) < 0 ||
        qapiJSONObjectAdd(&bad, &error, "s:qom-type", "memory-backend-ram",
                          "s:id", "ram1", "s:size", "1M", NULL) < 0 ||
        qapiSchemaValidateArgs(qemu.schema, "object-add", good, &error) < 0) {
        VGM_TEST_FAIL("%s", error->message);
        return;
    }
    if (qapiSchemaValidateArgs(qemu.schema, "object-add", bad, NULL) == 0)
        VGM_TEST_FAIL("a string size passed validation");
    cmd = qapiMonitorMakeCommand("object-add", &good);
    if (qapiMonitorCommandSync(qemu.mon, &cmd, TEST_TIMEOUT_MS, NULL,
                               &error) < 0)
        VGM_TEST_FAIL("object-add: %s", error->message);
}

static void
testCaseRaw(gconstpointer data)
{
    g_autofree char *reply = NULL;
    g_autoptr(GError) error = NULL;

    if (qapiMonitorCommandRawSync(qemu.mon,
                                  "{\"execute\":\"query-status\",\"id\":7}",
                                  TEST_TIMEOUT_MS, &reply, &error) < 0)
        VGM_TEST_FAIL("%s", error->message);
    else if (!strstr(reply, "\"return\":{") || !strstr(reply, "\"id\":7"))
        VGM_TEST_FAIL("raw reply %s", reply);
}

static gboolean
testGuard(gpointer opaque)
{
    *(bool *)opaque = true;
    return G_SOURCE_REMOVE;
}

/* quit: the reply, SHUTDOWN, then EOF reported once. */
static void
testCaseQuit(gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    GSource *guard = g_timeout_source_new(TEST_TIMEOUT_MS);
    bool expired = false;

    g_source_set_callback(guard, testGuard, &expired, NULL);
    g_source_attach(guard, qemu.ctx);
    if (testRun("quit", NULL, NULL, &error) < 0)
        VGM_TEST_FAIL("%s", error->message);
    while (qemu.eofCount == 0 && !expired)
        g_main_context_iteration(qemu.ctx, TRUE);
    g_source_destroy(guard);
    g_source_unref(guard);
    if (qemu.eofCount != 1)
        VGM_TEST_FAIL("EOF reported %d times", qemu.eofCount);
    if (qemu.events->len == 0 ||
        strcmp(qemu.events->pdata[qemu.events->len - 1], "SHUTDOWN") != 0)
        VGM_TEST_FAIL("no SHUTDOWN event");
}

int
main(int argc, char **argv)
{
    g_autofree char *binary = NULL;
    g_autoptr(GError) error = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    binary = g_strdup(g_getenv("VGM_TEST_QEMU"));
    if (!binary)
        binary = g_find_program_in_path("qemu-system-x86_64");
    if (!binary) {
        g_print("1..0 # SKIP no QEMU binary\n");
        return 0;
    }
    if (testQEMUStart(binary, &error) < 0) {
        g_printerr("cannot start %s: %s\n", binary, error->message);
        testQEMUStop();
        return 1;
    }
    g_test_add_data_func("/qemu/version", NULL, testCaseVersion);
    g_test_add_data_func("/qemu/schema", NULL, testCaseSchema);
    g_test_add_data_func("/qemu/errors", NULL, testCaseErrors);
    g_test_add_data_func("/qemu/object-add", NULL, testCaseObjectAdd);
    g_test_add_data_func("/qemu/raw", NULL, testCaseRaw);
    g_test_add_data_func("/qemu/quit", NULL, testCaseQuit);
    ret = g_test_run();
    testQEMUStop();
    return ret;
}
