/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qapi/monitor.h"
#include "util/error.h"

/*
 * QMP round trips per second against the real QEMU, started with
 * "-machine none" (no KVM, no root): query-status over the qapi monitor,
 * one command at a time (each waits for its reply) and pipelined (a
 * window of commands in flight; QEMU still runs one command of a monitor
 * at a time, so this shows the client's overhead per queued command).
 * $VGM_BENCH_QEMU overrides the binary.  Prints figures, asserts nothing.
 */

#define BENCH_TIMEOUT_MS 10000
#define BENCH_WARMUP 200
#define BENCH_SECONDS 2
#define BENCH_WINDOW 32

typedef struct {
    char *dir;
    char *sock;
    GPid pid;
    GMainContext *ctx;
    qapiMonitor *mon;
} benchQemu;

static int
benchQemuStart(benchQemu *q, const char *binary, GError **error)
{
    g_autofree char *qmp = NULL;
    const char *argv[] = {
        binary, "-machine", "none", "-nodefaults", "-display", "none",
        "-qmp", NULL, NULL,
    };

    if (!(q->dir = g_dir_make_tmp("vgm-qmpbench-XXXXXX", error)))
        return -1;
    q->sock = g_build_filename(q->dir, "qmp.sock", NULL);
    qmp = g_strdup_printf("unix:%s,server=on,wait=off", q->sock);
    argv[7] = qmp;
    if (!g_spawn_async(NULL, (char **)argv, NULL,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                       NULL, NULL, &q->pid, error))
        return -1;
    q->ctx = g_main_context_new();
    q->mon = qapiMonitorConnect(q->sock, q->ctx, BENCH_TIMEOUT_MS, error);
    if (!q->mon)
        return -1;
    return qapiMonitorHandshakeSync(q->mon, BENCH_TIMEOUT_MS, error);
}

static void
benchQemuStop(benchQemu *q)
{
    int status;

    g_autoptr(qapiJSON) quit = qapiMonitorMakeCommand("quit", NULL);
    bool quitSent = q->mon && qapiMonitorCommandSync(q->mon, &quit,
                                                     BENCH_TIMEOUT_MS, NULL,
                                                     NULL) == 0;

    if (q->mon)
        qapiMonitorUnref(q->mon);
    if (q->pid > 0) {
        if (!quitSent)
            kill(q->pid, SIGTERM);
        waitpid(q->pid, &status, 0);
        g_spawn_close_pid(q->pid);
    }
    if (q->sock)
        unlink(q->sock);
    if (q->dir)
        rmdir(q->dir);
    if (q->ctx)
        g_main_context_unref(q->ctx);
    g_free(q->sock);
    g_free(q->dir);
}

static int
benchQueryStatus(benchQemu *q, GError **error)
{
    g_autoptr(qapiJSON) cmd = qapiMonitorMakeCommand("query-status", NULL);
    g_autoptr(qapiJSON) reply = NULL;

    return qapiMonitorCommandSync(q->mon, &cmd, BENCH_TIMEOUT_MS, &reply,
                                  error);
}

static int
benchCompareDouble(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

/* One command at a time for BENCH_SECONDS; latencies in @lat (µs). */
static int
benchSequential(benchQemu *q, GArray *lat, GError **error)
{
    gint64 end = g_get_monotonic_time() + BENCH_SECONDS * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < end) {
        gint64 start = g_get_monotonic_time();
        double us;

        if (benchQueryStatus(q, error) < 0)
            return -1;
        us = (double)(g_get_monotonic_time() - start);
        g_array_append_val(lat, us);
    }
    return 0;
}

typedef struct {
    guint64 done;
    guint64 failed;
} benchPipe;

static void
benchPipeReply(qapiMonitor *mon, qapiJSON *reply, const GError *error,
               gpointer opaque)
{
    benchPipe *state = opaque;

    state->done++;
    if (error)
        state->failed++;
    qapiJSONFree(reply);
}

static int
benchPipeSend(benchQemu *q, benchPipe *pipe, GError **error)
{
    g_autoptr(qapiJSON) cmd = qapiMonitorMakeCommand("query-status", NULL);

    return qapiMonitorSend(q->mon, &cmd, BENCH_TIMEOUT_MS, benchPipeReply,
                           pipe, error);
}

/* BENCH_WINDOW commands in flight for BENCH_SECONDS; returns replies. */
static gint64
benchPipelined(benchQemu *q, gint64 *elapsedUs, GError **error)
{
    benchPipe pipe = { 0, 0 };
    gint64 start = g_get_monotonic_time();
    gint64 end = start + BENCH_SECONDS * G_USEC_PER_SEC;
    guint64 sent = 0;

    while (g_get_monotonic_time() < end || pipe.done < sent) {
        while (sent - pipe.done < BENCH_WINDOW &&
               g_get_monotonic_time() < end) {
            if (benchPipeSend(q, &pipe, error) < 0)
                return -1;
            sent++;
        }
        g_main_context_iteration(q->ctx, TRUE);
    }
    *elapsedUs = g_get_monotonic_time() - start;
    if (pipe.failed > 0) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_OPERATION_FAILED,
                    "%" G_GUINT64_FORMAT " pipelined commands failed",
                    pipe.failed);
        return -1;
    }
    return (gint64)pipe.done;
}

static void
benchReportSequential(GArray *lat)
{
    double *v = (double *)(void *)lat->data;
    double total = 0;
    guint i;

    qsort(v, lat->len, sizeof(double), benchCompareDouble);
    for (i = 0; i < lat->len; i++)
        total += v[i];
    printf("query-status, one at a time: %u round trips in %.2f s: "
           "%.0f/s, latency median %.1f us, p99 %.1f us, max %.1f us\n",
           lat->len, total / G_USEC_PER_SEC, lat->len / (total / G_USEC_PER_SEC),
           v[lat->len / 2], v[lat->len * 99 / 100], v[lat->len - 1]);
}

static int
benchRun(benchQemu *q, GError **error)
{
    g_autoptr(GArray) lat = g_array_new(FALSE, FALSE, sizeof(double));
    gint64 elapsed = 0;
    gint64 done;
    int i;

    for (i = 0; i < BENCH_WARMUP; i++) {
        if (benchQueryStatus(q, error) < 0)
            return -1;
    }
    if (benchSequential(q, lat, error) < 0 || lat->len == 0)
        return -1;
    benchReportSequential(lat);
    if ((done = benchPipelined(q, &elapsed, error)) < 0)
        return -1;
    printf("query-status, %d in flight: %" G_GINT64_FORMAT
           " round trips in %.2f s: %.0f/s\n", BENCH_WINDOW, done,
           elapsed / (double)G_USEC_PER_SEC,
           done / (elapsed / (double)G_USEC_PER_SEC));
    return 0;
}

static char *
benchFindQemu(void)
{
    const char *env = g_getenv("VGM_BENCH_QEMU");

    if (env)
        return g_strdup(env);
    return g_find_program_in_path("qemu-system-x86_64");
}

int
main(int argc, char **argv)
{
    g_autofree char *binary = benchFindQemu();
    g_autoptr(GError) error = NULL;
    benchQemu q = { NULL, NULL, 0, NULL, NULL };
    int major = 0;
    int minor = 0;
    int micro = 0;
    int ret = 0;

    if (!binary) {
        printf("no qemu-system-x86_64 (set VGM_BENCH_QEMU): skipped\n");
        return 0;
    }
    if (benchQemuStart(&q, binary, &error) < 0) {
        fprintf(stderr, "qmpbench: %s\n", error->message);
        benchQemuStop(&q);
        return 1;
    }
    qapiMonitorGetVersion(q.mon, &major, &minor, &micro);
    printf("%s (QEMU %d.%d.%d, -machine none), QMP over a UNIX socket:\n",
           binary, major, minor, micro);
    if (benchRun(&q, &error) < 0) {
        fprintf(stderr, "qmpbench: %s\n",
                error ? error->message : "no round trip completed");
        ret = 1;
    }
    benchQemuStop(&q);
    return ret;
}
