/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/rpcframe.h"
#include "daemon/rpcprograms.h"
#include "daemon/rpcserver.h"
#include "tests/rpctestutils.h"
#include "tests/testutils.h"
#include "util/fd.h"

/*
 * daemon/rpcserver.c and rpcclient.c in process: a client on one end of
 * a socketpair, the server's I/O on this thread's main context and its
 * calls on the worker pools.
 */

typedef struct {
    rpcServer *srv;
    int peer;                   /* our end of the socketpair */
    rpcFrameReader reader;
} serverFixture;

static const rpcDaemon testDaemon = { .privileged = true };

static void
fixtureSetUp(serverFixture *fx, gconstpointer data)
{
    rpcServerConfig config = RPC_SERVER_CONFIG_DEFAULT;
    int fds[2];

    config.keepAliveInterval = 0;
    config.maxClientRequests = 2;
    if (data)
        config.maxClients = GPOINTER_TO_UINT(data);
    fx->srv = rpcServerNew(&config, &testDaemon, rpcPrograms, NULL);
    g_assert_nonnull(fx->srv);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds),
                    ==, 0);
    rpcServerAddClient(fx->srv, fds[0], false, "socketpair");
    fx->peer = fds[1];
    rpcFrameReaderInit(&fx->reader);
}

static void
fixtureTearDown(serverFixture *fx, gconstpointer data)
{
    rpcServerFree(fx->srv);
    close(fx->peer);
    rpcFrameReaderClear(&fx->reader);
}

/* Run the server until a frame arrives on our end (5 s at most). */
static GBytes *
readFrame(serverFixture *fx)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < end) {
        struct pollfd pfd = { fx->peer, POLLIN, 0 };
        guint8 byte;
        gsize used;
        gsize len;

        while (g_main_context_iteration(NULL, FALSE))
            ;
        if (poll(&pfd, 1, 10) <= 0)
            continue;
        g_assert_cmpint(read(fx->peer, &byte, 1), ==, 1);
        if (rpcFrameReaderFeed(&fx->reader, &byte, 1, &used, NULL) ==
            RPC_FRAME_COMPLETE) {
            guint8 *frame = rpcFrameReaderSteal(&fx->reader, &len);

            return g_bytes_new_take(frame, len);
        }
    }
    return NULL;
}

static void
sendCall(serverFixture *fx, int proc, unsigned int serial, xdrproc_t filter,
         void *args)
{
    g_autoptr(GBytes) call = rpcTestCall(proc, serial, filter, args);
    gsize len;
    const void *data = g_bytes_get_data(call, &len);

    g_assert_cmpint(write(fx->peer, data, len), ==, (ssize_t)len);
}

/* Open, register for lifecycle events of every domain, get an event. */
static void
testLifecycleEvent(serverFixture *fx, gconstpointer data)
{
    remote_connect_open_args open = { NULL, 0 };
    remote_connect_domain_event_callback_register_any_args reg = { 0, NULL };
    remote_nonnull_domain vm1 = { (char *)"vm1", "0123456789abcdef", 3 };
    remote_domain_event_callback_lifecycle_msg msg = { 0 };
    g_autoptr(GBytes) reply1 = NULL;
    g_autoptr(GBytes) reply2 = NULL;
    g_autoptr(GBytes) event = NULL;
    rpc_message_header hdr;
    gsize len;
    const guint8 *bytes;

    sendCall(fx, REMOTE_PROC_CONNECT_OPEN, 0,
             (xdrproc_t)xdr_remote_connect_open_args, &open);
    g_assert_nonnull((reply1 = readFrame(fx)));
    sendCall(fx, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, 1,
             (xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_args,
             &reg);
    g_assert_nonnull((reply2 = readFrame(fx)));
    rpcServerEmitLifecycle(fx->srv, &vm1, 2, 0);
    g_assert_nonnull((event = readFrame(fx)));
    rpcTestReplyHeader(event, &hdr);
    g_assert_cmpint(hdr.type, ==, RPC_TYPE_MESSAGE);
    g_assert_cmpint(hdr.proc, ==, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE);
    bytes = g_bytes_get_data(event, &len);
    g_assert_cmpint(rpcPayloadDecode(bytes, len,
        (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &msg,
        NULL), ==, 0);
    g_assert_cmpint(msg.callbackID, ==, 1);
    g_assert_cmpstr(msg.msg.dom.name, ==, "vm1");
    g_assert_cmpint(msg.msg.dom.id, ==, 3);
    g_assert_cmpint(msg.msg.event, ==, 2);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &msg);
}

/* Far more calls than the in-flight limit, sent at once and read only
 * later: reading pauses and resumes, every call is answered once. */
static void
testPipelined(serverFixture *fx, gconstpointer data)
{
    const unsigned int calls = 200;
    g_autofree guint8 *seen = g_new0(guint8, calls);
    gint64 end = g_get_monotonic_time() + G_USEC_PER_SEC / 4;
    unsigned int i;

    for (i = 0; i < calls; i++)
        sendCall(fx, REMOTE_PROC_AUTH_LIST, i, NULL, NULL);
    while (g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, FALSE);
    for (i = 0; i < calls; i++) {
        g_autoptr(GBytes) reply = readFrame(fx);
        rpc_message_header hdr;

        g_assert_nonnull(reply);
        rpcTestReplyHeader(reply, &hdr);
        g_assert_cmpint(hdr.status, ==, RPC_STATUS_OK);
        g_assert_cmpuint(hdr.serial, <, calls);
        g_assert_cmpuint(seen[hdr.serial]++, ==, 0);
    }
}

/* The peer vanishes with a call in flight: nothing breaks. */
static void
testPeerGone(serverFixture *fx, gconstpointer data)
{
    sendCall(fx, REMOTE_PROC_AUTH_LIST, 0, NULL, NULL);
    shutdown(fx->peer, SHUT_RDWR);
    while (g_main_context_iteration(NULL, FALSE))
        ;
}

/* Over the client limit a connection is closed at once. */
static void
testMaxClients(void)
{
    rpcServerConfig config = RPC_SERVER_CONFIG_DEFAULT;
    g_autoptr(rpcServer) srv = NULL;
    int a[2];
    int b[2];
    char byte;

    config.maxClients = 1;
    srv = rpcServerNew(&config, &testDaemon, rpcPrograms, NULL);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a),
                    ==, 0);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b),
                    ==, 0);
    rpcServerAddClient(srv, a[0], false, "first");
    g_test_expect_message("vgm.daemon", G_LOG_LEVEL_WARNING,
                          "refusing client 2: already 1 clients");
    rpcServerAddClient(srv, b[0], false, "second");
    g_test_assert_expected_messages();
    g_assert_cmpint(read(b[1], &byte, 1), ==, 0);
    close(a[1]);
    close(b[1]);
}

/* CONNECT_CLOSE: the server closes the connection right after the
 * reply, as libvirtd does, so a client that got that reply and connects
 * again is not refused under max_clients (the refusal would be a fatal
 * warning here). */
static void
testCloseFreesSlot(serverFixture *fx, gconstpointer data)
{
    remote_connect_open_args open = { NULL, 0 };
    g_autoptr(GBytes) reply = NULL;
    g_autoptr(GBytes) authList = NULL;
    VGM_AUTOCLOSE int peer = -1;
    struct pollfd pfd = { fx->peer, POLLIN, 0 };
    char byte;
    int b[2];

    sendCall(fx, REMOTE_PROC_CONNECT_OPEN, 0,
             (xdrproc_t)xdr_remote_connect_open_args, &open);
    g_assert_nonnull((reply = readFrame(fx)));
    g_clear_pointer(&reply, g_bytes_unref);
    sendCall(fx, REMOTE_PROC_CONNECT_CLOSE, 1, NULL, NULL);
    g_assert_nonnull((reply = readFrame(fx)));
    /* Closed already: EOF without running the server again. */
    g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
    g_assert_cmpint(read(fx->peer, &byte, 1), ==, 0);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b),
                    ==, 0);
    rpcServerAddClient(fx->srv, b[0], false, "again");
    /* The new client is served: swap it in as ours. */
    peer = fx->peer;
    fx->peer = b[1];
    sendCall(fx, REMOTE_PROC_AUTH_LIST, 2, NULL, NULL);
    g_assert_nonnull((authList = readFrame(fx)));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/rpc/server/lifecycle-event", serverFixture, NULL,
               fixtureSetUp, testLifecycleEvent, fixtureTearDown);
    g_test_add("/rpc/server/pipelined", serverFixture, NULL, fixtureSetUp,
               testPipelined, fixtureTearDown);
    g_test_add_func("/rpc/server/max-clients", testMaxClients);
    g_test_add("/rpc/server/close-frees-slot", serverFixture,
               GUINT_TO_POINTER(1), fixtureSetUp, testCloseFreesSlot,
               fixtureTearDown);
    g_test_add("/rpc/server/peer-gone", serverFixture, NULL, fixtureSetUp,
               testPeerGone, fixtureTearDown);
    return g_test_run();
}
