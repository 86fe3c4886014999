/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/*
 * Enum <-> string tables.  Every enum that appears in XML, QMP or RPC is
 * declared with VGM_ENUM_DECL(name) in its header and implemented with
 * VGM_ENUM_IMPL(name, LAST, "a", "b", ...) in its .c file.  The table size
 * is checked at compile time against the enum's LAST value.
 *
 * nameToString(v) returns NULL for a value outside the table.
 * nameFromString(s) returns -1 for an unknown string.
 */

typedef const char *(*vgmEnumToStringFunc)(int value);

#define VGM_ENUM_DECL(name) \
    const char *name##ToString(int value); \
    int name##FromString(const char *str)

#define VGM_ENUM_IMPL(name, lastValue, ...) \
    static const char *const name##Table[] = { __VA_ARGS__ }; \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##Table) == (lastValue)); \
    const char * \
    name##ToString(int value) \
    { \
        return vgmEnumToString(name##Table, G_N_ELEMENTS(name##Table), \
                               value); \
    } \
    int \
    name##FromString(const char *str) \
    { \
        return vgmEnumFromString(name##Table, G_N_ELEMENTS(name##Table), \
                                 str); \
    }

const char *vgmEnumToString(const char *const *table, size_t n, int value);
int vgmEnumFromString(const char *const *table, size_t n, const char *str);
char *vgmEnumJoinValues(vgmEnumToStringFunc toString, int first);

/* The yes/no and on/off attributes of libvirt XML. */
typedef enum {
    VGM_TRISTATE_BOOL_ABSENT = 0,
    VGM_TRISTATE_BOOL_YES,
    VGM_TRISTATE_BOOL_NO,

    VGM_TRISTATE_BOOL_LAST
} vgmTristateBool;

typedef enum {
    VGM_TRISTATE_SWITCH_ABSENT = 0,
    VGM_TRISTATE_SWITCH_ON,
    VGM_TRISTATE_SWITCH_OFF,

    VGM_TRISTATE_SWITCH_LAST
} vgmTristateSwitch;

VGM_ENUM_DECL(vgmTristateBool);
VGM_ENUM_DECL(vgmTristateSwitch);
