/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/domain.h"
#include "conf/memory.h"
#include "conf/values.h"
#include "util/error.h"
#include "util/i18n.h"

VGM_ENUM_IMPL(confMemorySource, CONF_MEMORY_SOURCE_LAST,
              "none", "file", "anonymous", "memfd", "guest-memfd");
VGM_ENUM_IMPL(confMemoryAccess, CONF_MEMORY_ACCESS_LAST,
              "default", "shared", "private");
VGM_ENUM_IMPL(confMemoryAllocation, CONF_MEMORY_ALLOCATION_LAST,
              "default", "immediate", "ondemand");

/**
 * confMemoryBackingFree:
 * @mb: a definition, or NULL
 *
 * Frees @mb.
 */
void
confMemoryBackingFree(confMemoryBacking *mb)
{
    size_t i;

    if (!mb)
        return;
    for (i = 0; i < mb->npages; i++)
        g_free(mb->pages[i].nodeset);
    g_free(mb->pages);
    g_free(mb);
}

/* A nodeset such as "0-3,^2,5": digits, ',', '-' and '^' only. */
static int
confNodesetCheck(xmlNodePtr node, const char *nodeset, GError **error)
{
    if (*nodeset && strspn(nodeset, "0123456789,-^") == strlen(nodeset) &&
        g_ascii_isdigit(nodeset[strlen(nodeset) - 1]))
        return 0;
    {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid nodeset '%1$s' for '%2$s/@nodeset'"),
                    nodeset, path);
    }
    return -1;
}

static int
confHugepagesParse(xmlNodePtr node, confMemoryBacking *mb, GError **error)
{
    static const char *const children[] = { "page", NULL };
    static const char *const attrs[] = { "size", "unit", "nodeset", NULL };
    xmlNodePtr cur;

    if (confXMLCheckNode(node, NULL, children, error) < 0)
        return -1;
    mb->hugepages = true;
    mb->pages = g_new0(confHugepage, confXMLChildCount(node, "page"));
    for (cur = node->children; cur; cur = cur->next) {
        confHugepage *page;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        page = &mb->pages[mb->npages++];
        if (confXMLCheckNode(cur, attrs, NULL, error) < 0 ||
            confXMLPropMemory(cur, "size", CONF_PROP_REQUIRED |
                              CONF_PROP_NONZERO, &page->size, error) < 0 ||
            confXMLPropString(cur, "nodeset", CONF_PROP_NONE,
                              &page->nodeset, error) < 0)
            return -1;
        if (page->nodeset &&
            confNodesetCheck(cur, page->nodeset, error) < 0)
            return -1;
    }
    return 0;
}

static int
confMemoryBackingChild(xmlNodePtr node, const char *name, const char *attr,
                       vgmEnumToStringFunc toString, int *value,
                       GError **error)
{
    const char *attrs[] = { attr, NULL };
    xmlNodePtr child;
    int rc = confXMLChildUnique(node, name, &child, error);

    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(child, attrs, NULL, error) < 0)
        return -1;
    if (!toString)
        return 1;
    return confXMLPropEnum(child, attr, toString,
                           CONF_PROP_REQUIRED | CONF_PROP_NONZERO, value,
                           error);
}

static int
confMemoryAllocationParse(xmlNodePtr node, confMemoryBacking *mb,
                          GError **error)
{
    static const char *const attrs[] = { "mode", "threads", NULL };
    int mode = 0;
    xmlNodePtr child;
    int rc = confXMLChildUnique(node, "allocation", &child, error);

    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(child, attrs, NULL, error) < 0 ||
        confXMLPropEnum(child, "mode", confMemoryAllocationToString,
                        CONF_PROP_NONZERO, &mode, error) < 0 ||
        confXMLPropUInt(child, "threads", 10, CONF_PROP_NONZERO,
                        &mb->threads, error) < 0)
        return -1;
    mb->allocation = mode;
    return 0;
}

/**
 * confMemoryBackingParse:
 * @node: <memoryBacking>
 * @mb: set to the new definition
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confMemoryBackingParse(xmlNodePtr node, confMemoryBacking **mb,
                       GError **error)
{
    static const char *const children[] = {
        "hugepages", "nosharepages", "locked", "source", "access",
        "allocation", "discard", NULL
    };
    g_autoptr(confMemoryBacking) def = g_new0(confMemoryBacking, 1);
    xmlNodePtr child;
    int val = 0;
    int rc;

    if (confXMLCheckNode(node, NULL, children, error) < 0)
        return -1;
    if ((rc = confXMLChildUnique(node, "hugepages", &child, error)) < 0 ||
        (rc > 0 && confHugepagesParse(child, def, error) < 0))
        return -1;
    if ((rc = confMemoryBackingChild(node, "nosharepages", NULL, NULL,
                                     NULL, error)) < 0)
        return -1;
    def->nosharepages = rc > 0;
    if ((rc = confMemoryBackingChild(node, "locked", NULL, NULL, NULL,
                                     error)) < 0)
        return -1;
    def->locked = rc > 0;
    if ((rc = confMemoryBackingChild(node, "discard", NULL, NULL, NULL,
                                     error)) < 0)
        return -1;
    def->discard = rc > 0;
    if (confMemoryBackingChild(node, "source", "type",
                               confMemorySourceToString, &val, error) < 0)
        return -1;
    def->source = val;
    val = 0;
    if (confMemoryBackingChild(node, "access", "mode",
                               confMemoryAccessToString, &val, error) < 0)
        return -1;
    def->access = val;
    if (confMemoryAllocationParse(node, def, error) < 0)
        return -1;
    *mb = g_steal_pointer(&def);
    return 0;
}

static int
confMemoryUnsupported(const char *what, const char *with, GError **error)
{
    g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("'%1$s' is not supported with '%2$s'"), what, with);
    return -1;
}

static int
confMemoryGuestMemfdValidate(const confMemoryBacking *mb, GError **error)
{
    const char *gmem = "/domain/memoryBacking/source[@type='guest-memfd']";

    if (mb->hugepages)
        return confMemoryUnsupported("/domain/memoryBacking/hugepages",
                                     gmem, error);
    if (mb->access == CONF_MEMORY_ACCESS_PRIVATE)
        return confMemoryUnsupported("/domain/memoryBacking/access[@mode='private']",
                                     gmem, error);
    if (mb->discard)
        return confMemoryUnsupported("/domain/memoryBacking/discard",
                                     gmem, error);
    return 0;
}

/**
 * confMemoryBackingValidate:
 * @def: the domain
 * @error: return location for a GError
 *
 * Refuse combinations no QEMU can run.
 *
 * Returns: 0, or -1 with @error set.
 */
int
confMemoryBackingValidate(const confDomainDef *def, GError **error)
{
    const confMemoryBacking *mb = def->memoryBacking;

    if (!mb)
        return 0;
    if (mb->source == CONF_MEMORY_SOURCE_GUEST_MEMFD &&
        confMemoryGuestMemfdValidate(mb, error) < 0)
        return -1;
    if (!mb->hugepages)
        return 0;
    if (mb->source == CONF_MEMORY_SOURCE_ANONYMOUS)
        return confMemoryUnsupported("/domain/memoryBacking/hugepages",
                                     "/domain/memoryBacking/source[@type='anonymous']",
                                     error);
    if (mb->allocation == CONF_MEMORY_ALLOCATION_ONDEMAND)
        return confMemoryUnsupported("/domain/memoryBacking/hugepages",
                                     "/domain/memoryBacking/allocation[@mode='ondemand']",
                                     error);
    return 0;
}

static void
confHugepagesFormat(confBuf *buf, const confMemoryBacking *mb)
{
    g_auto(confBuf) child = { 0 };
    size_t i;

    if (!mb->hugepages)
        return;
    confBufInitChild(&child, buf);
    for (i = 0; i < mb->npages; i++) {
        confBufAdd(&child, "<page size='%llu' unit='KiB'",
                   mb->pages[i].size);
        if (mb->pages[i].nodeset)
            confBufEscape(&child, " nodeset='%s'", mb->pages[i].nodeset);
        confBufAdd(&child, "/>\n");
    }
    if (confBufIsEmpty(&child))
        confBufAdd(buf, "<hugepages/>\n");
    else
        confXMLFormatElement(buf, "hugepages", NULL, &child);
}

/**
 * confMemoryBackingFormat:
 * @buf: the output
 * @mb: the definition, or NULL
 *
 * Appends <memoryBacking> in libvirt's child order.
 */
void
confMemoryBackingFormat(confBuf *buf, const confMemoryBacking *mb)
{
    g_auto(confBuf) child = { 0 };

    if (!mb)
        return;
    confBufInitChild(&child, buf);
    confHugepagesFormat(&child, mb);
    if (mb->nosharepages)
        confBufAdd(&child, "<nosharepages/>\n");
    if (mb->locked)
        confBufAdd(&child, "<locked/>\n");
    if (mb->source)
        confBufAdd(&child, "<source type='%s'/>\n",
                   confMemorySourceToString(mb->source));
    if (mb->access)
        confBufAdd(&child, "<access mode='%s'/>\n",
                   confMemoryAccessToString(mb->access));
    if (mb->allocation || mb->threads) {
        confBufAdd(&child, "<allocation");
        if (mb->allocation)
            confBufAdd(&child, " mode='%s'",
                       confMemoryAllocationToString(mb->allocation));
        if (mb->threads)
            confBufAdd(&child, " threads='%u'", mb->threads);
        confBufAdd(&child, "/>\n");
    }
    if (mb->discard)
        confBufAdd(&child, "<discard/>\n");
    if (confBufIsEmpty(&child))
        confBufAdd(buf, "<memoryBacking/>\n");
    else
        confXMLFormatElement(buf, "memoryBacking", NULL, &child);
}
