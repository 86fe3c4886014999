/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/rpcdomtestutils.h"
#include "tests/testutils.h"

/*
 * Stock virsh drives real guests through virtgmemd, end to end, with
 * golden output (tests/data/virsh-dom/NAME.out, masked by
 * rpcDomTestMask()).  The cases run in order on one daemon and build on
 * each other: define, start, query, suspend, resume, destroy, undefine.
 * Then the daemon is restarted with two guests running: they must be
 * listed running again with the same ids.
 *
 * A diskless guest has no OS: `shutdown` and `reboot` are sent (virsh
 * reports success) but nothing in the guest acts on the ACPI request, so
 * the guest stays running; `destroy` stops it.  rpcguesttest boots a
 * guest OS that does act on them.
 */

static rpcDomTestDaemon *daemon_;

typedef struct {
    const char *name;           /* tests/data/virsh/dom-NAME.out */
    const char *const *args;
    bool readonly;
    const char *keep;           /* regex: keep only matching lines */
} virshCase;

#define ARGS(...) (const char *const[]){ __VA_ARGS__, NULL }

/* Lines of <capabilities> and <domainCapabilities> that do not depend on
 * the host's CPU or on KVM. */
#define CAPS_KEEP \
    "^ *</?(capabilities|host|guest|os_type|wordsize|emulator)|^ *<arch name|^    </arch>"
#define DOMCAPS_KEEP "^ *</?(domainCapabilities|path|domain|arch)>"

static const virshCase cases[] = {
    { "define", ARGS("define", "vm1.xml"), false, NULL },
    { "define-validate", ARGS("define", "--validate", "vm1.xml"), false,
      NULL },
    { "list-all-defined", ARGS("list", "--all"), false, NULL },
    { "start", ARGS("start", "vm1"), false, NULL },
    { "start-again", ARGS("start", "vm1"), false, NULL },
    { "list-running", ARGS("list"), false, NULL },
    { "dominfo", ARGS("dominfo", "vm1"), false, NULL },
    { "domstate", ARGS("domstate", "--reason", "vm1"), false, NULL },
    { "domid", ARGS("domid", "vm1"), false, NULL },
    { "dumpxml", ARGS("dumpxml", "vm1"), false, NULL },
    { "domstats", ARGS("domstats", "vm1"), false, NULL },
    { "domstats-all", ARGS("domstats", "--state"), false, NULL },
    { "qemu-monitor-command", ARGS("qemu-monitor-command", "vm1",
                                   "{\"execute\":\"query-status\"}"),
      false, NULL },
    { "qemu-monitor-command-hmp", ARGS("qemu-monitor-command", "--hmp", "vm1",
                                       "info status"), false, NULL },
    { "readonly-destroy", ARGS("destroy", "vm1"), true, NULL },
    { "readonly-list", ARGS("list", "--all"), true, NULL },
    { "suspend", ARGS("suspend", "vm1"), false, NULL },
    { "domstate-paused", ARGS("domstate", "--reason", "vm1"), false, NULL },
    { "resume", ARGS("resume", "vm1"), false, NULL },
    { "domxml-to-native", ARGS("domxml-to-native", "qemu-argv", "--domain",
                               "vm1"), false, NULL },
    { "shutdown", ARGS("shutdown", "vm1"), false, NULL },
    { "reboot", ARGS("reboot", "vm1"), false, NULL },
    { "autostart", ARGS("autostart", "vm1"), false, NULL },
    { "destroy", ARGS("destroy", "vm1"), false, NULL },
    { "domstate-destroyed", ARGS("domstate", "--reason", "vm1"), false, NULL },
    { "create", ARGS("create", "vm2.xml"), false, NULL },
    { "list-transient", ARGS("list", "--all", "--transient"), false, NULL },
    { "destroy-transient", ARGS("destroy", "vm2"), false, NULL },
    { "capabilities", ARGS("capabilities"), false, CAPS_KEEP },
    { "domcapabilities", ARGS("domcapabilities"), false, DOMCAPS_KEEP },
    { "dominfo-missing", ARGS("dominfo", "nope"), false, NULL },
    { "undefine", ARGS("undefine", "vm1"), false, NULL },
    { "list-all-empty", ARGS("list", "--all"), false, NULL },
};

static char *
keepLines(const char *text, const char *keep)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GRegex) re = g_regex_new(keep, 0, 0, NULL);
    GString *out = g_string_new(NULL);
    bool tail = false;
    size_t i;

    for (i = 0; lines[i]; i++) {
        tail = tail || g_str_has_prefix(lines[i], "--- ");
        if (tail || g_regex_match(re, lines[i], 0, NULL))
            g_string_append_printf(out, "%s%s", lines[i],
                                   lines[i + 1] ? "\n" : "");
    }
    return g_string_free(out, FALSE);
}

static void
compareGolden(const char *name, const char *out)
{
    g_autofree char *masked = rpcDomTestMask(daemon_, out);
    g_autofree char *golden = g_strdup_printf("virsh-dom/%s.out", name);

    vgmTestCompareToFile(masked, golden);
}

static void
testVirsh(gconstpointer data)
{
    const virshCase *tc = data;
    g_autofree char *out = rpcDomTestVirsh(daemon_, tc->readonly, tc->args);
    g_autofree char *kept = tc->keep ? keepLines(out, tc->keep) : NULL;

    compareGolden(tc->name, kept ? kept : out);
}

/* `event --loop --timeout` sees a start, a reboot (QEMU's RESET) and a
 * destroy made meanwhile. */
static void
testEventLoop(void)
{
    const char *argv[] = { "virsh", "-c", daemon_->uri, "event", "--all",
                           "--loop", "--timeout", "8", NULL };
    const char *const start[] = { "start", "vm1", NULL };
    const char *const reboot[] = { "reboot", "vm1", NULL };
    const char *const destroy[] = { "destroy", "vm1", NULL };
    g_autofree char *out = NULL;
    g_autofree char *a = NULL;
    g_autofree char *r = NULL;
    g_autofree char *b = NULL;
    g_autofree char *all = NULL;
    g_autoptr(GError) error = NULL;
    GPid pid;
    int outFd = -1;
    int status = 0;
    g_autoptr(GIOChannel) ch = NULL;

    g_assert_true(g_spawn_async_with_pipes(daemon_->dir, (char **)argv, NULL,
                                           G_SPAWN_SEARCH_PATH |
                                           G_SPAWN_DO_NOT_REAP_CHILD |
                                           G_SPAWN_STDERR_TO_DEV_NULL,
                                           NULL, NULL, &pid, NULL, &outFd,
                                           NULL, &error));
    /* virsh registers 27 callbacks first; give it time to. */
    g_usleep(2 * G_USEC_PER_SEC);
    a = rpcDomTestVirsh(daemon_, false, start);
    r = rpcDomTestVirsh(daemon_, false, reboot);
    /* the reboot event comes from QEMU, after the reply */
    g_usleep(G_USEC_PER_SEC / 2);
    b = rpcDomTestVirsh(daemon_, false, destroy);
    ch = g_io_channel_unix_new(outFd);
    g_io_channel_set_close_on_unref(ch, TRUE);
    g_assert_cmpint(g_io_channel_read_to_end(ch, &out, NULL, NULL), ==,
                    G_IO_STATUS_NORMAL);
    waitpid(pid, &status, 0);
    all = g_strdup_printf("%s%s%s--- event\n%s--- exit %d\n", a, r, b, out,
                          WEXITSTATUS(status));
    compareGolden("event-loop", all);
}

static char *
listAll(void)
{
    const char *const list[] = { "list", "--all", NULL };

    return rpcDomTestVirsh(daemon_, false, list);
}

/* SIGTERM leaves guests running; the next daemon lists them running
 * with the same ids, and destroy works. */
static void
testRestart(void)
{
    g_autofree char *xmlA = rpcDomTestXML(daemon_, "vmA", 0xa, 128);
    g_autofree char *xmlB = rpcDomTestXML(daemon_, "vmB", 0xb, 128);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *end = NULL;
    g_autoptr(GArray) pids = NULL;
    const char *const cmds[][3] = {
        { "define", "vmA.xml", NULL }, { "define", "vmB.xml", NULL },
        { "start", "vmA", NULL }, { "start", "vmB", NULL },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cmds); i++)
        g_free(rpcDomTestVirsh(daemon_, false, cmds[i]));
    before = listAll();
    g_assert_true(rpcDomTestDaemonStop(daemon_));
    pids = rpcDomTestQemuPids(daemon_);
    g_assert_cmpuint(pids->len, ==, 2);
    for (i = 0; i < pids->len; i++)
        g_assert_cmpint(kill(g_array_index(pids, int, i), 0), ==, 0);
    g_assert_true(rpcDomTestDaemonStart(daemon_));
    after = listAll();
    g_assert_cmpstr(after, ==, before);
    compareGolden("restart-list", after);
    g_free(rpcDomTestVirsh(daemon_, false, ARGS("destroy", "vmA")));
    g_free(rpcDomTestVirsh(daemon_, false, ARGS("destroy", "vmB")));
    g_free(rpcDomTestVirsh(daemon_, false, ARGS("undefine", "vmA")));
    g_free(rpcDomTestVirsh(daemon_, false, ARGS("undefine", "vmB")));
    end = listAll();
    compareGolden("restart-end", end);
    g_clear_pointer(&pids, g_array_unref);
    pids = rpcDomTestQemuPids(daemon_);
    g_assert_cmpuint(pids->len, ==, 0);
}

int
main(int argc, char **argv)
{
    int rc;
    size_t i;

    g_test_init(&argc, &argv, NULL);
    daemon_ = rpcDomTestDaemonNew(false);
    rpcDomTestCleanupOnCrash(daemon_);
    g_free(rpcDomTestXML(daemon_, "vm1", 1, 128));
    g_free(rpcDomTestXML(daemon_, "vm2", 2, 128));
    if (!rpcDomTestDaemonStart(daemon_)) {
        rpcDomTestDaemonFree(daemon_, true);
        return 1;
    }
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/virsh/%02zu-%s", i,
                                                cases[i].name);

        g_test_add_data_func(path, &cases[i], testVirsh);
        if (strcmp(cases[i].name, "domstate-destroyed") == 0)
            g_test_add_func("/virsh/event-loop", testEventLoop);
    }
    g_test_add_func("/virsh/restart", testRestart);
    vgmTestAddUnusedCheck("virsh-dom");
    rc = g_test_run();
    if (!rpcDomTestDaemonStop(daemon_)) {
        g_printerr("virtgmemd did not stop cleanly\n");
        rc = 1;
    }
    rpcDomTestDaemonFree(daemon_, rc != 0);
    return rc;
}
