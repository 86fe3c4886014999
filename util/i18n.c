/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <locale.h>

#include "util/i18n.h"

/**
 * vgmI18nInit:
 *
 * Set the locale from the environment and bind our message catalogue.
 * Every program's main() calls this first.
 */
void
vgmI18nInit(void)
{
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
}
