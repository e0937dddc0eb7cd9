/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Without libFuzzer: replays every file of the given corpus directories (or
 * files) through the target once, as a normal test. */
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	g_autofree gchar *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, NULL)) {
		fprintf(stderr, "cannot read %s\n", path);
		return 0;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	return 1;
}

static int replay_dir(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;
	int n = 0;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);

		n += replay_file(child);
	}
	return n;
}

int main(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++)
		n += g_file_test(argv[i], G_FILE_TEST_IS_DIR) ? replay_dir(argv[i])
							      : replay_file(argv[i]);
	printf("replayed %d inputs\n", n);
	return n > 0 ? 0 : 1;
}
