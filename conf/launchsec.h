/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

#include "conf/xml.h"
#include "util/enum.h"

typedef struct confDomainDef confDomainDef;

typedef enum {
    CONF_LAUNCH_SECURITY_NONE = 0,
    CONF_LAUNCH_SECURITY_SEV,
    CONF_LAUNCH_SECURITY_SEV_SNP,
    CONF_LAUNCH_SECURITY_TDX,

    CONF_LAUNCH_SECURITY_LAST
} confLaunchSecurityType;
VGM_ENUM_DECL(confLaunchSecurity);

/* <launchSecurity type='sev|sev-snp|tdx'> */
struct confLaunchSecurity {
    confLaunchSecurityType type;
    vgmTristateBool convertInPlace;   /* new: in-place conversion */

    /* sev, sev-snp */
    vgmTristateBool kernelHashes;
    bool haveCbitpos;
    unsigned int cbitpos;
    bool haveReducedPhysBits;
    unsigned int reducedPhysBits;
    /* sev: 32 bits, required; sev-snp and tdx: 64 bits, optional */
    bool havePolicy;
    unsigned long long policy;

    /* sev */
    bool haveHandle;
    unsigned int handle;
    char *dhCert;
    char *session;

    /* sev-snp */
    vgmTristateBool authorKey;
    vgmTristateBool vcek;
    char *guestVisibleWorkarounds;
    char *idBlock;
    char *idAuth;
    char *hostData;

    /* tdx */
    char *mrConfigId;
    char *mrOwner;
    char *mrOwnerConfig;
    bool haveQGS;                     /* <quoteGenerationService> */
    char *qgsPath;
};
typedef struct confLaunchSecurity confLaunchSecurity;

void confLaunchSecurityFree(confLaunchSecurity *sec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confLaunchSecurity, confLaunchSecurityFree)

int confLaunchSecurityParse(xmlNodePtr node, confLaunchSecurity **sec,
                            GError **error);
int confLaunchSecurityValidate(const confDomainDef *def, GError **error);
void confLaunchSecurityFormat(confBuf *buf, const confLaunchSecurity *sec);
