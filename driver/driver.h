/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

/*
 * The hypervisor driver: the API the RPC daemon exposes one to one.
 *
 * A driver is opened with a mode and a root.  It owns the domains, a
 * thread with its own GMainContext for QMP monitors, process watches and
 * event delivery, and the on-disk state:
 *
 *   config   definitions NAME.xml, autostart/NAME.xml symlinks
 *   state    per-domain private directories (domain-ID-NAME/)
 *   run      status files NAME.status, pidfiles NAME.pid
 *   log      QEMU output NAME.log
 *   cache    QEMU capabilities
 *
 * Every call may be made from any thread.  Errors are DRV_ERROR (or the
 * CONF_ERROR of a bad XML) with a virErrorNumber code.
 */

typedef enum {
    DRV_DRIVER_MODE_SYSTEM,
    DRV_DRIVER_MODE_SESSION,
} drvDriverMode;

/* Milliseconds; 0 means the default. */
typedef struct {
    gint64 job;          /* waiting for another job: 30 s */
    gint64 monitor;      /* a QMP command: 30 s */
    gint64 start;        /* spawn to QMP greeting: 30 s */
    gint64 handshake;    /* connect to qmp_capabilities reply, else retry: 5 s */
    gint64 destroy;      /* SIGTERM to SIGKILL: 10 s */
    gint64 graceful;     /* SIGTERM only, graceful destroy: 60 s */
} drvDriverTimeouts;

typedef struct {
    drvDriverMode mode;
    /* NULL: the defaults of the mode; else ROOT/{config,state,run,log,cache} */
    const char *root;
    drvDriverTimeouts timeouts;
    bool noAutostart;    /* do not start autostart domains on open */
} drvDriverConfig;

typedef struct drvDriver drvDriver;

/* A domain handle as a client sees it (virDomainPtr's fields). */
typedef struct {
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    int id;              /* -1 when inactive */
} drvDomainRef;

void drvDomainRefFree(drvDomainRef *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvDomainRef, drvDomainRefFree);

/*
 * A domain event.  @eventID is VIR_DOMAIN_EVENT_ID_LIFECYCLE (then @event
 * is a virDomainEventType and @detail its detail enum) or
 * VIR_DOMAIN_EVENT_ID_REBOOT.  Callbacks run on the driver thread.
 */
typedef void (*drvDomainEventFunc)(drvDriver *drv, const drvDomainRef *dom,
                                   int eventID, int event, int detail,
                                   gpointer opaque);

drvDriver *drvDriverOpen(const drvDriverConfig *config, GError **error);
void drvDriverClose(drvDriver *drv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvDriver, drvDriverClose);
const char *drvDriverGetLogDir(drvDriver *drv);
const char *drvDriverGetRunDir(drvDriver *drv);
const char *drvDriverGetConfigDir(drvDriver *drv);

drvDomainRef *drvDomainLookupByName(drvDriver *drv, const char *name,
                                    GError **error);
drvDomainRef *drvDomainLookupByUUID(drvDriver *drv,
                                    const unsigned char *uuid,
                                    GError **error);
drvDomainRef *drvDomainLookupByID(drvDriver *drv, int id, GError **error);

drvDomainRef *drvDomainDefineXML(drvDriver *drv, const char *xml,
                                 unsigned int flags, GError **error);
int drvDomainUndefine(drvDriver *drv, const unsigned char *uuid,
                      unsigned int flags, GError **error);
/* @flags: VIR_DOMAIN_START_PAUSED */
drvDomainRef *drvDomainCreateXML(drvDriver *drv, const char *xml,
                                 unsigned int flags, GError **error);
int drvDomainCreate(drvDriver *drv, const unsigned char *uuid,
                    unsigned int flags, GError **error);
/* @flags: VIR_DOMAIN_DESTROY_GRACEFUL */
int drvDomainDestroy(drvDriver *drv, const unsigned char *uuid,
                     unsigned int flags, GError **error);
int drvDomainShutdown(drvDriver *drv, const unsigned char *uuid,
                      unsigned int flags, GError **error);
int drvDomainReboot(drvDriver *drv, const unsigned char *uuid,
                    unsigned int flags, GError **error);
int drvDomainSuspend(drvDriver *drv, const unsigned char *uuid,
                     GError **error);
int drvDomainResume(drvDriver *drv, const unsigned char *uuid,
                    GError **error);

int drvDomainGetState(drvDriver *drv, const unsigned char *uuid,
                      int *state, int *reason, GError **error);
int drvDomainGetInfo(drvDriver *drv, const unsigned char *uuid,
                     virDomainInfo *info, GError **error);
/* 1 or 0, or -1 with @error set. */
int drvDomainIsActive(drvDriver *drv, const unsigned char *uuid,
                      GError **error);
int drvDomainIsPersistent(drvDriver *drv, const unsigned char *uuid,
                          GError **error);
/* @flags: virDomainXMLFlags */
char *drvDomainGetXMLDesc(drvDriver *drv, const unsigned char *uuid,
                          unsigned int flags, GError **error);
/* @flags: virConnectListAllDomainsFlags; a GPtrArray of drvDomainRef. */
GPtrArray *drvConnectListAllDomains(drvDriver *drv, unsigned int flags,
                                    GError **error);
int drvDomainGetAutostart(drvDriver *drv, const unsigned char *uuid,
                          bool *autostart, GError **error);
int drvDomainSetAutostart(drvDriver *drv, const unsigned char *uuid,
                          bool autostart, GError **error);
/* virsh qemu-monitor-command: a raw QMP command in, the raw reply out. */
char *drvDomainQemuMonitorCommand(drvDriver *drv, const unsigned char *uuid,
                                  const char *cmd, unsigned int flags,
                                  GError **error);

/* Returns a callback id (> 0). */
int drvEventRegister(drvDriver *drv, drvDomainEventFunc func,
                     gpointer opaque, GDestroyNotify freeOpaque);
int drvEventDeregister(drvDriver *drv, int callbackID, GError **error);
