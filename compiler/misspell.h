/* misspell.h: "did you mean" suggestions. */
#ifndef FL_MISSPELL_H
#define FL_MISSPELL_H

#include "prelude.h"

/* Edit distance (insertions, deletions, substitutions and swaps of two
 * neighbours) between a and b, or limit+1 when it exceeds limit. */
unsigned fl_edit_distance(const char *a, const char *b, unsigned limit);

/* The candidate closest to word, when close enough to be a likely typo
 * (distance at most 1 for short words, about a third of the length for
 * longer ones); NULL otherwise. Ties go to the first candidate. */
const char *fl_closest(const char *word, const char *const *candidates, size_t n);

#endif
