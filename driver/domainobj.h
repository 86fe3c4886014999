/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf/domain.h"
#include "qapi/monitor.h"
#include "util/enum.h"

/*
 * Domain objects, the list that owns them, their state (libvirt's
 * virDomainState plus the matching reason enum) and their jobs.
 *
 * Locking: the list has one mutex that guards its hash tables only.  Each
 * object has its own mutex guarding every field below; it is held for
 * short stretches only and never across a wait for QEMU.  A modify job
 * (drvDomainJobBegin) is what serialises operations on one domain: the
 * owner drops the object lock while it waits for QEMU, queries take the
 * object lock only and so never wait for a job.  Lock order: object, then
 * list; nothing takes an object lock while holding the list lock,
 * so an object lock holder may take the list lock (to drop a transient
 * domain).
 */

typedef enum {
    DRV_JOB_NONE = 0,
    DRV_JOB_START,
    DRV_JOB_DESTROY,
    DRV_JOB_SHUTDOWN,
    DRV_JOB_REBOOT,
    DRV_JOB_SUSPEND,
    DRV_JOB_RESUME,
    DRV_JOB_DEFINE,
    DRV_JOB_UNDEFINE,
    DRV_JOB_QMP,
    DRV_JOB_RECONNECT,
    DRV_JOB_AUTOSTART,

    DRV_JOB_LAST
} drvJob;
VGM_ENUM_DECL(drvJob);

VGM_ENUM_DECL(drvDomainState);

/* What ended (or will end) the QEMU process, for the shutoff reason. */
typedef enum {
    DRV_STOP_NONE = 0,     /* not asked: a crash if it exits */
    DRV_STOP_SHUTDOWN,     /* the guest powered off */
    DRV_STOP_DESTROYED,    /* we killed it */
    DRV_STOP_FAILED,       /* start failed */
    DRV_STOP_CRASHED,      /* guest panic with on_crash=destroy */
} drvStopCause;

/* The runtime half of a running domain (NULL when shut off). */
typedef struct {
    pid_t pid;
    int pidfd;
    unsigned long long startTime;   /* /proc/PID/stat field 22 */
    char *binary;
    char *capsFingerprint;
    char *monitorPath;
    char *privDir;
    char *logPath;
    gint64 logOffset;               /* where this run's output starts */
    guint64 traceOffset;            /* -D log read offset (conversions) */
    qapiMonitor *mon;               /* driver thread only */
    GSource *exitWatch;             /* driver thread only */
    bool monReady;                  /* handshake done */
    bool exited;                    /* the pidfd said so */
    drvStopCause stopCause;
    bool rebootPending;             /* on_reboot=restart after SHUTDOWN */
} drvDomainRuntime;

typedef struct drvDomainObj drvDomainObj;

struct drvDomainObj {
    gint refs;
    GMutex lock;
    GCond cond;                     /* job released, exit seen, monitor up */
    struct drvDriver *drv;          /* the owner, for monitor callbacks */

    confDomainDef *def;             /* the live def when running */
    confDomainDef *newDef;          /* next boot's def while running */
    bool persistent;
    bool autostart;
    bool removed;                   /* no longer in the list */

    virDomainState state;
    int reason;

    drvJob job;
    gint64 jobStarted;              /* monotonic, µs */

    drvDomainRuntime *rt;
};

drvDomainObj *drvDomainObjNew(confDomainDef *def);
drvDomainObj *drvDomainObjRef(drvDomainObj *obj);
void drvDomainObjUnref(drvDomainObj *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvDomainObj, drvDomainObjUnref);

drvDomainRuntime *drvDomainRuntimeNew(void);
void drvDomainRuntimeFree(drvDomainRuntime *rt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvDomainRuntime, drvDomainRuntimeFree);

bool drvDomainObjIsActive(const drvDomainObj *obj);
void drvDomainObjSetState(drvDomainObj *obj, virDomainState state,
                          int reason);
const char *drvDomainStateReasonToString(virDomainState state, int reason);
/* The definition the next start uses (newDef when running). */
confDomainDef *drvDomainObjPersistentDef(drvDomainObj *obj);

/* Jobs: the caller holds obj->lock; Begin may drop it while waiting. */
int drvDomainJobBegin(drvDomainObj *obj, drvJob job, gint64 timeoutMs,
                      GError **error);
void drvDomainJobEnd(drvDomainObj *obj);
/* Wait on obj->cond until @deadline (monotonic µs); false on timeout. */
bool drvDomainObjWaitUntil(drvDomainObj *obj, gint64 deadline);

/* The list of domains: unique names and uuids, ids while running. */
typedef struct drvDomainList drvDomainList;

drvDomainList *drvDomainListNew(void);
void drvDomainListFree(drvDomainList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvDomainList, drvDomainListFree);

int drvDomainListAdd(drvDomainList *list, drvDomainObj *obj,
                     GError **error);
void drvDomainListRemove(drvDomainList *list, drvDomainObj *obj);
/* New references, or NULL. */
drvDomainObj *drvDomainListFindByName(drvDomainList *list, const char *name);
drvDomainObj *drvDomainListFindByUUID(drvDomainList *list,
                                      const unsigned char *uuid);
drvDomainObj *drvDomainListFindByID(drvDomainList *list, int id);
/* A snapshot: a GPtrArray of references (unref with the array). */
GPtrArray *drvDomainListSnapshot(drvDomainList *list);
guint drvDomainListCount(drvDomainList *list);
int drvDomainListNextID(drvDomainList *list);
/* After a reconnect: later ids are above @id. */
void drvDomainListReserveID(drvDomainList *list, int id);

/* An error for a domain that is missing, as libvirt words it. */
void drvDomainNoSuchUUID(const unsigned char *uuid, GError **error);
char *drvUUIDFormat(const unsigned char *uuid);
