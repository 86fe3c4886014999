/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "driver/host.h"
#include "driver/qemucaps.h"
#include "tools/validate.h"
#include "util/i18n.h"

/*
 * virt-gmem-validate: is this host ready for guest_memfd guests?  Like
 * virt-host-validate, one line per check with PASS, WARN or FAIL.
 */

typedef struct {
    gboolean json;
    gboolean caps;
    gboolean version;
    char *qemu;
} toolOptions;

static void
toolOptionsClear(toolOptions *opts)
{
    g_clear_pointer(&opts->qemu, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(toolOptions, toolOptionsClear)

static int
toolParseArgs(int *argc, char ***argv, toolOptions *opts)
{
    GOptionEntry entries[] = {
        { "json", 'j', 0, G_OPTION_ARG_NONE, &opts->json,
          N_("Print the results as a JSON array"), NULL },
        { "caps", 0, 0, G_OPTION_ARG_NONE, &opts->caps,
          N_("Print the probed capabilities (host; QEMU with --qemu) instead"), NULL },
        { "qemu", 'q', 0, G_OPTION_ARG_FILENAME, &opts->qemu,
          N_("Also check the QEMU binary PATH"), N_("PATH") },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &opts->version,
          N_("Print the version and exit"), NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) error = NULL;

    ctx = g_option_context_new(NULL);
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    g_option_context_set_summary(ctx,
        _("Check whether this host can run QEMU/KVM guests with guest_memfd memory."));
    g_option_context_set_description(ctx,
        _("Exit status: 0 when every check passes, 1 when some only warn, 2 when one fails."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, argc, argv, &error)) {
        fprintf(stderr, "%s: %s\n", g_get_prgname(), error->message);
        return -1;
    }
    if (*argc > 1) {
        fprintf(stderr, _("%1$s: unexpected argument '%2$s'\n"),
                g_get_prgname(), (*argv)[1]);
        return -1;
    }
    return 0;
}

/*
 * Probe @binary, or take its capabilities from the cache in
 * $XDG_CACHE_HOME/virtgmem (the probe starts it with -machine none).
 */
static drvQemuCaps *
toolProbeQemu(const char *binary)
{
    g_autofree char *cacheDir = g_build_filename(g_get_user_cache_dir(),
                                                 "virtgmem", NULL);
    drvQemuCapsConfig config = { .cacheDir = cacheDir };
    g_autoptr(GError) error = NULL;
    drvQemuCaps *qemu = drvQemuCapsLookup(binary, &config, NULL, &error);

    if (!qemu)
        fprintf(stderr, "%s: %s\n", g_get_prgname(), error->message);
    return qemu;
}

/* --caps: the host's key=value lines, then the QEMU summary if any. */
static void
toolPrintCaps(const drvHostCaps *host, const drvQemuCaps *qemu)
{
    g_autofree char *text = drvHostCapsFormat(host);
    g_autofree char *summary = qemu ? drvQemuCapsFormatSummary(qemu) : NULL;

    fputs(text, stdout);
    if (summary) {
        printf("qemu.binary=%s\n", drvQemuCapsGetBinary(qemu));
        fputs(summary, stdout);
    }
}

int
main(int argc, char **argv)
{
    g_auto(toolOptions) opts = { FALSE, FALSE, FALSE, NULL };
    g_autoptr(drvQemuCaps) qemu = NULL;
    g_autoptr(drvHostCaps) host = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    toolValidateCtx ctx = { NULL };
    int ret;

    vgmI18nInit();
    g_set_prgname("virt-gmem-validate");
    if (toolParseArgs(&argc, &argv, &opts) < 0)
        return TOOL_VALIDATE_EXIT_FAIL;
    if (opts.version) {
        printf("%s %s\n", g_get_prgname(), PACKAGE_VERSION);
        return 0;
    }
    if (!(host = drvHostCapsProbe(&error))) {
        fprintf(stderr, "%s: %s\n", g_get_prgname(), error->message);
        return TOOL_VALIDATE_EXIT_FAIL;
    }
    if (opts.qemu && !(qemu = toolProbeQemu(opts.qemu)))
        return TOOL_VALIDATE_EXIT_FAIL;
    if (opts.caps) {
        toolPrintCaps(host, qemu);
        return 0;
    }
    ctx.host = host;
    ctx.qemu = qemu;
    ret = toolValidateReport(&ctx, opts.json ? TOOL_VALIDATE_FORMAT_JSON :
                                               TOOL_VALIDATE_FORMAT_TEXT,
                             out);
    fputs(out->str, stdout);
    return ret;
}
