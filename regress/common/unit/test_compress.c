/*-------------------------------------------------------------------------
 *
 * test_compress.c
 *	  Unit tests of strata_compress: round trips, levels, and bad input.
 *
 * Every codec gets the same corrupt inputs: random bytes, a valid stream
 * cut short, a valid stream with bytes flipped, a wrong recorded length,
 * and another codec's stream.  Each must come back as an error status and
 * must not write past the output buffer (the tests run under ASan, and a
 * guard region after the buffer is checked too).
 *
 *-------------------------------------------------------------------------
 */
#include "tap.h"
#include "strata_compress.h"

#include <stdint.h>
#include <string.h>

#define GUARD 64

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t
rng(void)
{
	uint64_t	z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Text-like input that compresses, with some random bytes mixed in. */
static void
fill_sample(unsigned char *buf, size_t len)
{
	static const char words[] = "purchase view click signup US DE JP BR ";
	size_t		i;

	for (i = 0; i < len; i++)
		buf[i] = (i % 97 == 0) ? (unsigned char) rng() : (unsigned char) words[(i * 7 + i / 13) % (sizeof(words) - 1)];
}

static int
guard_intact(const unsigned char *p)
{
	int			i;

	for (i = 0; i < GUARD; i++)
		if (p[i] != 0xA5)
			return 0;
	return 1;
}

/*
 * Decompress into a buffer of exactly dstlen bytes followed by a guard, and
 * report whether the status was as expected and the guard untouched.
 */
static StrataCodecStatus
decompress_guarded(StrataCodec codec, const void *src, size_t srclen,
				   size_t dstlen, int *guard_ok, const char **detail)
{
	unsigned char *dst = malloc(dstlen + GUARD);
	StrataCodecStatus st;

	memset(dst, 0xA5, dstlen + GUARD);
	st = strata_decompress(codec, src, srclen, dst, dstlen, detail);
	*guard_ok = guard_intact(dst + dstlen);
	free(dst);
	return st;
}

static void
test_names(void)
{
	StrataCodec c;
	int			i;

	for (i = 0; i < STRATA_CODEC_COUNT; i++)
	{
		const char *name = strata_codec_name((StrataCodec) i);

		tap_ok(strata_codec_from_name(name, &c) && c == (StrataCodec) i,
			   "codec name %s maps back to itself", name);
	}
	tap_ok(strata_codec_from_name("ZSTD", &c) && c == STRATA_CODEC_ZSTD,
		   "codec names are case-insensitive");
	tap_ok(!strata_codec_from_name("brotli", &c), "unknown codec name is refused");
	tap_ok(!strata_codec_from_name(NULL, &c), "NULL codec name is refused");
	tap_ok(strcmp(strata_codec_name((StrataCodec) 99), "unknown") == 0,
		   "out-of-range codec has a printable name");
}

static void
test_none_lengths(void)
{
	const char *detail;
	int			guard_ok;

	tap_ok(decompress_guarded(STRATA_CODEC_NONE, "abcdef", 6, 5, &guard_ok, &detail) == STRATA_CODEC_CORRUPT && guard_ok,
		   "none: stored bytes longer than recorded are corrupt");
	tap_ok(decompress_guarded(STRATA_CODEC_NONE, "abcdef", 6, 7, &guard_ok, &detail) == STRATA_CODEC_CORRUPT && guard_ok,
		   "none: stored bytes shorter than recorded are corrupt");
}

static void
test_round_trips(StrataCodec codec)
{
	static const size_t sizes[] = {0, 1, 17, 4096, 1 << 20};
	int			minl,
				maxl,
				dflt;
	int			level;
	size_t		s;
	const char *name = strata_codec_name(codec);

	strata_codec_level_range(codec, &minl, &maxl, &dflt);
	tap_ok(minl <= dflt && dflt <= maxl, "%s default level %d lies in [%d, %d]",
		   name, dflt, minl, maxl);

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
	{
		size_t		len = sizes[s];
		unsigned char *src = malloc(len + 1);
		size_t		bound = strata_compress_bound(codec, len);
		unsigned char *comp = malloc(bound + 1);
		int			ok = 1;

		fill_sample(src, len);
		for (level = minl; level <= maxl; level += (maxl - minl > 4 ? (maxl - minl) / 3 : 1))
		{
			size_t		clen;
			const char *detail;
			StrataCodecStatus st;
			unsigned char *out = malloc(len + GUARD);

			st = strata_compress(codec, level, src, len, comp, bound, &clen, &detail);
			if (st != STRATA_CODEC_OK || clen > bound)
				ok = 0;
			memset(out, 0xA5, len + GUARD);
			if (ok && (strata_decompress(codec, comp, clen, out, len, &detail) != STRATA_CODEC_OK ||
					   memcmp(out, src, len) != 0 || !guard_intact(out + len)))
				ok = 0;
			free(out);
			if (!ok)
			{
				printf("# %s level %d size %zu: %s\n", name, level, len, detail ? detail : "mismatch");
				break;
			}
			if (maxl == minl)
				break;
		}
		tap_ok(ok, "%s round trip of %zu bytes at every tested level", name, len);
		free(src);
		free(comp);
	}

	/* a compressible megabyte must actually shrink, except for none */
	if (codec != STRATA_CODEC_NONE)
	{
		size_t		len = 1 << 20;
		unsigned char *src = malloc(len);
		size_t		bound = strata_compress_bound(codec, len);
		unsigned char *comp = malloc(bound);
		size_t		clen = 0;
		const char *detail;

		fill_sample(src, len);
		strata_compress(codec, dflt, src, len, comp, bound, &clen, &detail);
		tap_ok(clen > 0 && clen < len / 2, "%s shrinks 1 MB of text to %zu bytes", name, clen);
		free(src);
		free(comp);
	}
}

static void
test_bad_arguments(StrataCodec codec)
{
	int			minl,
				maxl,
				dflt;
	unsigned char src[100];
	unsigned char dst[1000];
	size_t		clen;
	const char *detail;
	const char *name = strata_codec_name(codec);

	memset(src, 'x', sizeof(src));
	strata_codec_level_range(codec, &minl, &maxl, &dflt);
	tap_ok(strata_compress(codec, maxl + 1, src, sizeof(src), dst, sizeof(dst), &clen, &detail) == STRATA_CODEC_BAD_LEVEL
		   && detail != NULL,
		   "%s refuses level %d", name, maxl + 1);
	tap_ok(strata_compress(codec, dflt, src, sizeof(src), dst, 10, &clen, &detail) == STRATA_CODEC_DST_TOO_SMALL,
		   "%s refuses an output buffer below its bound", name);
}

/*
 * Feed each kind of corrupt stream to the codec.  Every case must return a
 * status other than OK, set detail, and leave the guard alone.
 */
static void
test_corrupt(StrataCodec codec)
{
	const char *name = strata_codec_name(codec);
	size_t		len = 64 * 1024;
	unsigned char *src = malloc(len);
	size_t		bound = strata_compress_bound(codec, len);
	unsigned char *comp = malloc(bound);
	size_t		clen;
	const char *detail;
	int			guard_ok;
	int			i;
	int			all_ok;
	StrataCodecStatus st;

	int			minl,
				maxl,
				dflt;

	fill_sample(src, len);
	strata_codec_level_range(codec, &minl, &maxl, &dflt);
	strata_compress(codec, dflt, src, len, comp, bound, &clen, &detail);

	/* wrong recorded length, both ways */
	st = decompress_guarded(codec, comp, clen, len - 1, &guard_ok, &detail);
	tap_ok(st == STRATA_CODEC_CORRUPT && guard_ok && detail != NULL,
		   "%s: a stream longer than recorded is corrupt (%s)", name, detail ? detail : "no detail");
	st = decompress_guarded(codec, comp, clen, len + 1, &guard_ok, &detail);
	tap_ok(st == STRATA_CODEC_CORRUPT && guard_ok && detail != NULL,
		   "%s: a stream shorter than recorded is corrupt (%s)", name, detail ? detail : "no detail");

	/* truncated stream */
	st = decompress_guarded(codec, comp, clen / 2, len, &guard_ok, &detail);
	tap_ok(st == STRATA_CODEC_CORRUPT && guard_ok,
		   "%s: a truncated stream is corrupt (%s)", name, detail ? detail : "no detail");
	st = decompress_guarded(codec, comp, 0, len, &guard_ok, &detail);
	tap_ok(st == STRATA_CODEC_CORRUPT && guard_ok,
		   "%s: an empty stream is corrupt (%s)", name, detail ? detail : "no detail");

	/* random garbage of many lengths; none may decode to the recorded size */
	all_ok = 1;
	for (i = 0; i < 2000; i++)
	{
		size_t		glen = 1 + rng() % 300;
		unsigned char *garbage = malloc(glen);
		size_t		j;

		for (j = 0; j < glen; j++)
			garbage[j] = (unsigned char) rng();
		st = decompress_guarded(codec, garbage, glen, 1000 + rng() % 5000, &guard_ok, &detail);
		if (!guard_ok || (st == STRATA_CODEC_OK && codec != STRATA_CODEC_NONE) || (st != STRATA_CODEC_OK && detail == NULL))
			all_ok = 0;
		free(garbage);
	}
	tap_ok(all_ok, "%s: 2000 random buffers are refused without overrun", name);

	/* flipped bytes: may decode (codec without checksum) but never overrun */
	all_ok = 1;
	for (i = 0; i < 500; i++)
	{
		unsigned char *copy = malloc(clen);

		memcpy(copy, comp, clen);
		copy[rng() % clen] ^= (unsigned char) (1 + rng() % 255);
		copy[rng() % clen] ^= (unsigned char) (1 + rng() % 255);
		st = decompress_guarded(codec, copy, clen, len, &guard_ok, &detail);
		if (!guard_ok || (st != STRATA_CODEC_OK && detail == NULL))
			all_ok = 0;
		free(copy);
	}
	tap_ok(all_ok, "%s: 500 streams with flipped bytes never write past the buffer", name);

	free(src);
	free(comp);
}

/* A stream from one codec handed to another is refused. */
static void
test_cross_codec(void)
{
	size_t		len = 10000;
	unsigned char *src = malloc(len);
	int			a,
				b;

	fill_sample(src, len);
	for (a = 1; a < STRATA_CODEC_COUNT; a++)
	{
		size_t		bound = strata_compress_bound((StrataCodec) a, len);
		unsigned char *comp = malloc(bound);
		size_t		clen;
		const char *detail;
		int			minl,
					maxl,
					dflt;

		strata_codec_level_range((StrataCodec) a, &minl, &maxl, &dflt);
		strata_compress((StrataCodec) a, dflt, src, len, comp, bound, &clen, &detail);
		for (b = 1; b < STRATA_CODEC_COUNT; b++)
		{
			int			guard_ok;
			StrataCodecStatus st;

			if (a == b)
				continue;
			st = decompress_guarded((StrataCodec) b, comp, clen, len, &guard_ok, &detail);
			tap_ok(st == STRATA_CODEC_CORRUPT && guard_ok,
				   "%s stream handed to %s is refused", strata_codec_name((StrataCodec) a),
				   strata_codec_name((StrataCodec) b));
		}
		free(comp);
	}
	free(src);
}

/* Two gzip members back to back form one stream; zlib framing is read too. */
static void
test_gzip_members(void)
{
	const char *a = "first member, ";
	const char *b = "second member";
	unsigned char comp[512];
	size_t		la,
				lb;
	char		out[64];
	const char *detail;

	strata_compress(STRATA_CODEC_GZIP, 6, a, strlen(a), comp, 256, &la, &detail);
	strata_compress(STRATA_CODEC_GZIP, 6, b, strlen(b), comp + la, 256, &lb, &detail);
	tap_ok(strata_decompress(STRATA_CODEC_GZIP, comp, la + lb, out, strlen(a) + strlen(b), &detail) == STRATA_CODEC_OK &&
		   memcmp(out, "first member, second member", 27) == 0,
		   "gzip: concatenated members decode as one stream");
	tap_ok(comp[0] == 0x1f && comp[1] == 0x8b, "gzip output starts with the gzip magic");
}

int
main(void)
{
	int			c;

	test_names();
	test_none_lengths();
	for (c = 0; c < STRATA_CODEC_COUNT; c++)
	{
		test_round_trips((StrataCodec) c);
		test_bad_arguments((StrataCodec) c);
		if (c != STRATA_CODEC_NONE)
			test_corrupt((StrataCodec) c);
	}
	test_cross_codec();
	test_gzip_members();
	return tap_done();
}
