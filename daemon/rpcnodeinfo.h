/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "daemon/protocol/remote.h"

int rpcNodeInfoRead(const char *sysroot, const char *machine,
                    remote_node_get_info_ret *info, GError **error);
