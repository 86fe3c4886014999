/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/values.h"
#include "conf/xml.h"
#include "util/error.h"
#include "util/i18n.h"

/* Returns the power of @base for @unit's first letter, or -1. */
static int
confUnitPower(char c)
{
    static const char letters[] = "kmgtpe";
    const char *p = strchr(letters, g_ascii_tolower(c));

    if (!c || !p)
        return -1;
    return (int)(p - letters) + 1;
}

/**
 * confScaleInteger:
 * @value: the number, scaled in place
 * @unit: the unit, or NULL/"" for @defScale
 * @defScale: the scale when no unit is given
 * @max: the largest result accepted
 *
 * Returns: 0, -1 (unknown unit) or -2 (overflow or more than @max).
 */
int
confScaleInteger(unsigned long long *value, const char *unit,
                 unsigned long long defScale, unsigned long long max)
{
    unsigned long long scale = 1;
    unsigned long long base;
    int power;
    int i;

    if (!unit || !*unit) {
        scale = defScale;
    } else if (g_ascii_strcasecmp(unit, "b") == 0 ||
               g_ascii_strcasecmp(unit, "byte") == 0 ||
               g_ascii_strcasecmp(unit, "bytes") == 0) {
        scale = 1;
    } else {
        if ((power = confUnitPower(unit[0])) < 0)
            return -1;
        if (unit[1] == '\0' || g_ascii_strcasecmp(unit + 1, "iB") == 0)
            base = 1024;
        else if (g_ascii_strcasecmp(unit + 1, "B") == 0)
            base = 1000;
        else
            return -1;
        for (i = 0; i < power; i++)
            scale *= base;
    }
    if (*value > max / scale)
        return -2;
    *value *= scale;
    return 0;
}

static int
confScaleToKiB(xmlNodePtr node, const char *what, const char *str,
               const char *unit, unsigned long long *kib, GError **error)
{
    unsigned long long val;
    int rc;

    if (confStrToULongLong(str, 10, &val) < 0) {
        if (*str && strspn(str, "0123456789") == strlen(str)) {
            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("size '%1$s' for '%2$s' is too large: the limit is %3$llu bytes"),
                        str, what, CONF_MAX_BYTES);
            return -1;
        }
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '%2$s': expected an unsigned integer"),
                    str, what);
        return -1;
    }
    rc = confScaleInteger(&val, unit, 1024, CONF_MAX_BYTES);
    if (rc == -1) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("unknown unit '%1$s' in '%2$s/@unit': accepted units are b, bytes, KB, KiB, k, MB, MiB, M, GB, GiB, G, TB, TiB, T, PB, PiB, P, EB, EiB, E"),
                    unit, path);
        return -1;
    }
    if (rc == -2) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("size '%1$s %2$s' for '%3$s' is too large: the limit is %4$llu bytes"),
                    str, unit ? unit : "KiB", what, CONF_MAX_BYTES);
        return -1;
    }
    *kib = val / 1024 + (val % 1024 ? 1 : 0);
    return 0;
}

/**
 * confXMLParseMemory:
 * @node: an element such as <memory unit='GiB'>4</memory>
 * @kib: set to the size in KiB, rounded up
 * @error: return location for a GError
 *
 * Returns: 1 (set), 0 (empty element) or -1 with @error set.
 */
int
confXMLParseMemory(xmlNodePtr node, unsigned long long *kib, GError **error)
{
    g_autofree char *str = confXMLNodeContent(node);
    g_autofree char *unit = NULL;
    g_autofree char *path = confXMLNodePath(node);

    if (confXMLPropString(node, "unit", CONF_PROP_NONE, &unit, error) < 0)
        return -1;
    if (!str)
        return 0;
    g_strstrip(str);
    if (confScaleToKiB(node, path, str, unit, kib, error) < 0)
        return -1;
    return 1;
}

/**
 * confXMLPropMemory:
 * @node: the element
 * @name: the attribute holding the number
 * @flags: confPropFlags
 * @kib: set to the size in KiB, rounded up
 * @error: return location for a GError
 *
 * Returns: 1 (set), 0 (absent) or -1 with @error set.
 */
int
confXMLPropMemory(xmlNodePtr node, const char *name, unsigned int flags,
                  unsigned long long *kib, GError **error)
{
    g_autofree char *str = NULL;
    g_autofree char *unit = NULL;
    g_autofree char *path = NULL;
    g_autofree char *what = NULL;
    int rc = confXMLPropString(node, name, flags, &str, error);

    if (rc <= 0)
        return rc;
    if (confXMLPropString(node, "unit", CONF_PROP_NONE, &unit, error) < 0)
        return -1;
    path = confXMLNodePath(node);
    what = g_strdup_printf("%s/@%s", path, name);
    if (confScaleToKiB(node, what, str, unit, kib, error) < 0)
        return -1;
    if ((flags & CONF_PROP_NONZERO) && *kib == 0) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '%2$s': expected a positive size"),
                    str, what);
        return -1;
    }
    return 1;
}

/**
 * confXMLContentEnum:
 * @node: the element
 * @toString: the enum's ToString function
 * @first: the first accepted value (1 skips a "default" entry)
 * @value: set to the enum value
 * @error: return location for a GError
 *
 * Returns: 1 (set), 0 (empty) or -1 with @error naming the accepted
 * values.
 */
int
confXMLContentEnum(xmlNodePtr node, vgmEnumToStringFunc toString,
                   int first, int *value, GError **error)
{
    g_autofree char *str = confXMLNodeContent(node);
    g_autofree char *path = NULL;
    g_autofree char *accepted = NULL;
    const char *cur;
    int i;

    if (!str)
        return 0;
    g_strstrip(str);
    for (i = first; (cur = toString(i)); i++) {
        if (strcmp(cur, str) == 0) {
            *value = i;
            return 1;
        }
    }
    path = confXMLNodePath(node);
    accepted = vgmEnumJoinValues(toString, first);
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                _("invalid value '%1$s' for '%2$s': accepted values are %3$s"),
                str, path, accepted);
    return -1;
}

/**
 * confXMLContentHex:
 * @node: the element
 * @max: the largest value accepted
 * @value: set to the number
 * @error: return location for a GError
 *
 * Returns: 1 (set), 0 (empty) or -1 with @error set.
 */
int
confXMLContentHex(xmlNodePtr node, unsigned long long max,
                  unsigned long long *value, GError **error)
{
    g_autofree char *str = confXMLNodeContent(node);
    unsigned long long val;

    if (!str)
        return 0;
    g_strstrip(str);
    if (!g_str_has_prefix(str, "0x") || !str[2] ||
        strspn(str + 2, "0123456789abcdefABCDEF") != strlen(str + 2) ||
        strlen(str + 2) > 16 ||
        (val = g_ascii_strtoull(str + 2, NULL, 16)) > max) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '%2$s': expected a hexadecimal number from 0x0 to 0x%3$llx"),
                    str, path, max);
        return -1;
    }
    *value = val;
    return 1;
}

/**
 * confUUIDParse:
 * @str: 32 hex digits, with or without dashes between them
 * @uuid: set to the UUID
 *
 * Returns: 0, or -1 when @str is not a UUID.
 */
int
confUUIDParse(const char *str, unsigned char uuid[16])
{
    const char *p = str;
    int n = 0;
    int hi;
    int lo;

    while (g_ascii_isspace(*p))
        p++;
    while (n < 16) {
        if (*p == '-') {
            p++;
            continue;
        }
        if ((hi = g_ascii_xdigit_value(p[0])) < 0 ||
            (lo = g_ascii_xdigit_value(p[1])) < 0)
            return -1;
        uuid[n++] = (unsigned char)(hi << 4 | lo);
        p += 2;
    }
    while (g_ascii_isspace(*p))
        p++;
    return *p ? -1 : 0;
}

/**
 * confUUIDFormat:
 * @uuid: the UUID
 * @out: set to its 8-4-4-4-12 lower-case form
 *
 * Formats @uuid like libvirt.
 */
void
confUUIDFormat(const unsigned char uuid[16], char out[37])
{
    g_snprintf(out, 37,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
               "%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5],
               uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
               uuid[12], uuid[13], uuid[14], uuid[15]);
}

/**
 * confUUIDGenerate:
 * @uuid: set to a random (version 4) UUID
 *
 * Generates a UUID for a domain that has none.
 */
void
confUUIDGenerate(unsigned char uuid[16])
{
    g_autofree char *str = g_uuid_string_random();

    confUUIDParse(str, uuid);
}

/**
 * confBufEscapeText:
 * @buf: the output
 * @fmt: a format with exactly one %s
 * @str: element text
 *
 * Escapes @str for element content, keeping line breaks and tabs.
 */
void
confBufEscapeText(confBuf *buf, const char *fmt, const char *str)
{
    g_auto(GStrv) lines = g_strsplit_set(str, "\n\t", -1);
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *text = NULL;
    const char *sep = str;
    size_t i;

    for (i = 0; lines[i]; i++) {
        g_autofree char *escaped = confXMLEscape(lines[i]);

        g_string_append(out, escaped);
        sep += strlen(lines[i]);
        if (*sep)
            g_string_append_c(out, *sep++);
    }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    text = g_strdup_printf(fmt, out->str);
#pragma GCC diagnostic pop
    confBufAdd(buf, "%s", text);
}
