/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs commands N times each, the way an updater starts a handler (fork,
 * exec, wait), and reports the wall time of each run and the peak RSS of the
 * children. The same harness runs the baseline (/bin/true) so every figure
 * carries the same fork/exec/wait cost.
 *
 * Usage: spawn-bench [-n RUNS] [-w WARMUP] [-s PREFIX] -- CMD [ARG...] [:: CMD [ARG...]]...
 *
 *   -n RUNS     timed runs of each command (default 1000)
 *   -w WARMUP   untimed runs of each command first (default 10): page
 *               cache, dynamic loader
 *   -s PREFIX   also write every run's "wall_us maxrss_kib" to PREFIX.<i>
 *
 * Several commands, separated by "::", run interleaved (A B C A B C ...), so
 * a burst of load from elsewhere on the machine hits all of them alike. A
 * command may start with "=N" (e.g. "=10 /usr/bin/tollgate gate ...") to
 * give the exit status its runs must have (default 0); a run that ends
 * otherwise stops the benchmark (exit 1): timing failures would measure the
 * wrong thing.
 *
 * The children's stdout and stderr go to /dev/null; the environment is
 * passed through. Output, one "cmd<i>.key=value" per line for each command
 * i (from 0): runs, p50_us, p90_us, p99_us, min_us, max_us, mean_us,
 * rss_max_kib, rss_p50_kib.
 *
 * Peak RSS is ru_maxrss from wait4(): the high-water mark of the child,
 * which on Linux includes the short-lived copy of this (small) harness
 * between fork and exec; the baseline carries the same share. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

typedef struct {
	double wall_us;
	long maxrss_kib;
} Sample;

typedef struct {
	char **argv;		/* NULL-terminated, inside main's argv */
	int want_exit;
	Sample *samples;
} Command;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void usage(void)
{
	fprintf(stderr, "usage: spawn-bench [-n RUNS] [-w WARMUP] [-s PREFIX] "
			"-- CMD [ARG...] [:: CMD [ARG...]]...\n");
	exit(2);
}

static long parse_count(const char *what, const char *text, long min)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || !end || *end || v < min || v > 10000000) {
		fprintf(stderr, "spawn-bench: %s '%s' is not a number >= %ld\n", what, text, min);
		exit(2);
	}
	return v;
}

/* One fork/exec/wait. Returns 0 and fills @ret, or -1 (message printed). */
static int run_once(const Command *cmd, int devnull, Sample *ret)
{
	struct rusage ru;
	int status = 0;
	double t0, t1;
	pid_t pid;

	t0 = now_us();
	pid = fork();
	if (pid < 0) {
		perror("spawn-bench: fork");
		return -1;
	}
	if (pid == 0) {
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		execv(cmd->argv[0], cmd->argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("spawn-bench: wait4");
		return -1;
	}
	t1 = now_us();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != cmd->want_exit) {
		fprintf(stderr, "spawn-bench: %s ended with %s %d, wanted exit %d; run it by hand "
				"to see why\n", cmd->argv[0], WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), cmd->want_exit);
		return -1;
	}
	ret->wall_us = t1 - t0;
	ret->maxrss_kib = ru.ru_maxrss;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted @v (n > 0). */
static double pct(const double *v, long n, double p)
{
	long rank = (long)((p / 100.0) * (double)n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

static void report(int index, const Sample *s, long n)
{
	double *wall = calloc((size_t)n, sizeof(*wall));
	long *rss = calloc((size_t)n, sizeof(*rss));
	double sum = 0;

	if (!wall || !rss) {
		fprintf(stderr, "spawn-bench: out of memory\n");
		exit(1);
	}
	for (long i = 0; i < n; i++) {
		wall[i] = s[i].wall_us;
		rss[i] = s[i].maxrss_kib;
		sum += wall[i];
	}
	qsort(wall, (size_t)n, sizeof(*wall), cmp_double);
	qsort(rss, (size_t)n, sizeof(*rss), cmp_long);
	printf("cmd%d.runs=%ld\ncmd%d.p50_us=%.1f\ncmd%d.p90_us=%.1f\ncmd%d.p99_us=%.1f\n"
	       "cmd%d.min_us=%.1f\ncmd%d.max_us=%.1f\ncmd%d.mean_us=%.1f\n"
	       "cmd%d.rss_max_kib=%ld\ncmd%d.rss_p50_kib=%ld\n", index, n, index,
	       pct(wall, n, 50), index, pct(wall, n, 90), index, pct(wall, n, 99), index, wall[0],
	       index, wall[n - 1], index, sum / (double)n, index, rss[n - 1], index,
	       rss[(n - 1) / 2]);
	free(wall);
	free(rss);
}

static void write_samples(const char *prefix, int index, const Sample *s, long n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s.%d", prefix, index);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "spawn-bench: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	for (long i = 0; i < n; i++)
		fprintf(f, "%.1f %ld\n", s[i].wall_us, s[i].maxrss_kib);
	if (fclose(f) != 0) {
		fprintf(stderr, "spawn-bench: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Splits argv[first..argc) at "::" into @cmds (at most @max). Returns the
 * number of commands. */
static int split_commands(int argc, char **argv, int first, Command *cmds, int max)
{
	int n = 0;

	for (int i = first; i < argc;) {
		int end = i;

		if (n == max) {
			fprintf(stderr, "spawn-bench: at most %d commands\n", max);
			exit(2);
		}
		while (end < argc && strcmp(argv[end], "::") != 0)
			end++;
		cmds[n].want_exit = 0;
		if (end > i && argv[i][0] == '=')
			cmds[n].want_exit = (int)parse_count("exit status", argv[i++] + 1, 0);
		if (end == i)
			usage();
		cmds[n].argv = argv + i;
		if (end < argc)
			argv[end] = NULL;	/* terminates this command's argv */
		n++;
		i = end + 1;
	}
	return n;
}

int main(int argc, char **argv)
{
	enum { MAX_COMMANDS = 8 };
	Command cmds[MAX_COMMANDS];
	long runs = 1000, warmup = 10;
	const char *samples_prefix = NULL;
	int opt, devnull, ncmds;
	Sample scratch;

	while ((opt = getopt(argc, argv, "+n:w:s:")) != -1) {
		switch (opt) {
		case 'n': runs = parse_count("-n", optarg, 1); break;
		case 'w': warmup = parse_count("-w", optarg, 0); break;
		case 's': samples_prefix = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	ncmds = split_commands(argc, argv, optind, cmds, MAX_COMMANDS);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0) {
		perror("spawn-bench: /dev/null");
		return 1;
	}
	for (int c = 0; c < ncmds; c++) {
		cmds[c].samples = calloc((size_t)runs, sizeof(Sample));
		if (!cmds[c].samples) {
			fprintf(stderr, "spawn-bench: out of memory\n");
			return 1;
		}
	}
	for (long i = 0; i < warmup; i++)
		for (int c = 0; c < ncmds; c++)
			if (run_once(&cmds[c], devnull, &scratch) < 0)
				return 1;
	for (long i = 0; i < runs; i++)
		for (int c = 0; c < ncmds; c++)
			if (run_once(&cmds[c], devnull, &cmds[c].samples[i]) < 0)
				return 1;
	for (int c = 0; c < ncmds; c++) {
		report(c, cmds[c].samples, runs);
		if (samples_prefix)
			write_samples(samples_prefix, c, cmds[c].samples, runs);
		free(cmds[c].samples);
	}
	return 0;
}
