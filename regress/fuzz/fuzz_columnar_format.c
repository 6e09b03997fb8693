/*-------------------------------------------------------------------------
 *
 * fuzz_columnar_format.c
 *	  libFuzzer harness for strata_columnar's skip list and chunk parsers.
 *
 * Byte 0 picks the parser (bit 0: chunk, bits 0 and 1: dictionary chunk,
 * bit 2 alone: frame-of-reference chunk, bits 2 and 0 alone: delta chunk;
 * both decoded, then indexed as plain; bits 2 and 1 alone: a row mask,
 * which must encode back to a mask of the same rows and ranks; the low
 * four bits 8: a run-length chunk, whose decoded values must encode and
 * decode back to themselves).
 * Skip list: bytes 1-4 are the stripe's row count
 * and 5-8 its data length, the rest the skip list; one that parses must
 * write back to the same bytes.  Chunk: byte 1 picks the type shape, 2-3
 * the rows, 4-5 the nulls, the rest the chunk (copied to an 8-aligned
 * buffer, as the reader's decompression buffer is).
 *
 *-------------------------------------------------------------------------
 */
#include "columnar_format.h"

#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *
alloc(size_t n)
{
	return malloc(n ? n : 1);
}

static void
fuzz_skiplist(const uint8_t *data, size_t size)
{
	ColumnarSkipList sl;
	ColumnarFormatError err;
	uint32_t	rows,
				bytes;

	if (size < 8)
		return;
	memcpy(&rows, data, 4);
	memcpy(&bytes, data + 4, 4);
	if (columnar_skiplist_parse(data + 8, size - 8, rows, bytes, alloc, &sl, &err))
	{
		size_t		n = columnar_skiplist_size(&sl);
		uint8_t    *back = malloc(n + 1);

		columnar_skiplist_write(&sl, back);
		if (n != size - 8 || memcmp(back, data + 8, n) != 0)
			abort();
		free(back);
	}
	else if (err.message[0] == '\0')
		abort();
	free(sl.group_rows);
	free(sl.chunks);
}

static void
fuzz_chunk(const uint8_t *data, size_t size)
{
	static const ColumnarTypeShape shapes[] = {
		{1, 'c'}, {2, 's'}, {4, 'i'}, {8, 'd'}, {6, 'i'}, {16, 'd'}, {-1, 'i'}, {-2, 'c'}
	};
	const ColumnarTypeShape *shape;
	ColumnarFormatError err;
	uint32_t	rows,
				nulls;
	uint8_t    *raw;
	uint32_t   *offs;

	if (size < 5)
		return;
	shape = &shapes[data[0] % 8];
	rows = data[1] | (data[2] << 8);
	nulls = data[3] | (data[4] << 8);
	raw = malloc(size - 5 + 1);
	memcpy(raw, data + 5, size - 5);
	offs = malloc(sizeof(uint32_t) * (rows + 1));
	if (columnar_chunk_index(raw, size - 5, rows, nulls, shape, offs, &err))
	{
		uint32_t	v;

		/* every offset must lie inside the chunk */
		for (v = 0; v < rows - nulls; v++)
			if (offs[v] >= size - 5)
				abort();
	}
	free(raw);
	free(offs);
}

/* A dictionary chunk: bytes 0-1 rows, 2-3 nulls, the rest the chunk. */
static void
fuzz_dict(const uint8_t *data, size_t size)
{
	uint32_t	rows,
				nulls,
				ndict,
				width;
	const uint8_t *codes;
	uint8_t    *raw;
	uint32_t   *offs;
	ColumnarFormatError err;

	if (size < 4)
		return;
	rows = data[0] | (data[1] << 8);
	nulls = data[2] | (data[3] << 8);
	raw = malloc(size - 4 + 1);
	memcpy(raw, data + 4, size - 4);
	offs = malloc(sizeof(uint32_t) * (rows + 1));
	if (columnar_dict_index(raw, size - 4, rows, nulls, &ndict, offs, &codes, &width, &err))
	{
		uint32_t	v;

		for (v = 0; v < rows - nulls; v++)
			if (columnar_dict_code(codes, width, v) >= ndict ||
				offs[columnar_dict_code(codes, width, v)] >= size - 4)
				abort();
	}
	free(raw);
	free(offs);
}

/*
 * An encoded chunk's input: byte 0 picks the shape among nshapes, 1-2 the
 * rows, 3-4 the nulls, the rest is the chunk (copied to a malloc'd buffer).
 * Returns the chunk's length, or -1 when the input is too short.
 */
static long
encoded_chunk(const uint8_t *data, size_t size, const ColumnarTypeShape *shapes, int nshapes,
			  const ColumnarTypeShape **shape, uint32_t *rows, uint32_t *nulls, uint8_t **raw)
{
	if (size < 5)
		return -1;
	*shape = &shapes[data[0] % nshapes];
	*rows = data[1] | (data[2] << 8);
	*nulls = data[3] | (data[4] << 8);
	*raw = malloc(size - 5 + 1);
	memcpy(*raw, data + 5, size - 5);
	return (long) (size - 5);
}

/* A FOR or delta chunk (see encoded_chunk). */
static void
fuzz_for(const uint8_t *data, size_t size, bool delta)
{
	static const ColumnarTypeShape shapes[] = {{2, 's'}, {4, 'i'}, {8, 'd'}, {1, 'c'}};
	const ColumnarTypeShape *shape;
	uint32_t	rows,
				nulls;
	uint8_t    *raw;
	uint8_t    *plain;
	uint32_t   *offs;
	ColumnarFormatError err;

	if (encoded_chunk(data, size, shapes, 4, &shape, &rows, &nulls, &raw) < 0)
		return;
	plain = malloc(columnar_for_plain_size(rows, nulls, shape) + 8);
	offs = malloc(sizeof(uint32_t) * (rows + 1));
	if (delta ? columnar_delta_decode(raw, size - 5, rows, nulls, shape, plain, &err) :
		columnar_for_decode(raw, size - 5, rows, nulls, shape, plain, &err))
		(void) columnar_chunk_index(plain, columnar_for_plain_size(rows, nulls, shape), rows, nulls,
									shape, offs, &err);
	else if (err.message[0] == '\0')
		abort();
	free(raw);
	free(plain);
	free(offs);
}

/* A run-length chunk (see encoded_chunk). */
static void
fuzz_rle(const uint8_t *data, size_t size)
{
	static const ColumnarTypeShape shapes[] = {{2, 's'}, {4, 'i'}, {8, 'd'}, {1, 'c'},
	{6, 'i'}, {16, 'c'}, {12, 'd'}, {3, 's'}};
	const ColumnarTypeShape *shape;
	uint32_t	rows,
				nulls;
	size_t		plain_len;
	size_t		bitmap_len;
	uint8_t    *raw;
	uint8_t    *plain;
	uint8_t    *again;
	uint8_t    *enc;
	ColumnarFormatError err;

	if (encoded_chunk(data, size, shapes, 8, &shape, &rows, &nulls, &raw) < 0)
		return;
	plain_len = columnar_for_plain_size(rows, nulls, shape);
	plain = malloc(plain_len + 8);
	if (!columnar_rle_decode(raw, size - 5, rows, nulls, shape, plain, &err))
	{
		if (err.message[0] == '\0')
			abort();
		free(raw);
		free(plain);
		return;
	}
	/* the values decoded encode into a chunk that decodes to them again */
	bitmap_len = nulls > 0 ? columnar_bitmap_size(rows) : 0;
	enc = malloc(bitmap_len + columnar_rle_encode(plain + bitmap_len, rows - nulls, shape, NULL) + 8);
	memcpy(enc, plain, bitmap_len);
	again = malloc(plain_len + 8);
	if (!columnar_rle_decode(enc, bitmap_len +
							 columnar_rle_encode(plain + bitmap_len, rows - nulls, shape, enc + bitmap_len),
							 rows, nulls, shape, again, &err) ||
		memcmp(plain, again, plain_len) != 0)
		abort();
	free(raw);
	free(plain);
	free(again);
	free(enc);
}

static void
fuzz_mask(const uint8_t *data, size_t size)
{
	static uint8_t bits[COLUMNAR_MASK_BYTES];
	static uint8_t again[COLUMNAR_MASK_BYTES];
	static uint16_t offsets[COLUMNAR_MASK_SPAN];
	static uint8_t enc[1 + COLUMNAR_MASK_BYTES];
	ColumnarFormatError err;
	uint32_t	count,
				n = 0,
				count2,
				rank,
				i;
	size_t		len;

	memset(bits, 0, sizeof(bits));
	if (!columnar_mask_parse(data, size, bits, &count, &err))
	{
		if (err.message[0] == '\0')
			abort();
		return;
	}
	for (i = 0; i < COLUMNAR_MASK_SPAN; i++)
		if ((bits[i >> 3] >> (i & 7)) & 1)
		{
			if (!columnar_mask_find(data, size, i, &rank) || rank != n)
				abort();
			offsets[n++] = (uint16_t) i;
		}
	if (n != count)
		abort();
	len = columnar_mask_encode(offsets, n, enc);
	memset(again, 0, sizeof(again));
	if (!columnar_mask_parse(enc, len, again, &count2, &err) || count2 != n ||
		memcmp(bits, again, sizeof(bits)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if ((data[0] & 15) == 8)
		fuzz_rle(data + 1, size - 1);
	else if ((data[0] & 7) == 6)
		fuzz_mask(data + 1, size - 1);
	else if ((data[0] & 7) == 4)
		fuzz_for(data + 1, size - 1, false);
	else if ((data[0] & 7) == 5)
		fuzz_for(data + 1, size - 1, true);
	else if ((data[0] & 3) == 3)
		fuzz_dict(data + 1, size - 1);
	else if (data[0] & 1)
		fuzz_chunk(data + 1, size - 1);
	else
		fuzz_skiplist(data + 1, size - 1);
	return 0;
}
