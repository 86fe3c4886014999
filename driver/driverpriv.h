/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifndef VGM_DRIVERPRIV_H_ALLOW
# error "driver/driverpriv.h is for driver/*.c and tests only"
#endif

#include <glib.h>
#include <stdbool.h>

#include "driver/domainobj.h"
#include "driver/driver.h"
#include "driver/host.h"
#include "driver/qemucaps.h"

/*
 * What the driver's own files share: the driver object, the persistence
 * functions (driver/persist.c), the process functions (driver/process.c),
 * the monitor glue (driver/domainqmp.c) and event queueing
 * (driver/events.c).
 */

/* File operations, replaceable so tests can fake a full disk. */
typedef struct {
    ssize_t (*write)(int fd, const void *buf, size_t len);
    int (*fsync)(int fd);
    int (*rename)(const char *from, const char *to);
} drvPersistOps;

/* NULL restores the real functions. */
void drvPersistSetOps(const drvPersistOps *ops);

typedef struct drvEventQueue drvEventQueue;

struct drvDriver {
    drvDriverMode mode;
    char *configDir;
    char *autostartDir;
    char *stateDir;
    char *runDir;
    char *logDir;
    char *cacheDir;
    drvDriverTimeouts timeouts;

    drvDomainList *domains;

    /* The driver thread: QMP monitors, pidfd watches, event delivery. */
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;

    drvEventQueue *events;

    GMutex capsLock;
    GHashTable *caps;       /* fingerprint -> drvQemuCaps */
    drvHostCaps *hostCaps;  /* probed at the first start */
};

/* driver/persist.c */
int drvPersistWriteAtomic(const char *path, const char *data,
                          GError **error);
int drvPersistSaveConfig(drvDriver *drv, const confDomainDef *def,
                         GError **error);
int drvPersistDeleteConfig(drvDriver *drv, const char *name,
                           GError **error);
int drvPersistLoadConfigs(drvDriver *drv, GError **error);
int drvPersistSetAutostart(drvDriver *drv, const char *name, bool on,
                           GError **error);
bool drvPersistGetAutostart(drvDriver *drv, const char *name);
int drvPersistSaveStatus(drvDriver *drv, drvDomainObj *obj, GError **error);
void drvPersistDeleteStatus(drvDriver *drv, const char *name);
/* Loads @path into a new (unlisted) object with a runtime. */
drvDomainObj *drvPersistLoadStatus(const char *path, GError **error);
char *drvPersistStatusPath(drvDriver *drv, const char *name);
char *drvPersistConfigPath(drvDriver *drv, const char *name);

/* driver/process.c */
int drvProcessStart(drvDriver *drv, drvDomainObj *obj, bool paused,
                    virDomainRunningReason reason, GError **error);
int drvProcessStop(drvDriver *drv, drvDomainObj *obj, bool graceful,
                   GError **error);
/* Called on the driver thread when the pidfd reports the exit. */
void drvProcessHandleExit(drvDriver *drv, drvDomainObj *obj);
/* The job owner (or the exit handler) turns an exited QEMU into shutoff. */
void drvProcessCleanup(drvDriver *drv, drvDomainObj *obj,
                       virDomainShutoffReason reason);
void drvProcessReconnectAll(drvDriver *drv);
int drvProcessKill(drvDomainObj *obj, int sig, GError **error);
int drvProcessReadCPUTime(pid_t pid, unsigned long long *ns);
void drvProcessReap(int pidfd);
bool drvProcessIsZombie(pid_t pid);
int drvProcessReadStartTime(pid_t pid, unsigned long long *ticks);
char *drvProcessLogTail(const char *path, gint64 from, size_t max);

/* driver/domainqmp.c: everything runs on the driver thread. */
int drvQmpOpen(drvDriver *drv, drvDomainObj *obj, gint64 deadline, bool wait,
               GError **error);
void drvQmpDetach(drvDriver *drv, drvDomainObj *obj);
int drvQmpCommand(drvDriver *drv, drvDomainObj *obj, const char *cmd,
                  char **reply, GError **error);
int drvQmpWatchExit(drvDriver *drv, drvDomainObj *obj, GError **error);
int drvQmpQueryStatus(drvDriver *drv, drvDomainObj *obj,
                      virDomainState *state, int *reason, GError **error);

/* driver/qmpevents.c: QMP events drive the domain state. */
void drvQmpEventHandlersSet(qapiMonitor *mon, drvDomainObj *obj);

/* driver/events.c */
drvEventQueue *drvEventQueueNew(GMainContext *ctx);
void drvEventQueueFree(drvEventQueue *q);
void drvEventEmit(drvDriver *drv, drvDomainObj *obj, int event, int detail);
void drvEventEmitReboot(drvDriver *drv, drvDomainObj *obj);

/* driver/driver.c */
/* The emulator's capabilities (borrowed; live as long as the driver). */
const drvQemuCaps *drvDriverGetCaps(drvDriver *drv, const char *binary,
                                    char **fingerprint, GError **error);
const drvHostCaps *drvDriverGetHostCaps(drvDriver *drv, GError **error);
char *drvDriverFingerprint(const char *binary);
void drvDomainObjRemoveIfTransient(drvDriver *drv, drvDomainObj *obj);
