/*-------------------------------------------------------------------------
 *
 * replay.c
 *	  Runs a libFuzzer harness over saved inputs, without libFuzzer.
 *
 * The test command links each harness with this driver (under ASan and
 * UBSan) and replays its corpus, so every crash a fuzzing run once found
 * stays fixed.  Prints one TAP line per input.  With no arguments it
 * replays every file in FUZZ_CORPUS, the folder the Makefile compiles in.
 *
 *-------------------------------------------------------------------------
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int	count;

/* Feed one file to the harness; returns 0 when the file cannot be read. */
static int
replay_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *buf;
	long		len;

	count++;
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0)
	{
		printf("not ok %d - cannot read %s\n", count, path);
		return 0;
	}
	rewind(f);
	buf = malloc(len > 0 ? len : 1);
	if (fread(buf, 1, len, f) != (size_t) len)
	{
		printf("not ok %d - short read of %s\n", count, path);
		return 0;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t) len);
	free(buf);
	printf("ok %d - %s\n", count, path);
	fflush(stdout);
	return 1;
}

int
main(int argc, char **argv)
{
	int			ok = 1;
	int			i;

	if (argc > 1)
	{
		for (i = 1; i < argc; i++)
			ok &= replay_file(argv[i]);
	}
	else
	{
		DIR		   *dir = opendir(FUZZ_CORPUS);
		struct dirent *de;
		char		path[4096];

		if (dir == NULL)
		{
			printf("not ok 1 - cannot open corpus %s\n1..1\n", FUZZ_CORPUS);
			return 1;
		}
		while ((de = readdir(dir)) != NULL)
		{
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", FUZZ_CORPUS, de->d_name);
			ok &= replay_file(path);
		}
		closedir(dir);
	}
	printf("1..%d\n", count);
	return ok ? 0 : 1;
}
