/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/protocol/keepalive.h"
#include "daemon/rpcframe.h"
#include "tests/rpctestutils.h"
#include "tests/testutils.h"
#include "util/fd.h"

/*
 * virtgmemd against the real libvirt client library, stock virsh and raw
 * sockets.  One daemon on a private socket serves every case; each case
 * checks afterwards that it still answers.  The daemon is stopped with
 * SIGTERM at the end (and dies with the test through PDEATHSIG).
 */

/* Keepalive settings of the daemon under test. */
#define KA_INTERVAL 1
#define KA_COUNT 2

static char *tmpDir;
static char *sockPath;
static char *roSockPath;
static char *uri;
static char *roUri;
static GPid daemonPid;

/* ---- raw sockets ---------------------------------------------------- */

static void
rawSend(int fd, const void *data, gsize len)
{
    g_assert_cmpint(send(fd, data, len, MSG_NOSIGNAL), ==, (ssize_t)len);
}

static void
rawSendBytes(int fd, GBytes *bytes)
{
    gsize len;
    const void *data = g_bytes_get_data(bytes, &len);

    rawSend(fd, data, len);
}

/* Read exactly @len bytes within @ms.  Returns 1, 0 on EOF, -1 on
 * timeout. */
static int
rawRead(int fd, guint8 *buf, gsize len, int ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;
    gsize have = 0;

    while (have < len) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        int left = (deadline - g_get_monotonic_time()) / 1000;
        ssize_t n;

        if (left <= 0 || poll(&pfd, 1, left) == 0)
            return -1;
        n = recv(fd, buf + have, len - have, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        have += n;
    }
    return 1;
}

/* The next frame, or NULL on EOF (@eof set) or timeout. */
static GBytes *
rawReadFrame(int fd, int ms, gboolean *eof)
{
    guint8 word[4];
    guint32 len;
    g_autofree guint8 *buf = NULL;
    int rc = rawRead(fd, word, 4, ms);

    *eof = rc == 0;
    if (rc <= 0)
        return NULL;
    memcpy(&len, word, 4);
    len = GUINT32_FROM_BE(len);
    g_assert_cmpuint(len, >=, RPC_FRAME_MIN);
    g_assert_cmpuint(len, <=, RPC_FRAME_MAX);
    buf = g_malloc(len);
    memcpy(buf, word, 4);
    rc = rawRead(fd, buf + 4, len - 4, ms);
    *eof = rc == 0;
    if (rc <= 0)
        return NULL;
    return g_bytes_new_take(g_steal_pointer(&buf), len);
}

/* Wait for the daemon to close the connection, ignoring frames. */
static gboolean
rawWaitEOF(int fd, int ms)
{
    gboolean eof = FALSE;

    while (!eof) {
        g_autoptr(GBytes) frame = rawReadFrame(fd, ms, &eof);

        if (!frame && !eof)
            return FALSE;
    }
    return TRUE;
}

/* The daemon is alive and serving: a full libvirt open works. */
static void
assertServing(void)
{
    virConnectPtr conn = virConnectOpen(uri);
    const char *type;

    g_assert_nonnull(conn);
    type = virConnectGetType(conn);
    g_assert_cmpstr(type, ==, "GMEM");
    virConnectClose(conn);
    g_assert_cmpint(kill(daemonPid, 0), ==, 0);
}

/* ---- the libvirt client library ------------------------------------- */

static void
testLibvirtOpen(void)
{
    virConnectPtr conn = virConnectOpen(uri);
    unsigned long hvVer = 1;
    unsigned long libVer = 0;
    g_autofree char *host = NULL;
    g_autofree char *connUri = NULL;
    g_autofree char *caps = NULL;
    virNodeInfo info;

    g_assert_nonnull(conn);
    g_assert_cmpstr(virConnectGetType(conn), ==, "GMEM");
    g_assert_cmpint(virConnectGetVersion(conn, &hvVer), ==, 0);
    g_assert_cmpuint(hvVer, >=, 7000000);
    g_assert_cmpint(virConnectGetLibVersion(conn, &libVer), ==, 0);
    g_assert_cmpuint(libVer, ==, VGM_VERSION_NUMBER);
    host = virConnectGetHostname(conn);
    g_assert_cmpstr(host, ==, g_get_host_name());
    connUri = virConnectGetURI(conn);
    g_assert_cmpstr(connUri, ==, uri);
    g_assert_cmpint(virNodeGetInfo(conn, &info), ==, 0);
    g_assert_cmpuint(info.memory, >, 0);
    g_assert_cmpint(info.cpus, >, 0);
    g_assert_cmpint(info.nodes * info.sockets * info.cores * info.threads, ==,
                    info.cpus);
    g_assert_cmpstr(info.model, !=, "");
    g_assert_cmpint(virConnectIsAlive(conn), ==, 1);
    g_assert_cmpint(virConnectIsSecure(conn), ==, 1);
    caps = virConnectGetCapabilities(conn);
    g_assert_nonnull(strstr(caps, "<capabilities>"));
    g_assert_cmpint(virConnectListAllDomains(conn, NULL, 0), ==, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void
testLibvirtReadOnly(void)
{
    virConnectPtr conn = virConnectOpenReadOnly(roUri);
    virNodeInfo info;

    g_assert_nonnull(conn);
    g_assert_cmpstr(virConnectGetType(conn), ==, "GMEM");
    g_assert_cmpint(virNodeGetInfo(conn, &info), ==, 0);
    g_assert_cmpint(virConnectIsAlive(conn), ==, 1);
    g_assert_cmpint(virConnectClose(conn), ==, 0);

    /* The -ro socket makes even a read-write open read-only. */
    conn = virConnectOpen(roUri);
    g_assert_nonnull(conn);
    g_assert_cmpstr(virConnectGetType(conn), ==, "GMEM");
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* Both sides ping; the client answers ours and we answer its. */
static void
testLibvirtKeepAlive(void)
{
    virConnectPtr conn = virConnectOpen(uri);
    unsigned long libVer = 0;

    g_assert_nonnull(conn);
    g_assert_cmpint(virConnectSetKeepAlive(conn, 1, 2), ==, 0);
    g_usleep((KA_INTERVAL * (KA_COUNT + 2) + 1) * G_USEC_PER_SEC);
    g_assert_cmpint(virConnectIsAlive(conn), ==, 1);
    g_assert_cmpint(virConnectGetLibVersion(conn, &libVer), ==, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* Several connections at once, each with calls on several threads. */
static gpointer
hammer(gpointer data)
{
    virConnectPtr conn = data;
    int i;

    for (i = 0; i < 50; i++) {
        unsigned long v;
        g_autofree char *host = virConnectGetHostname(conn);

        if (!host || virConnectGetLibVersion(conn, &v) < 0)
            return GINT_TO_POINTER(1);
    }
    return NULL;
}

static void
testLibvirtConcurrent(void)
{
    virConnectPtr conns[3];
    GThread *threads[6];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(conns); i++)
        g_assert_nonnull((conns[i] = virConnectOpen(uri)));
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("hammer", hammer, conns[i % 3]);
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        g_assert_null(g_thread_join(threads[i]));
    for (i = 0; i < G_N_ELEMENTS(conns); i++)
        g_assert_cmpint(virConnectClose(conns[i]), ==, 0);
}

/* ---- raw sockets: bad clients --------------------------------------- */

typedef struct {
    const char *name;
    const char *send;       /* hex bytes written at once */
    int replies;            /* replies expected before anything else */
    int status;             /* of each reply */
    const char *error;      /* substring of each error reply */
    gboolean eof;           /* the daemon then closes the connection */
} rawCase;

#define CALL_HDR(len, proc, serial) \
    len " 20008086 00000001 " proc " 00000000 " serial " 00000000 "

static const rawCase rawCases[] = {
    { "vanish-mid-frame", "00000100 20008086 00000001", 0, 0, NULL, FALSE },
    { "vanish-after-length", "0000001c", 0, 0, NULL, FALSE },
    { "over-limit", CALL_HDR("02000005", "00000003", "00000009") "deadbeef",
      1, RPC_STATUS_ERROR, "too large, want at most 33554436", TRUE },
    { "length-too-small", "00000004 00000000", 0, 0, NULL, TRUE },
    { "garbage-http", "47455420 2f204854 54502f31 2e310d0a 486f7374 "
      "3a20780d 0a0d0a00", 0, 0, NULL, TRUE },
    { "garbage-zeros", "00000000 00000000 00000000 00000000", 0, 0, NULL,
      TRUE },
    { "pipelined-calls",
      CALL_HDR("0000001c", "00000042", "00000000")
      CALL_HDR("00000020", "0000003c", "00000001") "0000000a "
      CALL_HDR("0000001c", "00000042", "00000002"),
      3, RPC_STATUS_OK, NULL, FALSE },
    { "unknown-procedure", CALL_HDR("0000001c", "00000131", "00000005"),
      1, RPC_STATUS_ERROR, "unknown procedure: 305", FALSE },
    { "before-open", CALL_HDR("0000001c", "00000003", "00000005"),
      1, RPC_STATUS_ERROR, "connection not open", FALSE },
    { "unknown-program",
      "0000001c 11112222 00000001 00000001 00000000 00000001 00000000",
      1, RPC_STATUS_ERROR, "cannot find program", FALSE },
    { "fd-passing-refused",
      "00000020 20008086 00000001 00000003 00000004 00000001 00000000 "
      "00000000", 1, RPC_STATUS_ERROR, "not supported", TRUE },
    { "client-reply-ignored",
      "0000001c 20008086 00000001 00000003 00000001 00000001 00000000 "
      CALL_HDR("0000001c", "00000042", "00000002"),
      1, RPC_STATUS_OK, NULL, FALSE },
};

static void
checkRawReply(const rawCase *tc, GBytes *reply, guint32 *serials)
{
    rpc_message_header hdr;
    remote_error err;

    rpcTestReplyHeader(reply, &hdr);
    g_assert_cmpint(hdr.type, ==, RPC_TYPE_REPLY);
    g_assert_cmpint(hdr.status, ==, tc->status);
    g_assert_cmpuint(hdr.serial, <, 32);
    *serials |= 1U << hdr.serial;
    if (rpcTestReplyError(reply, &err)) {
        g_assert_nonnull(strstr(*err.message, tc->error));
        xdr_free((xdrproc_t)xdr_remote_error, &err);
    }
}

static void
testRaw(gconstpointer data)
{
    const rawCase *tc = data;
    VGM_AUTOCLOSE int fd = vgmTestConnectUnix(sockPath);
    g_autoptr(GBytes) bytes = rpcTestHex(tc->send);
    guint32 serials = 0;
    gboolean eof = FALSE;
    int i;

    rawSendBytes(fd, bytes);
    for (i = 0; i < tc->replies; i++) {
        g_autoptr(GBytes) reply = rawReadFrame(fd, 5000, &eof);

        g_assert_nonnull(reply);
        checkRawReply(tc, reply, &serials);
    }
    /* Pipelined calls may be answered in any order, each exactly once. */
    g_assert_cmpint(__builtin_popcount(serials), ==, tc->replies);
    if (tc->eof)
        g_assert_true(rawWaitEOF(fd, 5000));
    else
        g_assert_null(rawReadFrame(fd, 200, &eof));
    g_assert_false(eof && !tc->eof);
    close(vgmStealFD(&fd));
    assertServing();
}

/* ---- raw sockets: keepalive ----------------------------------------- */

#define FEATURE_KEEPALIVE_CALL CALL_HDR("00000020", "0000003c", "00000000") \
    "0000000a"
#define PING "0000001c 6b656570 00000001 00000001 00000002 00000000 00000000"
#define PONG "0000001c 6b656570 00000001 00000002 00000002 00000000 00000000"

static gboolean
isKeepAlive(GBytes *frame, int proc)
{
    rpc_message_header hdr;

    rpcTestReplyHeader(frame, &hdr);
    return hdr.prog == KEEPALIVE_PROGRAM && hdr.proc == proc &&
           hdr.type == RPC_TYPE_MESSAGE;
}

/* Ask for keepalive: the daemon starts pinging this connection. */
static int
rawKeepAliveClient(void)
{
    int fd = vgmTestConnectUnix(sockPath);
    g_autoptr(GBytes) call = rpcTestHex(FEATURE_KEEPALIVE_CALL);
    g_autoptr(GBytes) reply = NULL;
    gboolean eof;
    int supported = 0;

    rawSendBytes(fd, call);
    reply = rawReadFrame(fd, 5000, &eof);
    g_assert_nonnull(reply);
    g_assert_true(rpcTestReplyRet(reply, (xdrproc_t)xdr_int, &supported));
    g_assert_cmpint(supported, ==, 1);
    return fd;
}

/* A client that never answers is pinged, then dropped. */
static void
testKeepAliveDrop(void)
{
    VGM_AUTOCLOSE int fd = rawKeepAliveClient();
    g_autoptr(GBytes) ping = NULL;
    gboolean eof;
    gint64 start = g_get_monotonic_time();

    ping = rawReadFrame(fd, (KA_INTERVAL + 2) * 1000, &eof);
    g_assert_nonnull(ping);
    g_assert_true(isKeepAlive(ping, 1));
    g_assert_true(rawWaitEOF(fd, (KA_INTERVAL * (KA_COUNT + 2) + 2) * 1000));
    g_assert_cmpint(g_get_monotonic_time() - start, >=,
                    (gint64)KA_INTERVAL * KA_COUNT * G_USEC_PER_SEC);
    assertServing();
}

/* A client that answers every PING stays connected. */
static void
testKeepAliveAnswered(void)
{
    VGM_AUTOCLOSE int fd = rawKeepAliveClient();
    g_autoptr(GBytes) pong = rpcTestHex(PONG);
    g_autoptr(GBytes) auth = rpcTestHex(CALL_HDR("0000001c", "00000042",
                                                 "00000001"));
    g_autoptr(GBytes) reply = NULL;
    gint64 end = g_get_monotonic_time() +
                 (gint64)KA_INTERVAL * (KA_COUNT + 3) * G_USEC_PER_SEC;
    int pings = 0;
    gboolean eof = FALSE;
    rpc_message_header hdr;

    while (g_get_monotonic_time() < end && !eof) {
        g_autoptr(GBytes) frame = rawReadFrame(fd, 500, &eof);

        if (frame && isKeepAlive(frame, 1)) {
            pings++;
            rawSendBytes(fd, pong);
        }
    }
    g_assert_false(eof);
    g_assert_cmpint(pings, >=, 2);
    rawSendBytes(fd, auth);
    do {
        g_clear_pointer(&reply, g_bytes_unref);
        reply = rawReadFrame(fd, 5000, &eof);
        g_assert_nonnull(reply);
    } while (isKeepAlive(reply, 1));
    rpcTestReplyHeader(reply, &hdr);
    g_assert_cmpint(hdr.proc, ==, 66);
    g_assert_cmpuint(hdr.serial, ==, 1);
    g_assert_cmpint(hdr.status, ==, RPC_STATUS_OK);
}

/* Our PING is answered with a PONG, before any CONNECT_OPEN. */
static void
testKeepAlivePong(void)
{
    VGM_AUTOCLOSE int fd = vgmTestConnectUnix(sockPath);
    g_autoptr(GBytes) ping = rpcTestHex(PING);
    g_autoptr(GBytes) reply = NULL;
    gboolean eof;

    rawSendBytes(fd, ping);
    reply = rawReadFrame(fd, 5000, &eof);
    g_assert_nonnull(reply);
    g_assert_true(isKeepAlive(reply, 2));
}

/* ---- stock virsh ---------------------------------------------------- */

typedef struct {
    const char *name;           /* tests/data/virsh/NAME.out */
    const char *const *args;
    gboolean readonly;          /* virsh -r on the -ro socket */
    gboolean maskNumbers;       /* host-dependent numbers */
} virshCase;

static const virshCase virshCases[] = {
    { "version", (const char *const[]){ "version", NULL }, FALSE, TRUE },
    { "version-daemon", (const char *const[]){ "version", "--daemon", NULL },
      FALSE, TRUE },
    { "hostname", (const char *const[]){ "hostname", NULL }, FALSE, FALSE },
    { "uri", (const char *const[]){ "uri", NULL }, FALSE, FALSE },
    { "nodeinfo", (const char *const[]){ "nodeinfo", NULL }, FALSE, TRUE },
    { "list-all", (const char *const[]){ "list", "--all", NULL }, FALSE,
      FALSE },
    { "list", (const char *const[]){ "list", NULL }, FALSE, FALSE },
    { "dominfo-missing", (const char *const[]){ "dominfo", "vm1", NULL },
      FALSE, FALSE },
    { "readonly-nodeinfo", (const char *const[]){ "nodeinfo", NULL }, TRUE,
      TRUE },
    /* Registers event IDs 0 to 26 (316), deregisters them (317).  virsh
     * exits 1 after --timeout whatever the driver (test:///default too). */
    { "event-all", (const char *const[]){ "event", "--all", "--timeout", "1",
                                          NULL }, FALSE, FALSE },
    { "qemu-monitor-command",
      (const char *const[]){ "qemu-monitor-command", "vm1",
                             "{\"execute\":\"query-status\"}", NULL },
      FALSE, FALSE },
};

/* Collapse each run of digits into one 'N'. */
static char *
maskDigits(const char *line)
{
    GString *out = g_string_new(NULL);

    while (*line) {
        if (!g_ascii_isdigit(*line)) {
            g_string_append_c(out, *line++);
            continue;
        }
        g_string_append_c(out, 'N');
        while (g_ascii_isdigit(*line))
            line++;
    }
    return g_string_free(out, FALSE);
}

/* Replace what differs between hosts and runs: the temporary directory,
 * a line that is the host name, and (for host data) the numbers. */
static char *
maskOutput(const char *text, gboolean numbers)
{
    g_auto(GStrv) parts = g_strsplit(text, tmpDir, -1);
    g_autofree char *noTmp = g_strjoinv("@TMPDIR@", parts);
    g_auto(GStrv) lines = g_strsplit(noTmp, "\n", -1);
    size_t i;

    for (i = 0; lines[i]; i++) {
        if (strcmp(lines[i], g_get_host_name()) == 0) {
            g_free(lines[i]);
            lines[i] = g_strdup("@HOSTNAME@");
        } else if (numbers && !g_str_has_prefix(lines[i], "CPU model:")) {
            char *masked = maskDigits(lines[i]);

            g_free(lines[i]);
            lines[i] = masked;
        }
    }
    return g_strjoinv("\n", lines);
}

static void
testVirsh(gconstpointer data)
{
    const virshCase *tc = data;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *all = NULL;
    g_autofree char *masked = NULL;
    g_autofree char *golden = g_strdup_printf("virsh/%s.out", tc->name);
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) env = g_get_environ();
    int status = 0;
    size_t i;

    g_ptr_array_add(argv, (char *)"virsh");
    if (tc->readonly)
        g_ptr_array_add(argv, (char *)"-r");
    g_ptr_array_add(argv, (char *)"-c");
    g_ptr_array_add(argv, tc->readonly ? roUri : uri);
    for (i = 0; tc->args[i]; i++)
        g_ptr_array_add(argv, (char *)tc->args[i]);
    g_ptr_array_add(argv, NULL);
    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    env = g_environ_setenv(env, "HOME", tmpDir, TRUE);
    env = g_environ_setenv(env, "LIBVIRT_AUTOSTART", "0", TRUE);
    env = g_environ_unsetenv(env, "LIBVIRT_DEFAULT_URI");
    env = g_environ_unsetenv(env, "VIRSH_DEFAULT_CONNECT_URI");
    if (!g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_SEARCH_PATH,
                      NULL, NULL, &out, &err, &status, &error)) {
        VGM_TEST_FAIL("cannot run virsh: %s", error->message);
        return;
    }
    masked = maskOutput(out, tc->maskNumbers);
    all = g_strdup_printf("%s--- stderr\n%s--- exit %d\n", masked, err,
                          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    vgmTestCompareToFile(all, golden);
    assertServing();
}

/* ---- the daemon ----------------------------------------------------- */

typedef struct {
    const char *name;
    const char *const *args;    /* after the binary; @SOCK@ is ours */
    int exitCode;
    const char *output;         /* substring of stdout + stderr */
} optionCase;

static const optionCase optionCases[] = {
    { "version", (const char *const[]){ "--version", NULL }, 0,
      "virtgmemd (virtgmem) " PACKAGE_VERSION "\n" },
    { "help", (const char *const[]){ "--help", NULL }, 0, "--socket=PATH" },
    { "bad-option", (const char *const[]){ "--bogus", NULL }, 1,
      "virtgmemd: Unknown option --bogus" },
    { "negative-timeout", (const char *const[]){ "--timeout", "-1", NULL },
      1, "must not be negative" },
    { "zero-count",
      (const char *const[]){ "--keepalive-count", "0", NULL }, 1,
      "at least 1" },
    { "socket-in-use", (const char *const[]){ "--socket", "@SOCK@", "--root",
                                              "@SOCK@.root", NULL },
      1, "another daemon is already listening on '@SOCK@'" },
};

static void
testOptions(gconstpointer data)
{
    const optionCase *tc = data;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *all = NULL;
    g_autofree char *expect = NULL;
    g_auto(GStrv) parts = g_strsplit(tc->output, "@SOCK@", -1);
    int status = 0;
    size_t i;

    g_ptr_array_add(argv, g_strdup(g_getenv("VGM_VIRTGMEMD")));
    for (i = 0; tc->args[i]; i++) {
        g_auto(GStrv) arg = g_strsplit(tc->args[i], "@SOCK@", -1);

        g_ptr_array_add(argv, g_strjoinv(sockPath, arg));
    }
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, 0, NULL,
                               NULL, &out, &err, &status, NULL));
    all = g_strconcat(out, err, NULL);
    expect = g_strjoinv(sockPath, parts);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, tc->exitCode);
    if (!strstr(all, expect))
        VGM_TEST_FAIL("'%s' not in the output:\n%s", expect, all);
    assertServing();
}

static void
daemonChildSetup(gpointer data)
{
    /* Never outlive the test, whatever happens to it. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
spawnDaemon(const char *const *argv, const char *const *envp, GPid *pid)
{
    g_autofree char *logPath = g_build_filename(tmpDir, "virtgmemd.log", NULL);
    VGM_AUTOCLOSE int logFd = open(logPath, O_WRONLY | O_CREAT | O_APPEND |
                                   O_CLOEXEC, 0600);
    g_autoptr(GError) error = NULL;

    if (!g_spawn_async_with_pipes_and_fds(NULL, argv, envp,
                                          G_SPAWN_DO_NOT_REAP_CHILD,
                                          daemonChildSetup, NULL, -1, logFd,
                                          logFd, NULL, NULL, 0, pid,
                                          NULL, NULL, NULL, &error)) {
        g_printerr("cannot start %s: %s\n", argv[0], error->message);
        return FALSE;
    }
    return TRUE;
}

static gboolean
startDaemon(const char *binary)
{
    g_autofree char *root = g_build_filename(tmpDir, "root", NULL);
    g_autofree char *interval = g_strdup_printf("%d", KA_INTERVAL);
    g_autofree char *count = g_strdup_printf("%d", KA_COUNT);
    const char *argv[] = {
        binary, "--socket", sockPath, "--root", root, "--verbose",
        "--timeout", "300", "--keepalive-interval", interval,
        "--keepalive-count", count, NULL
    };

    return spawnDaemon(argv, NULL, &daemonPid) &&
           vgmTestWaitPath(roSockPath, 10000);
}

/* A session daemon: its socket under XDG_RUNTIME_DIR, no read-only
 * socket, gmem:///session only, and --timeout makes it exit. */
static void
testSessionDaemon(void)
{
    g_autofree char *xdg = g_build_filename(tmpDir, "xdg", NULL);
    g_autofree char *dir = g_build_filename(xdg, "libvirt", NULL);
    g_autofree char *sock = g_build_filename(dir, "virtgmemd-sock", NULL);
    g_autofree char *root = g_build_filename(tmpDir, "session-root", NULL);
    g_autofree char *xdgEnv = g_strconcat("XDG_RUNTIME_DIR=", xdg, NULL);
    g_autofree char *sessUri = g_strdup_printf(
        "gmem+unix:///session?socket=%s", sock);
    g_autofree char *sysUri = g_strdup_printf(
        "gmem+unix:///system?socket=%s", sock);
    const char *argv[] = {
        g_getenv("VGM_VIRTGMEMD"), "--session", "--root", root,
        "--timeout", "1", "--verbose", NULL
    };
    const char *envp[] = { xdgEnv, NULL };
    g_autofree char *roSock = NULL;
    virConnectPtr conn;
    GPid pid;
    struct stat st;
    int status;

    g_assert_true(spawnDaemon(argv, envp, &pid));
    g_assert_true(vgmTestWaitPath(sock, 10000));
    g_assert_cmpint(stat(dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0700);
    g_assert_cmpint(stat(sock, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    roSock = g_strconcat(sock, "-ro", NULL);
    g_assert_false(g_file_test(roSock, G_FILE_TEST_EXISTS));
    g_assert_null(virConnectOpen(sysUri));
    g_assert_nonnull((conn = virConnectOpen(sessUri)));
    g_assert_cmpstr(virConnectGetType(conn), ==, "GMEM");
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    status = vgmTestWaitExit(pid, 10000);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
}

/* SIGTERM: the daemon exits 0 and removes its sockets. */
static gboolean
stopDaemon(void)
{
    gboolean alive = kill(daemonPid, 0) == 0;
    int status;

    kill(daemonPid, SIGTERM);
    status = vgmTestWaitExit(daemonPid, 10000);
    if (!alive || status == -1 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        g_printerr("virtgmemd died or failed (status 0x%x)\n", status);
        return FALSE;
    }
    return !g_file_test(sockPath, G_FILE_TEST_EXISTS) &&
           !g_file_test(roSockPath, G_FILE_TEST_EXISTS);
}

static void
showLogAndClean(gboolean failed)
{
    g_autofree char *logPath = g_build_filename(tmpDir, "virtgmemd.log", NULL);
    g_autofree char *log = NULL;
    const char *rm[] = { "rm", "-rf", tmpDir, NULL };

    if (failed && g_file_get_contents(logPath, &log, NULL, NULL))
        g_printerr("--- virtgmemd log\n%s--- end of log\n", log);
    g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                 NULL, NULL, NULL, NULL);
}

static void
addCases(void)
{
    size_t i;

    g_test_add_func("/rpc/libvirt/open", testLibvirtOpen);
    g_test_add_func("/rpc/libvirt/read-only", testLibvirtReadOnly);
    g_test_add_func("/rpc/libvirt/keepalive", testLibvirtKeepAlive);
    g_test_add_func("/rpc/libvirt/concurrent", testLibvirtConcurrent);
    for (i = 0; i < G_N_ELEMENTS(rawCases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/raw/%s",
                                                rawCases[i].name);
        g_test_add_data_func(path, &rawCases[i], testRaw);
    }
    g_test_add_func("/rpc/keepalive/pong", testKeepAlivePong);
    g_test_add_func("/rpc/keepalive/drop", testKeepAliveDrop);
    g_test_add_func("/rpc/keepalive/answered", testKeepAliveAnswered);
    g_test_add_func("/rpc/daemon/session-timeout", testSessionDaemon);
    for (i = 0; i < G_N_ELEMENTS(optionCases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/daemon/options/%s",
                                                optionCases[i].name);
        g_test_add_data_func(path, &optionCases[i], testOptions);
    }
    for (i = 0; i < G_N_ELEMENTS(virshCases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/virsh/%s",
                                                virshCases[i].name);
        g_test_add_data_func(path, &virshCases[i], testVirsh);
    }
    vgmTestAddUnusedCheck("virsh");
}

int
main(int argc, char **argv)
{
    const char *binary = g_getenv("VGM_VIRTGMEMD");
    int rc;

    g_test_init(&argc, &argv, NULL);
    if (!binary) {
        g_printerr("VGM_VIRTGMEMD must name the daemon to test\n");
        return 1;
    }
    tmpDir = g_dir_make_tmp("vgm-rpcint-XXXXXX", NULL);
    sockPath = g_build_filename(tmpDir, "sock", NULL);
    roSockPath = g_strconcat(sockPath, "-ro", NULL);
    uri = g_strdup_printf("gmem+unix:///system?socket=%s", sockPath);
    roUri = g_strdup_printf("gmem+unix:///system?socket=%s", roSockPath);
    rpcTestClientInit();
    if (!startDaemon(binary)) {
        if (daemonPid > 0) {
            kill(daemonPid, SIGKILL);
            waitpid(daemonPid, NULL, 0);
        }
        showLogAndClean(TRUE);
        return 1;
    }
    addCases();
    rc = g_test_run();
    if (!stopDaemon())
        rc = 1;
    showLogAndClean(rc != 0);
    return rc;
}
