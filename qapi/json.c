/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "qapi/json.h"
#include "util/enum.h"
#include "util/error.h"
#include "util/i18n.h"

struct qapiJSON {
    qapiJSONType type;
    union {
        bool b;
        char *str;          /* STRING, and NUMBER as written */
        GPtrArray *items;   /* ARRAY: qapiJSON * */
        struct {
            GPtrArray *keys;    /* char * */
            GPtrArray *values;  /* qapiJSON *, same index */
        } obj;
    } u;
};

static qapiJSON *
qapiJSONNew(qapiJSONType type)
{
    qapiJSON *v = g_new0(qapiJSON, 1);

    v->type = type;
    return v;
}

/**
 * qapiJSONFree:
 * @value: a value or NULL
 *
 * Frees @value and everything it holds.
 */
void
qapiJSONFree(qapiJSON *value)
{
    if (!value)
        return;
    switch (value->type) {
    case QAPI_JSON_TYPE_STRING:
    case QAPI_JSON_TYPE_NUMBER:
        g_free(value->u.str);
        break;
    case QAPI_JSON_TYPE_ARRAY:
        g_ptr_array_unref(value->u.items);
        break;
    case QAPI_JSON_TYPE_OBJECT:
        g_ptr_array_unref(value->u.obj.keys);
        g_ptr_array_unref(value->u.obj.values);
        break;
    case QAPI_JSON_TYPE_NULL:
    case QAPI_JSON_TYPE_BOOL:
        break;
    }
    g_free(value);
}

/**
 * qapiJSONNewNull:
 *
 * Returns: (transfer full): a new null value.
 */
qapiJSON *
qapiJSONNewNull(void)
{
    return qapiJSONNew(QAPI_JSON_TYPE_NULL);
}

/**
 * qapiJSONNewBool:
 * @value: the boolean
 *
 * Returns: (transfer full): a new boolean.
 */
qapiJSON *
qapiJSONNewBool(bool value)
{
    qapiJSON *v = qapiJSONNew(QAPI_JSON_TYPE_BOOL);

    v->u.b = value;
    return v;
}

static qapiJSON *
qapiJSONNewNumberTake(char *text)
{
    qapiJSON *v = qapiJSONNew(QAPI_JSON_TYPE_NUMBER);

    v->u.str = text;
    return v;
}

/**
 * qapiJSONNewInt64:
 * @value: the number
 *
 * Returns: (transfer full): a new integer number.
 */
qapiJSON *
qapiJSONNewInt64(gint64 value)
{
    return qapiJSONNewNumberTake(g_strdup_printf("%" G_GINT64_FORMAT, value));
}

/**
 * qapiJSONNewUInt64:
 * @value: the number
 *
 * Returns: (transfer full): a new unsigned number (kept exact above
 * INT64_MAX).
 */
qapiJSON *
qapiJSONNewUInt64(guint64 value)
{
    return qapiJSONNewNumberTake(g_strdup_printf("%" G_GUINT64_FORMAT, value));
}

/**
 * qapiJSONNewDouble:
 * @value: a number
 *
 * Returns: a number written so that it reads back as the same double
 * (always with a '.' or an exponent), or null when @value is not finite
 * (JSON has no NaN or infinity).
 */
qapiJSON *
qapiJSONNewDouble(double value)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    if (!isfinite(value))
        return qapiJSONNewNull();
    g_ascii_dtostr(buf, sizeof(buf), value);
    if (!strpbrk(buf, ".eE"))
        return qapiJSONNewNumberTake(g_strconcat(buf, ".0", NULL));
    return qapiJSONNewNumberTake(g_strdup(buf));
}

/**
 * qapiJSONNewString:
 * @value: UTF-8 text (NULL is taken as "")
 *
 * Returns: (transfer full): a new string (a copy of @value).
 */
qapiJSON *
qapiJSONNewString(const char *value)
{
    qapiJSON *v = qapiJSONNew(QAPI_JSON_TYPE_STRING);

    v->u.str = g_strdup(value ? value : "");
    return v;
}

/**
 * qapiJSONNewArray:
 *
 * Returns: (transfer full): a new empty array.
 */
qapiJSON *
qapiJSONNewArray(void)
{
    qapiJSON *v = qapiJSONNew(QAPI_JSON_TYPE_ARRAY);

    v->u.items = g_ptr_array_new_with_free_func((GDestroyNotify)qapiJSONFree);
    return v;
}

/**
 * qapiJSONNewObject:
 *
 * Returns: (transfer full): a new empty object.
 */
qapiJSON *
qapiJSONNewObject(void)
{
    qapiJSON *v = qapiJSONNew(QAPI_JSON_TYPE_OBJECT);

    v->u.obj.keys = g_ptr_array_new_with_free_func(g_free);
    v->u.obj.values =
        g_ptr_array_new_with_free_func((GDestroyNotify)qapiJSONFree);
    return v;
}

/**
 * qapiJSONCopy:
 * @value: a value or NULL
 *
 * Returns: a deep copy of @value (NULL for NULL).
 */
qapiJSON *
qapiJSONCopy(const qapiJSON *value)
{
    qapiJSON *copy;
    size_t i;

    if (!value)
        return NULL;
    switch (value->type) {
    case QAPI_JSON_TYPE_NULL:
        return qapiJSONNewNull();
    case QAPI_JSON_TYPE_BOOL:
        return qapiJSONNewBool(value->u.b);
    case QAPI_JSON_TYPE_NUMBER:
        return qapiJSONNewNumberTake(g_strdup(value->u.str));
    case QAPI_JSON_TYPE_STRING:
        return qapiJSONNewString(value->u.str);
    case QAPI_JSON_TYPE_ARRAY:
        copy = qapiJSONNewArray();
        for (i = 0; i < value->u.items->len; i++)
            qapiJSONArrayAppend(copy, qapiJSONCopy(value->u.items->pdata[i]));
        return copy;
    case QAPI_JSON_TYPE_OBJECT:
        copy = qapiJSONNewObject();
        for (i = 0; i < value->u.obj.keys->len; i++) {
            g_ptr_array_add(copy->u.obj.keys,
                            g_strdup(value->u.obj.keys->pdata[i]));
            g_ptr_array_add(copy->u.obj.values,
                            qapiJSONCopy(value->u.obj.values->pdata[i]));
        }
        return copy;
    }
    return NULL;
}

static bool
qapiJSONNumberEqual(const qapiJSON *a, const qapiJSON *b)
{
    gint64 ia;
    gint64 ib;
    guint64 ua;
    guint64 ub;
    double da;
    double db;

    if (strcmp(a->u.str, b->u.str) == 0)
        return true;
    if (qapiJSONGetInt64Value(a, &ia) && qapiJSONGetInt64Value(b, &ib))
        return ia == ib;
    if (qapiJSONGetUInt64Value(a, &ua) && qapiJSONGetUInt64Value(b, &ub))
        return ua == ub;
    return qapiJSONGetDoubleValue(a, &da) && qapiJSONGetDoubleValue(b, &db) &&
        da == db;
}

static bool
qapiJSONObjectEqual(const qapiJSON *a, const qapiJSON *b)
{
    size_t i;

    if (a->u.obj.keys->len != b->u.obj.keys->len)
        return false;
    for (i = 0; i < a->u.obj.keys->len; i++) {
        const qapiJSON *other = qapiJSONObjectGet(b, a->u.obj.keys->pdata[i]);

        if (!other || !qapiJSONEqual(a->u.obj.values->pdata[i], other))
            return false;
    }
    return true;
}

/**
 * qapiJSONEqual:
 * @a: a value or NULL
 * @b: a value or NULL
 *
 * Compares two values; object member order does not matter and numbers
 * compare by value.
 *
 * Returns: true when equal.
 */
bool
qapiJSONEqual(const qapiJSON *a, const qapiJSON *b)
{
    size_t i;

    if (!a || !b)
        return a == b;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case QAPI_JSON_TYPE_NULL:
        return true;
    case QAPI_JSON_TYPE_BOOL:
        return a->u.b == b->u.b;
    case QAPI_JSON_TYPE_NUMBER:
        return qapiJSONNumberEqual(a, b);
    case QAPI_JSON_TYPE_STRING:
        return strcmp(a->u.str, b->u.str) == 0;
    case QAPI_JSON_TYPE_ARRAY:
        if (a->u.items->len != b->u.items->len)
            return false;
        for (i = 0; i < a->u.items->len; i++) {
            if (!qapiJSONEqual(a->u.items->pdata[i], b->u.items->pdata[i]))
                return false;
        }
        return true;
    case QAPI_JSON_TYPE_OBJECT:
        return qapiJSONObjectEqual(a, b);
    }
    return false;
}

/**
 * qapiJSONGetType:
 * @value: a value
 *
 * Returns: the type of @value.
 */
qapiJSONType
qapiJSONGetType(const qapiJSON *value)
{
    return value->type;
}

/**
 * qapiJSONTypeToString:
 * @type: a value type
 *
 * Returns: the JSON name of @type ("null", "boolean", "number", "string",
 * "array", "object"), for messages.
 */
const char *
qapiJSONTypeToString(qapiJSONType type)
{
    static const char *const names[] = {
        "null", "boolean", "number", "string", "array", "object",
    };

    if (type >= G_N_ELEMENTS(names))
        return "?";
    return names[type];
}

/**
 * qapiJSONGetBoolValue:
 * @value: a value or NULL
 * @out: where to store the boolean
 *
 * Returns: true when @value is a boolean.
 */
bool
qapiJSONGetBoolValue(const qapiJSON *value, bool *out)
{
    if (!value || value->type != QAPI_JSON_TYPE_BOOL)
        return false;
    *out = value->u.b;
    return true;
}

static bool
qapiJSONNumberIsIntegral(const qapiJSON *value)
{
    return value && value->type == QAPI_JSON_TYPE_NUMBER &&
        !strpbrk(value->u.str, ".eE");
}

/**
 * qapiJSONGetInt64Value:
 * @value: a value or NULL
 * @out: where to store the number
 *
 * Returns: true when @value is an integer that fits in gint64.
 */
bool
qapiJSONGetInt64Value(const qapiJSON *value, gint64 *out)
{
    char *end = NULL;
    gint64 n;

    if (!qapiJSONNumberIsIntegral(value))
        return false;
    errno = 0;
    n = g_ascii_strtoll(value->u.str, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = n;
    return true;
}

/**
 * qapiJSONGetUInt64Value:
 * @value: a value or NULL
 * @out: where to store the number
 *
 * Returns: true when @value is a non-negative integer that fits in
 * guint64 (up to 18446744073709551615).
 */
bool
qapiJSONGetUInt64Value(const qapiJSON *value, guint64 *out)
{
    char *end = NULL;
    guint64 n;

    if (!qapiJSONNumberIsIntegral(value) || value->u.str[0] == '-')
        return false;
    errno = 0;
    n = g_ascii_strtoull(value->u.str, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = n;
    return true;
}

/**
 * qapiJSONGetDoubleValue:
 * @value: a value or NULL
 * @out: where to store the number
 *
 * Returns: true when @value is a number (any number converts, maybe
 * losing precision).
 */
bool
qapiJSONGetDoubleValue(const qapiJSON *value, double *out)
{
    if (!value || value->type != QAPI_JSON_TYPE_NUMBER)
        return false;
    *out = g_ascii_strtod(value->u.str, NULL);
    return true;
}

/**
 * qapiJSONGetStringValue:
 * @value: a value or NULL
 *
 * Returns: (transfer none): the text of a string, or NULL.
 */
const char *
qapiJSONGetStringValue(const qapiJSON *value)
{
    if (!value || value->type != QAPI_JSON_TYPE_STRING)
        return NULL;
    return value->u.str;
}

/**
 * qapiJSONGetNumberText:
 * @value: a value or NULL
 *
 * Returns: (transfer none): a number as written, or NULL.
 */
const char *
qapiJSONGetNumberText(const qapiJSON *value)
{
    if (!value || value->type != QAPI_JSON_TYPE_NUMBER)
        return NULL;
    return value->u.str;
}

/**
 * qapiJSONArraySize:
 * @array: an array or NULL
 *
 * Returns: the number of items (0 for anything but an array).
 */
size_t
qapiJSONArraySize(const qapiJSON *array)
{
    if (!array || array->type != QAPI_JSON_TYPE_ARRAY)
        return 0;
    return array->u.items->len;
}

/**
 * qapiJSONArrayGet:
 * @array: an array or NULL
 * @i: index
 *
 * Returns: (transfer none): item @i, or NULL.
 */
qapiJSON *
qapiJSONArrayGet(const qapiJSON *array, size_t i)
{
    if (!array || array->type != QAPI_JSON_TYPE_ARRAY ||
        i >= array->u.items->len)
        return NULL;
    return array->u.items->pdata[i];
}

/**
 * qapiJSONArrayAppend:
 * @array: an array
 * @item: (transfer full): the value to append
 */
void
qapiJSONArrayAppend(qapiJSON *array, qapiJSON *item)
{
    g_return_if_fail(array && array->type == QAPI_JSON_TYPE_ARRAY && item);
    g_ptr_array_add(array->u.items, item);
}

/**
 * qapiJSONObjectSize:
 * @object: an object or NULL
 *
 * Returns: the number of members (0 for anything but an object).
 */
size_t
qapiJSONObjectSize(const qapiJSON *object)
{
    if (!object || object->type != QAPI_JSON_TYPE_OBJECT)
        return 0;
    return object->u.obj.keys->len;
}

/**
 * qapiJSONObjectKeyAt:
 * @object: an object or NULL
 * @i: index in insertion order
 *
 * Returns: (transfer none): the name of member @i, or NULL.
 */
const char *
qapiJSONObjectKeyAt(const qapiJSON *object, size_t i)
{
    if (i >= qapiJSONObjectSize(object))
        return NULL;
    return object->u.obj.keys->pdata[i];
}

/**
 * qapiJSONObjectValueAt:
 * @object: an object or NULL
 * @i: index in insertion order
 *
 * Returns: (transfer none): the value of member @i, or NULL.
 */
qapiJSON *
qapiJSONObjectValueAt(const qapiJSON *object, size_t i)
{
    if (i >= qapiJSONObjectSize(object))
        return NULL;
    return object->u.obj.values->pdata[i];
}

static gssize
qapiJSONObjectIndex(const qapiJSON *object, const char *key)
{
    size_t n = qapiJSONObjectSize(object);
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(object->u.obj.keys->pdata[i], key) == 0)
            return i;
    }
    return -1;
}

/**
 * qapiJSONObjectGet:
 * @object: an object or NULL
 * @key: member name
 *
 * Returns: (transfer none): the member's value, or NULL.
 */
qapiJSON *
qapiJSONObjectGet(const qapiJSON *object, const char *key)
{
    gssize i = qapiJSONObjectIndex(object, key);

    if (i < 0)
        return NULL;
    return object->u.obj.values->pdata[i];
}

/**
 * qapiJSONObjectHas:
 * @object: an object or NULL
 * @key: member name
 *
 * Returns: true when @object has the member @key.
 */
bool
qapiJSONObjectHas(const qapiJSON *object, const char *key)
{
    return qapiJSONObjectIndex(object, key) >= 0;
}

/**
 * qapiJSONObjectSet:
 * @object: an object
 * @key: member name
 * @value: (transfer full): the member's value
 *
 * Replaces the member @key (keeping its position) or appends it.
 */
void
qapiJSONObjectSet(qapiJSON *object, const char *key, qapiJSON *value)
{
    gssize i;

    g_return_if_fail(object && object->type == QAPI_JSON_TYPE_OBJECT);
    g_return_if_fail(key && value);
    i = qapiJSONObjectIndex(object, key);
    if (i >= 0) {
        qapiJSONFree(object->u.obj.values->pdata[i]);
        object->u.obj.values->pdata[i] = value;
        return;
    }
    g_ptr_array_add(object->u.obj.keys, g_strdup(key));
    g_ptr_array_add(object->u.obj.values, value);
}

/**
 * qapiJSONObjectSteal:
 * @object: an object
 * @key: member name
 *
 * Removes the member @key.
 *
 * Returns: (transfer full): its value, or NULL when absent.
 */
qapiJSON *
qapiJSONObjectSteal(qapiJSON *object, const char *key)
{
    gssize i = qapiJSONObjectIndex(object, key);
    qapiJSON *value;

    if (i < 0)
        return NULL;
    value = object->u.obj.values->pdata[i];
    object->u.obj.values->pdata[i] = NULL;
    g_ptr_array_remove_index(object->u.obj.values, i);
    g_ptr_array_remove_index(object->u.obj.keys, i);
    return value;
}

/**
 * qapiJSONObjectGetString:
 * @object: an object or NULL
 * @key: member name
 *
 * Returns: (transfer none): the member's text, or NULL when absent or
 * not a string.
 */
const char *
qapiJSONObjectGetString(const qapiJSON *object, const char *key)
{
    return qapiJSONGetStringValue(qapiJSONObjectGet(object, key));
}

/**
 * qapiJSONObjectGetInt64:
 * @object: an object or NULL
 * @key: member name
 * @out: where to store the number
 *
 * Returns: true when the member is an integer that fits gint64.
 */
bool
qapiJSONObjectGetInt64(const qapiJSON *object, const char *key, gint64 *out)
{
    return qapiJSONGetInt64Value(qapiJSONObjectGet(object, key), out);
}

/**
 * qapiJSONObjectGetUInt64:
 * @object: an object or NULL
 * @key: member name
 * @out: where to store the number
 *
 * Returns: true when the member is an integer that fits guint64.
 */
bool
qapiJSONObjectGetUInt64(const qapiJSON *object, const char *key,
                        guint64 *out)
{
    return qapiJSONGetUInt64Value(qapiJSONObjectGet(object, key), out);
}

/**
 * qapiJSONObjectGetDouble:
 * @object: an object or NULL
 * @key: member name
 * @out: where to store the number
 *
 * Returns: true when the member is a number.
 */
bool
qapiJSONObjectGetDouble(const qapiJSON *object, const char *key, double *out)
{
    return qapiJSONGetDoubleValue(qapiJSONObjectGet(object, key), out);
}

/**
 * qapiJSONObjectGetBool:
 * @object: an object or NULL
 * @key: member name
 * @out: where to store the boolean
 *
 * Returns: true when the member is a boolean.
 */
bool
qapiJSONObjectGetBool(const qapiJSON *object, const char *key, bool *out)
{
    return qapiJSONGetBoolValue(qapiJSONObjectGet(object, key), out);
}

/**
 * qapiJSONObjectGetObject:
 * @object: an object or NULL
 * @key: member name
 *
 * Returns: (transfer none): the member when it is an object, or NULL.
 */
qapiJSON *
qapiJSONObjectGetObject(const qapiJSON *object, const char *key)
{
    qapiJSON *v = qapiJSONObjectGet(object, key);

    return v && v->type == QAPI_JSON_TYPE_OBJECT ? v : NULL;
}

/**
 * qapiJSONObjectGetArray:
 * @object: an object or NULL
 * @key: member name
 *
 * Returns: (transfer none): the member when it is an array, or NULL.
 */
qapiJSON *
qapiJSONObjectGetArray(const qapiJSON *object, const char *key)
{
    qapiJSON *v = qapiJSONObjectGet(object, key);

    return v && v->type == QAPI_JSON_TYPE_ARRAY ? v : NULL;
}

static qapiJSON *
qapiJSONPathStep(const qapiJSON *value, const char *comp)
{
    char *end = NULL;
    guint64 idx;

    if (value->type == QAPI_JSON_TYPE_OBJECT)
        return qapiJSONObjectGet(value, comp);
    if (value->type != QAPI_JSON_TYPE_ARRAY || !g_ascii_isdigit(comp[0]))
        return NULL;
    idx = g_ascii_strtoull(comp, &end, 10);
    if (*end != '\0')
        return NULL;
    return qapiJSONArrayGet(value, idx);
}

/**
 * qapiJSONPathGet:
 * @value: a value or NULL
 * @path: '/'-separated object keys and array indexes ("" is @value)
 *
 * Returns: (transfer none): the value at @path, or NULL.
 */
qapiJSON *
qapiJSONPathGet(const qapiJSON *value, const char *path)
{
    g_auto(GStrv) comps = NULL;
    size_t i;

    if (!value)
        return NULL;
    if (!*path)
        return (qapiJSON *)value;
    comps = g_strsplit(path, "/", -1);
    for (i = 0; comps[i] && value; i++)
        value = qapiJSONPathStep(value, comps[i]);
    return (qapiJSON *)value;
}

/**
 * qapiJSONPathGetString:
 * @value: a value or NULL
 * @path: see qapiJSONPathGet()
 *
 * Returns: (transfer none): the string at @path, or NULL.
 */
const char *
qapiJSONPathGetString(const qapiJSON *value, const char *path)
{
    return qapiJSONGetStringValue(qapiJSONPathGet(value, path));
}

/**
 * qapiJSONPathGetInt64:
 * @value: a value or NULL
 * @path: see qapiJSONPathGet()
 * @out: where to store the number
 *
 * Returns: true when @path leads to an integer that fits gint64.
 */
bool
qapiJSONPathGetInt64(const qapiJSON *value, const char *path, gint64 *out)
{
    return qapiJSONGetInt64Value(qapiJSONPathGet(value, path), out);
}

/**
 * qapiJSONPathGetUInt64:
 * @value: a value or NULL
 * @path: see qapiJSONPathGet()
 * @out: where to store the number
 *
 * Returns: true when @path leads to an integer that fits guint64.
 */
bool
qapiJSONPathGetUInt64(const qapiJSON *value, const char *path, guint64 *out)
{
    return qapiJSONGetUInt64Value(qapiJSONPathGet(value, path), out);
}


/* ---- parsing (yajl) ---- */

typedef struct {
    qapiJSON *root;
    GPtrArray *stack;       /* open containers, borrowed from root */
    char *key;              /* pending object key */
    unsigned int maxDepth;
    GError *error;
} qapiJSONParser;

/* The location of the value being added, like "return[3].name". */
static char *
qapiJSONParserPath(qapiJSONParser *p)
{
    GString *path = g_string_new("$");
    size_t i;

    for (i = 0; i < p->stack->len; i++) {
        qapiJSON *c = p->stack->pdata[i];
        bool top = i + 1 == p->stack->len;

        if (c->type == QAPI_JSON_TYPE_ARRAY) {
            g_string_append_printf(path, "[%u]",
                                   c->u.items->len - (top ? 0 : 1));
        } else if (top) {
            g_string_append_printf(path, ".%s", p->key ? p->key : "");
        } else {
            g_string_append_printf(path, ".%s", (char *)
                                   c->u.obj.keys->pdata[c->u.obj.keys->len - 1]);
        }
    }
    return g_string_free(path, FALSE);
}

static int
qapiJSONParserAdd(qapiJSONParser *p, qapiJSON *value)
{
    qapiJSON *top;

    if (p->stack->len == 0) {
        p->root = value;
        return 1;
    }
    top = p->stack->pdata[p->stack->len - 1];
    if (top->type == QAPI_JSON_TYPE_ARRAY) {
        g_ptr_array_add(top->u.items, value);
        return 1;
    }
    /* yajl guarantees a key before every member value */
    g_ptr_array_add(top->u.obj.keys, g_steal_pointer(&p->key));
    g_ptr_array_add(top->u.obj.values, value);
    return 1;
}

static int
qapiJSONParserOpen(qapiJSONParser *p, qapiJSON *container)
{
    if (p->stack->len >= p->maxDepth) {
        g_autofree char *path = qapiJSONParserPath(p);

        g_set_error(&p->error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("JSON nesting at '%1$s' is deeper than %2$u levels"),
                    path, p->maxDepth);
        qapiJSONFree(container);
        return 0;
    }
    qapiJSONParserAdd(p, container);
    g_ptr_array_add(p->stack, container);
    return 1;
}

static int
qapiJSONParserClose(void *ctx)
{
    qapiJSONParser *p = ctx;

    g_ptr_array_set_size(p->stack, p->stack->len - 1);
    return 1;
}

static int
qapiJSONOnNull(void *ctx)
{
    return qapiJSONParserAdd(ctx, qapiJSONNewNull());
}

static int
qapiJSONOnBool(void *ctx, int value)
{
    return qapiJSONParserAdd(ctx, qapiJSONNewBool(value));
}

static int
qapiJSONOnNumber(void *ctx, const char *text, size_t len)
{
    return qapiJSONParserAdd(ctx, qapiJSONNewNumberTake(g_strndup(text, len)));
}

/* Strings are C strings here: "\u0000" inside one is refused. */
static bool
qapiJSONParserCheckNul(qapiJSONParser *p, const unsigned char *text,
                       size_t len)
{
    g_autofree char *path = NULL;

    if (!memchr(text, '\0', len))
        return true;
    path = qapiJSONParserPath(p);
    g_set_error(&p->error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                _("JSON string at '%1$s' contains a NUL character"), path);
    return false;
}

static int
qapiJSONOnString(void *ctx, const unsigned char *text, size_t len)
{
    qapiJSON *v;

    if (!qapiJSONParserCheckNul(ctx, text, len))
        return 0;
    v = qapiJSONNew(QAPI_JSON_TYPE_STRING);
    v->u.str = g_strndup((const char *)text, len);
    return qapiJSONParserAdd(ctx, v);
}

static int
qapiJSONOnKey(void *ctx, const unsigned char *text, size_t len)
{
    qapiJSONParser *p = ctx;

    if (!qapiJSONParserCheckNul(p, text, len))
        return 0;
    g_free(p->key);
    p->key = g_strndup((const char *)text, len);
    return 1;
}

static int
qapiJSONOnStartMap(void *ctx)
{
    return qapiJSONParserOpen(ctx, qapiJSONNewObject());
}

static int
qapiJSONOnStartArray(void *ctx)
{
    return qapiJSONParserOpen(ctx, qapiJSONNewArray());
}

static const yajl_callbacks qapiJSONCallbacks = {
    .yajl_null = qapiJSONOnNull,
    .yajl_boolean = qapiJSONOnBool,
    .yajl_number = qapiJSONOnNumber,
    .yajl_string = qapiJSONOnString,
    .yajl_start_map = qapiJSONOnStartMap,
    .yajl_map_key = qapiJSONOnKey,
    .yajl_end_map = qapiJSONParserClose,
    .yajl_start_array = qapiJSONOnStartArray,
    .yajl_end_array = qapiJSONParserClose,
};

static void
qapiJSONParserSetYajlError(qapiJSONParser *p, yajl_handle h,
                           const char *text, size_t len)
{
    unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)text,
                                        len);
    size_t offset = yajl_get_bytes_consumed(h);
    g_autofree char *what = g_strchomp(g_strdup((const char *)msg));

    yajl_free_error(h, msg);
    g_set_error(&p->error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                _("cannot parse JSON at offset %1$zu: %2$s"), offset, what);
}

static void
qapiJSONParserRun(qapiJSONParser *p, const char *text, size_t len)
{
    yajl_handle h = yajl_alloc(&qapiJSONCallbacks, NULL, p);
    yajl_status st;

    st = yajl_parse(h, (const unsigned char *)text, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st != yajl_status_ok && !p->error)
        qapiJSONParserSetYajlError(p, h, text, len);
    if (!p->error && !p->root)
        g_set_error(&p->error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot parse JSON: the text holds no value"));
    yajl_free(h);
}

/**
 * qapiJSONParseFull:
 * @text: JSON text (need not be NUL-terminated)
 * @len: its length in bytes
 * @maxDepth: deepest allowed nesting of arrays and objects
 * @maxSize: largest allowed @len
 * @error: return location for a GError
 *
 * Parses exactly one JSON value (surrounding whitespace allowed).  Errors
 * name the byte offset of a syntax error or the path of a too-deep value.
 *
 * Returns: (transfer full): the value, or NULL with @error set.
 */
qapiJSON *
qapiJSONParseFull(const char *text, size_t len, unsigned int maxDepth,
                  size_t maxSize, GError **error)
{
    qapiJSONParser p = { 0 };

    if (len > maxSize) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("JSON text of %1$zu bytes exceeds the limit of %2$zu bytes"),
                    len, maxSize);
        return NULL;
    }
    p.stack = g_ptr_array_new();
    p.maxDepth = maxDepth;
    qapiJSONParserRun(&p, text, len);
    g_ptr_array_unref(p.stack);
    g_free(p.key);
    if (p.error) {
        qapiJSONFree(p.root);
        g_propagate_error(error, p.error);
        return NULL;
    }
    return p.root;
}

/**
 * qapiJSONParse:
 * @text: NUL-terminated JSON text
 * @error: return location for a GError
 *
 * qapiJSONParseFull() with the default limits (depth 128, 64 MiB).
 *
 * Returns: (transfer full): the value, or NULL with @error set.
 */
qapiJSON *
qapiJSONParse(const char *text, GError **error)
{
    return qapiJSONParseFull(text, strlen(text), QAPI_JSON_DEFAULT_MAX_DEPTH,
                             QAPI_JSON_DEFAULT_MAX_SIZE, error);
}


/* ---- serialising ---- */

static void
qapiJSONFormatString(GString *buf, const char *str)
{
    const unsigned char *s;

    g_string_append_c(buf, '"');
    for (s = (const unsigned char *)str; *s; s++) {
        switch (*s) {
        case '"': g_string_append(buf, "\\\""); break;
        case '\\': g_string_append(buf, "\\\\"); break;
        case '\n': g_string_append(buf, "\\n"); break;
        case '\r': g_string_append(buf, "\\r"); break;
        case '\t': g_string_append(buf, "\\t"); break;
        case '\b': g_string_append(buf, "\\b"); break;
        case '\f': g_string_append(buf, "\\f"); break;
        default:
            if (*s < 0x20)
                g_string_append_printf(buf, "\\u%04x", *s);
            else
                g_string_append_c(buf, *s);
        }
    }
    g_string_append_c(buf, '"');
}

static void qapiJSONFormatValue(GString *buf, const qapiJSON *v, int indent);

static void
qapiJSONFormatNewline(GString *buf, int indent)
{
    if (indent < 0)
        return;
    g_string_append_c(buf, '\n');
    g_string_append_printf(buf, "%*s", indent * 2, "");
}

static void
qapiJSONFormatContainer(GString *buf, const qapiJSON *v, int indent)
{
    bool isObj = v->type == QAPI_JSON_TYPE_OBJECT;
    GPtrArray *values = isObj ? v->u.obj.values : v->u.items;
    int inner = indent < 0 ? -1 : indent + 1;
    size_t i;

    g_string_append_c(buf, isObj ? '{' : '[');
    for (i = 0; i < values->len; i++) {
        if (i > 0)
            g_string_append_c(buf, ',');
        qapiJSONFormatNewline(buf, inner);
        if (isObj) {
            qapiJSONFormatString(buf, v->u.obj.keys->pdata[i]);
            g_string_append(buf, indent < 0 ? ":" : ": ");
        }
        qapiJSONFormatValue(buf, values->pdata[i], inner);
    }
    if (values->len > 0)
        qapiJSONFormatNewline(buf, indent);
    g_string_append_c(buf, isObj ? '}' : ']');
}

static void
qapiJSONFormatValue(GString *buf, const qapiJSON *v, int indent)
{
    switch (v->type) {
    case QAPI_JSON_TYPE_NULL:
        g_string_append(buf, "null");
        break;
    case QAPI_JSON_TYPE_BOOL:
        g_string_append(buf, v->u.b ? "true" : "false");
        break;
    case QAPI_JSON_TYPE_NUMBER:
        g_string_append(buf, v->u.str);
        break;
    case QAPI_JSON_TYPE_STRING:
        qapiJSONFormatString(buf, v->u.str);
        break;
    case QAPI_JSON_TYPE_ARRAY:
    case QAPI_JSON_TYPE_OBJECT:
        qapiJSONFormatContainer(buf, v, indent);
        break;
    }
}

/**
 * qapiJSONFormat:
 * @value: a value
 * @pretty: false for compact one-line text (the QMP wire format), true
 *          for two-space indented text ending in a newline
 *
 * Returns: (transfer full): the JSON text.
 */
char *
qapiJSONFormat(const qapiJSON *value, bool pretty)
{
    GString *buf = g_string_new(NULL);

    qapiJSONFormatValue(buf, value, pretty ? 0 : -1);
    if (pretty)
        g_string_append_c(buf, '\n');
    return g_string_free(buf, FALSE);
}


/* ---- builders ---- */

static qapiJSON *
qapiJSONTakeArg(va_list *ap, char type, const char *key, GError **error)
{
    qapiJSON **ptr = va_arg(*ap, qapiJSON **);
    qapiJSONType want = QAPI_JSON_TYPE_NULL;
    qapiJSON *v = ptr ? *ptr : NULL;

    if (!v) {
        if (g_ascii_isupper(type))
            return NULL;
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("JSON member '%1$s' has no value"), key);
        return NULL;
    }
    if (type == 'a' || type == 'A')
        want = QAPI_JSON_TYPE_ARRAY;
    else if (type == 'o' || type == 'O')
        want = QAPI_JSON_TYPE_OBJECT;
    if (want != QAPI_JSON_TYPE_NULL && v->type != want) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("JSON member '%1$s' must be an %2$s"), key,
                    qapiJSONTypeToString(want));
        return NULL;
    }
    *ptr = NULL;
    return v;
}

static qapiJSON *
qapiJSONTristateArg(int value)
{
    if (value == VGM_TRISTATE_BOOL_YES)
        return qapiJSONNewBool(true);
    if (value == VGM_TRISTATE_BOOL_NO)
        return qapiJSONNewBool(false);
    return NULL;
}

static qapiJSON *
qapiJSONStringArg(const char *str, char type, const char *key,
                  GError **error)
{
    if (str)
        return qapiJSONNewString(str);
    if (type == 's')
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("JSON member '%1$s' has no value"), key);
    return NULL;
}

/* One argument; NULL with *error unset means "skip this member". */
static qapiJSON *
qapiJSONBuildArg(char type, const char *key, va_list *ap, GError **error)
{
    int i;
    guint64 u;

    switch (type) {
    case 's': case 'S':
        return qapiJSONStringArg(va_arg(*ap, const char *), type, key, error);
    case 'i': return qapiJSONNewInt64(va_arg(*ap, int));
    case 'z':
        i = va_arg(*ap, int);
        return i ? qapiJSONNewInt64(i) : NULL;
    case 'I': return qapiJSONNewInt64(va_arg(*ap, long long));
    case 'u': return qapiJSONNewUInt64(va_arg(*ap, unsigned int));
    case 'U': return qapiJSONNewUInt64(va_arg(*ap, unsigned long long));
    case 'Z':
        u = va_arg(*ap, unsigned long long);
        return u ? qapiJSONNewUInt64(u) : NULL;
    case 'd': return qapiJSONNewDouble(va_arg(*ap, double));
    case 'b': return qapiJSONNewBool(va_arg(*ap, int));
    case 'B': return va_arg(*ap, int) ? qapiJSONNewBool(true) : NULL;
    case 'T': return qapiJSONTristateArg(va_arg(*ap, int));
    case 'n': return qapiJSONNewNull();
    case 'a': case 'A': case 'o': case 'O': case 'v':
        return qapiJSONTakeArg(ap, type, key, error);
    }
    g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                _("unknown type letter '%1$c' for JSON member '%2$s'"),
                type, key);
    return NULL;
}

/**
 * qapiJSONObjectAddV:
 * @obj: the object to add to; created when *@obj is NULL
 * @error: return location for a GError
 * @ap: "T:key", value pairs ending with NULL (see json.h)
 *
 * Returns: 0, or -1 with @error set.
 */
int
qapiJSONObjectAddV(qapiJSON **obj, GError **error, va_list ap)
{
    const char *spec;
    va_list cp;

    va_copy(cp, ap);
    if (!*obj)
        *obj = qapiJSONNewObject();
    while ((spec = va_arg(cp, const char *))) {
        const char *key = spec + 2;
        GError *err = NULL;
        qapiJSON *v;

        if (strlen(spec) < 3 || spec[1] != ':') {
            g_set_error(&err, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("malformed JSON member specification '%1$s'"),
                        spec);
            v = NULL;
        } else if (qapiJSONObjectHas(*obj, key)) {
            g_set_error(&err, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("duplicate JSON member '%1$s'"), key);
            v = NULL;
        } else {
            v = qapiJSONBuildArg(spec[0], key, &cp, &err);
        }
        if (err) {
            g_propagate_error(error, err);
            va_end(cp);
            return -1;
        }
        if (v)
            qapiJSONObjectSet(*obj, key, v);
    }
    va_end(cp);
    return 0;
}

/**
 * qapiJSONObjectAdd:
 * @obj: the object to add to; created when *@obj is NULL
 * @error: return location for a GError
 * @...: "T:key", value pairs ending with NULL; the letters are listed in
 *       json.h
 *
 * Returns: 0, or -1 with @error set.
 */
int
qapiJSONObjectAdd(qapiJSON **obj, GError **error, ...)
{
    va_list ap;
    int ret;

    va_start(ap, error);
    ret = qapiJSONObjectAddV(obj, error, ap);
    va_end(ap);
    return ret;
}


/* ---- field tables ---- */

static const char *const qapiJSONFieldTypeNames[] = {
    [QAPI_JSON_STRING] = "string",
    [QAPI_JSON_INT64] = "integer",
    [QAPI_JSON_UINT64] = "unsigned integer",
    [QAPI_JSON_DOUBLE] = "number",
    [QAPI_JSON_BOOL] = "boolean",
    [QAPI_JSON_OBJECT] = "object",
    [QAPI_JSON_ARRAY] = "array",
    [QAPI_JSON_VALUE] = "value",
    [QAPI_JSON_ENUM] = "string",
};

static bool
qapiJSONFieldEnum(const qapiJSONField *f, const qapiJSON *v, int *out)
{
    const char *str = qapiJSONGetStringValue(v);
    int val;

    if (!str)
        return false;
    val = f->fromString ? f->fromString(str) : -1;
    if (val < 0) {
        g_debug("unknown value '%s' of member '%s'", str, f->name);
        val = f->unknown;
    }
    *out = val;
    return true;
}

static bool
qapiJSONFieldStore(const qapiJSONField *f, const qapiJSON *v, char *dest)
{
    switch (f->type) {
    case QAPI_JSON_STRING:
        if (v->type != QAPI_JSON_TYPE_STRING)
            return false;
        g_free(*(char **)dest);
        *(char **)dest = g_strdup(v->u.str);
        return true;
    case QAPI_JSON_INT64: return qapiJSONGetInt64Value(v, (gint64 *)dest);
    case QAPI_JSON_UINT64: return qapiJSONGetUInt64Value(v, (guint64 *)dest);
    case QAPI_JSON_DOUBLE: return qapiJSONGetDoubleValue(v, (double *)dest);
    case QAPI_JSON_BOOL: return qapiJSONGetBoolValue(v, (bool *)dest);
    case QAPI_JSON_ENUM: return qapiJSONFieldEnum(f, v, (int *)dest);
    case QAPI_JSON_OBJECT:
    case QAPI_JSON_ARRAY:
    case QAPI_JSON_VALUE:
        if ((f->type == QAPI_JSON_OBJECT && v->type != QAPI_JSON_TYPE_OBJECT) ||
            (f->type == QAPI_JSON_ARRAY && v->type != QAPI_JSON_TYPE_ARRAY))
            return false;
        qapiJSONFree(*(qapiJSON **)dest);
        *(qapiJSON **)dest = qapiJSONCopy(v);
        return true;
    }
    return false;
}

/**
 * qapiJSONParseFields:
 * @object: the JSON object to decode
 * @fields: table of members, ending with an entry whose name is NULL
 * @dest: the struct the offsets refer to
 * @where: what @object is, for messages (e.g. "query-migrate reply")
 * @error: return location for a GError
 *
 * Fills @dest from @object per @fields (see json.h).  On failure @dest
 * may hold some members already; the caller frees it as usual.
 *
 * Returns: 0, or -1 with @error set naming the member.
 */
int
qapiJSONParseFields(const qapiJSON *object, const qapiJSONField *fields,
                    void *dest, const char *where, GError **error)
{
    const qapiJSONField *f;

    if (!object || object->type != QAPI_JSON_TYPE_OBJECT) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("'%1$s' is not a JSON object"), where);
        return -1;
    }
    for (f = fields; f->name; f++) {
        const qapiJSON *v = qapiJSONObjectGet(object, f->name);

        if (!v) {
            if (f->presence != QAPI_MANDATORY)
                continue;
            g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("missing member '%1$s' in '%2$s'"), f->name, where);
            return -1;
        }
        if (!qapiJSONFieldStore(f, v, (char *)dest + f->offset)) {
            g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("member '%1$s' of '%2$s' must be a %3$s"),
                        f->name, where, qapiJSONFieldTypeNames[f->type]);
            return -1;
        }
    }
    return 0;
}
