/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver/host.h"
#include "driver/qemucaps.h"

/*
 * The host <capabilities> document (virConnectGetCapabilities, `virsh
 * capabilities`) in libvirt's format: <host> from the probed host,
 * one <guest> for the QEMU binary the driver uses.
 */

bool drvCapabilitiesHostKVM(const drvHostCaps *host);

char *drvCapabilitiesFormat(const char *hostUUID, const drvHostCaps *host,
                            const drvQemuCaps *qemu);
