/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "conf/domain.h"

/*
 * libFuzzer target: any byte string through the domain parser, and what
 * parses through format -> parse -> format, which must be stable.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = g_strndup((const char *)data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(confDomainDef) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    if (!(def = confDomainDefParseString(xml, NULL, 0, &error)))
        return 0;
    out = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE);
    again = confDomainDefParseString(out, NULL, 0, &error);
    /* abort(), not g_error(): libFuzzer saves the input on SIGABRT */
    if (!again) {
        fprintf(stderr, "formatted XML does not parse again: %s\n%s",
                error->message, out);
        abort();
    }
    out2 = confDomainDefFormat(again, VIR_DOMAIN_XML_INACTIVE);
    if (strcmp(out, out2) != 0) {
        fprintf(stderr, "format is not stable:\n%s\n---\n%s", out, out2);
        abort();
    }
    return 0;
}
