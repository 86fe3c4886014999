/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/rpcframe.h"
#include "tests/rpctestutils.h"
#include "tests/testutils.h"
#include "util/fd.h"

/*
 * virtgmemd's configuration, sockets and signals, each case with a
 * daemon of its own on a private directory: virtgmemd.conf, socket
 * group and permissions, TCP (with the real libvirt client), SIGHUP,
 * limits, socket activation (LISTEN_FDS, no systemd needed) and
 * --timeout.
 */

static char *topDir;

/* One daemon of a case. */
typedef struct {
    char *dir;                  /* private to the case */
    char *conf;                 /* dir/virtgmemd.conf */
    char *sock;                 /* dir/sock */
    char *log;                  /* dir/log */
    GPid pid;
} daemonFixture;

static void
fixtureSetUp(daemonFixture *fx, gconstpointer data)
{
    static int n;

    fx->dir = g_strdup_printf("%s/case%d", topDir, ++n);
    g_assert_cmpint(g_mkdir_with_parents(fx->dir, 0700), ==, 0);
    fx->conf = g_build_filename(fx->dir, "virtgmemd.conf", NULL);
    fx->sock = g_build_filename(fx->dir, "sock", NULL);
    fx->log = g_build_filename(fx->dir, "log", NULL);
}

static void
fixtureTearDown(daemonFixture *fx, gconstpointer data)
{
    g_autofree char *log = NULL;

    if (fx->pid > 0) {
        kill(fx->pid, SIGKILL);
        vgmTestWaitExit(fx->pid, 5000);
    }
    if (g_test_failed() && g_file_get_contents(fx->log, &log, NULL, NULL))
        g_printerr("--- virtgmemd log\n%s--- end of log\n", log);
    g_free(fx->dir);
    g_free(fx->conf);
    g_free(fx->sock);
    g_free(fx->log);
}

static void
writeConf(daemonFixture *fx, const char *text)
{
    g_assert_true(g_file_set_contents(fx->conf, text, -1, NULL));
}

static void
daemonChildSetup(gpointer data)
{
    /* Never outlive the test, whatever happens to it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Start argv with stdout and stderr to fx->log; @fds go to 3, 4, ... */
static void
spawnWithFds(daemonFixture *fx, const char *const *argv,
             const char *const *envp, const int *fds, guint nfds)
{
    VGM_AUTOCLOSE int logFd = open(fx->log, O_WRONLY | O_CREAT | O_APPEND |
                                   O_CLOEXEC, 0600);
    g_autoptr(GError) error = NULL;
    int targets[8];
    guint i;

    g_assert_cmpuint(nfds, <=, G_N_ELEMENTS(targets));
    for (i = 0; i < nfds; i++)
        targets[i] = 3 + i;
    if (!g_spawn_async_with_pipes_and_fds(NULL, argv, envp,
                                          G_SPAWN_DO_NOT_REAP_CHILD,
                                          daemonChildSetup, NULL, -1, logFd,
                                          logFd, fds, targets, nfds, &fx->pid,
                                          NULL, NULL, NULL, &error))
        g_error("cannot start %s: %s", argv[0], error->message);
}

/* virtgmemd --socket fx->sock --root fx->dir/root --config fx->conf
 * and @extra; NULL-terminated list of more arguments. */
static void
spawnDaemon(daemonFixture *fx, const char *extra, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    va_list ap;
    const char *arg;

    g_ptr_array_add(argv, g_strdup(g_getenv("VGM_VIRTGMEMD")));
    g_ptr_array_add(argv, g_strdup("--socket"));
    g_ptr_array_add(argv, g_strdup(fx->sock));
    g_ptr_array_add(argv, g_strdup("--root"));
    g_ptr_array_add(argv, g_build_filename(fx->dir, "root", NULL));
    g_ptr_array_add(argv, g_strdup("--config"));
    g_ptr_array_add(argv, g_strdup(fx->conf));
    va_start(ap, extra);
    for (arg = extra; arg; arg = va_arg(ap, const char *))
        g_ptr_array_add(argv, g_strdup(arg));
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    spawnWithFds(fx, (const char *const *)argv->pdata, NULL, NULL, 0);
}

static gboolean
waitFor(gboolean (*cond)(gconstpointer data), gconstpointer data, int ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

    while (!cond(data)) {
        if (g_get_monotonic_time() > end)
            return FALSE;
        g_usleep(10000);
    }
    return TRUE;
}

static gboolean
pathExists(gconstpointer path)
{
    return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* A socket file exists before its group is set: wait until the socket
 * accepts connections, which comes after (a client of its own). */
static gboolean
unixListening(gconstpointer path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    VGM_AUTOCLOSE int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    return connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
}

/* The daemon's log contains @text (fx, text). */
typedef struct {
    const daemonFixture *fx;
    const char *text;
    int count;                  /* at least this many times */
} logWait;

static int
logCount(const daemonFixture *fx, const char *text)
{
    g_autofree char *log = NULL;
    const char *p;
    int n = 0;

    if (!g_file_get_contents(fx->log, &log, NULL, NULL))
        return 0;
    for (p = log; (p = strstr(p, text)); p++)
        n++;
    return n;
}

static gboolean
logHas(gconstpointer data)
{
    const logWait *w = data;

    return logCount(w->fx, w->text) >= MAX(w->count, 1);
}

static void
assertLog(const daemonFixture *fx, const char *text)
{
    logWait w = { fx, text, 1 };

    if (!waitFor(logHas, &w, 10000))
        VGM_TEST_FAIL("'%s' not in the log of virtgmemd", text);
}

static void
startDaemon(daemonFixture *fx)
{
    g_autofree char *ro = g_strconcat(fx->sock, "-ro", NULL);

    /* The read-write socket listens before the read-only one exists. */
    spawnDaemon(fx, NULL);
    g_assert_true(waitFor(pathExists, ro, 10000));
}

/* SIGTERM: exit status 0. */
static void
stopDaemon(daemonFixture *fx)
{
    int status;

    g_assert_cmpint(kill(fx->pid, SIGTERM), ==, 0);
    status = vgmTestWaitExit(fx->pid, 10000);
    fx->pid = 0;
    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static char *
unixURI(const char *path)
{
    return g_strdup_printf("gmem+unix:///system?socket=%s", path);
}

/* A full libvirt open, a call and a close on @uri. */
static gboolean
canOpen(const char *uri)
{
    virConnectPtr conn = virConnectOpen(uri);
    gboolean ok;

    if (!conn)
        return FALSE;
    ok = g_strcmp0(virConnectGetType(conn), "GMEM") == 0;
    virConnectClose(conn);
    return ok;
}

/* ---- raw sockets ---------------------------------------------------- */

/* A connection to 127.0.0.1:@port, or -1 with errno set. */
static int
connectTcp(unsigned int port)
{
    struct sockaddr_in addr = { .sin_family = AF_INET,
                                .sin_port = htons(port) };
    VGM_AUTOCLOSE int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return -1;
    return vgmStealFD(&fd);
}

static gboolean
tcpOpen(gconstpointer data)
{
    VGM_AUTOCLOSE int fd = connectTcp(GPOINTER_TO_UINT(data));

    return fd >= 0;
}

/* A TCP port nobody listens on (bound and released). */
static unsigned int
freePort(void)
{
    struct sockaddr_in addr = { .sin_family = AF_INET };
    socklen_t len = sizeof(addr);
    VGM_AUTOCLOSE int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
    return ntohs(addr.sin_port);
}

/* The next frame within 5 s, or NULL on EOF or timeout. */
static GBytes *
readFrame(int fd)
{
    rpcFrameReader reader;
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    GBytes *frame = NULL;

    rpcFrameReaderInit(&reader);
    while (!frame && g_get_monotonic_time() < end) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        guint8 byte;
        gsize used;
        gsize len;

        if (poll(&pfd, 1, 50) <= 0)
            continue;
        if (read(fd, &byte, 1) != 1)
            break;
        if (rpcFrameReaderFeed(&reader, &byte, 1, &used, NULL) ==
            RPC_FRAME_COMPLETE) {
            guint8 *data = rpcFrameReaderSteal(&reader, &len);

            frame = g_bytes_new_take(data, len);
        }
    }
    rpcFrameReaderClear(&reader);
    return frame;
}

/* Whether the daemon closes @fd within 5 s (frames are skipped). */
static gboolean
waitEOF(int fd)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    char buf[4096];

    while (g_get_monotonic_time() < end) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        ssize_t n;

        if (poll(&pfd, 1, 50) <= 0)
            continue;
        n = read(fd, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return TRUE;
    }
    return FALSE;
}

/* AUTH_LIST on a raw connection: the auth types offered. */
static void
assertAuthNone(int fd)
{
    g_autoptr(GBytes) call = rpcTestCall(REMOTE_PROC_AUTH_LIST, 7, NULL,
                                         NULL);
    g_autoptr(GBytes) reply = NULL;
    remote_auth_list_ret ret = { { 0 } };
    gsize len;
    const void *bytes = g_bytes_get_data(call, &len);

    g_assert_cmpint(write(fd, bytes, len), ==, (ssize_t)len);
    g_assert_nonnull((reply = readFrame(fd)));
    g_assert_true(rpcTestReplyRet(reply, (xdrproc_t)xdr_remote_auth_list_ret,
                                  &ret));
    g_assert_cmpuint(ret.types.types_len, ==, 1);
    g_assert_cmpint(ret.types.types_val[0], ==, REMOTE_AUTH_NONE);
    xdr_free((xdrproc_t)xdr_remote_auth_list_ret, &ret);
}

/* ---- UNIX sockets --------------------------------------------------- */

static void
assertMode(const char *path, mode_t mode, gid_t gid)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(st.st_mode & 07777, ==, mode);
    g_assert_cmpuint(st.st_uid, ==, geteuid());
    g_assert_cmpuint(st.st_gid, ==, gid);
}

/* A group other than ours that exists here, by name. */
static const struct group *
otherGroup(void)
{
    const struct group *gr;

    setgrent();
    while ((gr = getgrent()) && gr->gr_gid == getegid())
        ;
    endgrent();
    return gr;
}

/* No settings: rw 0600, ro 0666, our group. */
static void
testSocketDefaults(daemonFixture *fx, gconstpointer data)
{
    g_autofree char *ro = g_strconcat(fx->sock, "-ro", NULL);
    g_autofree char *uri = unixURI(fx->sock);

    writeConf(fx, "# nothing\n");
    startDaemon(fx);
    g_assert_true(waitFor(unixListening, ro, 10000));
    assertMode(fx->sock, 0600, getegid());
    assertMode(ro, 0666, getegid());
    g_assert_true(canOpen(uri));
    stopDaemon(fx);
}

/* unix_sock_group: chown, and rw 0660 unless rw_perms says otherwise. */
static void
testSocketGroup(daemonFixture *fx, gconstpointer data)
{
    const struct group *gr = otherGroup();
    g_autofree char *ro = g_strconcat(fx->sock, "-ro", NULL);
    g_autofree char *text = NULL;
    gid_t gid;

    if (geteuid() != 0 || !gr) {
        g_test_skip("needs root and a second group");
        return;
    }
    gid = gr->gr_gid;
    text = g_strdup_printf("unix_sock_group = \"%s\"\n", gr->gr_name);
    writeConf(fx, text);
    startDaemon(fx);
    g_assert_true(waitFor(unixListening, ro, 10000));
    assertMode(fx->sock, 0660, gid);
    assertMode(ro, 0666, gid);
    stopDaemon(fx);

    /* By number, with explicit permissions. */
    g_free(text);
    text = g_strdup_printf("unix_sock_group = \"%u\"\n"
                           "unix_sock_rw_perms = \"0620\"\n"
                           "unix_sock_ro_perms = \"0644\"\n", (unsigned)gid);
    writeConf(fx, text);
    startDaemon(fx);
    g_assert_true(waitFor(unixListening, ro, 10000));
    assertMode(fx->sock, 0620, gid);
    assertMode(ro, 0644, gid);
    stopDaemon(fx);
}

/* unix_sock_dir: the system daemon's sockets go there (no --socket). */
static void
testSocketDir(daemonFixture *fx, gconstpointer data)
{
    g_autofree char *dir = g_build_filename(fx->dir, "run", "libvirt", NULL);
    g_autofree char *text = g_strdup_printf("unix_sock_dir = \"%s\"\n", dir);
    g_autofree char *sock = g_build_filename(dir, "virtgmemd-sock", NULL);
    g_autofree char *ro = g_strconcat(sock, "-ro", NULL);
    g_autofree char *root = g_build_filename(fx->dir, "root", NULL);
    g_autofree char *uri = unixURI(sock);
    const char *argv[] = { g_getenv("VGM_VIRTGMEMD"), "--config", fx->conf,
                           "--root", root, NULL };

    if (geteuid() != 0) {
        g_test_skip("the system daemon needs root");
        return;
    }
    writeConf(fx, text);
    spawnWithFds(fx, argv, NULL, NULL, 0);
    g_assert_true(waitFor(unixListening, ro, 10000));
    assertMode(sock, 0600, getegid());
    assertMode(ro, 0666, getegid());
    g_assert_true(canOpen(uri));
    stopDaemon(fx);
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(ro, G_FILE_TEST_EXISTS));
}

/* UNIX peers are logged with their credentials. */
static void
testPeerCredentials(daemonFixture *fx, gconstpointer data)
{
    g_autofree char *uri = unixURI(fx->sock);
    g_autofree char *line = g_strdup_printf(": pid %d uid %u gid %u",
                                            (int)getpid(), (unsigned)geteuid(),
                                            (unsigned)getegid());

    writeConf(fx, "log_level = 2\n");
    startDaemon(fx);
    g_assert_true(canOpen(uri));
    assertLog(fx, line);
    stopDaemon(fx);
}

/* ---- TCP ------------------------------------------------------------ */

static char *
tcpConf(unsigned int port, const char *extra)
{
    return g_strdup_printf("listen_tcp = 1\nlisten_addr = \"127.0.0.1\"\n"
                           "tcp_port = \"%u\"\nauth_tcp = \"none\"\n%s", port,
                           extra);
}

/* Stock virsh's output for @command on @uri. */
static char *
virshOutput(const daemonFixture *fx, const char *uri, const char *command)
{
    const char *argv[] = { "virsh", "-c", uri, command, NULL };
    g_auto(GStrv) env = g_get_environ();
    g_autofree char *err = NULL;
    char *out = NULL;
    int status = 0;

    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    env = g_environ_setenv(env, "HOME", fx->dir, TRUE);
    env = g_environ_setenv(env, "LIBVIRT_AUTOSTART", "0", TRUE);
    g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, &out, &err, &status, NULL));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        VGM_TEST_FAIL("virsh %s failed: %s", command, err);
    return out;
}

/* listen_tcp: the real client and stock virsh over gmem+tcp://,
 * AUTH_LIST says NONE, the peer's address is logged; SIGTERM closes
 * the port. */
static void
testTcp(daemonFixture *fx, gconstpointer data)
{
    unsigned int port = freePort();
    g_autofree char *text = tcpConf(port, "log_level = 2\n");
    g_autofree char *uri = g_strdup_printf("gmem+tcp://127.0.0.1:%u/system",
                                           port);
    g_autofree char *line = g_strdup_printf(
        "connected on tcp 127.0.0.1 port %u from 127.0.0.1 port ", port);
    VGM_AUTOCLOSE int fd = -1;
    virConnectPtr conn;
    g_autofree char *host = NULL;
    g_autofree char *virsh = NULL;

    writeConf(fx, text);
    startDaemon(fx);
    g_assert_true(waitFor(tcpOpen, GUINT_TO_POINTER(port), 10000));
    g_assert_nonnull((conn = virConnectOpen(uri)));
    g_assert_cmpstr(virConnectGetType(conn), ==, "GMEM");
    host = virConnectGetHostname(conn);
    g_assert_cmpstr(host, ==, g_get_host_name());
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    assertLog(fx, line);
    virsh = virshOutput(fx, uri, "hostname");
    g_assert_cmpstr(g_strstrip(virsh), ==, g_get_host_name());
    fd = connectTcp(port);
    g_assert_cmpint(fd, >=, 0);
    assertAuthNone(fd);
    stopDaemon(fx);
    g_assert_true(waitEOF(fd));
    g_assert_cmpint(connectTcp(port), ==, -1);
    g_assert_cmpint(errno, ==, ECONNREFUSED);
    g_assert_false(g_file_test(fx->sock, G_FILE_TEST_EXISTS));
}

/* Without listen_tcp nothing listens on the port, even when set. */
static void
testTcpOff(daemonFixture *fx, gconstpointer data)
{
    unsigned int port = freePort();
    g_autofree char *text = g_strdup_printf(
        "tcp_port = \"%u\"\nlisten_addr = \"127.0.0.1\"\nauth_tcp = \"none\"\n",
        port);

    writeConf(fx, text);
    startDaemon(fx);
    g_assert_cmpint(connectTcp(port), ==, -1);
    g_assert_cmpint(errno, ==, ECONNREFUSED);
    stopDaemon(fx);
}

/* ---- the daemon refuses to start ------------------------------------ */

typedef struct {
    const char *name;
    const char *conf;           /* NULL: no file at all */
    const char *arg;            /* one more argument, or NULL */
    const char *output;         /* substring; @CONF@ is the file */
} refuseCase;

static const refuseCase refuseCases[] = {
    { "tcp-without-auth", "listen_tcp = 1\nlisten_addr = \"127.0.0.1\"\n",
      NULL, "virtgmemd: @CONF@: a TCP listener needs auth_tcp = \"none\"" },
    { "tcp-without-addr", "listen_tcp = 1\nauth_tcp = \"none\"\n", NULL,
      "virtgmemd: @CONF@: a TCP listener without authentication needs an explicit listen_addr" },
    { "unknown-key", "\n# x\nlisten_tpc = 1\n", NULL,
      "virtgmemd: @CONF@:3: unknown setting 'listen_tpc'" },
    { "wrong-type", "max_clients = \"2\"\n", NULL,
      "virtgmemd: @CONF@:1: max_clients must be a number without quotes" },
    { "missing-file", NULL, NULL,
      "virtgmemd: cannot read configuration file: " },
    { "no-such-group", "unix_sock_group = \"no-such-group-here\"\n", NULL,
      "virtgmemd: unix_sock_group: there is no group 'no-such-group-here'" },
    { "tcp-port-in-use", "listen_tcp = 1\nlisten_addr = \"127.0.0.1\"\n"
      "tcp_port = \"@PORT@\"\nauth_tcp = \"none\"\n", NULL,
      "virtgmemd: cannot listen on 127.0.0.1 port @PORT@: Address already in use" },
};

static char *
substitute(const char *text, const char *key, const char *value)
{
    g_auto(GStrv) parts = g_strsplit(text, key, -1);

    return g_strjoinv(value, parts);
}

static void
testRefuse(daemonFixture *fx, gconstpointer data)
{
    const refuseCase *tc = data;
    struct sockaddr_in addr = { .sin_family = AF_INET };
    socklen_t len = sizeof(addr);
    VGM_AUTOCLOSE int busy = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_autofree char *port = NULL;
    g_autofree char *expect1 = NULL;
    g_autofree char *expect = NULL;
    g_autofree char *log = NULL;
    int status;

    /* A port in use, for the case that wants one. */
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(busy, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(busy, 1), ==, 0);
    g_assert_cmpint(getsockname(busy, (struct sockaddr *)&addr, &len), ==, 0);
    port = g_strdup_printf("%u", ntohs(addr.sin_port));
    if (tc->conf) {
        g_autofree char *text = substitute(tc->conf, "@PORT@", port);

        writeConf(fx, text);
    }
    spawnDaemon(fx, tc->arg, NULL);
    status = vgmTestWaitExit(fx->pid, 10000);
    fx->pid = 0;
    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    expect1 = substitute(tc->output, "@CONF@", fx->conf);
    expect = substitute(expect1, "@PORT@", port);
    g_assert_true(g_file_get_contents(fx->log, &log, NULL, NULL));
    if (!strstr(log, expect))
        VGM_TEST_FAIL("'%s' not in the output:\n%s", expect, log);
    g_assert_false(g_file_test(fx->sock, G_FILE_TEST_EXISTS));
}

static void
addSocketCases(void)
{
    size_t i;

    g_test_add("/daemon/sockets/defaults", daemonFixture, NULL, fixtureSetUp,
               testSocketDefaults, fixtureTearDown);
    g_test_add("/daemon/sockets/group", daemonFixture, NULL, fixtureSetUp,
               testSocketGroup, fixtureTearDown);
    g_test_add("/daemon/sockets/dir", daemonFixture, NULL, fixtureSetUp,
               testSocketDir, fixtureTearDown);
    g_test_add("/daemon/sockets/peer-credentials", daemonFixture, NULL,
               fixtureSetUp, testPeerCredentials, fixtureTearDown);
    g_test_add("/daemon/tcp/enabled", daemonFixture, NULL, fixtureSetUp,
               testTcp, fixtureTearDown);
    g_test_add("/daemon/tcp/off", daemonFixture, NULL, fixtureSetUp,
               testTcpOff, fixtureTearDown);
    for (i = 0; i < G_N_ELEMENTS(refuseCases); i++) {
        g_autofree char *path = g_strdup_printf("/daemon/refuse/%s",
                                                refuseCases[i].name);

        g_test_add(path, daemonFixture, &refuseCases[i], fixtureSetUp,
                   testRefuse, fixtureTearDown);
    }
}

/* ---- SIGHUP --------------------------------------------------------- */

/* Wait until the daemon logged @text @count times. */
static void
assertLogCount(const daemonFixture *fx, const char *text, int count)
{
    logWait w = { fx, text, count };

    if (!waitFor(logHas, &w, 10000))
        VGM_TEST_FAIL("'%s' not %d times in the log of virtgmemd", text,
                      count);
}

static void
reload(daemonFixture *fx, const char *text, const char *logged, int count)
{
    writeConf(fx, text);
    g_assert_cmpint(kill(fx->pid, SIGHUP), ==, 0);
    assertLogCount(fx, logged, count);
}

/* SIGHUP applies limits and the log level; a bad file changes nothing;
 * socket settings wait for a restart; the sockets stay. */
static void
testReload(daemonFixture *fx, gconstpointer data)
{
    g_autofree char *uri = unixURI(fx->sock);
    g_autofree char *reloaded = g_strdup_printf("reloaded %s", fx->conf);
    virConnectPtr first;
    int connected;

    writeConf(fx, "max_clients = 1\nlog_level = 2\n");
    startDaemon(fx);
    g_assert_nonnull((first = virConnectOpen(uri)));
    g_assert_false(canOpen(uri));

    reload(fx, "max_clients = 2\nlog_level = 2\n", reloaded, 1);
    g_assert_true(canOpen(uri));

    reload(fx, "max_clients = 1\nbogus = 1\n", "configuration not reloaded: ",
           1);
    assertLog(fx, ":2: unknown setting 'bogus'");
    g_assert_true(canOpen(uri));

    /* At log level 3 connections are no longer logged. */
    reload(fx, "max_clients = 2\nlog_level = 3\n"
           "unix_sock_rw_perms = \"0660\"\n", reloaded, 2);
    assertLog(fx, "socket settings change only with a restart");
    connected = logCount(fx, ": connected on ");
    g_assert_true(canOpen(uri));
    g_assert_cmpint(logCount(fx, ": connected on "), ==, connected);
    assertMode(fx->sock, 0600, getegid());
    g_assert_cmpint(virConnectClose(first), ==, 0);
    stopDaemon(fx);
}

/* ---- limits --------------------------------------------------------- */

/* max_payload: a longer call gets an error reply, then EOF. */
static void
testMaxPayload(daemonFixture *fx, gconstpointer data)
{
    g_autofree char *uri = unixURI(fx->sock);
    VGM_AUTOCLOSE int fd = -1;
    g_autoptr(GBytes) call = rpcTestHex(
        "00010005 20008086 00000001 00000003 00000000 00000004 00000000");
    g_autoptr(GBytes) reply = NULL;
    remote_error err = { 0 };
    gsize len;
    const void *bytes = g_bytes_get_data(call, &len);

    writeConf(fx, "max_payload = 65536\n");
    startDaemon(fx);
    fd = vgmTestConnectUnix(fx->sock);
    g_assert_cmpint(write(fd, bytes, len), ==, (ssize_t)len);
    g_assert_nonnull((reply = readFrame(fd)));
    g_assert_true(rpcTestReplyError(reply, &err));
    g_assert_cmpstr(*err.message, ==,
                    "packet 65541 bytes received from client too large, want at most 65540");
    xdr_free((xdrproc_t)xdr_remote_error, &err);
    g_assert_true(waitEOF(fd));
    /* A message of the limit passes (AUTH_LIST with padding). */
    g_assert_true(canOpen(uri));
    stopDaemon(fx);
}

/* --max-clients overrides max_clients of the file. */
static void
testOptionOverrides(daemonFixture *fx, gconstpointer data)
{
    g_autofree char *uri = unixURI(fx->sock);
    g_autofree char *ro = g_strconcat(fx->sock, "-ro", NULL);
    virConnectPtr first;

    writeConf(fx, "max_clients = 5\n");
    spawnDaemon(fx, "--max-clients", "1", NULL);
    g_assert_true(waitFor(pathExists, ro, 10000));
    g_assert_nonnull((first = virConnectOpen(uri)));
    g_assert_false(canOpen(uri));
    g_assert_cmpint(virConnectClose(first), ==, 0);
    stopDaemon(fx);
}

/* ---- socket activation ---------------------------------------------- */

static int
bindUnix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 16), ==, 0);
    return fd;
}

static int
bindTcp(unsigned int *port)
{
    struct sockaddr_in addr = { .sin_family = AF_INET };
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 16), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

typedef struct {
    const char *name;
    const char *fdNames;        /* LISTEN_FDNAMES, or NULL */
    gboolean roFirst;           /* fd 3 is the -ro socket */
    gboolean tcp;               /* a TCP socket as the third fd */
    const char *conf;
    int exitCode;               /* -1: serves; else refuses with it */
} activationCase;

static const activationCase activationCases[] = {
    { "named", "virtgmemd.socket:virtgmemd-ro.socket", FALSE, FALSE, "", -1 },
    { "by-address", NULL, TRUE, FALSE, "", -1 },
    { "with-tcp", "virtgmemd:virtgmemd-ro:virtgmemd-tcp", FALSE, TRUE,
      "auth_tcp = \"none\"\n", -1 },
    { "tcp-by-address", NULL, FALSE, TRUE, "auth_tcp = \"none\"\n", -1 },
    { "tcp-needs-auth-none", NULL, FALSE, TRUE, "", 1 },
};

/* Run the daemon as systemd would: sockets bound by someone else on
 * fds 3..., LISTEN_PID set to the daemon's pid (the shell's, which
 * execs it), LISTEN_FDS and maybe LISTEN_FDNAMES. */
static void
spawnActivated(daemonFixture *fx, const activationCase *tc, int *fds,
               guint nfds)
{
    g_autofree char *root = g_build_filename(fx->dir, "root", NULL);
    g_autofree char *nEnv = g_strdup_printf("LISTEN_FDS=%u", nfds);
    g_autofree char *namesEnv = g_strdup_printf("LISTEN_FDNAMES=%s",
                                                tc->fdNames);
    const char *argv[] = {
        "/bin/sh", "-c", "LISTEN_PID=$$; export LISTEN_PID; exec \"$0\" \"$@\"",
        g_getenv("VGM_VIRTGMEMD"), "--root", root, "--config", fx->conf,
        "--verbose", NULL
    };
    const char *envp[] = { nEnv, tc->fdNames ? namesEnv : NULL, NULL };

    spawnWithFds(fx, argv, envp, fds, nfds);
}

static void
testActivation(daemonFixture *fx, gconstpointer data)
{
    const activationCase *tc = data;
    g_autofree char *ro = g_strconcat(fx->sock, "-ro", NULL);
    g_autofree char *uri = unixURI(fx->sock);
    g_autofree char *roUri = unixURI(ro);
    g_autofree char *tcpUri = NULL;
    unsigned int port = 0;
    int fds[3];
    guint n = 2;
    guint i;

    writeConf(fx, tc->conf);
    fds[tc->roFirst ? 1 : 0] = bindUnix(fx->sock);
    fds[tc->roFirst ? 0 : 1] = bindUnix(ro);
    if (tc->tcp)
        fds[n++] = bindTcp(&port);
    spawnActivated(fx, tc, fds, n);
    for (i = 0; i < n; i++)
        close(fds[i]);
    if (tc->exitCode >= 0) {
        int status = vgmTestWaitExit(fx->pid, 10000);

        fx->pid = 0;
        g_assert_true(status != -1 && WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, tc->exitCode);
        assertLog(fx, "a TCP listener needs auth_tcp = \"none\"");
        return;
    }
    /* The sockets were listening before the daemon started. */
    g_assert_true(canOpen(uri));
    g_assert_true(canOpen(roUri));
    assertLog(fx, "(read-only)");
    if (tc->tcp) {
        tcpUri = g_strdup_printf("gmem+tcp://127.0.0.1:%u/system", port);
        g_assert_true(canOpen(tcpUri));
    }
    stopDaemon(fx);
    /* systemd owns the socket files: they stay. */
    g_assert_true(g_file_test(fx->sock, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(ro, G_FILE_TEST_EXISTS));
}

/* ---- --timeout ------------------------------------------------------ */

/* The libvirt client spawns "virtgmemd --timeout=120": both spellings
 * work, and an idle session daemon exits by itself. */
static void
testTimeout(daemonFixture *fx, gconstpointer data)
{
    gboolean equals = GPOINTER_TO_INT(data);
    g_autofree char *xdg = g_build_filename(fx->dir, "xdg", NULL);
    g_autofree char *xdgEnv = g_strconcat("XDG_RUNTIME_DIR=", xdg, NULL);
    g_autofree char *sock = g_build_filename(xdg, "libvirt", "virtgmemd-sock",
                                             NULL);
    g_autofree char *root = g_build_filename(fx->dir, "root", NULL);
    g_autofree char *cfgEnv = g_strconcat("XDG_CONFIG_HOME=", fx->dir, NULL);
    const char *argv[] = {
        g_getenv("VGM_VIRTGMEMD"), "--session", "--root", root,
        equals ? "--timeout=1" : "--timeout", equals ? NULL : "1", NULL
    };
    const char *envp[] = { xdgEnv, cfgEnv, NULL };
    gint64 start = g_get_monotonic_time();
    int status;

    spawnWithFds(fx, argv, envp, NULL, 0);
    g_assert_true(waitFor(unixListening, sock, 10000));
    status = vgmTestWaitExit(fx->pid, 10000);
    fx->pid = 0;
    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    /* g_timeout_add_seconds() may round the second down. */
    g_assert_cmpint(g_get_monotonic_time() - start, >=, G_USEC_PER_SEC / 2);
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
}

/* A session daemon reads $XDG_CONFIG_HOME/virtgmem/virtgmemd.conf. */
static void
testSessionConfig(daemonFixture *fx, gconstpointer data)
{
    g_autofree char *xdg = g_build_filename(fx->dir, "xdg", NULL);
    g_autofree char *xdgEnv = g_strconcat("XDG_RUNTIME_DIR=", xdg, NULL);
    g_autofree char *cfgDir = g_build_filename(fx->dir, "virtgmem", NULL);
    g_autofree char *cfg = g_build_filename(cfgDir, "virtgmemd.conf", NULL);
    g_autofree char *cfgEnv = g_strconcat("XDG_CONFIG_HOME=", fx->dir, NULL);
    g_autofree char *root = g_build_filename(fx->dir, "root", NULL);
    g_autofree char *expect = g_strdup_printf("%s:1: unknown setting 'x'",
                                              cfg);
    const char *argv[] = { g_getenv("VGM_VIRTGMEMD"), "--session", "--root",
                           root, NULL };
    const char *envp[] = { xdgEnv, cfgEnv, NULL };
    int status;

    g_assert_cmpint(g_mkdir_with_parents(cfgDir, 0700), ==, 0);
    g_assert_true(g_file_set_contents(cfg, "x = 1\n", -1, NULL));
    spawnWithFds(fx, argv, envp, NULL, 0);
    status = vgmTestWaitExit(fx->pid, 10000);
    fx->pid = 0;
    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    assertLog(fx, expect);
}

/* ---- the libvirt client's autostart --------------------------------- */

/* Become @data (a struct passwd) before exec. */
static void
asUserSetup(gpointer data)
{
    const struct passwd *pw = data;

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 ||
        setuid(pw->pw_uid) < 0)
        _exit(127);
}

static gboolean
pathGone(gconstpointer path)
{
    return !g_file_test(path, G_FILE_TEST_EXISTS);
}

/* The pid of the process listening on the UNIX socket @path. */
static pid_t
listenerPid(const char *path)
{
    VGM_AUTOCLOSE int fd = vgmTestConnectUnix(path);
    struct ucred cred;
    socklen_t len = sizeof(cred);

    g_assert_cmpint(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len), ==,
                    0);
    return cred.pid;
}

/* A user's "virsh -c gmem:///session" with no daemon running: the
 * libvirt client spawns "virtgmemd --timeout=120" (VIRTD_PATH points
 * it to ours), which serves it. */
static void
testAutostart(daemonFixture *fx, gconstpointer data)
{
    const struct passwd *pw = getpwnam("nobody");
    g_autofree char *home = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *virtdPath = g_path_get_dirname(g_getenv("VGM_VIRTGMEMD"));
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *cmdline = NULL;
    g_autofree char *procPath = NULL;
    g_autofree char *run = NULL;
    const char *argv[] = { "virsh", "-c", "gmem:///session?mode=direct",
                           "hostname", NULL };
    const char *rm[] = { "rm", "-rf", NULL, NULL };
    g_auto(GStrv) env = NULL;
    gsize len = 0;
    int status = 0;
    pid_t pid;

    if (geteuid() != 0 || !pw) {
        g_test_skip("needs root and a user 'nobody'");
        return;
    }
    home = g_dir_make_tmp("vgm-autostart-XXXXXX", NULL);
    g_assert_cmpint(chown(home, pw->pw_uid, pw->pw_gid), ==, 0);
    run = g_build_filename(home, "run", NULL);
    sock = g_build_filename(run, "libvirt", "virtgmemd-sock", NULL);
    env = g_environ_setenv(NULL, "HOME", home, TRUE);
    env = g_environ_setenv(env, "XDG_RUNTIME_DIR", run, TRUE);
    env = g_environ_setenv(env, "VIRTD_PATH", virtdPath, TRUE);
    env = g_environ_setenv(env, "PATH", g_getenv("PATH"), TRUE);
    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    g_assert_true(g_spawn_sync(home, (char **)argv, env, G_SPAWN_SEARCH_PATH,
                               asUserSetup, (gpointer)pw, &out, &err,
                               &status, NULL));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        VGM_TEST_FAIL("virsh as nobody failed: %s", err);
    g_assert_cmpstr(g_strstrip(out), ==, g_get_host_name());
    pid = listenerPid(sock);
    procPath = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_assert_true(g_file_get_contents(procPath, &cmdline, &len, NULL));
    g_assert_nonnull(memmem(cmdline, len, "--timeout=120", 13));
    g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
    /* Not our child: its clean exit shows as its socket going away. */
    g_assert_true(waitFor(pathGone, sock, 10000));
    rm[2] = home;
    g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                 NULL, NULL, NULL, NULL);
}

static void
addSignalCases(void)
{
    size_t i;

    g_test_add("/daemon/signals/reload", daemonFixture, NULL, fixtureSetUp,
               testReload, fixtureTearDown);
    g_test_add("/daemon/limits/max-payload", daemonFixture, NULL,
               fixtureSetUp, testMaxPayload, fixtureTearDown);
    g_test_add("/daemon/limits/option-overrides-file", daemonFixture, NULL,
               fixtureSetUp, testOptionOverrides, fixtureTearDown);
    for (i = 0; i < G_N_ELEMENTS(activationCases); i++) {
        g_autofree char *path = g_strdup_printf("/daemon/activation/%s",
                                                activationCases[i].name);

        g_test_add(path, daemonFixture, &activationCases[i], fixtureSetUp,
                   testActivation, fixtureTearDown);
    }
    g_test_add("/daemon/timeout/equals", daemonFixture, GINT_TO_POINTER(1),
               fixtureSetUp, testTimeout, fixtureTearDown);
    g_test_add("/daemon/timeout/separate", daemonFixture, GINT_TO_POINTER(0),
               fixtureSetUp, testTimeout, fixtureTearDown);
    g_test_add("/daemon/session/config-file", daemonFixture, NULL,
               fixtureSetUp, testSessionConfig, fixtureTearDown);
    g_test_add("/daemon/session/autostart", daemonFixture, NULL,
               fixtureSetUp, testAutostart, fixtureTearDown);
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    if (!g_getenv("VGM_VIRTGMEMD")) {
        g_printerr("VGM_VIRTGMEMD must name the daemon to test\n");
        return 1;
    }
    /* A client whose daemon hangs up must not kill the test. */
    signal(SIGPIPE, SIG_IGN);
    topDir = g_dir_make_tmp("vgm-rpcdaemon-XXXXXX", NULL);
    rpcTestClientInit();
    addSocketCases();
    addSignalCases();
    rc = g_test_run();
    if (rc == 0) {
        const char *rm[] = { "rm", "-rf", topDir, NULL };

        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL,
                     NULL, NULL, NULL, NULL, NULL);
    }
    return rc;
}
