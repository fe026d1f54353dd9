/* main.c: flrt_main, the task executable's command line. */
#include "config.h"

#include <string.h>

#include "fileio.h"
#include "internal.h"

static void usage(const flrt_module *m, FILE *f)
{
	fprintf(f,
		"usage: %s SUBCOMMAND ...\n"
		"\n"
		"  execute --inputs P --output-prefix P --task NAME [--raw-output-data-prefix P]\n"
		"          [--checkpoint-path P] [--prev-checkpoint P]\n"
		"      run one task (the container entrypoint on Flyte)\n"
		"  map-execute ... --bound a,b [--legacy]\n"
		"      run one element of a map task (index from BATCH_JOB_ARRAY_INDEX_VAR_NAME)\n"
		"  run NAME [input=value ...] [--jobs N] [--output-dir DIR]\n"
		"          [--isolation process|inprocess] [--no-cache] [--cache-dir DIR]\n"
		"      run a workflow, launch plan or task locally; prints the outputs as JSON\n"
		"  cache list|clear [--task T] [--version V] [--cache-dir DIR]\n"
		"      the results memoized by run (docs/runtime.md)\n"
		"  list\n"
		"      the tasks, workflows and launch plans of this executable\n"
		"\n"
		"libflyterun %s. Paths are local paths or file:// URIs.\n",
		m != NULL && m->name != NULL ? m->name : "flyterun", flrt_version());
}

static void list_entities(const flrt_module *m, FILE *f)
{
	static const char *kinds[] = { "?", "task", "workflow", "launch plan", "map" };
	fprintf(f, "module %s\n", m->name != NULL ? m->name : "");
	for (size_t i = 0; i < m->ntasks; i++)
		fprintf(f, "  task function  %s\n", m->tasks[i]->name);
	for (size_t i = 0; i < m->nentities; i++) {
		const struct flrt_entity *e = &m->entities[i];
		if (e->kind == 5)
			continue;   /* a task's defaults */
		fprintf(f, "  %-13s  %s", e->kind >= 1 && e->kind <= 4 ? kinds[e->kind] : kinds[0],
			e->name != NULL ? e->name : "");
		if (e->kind == 4)   /* a declared map: its map task */
			fprintf(f, " (%.*s)", (int)e->len, (const char *)e->data);
		fputc('\n', f);
	}
}

int rt_main(const flrt_module *m, int argc, char **argv, const struct rt_io *io)
{
	if (m == NULL) {
		fprintf(io->err, "flyterun: no module\n");
		return 2;
	}
	struct rt_msg err;
	if (rt_check_module(m, &err) < 0) {
		fprintf(io->err, "flyterun: invalid module tables: %s\n", err.text);
		return 2;
	}
	if (argc < 2) {
		usage(m, io->err);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "execute") == 0)
		return rt_cmd_execute(m, argc - 1, argv + 1, false, io);
	if (strcmp(cmd, "map-execute") == 0)
		return rt_cmd_execute(m, argc - 1, argv + 1, true, io);
	if (strcmp(cmd, "run") == 0)
		return rt_cmd_run(m, argc - 1, argv + 1, io);
	if (strcmp(cmd, "cache") == 0)
		return rt_cmd_cache(argc - 1, argv + 1, io);
	if (strcmp(cmd, "list") == 0) {
		list_entities(m, io->err);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		fprintf(io->err, "libflyterun %s\n", flrt_version());
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(m, io->err);
		return 0;
	}
	fprintf(io->err, "%s: unknown subcommand '%s'\n", argv[0] != NULL ? argv[0] : "flyterun", cmd);
	usage(m, io->err);
	return 2;
}

int flrt_main(const flrt_module *m, int argc, char **argv)
{
	struct rt_io io = { stdout, stderr };
	/* SIGTERM (a pod stopped), SIGINT, SIGHUP during a write: the
	 * temporary file goes with the process */
	base_write_remove_temps_on_signals();
	return rt_main(m, argc, argv, &io);
}
