/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/rpcframe.h"
#include "daemon/rpcserver.h"
#include "tests/rpctestutils.h"
#include "tests/testutils.h"

/*
 * The limits of daemon/rpcserver.c and rpcclient.c that the
 * configuration sets, with a program of our own whose one procedure
 * takes a while: calls in flight per client (max_client_requests), and
 * the idle timeout held off by the driver's busy check.
 */

#define SLOW_MS 100

static gint running;
static gint maxRunning;
/* Calls wait (10 s at most) until this many ran at once, so a worker
 * that a loaded machine starts late still overlaps the others. */
static gint gate;

static int
slowProc(rpcConn *conn, void *args, void *ret, GError **error)
{
    gint now = g_atomic_int_add(&running, 1) + 1;
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    gint seen;

    while ((seen = g_atomic_int_get(&maxRunning)) < now &&
           !g_atomic_int_compare_and_exchange(&maxRunning, seen, now))
        ;
    while (g_atomic_int_get(&maxRunning) < g_atomic_int_get(&gate) &&
           g_get_monotonic_time() < end)
        g_usleep(1000);
    /* Then long enough for calls over the limit to show. */
    g_usleep(SLOW_MS * 1000);
    g_atomic_int_add(&running, -1);
    return 0;
}

static const rpcProc slowProcs[] = {
    { REMOTE_PROC_AUTH_LIST, "slow", RPC_XDR_VOID, RPC_XDR_VOID, slowProc,
      RPC_PROC_NO_OPEN | RPC_PROC_READONLY },
};

static const rpcProgram slowProgram = {
    REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, slowProcs,
    G_N_ELEMENTS(slowProcs)
};

static const rpcProgram *const slowPrograms[] = { &slowProgram, NULL };
static const rpcDaemon testDaemon = { .privileged = true };

typedef struct {
    unsigned int limit;         /* max_client_requests */
    int calls;
    int expectMax;              /* most calls seen running at once */
    bool exact;                 /* expectMax exactly, else at least */
} requestsCase;

static const requestsCase requestsCases[] = {
    { 1, 6, 1, true },
    { 2, 8, 2, true },
    { 16, 8, 3, false },
};

/* Run the server until @n replies arrived on @peer (10 s at most). */
static int
collectReplies(int peer, int n)
{
    rpcFrameReader reader;
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    int got = 0;

    rpcFrameReaderInit(&reader);
    while (got < n && g_get_monotonic_time() < end) {
        struct pollfd pfd = { peer, POLLIN, 0 };
        guint8 byte;
        gsize used;
        gsize len;

        while (g_main_context_iteration(NULL, FALSE))
            ;
        if (poll(&pfd, 1, 5) <= 0 || read(peer, &byte, 1) != 1)
            continue;
        if (rpcFrameReaderFeed(&reader, &byte, 1, &used, NULL) ==
            RPC_FRAME_COMPLETE) {
            g_free(rpcFrameReaderSteal(&reader, &len));
            got++;
        }
    }
    rpcFrameReaderClear(&reader);
    return got;
}

/* Pipelined slow calls: at most max_client_requests run at once. */
static void
testClientRequests(gconstpointer data)
{
    const requestsCase *tc = data;
    rpcServerConfig config = RPC_SERVER_CONFIG_DEFAULT;
    g_autoptr(rpcServer) srv = NULL;
    int fds[2];
    int i;

    config.keepAliveInterval = 0;
    config.maxClientRequests = tc->limit;
    srv = rpcServerNew(&config, &testDaemon, slowPrograms, NULL);
    g_assert_nonnull(srv);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds),
                    ==, 0);
    rpcServerAddClient(srv, fds[0], false, "socketpair");
    g_atomic_int_set(&maxRunning, 0);
    g_atomic_int_set(&gate, tc->expectMax);
    for (i = 0; i < tc->calls; i++) {
        g_autoptr(GBytes) call = rpcTestCall(REMOTE_PROC_AUTH_LIST, i, NULL,
                                             NULL);
        gsize len;
        const void *bytes = g_bytes_get_data(call, &len);

        g_assert_cmpint(write(fds[1], bytes, len), ==, (ssize_t)len);
    }
    g_assert_cmpint(collectReplies(fds[1], tc->calls), ==, tc->calls);
    if (tc->exact)
        g_assert_cmpint(g_atomic_int_get(&maxRunning), ==, tc->expectMax);
    else
        g_assert_cmpint(g_atomic_int_get(&maxRunning), >=, tc->expectMax);
    close(fds[1]);
}

/* A lower limit from rpcServerSetConfig() (SIGHUP) applies at once. */
static void
testSetConfig(void)
{
    rpcServerConfig config = RPC_SERVER_CONFIG_DEFAULT;
    g_autoptr(rpcServer) srv = NULL;
    int fds[2];
    int i;

    config.keepAliveInterval = 0;
    srv = rpcServerNew(&config, &testDaemon, slowPrograms, NULL);
    config.maxClientRequests = 1;
    config.maxWorkers = 4;
    rpcServerSetConfig(srv, &config);
    g_assert_cmpuint(rpcServerGetConfig(srv)->maxClientRequests, ==, 1);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds),
                    ==, 0);
    rpcServerAddClient(srv, fds[0], false, "socketpair");
    g_atomic_int_set(&maxRunning, 0);
    g_atomic_int_set(&gate, 1);
    for (i = 0; i < 4; i++) {
        g_autoptr(GBytes) call = rpcTestCall(REMOTE_PROC_AUTH_LIST, i, NULL,
                                             NULL);
        gsize len;
        const void *bytes = g_bytes_get_data(call, &len);

        g_assert_cmpint(write(fds[1], bytes, len), ==, (ssize_t)len);
    }
    g_assert_cmpint(collectReplies(fds[1], 4), ==, 4);
    g_assert_cmpint(g_atomic_int_get(&maxRunning), ==, 1);
    close(fds[1]);
}

typedef struct {
    int busyCalls;              /* how often the busy check ran */
    int busyFor;                /* say busy this many times */
    gint64 quitAt;
} idleState;

static bool
idleBusy(gpointer data)
{
    idleState *st = data;

    return st->busyCalls++ < st->busyFor;
}

static gboolean
idleQuit(gpointer data)
{
    idleState *st = data;

    st->quitAt = g_get_monotonic_time();
    return G_SOURCE_REMOVE;
}

/* No client for the timeout, but the driver is busy (running guests):
 * the daemon stays, and goes once the driver is idle. */
static void
testIdleBusy(void)
{
    rpcServerConfig config = RPC_SERVER_CONFIG_DEFAULT;
    g_autoptr(rpcServer) srv = NULL;
    idleState st = { 0, 2, 0 };
    gint64 start = g_get_monotonic_time();
    gint64 end = start + 10 * G_USEC_PER_SEC;

    srv = rpcServerNew(&config, &testDaemon, slowPrograms, NULL);
    rpcServerSetBusyCheck(srv, idleBusy, &st);
    rpcServerSetIdleTimeout(srv, 1, idleQuit, &st);
    while (!st.quitAt && g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpint(st.quitAt, !=, 0);
    g_assert_cmpint(st.busyCalls, ==, 3);
    /* Three timeouts of a second (each may be rounded down a little). */
    g_assert_cmpint(st.quitAt - start, >=, 2 * G_USEC_PER_SEC);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(requestsCases); i++) {
        g_autofree char *path = g_strdup_printf(
            "/rpc/limits/client-requests-%u", requestsCases[i].limit);

        g_test_add_data_func(path, &requestsCases[i], testClientRequests);
    }
    g_test_add_func("/rpc/limits/set-config", testSetConfig);
    g_test_add_func("/rpc/limits/idle-busy", testIdleBusy);
    return g_test_run();
}
