/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "qapi/schema.h"
#include "util/error.h"
#include "util/i18n.h"

struct qapiSchema {
    qapiJSON *entries;      /* the array query-qmp-schema returned */
    GHashTable *byName;     /* name -> entry (borrowed from entries) */
};

/* Commands whose arguments QEMU accepts beyond the declared members. */
static const char *const qapiSchemaOpenCommands[] = {
    "device_add",
};

/**
 * qapiSchemaFree:
 * @schema: a schema or NULL
 *
 * Frees @schema and the reply it holds.
 */
void
qapiSchemaFree(qapiSchema *schema)
{
    if (!schema)
        return;
    if (schema->byName)
        g_hash_table_unref(schema->byName);
    qapiJSONFree(schema->entries);
    g_free(schema);
}

/**
 * qapiSchemaNew:
 * @entries: the "return" value of query-qmp-schema (an array of
 *           SchemaInfo objects); taken (the pointer is cleared)
 * @error: return location for a GError
 *
 * Returns: (transfer full): the indexed schema, or NULL with @error set.
 */
qapiSchema *
qapiSchemaNew(qapiJSON **entries, GError **error)
{
    g_autoptr(qapiSchema) schema = g_new0(qapiSchema, 1);
    size_t n;
    size_t i;

    schema->entries = g_steal_pointer(entries);
    if (!schema->entries ||
        qapiJSONGetType(schema->entries) != QAPI_JSON_TYPE_ARRAY) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("the reply to 'query-qmp-schema' is not an array"));
        return NULL;
    }
    n = qapiJSONArraySize(schema->entries);
    schema->byName = g_hash_table_new(g_str_hash, g_str_equal);
    for (i = 0; i < n; i++) {
        qapiJSON *e = qapiJSONArrayGet(schema->entries, i);
        const char *name = qapiJSONObjectGetString(e, "name");

        if (!name || !qapiJSONObjectGetString(e, "meta-type")) {
            g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("entry %1$zu of QEMU's schema has no name or meta-type"), i);
            return NULL;
        }
        g_hash_table_insert(schema->byName, (char *)name, e);
    }
    return g_steal_pointer(&schema);
}

/**
 * qapiSchemaParse:
 * @text: a query-qmp-schema reply ({"return": [...]}) or the bare array
 * @error: return location for a GError
 *
 * Returns: (transfer full): the indexed schema, or NULL with @error set.
 */
qapiSchema *
qapiSchemaParse(const char *text, GError **error)
{
    g_autoptr(qapiJSON) reply = qapiJSONParse(text, error);
    g_autoptr(qapiJSON) entries = NULL;

    if (!reply)
        return NULL;
    if (qapiJSONGetType(reply) == QAPI_JSON_TYPE_OBJECT)
        entries = qapiJSONObjectSteal(reply, "return");
    else
        entries = g_steal_pointer(&reply);
    return qapiSchemaNew(&entries, error);
}

/**
 * qapiSchemaSize:
 * @schema: a schema
 *
 * Returns: the number of entities (commands, events, types).
 */
size_t
qapiSchemaSize(const qapiSchema *schema)
{
    return g_hash_table_size(schema->byName);
}

/**
 * qapiSchemaGetEntries:
 * @schema: a schema
 *
 * The reply the index was built from, so that a holder of @schema
 * needs no second copy of it (to save it in a cache, say).
 *
 * Returns: (transfer none): the array of SchemaInfo objects, as
 * query-qmp-schema returned it.
 */
const qapiJSON *
qapiSchemaGetEntries(const qapiSchema *schema)
{
    return schema->entries;
}

/**
 * qapiSchemaLookup:
 * @schema: a schema
 * @name: an entity name ("object-add", "MIGRATION", "str", "123")
 *
 * Returns: (transfer none): the SchemaInfo object, or NULL.
 */
const qapiJSON *
qapiSchemaLookup(const qapiSchema *schema, const char *name)
{
    if (!name)
        return NULL;
    return g_hash_table_lookup(schema->byName, name);
}

static const char *
qapiSchemaMetaType(const qapiJSON *entry)
{
    return qapiJSONObjectGetString(entry, "meta-type");
}

static bool
qapiSchemaIsMeta(const qapiJSON *entry, const char *meta)
{
    return g_strcmp0(qapiSchemaMetaType(entry), meta) == 0;
}

/* Looks through arrays to the element type. */
static const qapiJSON *
qapiSchemaUnwrap(const qapiSchema *schema, const qapiJSON *entry)
{
    int guard = 0;

    while (entry && qapiSchemaIsMeta(entry, "array") && guard++ < 16) {
        entry = qapiSchemaLookup(schema,
                                 qapiJSONObjectGetString(entry,
                                                         "element-type"));
    }
    return entry;
}

/* The element of @array (objects) whose @key is @value. */
static const qapiJSON *
qapiSchemaFind(const qapiJSON *array, const char *key, const char *value)
{
    size_t n = qapiJSONArraySize(array);
    size_t i;

    for (i = 0; i < n; i++) {
        const qapiJSON *e = qapiJSONArrayGet(array, i);

        if (g_strcmp0(qapiJSONObjectGetString(e, key), value) == 0)
            return e;
    }
    return NULL;
}

static bool
qapiSchemaStringInArray(const qapiJSON *array, const char *value)
{
    size_t n = qapiJSONArraySize(array);
    size_t i;

    for (i = 0; i < n; i++) {
        if (g_strcmp0(qapiJSONGetStringValue(qapiJSONArrayGet(array, i)),
                      value) == 0)
            return true;
    }
    return false;
}

static bool
qapiSchemaEnumHas(const qapiJSON *entry, const char *value)
{
    if (!qapiSchemaIsMeta(entry, "enum"))
        return false;
    /* "values" in every QEMU; "members" (with features) since 6.2 */
    return qapiSchemaStringInArray(qapiJSONObjectGet(entry, "values"), value) ||
        qapiSchemaFind(qapiJSONObjectGet(entry, "members"), "name", value);
}

static bool
qapiSchemaHasFeature(const qapiJSON *entry, const qapiJSON *member,
                     const char *feature)
{
    return qapiSchemaStringInArray(qapiJSONObjectGet(member, "features"),
                                   feature) ||
        qapiSchemaStringInArray(qapiJSONObjectGet(entry, "features"),
                                feature);
}

static bool
qapiSchemaHasType(const qapiSchema *schema, const qapiJSON *entry,
                  const char *type)
{
    entry = qapiSchemaUnwrap(schema, entry);
    if (qapiSchemaIsMeta(entry, "builtin"))
        return g_strcmp0(qapiJSONObjectGetString(entry, "json-type"),
                         type) == 0;
    return qapiSchemaIsMeta(entry, type);
}

/* A step to a named type; @member is the member it came through. */
typedef struct {
    const qapiJSON *entry;
    const qapiJSON *member;
} qapiSchemaPos;

static int qapiSchemaWalk(const qapiSchema *schema, qapiSchemaPos pos,
                          char **comps, const qapiJSON **out);

static int
qapiSchemaWalkAlternate(const qapiSchema *schema, const qapiJSON *entry,
                        char **comps, const qapiJSON **out)
{
    const qapiJSON *members = qapiJSONObjectGet(entry, "members");
    size_t i;

    for (i = 0; i < qapiJSONArraySize(members); i++) {
        const char *type =
            qapiJSONObjectGetString(qapiJSONArrayGet(members, i), "type");
        qapiSchemaPos next = { qapiSchemaLookup(schema, type), NULL };

        if (next.entry && qapiSchemaWalk(schema, next, comps, out) == 1)
            return 1;
    }
    return 0;
}

/* One step on an object, command or event; NULL when not found. */
static const qapiJSON *
qapiSchemaStep(const qapiSchema *schema, const qapiJSON *entry,
               const char *comp, const qapiJSON **member)
{
    const qapiJSON *m;

    if ((qapiSchemaIsMeta(entry, "command") ||
         qapiSchemaIsMeta(entry, "event")) &&
        (strcmp(comp, "arg-type") == 0 || strcmp(comp, "ret-type") == 0))
        return qapiSchemaLookup(schema,
                                qapiJSONObjectGetString(entry, comp));
    if (!qapiSchemaIsMeta(entry, "object"))
        return NULL;
    if (comp[0] == '+') {
        m = qapiSchemaFind(qapiJSONObjectGet(entry, "variants"), "case",
                           comp + 1);
        return m ? qapiSchemaLookup(schema,
                                    qapiJSONObjectGetString(m, "type")) : NULL;
    }
    m = qapiSchemaFind(qapiJSONObjectGet(entry, "members"), "name", comp);
    if (!m)
        return NULL;
    *member = m;
    return qapiSchemaLookup(schema, qapiJSONObjectGetString(m, "type"));
}

/* Returns 1 when @comps resolve from @pos, 0 otherwise. */
static int
qapiSchemaWalk(const qapiSchema *schema, qapiSchemaPos pos, char **comps,
               const qapiJSON **out)
{
    const char *comp = comps[0];
    const qapiJSON *entry;
    qapiSchemaPos next = { NULL, NULL };

    if (!comp) {
        *out = pos.member ? pos.member : pos.entry;
        return 1;
    }
    if (comp[0] == '$') {
        *out = pos.entry;
        return qapiSchemaHasFeature(pos.entry, pos.member, comp + 1);
    }
    if (!(entry = qapiSchemaUnwrap(schema, pos.entry)))
        return 0;
    *out = entry;
    if (comp[0] == '!' && qapiSchemaHasType(schema, entry, comp + 1))
        return 1;
    if (qapiSchemaIsMeta(entry, "alternate"))
        return qapiSchemaWalkAlternate(schema, entry, comps, out);
    if (comp[0] == '!')
        return 0;
    if (comp[0] == '^')
        return qapiSchemaEnumHas(entry, comp + 1);
    next.entry = qapiSchemaStep(schema, entry, comp, &next.member);
    if (!next.entry)
        return 0;
    return qapiSchemaWalk(schema, next, comps + 1, out);
}

static int
qapiSchemaCheckQuery(const char *query, char **comps, GError **error)
{
    size_t i;

    for (i = 0; comps[i]; i++) {
        bool last = comps[i + 1] == NULL;
        char c = comps[i][0];

        if (c == '\0' ||
            (i == 0 && strchr("+^$!", c)) ||
            (!last && strchr("^$!", c))) {
            g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("malformed QAPI schema query '%1$s'"), query);
            return -1;
        }
    }
    return 0;
}

/**
 * qapiSchemaQuery:
 * @schema: a schema
 * @query: a query path (see schema.h)
 * @entry: (out) (optional): the SchemaInfo (or member) the path ends on
 * @error: return location for a GError
 *
 * Returns: 1 when the path resolves, 0 when it does not, -1 with @error
 * set when @query is malformed (empty component, '^'/'$'/'!' not last).
 */
int
qapiSchemaQuery(const qapiSchema *schema, const char *query,
                const qapiJSON **entry, GError **error)
{
    g_auto(GStrv) comps = g_strsplit(query, "/", -1);
    qapiSchemaPos pos = { NULL, NULL };
    const qapiJSON *out = NULL;
    int rc;

    if (!comps[0] || qapiSchemaCheckQuery(query, comps, error) < 0) {
        if (!comps[0])
            g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("malformed QAPI schema query '%1$s'"), query);
        return -1;
    }
    pos.entry = qapiSchemaLookup(schema, comps[0]);
    if (!pos.entry)
        return 0;
    rc = qapiSchemaWalk(schema, pos, comps + 1, &out);
    if (rc == 1 && entry)
        *entry = out;
    return rc;
}

/**
 * qapiSchemaHas:
 * @schema: a schema
 * @query: a query path (see schema.h)
 *
 * Returns: true when @query resolves; false when it does not or is
 * malformed (with a g_debug).
 */
bool
qapiSchemaHas(const qapiSchema *schema, const char *query)
{
    g_autoptr(GError) error = NULL;
    int rc = qapiSchemaQuery(schema, query, NULL, &error);

    if (rc < 0)
        g_debug("%s", error->message);
    return rc == 1;
}


/* ---- validation of command arguments ---- */

static int qapiSchemaCheckValue(const qapiSchema *schema, const char *type,
                                const qapiJSON *value, const char *path,
                                GError **error);

static bool
qapiSchemaBuiltinMatches(const char *jsonType, const qapiJSON *value)
{
    qapiJSONType t = qapiJSONGetType(value);
    gint64 i;
    guint64 u;

    if (g_strcmp0(jsonType, "value") == 0)
        return true;
    if (g_strcmp0(jsonType, "string") == 0)
        return t == QAPI_JSON_TYPE_STRING;
    if (g_strcmp0(jsonType, "boolean") == 0)
        return t == QAPI_JSON_TYPE_BOOL;
    if (g_strcmp0(jsonType, "null") == 0)
        return t == QAPI_JSON_TYPE_NULL;
    if (g_strcmp0(jsonType, "number") == 0)
        return t == QAPI_JSON_TYPE_NUMBER;
    if (g_strcmp0(jsonType, "int") == 0)
        return qapiJSONGetInt64Value(value, &i) ||
            qapiJSONGetUInt64Value(value, &u);
    return false;
}

static int
qapiSchemaTypeError(const char *path, const char *want, GError **error)
{
    g_set_error(error, QAPI_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("'%1$s' must be of JSON type '%2$s' for this QEMU"), path, want);
    return -1;
}

/* Adds the members of @entry and of the branch @obj selects. */
static void
qapiSchemaCollectMembers(const qapiSchema *schema, const qapiJSON *entry,
                         const qapiJSON *obj, GPtrArray *members)
{
    const qapiJSON *list = qapiJSONObjectGet(entry, "members");
    const char *tag = qapiJSONObjectGetString(entry, "tag");
    const qapiJSON *variant;
    size_t i;

    for (i = 0; i < qapiJSONArraySize(list); i++)
        g_ptr_array_add(members, qapiJSONArrayGet(list, i));
    if (!tag)
        return;
    variant = qapiSchemaFind(qapiJSONObjectGet(entry, "variants"), "case",
                             qapiJSONObjectGetString(obj, tag));
    if (variant) {
        entry = qapiSchemaLookup(schema,
                                 qapiJSONObjectGetString(variant, "type"));
        if (entry)
            qapiSchemaCollectMembers(schema, entry, obj, members);
    }
}

static const qapiJSON *
qapiSchemaFindMember(GPtrArray *members, const char *name)
{
    size_t i;

    for (i = 0; i < members->len; i++) {
        if (g_strcmp0(qapiJSONObjectGetString(members->pdata[i], "name"),
                      name) == 0)
            return members->pdata[i];
    }
    return NULL;
}

static int
qapiSchemaCheckMissing(GPtrArray *members, const qapiJSON *obj,
                       const char *path, GError **error)
{
    size_t i;

    for (i = 0; i < members->len; i++) {
        const qapiJSON *m = members->pdata[i];
        const char *name = qapiJSONObjectGetString(m, "name");

        if (qapiJSONObjectHas(m, "default") || qapiJSONObjectHas(obj, name))
            continue;
        g_set_error(error, QAPI_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("'%1$s' lacks the mandatory member '%2$s'"), path, name);
        return -1;
    }
    return 0;
}

static int
qapiSchemaCheckObject(const qapiSchema *schema, const qapiJSON *entry,
                      const qapiJSON *obj, const char *path, bool open,
                      GError **error)
{
    g_autoptr(GPtrArray) members = g_ptr_array_new();
    size_t i;

    if (qapiJSONGetType(obj) != QAPI_JSON_TYPE_OBJECT)
        return qapiSchemaTypeError(path, "object", error);
    qapiSchemaCollectMembers(schema, entry, obj, members);
    for (i = 0; i < qapiJSONObjectSize(obj); i++) {
        const char *key = qapiJSONObjectKeyAt(obj, i);
        const qapiJSON *m = qapiSchemaFindMember(members, key);
        g_autofree char *sub = g_strdup_printf("%s/%s", path, key);

        if (!m) {
            if (open)
                continue;
            g_set_error(error, QAPI_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU does not know the member '%1$s' of '%2$s'"),
                        key, path);
            return -1;
        }
        if (qapiSchemaCheckValue(schema, qapiJSONObjectGetString(m, "type"),
                                 qapiJSONObjectValueAt(obj, i), sub,
                                 error) < 0)
            return -1;
    }
    return qapiSchemaCheckMissing(members, obj, path, error);
}

static int
qapiSchemaCheckArray(const qapiSchema *schema, const qapiJSON *entry,
                     const qapiJSON *value, const char *path, GError **error)
{
    const char *elem = qapiJSONObjectGetString(entry, "element-type");
    size_t i;

    if (qapiJSONGetType(value) != QAPI_JSON_TYPE_ARRAY)
        return qapiSchemaTypeError(path, "array", error);
    for (i = 0; i < qapiJSONArraySize(value); i++) {
        g_autofree char *sub = g_strdup_printf("%s/%zu", path, i);

        if (qapiSchemaCheckValue(schema, elem, qapiJSONArrayGet(value, i),
                                 sub, error) < 0)
            return -1;
    }
    return 0;
}

static int
qapiSchemaCheckAlternate(const qapiSchema *schema, const qapiJSON *entry,
                         const qapiJSON *value, const char *path,
                         GError **error)
{
    const qapiJSON *members = qapiJSONObjectGet(entry, "members");
    size_t i;

    for (i = 0; i < qapiJSONArraySize(members); i++) {
        const char *type =
            qapiJSONObjectGetString(qapiJSONArrayGet(members, i), "type");

        if (qapiSchemaCheckValue(schema, type, value, path, NULL) == 0)
            return 0;
    }
    g_set_error(error, QAPI_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("'%1$s' matches none of the types this QEMU accepts there"),
                path);
    return -1;
}

static int
qapiSchemaCheckValue(const qapiSchema *schema, const char *type,
                     const qapiJSON *value, const char *path, GError **error)
{
    const qapiJSON *entry = qapiSchemaLookup(schema, type);
    const char *meta = qapiSchemaMetaType(entry);
    const char *jsonType = qapiJSONObjectGetString(entry, "json-type");

    if (!entry) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("QEMU's schema has no type '%1$s' (used at '%2$s')"),
                    type ? type : "", path);
        return -1;
    }
    if (strcmp(meta, "builtin") == 0) {
        if (!qapiSchemaBuiltinMatches(jsonType, value))
            return qapiSchemaTypeError(path, jsonType, error);
        return 0;
    }
    if (strcmp(meta, "enum") == 0) {
        const char *str = qapiJSONGetStringValue(value);

        if (!str)
            return qapiSchemaTypeError(path, "string", error);
        if (!qapiSchemaEnumHas(entry, str)) {
            g_set_error(error, QAPI_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU does not support the value '%1$s' of '%2$s'"),
                        str, path);
            return -1;
        }
        return 0;
    }
    if (strcmp(meta, "array") == 0)
        return qapiSchemaCheckArray(schema, entry, value, path, error);
    if (strcmp(meta, "alternate") == 0)
        return qapiSchemaCheckAlternate(schema, entry, value, path, error);
    return qapiSchemaCheckObject(schema, entry, value, path, false, error);
}

/**
 * qapiSchemaValidateArgs:
 * @schema: a schema
 * @command: a command name ("object-add")
 * @args: (nullable): its "arguments" (NULL: none)
 * @error: return location for a GError
 *
 * Checks @args against the command's arg-type: every member must be
 * known (unions are followed through their tag, so object-add checks the
 * properties of the qom-type given), of the right JSON type and enum
 * value, and every mandatory member present.  device_add only checks
 * the members it declares: QEMU passes the others to the device.
 *
 * Returns: 0, or -1 with @error set naming the offending member.
 */
int
qapiSchemaValidateArgs(const qapiSchema *schema, const char *command,
                       const qapiJSON *args, GError **error)
{
    const qapiJSON *cmd = qapiSchemaLookup(schema, command);
    g_autoptr(qapiJSON) empty = NULL;
    const qapiJSON *argType;
    bool open = false;
    size_t i;

    if (!qapiSchemaIsMeta(cmd, "command")) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                    _("this QEMU has no command '%1$s'"), command);
        return -1;
    }
    if (!args)
        args = empty = qapiJSONNewObject();
    argType = qapiSchemaLookup(schema,
                               qapiJSONObjectGetString(cmd, "arg-type"));
    for (i = 0; i < G_N_ELEMENTS(qapiSchemaOpenCommands); i++)
        open |= strcmp(command, qapiSchemaOpenCommands[i]) == 0;
    if (!argType || !qapiSchemaIsMeta(argType, "object")) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("QEMU's schema has no arguments type for '%1$s'"),
                    command);
        return -1;
    }
    return qapiSchemaCheckObject(schema, argType, args, command, open, error);
}
