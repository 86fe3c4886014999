/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libvirt/virterror.h>

/*
 * One GError domain per layer.  The error code is always a
 * virErrorNumber from <libvirt/virterror.h>, so the daemon can hand it to
 * libvirt clients unchanged; the domain maps to a virErrorDomain.
 */
#define CONF_ERROR (vgmConfErrorQuark())
#define QAPI_ERROR (vgmQapiErrorQuark())
#define DRV_ERROR (vgmDrvErrorQuark())
#define RPC_ERROR (vgmRpcErrorQuark())

GQuark vgmConfErrorQuark(void);
GQuark vgmQapiErrorQuark(void);
GQuark vgmDrvErrorQuark(void);
GQuark vgmRpcErrorQuark(void);

virErrorDomain vgmErrorDomainToVir(GQuark domain);
