/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifndef VGM_QEMUCAPSPRIV_H_ALLOW
# error "qemucapspriv.h is for driver/qemucaps*.c and tests only"
#endif

#include <glib.h>
#include <stdbool.h>

#include "driver/qemucaps.h"
#include "qapi/json.h"
#include "qapi/schema.h"

/*
 * The insides of drvQemuCaps, shared by qemucaps.c (decisions and
 * accessors), qemucapsprobe.c (the QMP conversation), qemucapsproc.c
 * (the QEMU process), qemucapscache.c (the on-disk cache) and the tests.
 *
 * Only raw answers of QEMU are kept (and cached); the flags are decided
 * from them by drvQemuCapsDecide() each time, so a changed flag table
 * needs no reprobe unless the probe's questions change too (the cache
 * key holds a digest of them).
 */
struct drvQemuCaps {
    char *binary;
    unsigned int major;
    unsigned int minor;
    unsigned int micro;
    char *package;
    bool kvmPresent;
    bool kvmEnabled;

    qapiSchema *schema;        /* query-qmp-schema's reply, indexed */

    GHashTable *types;         /* QOM type names (set) */
    GHashTable *props;         /* probed QOM type -> set of properties */
    GArray *machines;          /* drvQemuCapsMachine */
    GPtrArray *cpuModels;      /* char *, in QEMU's order */
    GPtrArray *traceEvents;    /* char *, the probed events that exist */
    GPtrArray *migrationCaps;  /* char *, query-migrate-capabilities */

    bool flags[DRV_QEMU_CAPS_LAST];
};

drvQemuCaps *drvQemuCapsNew(void);
void drvQemuCapsMachineClear(drvQemuCapsMachine *machine);
int drvQemuCapsParseMachine(const qapiJSON *obj, drvQemuCapsMachine *machine,
                            const char *where, GError **error);

/* Add what QEMU said; the setters take copies. */
void drvQemuCapsAddType(drvQemuCaps *caps, const char *type);
void drvQemuCapsAddProperty(drvQemuCaps *caps, const char *type,
                            const char *prop);
/* The type was probed but QEMU does not know it. */
bool drvQemuCapsHasProperty(const drvQemuCaps *caps, const char *type,
                            const char *prop);
int drvQemuCapsSetSchema(drvQemuCaps *caps, qapiJSON *schema,
                         GError **error);

/* Decide every flag from the raw data. */
void drvQemuCapsDecide(drvQemuCaps *caps);

/*
 * Run the probe's QMP conversation on an already connected socket @fd
 * (taken over and closed): greeting, qmp_capabilities, the queries, quit.
 * @timeoutMs bounds the whole conversation.
 */
drvQemuCaps *drvQemuCapsProbeFD(int fd, const char *binary,
                                unsigned int timeoutMs, GError **error);

/* The QMP commands the probe sends, in order, as "name args-json". */
char **drvQemuCapsProbeCommands(void);

/* The cache key of a binary on this host. */
typedef struct {
    char *binary;
    gint64 size;
    gint64 mtimeNs;
    gint64 ctimeNs;
    char *host;                /* drvHostFingerprint() */
    bool kvm;
} drvQemuCapsCacheKey;

void drvQemuCapsCacheKeyClear(drvQemuCapsCacheKey *key);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(drvQemuCapsCacheKey,
                                 drvQemuCapsCacheKeyClear);

int drvQemuCapsCacheKeyInit(drvQemuCapsCacheKey *key, const char *binary,
                            const drvQemuCapsConfig *config, GError **error);
char *drvQemuCapsCachePath(const char *cacheDir, const char *binary);

/* The cache file: key + raw data, JSON. */
char *drvQemuCapsCacheFormat(const drvQemuCaps *caps,
                             const drvQemuCapsCacheKey *key);
drvQemuCaps *drvQemuCapsCacheParse(const char *text,
                                   const drvQemuCapsCacheKey *key,
                                   GError **error);

/* NULL (with a g_debug saying why) when absent, stale or unreadable. */
drvQemuCaps *drvQemuCapsCacheLoad(const char *cacheDir,
                                  const drvQemuCapsCacheKey *key);
int drvQemuCapsCacheSave(const char *cacheDir, const drvQemuCaps *caps,
                         const drvQemuCapsCacheKey *key, GError **error);

/* Whether /dev/kvm can be used: decides -accel and is in the cache key. */
bool drvQemuCapsKVMUsable(const drvQemuCapsConfig *config);
