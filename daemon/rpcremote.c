/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "daemon/protocol/qemu.h"
#include "daemon/rpcdomain.h"
#include "daemon/rpcnodeinfo.h"
#include "daemon/rpcprograms.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The REMOTE and QEMU programs: the connection procedures here, the
 * domain procedures in daemon/rpcdomain.c and daemon/rpcdomainquery.c.
 * Procedures we do not serve (migration, snapshots, devices...) are
 * absent from the tables and answer "unknown procedure"
 * (VIR_ERR_NO_SUPPORT), so virsh's fallbacks run and nothing pretends
 * to work.
 */

static int
rpcProcAuthList(rpcConn *conn, void *args, void *ret, GError **error)
{
    remote_auth_list_ret *r = ret;

    r->types.types_len = 1;
    r->types.types_val = calloc(1, sizeof(remote_auth_type));
    r->types.types_val[0] = REMOTE_AUTH_NONE;
    return 0;
}

/* Features of the daemon itself; the others belong to the driver. */
static int
rpcProcConnectSupportsFeature(rpcConn *conn, void *args, void *ret,
                              GError **error)
{
    const remote_connect_supports_feature_args *a = args;
    remote_connect_supports_feature_ret *r = ret;
    const rpcDriverHooks *hooks = &rpcConnGetDaemon(conn)->hooks;

    switch (a->feature) {
    case RPC_FEATURE_PROGRAM_KEEPALIVE:
        rpcConnStartKeepAlive(conn);
        r->supported = 1;
        return 0;
    case RPC_FEATURE_REMOTE_EVENT_CALLBACK:
    case RPC_FEATURE_REMOTE_CLOSE_CALLBACK:
        r->supported = 1;
        return 0;
    case RPC_FEATURE_FD_PASSING:
        r->supported = 0;
        return 0;
    }
    if (!rpcConnIsOpen(conn)) {
        g_set_error_literal(error, RPC_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("connection not open"));
        return -1;
    }
    r->supported = hooks->supportsFeature &&
                   hooks->supportsFeature(hooks->opaque, a->feature);
    return 0;
}

static int
rpcProcConnectOpen(rpcConn *conn, void *args, void *ret, GError **error)
{
    const remote_connect_open_args *a = args;

    return rpcConnOpen(conn, a->name ? *a->name : NULL, a->flags, error);
}

static int
rpcProcConnectClose(rpcConn *conn, void *args, void *ret, GError **error)
{
    rpcConnClose(conn);
    return 0;
}

static int
rpcProcConnectGetType(rpcConn *conn, void *args, void *ret, GError **error)
{
    remote_connect_get_type_ret *r = ret;

    r->type = g_strdup(RPC_CONNECT_TYPE);
    return 0;
}

static int
rpcProcConnectGetVersion(rpcConn *conn, void *args, void *ret,
                         GError **error)
{
    remote_connect_get_version_ret *r = ret;
    const rpcDriverHooks *hooks = &rpcConnGetDaemon(conn)->hooks;
    guint64 version = 0;

    /* 0 means "unknown"; virsh then prints that it cannot tell. */
    if (hooks->getVersion &&
        hooks->getVersion(hooks->opaque, &version, error) < 0)
        return -1;
    r->hv_ver = version;
    return 0;
}

static int
rpcProcConnectGetLibVersion(rpcConn *conn, void *args, void *ret,
                            GError **error)
{
    remote_connect_get_lib_version_ret *r = ret;

    r->lib_ver = VGM_VERSION_NUMBER;
    return 0;
}

static int
rpcProcConnectGetHostname(rpcConn *conn, void *args, void *ret,
                          GError **error)
{
    remote_connect_get_hostname_ret *r = ret;

    r->hostname = g_strdup(g_get_host_name());
    return 0;
}

static int
rpcProcConnectGetURI(rpcConn *conn, void *args, void *ret, GError **error)
{
    remote_connect_get_uri_ret *r = ret;

    r->uri = rpcConnGetURI(conn);
    return 0;
}

static int
rpcProcConnectGetCapabilities(rpcConn *conn, void *args, void *ret,
                              GError **error)
{
    remote_connect_get_capabilities_ret *r = ret;
    const rpcDriverHooks *hooks = &rpcConnGetDaemon(conn)->hooks;

    if (!hooks->getCapabilities)
        return rpcErrorNotSupported("virConnectGetCapabilities", error);
    if (!(r->capabilities = hooks->getCapabilities(hooks->opaque, error)))
        return -1;
    return 0;
}

static int
rpcProcConnectIsSecure(rpcConn *conn, void *args, void *ret, GError **error)
{
    remote_connect_is_secure_ret *r = ret;

    /* Only UNIX sockets: nobody can listen in. */
    r->secure = 1;
    return 0;
}

static int
rpcProcNodeGetInfo(rpcConn *conn, void *args, void *ret, GError **error)
{
    struct utsname uts;

    if (uname(&uts) < 0)
        memset(&uts, 0, sizeof(uts));
    return rpcNodeInfoRead("/", uts.machine, ret, error);
}

/* No security driver: empty model and DOI, so virsh asks no labels. */
static int
rpcProcNodeGetSecurityModel(rpcConn *conn, void *args, void *ret,
                            GError **error)
{
    return 0;
}

static int
rpcProcConnectRegisterCloseCallback(rpcConn *conn, void *args, void *ret,
                                    GError **error)
{
    rpcConnSetCloseCallback(conn, true);
    return 0;
}

static int
rpcProcConnectUnregisterCloseCallback(rpcConn *conn, void *args, void *ret,
                                      GError **error)
{
    rpcConnSetCloseCallback(conn, false);
    return 0;
}

static int
rpcProcDomainEventCallbackRegisterAny(rpcConn *conn, void *args, void *ret,
                                      GError **error)
{
    const remote_connect_domain_event_callback_register_any_args *a = args;
    remote_connect_domain_event_callback_register_any_ret *r = ret;
    int id = rpcConnEventRegister(conn, a->eventID, a->dom, error);

    if (id < 0)
        return -1;
    r->callbackID = id;
    return 0;
}

static int
rpcProcDomainEventCallbackDeregisterAny(rpcConn *conn, void *args,
                                        void *ret, GError **error)
{
    const remote_connect_domain_event_callback_deregister_any_args *a = args;

    return rpcConnEventDeregister(conn, a->callbackID, error);
}

#define RO RPC_PROC_READONLY
#define PRIO RPC_PROC_PRIORITY
#define NO_OPEN RPC_PROC_NO_OPEN

/* Sorted by procedure number. */
static const rpcProc rpcRemoteProcs[] = {
    { REMOTE_PROC_CONNECT_OPEN, "virConnectOpen",
      RPC_XDR(remote_connect_open_args), RPC_XDR_VOID,
      rpcProcConnectOpen, RO | PRIO | NO_OPEN },
    { REMOTE_PROC_CONNECT_CLOSE, "virConnectClose",
      RPC_XDR_VOID, RPC_XDR_VOID,
      rpcProcConnectClose, RO | PRIO | NO_OPEN },
    { REMOTE_PROC_CONNECT_GET_TYPE, "virConnectGetType",
      RPC_XDR_VOID, RPC_XDR(remote_connect_get_type_ret),
      rpcProcConnectGetType, RO | PRIO },
    { REMOTE_PROC_CONNECT_GET_VERSION, "virConnectGetVersion",
      RPC_XDR_VOID, RPC_XDR(remote_connect_get_version_ret),
      rpcProcConnectGetVersion, RO | PRIO },
    { REMOTE_PROC_NODE_GET_INFO, "virNodeGetInfo",
      RPC_XDR_VOID, RPC_XDR(remote_node_get_info_ret),
      rpcProcNodeGetInfo, RO | PRIO },
    { REMOTE_PROC_CONNECT_GET_CAPABILITIES, "virConnectGetCapabilities",
      RPC_XDR_VOID, RPC_XDR(remote_connect_get_capabilities_ret),
      rpcProcConnectGetCapabilities, RO },
    { REMOTE_PROC_DOMAIN_CREATE, "virDomainCreate",
      RPC_XDR(remote_domain_args),
      RPC_XDR_VOID,
      rpcProcDomainCreate, 0 },
    { REMOTE_PROC_DOMAIN_CREATE_XML, "virDomainCreateXML",
      RPC_XDR(remote_domain_create_xml_args),
      RPC_XDR(remote_domain_ret),
      rpcProcDomainCreateXML, 0 },
    { REMOTE_PROC_DOMAIN_DEFINE_XML, "virDomainDefineXML",
      RPC_XDR(remote_domain_define_xml_args),
      RPC_XDR(remote_domain_ret),
      rpcProcDomainDefineXML, PRIO },
    { REMOTE_PROC_DOMAIN_DESTROY, "virDomainDestroy",
      RPC_XDR(remote_domain_args),
      RPC_XDR_VOID,
      rpcProcDomainDestroy, 0 },
    { REMOTE_PROC_DOMAIN_GET_XML_DESC, "virDomainGetXMLDesc",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR(remote_domain_get_xml_desc_ret),
      rpcProcDomainGetXMLDesc, RO },
    { REMOTE_PROC_DOMAIN_GET_AUTOSTART, "virDomainGetAutostart",
      RPC_XDR(remote_domain_args),
      RPC_XDR(remote_domain_int_ret),
      rpcProcDomainGetAutostart, RO | PRIO },
    { REMOTE_PROC_DOMAIN_GET_INFO, "virDomainGetInfo",
      RPC_XDR(remote_domain_args),
      RPC_XDR(remote_domain_get_info_ret),
      rpcProcDomainGetInfo, RO },
    { REMOTE_PROC_DOMAIN_GET_OS_TYPE, "virDomainGetOSType",
      RPC_XDR(remote_domain_args),
      RPC_XDR(remote_domain_get_os_type_ret),
      rpcProcDomainGetOSType, RO | PRIO },
    { REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS, "virConnectListDefinedDomains",
      RPC_XDR(remote_connect_list_defined_domains_args),
      RPC_XDR(remote_connect_list_defined_domains_ret),
      rpcProcConnectListDefinedDomains, RO },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, "virDomainLookupByID",
      RPC_XDR(remote_domain_lookup_by_id_args),
      RPC_XDR(remote_domain_ret),
      rpcProcDomainLookupByID, RO | PRIO },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, "virDomainLookupByName",
      RPC_XDR(remote_domain_lookup_by_name_args),
      RPC_XDR(remote_domain_ret),
      rpcProcDomainLookupByName, RO | PRIO },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, "virDomainLookupByUUID",
      RPC_XDR(remote_domain_lookup_by_uuid_args),
      RPC_XDR(remote_domain_ret),
      rpcProcDomainLookupByUUID, RO | PRIO },
    { REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, "virConnectNumOfDefinedDomains",
      RPC_XDR_VOID,
      RPC_XDR(remote_connect_num_ret),
      rpcProcConnectNumOfDefinedDomains, RO },
    { REMOTE_PROC_DOMAIN_REBOOT, "virDomainReboot",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR_VOID,
      rpcProcDomainReboot, 0 },
    { REMOTE_PROC_DOMAIN_RESUME, "virDomainResume",
      RPC_XDR(remote_domain_args),
      RPC_XDR_VOID,
      rpcProcDomainResume, 0 },
    { REMOTE_PROC_DOMAIN_SET_AUTOSTART, "virDomainSetAutostart",
      RPC_XDR(remote_domain_set_autostart_args),
      RPC_XDR_VOID,
      rpcProcDomainSetAutostart, PRIO },
    { REMOTE_PROC_DOMAIN_SHUTDOWN, "virDomainShutdown",
      RPC_XDR(remote_domain_args),
      RPC_XDR_VOID,
      rpcProcDomainShutdown, 0 },
    { REMOTE_PROC_DOMAIN_SUSPEND, "virDomainSuspend",
      RPC_XDR(remote_domain_args),
      RPC_XDR_VOID,
      rpcProcDomainSuspend, 0 },
    { REMOTE_PROC_DOMAIN_UNDEFINE, "virDomainUndefine",
      RPC_XDR(remote_domain_args),
      RPC_XDR_VOID,
      rpcProcDomainUndefine, PRIO },
    { REMOTE_PROC_CONNECT_LIST_DOMAINS, "virConnectListDomains",
      RPC_XDR(remote_connect_list_domains_args),
      RPC_XDR(remote_connect_list_domains_ret),
      rpcProcConnectListDomains, RO },
    { REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, "virConnectNumOfDomains",
      RPC_XDR_VOID,
      RPC_XDR(remote_connect_num_ret),
      rpcProcConnectNumOfDomains, RO },
    { REMOTE_PROC_CONNECT_GET_HOSTNAME, "virConnectGetHostname",
      RPC_XDR_VOID, RPC_XDR(remote_connect_get_hostname_ret),
      rpcProcConnectGetHostname, RO | PRIO },
    { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, "virConnectSupportsFeature",
      RPC_XDR(remote_connect_supports_feature_args),
      RPC_XDR(remote_connect_supports_feature_ret),
      rpcProcConnectSupportsFeature, RO | PRIO | NO_OPEN },
    { REMOTE_PROC_AUTH_LIST, "virConnectAuthList",
      RPC_XDR_VOID, RPC_XDR(remote_auth_list_ret),
      rpcProcAuthList, RO | PRIO | NO_OPEN },
    { REMOTE_PROC_CONNECT_GET_URI, "virConnectGetURI",
      RPC_XDR_VOID, RPC_XDR(remote_connect_get_uri_ret),
      rpcProcConnectGetURI, RO | PRIO },
    { REMOTE_PROC_NODE_GET_SECURITY_MODEL, "virNodeGetSecurityModel",
      RPC_XDR_VOID, RPC_XDR(remote_node_get_security_model_ret),
      rpcProcNodeGetSecurityModel, RO | PRIO },
    { REMOTE_PROC_CONNECT_DOMAIN_XML_TO_NATIVE, "virConnectDomainXMLToNative",
      RPC_XDR(remote_connect_domain_xml_to_native_args),
      RPC_XDR(remote_connect_domain_xml_to_native_ret),
      rpcProcConnectDomainXMLToNative, 0 },
    { REMOTE_PROC_CONNECT_IS_SECURE, "virConnectIsSecure",
      RPC_XDR_VOID, RPC_XDR(remote_connect_is_secure_ret),
      rpcProcConnectIsSecure, RO | PRIO },
    { REMOTE_PROC_DOMAIN_IS_ACTIVE, "virDomainIsActive",
      RPC_XDR(remote_domain_args),
      RPC_XDR(remote_domain_int_ret),
      rpcProcDomainIsActive, RO | PRIO },
    { REMOTE_PROC_DOMAIN_IS_PERSISTENT, "virDomainIsPersistent",
      RPC_XDR(remote_domain_args),
      RPC_XDR(remote_domain_int_ret),
      rpcProcDomainIsPersistent, RO | PRIO },
    { REMOTE_PROC_CONNECT_GET_LIB_VERSION, "virConnectGetLibVersion",
      RPC_XDR_VOID, RPC_XDR(remote_connect_get_lib_version_ret),
      rpcProcConnectGetLibVersion, RO | PRIO },
    { REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, "virDomainHasManagedSaveImage",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR(remote_domain_int_ret),
      rpcProcDomainHasManagedSaveImage, RO },
    { REMOTE_PROC_DOMAIN_SNAPSHOT_NUM, "virDomainSnapshotNum",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR(remote_domain_int_ret),
      rpcProcDomainSnapshotNum, RO },
    { REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, "virDomainCreateWithFlags",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR(remote_domain_create_with_flags_ret),
      rpcProcDomainCreateWithFlags, 0 },
    { REMOTE_PROC_DOMAIN_GET_STATE, "virDomainGetState",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR(remote_domain_get_state_ret),
      rpcProcDomainGetState, RO | PRIO },
    { REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, "virDomainUndefineFlags",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR_VOID,
      rpcProcDomainUndefineFlags, PRIO },
    { REMOTE_PROC_DOMAIN_DESTROY_FLAGS, "virDomainDestroyFlags",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR_VOID,
      rpcProcDomainDestroyFlags, 0 },
    { REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, "virDomainShutdownFlags",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR_VOID,
      rpcProcDomainShutdownFlags, 0 },
    { REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, "virConnectListAllDomains",
      RPC_XDR(remote_connect_list_all_domains_args),
      RPC_XDR(remote_connect_list_all_domains_ret),
      rpcProcConnectListAllDomains, RO | PRIO },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
      "virConnectDomainEventRegisterAny",
      RPC_XDR(remote_connect_domain_event_callback_register_any_args),
      RPC_XDR(remote_connect_domain_event_callback_register_any_ret),
      rpcProcDomainEventCallbackRegisterAny, RO | PRIO },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
      "virConnectDomainEventDeregisterAny",
      RPC_XDR(remote_connect_domain_event_callback_deregister_any_args),
      RPC_XDR_VOID,
      rpcProcDomainEventCallbackDeregisterAny, RO | PRIO },
    { REMOTE_PROC_CONNECT_GET_DOMAIN_CAPABILITIES, "virConnectGetDomainCapabilities",
      RPC_XDR(remote_connect_get_domain_capabilities_args),
      RPC_XDR(remote_connect_get_domain_capabilities_ret),
      rpcProcConnectGetDomainCapabilities, 0 },
    { REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS, "virConnectGetAllDomainStats",
      RPC_XDR(remote_connect_get_all_domain_stats_args),
      RPC_XDR(remote_connect_get_all_domain_stats_ret),
      rpcProcConnectGetAllDomainStats, RO },
    { REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS, "virDomainDefineXMLFlags",
      RPC_XDR(remote_domain_define_xml_flags_args),
      RPC_XDR(remote_domain_ret),
      rpcProcDomainDefineXMLFlags, PRIO },
    { REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK,
      "virConnectRegisterCloseCallback",
      RPC_XDR_VOID, RPC_XDR_VOID,
      rpcProcConnectRegisterCloseCallback, RO | PRIO },
    { REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK,
      "virConnectUnregisterCloseCallback",
      RPC_XDR_VOID, RPC_XDR_VOID,
      rpcProcConnectUnregisterCloseCallback, RO | PRIO },
    { REMOTE_PROC_DOMAIN_GET_MESSAGES, "virDomainGetMessages",
      RPC_XDR(remote_domain_flags_args),
      RPC_XDR(remote_domain_get_messages_ret),
      rpcProcDomainGetMessages, RO },
};

const rpcProgram rpcRemoteProgram = {
    REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
    rpcRemoteProcs, G_N_ELEMENTS(rpcRemoteProcs),
};

/* The QEMU program: monitor passthrough (QMP, or HMP through QMP). */
static const rpcProc rpcQemuProcs[] = {
    { QEMU_PROC_DOMAIN_MONITOR_COMMAND, "virDomainQemuMonitorCommand",
      RPC_XDR(qemu_domain_monitor_command_args),
      RPC_XDR(qemu_domain_monitor_command_ret),
      rpcProcQemuDomainMonitorCommand, 0 },
};

const rpcProgram rpcQemuProgram = {
    QEMU_PROGRAM, QEMU_PROTOCOL_VERSION,
    rpcQemuProcs, G_N_ELEMENTS(rpcQemuProcs),
};

const rpcProgram *const rpcPrograms[] = {
    &rpcRemoteProgram,
    &rpcQemuProgram,
    NULL,
};
