/*-------------------------------------------------------------------------
 *
 * test_parquet_encoding.c
 *	  Unit tests of strata_parquet_encoding: every Parquet encoding.
 *
 * Three kinds of checks.  Byte vectors written by hand from Encodings.md
 * (its examples where it has them, the worked examples at the top of
 * strata_parquet_encoding.c otherwise) are decoded, and where our encoder
 * would choose the same layout, encoded to the same bytes.  Random values
 * of every bit width and length go through encoder and decoder and must
 * come back unchanged.  Every truncation of an encoding, and a list of
 * corruptions (bad widths, lengths, counts, headers), must give an error
 * status with an offset inside the input, never a crash or a read outside
 * the input: the tests run under ASan and UBSan, and truncated inputs are
 * copied to buffers of exactly their length so a stray read is caught.
 *
 *-------------------------------------------------------------------------
 */
#include "tap.h"
#include "strata_parquet_encoding.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------
 */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t
rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static StrataParquetStatus
clean_status(void)
{
	StrataParquetStatus st;

	memset(&st, 0, sizeof(st));
	return st;
}

/* A heap copy of exactly len bytes, so ASan sees any read past it. */
static uint8_t *
exact_copy(const uint8_t *p, size_t len)
{
	uint8_t    *c = malloc(len > 0 ? len : 1);

	if (len > 0)
		memcpy(c, p, len);
	return c;
}

static bool
bytes_are(const StrataParquetSink *s, const uint8_t *want, size_t len)
{
	return !s->failed && s->len == len && memcmp(s->buf, want, len) == 0;
}

/* A failed status must carry a message and an offset within the input. */
static bool
sane_failure(const StrataParquetStatus *st, size_t len)
{
	return st->failed && st->error[0] != '\0' && st->error_offset <= len;
}

/* ---------------------------------------------------------------------
 * RLE/bit-packed hybrid
 * ---------------------------------------------------------------------
 */

static bool
rle_decode_all(const uint8_t *buf, size_t len, int width, uint32_t *out, size_t n,
			   StrataParquetStatus *st)
{
	StrataParquetRleDecoder dec;

	return strata_parquet_rle_decoder_init(&dec, buf, len, width, st) &&
		strata_parquet_rle_decode(&dec, out, n, st);
}

static void
test_rle_vectors(void)
{
	/* Encodings.md: 0..7 in 3 bits, one bit-packed group */
	static const uint8_t spec[] = {0x03, 0x88, 0xC6, 0xFA};
	/* the worked example of strata_parquet_encoding.c, with its length */
	static const uint8_t levels[] = {0x04, 0x00, 0x00, 0x00, 0x14, 0x01, 0x03, 0xCA};
	static const uint32_t levels_values[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1};
	/* RLE run of 300 copies of 0x1FF in 9 bits: 300 << 1 = 600 = 0xD8 0x04 */
	static const uint8_t wide[] = {0xD8, 0x04, 0xFF, 0x01};
	/* bit width 0: a run of 5 (values are all 0), then a group of 8 */
	static const uint8_t zero[] = {0x0A, 0x03};
	/* bit width 32: RLE run of 2 copies of 0xDEADBEEF */
	static const uint8_t w32[] = {0x04, 0xEF, 0xBE, 0xAD, 0xDE};
	uint32_t	out[400];
	StrataParquetStatus st = clean_status();
	StrataParquetRleDecoder dec;
	StrataParquetSink sink;
	size_t		consumed,
				i;
	bool		ok;

	ok = rle_decode_all(spec, sizeof(spec), 3, out, 8, &st);
	for (i = 0; ok && i < 8; i++)
		ok = out[i] == i;
	tap_ok(ok, "hybrid: the spec's bit-packed example decodes to 0..7");

	strata_parquet_sink_init(&sink, NULL, NULL);
	tap_ok(strata_parquet_rle_encode(&sink, (const uint32_t[]) {0, 1, 2, 3, 4, 5, 6, 7}, 8, 3, false) &&
		   bytes_are(&sink, spec, sizeof(spec)),
		   "hybrid: encoding 0..7 in 3 bits gives the spec's bytes");
	strata_parquet_sink_free(&sink);

	ok = strata_parquet_rle_decoder_init_prefixed(&dec, levels, sizeof(levels), 1, &consumed, &st) &&
		consumed == sizeof(levels) &&
		strata_parquet_rle_decode(&dec, out, 18, &st);
	for (i = 0; ok && i < 18; i++)
		ok = out[i] == levels_values[i];
	tap_ok(ok, "hybrid: the worked example (length, RLE run, bit-packed group) decodes");

	strata_parquet_sink_init(&sink, NULL, NULL);
	tap_ok(strata_parquet_rle_encode(&sink, levels_values, 18, 1, true) &&
		   bytes_are(&sink, levels, sizeof(levels)),
		   "hybrid: the encoder writes the worked example byte for byte");
	strata_parquet_sink_free(&sink);

	ok = rle_decode_all(wide, sizeof(wide), 9, out, 300, &st);
	for (i = 0; ok && i < 300; i++)
		ok = out[i] == 0x1FF;
	tap_ok(ok, "hybrid: an RLE run of a 9-bit value takes 2 bytes");

	ok = rle_decode_all(zero, sizeof(zero), 0, out, 13, &st);
	for (i = 0; ok && i < 13; i++)
		ok = out[i] == 0;
	tap_ok(ok, "hybrid: bit width 0 reads zeros with no value bytes");

	ok = rle_decode_all(w32, sizeof(w32), 32, out, 2, &st) &&
		out[0] == 0xDEADBEEF && out[1] == 0xDEADBEEF;
	tap_ok(ok, "hybrid: bit width 32 values");

	/* decoding in several calls continues inside runs */
	ok = strata_parquet_rle_decoder_init_prefixed(&dec, levels, sizeof(levels), 1, &consumed, &st);
	for (i = 0; ok && i < 18; i += 5)
		ok = strata_parquet_rle_decode(&dec, out + i, i + 5 <= 18 ? 5 : 18 - i, &st);
	for (i = 0; ok && i < 18; i++)
		ok = out[i] == levels_values[i];
	tap_ok(ok, "hybrid: batches of 5 across run boundaries");

	tap_ok(!st.failed, "hybrid: no error on valid vectors (%s)", st.error);
}

static void
test_rle_round_trips(void)
{
	uint32_t   *values = malloc(2000 * sizeof(uint32_t));
	uint32_t   *back = malloc(2000 * sizeof(uint32_t));
	static const size_t lengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 1000, 1999};
	int			width;
	size_t		li,
				i;
	int			failures = 0;
	int			cases = 0;
	bool		prefix;

	for (width = 0; width <= 32; width++)
		for (li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++)
			for (prefix = false; ; prefix = true)
			{
				size_t		n = lengths[li];
				uint64_t	mask = width == 32 ? 0xFFFFFFFFu : ((1u << width) - 1);
				StrataParquetSink sink;
				StrataParquetStatus st = clean_status();
				StrataParquetRleDecoder dec;
				size_t		consumed = 0;
				uint8_t    *copy;
				bool		ok;

				/* runs of random length mixed with random values */
				for (i = 0; i < n;)
				{
					uint32_t	v = (uint32_t) (rng() & mask);
					size_t		run = rng() % 3 == 0 ? 1 + rng() % 40 : 1;

					while (run-- > 0 && i < n)
						values[i++] = v;
					if (rng() % 2)
						values[i - 1] = (uint32_t) (rng() & mask);
				}
				strata_parquet_sink_init(&sink, NULL, NULL);
				ok = strata_parquet_rle_encode(&sink, values, n, width, prefix);
				copy = exact_copy(sink.buf, sink.len);
				if (ok && prefix)
					ok = strata_parquet_rle_decoder_init_prefixed(&dec, copy, sink.len, width,
																  &consumed, &st) &&
						consumed == sink.len;
				else if (ok)
					ok = strata_parquet_rle_decoder_init(&dec, copy, sink.len, width, &st);
				ok = ok && strata_parquet_rle_decode(&dec, back, n, &st) &&
					(n == 0 || memcmp(values, back, n * sizeof(uint32_t)) == 0);
				if (!ok)
				{
					failures++;
					if (failures < 5)
						printf("# round trip failed: width %d, %zu values, prefix %d: %s\n",
							   width, n, prefix, st.error);
				}
				cases++;
				free(copy);
				strata_parquet_sink_free(&sink);
				if (prefix)
					break;
			}
	tap_ok(failures == 0, "hybrid: %d round trips over widths 0-32, with and without length",
		   cases);
	free(values);
	free(back);
}

static void
test_rle_errors(void)
{
	uint32_t	out[64];
	StrataParquetStatus st;
	StrataParquetRleDecoder dec;
	StrataParquetSink sink;
	size_t		consumed,
				len;
	uint32_t	values[40];
	int			bad = 0;
	int			i;

	st = clean_status();
	tap_ok(!strata_parquet_rle_decoder_init(&dec, (const uint8_t *) "", 0, 33, &st) &&
		   sane_failure(&st, 0) && strstr(st.error, "bit width") != NULL,
		   "hybrid: bit width 33 refused (%s)", st.error);

	st = clean_status();
	tap_ok(!rle_decode_all((const uint8_t[]) {0x02, 0x05}, 2, 2, out, 1, &st) &&
		   sane_failure(&st, 2) && strstr(st.error, "does not fit") != NULL,
		   "hybrid: RLE value 5 in 2 bits refused (%s)", st.error);

	st = clean_status();
	tap_ok(!rle_decode_all((const uint8_t[]) {0x02}, 1, 8, out, 1, &st) &&
		   sane_failure(&st, 1) && strstr(st.error, "truncated") != NULL,
		   "hybrid: RLE run without its value refused (%s)", st.error);

	st = clean_status();
	tap_ok(!rle_decode_all((const uint8_t[]) {0x04, 0x01}, 2, 1, out, 3, &st) &&
		   sane_failure(&st, 2) && st.error_offset == 2 && strstr(st.error, "short") != NULL,
		   "hybrid: fewer values than asked for refused at the end (%s)", st.error);

	st = clean_status();
	tap_ok(!rle_decode_all((const uint8_t[]) {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, 6, 1, out, 1, &st) &&
		   sane_failure(&st, 6) && strstr(st.error, "varint") != NULL,
		   "hybrid: run header longer than 32 bits refused (%s)", st.error);

	st = clean_status();
	tap_ok(!strata_parquet_rle_decoder_init_prefixed(&dec, (const uint8_t[]) {0x09, 0, 0, 0, 0x02, 0x01},
													 6, 1, &consumed, &st) &&
		   sane_failure(&st, 6) && strstr(st.error, "exceeds") != NULL,
		   "hybrid: length prefix past the data refused (%s)", st.error);

	st = clean_status();
	tap_ok(!strata_parquet_rle_decoder_init_prefixed(&dec, (const uint8_t[]) {0x01, 0}, 2, 1,
													 &consumed, &st) &&
		   sane_failure(&st, 2),
		   "hybrid: truncated length prefix refused (%s)", st.error);

	/* a bit-packed run cut short is read as far as it goes */
	st = clean_status();
	tap_ok(rle_decode_all((const uint8_t[]) {0x05, 0xFF}, 2, 1, out, 8, &st) && out[7] == 1 &&
		   !rle_decode_all((const uint8_t[]) {0x05, 0xFF}, 2, 1, out, 9, &st) &&
		   sane_failure(&st, 2),
		   "hybrid: a truncated bit-packed run gives its whole values only");

	st = clean_status();
	tap_ok(rle_decode_all((const uint8_t[]) {0x00, 0x01, 0x04, 0x01}, 4, 1, out, 2, &st) &&
		   out[0] == 1 && out[1] == 1,
		   "hybrid: empty runs are skipped");

	/* every truncation of a real encoding fails cleanly or decodes less */
	for (i = 0; i < 40; i++)
		values[i] = i < 12 ? 3 : (uint32_t) (rng() % 6);
	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_rle_encode(&sink, values, 40, 3, true);
	for (len = 0; len < sink.len; len++)
	{
		uint8_t    *copy = exact_copy(sink.buf, len);
		bool		ok;

		st = clean_status();
		ok = strata_parquet_rle_decoder_init_prefixed(&dec, copy, len, 3, &consumed, &st) &&
			strata_parquet_rle_decode(&dec, out, 40, &st);
		if (ok || !sane_failure(&st, len))
			bad++;
		free(copy);
	}
	tap_ok(bad == 0, "hybrid: all %zu truncations of a 40-value encoding refused", sink.len);
	strata_parquet_sink_free(&sink);

	strata_parquet_sink_init(&sink, NULL, NULL);
	tap_ok(!strata_parquet_rle_encode(&sink, (const uint32_t[]) {4}, 1, 2, false),
		   "hybrid: the encoder refuses a value wider than the bit width");
	strata_parquet_sink_free(&sink);
}

static void
test_booleans_and_indices(void)
{
	uint8_t		bools[300],
				back[300];
	uint32_t	idx[300],
				idx_back[300];
	StrataParquetSink sink;
	StrataParquetStatus st = clean_status();
	size_t		consumed,
				i;
	uint8_t    *copy;

	for (i = 0; i < 300; i++)
		bools[i] = i < 100 ? 1 : (uint8_t) (rng() & 1);
	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_rle_boolean_encode(&sink, bools, 300);
	copy = exact_copy(sink.buf, sink.len);
	tap_ok(strata_parquet_rle_boolean_decode(copy, sink.len, back, 300, &consumed, &st) &&
		   consumed == sink.len && memcmp(bools, back, 300) == 0,
		   "RLE booleans: round trip of 300 values in %zu bytes", sink.len);
	free(copy);
	strata_parquet_sink_free(&sink);

	for (i = 0; i < 300; i++)
		idx[i] = (uint32_t) (rng() % 1000);
	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_dict_indices_encode(&sink, idx, 300, strata_parquet_bit_width(999));
	copy = exact_copy(sink.buf, sink.len);
	tap_ok(sink.buf[0] == 10 &&
		   strata_parquet_dict_indices_decode(copy, sink.len, idx_back, 300, &st) &&
		   memcmp(idx, idx_back, sizeof(idx)) == 0,
		   "dictionary indices: bit width byte 10, then 300 indices");
	free(copy);
	strata_parquet_sink_free(&sink);

	st = clean_status();
	tap_ok(!strata_parquet_dict_indices_decode((const uint8_t[]) {33, 0}, 2, idx_back, 1, &st) &&
		   sane_failure(&st, 2) && strstr(st.error, "exceeds 32") != NULL,
		   "dictionary indices: bit width 33 refused (%s)", st.error);
	st = clean_status();
	tap_ok(!strata_parquet_dict_indices_decode((const uint8_t *) "", 0, idx_back, 1, &st) &&
		   sane_failure(&st, 0) &&
		   strata_parquet_dict_indices_decode((const uint8_t *) "", 0, idx_back, 0, &st),
		   "dictionary indices: missing bit width refused unless no value is asked");
}

static void
test_bit_packed_legacy(void)
{
	/* Encodings.md: 0..7 in 3 bits, most significant bit first */
	static const uint8_t spec[] = {0x05, 0x39, 0x77};
	uint32_t	out[8];
	StrataParquetStatus st = clean_status();
	size_t		consumed,
				i;
	bool		ok;

	ok = strata_parquet_bit_packed_decode(spec, 3, 3, out, 8, &consumed, &st) && consumed == 3;
	for (i = 0; ok && i < 8; i++)
		ok = out[i] == i;
	tap_ok(ok, "BIT_PACKED: the spec's example decodes to 0..7");

	st = clean_status();
	tap_ok(!strata_parquet_bit_packed_decode(spec, 2, 3, out, 8, &consumed, &st) &&
		   sane_failure(&st, 2),
		   "BIT_PACKED: 8 values of 3 bits need 3 bytes (%s)", st.error);
}

/* ---------------------------------------------------------------------
 * PLAIN
 * ---------------------------------------------------------------------
 */

static void
test_plain(void)
{
	static const uint8_t i32[] = {0x01, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF};
	static const uint8_t i64[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80};
	static const uint8_t f32[] = {0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0xC0, 0x7F};
	static const uint8_t f64[] = {0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0x80};
	static const uint8_t bools[] = {0x05, 0x01};	/* 1 0 1 0 0 0 0 0, 1 */
	static const uint8_t int96[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	static const uint8_t ba[] = {3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 2, 0, 0, 0, 0xC3, 0xA9};
	int32_t		o32[2];
	int64_t		o64[1];
	float		of[2];
	double		od[2];
	uint8_t		ob[9],
				o96[12],
				oflba[6];
	StrataParquetSpan spans[3];
	StrataParquetStatus st = clean_status();
	StrataParquetSink sink;
	size_t		consumed;
	size_t		len;
	int			bad;

	tap_ok(strata_parquet_plain_decode(i32, 8, STRATA_PARQUET_INT32, 0, o32, 2, &consumed, &st) &&
		   o32[0] == 1 && o32[1] == -2 && consumed == 8, "PLAIN INT32: 1, -2");
	tap_ok(strata_parquet_plain_decode(i64, 8, STRATA_PARQUET_INT64, 0, o64, 1, &consumed, &st) &&
		   o64[0] == INT64_MIN, "PLAIN INT64: INT64_MIN");
	tap_ok(strata_parquet_plain_decode(f32, 8, STRATA_PARQUET_FLOAT, 0, of, 2, &consumed, &st) &&
		   of[0] == 1.0f && isnan(of[1]), "PLAIN FLOAT: 1.0, NaN");
	tap_ok(strata_parquet_plain_decode(f64, 16, STRATA_PARQUET_DOUBLE, 0, od, 2, &consumed, &st) &&
		   od[0] == 1.0 && od[1] == 0.0 && signbit(od[1]), "PLAIN DOUBLE: 1.0, -0.0");
	tap_ok(strata_parquet_plain_decode(bools, 2, STRATA_PARQUET_BOOLEAN, 0, ob, 9, &consumed, &st) &&
		   consumed == 2 && ob[0] == 1 && ob[1] == 0 && ob[2] == 1 && ob[3] == 0 && ob[8] == 1,
		   "PLAIN BOOLEAN: bit-packed from the least significant bit");
	tap_ok(strata_parquet_plain_decode(int96, 12, STRATA_PARQUET_INT96, 0, o96, 1, &consumed, &st) &&
		   memcmp(o96, int96, 12) == 0, "PLAIN INT96: 12 bytes as stored");
	tap_ok(strata_parquet_plain_decode(int96, 12, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 3, oflba, 2,
									   &consumed, &st) &&
		   consumed == 6 && memcmp(oflba, int96, 6) == 0, "PLAIN FIXED_LEN_BYTE_ARRAY(3)");
	tap_ok(strata_parquet_plain_decode(ba, sizeof(ba), STRATA_PARQUET_BYTE_ARRAY, 0, spans, 3,
									   &consumed, &st) &&
		   consumed == sizeof(ba) && spans[0].offset == 4 && spans[0].length == 3 &&
		   spans[1].length == 0 && spans[2].offset == 15 && spans[2].length == 2,
		   "PLAIN BYTE_ARRAY: spans into the page (\"abc\", \"\", \"é\")");

	/* the encoders give the same bytes back */
	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_plain_encode(&sink, STRATA_PARQUET_INT32, 0, (const int32_t[]) {1, -2}, 2);
	strata_parquet_plain_encode(&sink, STRATA_PARQUET_INT64, 0, (const int64_t[]) {INT64_MIN}, 1);
	strata_parquet_plain_encode(&sink, STRATA_PARQUET_BOOLEAN, 0,
								(const uint8_t[]) {1, 0, 1, 0, 0, 0, 0, 0, 1}, 9);
	strata_parquet_plain_encode(&sink, STRATA_PARQUET_INT96, 0, int96, 1);
	strata_parquet_plain_encode_byte_array(&sink, ba, spans, 3);
	tap_ok(!sink.failed && sink.len == 8 + 8 + 2 + 12 + sizeof(ba) &&
		   memcmp(sink.buf, i32, 8) == 0 && memcmp(sink.buf + 8, i64, 8) == 0 &&
		   memcmp(sink.buf + 16, bools, 2) == 0 && memcmp(sink.buf + 18, int96, 12) == 0 &&
		   memcmp(sink.buf + 30, ba, sizeof(ba)) == 0,
		   "PLAIN encoders write the same bytes");
	strata_parquet_sink_free(&sink);

	/* truncations */
	bad = 0;
	for (len = 0; len < sizeof(ba); len++)
	{
		uint8_t    *copy = exact_copy(ba, len);

		st = clean_status();
		if (strata_parquet_plain_decode(copy, len, STRATA_PARQUET_BYTE_ARRAY, 0, spans, 3,
										&consumed, &st) || !sane_failure(&st, len))
			bad++;
		free(copy);
	}
	for (len = 0; len < 8; len++)
	{
		uint8_t    *copy = exact_copy(i32, len);

		st = clean_status();
		if (strata_parquet_plain_decode(copy, len, STRATA_PARQUET_INT32, 0, o32, 2,
										&consumed, &st) || !sane_failure(&st, len))
			bad++;
		free(copy);
	}
	st = clean_status();
	if (strata_parquet_plain_decode(bools, 1, STRATA_PARQUET_BOOLEAN, 0, ob, 9, &consumed, &st))
		bad++;
	st = clean_status();
	if (strata_parquet_plain_decode(ba, 6, STRATA_PARQUET_BYTE_ARRAY, 0, spans, 1, &consumed, &st) ||
		strstr(st.error, "overruns") == NULL)
		bad++;
	st = clean_status();
	if (strata_parquet_plain_decode(ba, 8, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 0, spans, 1,
									&consumed, &st) || !sane_failure(&st, 8))
		bad++;
	tap_ok(bad == 0, "PLAIN: truncations, an overrunning length and FLBA of length 0 refused");

	/* a huge count is an error, not an overflow */
	st = clean_status();
	tap_ok(!strata_parquet_plain_decode(i64, 8, STRATA_PARQUET_INT64, 0, o64, SIZE_MAX / 4,
										&consumed, &st) && sane_failure(&st, 8),
		   "PLAIN: a count whose size overflows is refused");
}

/* ---------------------------------------------------------------------
 * DELTA_BINARY_PACKED
 * ---------------------------------------------------------------------
 */

/* the worked example of strata_parquet_encoding.c */
static const uint8_t delta_example[] = {
	0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00,
	0xC0, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

static bool
delta64_round_trip(const int64_t *values, size_t n, size_t *encoded_len)
{
	StrataParquetSink sink;
	StrataParquetDeltaDecoder dec;
	StrataParquetStatus st = clean_status();
	int64_t    *back = malloc((n + 1) * sizeof(int64_t));
	uint8_t    *copy;
	bool		ok;

	strata_parquet_sink_init(&sink, NULL, NULL);
	ok = strata_parquet_delta_encode_int64(&sink, values, n);
	copy = exact_copy(sink.buf, sink.len);
	ok = ok && strata_parquet_delta_decoder_init(&dec, copy, sink.len, &st) &&
		dec.total == n && strata_parquet_delta_decode_int64(&dec, back, n, &st) &&
		(n == 0 || memcmp(values, back, n * sizeof(int64_t)) == 0) &&
		strata_parquet_delta_decoder_end(&dec) == sink.len;
	if (!ok)
		printf("# delta64 round trip of %zu values: %s\n", n, st.error);
	*encoded_len = sink.len;
	free(copy);
	free(back);
	strata_parquet_sink_free(&sink);
	return ok;
}

static bool
delta32_round_trip(const int32_t *values, size_t n)
{
	StrataParquetSink sink;
	StrataParquetDeltaDecoder dec;
	StrataParquetStatus st = clean_status();
	int32_t    *back = malloc((n + 1) * sizeof(int32_t));
	uint8_t    *copy;
	bool		ok;
	size_t		i;

	strata_parquet_sink_init(&sink, NULL, NULL);
	ok = strata_parquet_delta_encode_int32(&sink, values, n);
	copy = exact_copy(sink.buf, sink.len);
	ok = ok && strata_parquet_delta_decoder_init(&dec, copy, sink.len, &st) &&
		strata_parquet_delta_decode_int32(&dec, back, n, &st);
	for (i = 0; ok && i < n; i++)
		ok = back[i] == values[i];
	if (!ok)
		printf("# delta32 round trip of %zu values: %s\n", n, st.error);
	free(copy);
	free(back);
	strata_parquet_sink_free(&sink);
	return ok;
}

static void
test_delta(void)
{
	static const int64_t example[] = {7, 5, 3, 1, 2, 3, 4, 5};
	int64_t		out[8];
	int64_t    *v64 = malloc(3000 * sizeof(int64_t));
	int32_t    *v32 = malloc(3000 * sizeof(int32_t));
	static const size_t lengths[] = {0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 256, 1000, 2999};
	StrataParquetDeltaDecoder dec;
	StrataParquetStatus st = clean_status();
	StrataParquetSink sink;
	size_t		li,
				i,
				len,
				elen;
	int			bad;
	bool		ok;
	uint8_t		buf[64];

	tap_ok(strata_parquet_delta_decoder_init(&dec, delta_example, sizeof(delta_example), &st) &&
		   dec.block_size == 128 && dec.miniblocks == 4 && dec.total == 8 &&
		   strata_parquet_delta_decode_int64(&dec, out, 8, &st) &&
		   memcmp(out, example, sizeof(example)) == 0 &&
		   strata_parquet_delta_decoder_end(&dec) == sizeof(delta_example),
		   "DELTA: the worked example decodes to 7 5 3 1 2 3 4 5 and ends after its padding");

	strata_parquet_sink_init(&sink, NULL, NULL);
	tap_ok(strata_parquet_delta_encode_int64(&sink, example, 8) &&
		   bytes_are(&sink, delta_example, sizeof(delta_example)),
		   "DELTA: the encoder writes the worked example byte for byte");
	strata_parquet_sink_free(&sink);

	/* spec example 1 with a valid block: 1 2 3 4 5 is all min delta, width 0 */
	memcpy(buf, (const uint8_t[]) {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0}, 10);
	st = clean_status();
	tap_ok(strata_parquet_delta_decoder_init(&dec, buf, 10, &st) &&
		   strata_parquet_delta_decode_int64(&dec, out, 5, &st) &&
		   out[0] == 1 && out[4] == 5 && strata_parquet_delta_decoder_end(&dec) == 10,
		   "DELTA: 1..5 as min delta 1 and bit width 0");

	/* extremes: every delta overflows, in both types */
	for (i = 0; i < 300; i++)
		v64[i] = i % 2 ? INT64_MAX : INT64_MIN;
	tap_ok(delta64_round_trip(v64, 300, &elen), "DELTA: INT64_MIN/INT64_MAX alternating (64-bit widths, %zu bytes)",
		   elen);
	for (i = 0; i < 300; i++)
		v32[i] = i % 3 == 0 ? INT32_MAX : i % 3 == 1 ? INT32_MIN : -1;
	tap_ok(delta32_round_trip(v32, 300), "DELTA: INT32 extremes, deltas wrapping in 32 bits");

	ok = true;
	for (li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++)
	{
		size_t		n = lengths[li];
		int			shift = (int) (rng() % 64);

		for (i = 0; i < n; i++)
		{
			v64[i] = (int64_t) (rng() >> shift) * (rng() % 2 ? 1 : -1);
			if (i > 0 && rng() % 4 == 0)
				v64[i] = v64[i - 1] + 1;	/* runs that pack to width 0 */
			v32[i] = (int32_t) v64[i];
		}
		ok = ok && delta64_round_trip(v64, n, &elen) && delta32_round_trip(v32, n);
	}
	tap_ok(ok, "DELTA: random round trips of 0 to 2999 values, INT32 and INT64");

	/* widths of unused miniblocks are arbitrary, and the padding may be missing */
	memcpy(buf, delta_example, sizeof(delta_example));
	buf[7] = 0xFF;
	buf[8] = 0x41;
	st = clean_status();
	tap_ok(strata_parquet_delta_decoder_init(&dec, buf, 12, &st) &&
		   strata_parquet_delta_decode_int64(&dec, out, 8, &st) &&
		   memcmp(out, example, sizeof(example)) == 0 &&
		   strata_parquet_delta_decoder_end(&dec) == 12,
		   "DELTA: garbage widths of unused miniblocks and a cut padding are accepted");

	/* errors */
	bad = 0;
	st = clean_status();
	memcpy(buf, (const uint8_t[]) {0x40, 0x04, 0x01, 0x00}, 4);	/* block 64 */
	if (strata_parquet_delta_decoder_init(&dec, buf, 4, &st) ||
		strstr(st.error, "multiple of 128") == NULL)
		bad++;
	st = clean_status();
	memcpy(buf, (const uint8_t[]) {0x80, 0x01, 0x08, 0x01, 0x00}, 5);	/* 8 x 16 */
	if (strata_parquet_delta_decoder_init(&dec, buf, 5, &st) ||
		strstr(st.error, "miniblocks") == NULL)
		bad++;
	st = clean_status();
	memcpy(buf, (const uint8_t[]) {0x80, 0x01, 0x00, 0x01, 0x00}, 5);	/* 0 miniblocks */
	if (strata_parquet_delta_decoder_init(&dec, buf, 5, &st))
		bad++;
	tap_ok(bad == 0, "DELTA: block sizes and miniblock counts outside the rules refused");

	memcpy(buf, delta_example, sizeof(delta_example));
	buf[6] = 65;
	st = clean_status();
	tap_ok(strata_parquet_delta_decoder_init(&dec, buf, sizeof(delta_example), &st) &&
		   !strata_parquet_delta_decode_int64(&dec, out, 8, &st) &&
		   sane_failure(&st, sizeof(delta_example)) && st.error_offset == 6 &&
		   strstr(st.error, "exceeds 64") != NULL,
		   "DELTA: miniblock bit width 65 refused at its byte (%s)", st.error);

	/* INT32 data with 64-bit deltas, as DuckDB writes it: still exact */
	{
		int64_t		wide[3] = {INT32_MIN, INT32_MAX, INT32_MIN};
		int32_t		narrow[3];

		strata_parquet_sink_init(&sink, NULL, NULL);
		strata_parquet_delta_encode_int64(&sink, wide, 3);
		st = clean_status();
		tap_ok(sink.len > 6 && sink.buf[6] > 32 &&
			   strata_parquet_delta_decoder_init(&dec, sink.buf, sink.len, &st) &&
			   strata_parquet_delta_decode_int32(&dec, narrow, 3, &st) &&
			   narrow[0] == INT32_MIN && narrow[1] == INT32_MAX && narrow[2] == INT32_MIN,
			   "DELTA: INT32 values from %d-bit miniblocks (DuckDB writes those)", sink.buf[6]);
		strata_parquet_sink_free(&sink);
	}

	st = clean_status();
	tap_ok(strata_parquet_delta_decoder_init(&dec, delta_example, sizeof(delta_example), &st) &&
		   strata_parquet_delta_decode_int64(&dec, out, 8, &st) &&
		   !strata_parquet_delta_decode_int64(&dec, out, 1, &st) &&
		   strstr(st.error, "holds 8 values") != NULL,
		   "DELTA: asking past the header's count refused (%s)", st.error);

	/* the first value's varint may not pass 64 bits */
	memcpy(buf, (const uint8_t[]) {0x80, 0x01, 0x04, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xFF, 0xFF, 0xFF, 0x02}, 14);
	st = clean_status();
	tap_ok(!strata_parquet_delta_decoder_init(&dec, buf, 14, &st) &&
		   sane_failure(&st, 14) && strstr(st.error, "varint") != NULL,
		   "DELTA: a first value past 64 bits refused (%s)", st.error);

	/* truncations of a real encoding */
	for (i = 0; i < 200; i++)
		v64[i] = (int64_t) (rng() % 100000);
	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_delta_encode_int64(&sink, v64, 200);
	bad = 0;
	for (len = 0; len < sink.len; len++)
	{
		uint8_t    *copy = exact_copy(sink.buf, len);
		int64_t    *back = malloc(200 * sizeof(int64_t));

		st = clean_status();
		ok = strata_parquet_delta_decoder_init(&dec, copy, len, &st) &&
			strata_parquet_delta_decode_int64(&dec, back, 200, &st);
		/* the last miniblock's padding may be cut: the values must still be right */
		if (ok ? memcmp(back, v64, 200 * sizeof(int64_t)) != 0 : !sane_failure(&st, len))
			bad++;
		free(back);
		free(copy);
	}
	tap_ok(bad == 0, "DELTA: all %zu truncations refused or still exact", sink.len);
	strata_parquet_sink_free(&sink);
	free(v64);
	free(v32);
}

/* ---------------------------------------------------------------------
 * Byte-array encodings
 * ---------------------------------------------------------------------
 */

/* Spans of the NUL-separated words in text, which stays their base. */
static size_t
word_spans(const char *text, size_t len, StrataParquetSpan *spans)
{
	size_t		n = 0,
				start = 0,
				i;

	for (i = 0; i <= len; i++)
		if (i == len || text[i] == '\0')
		{
			spans[n].offset = (uint32_t) start;
			spans[n].length = (uint32_t) (i - start);
			n++;
			start = i + 1;
		}
	return n;
}

static bool
same_words(const uint8_t *base_a, const StrataParquetSpan *a, const uint8_t *base_b,
		   const StrataParquetSpan *b, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (a[i].length != b[i].length ||
			memcmp(base_a + a[i].offset, base_b + b[i].offset, a[i].length) != 0)
			return false;
	return true;
}

static void
test_byte_arrays(void)
{
	static const char dl_text[] = "Hello\0World\0Foobar\0ABCDEF";
	static const char db_text[] = "axis\0axle\0babble\0babyhood";
	StrataParquetSpan in[2100],
				out[2100];
	StrataParquetSink sink;
	StrataParquetStatus st = clean_status();
	StrataParquetDeltaDecoder dec;
	StrataArena arena;
	size_t		n,
				consumed,
				data_len,
				len,
				i;
	const uint8_t *data;
	int32_t		lens[4];
	char	   *words;
	uint8_t    *copy;
	int			bad;
	bool		ok;

	strata_arena_init(&arena, 0);

	/* DELTA_LENGTH_BYTE_ARRAY: the spec's example */
	n = word_spans(dl_text, sizeof(dl_text) - 1, in);
	strata_parquet_sink_init(&sink, NULL, NULL);
	ok = strata_parquet_delta_length_encode(&sink, (const uint8_t *) dl_text, in, n) &&
		sink.len > 22 && memcmp(sink.buf + sink.len - 22, "HelloWorldFoobarABCDEF", 22) == 0 &&
		strata_parquet_delta_decoder_init(&dec, sink.buf, sink.len, &st) &&
		strata_parquet_delta_decode_int32(&dec, lens, 4, &st) &&
		lens[0] == 5 && lens[1] == 5 && lens[2] == 6 && lens[3] == 6;
	copy = exact_copy(sink.buf, sink.len);
	ok = ok && strata_parquet_delta_length_decode(copy, sink.len, out, n, &consumed, &st) &&
		consumed == sink.len && same_words((const uint8_t *) dl_text, in, copy, out, n);
	tap_ok(ok, "DELTA_LENGTH_BYTE_ARRAY: lengths 5 5 6 6, then HelloWorldFoobarABCDEF");
	free(copy);

	/* lying lengths */
	bad = 0;
	for (len = 0; len < sink.len; len++)
	{
		copy = exact_copy(sink.buf, len);
		st = clean_status();
		if (strata_parquet_delta_length_decode(copy, len, out, n, &consumed, &st) ||
			!sane_failure(&st, len))
			bad++;
		free(copy);
	}
	st = clean_status();
	if (strata_parquet_delta_length_decode(sink.buf, sink.len, out, 3, &consumed, &st) ||
		strstr(st.error, "4 lengths, 3 values") == NULL)
		bad++;
	tap_ok(bad == 0, "DELTA_LENGTH_BYTE_ARRAY: truncations and a count mismatch refused");
	strata_parquet_sink_free(&sink);

	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_delta_encode_int32(&sink, (const int32_t[]) {3, -1}, 2);
	strata_parquet_sink_append(&sink, "abcdef", 6);
	st = clean_status();
	tap_ok(!strata_parquet_delta_length_decode(sink.buf, sink.len, out, 2, &consumed, &st) &&
		   strstr(st.error, "negative") != NULL,
		   "DELTA_LENGTH_BYTE_ARRAY: a negative length refused (%s)", st.error);
	strata_parquet_sink_free(&sink);

	/* DELTA_BYTE_ARRAY: the spec's example */
	n = word_spans(db_text, sizeof(db_text) - 1, in);
	strata_parquet_sink_init(&sink, NULL, NULL);
	ok = strata_parquet_delta_byte_array_encode(&sink, (const uint8_t *) db_text, in, n) &&
		sink.len > 17 && memcmp(sink.buf + sink.len - 17, "axislebabbleyhood", 17) == 0 &&
		strata_parquet_delta_decoder_init(&dec, sink.buf, sink.len, &st) &&
		strata_parquet_delta_decode_int32(&dec, lens, 4, &st) &&
		lens[0] == 0 && lens[1] == 2 && lens[2] == 0 && lens[3] == 3;
	copy = exact_copy(sink.buf, sink.len);
	ok = ok && strata_parquet_delta_byte_array_decode(copy, sink.len, n, &arena, out, &data,
													   &data_len, &consumed, &st) &&
		consumed == sink.len && data_len == 22 &&
		same_words((const uint8_t *) db_text, in, data, out, n);
	tap_ok(ok, "DELTA_BYTE_ARRAY: prefixes 0 2 0 3, suffixes axislebabbleyhood, rebuilt");
	free(copy);

	bad = 0;
	for (len = 0; len < sink.len; len++)
	{
		copy = exact_copy(sink.buf, len);
		st = clean_status();
		if (strata_parquet_delta_byte_array_decode(copy, len, n, &arena, out, &data, &data_len,
												   &consumed, &st) ||
			!sane_failure(&st, len))
			bad++;
		free(copy);
	}
	tap_ok(bad == 0, "DELTA_BYTE_ARRAY: all %zu truncations refused", sink.len);
	strata_parquet_sink_free(&sink);

	/* a prefix longer than the previous value */
	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_delta_encode_int32(&sink, (const int32_t[]) {0, 5}, 2);
	strata_parquet_delta_encode_int32(&sink, (const int32_t[]) {3, 1}, 2);
	strata_parquet_sink_append(&sink, "abcd", 4);
	st = clean_status();
	tap_ok(!strata_parquet_delta_byte_array_decode(sink.buf, sink.len, 2, &arena, out, &data,
												   &data_len, &consumed, &st) &&
		   strstr(st.error, "longer than the previous") != NULL,
		   "DELTA_BYTE_ARRAY: a prefix past the previous value refused (%s)", st.error);
	strata_parquet_sink_free(&sink);

	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_delta_encode_int32(&sink, (const int32_t[]) {1}, 1);
	strata_parquet_delta_encode_int32(&sink, (const int32_t[]) {1}, 1);
	strata_parquet_sink_append(&sink, "a", 1);
	st = clean_status();
	tap_ok(!strata_parquet_delta_byte_array_decode(sink.buf, sink.len, 1, &arena, out, &data,
												   &data_len, &consumed, &st),
		   "DELTA_BYTE_ARRAY: a first value with a prefix refused (%s)", st.error);
	strata_parquet_sink_free(&sink);

	/* random words with shared prefixes, through both encodings */
	words = malloc(2100 * 40);
	len = 0;
	for (i = 0; i < 2100; i++)
	{
		size_t		wl = rng() % 30;
		size_t		k;

		in[i].offset = (uint32_t) len;
		/* often a prefix of the previous word, so prefixes are shared */
		for (k = 0; k < wl; k++)
			words[len + k] = i > 0 && k < in[i - 1].length && rng() % 4 != 0 ?
				words[in[i - 1].offset + k] : (char) ('a' + rng() % 26);
		in[i].length = (uint32_t) wl;
		len += wl;
	}
	ok = true;
	strata_parquet_sink_init(&sink, NULL, NULL);
	ok = strata_parquet_delta_length_encode(&sink, (uint8_t *) words, in, 2100) &&
		strata_parquet_delta_length_decode(sink.buf, sink.len, out, 2100, &consumed, &st) &&
		same_words((uint8_t *) words, in, sink.buf, out, 2100);
	strata_parquet_sink_free(&sink);
	strata_parquet_sink_init(&sink, NULL, NULL);
	ok = ok && strata_parquet_delta_byte_array_encode(&sink, (uint8_t *) words, in, 2100) &&
		strata_parquet_delta_byte_array_decode(sink.buf, sink.len, 2100, &arena, out, &data,
											   &data_len, &consumed, &st) &&
		same_words((uint8_t *) words, in, data, out, 2100);
	strata_parquet_sink_free(&sink);
	tap_ok(ok, "DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY: 2100 random words round trip");
	free(words);
	strata_arena_free_all(&arena);
}

/* ---------------------------------------------------------------------
 * BYTE_STREAM_SPLIT
 * ---------------------------------------------------------------------
 */

static void
test_byte_stream_split(void)
{
	static const uint8_t plain[] = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6};
	static const uint8_t split[] = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
	uint8_t		out[64];
	double		d[5] = {1.5, -0.0, 1e300, -2.25, 3.0};
	double		dback[5];
	StrataParquetSink sink;
	StrataParquetStatus st = clean_status();

	tap_ok(strata_parquet_byte_stream_split_decode(split, 12, 4, out, 3, &st) &&
		   memcmp(out, plain, 12) == 0,
		   "BYTE_STREAM_SPLIT: the spec's three 4-byte values");
	strata_parquet_sink_init(&sink, NULL, NULL);
	tap_ok(strata_parquet_byte_stream_split_encode(&sink, plain, 4, 3) &&
		   bytes_are(&sink, split, 12), "BYTE_STREAM_SPLIT: encoder gives the spec's bytes");
	strata_parquet_sink_free(&sink);

	strata_parquet_sink_init(&sink, NULL, NULL);
	tap_ok(strata_parquet_byte_stream_split_encode(&sink, d, 8, 5) &&
		   strata_parquet_byte_stream_split_decode(sink.buf, sink.len, 8, dback, 5, &st) &&
		   memcmp(d, dback, sizeof(d)) == 0, "BYTE_STREAM_SPLIT: doubles round trip");
	strata_parquet_sink_free(&sink);

	tap_ok(strata_parquet_byte_stream_split_decode(split, 12, 3, out, 4, &st) &&
		   out[0] == 0xAA && out[1] == 0x11 && out[2] == 0xC5 && out[3] == 0x00,
		   "BYTE_STREAM_SPLIT: FIXED_LEN_BYTE_ARRAY(3), four values");

	st = clean_status();
	tap_ok(!strata_parquet_byte_stream_split_decode(split, 11, 4, out, 3, &st) &&
		   sane_failure(&st, 11) &&
		   !strata_parquet_byte_stream_split_decode(split, 12, 4, out, 2, &st) &&
		   !strata_parquet_byte_stream_split_decode(split, 12, 0, out, 2, &st),
		   "BYTE_STREAM_SPLIT: lengths other than width * count refused (%s)", st.error);
}

/* ---------------------------------------------------------------------
 * Dispatch
 * ---------------------------------------------------------------------
 */

static void
test_dispatch(void)
{
	StrataParquetStatus st;
	StrataParquetSink sink;
	StrataArena arena;
	const uint8_t *base;
	int64_t		v64[3] = {5, -7, 1LL << 40};
	int64_t		b64[3];
	uint8_t		flba[9];
	StrataParquetSpan spans[3] = {{0, 3}, {3, 3}, {6, 3}};
	static const char fixed[] = "abcabdxyz";
	int			bad = 0;

	strata_arena_init(&arena, 0);

	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_delta_encode_int64(&sink, v64, 3);
	st = clean_status();
	tap_ok(strata_parquet_decode_values(STRATA_PARQUET_ENC_DELTA_BINARY_PACKED, STRATA_PARQUET_INT64,
										0, sink.buf, sink.len, 3, &arena, b64, &base, &st) &&
		   memcmp(v64, b64, sizeof(v64)) == 0, "dispatch: DELTA_BINARY_PACKED INT64");
	st = clean_status();
	tap_ok(!strata_parquet_decode_values(STRATA_PARQUET_ENC_DELTA_BINARY_PACKED, STRATA_PARQUET_INT64,
										 0, sink.buf, sink.len, 2, &arena, b64, &base, &st) &&
		   strstr(st.error, "holds 3 values, 2 expected") != NULL,
		   "dispatch: a DELTA count other than the page's refused (%s)", st.error);
	strata_parquet_sink_free(&sink);

	/* FIXED_LEN_BYTE_ARRAY through DELTA_BYTE_ARRAY lands in the fixed array */
	strata_parquet_sink_init(&sink, NULL, NULL);
	strata_parquet_delta_byte_array_encode(&sink, (const uint8_t *) fixed, spans, 3);
	st = clean_status();
	tap_ok(strata_parquet_decode_values(STRATA_PARQUET_ENC_DELTA_BYTE_ARRAY,
										STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 3, sink.buf, sink.len,
										3, &arena, flba, &base, &st) &&
		   memcmp(flba, fixed, 9) == 0, "dispatch: DELTA_BYTE_ARRAY of FIXED_LEN_BYTE_ARRAY(3)");
	st = clean_status();
	tap_ok(!strata_parquet_decode_values(STRATA_PARQUET_ENC_DELTA_BYTE_ARRAY,
										 STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 4, sink.buf, sink.len,
										 3, &arena, flba, &base, &st) &&
		   strstr(st.error, "type length") != NULL,
		   "dispatch: DELTA_BYTE_ARRAY values of the wrong length refused (%s)", st.error);
	strata_parquet_sink_free(&sink);

	/* encodings a type does not allow, and unknown ones */
	st = clean_status();
	if (strata_parquet_decode_values(STRATA_PARQUET_ENC_RLE, STRATA_PARQUET_INT32, 0,
									 (const uint8_t *) "\0\0\0\0", 4, 0, &arena, b64, &base, &st))
		bad++;
	st = clean_status();
	if (strata_parquet_decode_values(STRATA_PARQUET_ENC_DELTA_BINARY_PACKED, STRATA_PARQUET_DOUBLE, 0,
									 (const uint8_t *) "", 0, 0, &arena, b64, &base, &st))
		bad++;
	st = clean_status();
	if (strata_parquet_decode_values(STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT, STRATA_PARQUET_BYTE_ARRAY, 0,
									 (const uint8_t *) "", 0, 0, &arena, b64, &base, &st))
		bad++;
	st = clean_status();
	if (strata_parquet_decode_values(STRATA_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY, STRATA_PARQUET_INT32, 0,
									 (const uint8_t *) "", 0, 0, &arena, b64, &base, &st))
		bad++;
	st = clean_status();
	if (strata_parquet_decode_values(STRATA_PARQUET_ENC_RLE_DICTIONARY, STRATA_PARQUET_INT32, 0,
									 (const uint8_t *) "", 0, 0, &arena, b64, &base, &st) ||
		strstr(st.error, "dictionary") == NULL)
		bad++;
	st = clean_status();
	if (strata_parquet_decode_values(STRATA_PARQUET_ENC_BIT_PACKED, STRATA_PARQUET_INT32, 0,
									 (const uint8_t *) "", 0, 0, &arena, b64, &base, &st))
		bad++;
	st = clean_status();
	if (strata_parquet_decode_values(42, STRATA_PARQUET_INT32, 0, (const uint8_t *) "", 0, 0,
									 &arena, b64, &base, &st) ||
		strstr(st.error, "unknown encoding 42") == NULL)
		bad++;
	st = clean_status();
	if (strata_parquet_decode_values(STRATA_PARQUET_ENC_PLAIN, 9, 0, (const uint8_t *) "", 0, 0,
									 &arena, b64, &base, &st))
		bad++;
	tap_ok(bad == 0, "dispatch: wrong type/encoding pairs, dictionary, BIT_PACKED and unknown encodings refused");

	tap_ok(strata_parquet_bit_width(0) == 0 && strata_parquet_bit_width(1) == 1 &&
		   strata_parquet_bit_width(255) == 8 && strata_parquet_bit_width(256) == 9 &&
		   strata_parquet_bit_width(UINT64_MAX) == 64, "bit_width of 0, 1, 255, 256, 2^64-1");
	tap_ok(strata_parquet_value_size(STRATA_PARQUET_INT96, 0) == 12 &&
		   strata_parquet_value_size(STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 16) == 16 &&
		   strata_parquet_value_size(STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, -1) == 0 &&
		   strata_parquet_value_size(STRATA_PARQUET_BYTE_ARRAY, 0) == sizeof(StrataParquetSpan) &&
		   strata_parquet_value_size(8, 0) == 0, "value sizes");
	tap_ok(strcmp(strata_parquet_encoding_name(8), "RLE_DICTIONARY") == 0 &&
		   strcmp(strata_parquet_encoding_name(-1), "unknown") == 0 &&
		   strcmp(strata_parquet_type_name(7), "FIXED_LEN_BYTE_ARRAY") == 0,
		   "encoding and type names");
	strata_arena_free_all(&arena);
}

int
main(void)
{
	test_rle_vectors();
	test_rle_round_trips();
	test_rle_errors();
	test_booleans_and_indices();
	test_bit_packed_legacy();
	test_plain();
	test_delta();
	test_byte_arrays();
	test_byte_stream_split();
	test_dispatch();
	return tap_done();
}
