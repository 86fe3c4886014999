/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/*
 * Validation of a document against the RNG schemas shipped with
 * virtgmem (virDomainDefineXMLFlags with VIR_DOMAIN_DEFINE_VALIDATE):
 * the installed copy in PKGDATADIR/schemas, or the source tree's when
 * running from a build directory.
 */

char *confSchemaPath(const char *name);
int confSchemaValidate(const char *xml, const char *name, GError **error);
