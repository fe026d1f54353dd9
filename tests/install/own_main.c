/* own_main.c: a task executable with its own main (the generated C compiled
 * with -DFLYTEC_NO_MAIN): it handles its own option, then hands the rest of
 * the command line to flrt_main (tests/install.sh). */
#include <stdio.h>
#include <string.h>

#include "quickstart.flyte-c.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--hello") == 0) {
		puts("hello from the program's own main");
		return 0;
	}
	return flrt_main(&quickstart__module, argc, argv);
}
