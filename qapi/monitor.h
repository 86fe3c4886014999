/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qapi/json.h"

/*
 * The QMP client.
 *
 * A monitor lives on the GMainContext given at creation and is used from
 * the thread that runs (owns) that context only; it has no locks.  The
 * synchronous calls iterate that context, so they work on a private
 * context (e.g. while probing a QEMU binary) or on the caller's own
 * context, but must not be called from inside one of the monitor's
 * callbacks.
 *
 * Frames are JSON texts ending in "\r\n".  Commands get ids "vgm-N" and
 * replies are matched by id.  A greeting after the first is skipped (QEMU
 * 7.2 can send two; see monitor.c).  On EOF, hang-up, a read error, a
 * frame that is not JSON or not a QMP message, or a message larger than
 * the limit, the monitor fails: every pending command completes with the
 * error (quoting the start of an offending message), the EOF callback
 * runs once, and later sends fail.
 *
 * Callbacks may unref or close the monitor.
 */

typedef struct qapiMonitor qapiMonitor;

/*
 * A command completed.  On success @reply is the "return" value
 * (transfer full; for raw commands, see qapiMonitorSendRaw) and @error is
 * NULL; otherwise @reply is NULL and @error says why.
 */
typedef void (*qapiMonitorReplyFunc)(qapiMonitor *mon, qapiJSON *reply,
                                     const GError *error, gpointer opaque);

/*
 * An event; @data is the "data" member or NULL (transfer none); @seconds
 * and @micros come from its "timestamp" (-1 when absent).
 */
typedef void (*qapiMonitorEventFunc)(qapiMonitor *mon, const char *name,
                                     gint64 seconds, gint64 micros,
                                     const qapiJSON *data, gpointer opaque);

/* The monitor failed or reached EOF; @error says which (never NULL). */
typedef void (*qapiMonitorEOFFunc)(qapiMonitor *mon, const GError *error,
                                   gpointer opaque);

typedef struct {
    const char *name;   /* the event name, the table sorted by it */
    qapiMonitorEventFunc handler;
} qapiMonitorEventHandler;

#define QAPI_MONITOR_DEFAULT_MAX_MESSAGE (64 * 1024 * 1024)

qapiMonitor *qapiMonitorNew(int fd, GMainContext *ctx, GError **error);
qapiMonitor *qapiMonitorConnect(const char *path, GMainContext *ctx,
                                int timeoutMs, GError **error);
qapiMonitor *qapiMonitorRef(qapiMonitor *mon);
void qapiMonitorUnref(qapiMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qapiMonitor, qapiMonitorUnref);
void qapiMonitorClose(qapiMonitor *mon);

void qapiMonitorSetMaxMessage(qapiMonitor *mon, size_t bytes);
void qapiMonitorSetEOFHandler(qapiMonitor *mon, qapiMonitorEOFFunc func,
                              gpointer opaque);
int qapiMonitorSetEventHandlers(qapiMonitor *mon,
                                const qapiMonitorEventHandler *table,
                                size_t ntable,
                                qapiMonitorEventFunc catchAll,
                                gpointer opaque);

/* Greeting and capability negotiation. */
int qapiMonitorHandshake(qapiMonitor *mon, int timeoutMs,
                         qapiMonitorReplyFunc func, gpointer opaque,
                         GError **error);
int qapiMonitorHandshakeSync(qapiMonitor *mon, int timeoutMs,
                             GError **error);
bool qapiMonitorGetVersion(qapiMonitor *mon, int *major, int *minor,
                           int *micro);
const char *qapiMonitorGetPackage(qapiMonitor *mon);
bool qapiMonitorHasCapability(qapiMonitor *mon, const char *cap);

/* Commands. */
qapiJSON *qapiMonitorMakeCommand(const char *execute, qapiJSON **args);
int qapiMonitorSend(qapiMonitor *mon, qapiJSON **cmd, int timeoutMs,
                    qapiMonitorReplyFunc func, gpointer opaque,
                    GError **error);
int qapiMonitorCommandSync(qapiMonitor *mon, qapiJSON **cmd, int timeoutMs,
                           qapiJSON **reply, GError **error);
const char *qapiMonitorGetLastErrorClass(qapiMonitor *mon);

/* Raw passthrough (virsh qemu-monitor-command). */
int qapiMonitorSendRaw(qapiMonitor *mon, const char *cmdText, int timeoutMs,
                       qapiMonitorReplyFunc func, gpointer opaque,
                       GError **error);
int qapiMonitorCommandRawSync(qapiMonitor *mon, const char *cmdText,
                              int timeoutMs, char **replyText,
                              GError **error);
