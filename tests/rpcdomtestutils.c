/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/rpcdomtestutils.h"
#include "tests/testutils.h"
#include "util/fd.h"

/**
 * rpcDomTestDaemonNew:
 * @session: a session daemon (no read-only socket) rather than system
 *
 * Returns: (transfer full): a daemon description on a new temporary
 * directory; not started.
 */
rpcDomTestDaemon *
rpcDomTestDaemonNew(bool session)
{
    rpcDomTestDaemon *d = g_new0(rpcDomTestDaemon, 1);
    const char *mode = session ? "session" : "system";

    d->dir = g_dir_make_tmp("vgm-rpcdom-XXXXXX", NULL);
    g_assert_nonnull(d->dir);
    d->root = g_build_filename(d->dir, "root", NULL);
    d->sock = g_build_filename(d->dir, "sock", NULL);
    d->roSock = g_strconcat(d->sock, "-ro", NULL);
    d->session = session;
    d->uri = g_strdup_printf("gmem+unix:///%s?socket=%s", mode, d->sock);
    d->roUri = g_strdup_printf("gmem+unix:///%s?socket=%s", mode, d->roSock);
    d->log = g_build_filename(d->dir, "virtgmemd.log", NULL);
    return d;
}

static void
rpcDomTestChildSetup(gpointer data)
{
    /* Never outlive the test; guests do (they belong to the root). */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/**
 * rpcDomTestDaemonStart:
 * @d: a daemon not running
 *
 * Returns: whether it started and listens.
 */
bool
rpcDomTestDaemonStart(rpcDomTestDaemon *d)
{
    const char *argv[] = {
        g_getenv("VGM_VIRTGMEMD"), "--socket", d->sock, "--root", d->root,
        "--verbose", NULL, NULL, NULL, NULL
    };
    size_t n = 6;
    VGM_AUTOCLOSE int logFd = open(d->log, O_WRONLY | O_CREAT | O_APPEND |
                                   O_CLOEXEC, 0600);
    g_autoptr(GError) error = NULL;

    if (!argv[0]) {
        g_printerr("VGM_VIRTGMEMD must name the daemon to test\n");
        return false;
    }
    if (d->session)
        argv[n++] = "--session";
    if (d->timeout) {
        argv[n++] = "--timeout";
        argv[n++] = d->timeout;
    }
    if (!g_spawn_async_with_pipes_and_fds(NULL, argv, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD,
                                          rpcDomTestChildSetup, NULL, -1,
                                          logFd, logFd, NULL, NULL, 0,
                                          &d->pid, NULL, NULL, NULL,
                                          &error)) {
        g_printerr("cannot start virtgmemd: %s\n", error->message);
        return false;
    }
    return vgmTestWaitPath(d->session ? d->sock : d->roSock, 20000);
}

/**
 * rpcDomTestDaemonWaitExit:
 * @d: a running daemon
 * @ms: how long to wait
 *
 * Returns: its wait status once it exited, or -1 (it was then killed).
 */
int
rpcDomTestDaemonWaitExit(rpcDomTestDaemon *d, int ms)
{
    int status = vgmTestWaitExit(d->pid, ms);

    d->pid = 0;
    return status;
}

/**
 * rpcDomTestDaemonStop:
 * @d: a running daemon
 *
 * Returns: whether SIGTERM made it exit 0 and remove its sockets.
 */
bool
rpcDomTestDaemonStop(rpcDomTestDaemon *d)
{
    int status;

    if (d->pid <= 0)
        return false;
    kill(d->pid, SIGTERM);
    status = vgmTestWaitExit(d->pid, 20000);
    d->pid = 0;
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
           !g_file_test(d->sock, G_FILE_TEST_EXISTS) &&
           !g_file_test(d->roSock, G_FILE_TEST_EXISTS);
}

/* Whether /proc/PID/cmdline mentions @needle (QEMU's -D log is under
 * the root). */
static bool
rpcDomTestCmdlineHas(const char *pid, const char *needle)
{
    g_autofree char *path = g_strdup_printf("/proc/%s/cmdline", pid);
    g_autofree char *text = NULL;
    gsize len = 0;
    gsize i;

    if (!g_file_get_contents(path, &text, &len, NULL) || len == 0)
        return false;
    for (i = 0; i + 1 < len; i++) {
        if (text[i] == '\0')
            text[i] = ' ';
    }
    return strstr(text, needle) != NULL;
}

/**
 * rpcDomTestQemuPids:
 * @d: a daemon
 *
 * Returns: (transfer full): the pids (int) of the QEMUs running for the
 * root of @d.
 */
GArray *
rpcDomTestQemuPids(rpcDomTestDaemon *d)
{
    GArray *pids = g_array_new(FALSE, FALSE, sizeof(int));
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    g_autofree char *needle = g_strconcat(d->root, "/", NULL);
    const char *name;

    while (proc && (name = g_dir_read_name(proc))) {
        int pid = atoi(name);

        if (pid > 0 && pid != d->pid && rpcDomTestCmdlineHas(name, needle))
            g_array_append_val(pids, pid);
    }
    return pids;
}

static void
rpcDomTestKillQemus(rpcDomTestDaemon *d)
{
    g_autoptr(GArray) pids = rpcDomTestQemuPids(d);
    guint i;

    for (i = 0; i < pids->len; i++) {
        g_printerr("killing QEMU %d left by the test\n",
                   g_array_index(pids, int, i));
        kill(g_array_index(pids, int, i), SIGKILL);
    }
}

static rpcDomTestDaemon *rpcDomTestCrashDaemon;

/**
 * rpcDomTestDaemonFree:
 * @d: a daemon description
 * @failed: show the daemon's log
 */
void
rpcDomTestDaemonFree(rpcDomTestDaemon *d, bool failed)
{
    g_autofree char *text = NULL;
    const char *rm[] = { "rm", "-rf", d->dir, NULL };

    if (d->pid > 0) {
        kill(d->pid, SIGKILL);
        waitpid(d->pid, NULL, 0);
    }
    rpcDomTestKillQemus(d);
    if (rpcDomTestCrashDaemon == d)
        rpcDomTestCrashDaemon = NULL;
    if (failed && g_file_get_contents(d->log, &text, NULL, NULL))
        g_printerr("--- virtgmemd log\n%s--- end of log\n", text);
    g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                 NULL, NULL, NULL, NULL);
    g_free(d->dir);
    g_free(d->root);
    g_free(d->sock);
    g_free(d->roSock);
    g_free(d->uri);
    g_free(d->roUri);
    g_free(d->log);
    g_free(d);
}

/**
 * rpcDomTestVirtType:
 *
 * Returns: "kvm" when /dev/kvm can be opened, else "qemu" (TCG);
 * VGM_TEST_ACCEL=tcg forces "qemu".
 */
const char *
rpcDomTestVirtType(void)
{
    VGM_AUTOCLOSE int fd = -1;

    if (g_strcmp0(g_getenv("VGM_TEST_ACCEL"), "tcg") == 0)
        return "qemu";
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    return fd < 0 ? "qemu" : "kvm";
}

/**
 * rpcDomTestXML:
 * @d: the daemon (the file goes to its directory)
 * @name: the domain name
 * @n: makes the uuid unique
 * @mib: memory
 *
 * Returns: (transfer full): the XML of a diskless guest.
 */
char *
rpcDomTestXML(rpcDomTestDaemon *d, const char *name, unsigned int n,
              unsigned int mib)
{
    g_autofree char *path = g_strdup_printf("%s/%s.xml", d->dir, name);
    char *xml = g_strdup_printf(
        "<domain type='%s'>\n"
        "  <name>%s</name>\n"
        "  <uuid>6f2c1a4e-8b3d-4c5e-9f10-%012x</uuid>\n"
        "  <memory unit='MiB'>%u</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        "  </os>\n"
        "</domain>\n", rpcDomTestVirtType(), name, n, mib);

    g_assert_true(g_file_set_contents(path, xml, -1, NULL));
    return xml;
}

/**
 * rpcDomTestVirsh:
 * @d: a running daemon
 * @ro: connect read-only (virsh -r on the -ro socket)
 * @args: the virsh command and its arguments, NULL-terminated
 *
 * Returns: (transfer full): stdout, "--- stderr", stderr, "--- exit N".
 */
char *
rpcDomTestVirsh(rpcDomTestDaemon *d, bool ro, const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) env = g_get_environ();
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = 0;
    size_t i;

    g_ptr_array_add(argv, (char *)"virsh");
    if (ro)
        g_ptr_array_add(argv, (char *)"-r");
    g_ptr_array_add(argv, (char *)"-c");
    g_ptr_array_add(argv, ro ? d->roUri : d->uri);
    for (i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    env = g_environ_setenv(env, "HOME", d->dir, TRUE);
    env = g_environ_setenv(env, "LIBVIRT_AUTOSTART", "0", TRUE);
    env = g_environ_unsetenv(env, "LIBVIRT_DEFAULT_URI");
    env = g_environ_unsetenv(env, "VIRSH_DEFAULT_CONNECT_URI");
    if (!g_spawn_sync(d->dir, (char **)argv->pdata, env, G_SPAWN_SEARCH_PATH,
                      NULL, NULL, &out, &err, &status, NULL))
        return g_strdup("cannot run virsh\n");
    return g_strdup_printf("%s--- stderr\n%s--- exit %d\n", out, err,
                           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static char *
rpcDomTestReplace(const char *text, const char *pattern, const char *with)
{
    g_autoptr(GRegex) re = g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL);

    g_assert_nonnull(re);
    return g_regex_replace(re, text, -1, 0, with, 0, NULL);
}

/**
 * rpcDomTestMask:
 * @d: the daemon
 * @text: output of virsh
 *
 * Returns: (transfer full): @text with the run- and host-dependent parts
 * replaced by @NAME@ markers.
 */
char *
rpcDomTestMask(rpcDomTestDaemon *d, const char *text)
{
    static const char *const rules[][2] = {
        { "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
          "@UUID@" },
        { "^(CPU time: +)[0-9.]+s$", "\\1@TIME@" },
        { "^(  cpu\\.(time|user|system)=)[0-9]+$", "\\1@NS@" },
        { "type='(kvm|qemu)'", "type='@VIRTTYPE@'" },
        { "<domain>(kvm|qemu)</domain>", "<domain>@VIRTTYPE@</domain>" },
        { "-accel (kvm|tcg)", "-accel @ACCEL@" },
    };
    g_auto(GStrv) parts = g_strsplit(text, d->dir, -1);
    g_autofree char *masked = g_strjoinv("@TMPDIR@", parts);
    g_autofree char *escaped = g_regex_escape_string(g_get_host_name(), -1);
    g_autofree char *host = g_strdup_printf("^%s$", escaped);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(rules); i++) {
        char *next = rpcDomTestReplace(masked, rules[i][0], rules[i][1]);

        g_free(masked);
        masked = next;
    }
    return rpcDomTestReplace(masked, host, "@HOSTNAME@");
}

/* A failed assertion aborts the test: take the daemon and the guests
 * along (a daemon stopped by SIGTERM would leave the guests running). */
static void
rpcDomTestOnCrash(int sig)
{
    if (rpcDomTestCrashDaemon) {
        if (rpcDomTestCrashDaemon->pid > 0)
            kill(rpcDomTestCrashDaemon->pid, SIGKILL);
        rpcDomTestKillQemus(rpcDomTestCrashDaemon);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/**
 * rpcDomTestCleanupOnCrash:
 * @d: (nullable): the daemon whose guests must not outlive a crash
 */
void
rpcDomTestCleanupOnCrash(rpcDomTestDaemon *d)
{
    rpcDomTestCrashDaemon = d;
    signal(SIGABRT, rpcDomTestOnCrash);
    signal(SIGSEGV, rpcDomTestOnCrash);
    signal(SIGTRAP, rpcDomTestOnCrash);
}
