/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "conf/devices.h"
#include "conf/xml.h"
#include "util/enum.h"

/*
 * The domain model.  conf/domain.c owns the top level (name, uuid,
 * memory, vcpu, os, features, cpu, clock, lifecycle actions) and calls
 * into the element families: conf/memory.c (<memoryBacking>),
 * conf/launchsec.c (<launchSecurity>) and conf/devices.c (<devices>).
 */

typedef enum {
    CONF_DOMAIN_VIRT_NONE = 0,
    CONF_DOMAIN_VIRT_QEMU,
    CONF_DOMAIN_VIRT_KVM,

    CONF_DOMAIN_VIRT_LAST
} confDomainVirtType;
VGM_ENUM_DECL(confDomainVirt);

typedef struct confDomainDef confDomainDef;

/* What post-parse fills in when the XML leaves it out. */
typedef struct {
    const char *arch;      /* NULL: the host's architecture */
    const char *emulator;  /* NULL: /usr/bin/qemu-system-ARCH */
    const char *machine;   /* NULL: "pc" */
    size_t maxBytes;       /* 0: CONF_XML_MAX_BYTES */
} confDomainParseOpts;

typedef enum {
    /* Accept live-only data (id, device aliases): status files. */
    CONF_DOMAIN_PARSE_STATUS = 1 << 0,
    /* Skip post-parse defaults and validation (tests of the parser). */
    CONF_DOMAIN_PARSE_NO_POSTPARSE = 1 << 1,
} confDomainParseFlags;

/*
 * The fields every family may read.  The rest of the struct is
 * conf/domain.c's business.
 */
struct confDomainDef {
    confDomainVirtType virtType;
    int id;                       /* -1 when inactive */
    char *name;
    unsigned char uuid[16];

    struct {
        char *type;               /* "hvm" */
        char *arch;
        char *machine;
    } os;

    vgmTristateBool iommufd;      /* <iommufd enabled=''/> */
    struct confMemoryBacking *memoryBacking;    /* conf/memory.h */
    struct confLaunchSecurity *launchSecurity;  /* conf/launchsec.h */

    confDevices devices;          /* conf/devices.h */
};

confDomainDef *confDomainDefNew(void);
void confDomainDefFree(confDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confDomainDef, confDomainDefFree)

confDomainDef *confDomainDefParseString(const char *xml,
                                        const confDomainParseOpts *opts,
                                        unsigned int flags, GError **error);
confDomainDef *confDomainDefParseFile(const char *path,
                                      const confDomainParseOpts *opts,
                                      unsigned int flags, GError **error);
/* @flags: virDomainXMLFlags (VIR_DOMAIN_XML_INACTIVE, _SECURE, ...) */
char *confDomainDefFormat(const confDomainDef *def, unsigned int flags);
/* Checks that need no QEMU; run by the parser unless NO_POSTPARSE. */
int confDomainDefValidate(const confDomainDef *def, GError **error);
