/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver/host.h"
#include "driver/qemucaps.h"
#include "util/enum.h"

/*
 * The checks of virt-gmem-validate, as a library so tests can run them
 * on a faked host.
 */

typedef enum {
    TOOL_VALIDATE_PASS,
    TOOL_VALIDATE_WARN,
    TOOL_VALIDATE_FAIL,

    TOOL_VALIDATE_LAST
} toolValidateResult;

VGM_ENUM_DECL(toolValidateResult);

/*
 * What the checks look at: the host, and optionally a QEMU binary
 * (--qemu); without @qemu the QEMU binary checks are left out.
 */
typedef struct {
    const drvHostCaps *host;
    const drvQemuCaps *qemu;
} toolValidateCtx;

typedef enum {
    TOOL_VALIDATE_FORMAT_TEXT,
    TOOL_VALIDATE_FORMAT_JSON,
} toolValidateFormat;

/* The exit statuses: the worst result of all checks. */
#define TOOL_VALIDATE_EXIT_PASS 0
#define TOOL_VALIDATE_EXIT_WARN 1
#define TOOL_VALIDATE_EXIT_FAIL 2

int toolValidateReport(const toolValidateCtx *ctx, toolValidateFormat format,
                       GString *out);
