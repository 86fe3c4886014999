/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "conf/xml.h"
#include "util/enum.h"

/*
 * Values of the domain XML that are more than an attribute: scaled
 * sizes (libvirt's unit='...'), enum element text, hex numbers, UUIDs.
 */

/* The largest size in bytes accepted anywhere (libvirt's limit). */
#define CONF_MAX_BYTES ((unsigned long long)G_MAXINT64)

/*
 * Scale @value by @unit (NULL: @defScale) into bytes.  @unit is one of
 * libvirt's: b, byte(s), KB, KiB, k, MB, MiB, M, ... EB, EiB, E (case
 * insensitive; xB is 1000-based, x and xiB 1024-based).
 * Returns 0, -1 for an unknown unit, -2 on overflow or above @max.
 */
int confScaleInteger(unsigned long long *value, const char *unit,
                     unsigned long long defScale, unsigned long long max);

/*
 * Read the text of @node as a size with @node's unit='' attribute,
 * in KiB rounded up.  Returns 1 (set), 0 (empty element), -1 (error).
 */
int confXMLParseMemory(xmlNodePtr node, unsigned long long *kib,
                       GError **error);

/*
 * A size given as attribute @name with the unit in attribute "unit"
 * (default KiB), in KiB rounded up.  Returns 1, 0 (absent) or -1.
 */
int confXMLPropMemory(xmlNodePtr node, const char *name, unsigned int flags,
                      unsigned long long *kib, GError **error);

/* The text of @node as a value of an enum; 1, 0 (empty) or -1. */
int confXMLContentEnum(xmlNodePtr node, vgmEnumToStringFunc toString,
                       int first, int *value, GError **error);

/* The text of @node as a hex number "0x..." no bigger than @max. */
int confXMLContentHex(xmlNodePtr node, unsigned long long max,
                      unsigned long long *value, GError **error);

/* A UUID with or without dashes; 0 or -1. */
int confUUIDParse(const char *str, unsigned char uuid[16]);
void confUUIDFormat(const unsigned char uuid[16], char out[37]);
void confUUIDGenerate(unsigned char uuid[16]);

/*
 * Like confBufEscape for element text: newlines and tabs stay as they
 * are (libvirt's <description> keeps its lines).
 */
void confBufEscapeText(confBuf *buf, const char *fmt, const char *str);
