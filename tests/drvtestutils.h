/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "driver/driver.h"

/*
 * Helpers of the driver tests: a driver on a temporary root, recorded
 * events, and diskless domain XML.
 */

typedef struct {
    char *root;
    drvDriver *drv;
    GMutex lock;
    GCond cond;
    GPtrArray *events;      /* "NAME event detail", "NAME reboot" */
    int callbackID;
    drvDriverTimeouts timeouts;
} drvTest;

/* A temp root, the driver opened on it, events recorded. */
drvTest *drvTestNew(void);
/* Destroys every running domain, closes the driver, removes the root. */
void drvTestFree(drvTest *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvTest, drvTestFree);

/* Close and open the driver again on the same root. */
void drvTestReopen(drvTest *t, bool autostart);
void drvTestClose(drvTest *t);
bool drvTestOpen(drvTest *t, bool autostart);

/* kvm when /dev/kvm can be opened, else qemu (TCG); VGM_TEST_ACCEL=tcg
 * forces TCG. */
const char *drvTestVirtType(void);
/* A diskless 256 MiB guest; @uuidByte makes the uuid unique. */
char *drvTestXML(const char *name, unsigned int uuidByte,
                 const char *emulator);
void drvTestUUID(unsigned int uuidByte, unsigned char *uuid);
/* Define drvTestXML(@name, @uuidByte); fails the case and returns NULL
 * when it cannot. */
drvDomainRef *drvTestDefine(drvTest *t, const char *name,
                            unsigned int uuidByte);
/* The QEMU pid from the root's run/NAME.pid, or -1 without one. */
pid_t drvTestPid(drvTest *t, const char *name);

/* Wait until "NAME EVENT DETAIL" was recorded (and consume it). */
bool drvTestWaitEvent(drvTest *t, const char *name, int event, int detail,
                      int timeoutMs);
/* The same for "NAME reboot" (VIR_DOMAIN_EVENT_ID_REBOOT). */
bool drvTestWaitEventString(drvTest *t, const char *want, int timeoutMs);
bool drvTestCheckError(GError *err, int code, const char *part);
/* Processes whose command line mentions @text (e.g. a temp root). */
guint drvTestCountProcesses(const char *text);
/* Remove a directory tree. */
void drvTestRemoveTree(const char *path);
/* Number of entries in @dir (0 when missing). */
guint drvTestCountEntries(const char *dir);
