/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <string.h>

#include "conf/schema.h"
#include "util/error.h"
#include "util/i18n.h"

/**
 * confSchemaPath:
 * @name: a schema file name ("domain.rng")
 *
 * Returns: (transfer full): the installed schema, or the source tree's
 * when it is not installed.
 */
char *
confSchemaPath(const char *name)
{
    g_autofree char *installed = g_build_filename(PKGDATADIR, "schemas", name,
                                                  NULL);

    if (g_file_test(installed, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&installed);
    return g_build_filename(VGM_SOURCE_ROOT, "conf", "schemas", name, NULL);
}

/* Collect libxml2's messages, one line each. */
static void
confSchemaError(void *data, const xmlError *err)
{
    GString *msgs = data;
    g_autofree char *text = g_strdup(err->message ? err->message : "?");

    if (msgs->len)
        g_string_append(msgs, "; ");
    if (err->line > 0)
        g_string_append_printf(msgs, "line %d: ", err->line);
    g_string_append(msgs, g_strchomp(text));
}

static xmlRelaxNGPtr
confSchemaLoad(const char *path, GError **error)
{
    xmlRelaxNGParserCtxtPtr ctxt = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr schema = NULL;

    if (ctxt) {
        xmlRelaxNGSetParserStructuredErrors(ctxt, NULL, NULL);
        schema = xmlRelaxNGParse(ctxt);
        xmlRelaxNGFreeParserCtxt(ctxt);
    }
    if (!schema)
        g_set_error(error, CONF_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot load the schema '%1$s'"), path);
    return schema;
}

static int
confSchemaCheck(xmlRelaxNGPtr schema, xmlDocPtr doc, const char *path,
                GError **error)
{
    xmlRelaxNGValidCtxtPtr ctxt = xmlRelaxNGNewValidCtxt(schema);
    g_autoptr(GString) msgs = g_string_new(NULL);
    int rc;

    xmlRelaxNGSetValidStructuredErrors(ctxt,
                                       (xmlStructuredErrorFunc)confSchemaError,
                                       msgs);
    rc = xmlRelaxNGValidateDoc(ctxt, doc);
    xmlRelaxNGFreeValidCtxt(ctxt);
    if (rc == 0)
        return 0;
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_INVALID_SCHEMA,
                _("XML document failed to validate against schema '%1$s': %2$s"),
                path, msgs->len ? msgs->str : "?");
    return -1;
}

/**
 * confSchemaValidate:
 * @xml: a document
 * @name: the schema file ("domain.rng")
 * @error: return location for a GError
 *
 * Returns: 0 when @xml matches the schema, or -1 with @error set
 * (VIR_ERR_XML_ERROR when it is not XML at all, VIR_ERR_XML_INVALID_SCHEMA
 * when it does not match).
 */
int
confSchemaValidate(const char *xml, const char *name, GError **error)
{
    g_autofree char *path = confSchemaPath(name);
    xmlRelaxNGPtr schema = NULL;
    xmlDocPtr doc;
    int rc = -1;

    doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                        XML_PARSE_NOWARNING);
    if (!doc) {
        g_set_error_literal(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                            _("the definition is not well-formed XML"));
        return -1;
    }
    if ((schema = confSchemaLoad(path, error)))
        rc = confSchemaCheck(schema, doc, path, error);
    xmlRelaxNGFree(schema);
    xmlFreeDoc(doc);
    return rc;
}
