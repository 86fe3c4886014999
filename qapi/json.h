/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * A small JSON value tree.  Only qapi/json.c knows the parser backend
 * (yajl); everything else sees qapiJSON *.
 *
 * Numbers keep the text they were parsed from (or were built from), so
 * an int64, a uint64 above INT64_MAX and a double stay distinct and
 * round-trip exactly.  Objects keep their members in insertion order.
 *
 * Ownership: a value added to an array or object belongs to it; free the
 * root with qapiJSONFree().  Getters return borrowed pointers.
 */

typedef enum {
    QAPI_JSON_TYPE_NULL,
    QAPI_JSON_TYPE_BOOL,
    QAPI_JSON_TYPE_NUMBER,
    QAPI_JSON_TYPE_STRING,
    QAPI_JSON_TYPE_ARRAY,
    QAPI_JSON_TYPE_OBJECT,
} qapiJSONType;

typedef struct qapiJSON qapiJSON;

void qapiJSONFree(qapiJSON *value);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qapiJSON, qapiJSONFree);

qapiJSON *qapiJSONNewNull(void);
qapiJSON *qapiJSONNewBool(bool value);
qapiJSON *qapiJSONNewInt64(gint64 value);
qapiJSON *qapiJSONNewUInt64(guint64 value);
qapiJSON *qapiJSONNewDouble(double value);
qapiJSON *qapiJSONNewString(const char *value);
qapiJSON *qapiJSONNewArray(void);
qapiJSON *qapiJSONNewObject(void);
qapiJSON *qapiJSONCopy(const qapiJSON *value);
bool qapiJSONEqual(const qapiJSON *a, const qapiJSON *b);

qapiJSONType qapiJSONGetType(const qapiJSON *value);
const char *qapiJSONTypeToString(qapiJSONType type);

/* Scalar accessors: false / NULL when @value has another type. */
bool qapiJSONGetBoolValue(const qapiJSON *value, bool *out);
bool qapiJSONGetInt64Value(const qapiJSON *value, gint64 *out);
bool qapiJSONGetUInt64Value(const qapiJSON *value, guint64 *out);
bool qapiJSONGetDoubleValue(const qapiJSON *value, double *out);
const char *qapiJSONGetStringValue(const qapiJSON *value);
/* The number as written (e.g. "18446744073709551615", "1.5e3"). */
const char *qapiJSONGetNumberText(const qapiJSON *value);

/* Arrays. */
size_t qapiJSONArraySize(const qapiJSON *array);
qapiJSON *qapiJSONArrayGet(const qapiJSON *array, size_t i);
void qapiJSONArrayAppend(qapiJSON *array, qapiJSON *item);

/* Objects (members in insertion order). */
size_t qapiJSONObjectSize(const qapiJSON *object);
const char *qapiJSONObjectKeyAt(const qapiJSON *object, size_t i);
qapiJSON *qapiJSONObjectValueAt(const qapiJSON *object, size_t i);
qapiJSON *qapiJSONObjectGet(const qapiJSON *object, const char *key);
bool qapiJSONObjectHas(const qapiJSON *object, const char *key);
void qapiJSONObjectSet(qapiJSON *object, const char *key, qapiJSON *value);
qapiJSON *qapiJSONObjectSteal(qapiJSON *object, const char *key);

/*
 * Typed member getters.  They return NULL / false when the member is
 * absent or has another type; use a field table (below) to get errors
 * that name the member.
 */
const char *qapiJSONObjectGetString(const qapiJSON *object, const char *key);
bool qapiJSONObjectGetInt64(const qapiJSON *object, const char *key,
                            gint64 *out);
bool qapiJSONObjectGetUInt64(const qapiJSON *object, const char *key,
                             guint64 *out);
bool qapiJSONObjectGetDouble(const qapiJSON *object, const char *key,
                             double *out);
bool qapiJSONObjectGetBool(const qapiJSON *object, const char *key,
                           bool *out);
qapiJSON *qapiJSONObjectGetObject(const qapiJSON *object, const char *key);
qapiJSON *qapiJSONObjectGetArray(const qapiJSON *object, const char *key);

/*
 * Path getters: @path is '/'-separated; a component is an object key or,
 * on an array, a decimal index: "return/0/name".
 */
qapiJSON *qapiJSONPathGet(const qapiJSON *value, const char *path);
const char *qapiJSONPathGetString(const qapiJSON *value, const char *path);
bool qapiJSONPathGetInt64(const qapiJSON *value, const char *path,
                          gint64 *out);
bool qapiJSONPathGetUInt64(const qapiJSON *value, const char *path,
                           guint64 *out);

/* Parsing. */
#define QAPI_JSON_DEFAULT_MAX_DEPTH 128
#define QAPI_JSON_DEFAULT_MAX_SIZE (64 * 1024 * 1024)

qapiJSON *qapiJSONParse(const char *text, GError **error);
qapiJSON *qapiJSONParseFull(const char *text, size_t len,
                            unsigned int maxDepth, size_t maxSize,
                            GError **error);

/* Serialising: compact (QMP wire format) or pretty (2 spaces, tests). */
char *qapiJSONFormat(const qapiJSON *value, bool pretty);

/*
 * qapiJSONObjectAdd(&obj, "KEY-TYPE:key", value, ..., NULL)
 *
 * Adds members to *@obj (created when NULL).  The letter before ':' says
 * what the next argument is:
 *   s  const char *          a string; NULL is an error
 *   S  const char *          a string; skipped when NULL
 *   i  int                   a number
 *   z  int                   a number; skipped when 0
 *   I  gint64                a number
 *   u  unsigned int          a number
 *   U  guint64               a number
 *   Z  guint64               a number; skipped when 0
 *   d  double                a number
 *   b  bool (int)            a boolean
 *   B  bool (int)            a boolean; skipped when false
 *   T  vgmTristateBool/Switch  true/false; skipped when ABSENT
 *   n  (no argument)         null
 *   a  qapiJSON **           an array, taken (the pointer is cleared);
 *                            NULL is an error
 *   A  qapiJSON **           an array, taken; skipped when NULL
 *   o  qapiJSON **           an object, taken; NULL is an error
 *   O  qapiJSON **           an object, taken; skipped when NULL
 *   v  qapiJSON **           any value, taken; NULL is an error
 * Pass exactly the type listed: a literal for I, U or Z needs a cast
 * ((guint64)1 << 30), as varargs are not converted.
 * A key that is already present is an error.  On error *@obj keeps what
 * was added before the failing member, and values after it are not taken.
 */
int qapiJSONObjectAdd(qapiJSON **obj, GError **error, ...)
    G_GNUC_NULL_TERMINATED;
int qapiJSONObjectAddV(qapiJSON **obj, GError **error, va_list ap);

/*
 * Field tables: decode members of an object into a struct.
 *
 *   static const qapiJSONField fields[] = {
 *       { "status", QAPI_JSON_STRING, offsetof(info, status), QAPI_MANDATORY },
 *       { "total", QAPI_JSON_UINT64, offsetof(info, total), QAPI_OPTIONAL },
 *       { NULL },
 *   };
 *
 * Destination types: STRING char * (g_strdup, caller frees), INT64
 * gint64, UINT64 guint64, DOUBLE double, BOOL bool, OBJECT / ARRAY /
 * VALUE qapiJSON * (a copy, caller frees), ENUM int (through @fromString;
 * a value it does not know becomes @unknown, with a g_debug).  Absent
 * optional members leave the destination untouched; members the table
 * does not name are ignored (QEMU adds members over time).
 */
typedef enum {
    QAPI_JSON_STRING,
    QAPI_JSON_INT64,
    QAPI_JSON_UINT64,
    QAPI_JSON_DOUBLE,
    QAPI_JSON_BOOL,
    QAPI_JSON_OBJECT,
    QAPI_JSON_ARRAY,
    QAPI_JSON_VALUE,
    QAPI_JSON_ENUM,
} qapiJSONFieldType;

typedef enum {
    QAPI_OPTIONAL = 0,
    QAPI_MANDATORY = 1,
} qapiJSONPresence;

typedef struct {
    const char *name;
    qapiJSONFieldType type;
    size_t offset;
    qapiJSONPresence presence;
    int (*fromString)(const char *str);
    int unknown;
} qapiJSONField;

int qapiJSONParseFields(const qapiJSON *object, const qapiJSONField *fields,
                        void *dest, const char *where, GError **error);
