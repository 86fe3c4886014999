/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qapi/json.h"

/*
 * QEMU's QAPI schema as returned by query-qmp-schema, indexed by name.
 *
 * Query paths ask whether something exists; components are separated by
 * '/':
 *   NAME          the first component: a command, event or type name
 *   arg-type      on a command or event: its arguments type
 *   ret-type      on a command: its return type
 *   member        on an object: the member's type (an optional member is
 *                 named without '*', as in the schema's reply)
 *   +case         on an object with variants (a union): that branch
 *   ^value        on an enum: the value exists (last component)
 *   $feature      the current member or type has the feature (last)
 *   !json-type    the current type is a builtin of that JSON type
 *                 ("string", "int", "number", "boolean", "null",
 *                 "value") or has that meta-type ("enum", …) (last)
 * Arrays are looked through to their element type; on an alternate
 * every branch is tried.
 *
 *   object-add/arg-type/+memory-backend-memfd/hugetlb
 *   migrate-set-capabilities/arg-type/capabilities/capability/^switchover-ack
 *   object-add/arg-type/+tdx-guest/$confidential-guest-reset
 */

typedef struct qapiSchema qapiSchema;

qapiSchema *qapiSchemaNew(qapiJSON **entries, GError **error);
qapiSchema *qapiSchemaParse(const char *text, GError **error);
void qapiSchemaFree(qapiSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qapiSchema, qapiSchemaFree);

size_t qapiSchemaSize(const qapiSchema *schema);
const qapiJSON *qapiSchemaGetEntries(const qapiSchema *schema);
const qapiJSON *qapiSchemaLookup(const qapiSchema *schema, const char *name);
int qapiSchemaQuery(const qapiSchema *schema, const char *query,
                    const qapiJSON **entry, GError **error);
bool qapiSchemaHas(const qapiSchema *schema, const char *query);

int qapiSchemaValidateArgs(const qapiSchema *schema, const char *command,
                           const qapiJSON *args, GError **error);
