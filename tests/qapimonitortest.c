/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "qapi/monitor.h"
#include "qapi/schema.h"
#include "tests/qemumonitortestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

#define TEST_TIMEOUT_MS 10000
#define NEWEST "11.1.3"

typedef struct {
    GMainContext *ctx;
    testQMPServer *srv;
    qapiMonitor *mon;
    int eofCount;
    char *eofMessage;
    GHashTable *events;     /* name -> count (handled by the table) */
    unsigned int otherEvents;
    gint64 lastSeconds;
} testFixture;

/* ---- fixture ---- */

static void
testOnEOF(qapiMonitor *mon, const GError *error, gpointer opaque)
{
    testFixture *f = opaque;

    f->eofCount++;
    g_free(f->eofMessage);
    f->eofMessage = g_strdup(error->message);
}

static void
testOnEvent(qapiMonitor *mon, const char *name, gint64 secs, gint64 usecs,
            const qapiJSON *data, gpointer opaque)
{
    testFixture *f = opaque;
    gpointer n = g_hash_table_lookup(f->events, name);

    g_hash_table_insert(f->events, g_strdup(name),
                        GUINT_TO_POINTER(GPOINTER_TO_UINT(n) + 1));
    f->lastSeconds = secs;
}

static void
testOnOtherEvent(qapiMonitor *mon, const char *name, gint64 secs,
                 gint64 usecs, const qapiJSON *data, gpointer opaque)
{
    testFixture *f = opaque;

    f->otherEvents++;
}

/* Sorted by name. */
static const qapiMonitorEventHandler testEventTable[] = {
    { "MIGRATION", testOnEvent },
    { "RESUME", testOnEvent },
    { "STOP", testOnEvent },
};

static void
testFixtureInit(testFixture *f)
{
    memset(f, 0, sizeof(*f));
    f->ctx = g_main_context_new();
    f->srv = testQMPServerNew();
    f->events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static bool
testFixtureAttach(testFixture *f, qapiMonitor *mon)
{
    f->mon = mon;
    qapiMonitorSetEOFHandler(f->mon, testOnEOF, f);
    return qapiMonitorSetEventHandlers(f->mon, testEventTable,
                                       G_N_ELEMENTS(testEventTable),
                                       testOnOtherEvent, f) == 0;
}

static bool
testFixtureStart(testFixture *f)
{
    g_autoptr(GError) error = NULL;
    int fd = testQMPServerStart(f->srv, &error);
    qapiMonitor *mon;

    if (fd < 0 || !(mon = qapiMonitorNew(fd, f->ctx, &error))) {
        VGM_TEST_FAIL("start: %s", error->message);
        return false;
    }
    return testFixtureAttach(f, mon);
}

/* Closes the client, waits for the server; @wantServerError: a part of
 * the server's report that must appear (NULL: it must report nothing). */
static void
testFixtureFinish(testFixture *f, const char *wantServerError)
{
    g_autoptr(GError) error = NULL;
    int rc;

    if (f->mon)
        qapiMonitorUnref(f->mon);
    rc = testQMPServerFinish(f->srv, &error);
    if (!wantServerError && rc < 0)
        VGM_TEST_FAIL("%s", error->message);
    else if (wantServerError &&
             (rc == 0 || !strstr(error->message, wantServerError)))
        VGM_TEST_FAIL("server report '%s' lacks '%s'",
                      error ? error->message : "(none)", wantServerError);
    testQMPServerFree(f->srv);
    g_hash_table_unref(f->events);
    g_free(f->eofMessage);
    g_main_context_unref(f->ctx);
}

static bool
testAddRecorded(testFixture *f, const char *ver, const char *name)
{
    g_autofree char *rel = g_strdup_printf("qemu/%s/%s.jsonl", ver, name);
    g_autofree char *path = vgmTestDataPath(rel);
    g_autoptr(GError) error = NULL;

    if (testQMPServerAddFile(f->srv, path, &error) < 0) {
        VGM_TEST_FAIL("%s", error->message);
        return false;
    }
    return true;
}

static bool
testAddHandshake(testFixture *f, const char *ver)
{
    return testAddRecorded(f, ver, "00-greeting") &&
        testAddRecorded(f, ver, "01-qmp_capabilities");
}

static bool
testHandshake(testFixture *f)
{
    g_autoptr(GError) error = NULL;

    if (qapiMonitorHandshakeSync(f->mon, TEST_TIMEOUT_MS, &error) < 0) {
        VGM_TEST_FAIL("handshake: %s", error->message);
        return false;
    }
    return true;
}

static gboolean
testGuardExpired(gpointer opaque)
{
    *(bool *)opaque = true;
    return G_SOURCE_REMOVE;
}

/* Iterates @ctx until *@flag, at most TEST_TIMEOUT_MS. */
static bool
testIterateUntil(GMainContext *ctx, const bool *flag)
{
    bool expired = false;
    GSource *guard = g_timeout_source_new(TEST_TIMEOUT_MS);

    g_source_set_callback(guard, testGuardExpired, &expired, NULL);
    g_source_attach(guard, ctx);
    while (!*flag && !expired)
        g_main_context_iteration(ctx, TRUE);
    g_source_destroy(guard);
    g_source_unref(guard);
    if (!*flag)
        VGM_TEST_FAIL("timed out waiting");
    return *flag;
}

static int
testCommand(testFixture *f, const char *execute, int timeoutMs,
            qapiJSON **reply, GError **error)
{
    g_autoptr(qapiJSON) cmd = qapiMonitorMakeCommand(execute, NULL);

    return qapiMonitorCommandSync(f->mon, &cmd, timeoutMs, reply, error);
}

/* A JSON line of about @size bytes: {"return":{"blob":"xxx…"}}. */
static char *
testBigReply(size_t size)
{
    g_autofree char *blob = g_strnfill(size, 'x');

    return g_strdup_printf("{\"return\":{\"blob\":\"%s\"}}", blob);
}


/* ---- cases ---- */

typedef struct {
    const char *name;
    void (*func)(const void *data);
    const void *data;
} testCase;

static void
testCaseHandshake(const void *data)
{
    const char *ver = data;
    testFixture f;
    int major = 0;
    int minor = 0;
    int micro = 0;
    g_autofree char *want = NULL;
    g_autofree char *got = NULL;

    testFixtureInit(&f);
    if (testAddHandshake(&f, ver) && testFixtureStart(&f) &&
        testHandshake(&f)) {
        qapiMonitorGetVersion(f.mon, &major, &minor, &micro);
        got = g_strdup_printf("%d.%d.%d", major, minor, micro);
        if (strcmp(got, ver) != 0)
            VGM_TEST_FAIL("version %s, want %s", got, ver);
        if (!g_str_has_prefix(qapiMonitorGetPackage(f.mon), "Debian") ||
            !qapiMonitorHasCapability(f.mon, "oob") ||
            qapiMonitorHasCapability(f.mon, "nope"))
            VGM_TEST_FAIL("greeting details wrong");
    }
    testFixtureFinish(&f, NULL);
}

static void
testCaseRecordedCommand(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiJSON) reply = NULL;

    testFixtureInit(&f);
    if (testAddHandshake(&f, NEWEST) &&
        testAddRecorded(&f, NEWEST, "06-query-status") &&
        testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-status", TEST_TIMEOUT_MS, &reply,
                        &error) < 0)
            VGM_TEST_FAIL("%s", error->message);
        else if (g_strcmp0(qapiJSONObjectGetString(reply, "status"),
                           "prelaunch") != 0)
            VGM_TEST_FAIL("wrong reply");
    }
    testFixtureFinish(&f, NULL);
}

static void
testCaseErrorReply(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) error2 = NULL;

    testFixtureInit(&f);
    if (!testAddHandshake(&f, NEWEST) ||
        !testAddRecorded(&f, NEWEST, "36-query-sev-capabilities"))
        return;
    testQMPServerAddExpect(f.srv, "{\"execute\":\"frobnicate\"}",
                           "{\"error\":{\"class\":\"CommandNotFound\","
                           "\"desc\":\"The command frobnicate has not been found\"}}");
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-sev-capabilities", TEST_TIMEOUT_MS, NULL,
                        &error) != -1 ||
            !g_error_matches(error, QAPI_ERROR, VIR_ERR_OPERATION_FAILED) ||
            strcmp(error->message, "QEMU command 'query-sev-capabilities' "
                   "failed: SEV is not enabled in KVM") != 0 ||
            g_strcmp0(qapiMonitorGetLastErrorClass(f.mon), "GenericError") != 0)
            VGM_TEST_FAIL("wrong error: %s", error ? error->message : "none");
        if (testCommand(&f, "frobnicate", TEST_TIMEOUT_MS, NULL,
                        &error2) != -1 ||
            !g_error_matches(error2, QAPI_ERROR,
                             VIR_ERR_OPERATION_UNSUPPORTED) ||
            !strstr(error2->message, "has not been found") ||
            g_strcmp0(qapiMonitorGetLastErrorClass(f.mon),
                      "CommandNotFound") != 0)
            VGM_TEST_FAIL("wrong error: %s",
                          error2 ? error2->message : "none");
        if (f.eofCount != 0)
            VGM_TEST_FAIL("an error reply failed the monitor");
    }
    testFixtureFinish(&f, NULL);
}

typedef struct {
    GPtrArray *order;
    int done;
    bool all;
} testAsync;

static void
testAsyncReply(qapiMonitor *mon, qapiJSON *reply, const GError *error,
               gpointer opaque)
{
    testAsync *a = opaque;

    g_ptr_array_add(a->order, reply ? qapiJSONFormat(reply, false) :
                    g_strdup(error->message));
    qapiJSONFree(reply);
    a->all = ++a->done == 2;
}

static void
testCaseOutOfOrder(const void *data)
{
    testFixture f;
    testAsync a = { g_ptr_array_new_with_free_func(g_free), 0, false };
    g_autoptr(qapiJSON) c1 = qapiMonitorMakeCommand("query-a", NULL);
    g_autoptr(qapiJSON) c2 = qapiMonitorMakeCommand("query-b", NULL);
    const char *ev = "{\"event\":\"STOP\",\"timestamp\":"
        "{\"seconds\":1700000000,\"microseconds\":5}}";

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-a\"}", NULL);
    testQMPServerAddSend(f.srv, ev);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-b\"}", NULL);
    testQMPServerAddSend(f.srv, "{\"event\":\"RESUME\",\"data\":{}}");
    testQMPServerAddReplyTo(f.srv, 2, "{\"return\":{\"b\":2}}");
    testQMPServerAddSend(f.srv, "{\"event\":\"DEVICE_DELETED\"}");
    testQMPServerAddReplyTo(f.srv, 1, "{\"return\":{\"a\":1}}");
    if (testFixtureStart(&f) && testHandshake(&f) &&
        qapiMonitorSend(f.mon, &c1, TEST_TIMEOUT_MS, testAsyncReply, &a,
                        NULL) == 0 &&
        qapiMonitorSend(f.mon, &c2, TEST_TIMEOUT_MS, testAsyncReply, &a,
                        NULL) == 0 &&
        testIterateUntil(f.ctx, &a.all)) {
        if (strcmp(a.order->pdata[0], "{\"b\":2}") != 0 ||
            strcmp(a.order->pdata[1], "{\"a\":1}") != 0)
            VGM_TEST_FAIL("replies mismatched: %s %s",
                          (char *)a.order->pdata[0], (char *)a.order->pdata[1]);
        if (GPOINTER_TO_UINT(g_hash_table_lookup(f.events, "STOP")) != 1 ||
            GPOINTER_TO_UINT(g_hash_table_lookup(f.events, "RESUME")) != 1 ||
            f.otherEvents != 1)
            VGM_TEST_FAIL("events not delivered");
    }
    testFixtureFinish(&f, NULL);
    g_ptr_array_unref(a.order);
}

static void
testCaseTimeout(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) error2 = NULL;
    g_autoptr(qapiJSON) reply = NULL;

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-slow\"}", NULL);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-name\"}", NULL);
    testQMPServerAddReplyTo(f.srv, 1, "{\"return\":{\"late\":true}}");
    testQMPServerAddReplyTo(f.srv, 2, "{\"return\":{\"name\":\"x\"}}");
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-slow", 50, NULL, &error) != -1 ||
            !g_error_matches(error, QAPI_ERROR, VIR_ERR_OPERATION_TIMEOUT) ||
            !strstr(error->message, "'query-slow'"))
            VGM_TEST_FAIL("no timeout: %s", error ? error->message : "none");
        if (testCommand(&f, "query-name", TEST_TIMEOUT_MS, &reply,
                        &error2) < 0)
            VGM_TEST_FAIL("after the timeout: %s", error2->message);
        else if (g_strcmp0(qapiJSONObjectGetString(reply, "name"), "x") != 0)
            VGM_TEST_FAIL("the late reply was taken");
    }
    testFixtureFinish(&f, NULL);
}

static void
testCaseEOF(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) error2 = NULL;

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-status\"}", NULL);
    testQMPServerAddHangup(f.srv);
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-status", TEST_TIMEOUT_MS, NULL,
                        &error) != -1 ||
            !strstr(error->message, "end of file from the QEMU monitor"))
            VGM_TEST_FAIL("pending command not failed: %s",
                          error ? error->message : "none");
        if (f.eofCount != 1 || !strstr(f.eofMessage, "end of file"))
            VGM_TEST_FAIL("EOF callback ran %d times", f.eofCount);
        if (testCommand(&f, "query-status", TEST_TIMEOUT_MS, NULL,
                        &error2) != -1 ||
            !g_error_matches(error2, QAPI_ERROR, VIR_ERR_OPERATION_INVALID))
            VGM_TEST_FAIL("send after EOF did not fail");
        if (f.eofCount != 1)
            VGM_TEST_FAIL("EOF callback ran again");
    }
    testFixtureFinish(&f, NULL);
}

typedef struct {
    const char *reply;
    const char *message;
} testGarbage;

static const testGarbage garbageCases[] = {
    { "this is not JSON", "cannot parse a message from the QEMU monitor" },
    { "[1, 2]", "not a JSON object" },
    { "{\"hello\": 1}", "neither a reply nor an event: '{\"hello\": 1}'" },
    { "qemu\tsaid \\o/", "'qemu\\x09said \\x5co/'" },
    { "{\"return\": {}, \"id\": \"someone-else\"}", "unknown command id" },
};

static void
testCaseGarbage(const void *data)
{
    const testGarbage *tc = data;
    testFixture f;
    g_autoptr(GError) error = NULL;

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-status\"}", NULL);
    testQMPServerAddSend(f.srv, tc->reply);
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-status", TEST_TIMEOUT_MS, NULL,
                        &error) != -1 || !strstr(error->message, tc->message))
            VGM_TEST_FAIL("got '%s', want '%s'",
                          error ? error->message : "none", tc->message);
        if (f.eofCount != 1)
            VGM_TEST_FAIL("EOF callback ran %d times", f.eofCount);
    }
    testFixtureFinish(&f, NULL);
}

/*
 * QEMU 7.2 may greet twice (a race between its main thread accepting the
 * connection and the monitor I/O thread installing its handlers); the
 * repeat must not fail the handshake.  @data: the version's greeting.
 */
static void
testCaseRepeatedGreeting(const void *data)
{
    const char *ver = data;
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiJSON) reply = NULL;

    testFixtureInit(&f);
    testAddRecorded(&f, ver, "00-greeting");
    testAddHandshake(&f, ver);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-status\"}",
                           "{\"return\":{\"status\":\"prelaunch\"}}");
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-status", TEST_TIMEOUT_MS, &reply,
                        &error) < 0)
            VGM_TEST_FAIL("%s", error->message);
        else if (g_strcmp0(qapiJSONObjectGetString(reply, "status"),
                           "prelaunch") != 0)
            VGM_TEST_FAIL("wrong reply");
    }
    testFixtureFinish(&f, NULL);
}

static void
testCaseNoGreeting(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;

    testFixtureInit(&f);
    testQMPServerAddSend(f.srv, "{\"return\": {}}");
    if (testFixtureStart(&f) &&
        (qapiMonitorHandshakeSync(f.mon, TEST_TIMEOUT_MS, &error) != -1 ||
         !strstr(error->message, "did not start with a QMP greeting")))
        VGM_TEST_FAIL("got '%s'", error ? error->message : "success");
    testFixtureFinish(&f, NULL);
}

static void
testCaseGreetingTimeout(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;

    testFixtureInit(&f);
    if (testFixtureStart(&f) &&
        (qapiMonitorHandshakeSync(f.mon, 50, &error) != -1 ||
         !g_error_matches(error, QAPI_ERROR, VIR_ERR_OPERATION_TIMEOUT)))
        VGM_TEST_FAIL("got '%s'", error ? error->message : "success");
    testFixtureFinish(&f, NULL);
}

static void
testCaseRecordedSchema(const void *data)
{
    const char *ver = data;
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiJSON) reply = NULL;
    g_autoptr(qapiSchema) schema = NULL;

    testFixtureInit(&f);
    testAddHandshake(&f, ver);
    testAddRecorded(&f, ver, "07-query-qmp-schema");
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-qmp-schema", TEST_TIMEOUT_MS, &reply,
                        &error) < 0 ||
            !(schema = qapiSchemaNew(&reply, &error)))
            VGM_TEST_FAIL("%s", error->message);
        else if (qapiSchemaSize(schema) < 1000 ||
                 !qapiSchemaHas(schema, "object-add/arg-type/+memory-backend-memfd"))
            VGM_TEST_FAIL("schema incomplete");
    }
    testFixtureFinish(&f, NULL);
}

static void
testCaseBigReply(const void *data)
{
    size_t size = GPOINTER_TO_SIZE(data);
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiJSON) reply = NULL;
    g_autofree char *big = testBigReply(size);

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-big\"}", big);
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-big", TEST_TIMEOUT_MS, &reply, &error) < 0)
            VGM_TEST_FAIL("%s", error->message);
        else if (strlen(qapiJSONObjectGetString(reply, "blob")) != size)
            VGM_TEST_FAIL("reply truncated");
    }
    testFixtureFinish(&f, NULL);
}

static void
testCaseTooBig(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autofree char *big = testBigReply(2 * 1024 * 1024);

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-big\"}", big);
    if (testFixtureStart(&f) && testHandshake(&f)) {
        qapiMonitorSetMaxMessage(f.mon, 1024 * 1024);
        if (testCommand(&f, "query-big", TEST_TIMEOUT_MS, NULL,
                        &error) != -1 ||
            !strstr(error->message, "exceeds 1048576 bytes"))
            VGM_TEST_FAIL("got '%s'", error ? error->message : "success");
        if (f.eofCount != 1)
            VGM_TEST_FAIL("EOF callback ran %d times", f.eofCount);
    }
    testFixtureFinish(&f, NULL);
}

static void
testCaseByteByByte(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiJSON) reply = NULL;

    testFixtureInit(&f);
    testQMPServerSetByteByByte(f.srv, true);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddSend(f.srv, "{\"event\":\"MIGRATION\",\"data\":"
                         "{\"status\":\"setup\"},\"timestamp\":"
                         "{\"seconds\":42,\"microseconds\":7}}");
    testAddRecorded(&f, NEWEST, "06-query-status");
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-status", TEST_TIMEOUT_MS, &reply,
                        &error) < 0)
            VGM_TEST_FAIL("%s", error->message);
        else if (!qapiJSONObjectGetString(reply, "status") ||
                 GPOINTER_TO_UINT(g_hash_table_lookup(f.events,
                                                      "MIGRATION")) != 1 ||
                 f.lastSeconds != 42)
            VGM_TEST_FAIL("reply or event lost");
    }
    testFixtureFinish(&f, NULL);
}

#define TEST_CHUNK_RUNS 60

/* One conversation, the server's output cut at random from @seed. */
static void
testChunkedRun(guint32 seed, size_t maxChunk)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiJSON) reply = NULL;
    unsigned int i;

    testFixtureInit(&f);
    testQMPServerSetChunked(f.srv, seed, maxChunk);
    testAddRecorded(&f, "7.2.22", "00-greeting");
    testAddHandshake(&f, "7.2.22");
    for (i = 0; i < 3; i++)
        testQMPServerAddSend(f.srv, "{\"timestamp\":{\"seconds\":42,"
                             "\"microseconds\":7},\"event\":\"STOP\"}");
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-status\"}",
                           "{\"return\":{\"status\":\"paused\"}}");
    testQMPServerAddSend(f.srv, "{\"event\":\"RESUME\"}");
    testAddRecorded(&f, NEWEST, "06-query-status");
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-status", TEST_TIMEOUT_MS, NULL,
                        &error) < 0 ||
            testCommand(&f, "query-status", TEST_TIMEOUT_MS, &reply,
                        &error) < 0)
            VGM_TEST_FAIL("seed %u: %s", seed, error->message);
        else if (!qapiJSONObjectGetString(reply, "status") ||
                 GPOINTER_TO_UINT(g_hash_table_lookup(f.events, "STOP")) != 3)
            VGM_TEST_FAIL("seed %u: reply or event lost", seed);
    }
    testFixtureFinish(&f, NULL);
}

/*
 * Frames split anywhere (also between "\r" and "\n"), several in one
 * read, the greeting repeated; @data: the largest piece.
 */
static void
testCaseRandomChunks(const void *data)
{
    size_t maxChunk = GPOINTER_TO_SIZE(data);
    guint32 i;

    for (i = 1; i <= TEST_CHUNK_RUNS; i++)
        testChunkedRun(i, maxChunk);
}

static void
testCaseEventFlood(const void *data)
{
    static const char *const names[] = {
        "MIGRATION", "RESUME", "STOP", "MIGRATION_PASS",
    };
    const unsigned int count = 10000;
    testFixture f;
    g_autoptr(GError) error = NULL;
    unsigned int handled = 0;
    unsigned int i;

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-status\"}", NULL);
    for (i = 0; i < count; i++) {
        g_autofree char *ev = g_strdup_printf(
            "{\"timestamp\":{\"seconds\":%u,\"microseconds\":0},"
            "\"event\":\"%s\",\"data\":{\"pass\":%u}}", i, names[i % 4], i);

        testQMPServerAddSend(f.srv, ev);
    }
    testQMPServerAddReplyTo(f.srv, 1, "{\"return\":{\"status\":\"running\"}}");
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-status", TEST_TIMEOUT_MS, NULL,
                        &error) < 0)
            VGM_TEST_FAIL("%s", error->message);
        for (i = 0; i < 3; i++)
            handled += GPOINTER_TO_UINT(g_hash_table_lookup(f.events,
                                                            names[i]));
        if (handled != count / 4 * 3 || f.otherEvents != count / 4)
            VGM_TEST_FAIL("events: %u by the table, %u others", handled,
                          f.otherEvents);
    }
    testFixtureFinish(&f, NULL);
}

static void
testCaseRaw(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autofree char *r1 = NULL;
    g_autofree char *r2 = NULL;
    g_autofree char *r3 = NULL;

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    testAddRecorded(&f, NEWEST, "06-query-status");
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-name\"}",
                           "{\"return\":{}}");
    testQMPServerAddExpect(f.srv, "{\"execute\":\"nope\"}",
                           "{\"error\":{\"class\":\"CommandNotFound\","
                           "\"desc\":\"The command nope has not been found\"}}");
    if (!testFixtureStart(&f) || !testHandshake(&f))
        goto cleanup;
    if (qapiMonitorCommandRawSync(f.mon, "{\"execute\": \"query-status\", "
                                  "\"id\": \"mine\"}", TEST_TIMEOUT_MS, &r1,
                                  &error) < 0 ||
        qapiMonitorCommandRawSync(f.mon, "{\"execute\":\"query-name\"}",
                                  TEST_TIMEOUT_MS, &r2, &error) < 0 ||
        qapiMonitorCommandRawSync(f.mon, "{\"execute\":\"nope\"}",
                                  TEST_TIMEOUT_MS, &r3, &error) < 0) {
        VGM_TEST_FAIL("%s", error->message);
        goto cleanup;
    }
    if (strcmp(r1, "{\"return\":{\"status\":\"prelaunch\",\"running\":false},"
               "\"id\":\"mine\"}") != 0 ||
        strcmp(r2, "{\"return\":{}}") != 0 ||
        !strstr(r3, "\"class\":\"CommandNotFound\""))
        VGM_TEST_FAIL("raw replies: %s / %s / %s", r1, r2, r3);
 cleanup:
    testFixtureFinish(&f, NULL);
}

static void
testCaseRawBad(const void *data)
{
    testFixture f;
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;
    char *reply = NULL;

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    if (testFixtureStart(&f) && testHandshake(&f) &&
        (qapiMonitorCommandRawSync(f.mon, "{\"execute\":", 100, &reply,
                                   &e1) != -1 ||
         qapiMonitorCommandRawSync(f.mon, "{\"exec\":\"x\"}", 100, &reply,
                                   &e2) != -1 ||
         !strstr(e2->message, "'execute'")))
        VGM_TEST_FAIL("bad raw commands were sent");
    testFixtureFinish(&f, NULL);
}

static void
testCaseClosePending(const void *data)
{
    testFixture f;
    testAsync a = { g_ptr_array_new_with_free_func(g_free), 0, false };
    g_autoptr(qapiJSON) c1 = qapiMonitorMakeCommand("query-a", NULL);

    testFixtureInit(&f);
    testAddRecorded(&f, NEWEST, "00-greeting");
    if (testFixtureStart(&f) &&
        qapiMonitorSend(f.mon, &c1, 0, testAsyncReply, &a, NULL) == 0) {
        qapiMonitorClose(f.mon);
        if (a.done != 1 || !strstr(a.order->pdata[0], "was closed"))
            VGM_TEST_FAIL("pending command not failed on close");
        if (f.eofCount != 0)
            VGM_TEST_FAIL("EOF callback ran on an explicit close");
    }
    testFixtureFinish(&f, NULL);
    g_ptr_array_unref(a.order);
}

static void
testCaseConnect(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("vgm-qmp-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *missing = g_build_filename(dir, "none.sock", NULL);
    qapiMonitor *mon;

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    if (testQMPServerStartListen(f.srv, path, &error) < 0 ||
        !(mon = qapiMonitorConnect(path, f.ctx, 0, &error))) {
        VGM_TEST_FAIL("%s", error->message);
    } else if (testFixtureAttach(&f, mon)) {
        testHandshake(&f);
    }
    testFixtureFinish(&f, NULL);
    g_clear_error(&error);
    if (qapiMonitorConnect(missing, NULL, 30, &error) ||
        !strstr(error->message, missing))
        VGM_TEST_FAIL("connecting to a missing socket did not fail");
    unlink(path);
    rmdir(dir);
}

static void
testCaseEventTableUnsorted(const void *data)
{
    static const qapiMonitorEventHandler bad[] = {
        { "STOP", NULL },
        { "RESUME", NULL },
    };
    testFixture f;

    testFixtureInit(&f);
    if (testFixtureStart(&f) &&
        qapiMonitorSetEventHandlers(f.mon, bad, G_N_ELEMENTS(bad), NULL,
                                    NULL) != -1)
        VGM_TEST_FAIL("an unsorted table was taken");
    testFixtureFinish(&f, NULL);
}

/* The fake server itself: unexpected commands and schema checks fail. */
static void
testCaseFakeUnexpected(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;

    testFixtureInit(&f);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddExpect(f.srv, "{\"execute\":\"query-status\"}",
                           "{\"return\":{}}");
    if (testFixtureStart(&f) && testHandshake(&f) &&
        (testCommand(&f, "query-name", TEST_TIMEOUT_MS, NULL, &error) != -1 ||
         !strstr(error->message, "fake QMP server: unexpected command")))
        VGM_TEST_FAIL("got '%s'", error ? error->message : "success");
    testFixtureFinish(&f, "expected {\"execute\":\"query-status\"}");
}

static void
testCaseFakeSchemaCheck(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = vgmTestLoadData("qemu/" NEWEST "/07-query-qmp-schema.jsonl");
    g_autoptr(qapiSchema) schema = qapiSchemaParse(strchr(text, '\n') + 1,
                                                   NULL);
    const char *cmd = "{\"execute\":\"object-add\",\"arguments\":"
        "{\"qom-type\":\"memory-backend-memfd\",\"id\":\"m\",\"size\":1,"
        "\"guest-memfd\":true}}";
    g_autoptr(qapiJSON) c = qapiJSONParse(cmd, NULL);

    testFixtureInit(&f);
    testQMPServerSetSchema(f.srv, schema);
    testAddHandshake(&f, NEWEST);
    testQMPServerAddExpect(f.srv, cmd, "{\"return\":{}}");
    if (testFixtureStart(&f) && testHandshake(&f) &&
        qapiMonitorCommandSync(f.mon, &c, TEST_TIMEOUT_MS, NULL, &error) < 0)
        VGM_TEST_FAIL("%s", error->message);
    testFixtureFinish(&f, "does not know the member 'guest-memfd'");
}

static void
testCaseFakeAnyOrder(const void *data)
{
    testFixture f;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) error2 = NULL;

    testFixtureInit(&f);
    testQMPServerSetAnyOrder(f.srv, true);
    testAddHandshake(&f, NEWEST);
    testAddRecorded(&f, NEWEST, "06-query-status");
    testAddRecorded(&f, NEWEST, "36-query-sev-capabilities");
    if (testFixtureStart(&f) && testHandshake(&f)) {
        if (testCommand(&f, "query-sev-capabilities", TEST_TIMEOUT_MS, NULL,
                        &error) != -1 || !strstr(error->message, "SEV is not"))
            VGM_TEST_FAIL("wrong reply: %s", error ? error->message : "none");
        if (testCommand(&f, "query-status", TEST_TIMEOUT_MS, NULL,
                        &error2) < 0)
            VGM_TEST_FAIL("%s", error2->message);
    }
    testFixtureFinish(&f, NULL);
}

static const testCase cases[] = {
    { "handshake/7.2.22", testCaseHandshake, "7.2.22" },
    { "handshake/10.0.13", testCaseHandshake, "10.0.13" },
    { "handshake/11.1.3", testCaseHandshake, "11.1.3" },
    { "handshake/no-greeting", testCaseNoGreeting, NULL },
    { "handshake/timeout", testCaseGreetingTimeout, NULL },
    { "handshake/repeated-greeting", testCaseRepeatedGreeting, "7.2.22" },
    { "command/recorded", testCaseRecordedCommand, NULL },
    { "command/error-reply", testCaseErrorReply, NULL },
    { "command/out-of-order", testCaseOutOfOrder, NULL },
    { "command/timeout", testCaseTimeout, NULL },
    { "command/raw", testCaseRaw, NULL },
    { "command/raw-bad", testCaseRawBad, NULL },
    { "fail/eof", testCaseEOF, NULL },
    { "fail/garbage", testCaseGarbage, &garbageCases[0] },
    { "fail/not-object", testCaseGarbage, &garbageCases[1] },
    { "fail/not-reply", testCaseGarbage, &garbageCases[2] },
    { "fail/unknown-id", testCaseGarbage, &garbageCases[3] },
    { "fail/escaped", testCaseGarbage, &garbageCases[4] },
    { "fail/too-big", testCaseTooBig, NULL },
    { "fail/close-pending", testCaseClosePending, NULL },
    { "large/schema-7.2.22", testCaseRecordedSchema, "7.2.22" },
    { "large/schema-10.0.13", testCaseRecordedSchema, "10.0.13" },
    { "large/schema-11.1.3", testCaseRecordedSchema, "11.1.3" },
    { "large/8MiB", testCaseBigReply, GSIZE_TO_POINTER(8 * 1024 * 1024) },
    { "stream/byte-by-byte", testCaseByteByByte, NULL },
    { "stream/event-flood", testCaseEventFlood, NULL },
    { "stream/chunks-1-4", testCaseRandomChunks, GSIZE_TO_POINTER(4) },
    { "stream/chunks-1-64", testCaseRandomChunks, GSIZE_TO_POINTER(64) },
    { "stream/chunks-1-512", testCaseRandomChunks, GSIZE_TO_POINTER(512) },
    { "connect/unix", testCaseConnect, NULL },
    { "events/unsorted-table", testCaseEventTableUnsorted, NULL },
    { "fake/unexpected-command", testCaseFakeUnexpected, NULL },
    { "fake/schema-check", testCaseFakeSchemaCheck, NULL },
    { "fake/any-order", testCaseFakeAnyOrder, NULL },
};

static void
testRun(gconstpointer data)
{
    const testCase *tc = data;

    tc->func(tc->data);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("/monitor/%s", cases[i].name);

        g_test_add_data_func(name, &cases[i], testRun);
    }
    vgmTestAddUnusedCheck("qemu");
    return g_test_run();
}
