/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The RPC daemon through the public libvirt client API only, so the same
 * program measures any libvirt daemon:
 *
 *   rpcbench [URI [DOMAIN]]
 *
 * Without URI it starts virtgmemd ($VGM_VIRTGMEMD, else the build's) on
 * a temporary socket and also prints its idle RSS.  Round trips per
 * second of virConnectGetVersion and virConnectGetHostname (and
 * virDomainGetState when DOMAIN exists) on one connection and with
 * BENCH_CLIENTS concurrent clients (one thread and connection each), and
 * the time of virConnectOpen + virConnectClose.  Prints, asserts nothing.
 */

#define BENCH_SECONDS 1.0
#define BENCH_CLIENTS 8
#define BENCH_CONNECTS 200

typedef enum {
    BENCH_GET_VERSION,
    BENCH_GET_HOSTNAME,
    BENCH_DOMAIN_STATE,
} benchCall;

static const char *const benchCallNames[] = {
    "virConnectGetVersion", "virConnectGetHostname", "virDomainGetState",
};

typedef struct {
    const char *uri;
    const char *domain;         /* NULL: no virDomainGetState */
    benchCall call;
    GThread *thread;
    guint64 calls;              /* done in the measured time */
    bool failed;
} benchWorker;

typedef struct {
    char *dir;
    char *uri;
    GPid pid;
} benchDaemon;

static void
benchSilentErrors(void *data, virErrorPtr err)
{
}

/* One call; false when it failed. */
static bool
benchOne(virConnectPtr conn, virDomainPtr dom, benchCall call)
{
    unsigned long version;
    char *host;
    int state;
    int reason;

    switch (call) {
    case BENCH_GET_VERSION:
        return virConnectGetVersion(conn, &version) == 0;
    case BENCH_GET_HOSTNAME:
        host = virConnectGetHostname(conn);
        free(host);
        return host != NULL;
    case BENCH_DOMAIN_STATE:
        return virDomainGetState(dom, &state, &reason, 0) == 0;
    }
    return false;
}

/* Calls for BENCH_SECONDS on a connection of its own. */
static gpointer
benchWorkerRun(gpointer data)
{
    benchWorker *w = data;
    virConnectPtr conn = virConnectOpen(w->uri);
    virDomainPtr dom = NULL;
    g_autoptr(GTimer) timer = NULL;

    if (!conn || (w->domain &&
                  !(dom = virDomainLookupByName(conn, w->domain)))) {
        w->failed = true;
        goto cleanup;
    }
    timer = g_timer_new();
    while (g_timer_elapsed(timer, NULL) < BENCH_SECONDS) {
        if (!benchOne(conn, dom, w->call)) {
            w->failed = true;
            break;
        }
        w->calls++;
    }
 cleanup:
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    return NULL;
}

/* Round trips per second of @call with @n clients at once. */
static void
benchRoundTrips(const char *uri, const char *domain, benchCall call, int n)
{
    g_autofree benchWorker *workers = g_new0(benchWorker, n);
    guint64 total = 0;
    bool failed = false;
    int i;

    for (i = 0; i < n; i++) {
        workers[i] = (benchWorker){ uri, domain, call, NULL, 0, false };
        workers[i].thread = g_thread_new("bench", benchWorkerRun, &workers[i]);
    }
    for (i = 0; i < n; i++) {
        g_thread_join(workers[i].thread);
        total += workers[i].calls;
        failed |= workers[i].failed;
    }
    if (failed) {
        printf("%-24s %d client(s): failed: %s\n", benchCallNames[call], n,
               virGetLastErrorMessage());
        return;
    }
    printf("%-24s %d client(s): %10.0f calls/s\n", benchCallNames[call], n,
           total / BENCH_SECONDS);
}

/* virConnectOpen + virConnectClose, mean over BENCH_CONNECTS. */
static void
benchConnect(const char *uri)
{
    g_autoptr(GTimer) timer = g_timer_new();
    int i;

    for (i = 0; i < BENCH_CONNECTS; i++) {
        virConnectPtr conn = virConnectOpen(uri);

        if (!conn) {
            printf("connect+close: failed: %s\n", virGetLastErrorMessage());
            return;
        }
        virConnectClose(conn);
    }
    printf("%-35s %10.1f us\n", "virConnectOpen+virConnectClose",
           g_timer_elapsed(timer, NULL) * 1e6 / BENCH_CONNECTS);
}

static void
benchDaemonChildSetup(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/* Start virtgmemd on a temporary socket; false when it did not come up. */
static bool
benchDaemonStart(benchDaemon *d)
{
    const char *binary = g_getenv("VGM_VIRTGMEMD");
    g_autofree char *built = g_build_filename(VGM_BUILD_ROOT, "daemon",
                                              "virtgmemd", NULL);
    g_autofree char *sock = NULL;
    g_autofree char *root = NULL;
    g_autofree char *conf = NULL;
    const char *argv[] = { binary ? binary : built, "--socket", NULL,
                           "--root", NULL, "--config", NULL, NULL };
    int i;

    d->dir = g_dir_make_tmp("vgm-rpcbench-XXXXXX", NULL);
    sock = g_build_filename(d->dir, "sock", NULL);
    root = g_build_filename(d->dir, "root", NULL);
    conf = g_build_filename(d->dir, "virtgmemd.conf", NULL);
    g_file_set_contents(conf, "# defaults\n", -1, NULL);
    argv[2] = sock;
    argv[4] = root;
    argv[6] = conf;
    d->uri = g_strdup_printf("gmem+unix:///system?socket=%s", sock);
    if (!g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                       benchDaemonChildSetup, NULL, &d->pid, NULL))
        return false;
    for (i = 0; i < 500; i++) {
        virConnectPtr conn = virConnectOpen(d->uri);

        if (conn) {
            virConnectClose(conn);
            return true;
        }
        g_usleep(10000);
    }
    return false;
}

static void
benchDaemonStop(benchDaemon *d)
{
    const char *rm[] = { "rm", "-rf", d->dir, NULL };

    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        waitpid(d->pid, NULL, 0);
    }
    g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                 NULL, NULL, NULL, NULL);
    g_free(d->dir);
    g_free(d->uri);
}

/* VmRSS of @pid, from /proc. */
static void
benchPrintRSS(GPid pid, const char *when)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *status = NULL;
    g_autofree char *value = NULL;
    const char *line;

    if (!g_file_get_contents(path, &status, NULL, NULL) ||
        !(line = strstr(status, "VmRSS:")))
        return;
    value = g_strndup(line + 6, strcspn(line + 6, "\n"));
    printf("daemon RSS %-24s %s\n", when, g_strstrip(value));
}

/* Whether @domain exists on @uri. */
static bool
benchHasDomain(const char *uri, const char *domain)
{
    virConnectPtr conn = virConnectOpen(uri);
    virDomainPtr dom = conn ? virDomainLookupByName(conn, domain) : NULL;

    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    return dom != NULL;
}

static void
benchRun(const char *uri, const char *domain)
{
    static const int clients[] = { 1, BENCH_CLIENTS };
    size_t i;
    int call;

    printf("URI %s\n", uri);
    benchConnect(uri);
    for (call = BENCH_GET_VERSION; call <= BENCH_DOMAIN_STATE; call++) {
        if (call == BENCH_DOMAIN_STATE && !domain)
            continue;
        for (i = 0; i < G_N_ELEMENTS(clients); i++)
            benchRoundTrips(uri, domain, call, clients[i]);
    }
}

int
main(int argc, char **argv)
{
    benchDaemon d = { 0 };
    const char *uri = argc > 1 ? argv[1] : NULL;
    const char *domain = argc > 2 ? argv[2] : NULL;

    virSetErrorFunc(NULL, benchSilentErrors);
    if (!uri) {
        if (!benchDaemonStart(&d)) {
            fprintf(stderr, "rpcbench: cannot start virtgmemd\n");
            benchDaemonStop(&d);
            return 1;
        }
        uri = d.uri;
        benchPrintRSS(d.pid, "idle, started:");
    }
    if (domain && !benchHasDomain(uri, domain)) {
        printf("no domain '%s': virDomainGetState not measured\n", domain);
        domain = NULL;
    }
    benchRun(uri, domain);
    if (d.pid > 0) {
        g_usleep(G_USEC_PER_SEC / 2);
        benchPrintRSS(d.pid, "idle, after the run:");
        benchDaemonStop(&d);
    }
    return 0;
}
