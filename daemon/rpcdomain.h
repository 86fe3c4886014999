/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "daemon/rpcconn.h"
#include "driver/driver.h"

/*
 * The domain procedures of the REMOTE program and the QEMU program's
 * monitor passthrough: rpcProcFunc handlers that call the driver of the
 * connection's daemon (daemon/rpcdomain.c: lookups, lists and the
 * lifecycle; daemon/rpcdomainquery.c: queries, statistics and the
 * connection-wide documents).
 */

/* Shared by the two files. */
drvDriver *rpcDomainDriver(rpcConn *conn, const char *api, GError **error);
void rpcDomainFromRef(remote_nonnull_domain *dom, const drvDomainRef *ref);
#define RPC_DOMAIN_UUID(dom) ((const unsigned char *)(dom).uuid)

#define RPC_DOMAIN_PROC(name) \
    int name(rpcConn *conn, void *args, void *ret, GError **error)

RPC_DOMAIN_PROC(rpcProcDomainLookupByName);
RPC_DOMAIN_PROC(rpcProcDomainLookupByUUID);
RPC_DOMAIN_PROC(rpcProcDomainLookupByID);
RPC_DOMAIN_PROC(rpcProcConnectNumOfDomains);
RPC_DOMAIN_PROC(rpcProcConnectListDomains);
RPC_DOMAIN_PROC(rpcProcConnectNumOfDefinedDomains);
RPC_DOMAIN_PROC(rpcProcConnectListDefinedDomains);
RPC_DOMAIN_PROC(rpcProcConnectListAllDomains);
RPC_DOMAIN_PROC(rpcProcDomainDefineXML);
RPC_DOMAIN_PROC(rpcProcDomainDefineXMLFlags);
RPC_DOMAIN_PROC(rpcProcDomainUndefine);
RPC_DOMAIN_PROC(rpcProcDomainUndefineFlags);
RPC_DOMAIN_PROC(rpcProcDomainCreate);
RPC_DOMAIN_PROC(rpcProcDomainCreateWithFlags);
RPC_DOMAIN_PROC(rpcProcDomainCreateXML);
RPC_DOMAIN_PROC(rpcProcDomainDestroy);
RPC_DOMAIN_PROC(rpcProcDomainDestroyFlags);
RPC_DOMAIN_PROC(rpcProcDomainShutdown);
RPC_DOMAIN_PROC(rpcProcDomainShutdownFlags);
RPC_DOMAIN_PROC(rpcProcDomainReboot);
RPC_DOMAIN_PROC(rpcProcDomainSuspend);
RPC_DOMAIN_PROC(rpcProcDomainResume);
RPC_DOMAIN_PROC(rpcProcDomainSetAutostart);

RPC_DOMAIN_PROC(rpcProcDomainGetState);
RPC_DOMAIN_PROC(rpcProcDomainGetInfo);
RPC_DOMAIN_PROC(rpcProcDomainGetXMLDesc);
RPC_DOMAIN_PROC(rpcProcDomainGetAutostart);
RPC_DOMAIN_PROC(rpcProcDomainIsActive);
RPC_DOMAIN_PROC(rpcProcDomainIsPersistent);
RPC_DOMAIN_PROC(rpcProcDomainGetOSType);
RPC_DOMAIN_PROC(rpcProcDomainHasManagedSaveImage);
RPC_DOMAIN_PROC(rpcProcDomainSnapshotNum);
RPC_DOMAIN_PROC(rpcProcDomainGetMessages);
RPC_DOMAIN_PROC(rpcProcConnectGetAllDomainStats);
RPC_DOMAIN_PROC(rpcProcConnectDomainXMLToNative);
RPC_DOMAIN_PROC(rpcProcConnectGetDomainCapabilities);
RPC_DOMAIN_PROC(rpcProcQemuDomainMonitorCommand);
