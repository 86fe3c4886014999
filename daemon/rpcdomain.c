/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "daemon/rpcdispatch.h"
#include "daemon/rpcdomain.h"
#include "driver/connect.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Lookups, lists and the lifecycle: each handler unpacks the wire
 * arguments, calls the driver once and packs its answer.  The driver's
 * GError goes back unchanged (daemon/rpcerror.c makes it a remote_error),
 * so virsh prints the driver's own message with its libvirt code.
 */

/**
 * rpcDomainDriver:
 * @conn: the connection of the call
 * @api: the libvirt API called, for the error
 * @error: return location for a GError
 *
 * Returns: (transfer none): the driver, or NULL with a "not supported"
 * error when the daemon runs without one (protocol tests).
 */
drvDriver *
rpcDomainDriver(rpcConn *conn, const char *api, GError **error)
{
    drvDriver *drv = rpcConnGetDaemon(conn)->driver;

    if (!drv)
        rpcErrorNotSupported(api, error);
    return drv;
}

/**
 * rpcDomainFromRef:
 * @dom: the wire handle to fill (its name is malloc'ed for xdr_free)
 * @ref: the driver's handle
 */
void
rpcDomainFromRef(remote_nonnull_domain *dom, const drvDomainRef *ref)
{
    dom->name = g_strdup(ref->name);
    memcpy(dom->uuid, ref->uuid, REMOTE_UUID_LEN);
    dom->id = ref->id;
}

/* Answer a call whose reply is remote_domain_ret with @ref. */
static int
rpcDomainReturn(drvDomainRef *ref, void *ret)
{
    g_autoptr(drvDomainRef) owned = ref;
    remote_domain_ret *r = ret;

    if (!owned)
        return -1;
    rpcDomainFromRef(&r->dom, owned);
    return 0;
}

RPC_DOMAIN_PROC(rpcProcDomainLookupByName)
{
    const remote_domain_lookup_by_name_args *a = args;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainLookupByName", error);

    if (!drv)
        return -1;
    return rpcDomainReturn(drvDomainLookupByName(drv, a->name, error), ret);
}

RPC_DOMAIN_PROC(rpcProcDomainLookupByUUID)
{
    const remote_domain_lookup_by_uuid_args *a = args;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainLookupByUUID", error);

    if (!drv)
        return -1;
    return rpcDomainReturn(drvDomainLookupByUUID(drv,
                                                 (const unsigned char *)a->uuid,
                                                 error), ret);
}

RPC_DOMAIN_PROC(rpcProcDomainLookupByID)
{
    const remote_domain_lookup_by_id_args *a = args;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainLookupByID", error);

    if (!drv)
        return -1;
    return rpcDomainReturn(drvDomainLookupByID(drv, a->id, error), ret);
}

/* The domains passing @flags, or NULL with @error set. */
static GPtrArray *
rpcDomainList(rpcConn *conn, const char *api, unsigned int flags,
              GError **error)
{
    drvDriver *drv = rpcDomainDriver(conn, api, error);

    if (!drv)
        return NULL;
    return drvConnectListAllDomains(drv, flags, error);
}

static int
rpcDomainCount(rpcConn *conn, const char *api, unsigned int flags, void *ret,
               GError **error)
{
    g_autoptr(GPtrArray) list = rpcDomainList(conn, api, flags, error);
    remote_connect_num_ret *r = ret;

    if (!list)
        return -1;
    r->num = list->len;
    return 0;
}

RPC_DOMAIN_PROC(rpcProcConnectNumOfDomains)
{
    return rpcDomainCount(conn, "virConnectNumOfDomains",
                          VIR_CONNECT_LIST_DOMAINS_ACTIVE, ret, error);
}

RPC_DOMAIN_PROC(rpcProcConnectNumOfDefinedDomains)
{
    return rpcDomainCount(conn, "virConnectNumOfDefinedDomains",
                          VIR_CONNECT_LIST_DOMAINS_INACTIVE, ret, error);
}

static int
rpcDomainCheckMax(int max, GError **error)
{
    if (max < 0 || max > REMOTE_DOMAIN_LIST_MAX) {
        g_set_error(error, RPC_ERROR, VIR_ERR_RPC,
                    _("too many domains asked for: %1$d (limit %2$d)"), max,
                    REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    return 0;
}

RPC_DOMAIN_PROC(rpcProcConnectListDomains)
{
    const remote_connect_list_domains_args *a = args;
    remote_connect_list_domains_ret *r = ret;
    g_autoptr(GPtrArray) list = NULL;
    guint i;

    if (rpcDomainCheckMax(a->maxids, error) < 0 ||
        !(list = rpcDomainList(conn, "virConnectListDomains",
                               VIR_CONNECT_LIST_DOMAINS_ACTIVE, error)))
        return -1;
    r->ids.ids_len = MIN(list->len, (guint)a->maxids);
    r->ids.ids_val = g_new0(int, r->ids.ids_len + 1);
    for (i = 0; i < r->ids.ids_len; i++)
        r->ids.ids_val[i] = ((drvDomainRef *)list->pdata[i])->id;
    return 0;
}

RPC_DOMAIN_PROC(rpcProcConnectListDefinedDomains)
{
    const remote_connect_list_defined_domains_args *a = args;
    remote_connect_list_defined_domains_ret *r = ret;
    g_autoptr(GPtrArray) list = NULL;
    guint i;

    if (rpcDomainCheckMax(a->maxnames, error) < 0 ||
        !(list = rpcDomainList(conn, "virConnectListDefinedDomains",
                               VIR_CONNECT_LIST_DOMAINS_INACTIVE, error)))
        return -1;
    r->names.names_len = MIN(list->len, (guint)a->maxnames);
    r->names.names_val = g_new0(remote_nonnull_string,
                                r->names.names_len + 1);
    for (i = 0; i < r->names.names_len; i++)
        r->names.names_val[i] =
            g_strdup(((drvDomainRef *)list->pdata[i])->name);
    return 0;
}

RPC_DOMAIN_PROC(rpcProcConnectListAllDomains)
{
    const remote_connect_list_all_domains_args *a = args;
    remote_connect_list_all_domains_ret *r = ret;
    g_autoptr(GPtrArray) list = NULL;
    guint i;

    if (!(list = rpcDomainList(conn, "virConnectListAllDomains", a->flags,
                               error)))
        return -1;
    if (list->len > REMOTE_DOMAIN_LIST_MAX) {
        g_set_error(error, RPC_ERROR, VIR_ERR_RPC,
                    _("too many domains to list: %1$u (limit %2$d)"),
                    list->len, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    r->ret = list->len;
    if (!a->need_results)
        return 0;
    r->domains.domains_len = list->len;
    r->domains.domains_val = g_new0(remote_nonnull_domain, list->len + 1);
    for (i = 0; i < list->len; i++)
        rpcDomainFromRef(&r->domains.domains_val[i], list->pdata[i]);
    return 0;
}

RPC_DOMAIN_PROC(rpcProcDomainDefineXML)
{
    const remote_domain_define_xml_args *a = args;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainDefineXML", error);

    if (!drv)
        return -1;
    return rpcDomainReturn(drvDomainDefineXML(drv, a->xml, 0, error), ret);
}

RPC_DOMAIN_PROC(rpcProcDomainDefineXMLFlags)
{
    const remote_domain_define_xml_flags_args *a = args;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainDefineXMLFlags", error);

    if (!drv)
        return -1;
    return rpcDomainReturn(drvDomainDefineXMLFlags(drv, a->xml, a->flags,
                                                   error), ret);
}

RPC_DOMAIN_PROC(rpcProcDomainCreateXML)
{
    const remote_domain_create_xml_args *a = args;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainCreateXML", error);

    if (!drv)
        return -1;
    return rpcDomainReturn(drvDomainCreateXMLFlags(drv, a->xml_desc, a->flags,
                                                   error), ret);
}

/* The calls that take a domain and flags and return nothing. */
typedef int (*rpcDomainFlagsFunc)(drvDriver *drv, const unsigned char *uuid,
                                  unsigned int flags, GError **error);

static int
rpcDomainCallFlags(rpcConn *conn, const char *api, rpcDomainFlagsFunc func,
                   const remote_nonnull_domain *dom, unsigned int flags,
                   GError **error)
{
    drvDriver *drv = rpcDomainDriver(conn, api, error);

    if (!drv)
        return -1;
    return func(drv, RPC_DOMAIN_UUID(*dom), flags, error);
}

#define RPC_DOMAIN_CALL(api, func) \
    rpcDomainCallFlags(conn, api, func, \
                       &((const remote_domain_args *)args)->dom, 0, error)
#define RPC_DOMAIN_CALL_FLAGS(api, func) \
    rpcDomainCallFlags(conn, api, func, \
                       &((const remote_domain_flags_args *)args)->dom, \
                       ((const remote_domain_flags_args *)args)->flags, error)

RPC_DOMAIN_PROC(rpcProcDomainUndefine)
{
    return RPC_DOMAIN_CALL("virDomainUndefine", drvDomainUndefine);
}

RPC_DOMAIN_PROC(rpcProcDomainUndefineFlags)
{
    return RPC_DOMAIN_CALL_FLAGS("virDomainUndefineFlags", drvDomainUndefine);
}

RPC_DOMAIN_PROC(rpcProcDomainCreate)
{
    return RPC_DOMAIN_CALL("virDomainCreate", drvDomainCreate);
}

/* The reply carries the id the domain got. */
RPC_DOMAIN_PROC(rpcProcDomainCreateWithFlags)
{
    const remote_domain_flags_args *a = args;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainCreateWithFlags", error);

    if (!drv ||
        drvDomainCreate(drv, RPC_DOMAIN_UUID(a->dom), a->flags, error) < 0)
        return -1;
    return rpcDomainReturn(drvDomainLookupByUUID(drv, RPC_DOMAIN_UUID(a->dom),
                                                 error), ret);
}

RPC_DOMAIN_PROC(rpcProcDomainDestroy)
{
    return RPC_DOMAIN_CALL("virDomainDestroy", drvDomainDestroy);
}

RPC_DOMAIN_PROC(rpcProcDomainDestroyFlags)
{
    return RPC_DOMAIN_CALL_FLAGS("virDomainDestroyFlags", drvDomainDestroy);
}

RPC_DOMAIN_PROC(rpcProcDomainShutdown)
{
    return RPC_DOMAIN_CALL("virDomainShutdown", drvDomainShutdown);
}

RPC_DOMAIN_PROC(rpcProcDomainShutdownFlags)
{
    return RPC_DOMAIN_CALL_FLAGS("virDomainShutdownFlags", drvDomainShutdown);
}

RPC_DOMAIN_PROC(rpcProcDomainReboot)
{
    return RPC_DOMAIN_CALL_FLAGS("virDomainReboot", drvDomainReboot);
}

static int
rpcDomainSuspendFlags(drvDriver *drv, const unsigned char *uuid,
                      unsigned int flags, GError **error)
{
    return drvDomainSuspend(drv, uuid, error);
}

static int
rpcDomainResumeFlags(drvDriver *drv, const unsigned char *uuid,
                     unsigned int flags, GError **error)
{
    return drvDomainResume(drv, uuid, error);
}

RPC_DOMAIN_PROC(rpcProcDomainSuspend)
{
    return RPC_DOMAIN_CALL("virDomainSuspend", rpcDomainSuspendFlags);
}

RPC_DOMAIN_PROC(rpcProcDomainResume)
{
    return RPC_DOMAIN_CALL("virDomainResume", rpcDomainResumeFlags);
}

RPC_DOMAIN_PROC(rpcProcDomainSetAutostart)
{
    const remote_domain_set_autostart_args *a = args;
    drvDriver *drv = rpcDomainDriver(conn, "virDomainSetAutostart", error);

    if (!drv)
        return -1;
    return drvDomainSetAutostart(drv, RPC_DOMAIN_UUID(a->dom),
                                 a->autostart != 0, error);
}
