/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdio.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "tests/testutils.h"

/*
 * Every *.xml under tests/data/xml2xml (inputs and expected outputs) and
 * tests/data/xml2argv (inputs) must be valid against
 * conf/schemas/domain.rng.
 */

static xmlRelaxNGPtr testSchema;

static xmlRelaxNGPtr
testSchemaLoad(void)
{
    g_autofree char *path = g_build_filename(VGM_SOURCE_ROOT, "conf",
                                             "schemas", "domain.rng", NULL);

    return vgmTestRelaxNGParse(path);
}

static void
testSchemaValidate(gconstpointer data)
{
    const char *rel = data;
    g_autofree char *path = vgmTestDataPath(rel);
    xmlDocPtr doc;
    int rc;

    if (!testSchema) {
        VGM_TEST_FAIL("cannot load conf/schemas/domain.rng");
        return;
    }
    if (!(doc = xmlReadFile(path, NULL, XML_PARSE_NONET))) {
        VGM_TEST_FAIL("cannot parse %s", path);
        return;
    }
    rc = vgmTestRelaxNGValidate(testSchema, doc);
    xmlFreeDoc(doc);
    if (rc != 0)
        VGM_TEST_FAIL("%s does not match conf/schemas/domain.rng", rel);
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    testSchema = testSchemaLoad();
    vgmTestAddXMLFiles("schema", "xml2xml", testSchemaValidate);
    vgmTestAddXMLFiles("schema", "xml2argv", testSchemaValidate);
    vgmTestAddUnusedCheck("xml2xml");
    ret = g_test_run();
    xmlRelaxNGFree(testSchema);
    return ret;
}
