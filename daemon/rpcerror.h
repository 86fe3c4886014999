/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "daemon/protocol/remote.h"

GBytes *rpcErrorReply(const rpc_message_header *call, const GError *err);
