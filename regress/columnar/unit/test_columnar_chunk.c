/*-------------------------------------------------------------------------
 *
 * test_columnar_chunk.c
 *	  Chunks built by columnar_chunk_build, read back through the format's
 *	  own parsers: each column shape gets the encoding it should, the stored
 *	  bytes decompress and decode to exactly the values given, the CRC is
 *	  that of the stored bytes, and malformed values are refused.
 *
 *-------------------------------------------------------------------------
 */
#include "tap.h"
#include "columnar_chunk.h"
#include "columnar_crc.h"

#include <stdlib.h>
#include <string.h>

#define ROWS 10000

static uint32_t seed = 42;

static uint32_t
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* A column under construction, laid out as the writer lays it out. */
typedef struct Column
{
	ColumnarChunkInput in;
	uint8_t		bitmap[ROWS / 8 + 8];
	uint8_t    *values;
	size_t		len;
	size_t		cap;
} Column;

static void
column_init(Column *c, int typlen, char typalign, bool byval)
{
	free(c->values);
	memset(c, 0, sizeof(*c));
	c->in.shape.typlen = typlen;
	c->in.shape.typalign = typalign;
	c->in.byval = byval;
	c->in.encode = true;
	c->in.codec = STRATA_CODEC_ZSTD;
	c->in.level = 3;
	c->cap = 1 << 20;
	c->values = calloc(1, c->cap);
}

static void
column_reserve(Column *c, size_t n)
{
	while (c->len + n + 4 > c->cap)
	{
		c->values = realloc(c->values, c->cap * 2);
		memset(c->values + c->cap, 0, c->cap);
		c->cap *= 2;
	}
}

static void
add_null(Column *c)
{
	c->in.rows++;
	c->in.null_count++;
}

static void
add_fixed(Column *c, const void *v)
{
	size_t		stride = columnar_fixed_stride(&c->in.shape);

	column_reserve(c, stride);
	memcpy(c->values + c->len, v, c->in.shape.typlen);
	c->len += stride;
	c->bitmap[c->in.rows >> 3] |= (uint8_t) (1 << (c->in.rows & 7));
	c->in.rows++;
}

static void
add_text(Column *c, const char *s, size_t n)
{
	column_reserve(c, n + 8);
	if (n + 1 <= 127)
		c->values[c->len++] = (uint8_t) (((n + 1) << 1) | 1);
	else
	{
		uint32_t	hdr = (uint32_t) (n + 4) << 2;

		while (c->len % 4 != 0)
			c->values[c->len++] = 0;
		memcpy(c->values + c->len, &hdr, 4);
		c->len += 4;
	}
	memcpy(c->values + c->len, s, n);
	c->len += n;
	c->bitmap[c->in.rows >> 3] |= (uint8_t) (1 << (c->in.rows & 7));
	c->in.rows++;
}

/*
 * Build c's chunk and read it back: the plain chunk it decodes to must be
 * the bitmap and the values given.  Returns the encoding, or -1.
 */
static int
build_and_check(Column *c, const char *what)
{
	ColumnarChunkOutput out;
	uint8_t    *raw = NULL;
	uint8_t    *plain = NULL;
	const char *detail;
	ColumnarFormatError err;
	size_t		bitmap_len = c->in.null_count > 0 ? columnar_bitmap_size(c->in.rows) : 0;
	uint32_t	present = c->in.rows - c->in.null_count;
	uint32_t   *offs = malloc(sizeof(uint32_t) * (present + 1));
	uint32_t   *expect = malloc(sizeof(uint32_t) * (present + 1));
	int			result = -1;

	c->in.bitmap = c->bitmap;
	c->in.values = c->values;
	c->in.values_len = c->len;
	if (!columnar_chunk_build(&c->in, &out))
	{
		tap_ok(0, "%s: built", what);
		goto done;
	}
	if (out.crc != columnar_crc32c(out.stored, out.stored_len))
	{
		tap_ok(0, "%s: the CRC is that of the stored bytes", what);
		goto done;
	}
	raw = malloc(out.raw_len + 8);
	if (strata_decompress(out.codec, out.stored, out.stored_len, raw, out.raw_len, &detail) !=
		STRATA_CODEC_OK)
	{
		tap_ok(0, "%s: decompresses (%s)", what, detail);
		goto done;
	}
	if (bitmap_len > 0 && memcmp(raw, c->bitmap, (c->in.rows + 7) / 8) != 0)
	{
		tap_ok(0, "%s: the bitmap comes back", what);
		goto done;
	}
	if (c->in.shape.typlen == -1)
	{
		if (!columnar_chunk_index(c->values, c->len, present, 0, &c->in.shape, expect, &err))
			abort();
		if (out.encoding == COLUMNAR_ENCODING_DICT)
		{
			uint32_t	ndict;
			uint32_t	width;
			const uint8_t *codes;
			uint32_t	v;

			if (!columnar_dict_index(raw, out.raw_len, c->in.rows, c->in.null_count, &ndict,
									 offs, &codes, &width, &err))
			{
				tap_ok(0, "%s: a valid dictionary chunk (%s)", what, err.message);
				goto done;
			}
			for (v = 0; v < present; v++)
			{
				const uint8_t *a = raw + offs[columnar_dict_code(codes, width, v)];
				const uint8_t *b = c->values + expect[v];
				size_t		la = (a[0] & 1) ? a[0] >> 1 : (*(const uint32_t *) a) >> 2;
				size_t		lb = (b[0] & 1) ? b[0] >> 1 : (*(const uint32_t *) b) >> 2;

				if (la != lb || memcmp(a, b, la) != 0)
				{
					tap_ok(0, "%s: value %u comes back from the dictionary", what, v);
					goto done;
				}
			}
			if (out.ndict != ndict)
			{
				tap_ok(0, "%s: the build reports the dictionary's %u values", what, ndict);
				goto done;
			}
		}
		else if (out.raw_len != bitmap_len + c->len ||
				 memcmp(raw + bitmap_len, c->values, c->len) != 0)
		{
			tap_ok(0, "%s: the plain values come back", what);
			goto done;
		}
		if (memcmp(out.offsets, expect, sizeof(uint32_t) * present) != 0)
		{
			tap_ok(0, "%s: the offsets handed back are the values'", what);
			goto done;
		}
	}
	else
	{
		size_t		plain_len = bitmap_len + c->len;
		const uint8_t *back = raw;
		bool		ok = true;

		if (out.encoding != COLUMNAR_ENCODING_PLAIN)
		{
			back = plain = calloc(1, plain_len + 8);
			if (out.encoding == COLUMNAR_ENCODING_FOR)
				ok = columnar_for_decode(raw, out.raw_len, c->in.rows, c->in.null_count,
										 &c->in.shape, plain, &err);
			else if (out.encoding == COLUMNAR_ENCODING_DELTA)
				ok = columnar_delta_decode(raw, out.raw_len, c->in.rows, c->in.null_count,
										   &c->in.shape, plain, &err);
			else
				ok = columnar_rle_decode(raw, out.raw_len, c->in.rows, c->in.null_count,
										 &c->in.shape, plain, &err);
		}
		else if (out.raw_len != plain_len)
			ok = false;
		if (!ok || memcmp(back + bitmap_len, c->values, c->len) != 0)
		{
			tap_ok(0, "%s: the values come back", what);
			goto done;
		}
	}
	result = out.encoding;
done:
	columnar_chunk_output_free(&out);
	free(raw);
	free(plain);
	free(offs);
	free(expect);
	return result;
}

int
main(void)
{
	Column		c = {0};
	int			i;
	int64_t		v;
	char		s[600];

	/* timestamps a few seconds apart: delta */
	column_init(&c, 8, 'd', true);
	for (i = 0, v = 800000000000000LL; i < ROWS; i++)
	{
		v += 1000000 * (int64_t) (rnd() % 30);
		add_fixed(&c, &v);
	}
	tap_ok(build_and_check(&c, "ascending int8") == COLUMNAR_ENCODING_DELTA,
		   "ascending int8: delta");

	/* the same with NULLs among them */
	column_init(&c, 8, 'd', true);
	for (i = 0, v = 800000000000000LL; i < ROWS; i++)
	{
		if (i % 7 == 3)
		{
			add_null(&c);
			continue;
		}
		v += 1000000 * (int64_t) (rnd() % 30);
		add_fixed(&c, &v);
	}
	tap_ok(build_and_check(&c, "ascending int8 with NULLs") == COLUMNAR_ENCODING_DELTA,
		   "ascending int8 with NULLs: delta, bitmap kept");

	/* small amounts in random order: frame of reference */
	column_init(&c, 8, 'd', true);
	for (i = 0; i < ROWS; i++)
	{
		v = 100000 + rnd() % 5000;
		add_fixed(&c, &v);
	}
	tap_ok(build_and_check(&c, "narrow int8") == COLUMNAR_ENCODING_FOR,
		   "narrow random int8: frame of reference");

	/* random 64-bit keys: nothing pays */
	column_init(&c, 8, 'd', true);
	for (i = 0; i < ROWS; i++)
	{
		v = (int64_t) (((uint64_t) rnd() << 40) ^ ((uint64_t) rnd() << 16) ^ rnd());
		add_fixed(&c, &v);
	}
	tap_ok(build_and_check(&c, "random int8") == COLUMNAR_ENCODING_PLAIN,
		   "random int8: plain");

	/* long runs of a 16-byte value passed by reference: run-length or plain */
	column_init(&c, 16, 'c', false);
	for (i = 0; i < ROWS; i++)
	{
		memset(s, 'a' + (i / 1000), 16);
		add_fixed(&c, s);
	}
	{
		int			e = build_and_check(&c, "runs of 16-byte values");

		tap_ok(e == COLUMNAR_ENCODING_RLE || e == COLUMNAR_ENCODING_PLAIN,
			   "runs of 16-byte values by reference: run-length or plain (%d)", e);
	}

	/* a few distinct short strings, with NULLs: a dictionary of 1-byte codes */
	column_init(&c, -1, 'i', false);
	for (i = 0; i < ROWS; i++)
	{
		static const char *const types[] = {"view", "click", "purchase", "signup"};

		const char *t = types[rnd() % 4];

		if (i % 11 == 0)
			add_null(&c);
		else
			add_text(&c, t, strlen(t));
	}
	tap_ok(build_and_check(&c, "four strings") == COLUMNAR_ENCODING_DICT,
		   "four distinct strings with NULLs: dictionary");

	/* a thousand distinct values, some longer than a short header holds */
	column_init(&c, -1, 'i', false);
	for (i = 0; i < ROWS; i++)
	{
		int			k = rnd() % 1000;
		int			n = k % 3 == 0 ? 200 + k % 50 : 10 + k % 20;

		memset(s, 'a' + k % 26, n);
		snprintf(s, 8, "%d", k);
		s[strlen(s)] = '-';
		add_text(&c, s, n);
	}
	tap_ok(build_and_check(&c, "1000 strings") == COLUMNAR_ENCODING_DICT,
		   "a thousand distinct strings, some with 4-byte headers: dictionary of 2-byte codes");

	/* every value distinct: plain, and compressed */
	column_init(&c, -1, 'i', false);
	for (i = 0; i < ROWS; i++)
	{
		snprintf(s, sizeof(s), "https://shop.example.com/p/%u?utm_source=x&v=%u", rnd() % 100000, rnd());
		add_text(&c, s, strlen(s));
	}
	tap_ok(build_and_check(&c, "urls") == COLUMNAR_ENCODING_PLAIN, "distinct strings: plain");

	/* the same with lz4 and with no codec */
	c.in.codec = STRATA_CODEC_LZ4;
	c.in.level = 1;
	tap_ok(build_and_check(&c, "urls, lz4") == COLUMNAR_ENCODING_PLAIN, "lz4 chunks read back");
	c.in.codec = STRATA_CODEC_NONE;
	tap_ok(build_and_check(&c, "urls, no codec") == COLUMNAR_ENCODING_PLAIN,
		   "chunks stored raw read back");

	/* a dropped column: only NULLs, stored plain */
	column_init(&c, 4, 'i', true);
	c.in.encode = false;
	for (i = 0; i < ROWS; i++)
		add_null(&c);
	tap_ok(build_and_check(&c, "dropped") == COLUMNAR_ENCODING_PLAIN, "a column of NULLs: plain");

	/* values that are not a varlena chunk are refused, not read past */
	{
		ColumnarChunkOutput out;
		uint8_t		bad[64] = {0x7f, 'x'};

		free(c.values);
		memset(&c, 0, sizeof(c));
		c.in.shape.typlen = -1;
		c.in.shape.typalign = 'i';
		c.in.encode = true;
		c.in.codec = STRATA_CODEC_ZSTD;
		c.in.rows = 20;
		c.in.bitmap = c.bitmap;
		c.in.values = bad;
		c.in.values_len = 2;
		tap_ok(!columnar_chunk_build(&c.in, &out) && out.invalid && !out.out_of_memory,
			   "a value running past the chunk is refused: %s", out.err.message);
		columnar_chunk_output_free(&out);
	}
	return tap_done();
}
