/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "conf/domain.h"
#include "util/i18n.h"

/*
 * virt-gmem-xml: check and normalise domain XML with the daemon's own
 * parser and validator (not only the schema).
 *
 *   virt-gmem-xml validate FILE...   exit 0 when every file is valid
 *   virt-gmem-xml format FILE        print the XML as 'virsh dumpxml
 *                                    --inactive' will show it once defined
 */

static int
toolValidate(char **files)
{
    int ret = 0;

    for (; *files; files++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(confDomainDef) def =
            confDomainDefParseFile(*files, NULL, 0, &error);

        if (!def) {
            g_printerr(_("%1$s: invalid: %2$s\n"), *files, error->message);
            ret = 1;
            continue;
        }
        g_print(_("%1$s: valid\n"), *files);
    }
    return ret;
}

static int
toolFormat(const char *file)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def =
        confDomainDefParseFile(file, NULL, 0, &error);
    g_autofree char *xml = NULL;

    if (!def) {
        g_printerr(_("%1$s: invalid: %2$s\n"), file, error->message);
        return 1;
    }
    xml = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE);
    fputs(xml, stdout);
    return 0;
}

static void
toolUsage(FILE *out)
{
    fprintf(out, "%s",
            _("Usage: virt-gmem-xml validate FILE...\n"
              "       virt-gmem-xml format FILE\n"
              "\n"
              "validate  check each domain XML file with the full parser and validator;\n"
              "          exit status 0 when all are valid, 1 otherwise\n"
              "format    print the normalised XML, as 'virsh dumpxml --inactive'\n"
              "          shows the domain once it is defined\n"));
}

int
main(int argc, char **argv)
{
    vgmI18nInit();

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                      strcmp(argv[1], "-h") == 0)) {
        toolUsage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("virt-gmem-xml %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "validate") == 0)
        return toolValidate(argv + 2);
    if (argc == 3 && strcmp(argv[1], "format") == 0)
        return toolFormat(argv[2]);
    toolUsage(stderr);
    return 2;
}
