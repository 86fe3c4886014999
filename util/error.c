/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "util/error.h"

GQuark
vgmConfErrorQuark(void)
{
    return g_quark_from_static_string("vgm-conf-error-quark");
}

GQuark
vgmQapiErrorQuark(void)
{
    return g_quark_from_static_string("vgm-qapi-error-quark");
}

GQuark
vgmDrvErrorQuark(void)
{
    return g_quark_from_static_string("vgm-drv-error-quark");
}

GQuark
vgmRpcErrorQuark(void)
{
    return g_quark_from_static_string("vgm-rpc-error-quark");
}

/**
 * vgmErrorDomainToVir:
 * @domain: a GError domain of this project
 *
 * Returns: the virErrorDomain a libvirt client expects for errors of
 * that layer.
 */
virErrorDomain
vgmErrorDomainToVir(GQuark domain)
{
    if (domain == CONF_ERROR)
        return VIR_FROM_DOMAIN;
    if (domain == QAPI_ERROR || domain == DRV_ERROR)
        return VIR_FROM_QEMU;
    if (domain == RPC_ERROR)
        return VIR_FROM_RPC;
    return VIR_FROM_NONE;
}
