/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/relaxng.h>
#include <stdbool.h>

/*
 * Helpers shared by the test programs.  Every program is a table of
 * cases registered with g_test_add_data_func(); data lives under
 * tests/data/ (found through VGM_TEST_SRCDIR or the source root).
 */

/* Absolute path of tests/data/@rel (g_free it); marks the file as used. */
char *vgmTestDataPath(const char *rel);
/* Read tests/data/@rel; fails the test when it cannot. */
char *vgmTestLoadData(const char *rel);
bool vgmTestDataExists(const char *rel);

/*
 * Compare @actual with the golden file tests/data/@rel byte for byte.
 * With VGM_TEST_REGENERATE=1 the file is (re)written instead.
 * Returns true when they match (or were regenerated).
 */
bool vgmTestCompareToFile(const char *actual, const char *rel);

/*
 * Every file under tests/data/@dir must have been used by a case of
 * this program (through the functions above); registered as a test case
 * of its own, run last.
 */
void vgmTestAddUnusedCheck(const char *dir);

/*
 * Register one case per *.xml file under tests/data/@dir, in name order:
 * the test path is "/@prefix/@dir/FILE" and @func gets "@dir/FILE".
 */
void vgmTestAddXMLFiles(const char *prefix, const char *dir,
                        GTestDataFunc func);

/* Poll every 20 ms until @path exists: false when it does not after @ms. */
bool vgmTestWaitPath(const char *path, int ms);
/* Wait for @pid to exit: its wait status, or -1 (SIGKILLed) after @ms. */
int vgmTestWaitExit(GPid pid, int ms);
/* A connected AF_UNIX stream socket to @path (asserts it connects). */
int vgmTestConnectUnix(const char *path);

/* Parse the RelaxNG schema at @path, its errors on stderr; NULL on failure. */
xmlRelaxNGPtr vgmTestRelaxNGParse(const char *path);
/* Validate @doc against @schema, errors on stderr: 0 when it matches. */
int vgmTestRelaxNGValidate(xmlRelaxNGPtr schema, xmlDocPtr doc);

/* The result of a case: a g_test failure with a message, or nothing. */
#define VGM_TEST_FAIL(...) \
    do { \
        g_autofree char *vgmMsg_ = g_strdup_printf(__VA_ARGS__); \
        g_test_fail_printf("%s", vgmMsg_); \
    } while (0)

bool vgmTestRegenerate(void);
