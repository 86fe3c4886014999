/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <fcntl.h>
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
 * a temporary root and socket, prints its idle RSS, defines
 * BENCH_DOMAINS inactive diskless domains (and prints the RSS again) and
 * uses the first as DOMAIN.  Round trips per second of
 * virConnectGetVersion and virConnectGetHostname (and virDomainGetState
 * when DOMAIN exists) on one connection and with BENCH_CLIENTS concurrent
 * clients (one thread and connection each), the time of virConnectOpen +
 * virConnectClose and of virConnectListAllDomains with the domains there
 * are.  On its own daemon it also starts and destroys DOMAIN (KVM where
 * /dev/kvm works, TCG otherwise) and measures the latency of the
 * lifecycle events: from the call to the event's arrival.  Prints,
 * asserts nothing.
 */

#define BENCH_SECONDS 1.0
#define BENCH_CLIENTS 8
#define BENCH_CONNECTS 200
#define BENCH_DOMAINS 100
#define BENCH_LISTS 200
#define BENCH_EVENT_ROUNDS 3

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
    virConnectPtr conn = d->uri ? virConnectOpen(d->uri) : NULL;
    virDomainPtr dom = conn ? virDomainLookupByName(conn, "bench-0") : NULL;

    /* The daemon leaves guests running when it stops: not ours. */
    if (dom) {
        virDomainDestroy(dom);
        virDomainFree(dom);
    }
    if (conn)
        virConnectClose(conn);
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

/* virConnectListAllDomains (all domains), mean over BENCH_LISTS. */
static void
benchList(const char *uri)
{
    virConnectPtr conn = virConnectOpen(uri);
    g_autoptr(GTimer) timer = NULL;
    int n = -1;
    int i;

    if (!conn) {
        printf("list: failed: %s\n", virGetLastErrorMessage());
        return;
    }
    timer = g_timer_new();
    for (i = 0; i < BENCH_LISTS; i++) {
        virDomainPtr *doms = NULL;
        int j;

        if ((n = virConnectListAllDomains(conn, &doms, 0)) < 0)
            break;
        for (j = 0; j < n; j++)
            virDomainFree(doms[j]);
        free(doms);
    }
    if (n < 0)
        printf("list: failed: %s\n", virGetLastErrorMessage());
    else
        printf("%-26s %4d domains %10.1f us\n", "virConnectListAllDomains", n,
               g_timer_elapsed(timer, NULL) * 1e6 / BENCH_LISTS);
    virConnectClose(conn);
}

static const char *
benchVirtType(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return "qemu";
    close(fd);
    return "kvm";
}

/* BENCH_DOMAINS inactive diskless domains bench-0 ... on our daemon. */
static bool
benchDefineDomains(const char *uri)
{
    virConnectPtr conn = virConnectOpen(uri);
    int i;

    for (i = 0; conn && i < BENCH_DOMAINS; i++) {
        g_autofree char *xml = g_strdup_printf(
            "<domain type='%s'><name>bench-%d</name>"
            "<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
            "</domain>", benchVirtType(), i);
        virDomainPtr dom = virDomainDefineXML(conn, xml);

        if (!dom)
            break;
        virDomainFree(dom);
    }
    if (conn)
        virConnectClose(conn);
    if (i < BENCH_DOMAINS)
        printf("define: failed: %s\n", virGetLastErrorMessage());
    return i == BENCH_DOMAINS;
}

/* The lifecycle events of one domain, with their arrival times. */
typedef struct {
    GMutex lock;
    GCond cond;
    int event;                  /* the last one */
    gint64 when;                /* its arrival, monotonic us */
} benchEvents;

static int
benchOnLifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                 void *opaque)
{
    benchEvents *ev = opaque;

    g_mutex_lock(&ev->lock);
    ev->event = event;
    ev->when = g_get_monotonic_time();
    g_cond_broadcast(&ev->cond);
    g_mutex_unlock(&ev->lock);
    return 0;
}

/* Microseconds from @since to the arrival of @event, or -1. */
static gint64
benchWaitEvent(benchEvents *ev, int event, gint64 since)
{
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    gint64 latency = -1;

    g_mutex_lock(&ev->lock);
    while (ev->event != event && g_cond_wait_until(&ev->cond, &ev->lock, end))
        ;
    if (ev->event == event)
        latency = ev->when - since;
    ev->event = -1;
    g_mutex_unlock(&ev->lock);
    return latency;
}

/* One start and destroy: the event latencies, false on failure. */
static bool
benchEventRound(virDomainPtr dom, benchEvents *ev, gint64 *start,
                gint64 *stop)
{
    gint64 t0 = g_get_monotonic_time();

    if (virDomainCreate(dom) < 0 ||
        (*start = benchWaitEvent(ev, VIR_DOMAIN_EVENT_STARTED, t0)) < 0)
        return false;
    t0 = g_get_monotonic_time();
    if (virDomainDestroy(dom) < 0 ||
        (*stop = benchWaitEvent(ev, VIR_DOMAIN_EVENT_STOPPED, t0)) < 0)
        return false;
    return true;
}

/* virDomainCreate -> STARTED and virDomainDestroy -> STOPPED events. */
static void
benchEventLatency(const char *uri, const char *domain)
{
    virConnectPtr conn = virConnectOpen(uri);
    virDomainPtr dom = conn ? virDomainLookupByName(conn, domain) : NULL;
    benchEvents ev = { .event = -1 };
    gint64 start = 0;
    gint64 stop = 0;
    gint64 sumStart = 0;
    gint64 sumStop = 0;
    int id = -1;
    int i;

    g_mutex_init(&ev.lock);
    g_cond_init(&ev.cond);
    if (dom)
        id = virConnectDomainEventRegisterAny(
            conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
            VIR_DOMAIN_EVENT_CALLBACK(benchOnLifecycle), &ev, NULL);
    for (i = 0; id >= 0 && i < BENCH_EVENT_ROUNDS; i++) {
        if (!benchEventRound(dom, &ev, &start, &stop))
            break;
        sumStart += start;
        sumStop += stop;
    }
    if (id < 0 || i < BENCH_EVENT_ROUNDS)
        printf("event latency: failed: %s\n", virGetLastErrorMessage());
    else
        printf("event latency: create->STARTED %.1f ms, destroy->STOPPED "
               "%.1f ms (mean of %d)\n", sumStart / 1e3 / i, sumStop / 1e3 / i,
               i);
    if (id >= 0)
        virConnectDomainEventDeregisterAny(conn, id);
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    g_cond_clear(&ev.cond);
    g_mutex_clear(&ev.lock);
}

static gpointer
benchEventLoop(gpointer data)
{
    while (TRUE)
        virEventRunDefaultImpl();
    return NULL;
}

static void
benchRun(const char *uri, const char *domain)
{
    static const int clients[] = { 1, BENCH_CLIENTS };
    size_t i;
    int call;

    printf("URI %s\n", uri);
    benchConnect(uri);
    benchList(uri);
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
    virEventRegisterDefaultImpl();
    g_thread_unref(g_thread_new("events", benchEventLoop, NULL));
    if (!uri) {
        if (!benchDaemonStart(&d)) {
            fprintf(stderr, "rpcbench: cannot start virtgmemd\n");
            benchDaemonStop(&d);
            return 1;
        }
        uri = d.uri;
        benchPrintRSS(d.pid, "idle, started:");
        if (benchDefineDomains(uri)) {
            benchPrintRSS(d.pid, "100 domains defined:");
            domain = domain ? domain : "bench-0";
        }
    }
    if (domain && !benchHasDomain(uri, domain)) {
        printf("no domain '%s': virDomainGetState not measured\n", domain);
        domain = NULL;
    }
    benchRun(uri, domain);
    if (d.pid > 0 && domain)
        benchEventLatency(uri, domain);
    if (d.pid > 0) {
        g_usleep(G_USEC_PER_SEC / 2);
        benchPrintRSS(d.pid, "idle, after the run:");
        benchDaemonStop(&d);
    }
    return 0;
}
