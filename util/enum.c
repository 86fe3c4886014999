/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "util/enum.h"

VGM_ENUM_IMPL(vgmTristateBool, VGM_TRISTATE_BOOL_LAST,
              "default", "yes", "no");
VGM_ENUM_IMPL(vgmTristateSwitch, VGM_TRISTATE_SWITCH_LAST,
              "default", "on", "off");

const char *
vgmEnumToString(const char *const *table, size_t n, int value)
{
    if (value < 0 || (size_t)value >= n)
        return NULL;
    return table[value];
}

int
vgmEnumFromString(const char *const *table, size_t n, const char *str)
{
    size_t i;

    if (!str)
        return -1;
    for (i = 0; i < n; i++) {
        if (table[i] && strcmp(table[i], str) == 0)
            return (int)i;
    }
    return -1;
}

/**
 * vgmEnumJoinValues:
 * @toString: the enum's ToString function
 * @first: the first value to list (1 skips a "default"/"none" entry)
 *
 * Returns: the accepted values as "'a', 'b', 'c'", for error messages.
 */
char *
vgmEnumJoinValues(vgmEnumToStringFunc toString, int first)
{
    GString *buf = g_string_new(NULL);
    const char *str;
    int i;

    for (i = first; (str = toString(i)); i++) {
        if (buf->len)
            g_string_append(buf, ", ");
        g_string_append_printf(buf, "'%s'", str);
    }
    return g_string_free(buf, FALSE);
}
