/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

#include "conf/xml.h"
#include "util/enum.h"

typedef struct confDomainDef confDomainDef;

typedef enum {
    CONF_CPU_MODE_CUSTOM = 0,
    CONF_CPU_MODE_HOST_MODEL,
    CONF_CPU_MODE_HOST_PASSTHROUGH,
    CONF_CPU_MODE_MAXIMUM,

    CONF_CPU_MODE_LAST
} confCPUMode;
VGM_ENUM_DECL(confCPUMode);

typedef enum {
    CONF_CPU_MATCH_DEFAULT = 0,
    CONF_CPU_MATCH_MINIMUM,
    CONF_CPU_MATCH_EXACT,
    CONF_CPU_MATCH_STRICT,

    CONF_CPU_MATCH_LAST
} confCPUMatch;
VGM_ENUM_DECL(confCPUMatch);

typedef enum {
    CONF_CPU_CHECK_DEFAULT = 0,
    CONF_CPU_CHECK_NONE,
    CONF_CPU_CHECK_PARTIAL,
    CONF_CPU_CHECK_FULL,

    CONF_CPU_CHECK_LAST
} confCPUCheck;
VGM_ENUM_DECL(confCPUCheck);

typedef enum {
    CONF_CPU_FALLBACK_DEFAULT = 0,
    CONF_CPU_FALLBACK_ALLOW,
    CONF_CPU_FALLBACK_FORBID,

    CONF_CPU_FALLBACK_LAST
} confCPUFallback;
VGM_ENUM_DECL(confCPUFallback);

typedef enum {
    CONF_CPU_FEATURE_FORCE = 0,
    CONF_CPU_FEATURE_REQUIRE,
    CONF_CPU_FEATURE_OPTIONAL,
    CONF_CPU_FEATURE_DISABLE,
    CONF_CPU_FEATURE_FORBID,

    CONF_CPU_FEATURE_LAST
} confCPUFeaturePolicy;
VGM_ENUM_DECL(confCPUFeaturePolicy);

typedef struct {
    char *name;
    confCPUFeaturePolicy policy;
} confCPUFeature;

/* <cpu> */
struct confDomainCPUDef {
    confCPUMode mode;
    confCPUMatch match;
    confCPUCheck check;
    vgmTristateSwitch migratable;
    char *model;
    confCPUFallback fallback;
    char *vendor;
    bool haveTopology;
    unsigned int sockets;
    unsigned int dies;
    unsigned int clusters;
    unsigned int cores;
    unsigned int threads;
    confCPUFeature *features;
    size_t nfeatures;
};
typedef struct confDomainCPUDef confDomainCPUDef;

void confDomainCPUDefFree(confDomainCPUDef *cpu);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confDomainCPUDef, confDomainCPUDefFree)

int confDomainCPUDefParse(xmlNodePtr node, confDomainCPUDef **cpu,
                          GError **error);
int confDomainCPUDefPostParse(confDomainDef *def, GError **error);
int confDomainCPUDefValidate(const confDomainDef *def, GError **error);
void confDomainCPUDefFormat(confBuf *buf, const confDomainCPUDef *cpu);
