/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* _() marks a user-facing message; N_() marks one translated later. */
#include <glib/gi18n-lib.h>

void vgmI18nInit(void);
