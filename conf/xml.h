/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

#include "util/enum.h"

/* Documents bigger than this are refused before any parsing. */
#define CONF_XML_MAX_BYTES (1024 * 1024)

xmlDocPtr confXMLParse(const char *xml, size_t maxBytes, const char *url,
                       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

typedef enum {
    CONF_PROP_NONE = 0,
    CONF_PROP_REQUIRED = 1 << 0,  /* absent is an error */
    CONF_PROP_NONZERO = 1 << 1,   /* 0 (or enum index 0) is an error */
} confPropFlags;

/* Each returns 1 (set), 0 (absent, @value untouched) or -1 (error). */
int confXMLPropString(xmlNodePtr node, const char *name, unsigned int flags,
                      char **value, GError **error);
int confXMLPropEnum(xmlNodePtr node, const char *name,
                    vgmEnumToStringFunc toString, unsigned int flags,
                    int *value, GError **error);
int confXMLPropUInt(xmlNodePtr node, const char *name, int base,
                    unsigned int flags, unsigned int *value, GError **error);
int confXMLPropInt(xmlNodePtr node, const char *name, int base,
                   unsigned int flags, int *value, GError **error);
int confXMLPropULongLong(xmlNodePtr node, const char *name, int base,
                         unsigned int flags, unsigned long long *value,
                         GError **error);
int confXMLPropTristateBool(xmlNodePtr node, const char *name,
                            unsigned int flags, vgmTristateBool *value,
                            GError **error);
int confXMLPropTristateSwitch(xmlNodePtr node, const char *name,
                              unsigned int flags, vgmTristateSwitch *value,
                              GError **error);

/* Element text: NULL when empty. */
char *confXMLNodeContent(xmlNodePtr node);
/* The text of the only child element @name of @node, or NULL. */
int confXMLChildContent(xmlNodePtr node, const char *name, char **value,
                        GError **error);
int confXMLChildUInt(xmlNodePtr node, const char *name, int base,
                     unsigned int *value, GError **error);

/* The first child element called @name, or NULL. */
xmlNodePtr confXMLChild(xmlNodePtr node, const char *name);
/* Like confXMLChild, but two of them is an error (returns -1). */
int confXMLChildUnique(xmlNodePtr node, const char *name, xmlNodePtr *child,
                       GError **error);
/* How many child elements called @name @node has. */
size_t confXMLChildCount(xmlNodePtr node, const char *name);

/*
 * Refuse an attribute not in @attrs or a child element not in @children
 * (both NULL-terminated; NULL means none allowed).  Text content and
 * comments are not checked.  The message names xmlGetNodePath().
 */
int confXMLCheckNode(xmlNodePtr node, const char *const *attrs,
                     const char *const *children, GError **error);
char *confXMLNodePath(xmlNodePtr node);

/* Strict number parsing: no sign, no junk, no overflow. */
int confStrToULongLong(const char *str, int base, unsigned long long *value);
int confStrToUInt(const char *str, int base, unsigned int *value);

/*
 * Output buffers.  A child buffer starts two spaces deeper than its
 * parent; text added at the start of a line is indented.
 */
typedef struct {
    GString *str;
    int indent;
} confBuf;

void confBufInit(confBuf *buf);
void confBufInitChild(confBuf *child, const confBuf *parent);
void confBufClear(confBuf *buf);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(confBuf, confBufClear)
void confBufAdd(confBuf *buf, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* @fmt takes exactly one %s, filled with @str escaped for XML. */
void confBufEscape(confBuf *buf, const char *fmt, const char *str);
void confBufAdjustIndent(confBuf *buf, int delta);
bool confBufIsEmpty(const confBuf *buf);
char *confBufSteal(confBuf *buf);

char *confXMLEscape(const char *str);

/*
 * <name ATTRS/> or <name ATTRS>\nCHILDREN</name>; nothing when both are
 * empty.  @attrs holds " a='b'" pairs; @children was initialised with
 * confBufInitChild(children, buf).  Both are emptied.
 */
void confXMLFormatElement(confBuf *buf, const char *name, confBuf *attrs,
                          confBuf *children);
