/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "conf/xml.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * A DTD is never needed in domain XML and is the door to entity
 * expansion ("billion laughs") and external entities: the parser stops
 * at the first DOCTYPE or entity declaration.
 */
static void
confXMLRefuseSubset(void *opaque, const xmlChar *name,
                    const xmlChar *externalID, const xmlChar *systemID)
{
    xmlParserCtxtPtr ctxt = opaque;

    *(bool *)ctxt->_private = true;
    xmlStopParser(ctxt);
}

static void
confXMLRefuseEntity(void *opaque, const xmlChar *name, int type,
                    const xmlChar *publicId, const xmlChar *systemId,
                    xmlChar *content)
{
    confXMLRefuseSubset(opaque, name, publicId, systemId);
}

/**
 * confXMLParse:
 * @xml: the document text
 * @maxBytes: size limit (0: CONF_XML_MAX_BYTES)
 * @url: a name for messages, or NULL
 * @error: return location for a GError
 *
 * Parse @xml without network access, DTDs or entities.
 *
 * Returns: the document, or NULL with @error set.
 */
xmlDocPtr
confXMLParse(const char *xml, size_t maxBytes, const char *url,
             GError **error)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    bool refused = false;
    size_t len = xml ? strlen(xml) : 0;
    const xmlError *err;

    if (maxBytes == 0)
        maxBytes = CONF_XML_MAX_BYTES;
    if (len > maxBytes) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("XML document is %1$zu bytes, more than the limit of %2$zu bytes"),
                    len, maxBytes);
        return NULL;
    }
    if (len == 0 || strspn(xml, " \t\r\n") == len) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("XML document is empty"));
        return NULL;
    }

    if (!(ctxt = xmlNewParserCtxt())) {
        g_set_error(error, CONF_ERROR, VIR_ERR_NO_MEMORY,
                    _("cannot create an XML parser"));
        return NULL;
    }
    ctxt->_private = &refused;
    ctxt->sax->internalSubset = confXMLRefuseSubset;
    ctxt->sax->externalSubset = confXMLRefuseSubset;
    ctxt->sax->entityDecl = confXMLRefuseEntity;

    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, url ? url : "domain.xml",
                            "UTF-8",
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (refused) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("XML document has a DOCTYPE or entity declaration, which is not allowed"));
        goto error;
    }
    if (!doc || !ctxt->wellFormed) {
        err = xmlCtxtGetLastError(ctxt);
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("malformed XML at line %1$d: %2$s"),
                    err ? err->line : 0,
                    err && err->message ? g_strchomp(err->message) :
                    _("unknown error"));
        goto error;
    }
    if (!xmlDocGetRootElement(doc)) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("XML document has no root element"));
        goto error;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;

 error:
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return NULL;
}

/**
 * confXMLNodePath:
 * @node: an element
 *
 * Returns: the node's path such as "/domain/devices/disk[2]" (g_free it).
 */
char *
confXMLNodePath(xmlNodePtr node)
{
    xmlChar *path = xmlGetNodePath(node);
    char *ret = g_strdup(path ? (const char *)path : "?");

    xmlFree(path);
    return ret;
}

static char *
confXMLAttrPath(xmlNodePtr node, const char *name)
{
    g_autofree char *path = confXMLNodePath(node);

    return g_strdup_printf("%s/@%s", path, name);
}

static bool
confStrInList(const char *const *list, const char *str)
{
    for (; list && *list; list++) {
        if (strcmp(*list, str) == 0)
            return true;
    }
    return false;
}

/**
 * confXMLCheckNode:
 * @node: the element to check
 * @attrs: NULL-terminated list of allowed attributes, or NULL
 * @children: NULL-terminated list of allowed child elements, or NULL
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set naming the unknown item's path.
 */
int
confXMLCheckNode(xmlNodePtr node, const char *const *attrs,
                 const char *const *children, GError **error)
{
    xmlAttrPtr attr;
    xmlNodePtr cur;

    for (attr = node->properties; attr; attr = attr->next) {
        if (attr->ns)
            continue;
        if (!confStrInList(attrs, (const char *)attr->name)) {
            g_autofree char *path = confXMLNodePath(node);

            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("unknown attribute '%1$s' on element '%2$s'"),
                        (const char *)attr->name, path);
            return -1;
        }
    }
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!confStrInList(children, (const char *)cur->name)) {
            g_autofree char *path = confXMLNodePath(cur);

            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("unknown element '%1$s'"), path);
            return -1;
        }
    }
    return 0;
}

xmlNodePtr
confXMLChild(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE &&
            strcmp((const char *)cur->name, name) == 0)
            return cur;
    }
    return NULL;
}

size_t
confXMLChildCount(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;
    size_t n = 0;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE &&
            strcmp((const char *)cur->name, name) == 0)
            n++;
    }
    return n;
}

/**
 * confXMLChildUnique:
 * @node: the parent element
 * @name: the child element's name
 * @child: set to the child, or NULL when absent
 * @error: return location for a GError
 *
 * Returns: 1 (found), 0 (absent) or -1 (more than one).
 */
int
confXMLChildUnique(xmlNodePtr node, const char *name, xmlNodePtr *child,
                   GError **error)
{
    *child = NULL;
    if (confXMLChildCount(node, name) > 1) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("element '%1$s' may appear only once in '%2$s'"),
                    name, path);
        return -1;
    }
    *child = confXMLChild(node, name);
    return *child ? 1 : 0;
}

char *
confXMLNodeContent(xmlNodePtr node)
{
    xmlChar *content = xmlNodeGetContent(node);
    char *ret = NULL;

    if (content && *content)
        ret = g_strdup((const char *)content);
    xmlFree(content);
    return ret;
}

int
confXMLChildContent(xmlNodePtr node, const char *name, char **value,
                    GError **error)
{
    xmlNodePtr child;
    int rc = confXMLChildUnique(node, name, &child, error);

    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(child, NULL, NULL, error) < 0)
        return -1;
    g_free(*value);
    *value = confXMLNodeContent(child);
    return *value ? 1 : 0;
}

int
confXMLChildUInt(xmlNodePtr node, const char *name, int base,
                 unsigned int *value, GError **error)
{
    g_autofree char *str = NULL;
    int rc = confXMLChildContent(node, name, &str, error);

    if (rc <= 0)
        return rc;
    g_strstrip(str);
    if (confStrToUInt(str, base, value) < 0) {
        g_autofree char *path = confXMLNodePath(confXMLChild(node, name));

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '%2$s': expected an unsigned integer"),
                    str, path);
        return -1;
    }
    return 1;
}

int
confStrToULongLong(const char *str, int base, unsigned long long *value)
{
    char *end = NULL;
    unsigned long long val;

    if (!str || !*str || !(g_ascii_isdigit(*str)))
        return -1;
    errno = 0;
    val = strtoull(str, &end, base);
    if (errno != 0 || !end || *end != '\0' || end == str)
        return -1;
    *value = val;
    return 0;
}

int
confStrToUInt(const char *str, int base, unsigned int *value)
{
    unsigned long long val;

    if (confStrToULongLong(str, base, &val) < 0 || val > G_MAXUINT)
        return -1;
    *value = (unsigned int)val;
    return 0;
}

static int
confXMLPropGet(xmlNodePtr node, const char *name, unsigned int flags,
               char **value, GError **error)
{
    xmlChar *prop = xmlGetNoNsProp(node, (const xmlChar *)name);

    if (!prop) {
        if (flags & CONF_PROP_REQUIRED) {
            g_autofree char *path = confXMLNodePath(node);

            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("missing required attribute '%1$s' on element '%2$s'"),
                        name, path);
            return -1;
        }
        return 0;
    }
    *value = g_strdup((const char *)prop);
    xmlFree(prop);
    return 1;
}

int
confXMLPropString(xmlNodePtr node, const char *name, unsigned int flags,
                  char **value, GError **error)
{
    g_autofree char *str = NULL;
    int rc = confXMLPropGet(node, name, flags, &str, error);

    if (rc <= 0)
        return rc;
    if ((flags & CONF_PROP_NONZERO) && !*str) {
        g_autofree char *path = confXMLAttrPath(node, name);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("attribute '%1$s' must not be empty"), path);
        return -1;
    }
    g_free(*value);
    *value = g_steal_pointer(&str);
    return 1;
}

/**
 * confXMLPropEnum:
 * @node: the element
 * @name: the attribute
 * @toString: the enum's ToString function (values are looked up with it)
 * @flags: confPropFlags; CONF_PROP_NONZERO refuses index 0 ("default")
 * @value: set to the enum value
 * @error: return location for a GError
 *
 * Returns: 1 (set), 0 (absent) or -1 with @error naming the accepted
 * values.
 */
int
confXMLPropEnum(xmlNodePtr node, const char *name,
                vgmEnumToStringFunc toString, unsigned int flags,
                int *value, GError **error)
{
    g_autofree char *str = NULL;
    int first = (flags & CONF_PROP_NONZERO) ? 1 : 0;
    const char *cur;
    int rc = confXMLPropGet(node, name, flags, &str, error);
    int i;

    if (rc <= 0)
        return rc;
    for (i = first; (cur = toString(i)); i++) {
        if (strcmp(cur, str) == 0) {
            *value = i;
            return 1;
        }
    }
    {
        g_autofree char *path = confXMLAttrPath(node, name);
        g_autofree char *accepted = vgmEnumJoinValues(toString, first);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '%2$s': accepted values are %3$s"),
                    str, path, accepted);
    }
    return -1;
}

int
confXMLPropULongLong(xmlNodePtr node, const char *name, int base,
                     unsigned int flags, unsigned long long *value,
                     GError **error)
{
    g_autofree char *str = NULL;
    unsigned long long val;
    int rc = confXMLPropGet(node, name, flags, &str, error);

    if (rc <= 0)
        return rc;
    if (confStrToULongLong(str, base, &val) < 0 ||
        ((flags & CONF_PROP_NONZERO) && val == 0)) {
        g_autofree char *path = confXMLAttrPath(node, name);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    (flags & CONF_PROP_NONZERO) ?
                    _("invalid value '%1$s' for '%2$s': expected a positive integer") :
                    _("invalid value '%1$s' for '%2$s': expected an unsigned integer"),
                    str, path);
        return -1;
    }
    *value = val;
    return 1;
}

int
confXMLPropUInt(xmlNodePtr node, const char *name, int base,
                unsigned int flags, unsigned int *value, GError **error)
{
    unsigned long long val;
    int rc = confXMLPropULongLong(node, name, base, flags, &val, error);

    if (rc <= 0)
        return rc;
    if (val > G_MAXUINT) {
        g_autofree char *path = confXMLAttrPath(node, name);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("value %1$llu for '%2$s' is out of range (at most %3$u)"),
                    val, path, G_MAXUINT);
        return -1;
    }
    *value = (unsigned int)val;
    return 1;
}

int
confXMLPropInt(xmlNodePtr node, const char *name, int base,
               unsigned int flags, int *value, GError **error)
{
    g_autofree char *str = NULL;
    char *end = NULL;
    long long val;
    int rc = confXMLPropGet(node, name, flags, &str, error);

    if (rc <= 0)
        return rc;
    errno = 0;
    val = strtoll(str, &end, base);
    if (errno != 0 || end == str || *end != '\0' || g_ascii_isspace(*str) ||
        val < G_MININT || val > G_MAXINT ||
        ((flags & CONF_PROP_NONZERO) && val == 0)) {
        g_autofree char *path = confXMLAttrPath(node, name);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '%2$s': expected an integer"),
                    str, path);
        return -1;
    }
    *value = (int)val;
    return 1;
}

int
confXMLPropTristateBool(xmlNodePtr node, const char *name,
                        unsigned int flags, vgmTristateBool *value,
                        GError **error)
{
    int val = 0;
    int rc = confXMLPropEnum(node, name, vgmTristateBoolToString,
                             flags | CONF_PROP_NONZERO, &val, error);

    if (rc > 0)
        *value = val;
    return rc;
}

int
confXMLPropTristateSwitch(xmlNodePtr node, const char *name,
                          unsigned int flags, vgmTristateSwitch *value,
                          GError **error)
{
    int val = 0;
    int rc = confXMLPropEnum(node, name, vgmTristateSwitchToString,
                             flags | CONF_PROP_NONZERO, &val, error);

    if (rc > 0)
        *value = val;
    return rc;
}

/* Output buffers. */

void
confBufInit(confBuf *buf)
{
    buf->str = g_string_new(NULL);
    buf->indent = 0;
}

void
confBufInitChild(confBuf *child, const confBuf *parent)
{
    child->str = g_string_new(NULL);
    child->indent = parent->indent + 2;
}

void
confBufClear(confBuf *buf)
{
    if (buf->str)
        g_string_free(buf->str, TRUE);
    buf->str = NULL;
}

bool
confBufIsEmpty(const confBuf *buf)
{
    return !buf->str || buf->str->len == 0;
}

void
confBufAdjustIndent(confBuf *buf, int delta)
{
    buf->indent += delta;
    if (buf->indent < 0)
        buf->indent = 0;
}

static void
confBufIndent(confBuf *buf)
{
    if (!buf->str)
        buf->str = g_string_new(NULL);
    if (buf->str->len == 0 || buf->str->str[buf->str->len - 1] == '\n')
        g_string_append_printf(buf->str, "%*s", buf->indent, "");
}

void
confBufAdd(confBuf *buf, const char *fmt, ...)
{
    va_list ap;

    confBufIndent(buf);
    va_start(ap, fmt);
    g_string_append_vprintf(buf->str, fmt, ap);
    va_end(ap);
}

char *
confXMLEscape(const char *str)
{
    GString *out = g_string_sized_new(strlen(str) + 8);

    for (; *str; str++) {
        switch (*str) {
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '&': g_string_append(out, "&amp;"); break;
        case '\'': g_string_append(out, "&apos;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\n': g_string_append(out, "&#10;"); break;
        case '\r': g_string_append(out, "&#13;"); break;
        case '\t': g_string_append(out, "&#9;"); break;
        default: g_string_append_c(out, *str); break;
        }
    }
    return g_string_free(out, FALSE);
}

void
confBufEscape(confBuf *buf, const char *fmt, const char *str)
{
    g_autofree char *escaped = confXMLEscape(str);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    confBufAdd(buf, fmt, escaped);
#pragma GCC diagnostic pop
}

char *
confBufSteal(confBuf *buf)
{
    char *ret = g_string_free(buf->str ? buf->str : g_string_new(NULL),
                              FALSE);

    buf->str = NULL;
    return ret;
}

void
confXMLFormatElement(confBuf *buf, const char *name, confBuf *attrs,
                     confBuf *children)
{
    bool noAttrs = !attrs || confBufIsEmpty(attrs);
    bool noChildren = !children || confBufIsEmpty(children);

    if (noAttrs && noChildren)
        goto cleanup;
    confBufAdd(buf, "<%s", name);
    if (!noAttrs)
        g_string_append(buf->str, attrs->str->str);
    if (noChildren) {
        g_string_append(buf->str, "/>\n");
    } else {
        g_string_append(buf->str, ">\n");
        g_string_append(buf->str, children->str->str);
        confBufAdd(buf, "</%s>\n", name);
    }

 cleanup:
    if (attrs && attrs->str)
        g_string_truncate(attrs->str, 0);
    if (children && children->str)
        g_string_truncate(children->str, 0);
}
