/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifndef VGM_VALIDATEPRIV_H_ALLOW
# error "tools/validatepriv.h is only for tools/validate*.c"
#endif

#include "tools/validate.h"

/* What one check found; shared by tools/validate.c and validateqemu.c. */
typedef struct {
    toolValidateResult result;
    char *reason;      /* NULL for PASS */
    const char *hint;  /* translated; NULL for PASS */
} toolCheckOutcome;

void toolCheckSet(toolCheckOutcome *out, toolValidateResult result,
                  const char *hint, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* The checks of a QEMU binary (tools/validateqemu.c); need ctx->qemu. */
void toolCheckQemuGmem(const toolValidateCtx *ctx, toolCheckOutcome *out);
void toolCheckQemuConvertInPlace(const toolValidateCtx *ctx,
                                 toolCheckOutcome *out);
void toolCheckQemuSevSnp(const toolValidateCtx *ctx, toolCheckOutcome *out);
void toolCheckQemuTdx(const toolValidateCtx *ctx, toolCheckOutcome *out);
void toolCheckQemuIommufd(const toolValidateCtx *ctx, toolCheckOutcome *out);
void toolCheckQemuRamBlockAttrs(const toolValidateCtx *ctx,
                                toolCheckOutcome *out);
void toolCheckQemuTrace(const toolValidateCtx *ctx, toolCheckOutcome *out);
void toolCheckQemuPostcopy(const toolValidateCtx *ctx, toolCheckOutcome *out);
