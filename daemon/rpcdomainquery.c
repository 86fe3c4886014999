/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "daemon/protocol/qemu.h"
#include "daemon/rpcdispatch.h"
#include "daemon/rpcdomain.h"
#include "driver/connect.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Domain queries, all-domain statistics, the connection-wide documents
 * (domain capabilities, native config) and QEMU monitor passthrough.
 */

#define RPC_QUERY_DOM(args) RPC_DOMAIN_UUID(((const remote_domain_args *)(args))->dom)

RPC_DOMAIN_PROC(rpcProcDomainGetState)
{
    const remote_domain_flags_args *a = args;
    remote_domain_get_state_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainGetState", error);

    if (!drv)
        return -1;
    if (a->flags != 0) {
        g_set_error(error, RPC_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported flags (0x%1$x) for virDomainGetState"),
                    a->flags);
        return -1;
    }
    return drvDomainGetState(drv, RPC_DOMAIN_UUID(a->dom), &r->state,
                             &r->reason, error);
}

RPC_DOMAIN_PROC(rpcProcDomainGetInfo)
{
    remote_domain_get_info_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainGetInfo", error);
    virDomainInfo info;

    if (!drv || drvDomainGetInfo(drv, RPC_QUERY_DOM(args), &info, error) < 0)
        return -1;
    r->state = info.state;
    r->maxMem = info.maxMem;
    r->memory = info.memory;
    r->nrVirtCpu = info.nrVirtCpu;
    r->cpuTime = info.cpuTime;
    return 0;
}

/* Secure or migratable XML is domain:read_secure, not for read-only. */
#define RPC_XML_SECURE_FLAGS (VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE)

RPC_DOMAIN_PROC(rpcProcDomainGetXMLDesc)
{
    const remote_domain_flags_args *a = args;
    remote_domain_get_xml_desc_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainGetXMLDesc", error);

    if (!drv)
        return -1;
    if ((a->flags & RPC_XML_SECURE_FLAGS) && rpcConnIsReadOnly(conn)) {
        g_set_error(error, RPC_ERROR, VIR_ERR_OPERATION_DENIED,
                    _("operation forbidden: virDomainGetXMLDesc with secure flag"));
        return -1;
    }
    r->xml = drvDomainGetXMLDesc(drv, RPC_DOMAIN_UUID(a->dom), a->flags,
                                 error);
    return r->xml ? 0 : -1;
}

RPC_DOMAIN_PROC(rpcProcDomainGetAutostart)
{
    remote_domain_int_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainGetAutostart", error);
    bool autostart = false;

    if (!drv ||
        drvDomainGetAutostart(drv, RPC_QUERY_DOM(args), &autostart, error) < 0)
        return -1;
    r->value = autostart;
    return 0;
}

/* The domain exists: its handle, or NULL with @error set. */
static drvDomainRef *
rpcQueryRef(rpcConn *conn, const char *api, const void *args, GError **error)
{
    drvDriver *drv = rpcDomainDriver(conn, api, error);

    if (!drv)
        return NULL;
    return drvDomainLookupByUUID(drv, RPC_QUERY_DOM(args), error);
}

/* The driver's 1 or 0 (or -1 with @error set) as an int reply. */
typedef int (*rpcQueryBoolFunc)(drvDriver *drv, const unsigned char *uuid,
                                GError **error);

static int
rpcQueryBool(rpcConn *conn, const char *api, rpcQueryBoolFunc func,
             const void *args, void *ret, GError **error)
{
    remote_domain_int_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, api, error);
    int rc;

    if (!drv || (rc = func(drv, RPC_QUERY_DOM(args), error)) < 0)
        return -1;
    r->value = rc;
    return 0;
}

RPC_DOMAIN_PROC(rpcProcDomainIsActive)
{
    return rpcQueryBool(conn, "virDomainIsActive", drvDomainIsActive, args,
                        ret, error);
}

RPC_DOMAIN_PROC(rpcProcDomainIsPersistent)
{
    return rpcQueryBool(conn, "virDomainIsPersistent", drvDomainIsPersistent,
                        args, ret, error);
}

RPC_DOMAIN_PROC(rpcProcDomainGetOSType)
{
    remote_domain_get_os_type_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainGetOSType", error);

    if (!drv)
        return -1;
    r->type = drvDomainGetOSType(drv, RPC_QUERY_DOM(args), error);
    return r->type ? 0 : -1;
}

/* No managed save, no snapshots: 0 for a domain that exists. */
RPC_DOMAIN_PROC(rpcProcDomainHasManagedSaveImage)
{
    g_autoptr(drvDomainRef) ref = rpcQueryRef(conn,
                                              "virDomainHasManagedSaveImage",
                                              args, error);
    remote_domain_int_ret *r = ret;

    r->value = 0;
    return ref ? 0 : -1;
}

RPC_DOMAIN_PROC(rpcProcDomainSnapshotNum)
{
    g_autoptr(drvDomainRef) ref = rpcQueryRef(conn, "virDomainSnapshotNum",
                                              args, error);
    remote_domain_int_ret *r = ret;

    r->value = 0;
    return ref ? 0 : -1;
}

/* The driver keeps no taint or deprecation messages: an empty list. */
RPC_DOMAIN_PROC(rpcProcDomainGetMessages)
{
    g_autoptr(drvDomainRef) ref = rpcQueryRef(conn, "virDomainGetMessages",
                                              args, error);
    remote_domain_get_messages_ret *r = ret;

    r->msgs.msgs_len = 0;
    return ref ? 0 : -1;
}

static void
rpcQueryParamFrom(remote_typed_param *p, const virTypedParameter *v)
{
    p->field = g_strdup(v->field);
    p->value.type = v->type;
    switch (v->type) {
    case VIR_TYPED_PARAM_INT:
        p->value.remote_typed_param_value_u.i = v->value.i;
        break;
    case VIR_TYPED_PARAM_UINT:
        p->value.remote_typed_param_value_u.ui = v->value.ui;
        break;
    case VIR_TYPED_PARAM_LLONG:
        p->value.remote_typed_param_value_u.l = v->value.l;
        break;
    case VIR_TYPED_PARAM_DOUBLE:
        p->value.remote_typed_param_value_u.d = v->value.d;
        break;
    case VIR_TYPED_PARAM_BOOLEAN:
        p->value.remote_typed_param_value_u.b = v->value.b;
        break;
    default:
        p->value.type = VIR_TYPED_PARAM_ULLONG;
        p->value.remote_typed_param_value_u.ul = v->value.ul;
        break;
    }
}

static void
rpcQueryStatsRecord(remote_domain_stats_record *out,
                    const drvDomainStatsRecord *rec)
{
    guint i;

    rpcDomainFromRef(&out->dom, rec->dom);
    out->params.params_len = rec->params->len;
    out->params.params_val = g_new0(remote_typed_param, rec->params->len + 1);
    for (i = 0; i < rec->params->len; i++)
        rpcQueryParamFrom(&out->params.params_val[i],
                          &g_array_index(rec->params, virTypedParameter, i));
}

RPC_DOMAIN_PROC(rpcProcConnectGetAllDomainStats)
{
    const remote_connect_get_all_domain_stats_args *a = args;
    remote_connect_get_all_domain_stats_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, "virConnectGetAllDomainStats",
                                     error);
    g_autofree unsigned char (*uuids)[VIR_UUID_BUFLEN] = NULL;
    g_autoptr(GPtrArray) recs = NULL;
    guint i;

    if (!drv)
        return -1;
    if (a->doms.doms_len) {
        uuids = g_malloc0_n(a->doms.doms_len, VIR_UUID_BUFLEN);
        for (i = 0; i < a->doms.doms_len; i++)
            memcpy(uuids[i], a->doms.doms_val[i].uuid, VIR_UUID_BUFLEN);
    }
    if (!(recs = drvConnectGetAllDomainStats(drv, uuids, a->doms.doms_len,
                                             a->stats, a->flags, error)))
        return -1;
    r->retStats.retStats_len = recs->len;
    r->retStats.retStats_val = g_new0(remote_domain_stats_record,
                                      recs->len + 1);
    for (i = 0; i < recs->len; i++)
        rpcQueryStatsRecord(&r->retStats.retStats_val[i], recs->pdata[i]);
    return 0;
}

RPC_DOMAIN_PROC(rpcProcConnectDomainXMLToNative)
{
    const remote_connect_domain_xml_to_native_args *a = args;
    remote_connect_domain_xml_to_native_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, "virConnectDomainXMLToNative",
                                     error);

    if (!drv)
        return -1;
    r->nativeConfig = drvConnectDomainXMLToNative(drv, a->nativeFormat,
                                                  a->domainXml, error);
    return r->nativeConfig ? 0 : -1;
}

RPC_DOMAIN_PROC(rpcProcConnectGetDomainCapabilities)
{
    const remote_connect_get_domain_capabilities_args *a = args;
    remote_connect_get_domain_capabilities_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, "virConnectGetDomainCapabilities",
                                     error);

    if (!drv)
        return -1;
    if (a->flags != 0) {
        g_set_error(error, RPC_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported flags (0x%1$x) for virConnectGetDomainCapabilities"),
                    a->flags);
        return -1;
    }
    r->capabilities = drvConnectGetDomainCapabilities(
        drv, a->emulatorbin ? *a->emulatorbin : NULL,
        a->arch ? *a->arch : NULL, a->machine ? *a->machine : NULL,
        a->virttype ? *a->virttype : NULL, error);
    return r->capabilities ? 0 : -1;
}

RPC_DOMAIN_PROC(rpcProcQemuDomainMonitorCommand)
{
    const qemu_domain_monitor_command_args *a = args;
    qemu_domain_monitor_command_ret *r = ret;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainQemuMonitorCommand",
                                     error);

    if (!drv)
        return -1;
    r->result = drvDomainMonitorCommand(drv, RPC_DOMAIN_UUID(a->dom), a->cmd,
                                        a->flags, error);
    return r->result ? 0 : -1;
}
