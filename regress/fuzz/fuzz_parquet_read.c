/*-------------------------------------------------------------------------
 *
 * fuzz_parquet_read.c
 *	  libFuzzer harness for strata_parquet_read and strata_parquet_encoding.
 *
 * Every input is tried two ways.
 *
 * As a whole file: the footer is located and decoded, the schema mapped to
 * its leaves, and every column chunk of every row group read (up to
 * MAX_CHUNKS of them), each from an arena with a limit, as a backend
 * reading untrusted files would set one.  A failure must come with a
 * message and an offset inside the file; a success must hold together:
 * levels within their maxima, values no more than level entries, byte
 * arrays inside their buffer.
 *
 * As one encoded page section: the first byte selects an encoding and a
 * physical type (or a level or index layout), the next two give a value
 * count, and the rest is decoded.  What decodes is encoded again with our
 * encoders and decoded once more, and must come back the same, so the
 * encoders the writer will use are fuzzed against the decoders.
 *
 * ASan and UBSan catch reads outside the input and undefined arithmetic;
 * LeakSanitizer catches what a failure path forgot to release.
 *
 * The corpus in regress/fuzz/parquet_read/ starts from small files of
 * make_parquet_samples.js (DuckDB and hyparquet-writer), files built like
 * those of test_parquet_read.c (Hadoop LZ4, page CRCs), and page sections
 * of each encoding.
 *
 *-------------------------------------------------------------------------
 */
#include "strata_parquet_read.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHUNKS 256
#define ARENA_LIMIT (16 * 1024 * 1024)

static void
check_failure(const StrataParquetStatus *st, size_t size)
{
	if (!st->failed || st->error[0] == '\0' || st->error_offset > size)
		abort();
}

static void
check_column(const StrataParquetLeaf *leaf, const StrataParquetColumnData *cd)
{
	int64_t		i,
				present = 0;

	if (cd->num_present > cd->num_values || cd->num_rows > cd->num_values ||
		(leaf->max_def > 0) != (cd->def_levels != NULL) ||
		(leaf->max_rep > 0) != (cd->rep_levels != NULL))
		abort();
	for (i = 0; i < cd->num_values; i++)
	{
		if (cd->def_levels &&
			(cd->def_levels[i] < 0 || cd->def_levels[i] > leaf->max_def))
			abort();
		if (cd->rep_levels &&
			(cd->rep_levels[i] < 0 || cd->rep_levels[i] > leaf->max_rep))
			abort();
		present += cd->def_levels == NULL || cd->def_levels[i] == leaf->max_def;
	}
	if (present != cd->num_present)
		abort();
	if (leaf->type == STRATA_PARQUET_BYTE_ARRAY)
		for (i = 0; i < cd->num_present; i++)
		{
			const StrataParquetSpan *s = (const StrataParquetSpan *) cd->values + i;

			if ((uint64_t) s->offset + s->length > cd->bytes_len)
				abort();
		}
}

static void
fuzz_file(const uint8_t *data, size_t size)
{
	StrataArena arena;
	StrataParquetFileMetaData md;
	StrataParquetStatus st;
	StrataParquetLeaf *leaves;
	int32_t		nleaves,
				g,
				c;
	size_t		off,
				len;
	int			chunks = 0;

	memset(&st, 0, sizeof(st));
	if (!strata_parquet_locate_footer(data, size, &off, &len, &st))
		return;
	strata_arena_init(&arena, 0);
	if (!strata_parquet_file_metadata_decode(data + off, len, &arena, &md, &st))
	{
		strata_arena_free_all(&arena);
		return;
	}
	memset(&st, 0, sizeof(st));
	if (!strata_parquet_schema_leaves(&md, &arena, &leaves, &nleaves, &st))
	{
		if (!st.failed || st.error[0] == '\0')
			abort();
		strata_arena_free_all(&arena);
		return;
	}
	for (g = 0; g < md.num_row_groups; g++)
		for (c = 0; c < nleaves && chunks < MAX_CHUNKS; c++, chunks++)
		{
			StrataArena col;
			StrataParquetColumnData cd;

			strata_arena_init(&col, ARENA_LIMIT);
			memset(&st, 0, sizeof(st));
			if (strata_parquet_read_column(data, size, &md, leaves, nleaves, g, c, &col, &cd, &st))
				check_column(&leaves[c], &cd);
			else
				check_failure(&st, size);
			strata_arena_free_all(&col);
		}
	strata_arena_free_all(&arena);
}

/* ---------------------------------------------------------------------
 * Page sections
 * ---------------------------------------------------------------------
 */

typedef struct Layout
{
	int32_t		encoding;		/* or one of the level layouts below */
	int32_t		type;
	int32_t		type_length;
} Layout;

#define LAYOUT_LEVELS -1		/* hybrid without length, bit width from the count */
#define LAYOUT_LEVELS_PREFIXED -2
#define LAYOUT_INDICES -3
#define LAYOUT_BIT_PACKED -4

static const Layout layouts[] = {
	{STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_BOOLEAN, 0},
	{STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_INT32, 0},
	{STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_INT64, 0},
	{STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_INT96, 0},
	{STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_FLOAT, 0},
	{STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_DOUBLE, 0},
	{STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_BYTE_ARRAY, 0},
	{STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 3},
	{STRATA_PARQUET_ENC_RLE, STRATA_PARQUET_BOOLEAN, 0},
	{STRATA_PARQUET_ENC_DELTA_BINARY_PACKED, STRATA_PARQUET_INT32, 0},
	{STRATA_PARQUET_ENC_DELTA_BINARY_PACKED, STRATA_PARQUET_INT64, 0},
	{STRATA_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY, STRATA_PARQUET_BYTE_ARRAY, 0},
	{STRATA_PARQUET_ENC_DELTA_BYTE_ARRAY, STRATA_PARQUET_BYTE_ARRAY, 0},
	{STRATA_PARQUET_ENC_DELTA_BYTE_ARRAY, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 4},
	{STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT, STRATA_PARQUET_FLOAT, 0},
	{STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT, STRATA_PARQUET_DOUBLE, 0},
	{STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT, STRATA_PARQUET_INT32, 0},
	{STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT, STRATA_PARQUET_INT64, 0},
	{STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 5},
	{LAYOUT_LEVELS, 0, 0},
	{LAYOUT_LEVELS_PREFIXED, 0, 0},
	{LAYOUT_INDICES, 0, 0},
	{LAYOUT_BIT_PACKED, 0, 0},
};

#define NUM_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

/* Encode decoded values again, the way the writer will. */
static bool
encode_values(StrataParquetSink *sink, const Layout *l, const void *values,
			  const uint8_t *base, size_t count)
{
	switch (l->encoding)
	{
		case STRATA_PARQUET_ENC_PLAIN:
			if (l->type == STRATA_PARQUET_BYTE_ARRAY)
				return strata_parquet_plain_encode_byte_array(sink, base, values, count);
			return strata_parquet_plain_encode(sink, l->type, l->type_length, values, count);
		case STRATA_PARQUET_ENC_RLE:
			return strata_parquet_rle_boolean_encode(sink, values, count);
		case STRATA_PARQUET_ENC_DELTA_BINARY_PACKED:
			return l->type == STRATA_PARQUET_INT32 ?
				strata_parquet_delta_encode_int32(sink, values, count) :
				strata_parquet_delta_encode_int64(sink, values, count);
		case STRATA_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY:
			return strata_parquet_delta_length_encode(sink, base, values, count);
		case STRATA_PARQUET_ENC_DELTA_BYTE_ARRAY:
			if (l->type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
			{
				/* fixed values as spans of themselves */
				StrataParquetSpan *spans = malloc(count * sizeof(StrataParquetSpan) + 1);
				size_t		i;
				bool		ok;

				for (i = 0; i < count; i++)
				{
					spans[i].offset = (uint32_t) (i * l->type_length);
					spans[i].length = (uint32_t) l->type_length;
				}
				ok = strata_parquet_delta_byte_array_encode(sink, values, spans, count);
				free(spans);
				return ok;
			}
			return strata_parquet_delta_byte_array_encode(sink, base, values, count);
		case STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT:
			return strata_parquet_byte_stream_split_encode(sink, values,
														   strata_parquet_value_size(l->type, l->type_length),
														   count);
	}
	return false;
}

static bool
same_values(const Layout *l, const void *a, const uint8_t *base_a, const void *b,
			const uint8_t *base_b, size_t count)
{
	size_t		i;

	if (l->type != STRATA_PARQUET_BYTE_ARRAY)
		return count == 0 ||
			memcmp(a, b, count * strata_parquet_value_size(l->type, l->type_length)) == 0;
	for (i = 0; i < count; i++)
	{
		const StrataParquetSpan *sa = (const StrataParquetSpan *) a + i;
		const StrataParquetSpan *sb = (const StrataParquetSpan *) b + i;

		if (sa->length != sb->length ||
			(sa->length > 0 && memcmp(base_a + sa->offset, base_b + sb->offset, sa->length) != 0))
			return false;
	}
	return true;
}

static void
fuzz_values(const Layout *l, const uint8_t *body, size_t len, size_t count, size_t size)
{
	StrataArena arena;
	StrataParquetStatus st;
	StrataParquetSink sink;
	size_t		vsize = strata_parquet_value_size(l->type, l->type_length);
	void	   *out = malloc(count * vsize + 1);
	void	   *again = malloc(count * vsize + 1);
	const uint8_t *base,
			   *base2;

	strata_arena_init(&arena, ARENA_LIMIT);
	memset(&st, 0, sizeof(st));
	if (!strata_parquet_decode_values(l->encoding, l->type, l->type_length, body, len, count,
									  &arena, out, &base, &st))
		check_failure(&st, size);
	else
	{
		strata_parquet_sink_init(&sink, NULL, NULL);
		memset(&st, 0, sizeof(st));
		if (!encode_values(&sink, l, out, base, count) ||
			!strata_parquet_decode_values(l->encoding, l->type, l->type_length, sink.buf,
										  sink.len, count, &arena, again, &base2, &st) ||
			!same_values(l, out, base, again, base2, count))
			abort();
		strata_parquet_sink_free(&sink);
	}
	strata_arena_free_all(&arena);
	free(out);
	free(again);
}

static void
fuzz_levels(int layout, int width, const uint8_t *body, size_t len, size_t count, size_t size)
{
	uint32_t   *out = malloc(count * sizeof(uint32_t) + 1);
	uint32_t   *again = malloc(count * sizeof(uint32_t) + 1);
	StrataParquetRleDecoder dec;
	StrataParquetStatus st;
	StrataParquetSink sink;
	size_t		consumed;
	bool		ok;

	memset(&st, 0, sizeof(st));
	switch (layout)
	{
		case LAYOUT_LEVELS:
			ok = strata_parquet_rle_decoder_init(&dec, body, len, width, &st) &&
				strata_parquet_rle_decode(&dec, out, count, &st);
			break;
		case LAYOUT_LEVELS_PREFIXED:
			ok = strata_parquet_rle_decoder_init_prefixed(&dec, body, len, width, &consumed, &st) &&
				strata_parquet_rle_decode(&dec, out, count, &st);
			break;
		case LAYOUT_INDICES:
			ok = strata_parquet_dict_indices_decode(body, len, out, count, &st);
			width = len > 0 ? body[0] : 0;
			break;
		default:
			ok = strata_parquet_bit_packed_decode(body, len, width, out, count, &consumed, &st);
			break;
	}
	if (!ok)
		check_failure(&st, size);
	else if (layout != LAYOUT_BIT_PACKED && count > 0)
	{
		/* every decoded value fits its width: the encoder takes them back */
		strata_parquet_sink_init(&sink, NULL, NULL);
		memset(&st, 0, sizeof(st));
		if (!strata_parquet_rle_encode(&sink, out, count, width, false) ||
			!strata_parquet_rle_decoder_init(&dec, sink.buf, sink.len, width, &st) ||
			!strata_parquet_rle_decode(&dec, again, count, &st) ||
			memcmp(out, again, count * sizeof(uint32_t)) != 0)
			abort();
		strata_parquet_sink_free(&sink);
	}
	free(out);
	free(again);
}

static void
fuzz_page(const uint8_t *data, size_t size)
{
	const Layout *l;
	size_t		count;

	if (size < 3)
		return;
	l = &layouts[data[0] % NUM_LAYOUTS];
	count = (size_t) data[1] | (size_t) data[2] << 8;
	if (l->encoding >= 0)
		fuzz_values(l, data + 3, size - 3, count, size);
	else
		fuzz_levels(l->encoding, (data[0] / NUM_LAYOUTS + data[1]) % 33, data + 3, size - 3,
					count, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_file(data, size);
	fuzz_page(data, size);
	return 0;
}
