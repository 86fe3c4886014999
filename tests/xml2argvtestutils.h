/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "conf/domain.h"
#include "driver/command.h"
#include "driver/host.h"
#include "driver/qemucaps.h"
#include "qapi/schema.h"

/*
 * What the xml2argv golden tests and the benchmark share: recorded
 * capability sets by name ("qemu-11.1.3", "qemu-11.1.3+gmem-rfc",
 * "qemu-11.1.3+memfd-gmem", "qemu-10.0.13", "qemu-7.2.22"), made-up
 * hosts and the paths a test domain uses.
 */

extern const char *const testXML2ArgvCapsNames[];

/* Replayed once per process; owned by the cache. */
const drvQemuCaps *testXML2ArgvGetCaps(const char *name, GError **error);
/* The recorded query-qmp-schema (with the overlay) of @name. */
const qapiSchema *testXML2ArgvGetSchema(const char *name, GError **error);

/*
 * Hosts: "full" (KVM with SEV, SEV-SNP and TDX VM types, mappable
 * guest_memfd, VFIO, iommufd, 2 MiB and 1 GiB huge pages), "plain" (this
 * machine: KVM and guest_memfd, nothing confidential, no VFIO), "no-kvm".
 */
drvHostCaps *testXML2ArgvNewHost(const char *name);

/* Parse tests/data/xml2argv/@name.xml for @caps (machine default). */
confDomainDef *testXML2ArgvParse(const char *name, const drvQemuCaps *caps,
                                 GError **error);

/* Fixed paths under /var/lib/virtgmem and fake descriptors from 3. */
typedef struct {
    char *libDir;
    char *logFile;
    int nextFD;
    drvCommandConfig config;
} testXML2ArgvConfig;

void testXML2ArgvConfigInit(testXML2ArgvConfig *cfg, const confDomainDef *def,
                            unsigned int flags);
void testXML2ArgvConfigClear(testXML2ArgvConfig *cfg);
