/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

#include "conf/xml.h"
#include "util/enum.h"

typedef struct confDomainDef confDomainDef;

typedef enum {
    CONF_MEMORY_SOURCE_NONE = 0,
    CONF_MEMORY_SOURCE_FILE,
    CONF_MEMORY_SOURCE_ANONYMOUS,
    CONF_MEMORY_SOURCE_MEMFD,
    CONF_MEMORY_SOURCE_GUEST_MEMFD,

    CONF_MEMORY_SOURCE_LAST
} confMemorySource;
VGM_ENUM_DECL(confMemorySource);

typedef enum {
    CONF_MEMORY_ACCESS_DEFAULT = 0,
    CONF_MEMORY_ACCESS_SHARED,
    CONF_MEMORY_ACCESS_PRIVATE,

    CONF_MEMORY_ACCESS_LAST
} confMemoryAccess;
VGM_ENUM_DECL(confMemoryAccess);

typedef enum {
    CONF_MEMORY_ALLOCATION_DEFAULT = 0,
    CONF_MEMORY_ALLOCATION_IMMEDIATE,
    CONF_MEMORY_ALLOCATION_ONDEMAND,

    CONF_MEMORY_ALLOCATION_LAST
} confMemoryAllocation;
VGM_ENUM_DECL(confMemoryAllocation);

typedef struct {
    unsigned long long size;   /* KiB */
    char *nodeset;             /* NULL: every node */
} confHugepage;

/* <memoryBacking> */
struct confMemoryBacking {
    bool hugepages;            /* <hugepages> present */
    confHugepage *pages;
    size_t npages;
    bool nosharepages;
    bool locked;
    confMemorySource source;
    confMemoryAccess access;
    confMemoryAllocation allocation;
    unsigned int threads;      /* 0: not set */
    bool discard;
};
typedef struct confMemoryBacking confMemoryBacking;

void confMemoryBackingFree(confMemoryBacking *mb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confMemoryBacking, confMemoryBackingFree)

int confMemoryBackingParse(xmlNodePtr node, confMemoryBacking **mb,
                           GError **error);
int confMemoryBackingValidate(const confDomainDef *def, GError **error);
void confMemoryBackingFormat(confBuf *buf, const confMemoryBacking *mb);
