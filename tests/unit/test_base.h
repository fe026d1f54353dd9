/* test_base.h: what the two halves of the base library's unit suite share. */
#ifndef TEST_BASE_H
#define TEST_BASE_H

#include <check.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Adds the text and wire format cases (test_base_text.c) to s. */
void base_text_tcases(Suite *s);

#endif
