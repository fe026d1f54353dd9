/* prelude.h: the first include of every flytec source file. */
#ifndef FL_PRELUDE_H
#define FL_PRELUDE_H

#include <config.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define FL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
