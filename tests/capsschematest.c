/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>

#include "driver/domcaps.h"
#include "tests/testutils.h"

/*
 * The golden <capabilities> and <domainCapabilities> documents
 * (tests/data/capabilities, tests/data/domcaps) against the schemas of
 * the installed libvirt ($VGM_TEST_LIBVIRT_SCHEMAS or
 * /usr/share/libvirt/schemas; skipped without them): a check that our
 * output is libvirt's format.  Debian 12's libvirt 9.0 predates a few
 * things we print, which are taken out before validating:
 * <features><tdx> (libvirt 11.6) and <launchSecurity> (10.5), the
 * uri_transport 'unix', and our own namespaced <virtgmem:guestMemfd>.
 */

static char *
testSchemaPath(const char *name)
{
    const char *dir = g_getenv("VGM_TEST_LIBVIRT_SCHEMAS");

    return g_build_filename(dir ? dir : "/usr/share/libvirt/schemas", name,
                            NULL);
}

/* Whether libvirt 9.0's schema cannot know @node. */
static bool
testIsNewer(xmlNodePtr node)
{
    const char *parent = node->parent ? (const char *)node->parent->name : "";
    g_autofree char *text = NULL;

    if (node->ns && node->ns->href &&
        strcmp((const char *)node->ns->href, DRV_DOMCAPS_NAMESPACE) == 0)
        return true;
    if (strcmp(parent, "features") == 0 &&
        (xmlStrEqual(node->name, BAD_CAST "tdx") ||
         xmlStrEqual(node->name, BAD_CAST "launchSecurity")))
        return true;
    if (!xmlStrEqual(node->name, BAD_CAST "uri_transport"))
        return false;
    text = (char *)xmlNodeGetContent(node);
    return g_strcmp0(text, "unix") == 0;
}

static void
testStripNewer(xmlNodePtr node)
{
    xmlNodePtr cur = node->children;

    while (cur) {
        xmlNodePtr next = cur->next;

        if (cur->type == XML_ELEMENT_NODE && testIsNewer(cur)) {
            xmlUnlinkNode(cur);
            xmlFreeNode(cur);
        } else if (cur->type == XML_ELEMENT_NODE) {
            testStripNewer(cur);
        }
        cur = next;
    }
}

static int
testValidate(const char *rngPath, xmlDocPtr doc)
{
    xmlRelaxNGPtr schema = vgmTestRelaxNGParse(rngPath);
    int rc;

    if (!schema)
        return -1;
    rc = vgmTestRelaxNGValidate(schema, doc);
    xmlRelaxNGFree(schema);
    return rc;
}

static void
testSchemaCase(gconstpointer data)
{
    const char *rel = data;
    g_autofree char *path = vgmTestDataPath(rel);
    g_autofree char *rng = testSchemaPath(g_str_has_prefix(rel, "domcaps/") ?
                                          "domaincaps.rng" : "capability.rng");
    xmlDocPtr doc;

    if (!g_file_test(rng, G_FILE_TEST_EXISTS)) {
        g_test_skip("no libvirt schemas installed");
        return;
    }
    if (!(doc = xmlReadFile(path, NULL, XML_PARSE_NONET))) {
        VGM_TEST_FAIL("cannot parse %s", path);
        return;
    }
    testStripNewer(xmlDocGetRootElement(doc));
    if (testValidate(rng, doc) != 0)
        VGM_TEST_FAIL("%s does not match %s", rel, rng);
    xmlFreeDoc(doc);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    vgmTestAddXMLFiles("capsschema", "capabilities", testSchemaCase);
    vgmTestAddXMLFiles("capsschema", "domcaps", testSchemaCase);
    return g_test_run();
}
