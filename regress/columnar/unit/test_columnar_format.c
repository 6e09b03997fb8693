/*-------------------------------------------------------------------------
 *
 * test_columnar_format.c
 *	  Unit tests of the skip list and chunk parsers of strata_columnar.
 *
 * Round trips first, then every kind of damage a parser must refuse: cut
 * at each byte, wrong magic, counts that do not add up, chunks outside the
 * stripe, bad bounds, and chunks whose values do not fit their bytes.
 *
 *-------------------------------------------------------------------------
 */
#include "tap.h"
#include "columnar_format.h"

#include <string.h>

/* what the parsers allocate, freed at the end */
static void *allocated[256];
static int	nallocated;

static void *
alloc(size_t n)
{
	void	   *p = calloc(1, n ? n : 1);

	if (nallocated < 256)
		allocated[nallocated++] = p;
	return p;
}

/* A two-column, two-group skip list: ints with bounds, text without. */
static size_t
sample_skiplist(uint8_t **out)
{
	static uint32_t group_rows[2] = {3, 2};
	static int32_t lo = 1,
				hi = 3;
	ColumnarChunkMeta chunks[4];
	ColumnarSkipList sl = {2, 2, group_rows, chunks};
	size_t		size;

	memset(chunks, 0, sizeof(chunks));
	chunks[0] = (ColumnarChunkMeta) {0, 12, 12, 0, 0xabcd, 0, 0, true, 4, 4, (uint8_t *) &lo, (uint8_t *) &hi};
	chunks[1] = (ColumnarChunkMeta) {12, 8, 8, 0, 0x1234, 1, 0, false, 0, 0, NULL, NULL};
	chunks[2] = (ColumnarChunkMeta) {20, 30, 40, 1, 0x5678, 1, 0, false, 0, 0, NULL, NULL};
	chunks[3] = (ColumnarChunkMeta) {50, 10, 10, 2, 0x9abc, 0, 0, false, 0, 0, NULL, NULL};
	size = columnar_skiplist_size(&sl);
	*out = malloc(size);
	columnar_skiplist_write(&sl, *out);
	return size;
}

static void
test_skiplist_round_trip(void)
{
	uint8_t    *buf;
	size_t		len = sample_skiplist(&buf);
	ColumnarSkipList sl;
	ColumnarFormatError err;
	int32_t		lo,
				hi;

	tap_ok(columnar_skiplist_parse(buf, len, 5, 60, alloc, &sl, &err), "a written skip list parses");
	tap_ok(sl.column_count == 2 && sl.group_count == 2 && sl.group_rows[0] == 3 && sl.group_rows[1] == 2,
		   "counts survive the round trip");
	memcpy(&lo, sl.chunks[0].min, 4);
	memcpy(&hi, sl.chunks[0].max, 4);
	tap_ok(sl.chunks[0].has_bounds && lo == 1 && hi == 3, "bounds survive the round trip");
	tap_ok(sl.chunks[2].offset == 20 && sl.chunks[2].raw_len == 40 && sl.chunks[2].null_count == 1 &&
		   sl.chunks[2].codec == 1 && sl.chunks[2].crc == 0x5678 && !sl.chunks[2].has_bounds,
		   "chunk fields survive the round trip");
	free(buf);
}

static void
test_skiplist_damage(void)
{
	uint8_t    *buf;
	size_t		len = sample_skiplist(&buf);
	ColumnarSkipList sl;
	ColumnarFormatError err;
	size_t		cut;
	int			all = 1;
	uint8_t    *copy = malloc(len);

	for (cut = 0; cut < len; cut++)
		if (columnar_skiplist_parse(buf, cut, 5, 60, alloc, &sl, &err))
			all = 0;
	tap_ok(all, "a skip list cut at any of its %zu bytes is refused", len);

	tap_ok(!columnar_skiplist_parse(buf, len, 6, 60, alloc, &sl, &err) &&
		   strstr(err.message, "rows") != NULL,
		   "chunk groups that do not add up to the stripe's rows are refused (%s)", err.message);
	tap_ok(!columnar_skiplist_parse(buf, len, 5, 59, alloc, &sl, &err) &&
		   strstr(err.message, "outside") != NULL,
		   "a chunk outside the stripe's bytes is refused (%s)", err.message);

	memcpy(copy, buf, len);
	copy[0] ^= 1;
	tap_ok(!columnar_skiplist_parse(copy, len, 5, 60, alloc, &sl, &err) && err.offset == 0,
		   "a wrong magic number is refused at byte 0");
	memcpy(copy, buf, len);
	copy[4] = 9;
	tap_ok(!columnar_skiplist_parse(copy, len, 5, 60, alloc, &sl, &err), "an unknown version is refused");
	memcpy(copy, buf, len);
	copy[12] = 0xff;
	copy[13] = 0xff;
	copy[14] = 0xff;
	copy[15] = 0x7f;
	tap_ok(!columnar_skiplist_parse(copy, len, 5, 60, alloc, &sl, &err),
		   "a huge group count is refused before anything is allocated");
	memcpy(copy, buf, len);
	copy[16] = 0;
	tap_ok(!columnar_skiplist_parse(copy, len, 2, 60, alloc, &sl, &err), "an empty chunk group is refused");
	/* chunk 0's flags byte: 16 header + 8 group rows + 26 */
	memcpy(copy, buf, len);
	copy[16 + 8 + 26] = 0x80;
	tap_ok(!columnar_skiplist_parse(copy, len, 5, 60, alloc, &sl, &err), "unknown flag bits are refused");
	memcpy(copy, buf, len);
	copy[16 + 8 + 25] = 7;
	tap_ok(!columnar_skiplist_parse(copy, len, 5, 60, alloc, &sl, &err), "an unknown encoding is refused");
	memcpy(copy, buf, len);
	copy[16 + 8 + 16] = 9;
	tap_ok(!columnar_skiplist_parse(copy, len, 5, 60, alloc, &sl, &err), "more nulls than rows are refused");
	memcpy(copy, buf, len);
	copy[16 + 8 + 28] = 0xff;
	copy[16 + 8 + 29] = 0xff;
	tap_ok(!columnar_skiplist_parse(copy, len, 5, 60, alloc, &sl, &err), "a bound longer than the buffer is refused");

	copy = realloc(copy, len + 1);
	memcpy(copy, buf, len);
	copy[len] = 0;
	tap_ok(!columnar_skiplist_parse(copy, len + 1, 5, 60, alloc, &sl, &err), "trailing bytes are refused");
	free(copy);
	free(buf);
}

static void
test_fixed_chunks(void)
{
	ColumnarTypeShape int4 = {4, 'i'};
	ColumnarTypeShape macaddr = {6, 'i'};
	ColumnarFormatError err;
	uint32_t	offs[16];
	uint8_t		raw[64] __attribute__((aligned(8)));
	int32_t		vals[3] = {7, 8, 9};

	memcpy(raw, vals, 12);
	tap_ok(columnar_chunk_index(raw, 12, 3, 0, &int4, offs, &err) && offs[0] == 0 && offs[2] == 8,
		   "an int4 chunk without nulls is a plain array");
	tap_ok(!columnar_chunk_index(raw, 11, 3, 0, &int4, offs, &err), "an int4 chunk one byte short is refused");
	tap_ok(!columnar_chunk_index(raw, 16, 3, 0, &int4, offs, &err), "an int4 chunk one value long is refused");
	tap_ok(columnar_fixed_stride(&macaddr) == 8, "a 6-byte int-aligned type has a stride of 8");

	/* 4 rows, row 1 NULL: bitmap 0b1101 padded to 8 bytes, then 3 values */
	memset(raw, 0, sizeof(raw));
	raw[0] = 0x0d;
	memcpy(raw + 8, vals, 12);
	tap_ok(columnar_chunk_index(raw, 20, 4, 1, &int4, offs, &err) && offs[0] == 8 && offs[1] == 12,
		   "values follow an 8-aligned null bitmap");
	tap_ok(!columnar_chunk_index(raw, 20, 4, 2, &int4, offs, &err) && strstr(err.message, "bitmap") != NULL,
		   "a bitmap that disagrees with the null count is refused (%s)", err.message);
	raw[0] = 0x1d;
	tap_ok(!columnar_chunk_index(raw, 20, 4, 1, &int4, offs, &err), "bits past the last row are refused");
	tap_ok(!columnar_chunk_index(raw, 4, 4, 1, &int4, offs, &err), "a chunk shorter than its bitmap is refused");
	tap_ok(!columnar_chunk_index(raw, 20, 3, 5, &int4, offs, &err), "more nulls than rows are refused");
}

static void
test_varlena_chunks(void)
{
	ColumnarTypeShape text = {-1, 'i'};
	ColumnarTypeShape cstr = {-2, 'c'};
	ColumnarFormatError err;
	uint32_t	offs[8];
	uint8_t		raw[512] __attribute__((aligned(8)));
	uint32_t	hdr = (uint32_t) (200 + 4) << 2;
	size_t		len = 0;

	memset(raw, 0, sizeof(raw));
	/* "ab" with a short header, then a 200-byte value 4-aligned, then "" */
	raw[len++] = (3 << 1) | 1;
	raw[len++] = 'a';
	raw[len++] = 'b';
	len = 4;					/* one zero byte of padding */
	memcpy(raw + len, &hdr, 4);
	memset(raw + len + 4, 'x', 200);
	len += 204;
	raw[len++] = (1 << 1) | 1;
	tap_ok(columnar_chunk_index(raw, len, 3, 0, &text, offs, &err) &&
		   offs[0] == 0 && offs[1] == 4 && offs[2] == 208,
		   "short and long varlenas with padding are indexed");
	tap_ok(!columnar_chunk_index(raw, len - 1, 3, 0, &text, offs, &err), "a missing last value is refused");
	tap_ok(!columnar_chunk_index(raw, len, 2, 0, &text, offs, &err), "bytes after the last value are refused");

	raw[0] = 0x01;
	tap_ok(!columnar_chunk_index(raw, len, 3, 0, &text, offs, &err), "an external TOAST pointer header is refused");
	raw[0] = (3 << 1) | 1;
	raw[4] |= 2;
	tap_ok(!columnar_chunk_index(raw, len, 3, 0, &text, offs, &err) && strstr(err.message, "compressed") != NULL,
		   "a compressed 4-byte header is refused");
	raw[4] &= ~2;
	raw[3] = 7;
	tap_ok(!columnar_chunk_index(raw, len, 3, 0, &text, offs, &err), "non-zero padding is refused");
	raw[3] = 0;
	hdr = (uint32_t) 100000 << 2;
	memcpy(raw + 4, &hdr, 4);
	tap_ok(!columnar_chunk_index(raw, len, 3, 0, &text, offs, &err), "a value longer than the chunk is refused");

	memcpy(raw, "ab\0cde\0", 7);
	tap_ok(columnar_chunk_index(raw, 7, 2, 0, &cstr, offs, &err) && offs[1] == 3, "cstrings are indexed");
	tap_ok(!columnar_chunk_index(raw, 6, 2, 0, &cstr, offs, &err), "an unterminated cstring is refused");
}

/*
 * A dictionary chunk: 5 rows, row 2 NULL, values a b a a over dictionary
 * {a, b}, in codes of width bytes (little-endian).
 */
static size_t
dict_chunk_of(uint8_t *raw, uint32_t width)
{
	size_t		pos = 8;
	uint32_t	hdr[4] = {2, 4, width, 0};
	int			v;

	memset(raw, 0, 64);
	raw[0] = 0x1b;				/* rows 0, 1, 3, 4 present */
	memcpy(raw + pos, hdr, 16);
	pos += 16;
	raw[pos++] = (2 << 1) | 1;
	raw[pos++] = 'a';
	raw[pos++] = (2 << 1) | 1;
	raw[pos++] = 'b';
	for (v = 0; v < 4; v++)
	{
		raw[pos++] = v == 1;
		if (width == 2)
			raw[pos++] = 0;
	}
	return pos;
}

static size_t
dict_chunk(uint8_t *raw)
{
	return dict_chunk_of(raw, 1);
}

static void
test_dict_chunks(void)
{
	uint8_t		raw[64] __attribute__((aligned(8)));
	uint32_t	offs[8];
	uint32_t	ndict,
				width;
	const uint8_t *codes;
	ColumnarFormatError err;
	size_t		len = dict_chunk(raw);

	tap_ok(columnar_dict_index(raw, len, 5, 1, &ndict, offs, &codes, &width, &err) &&
		   ndict == 2 && width == 1 && raw[offs[columnar_dict_code(codes, width, 1)] + 1] == 'b',
		   "a dictionary chunk is indexed and its codes resolve");
	tap_ok(!columnar_dict_index(raw, len - 1, 5, 1, &ndict, offs, &codes, &width, &err),
		   "a dictionary chunk missing a code is refused");
	raw[len - 3] = 7;
	tap_ok(!columnar_dict_index(raw, len, 5, 1, &ndict, offs, &codes, &width, &err) &&
		   strstr(err.message, "past the dictionary") != NULL,
		   "a code past the dictionary is refused (%s)", err.message);
	len = dict_chunk_of(raw, 2);
	tap_ok(columnar_dict_index(raw, len, 5, 1, &ndict, offs, &codes, &width, &err) &&
		   width == 2 && raw[offs[columnar_dict_code(codes, width, 1)] + 1] == 'b' &&
		   columnar_dict_code(codes, width, 2) == 0,
		   "a dictionary chunk of two-byte codes is indexed");
	raw[len - 1] = 1;			/* the last code becomes 256 */
	tap_ok(!columnar_dict_index(raw, len, 5, 1, &ndict, offs, &codes, &width, &err) &&
		   strstr(err.message, "value 3 is past") != NULL,
		   "a two-byte code past the dictionary is refused (%s)", err.message);
	len = dict_chunk(raw);
	raw[8] = 9;
	tap_ok(!columnar_dict_index(raw, len, 5, 1, &ndict, offs, &codes, &width, &err),
		   "a dictionary claiming more entries than its bytes is refused");
	len = dict_chunk(raw);
	raw[16] = 3;
	tap_ok(!columnar_dict_index(raw, len, 5, 1, &ndict, offs, &codes, &width, &err),
		   "a code width other than 1 or 2 is refused");
	len = dict_chunk(raw);
	raw[12] = 5;
	tap_ok(!columnar_dict_index(raw, len, 5, 1, &ndict, offs, &codes, &width, &err),
		   "a dictionary length that does not match its entries is refused");
}

/* FOR round trips: values of each width, decoded back to the plain layout */
static void
test_for_chunks(void)
{
	static const ColumnarTypeShape s2 = {2, 's'},
				s4 = {4, 'i'},
				s8 = {8, 'd'},
				s1 = {1, 'c'};
	int16_t		v2[5] = {-32768, 32767, 0, 5, -1};
	int32_t		v4[6] = {1000, 1003, 1001, 1000, 1002, 1003};
	int32_t		same[4] = {7, 7, 7, 7};
	int64_t		v8[4] = {INT64_MIN, INT64_MAX, 0, -42};
	int64_t		ts[1000];
	uint8_t		enc[9000];
	uint8_t		plain[9000];
	ColumnarFormatError err;
	size_t		n;
	int			i;

	n = columnar_for_encode((const uint8_t *) v4, 6, &s4, enc);
	tap_ok(n == COLUMNAR_FOR_HEADER + 2 && enc[0] == 2 && enc[1] == 4,
		   "int4 values 1000..1003 take 2 bits each (%zu bytes)", n);
	tap_ok(columnar_for_decode(enc, n, 6, 0, &s4, plain, &err) && memcmp(plain, v4, sizeof(v4)) == 0,
		   "and decode to the same int32 array");
	n = columnar_for_encode((const uint8_t *) same, 4, &s4, enc);
	tap_ok(n == COLUMNAR_FOR_HEADER && enc[0] == 0, "equal values take no bits");
	tap_ok(columnar_for_decode(enc, n, 4, 0, &s4, plain, &err) && memcmp(plain, same, sizeof(same)) == 0,
		   "and decode back");
	n = columnar_for_encode((const uint8_t *) v2, 5, &s2, enc);
	tap_ok(enc[0] == 16 && columnar_for_decode(enc, n, 5, 0, &s2, plain, &err) &&
		   memcmp(plain, v2, sizeof(v2)) == 0, "int2 extremes need 16 bits and round-trip");
	n = columnar_for_encode((const uint8_t *) v8, 4, &s8, enc);
	tap_ok(enc[0] == 64 && columnar_for_decode(enc, n, 4, 0, &s8, plain, &err) &&
		   memcmp(plain, v8, sizeof(v8)) == 0, "int8 extremes need 64 bits and round-trip");
	for (i = 0; i < 1000; i++)
		ts[i] = INT64_C(788918400000000) + (int64_t) i * 1000003 * (i % 7);
	n = columnar_for_encode((const uint8_t *) ts, 1000, &s8, enc);
	tap_ok(enc[0] < 40 && n == COLUMNAR_FOR_HEADER + ((size_t) enc[0] * 1000 + 7) / 8 &&
		   columnar_for_decode(enc, n, 1000, 0, &s8, plain, &err) &&
		   memcmp(plain, ts, sizeof(ts)) == 0,
		   "1000 timestamps in %d bits each round-trip (%zu bytes, plain 8000)", enc[0], n);
	tap_ok(columnar_for_encode((const uint8_t *) v4, 6, &s1, NULL) == 0, "1-byte values are not encoded");

	/* scales: the diagram's example, whole seconds, midnights, old chunks */
	{
		static const uint8_t example[] = {2, 4, 0, 0, 1, 0, 0, 0, 0xe8, 3, 0, 0, 0, 0, 0, 0, 0x1c};

		n = columnar_for_encode((const uint8_t *) v4, 3, &s4, enc);
		tap_ok(n == sizeof(example) && memcmp(enc, example, n) == 0,
			   "1000, 1003, 1001 encode as the diagram says");
	}
	for (i = 0; i < 1000; i++)
		ts[i] = INT64_C(788918400000000) + (int64_t) ((i * 7919) % 7200) * 1000000;
	n = columnar_for_encode((const uint8_t *) ts, 1000, &s8, enc);
	tap_ok(enc[0] == 13 && enc[4] == 0x40 && enc[5] == 0x42 && enc[6] == 0x0f &&
		   columnar_for_decode(enc, n, 1000, 0, &s8, plain, &err) && memcmp(plain, ts, sizeof(ts)) == 0,
		   "timestamps of whole seconds over two hours: scale 1000000, 13 bits, round trip");
	for (i = 0; i < 1000; i++)
		ts[i] = INT64_C(788918400000000) + (int64_t) (i % 365) * INT64_C(86400000000);
	n = columnar_for_encode((const uint8_t *) ts, 1000, &s8, enc);
	tap_ok(enc[0] <= 14 && columnar_for_decode(enc, n, 1000, 0, &s8, plain, &err) &&
		   memcmp(plain, ts, sizeof(ts)) == 0,
		   "a year of midnights (a divisor wider than 32 bits) takes %d bits and round-trips", enc[0]);
	for (i = 0; i < 1000; i++)
		ts[i] = (int64_t) ((uint64_t) (i % 3) * UINT64_C(4611686018427387904) + UINT64_C(9223372036854775809));
	n = columnar_for_encode((const uint8_t *) ts, 1000, &s8, enc);
	tap_ok(columnar_for_decode(enc, n, 1000, 0, &s8, plain, &err) && memcmp(plain, ts, sizeof(ts)) == 0,
		   "multiples of 2^62 across the int8 range round-trip (%d bits)", enc[0]);
	n = columnar_for_encode((const uint8_t *) v4, 6, &s4, enc);
	enc[4] = 0;
	tap_ok(columnar_for_decode(enc, n, 6, 0, &s4, plain, &err) && memcmp(plain, v4, sizeof(v4)) == 0,
		   "a chunk with scale 0 (written before scales) decodes with scale 1");
	enc[2] = 1;
	tap_ok(!columnar_for_decode(enc, n, 6, 0, &s4, plain, &err) &&
		   strstr(err.message, "reserved") != NULL, "non-zero reserved bytes are refused (%s)", err.message);

	/* with nulls: the bitmap first, as in a plain chunk */
	{
		uint8_t		chunk[64];
		size_t		bitmap = columnar_bitmap_size(8);

		memset(chunk, 0, sizeof(chunk));
		chunk[0] = 0x3f;		/* rows 0-5 present, 6-7 null */
		n = columnar_for_encode((const uint8_t *) v4, 6, &s4, chunk + bitmap);
		tap_ok(columnar_for_decode(chunk, bitmap + n, 8, 2, &s4, plain, &err) &&
			   plain[0] == 0x3f && memcmp(plain + bitmap, v4, sizeof(v4)) == 0 &&
			   columnar_for_plain_size(8, 2, &s4) == bitmap + sizeof(v4),
			   "a chunk with nulls keeps its bitmap");
	}

	/* damage */
	n = columnar_for_encode((const uint8_t *) v4, 6, &s4, enc);
	tap_ok(!columnar_for_decode(enc, n - 1, 6, 0, &s4, plain, &err), "a cut chunk is refused (%s)", err.message);
	tap_ok(!columnar_for_decode(enc, n, 9, 0, &s4, plain, &err), "more rows than packed bytes hold are refused");
	enc[0] = 65;
	tap_ok(!columnar_for_decode(enc, n, 6, 0, &s4, plain, &err), "a width over 64 is refused");
	enc[0] = 2;
	enc[1] = 8;
	tap_ok(!columnar_for_decode(enc, n, 6, 0, &s4, plain, &err), "a value length not the column's is refused");
	tap_ok(!columnar_for_decode(enc, n, 6, 0, &s1, plain, &err), "a 1-byte column is refused");
	tap_ok(!columnar_for_decode(enc, 3, 6, 0, &s4, plain, &err), "a chunk shorter than its header is refused");
	tap_ok(!columnar_for_decode(enc, n, 6, 7, &s4, plain, &err), "more nulls than rows are refused");
}

/* run-length round trips over fixed-length shapes, and damaged chunks */
static void
test_rle_chunks(void)
{
	static const ColumnarTypeShape s4 = {4, 'i'},
				s6 = {6, 'i'},
				s16 = {16, 'c'};
	int32_t		v[1000];
	uint8_t		wide[5][16];
	uint8_t		mac[3][8];
	int32_t		example[4] = {7, 7, 7, 9};
	static const uint8_t example_bytes[] = {2, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0,
	7, 0, 0, 0, 9, 0, 0, 0};
	uint8_t		enc[16000];
	uint8_t		plain[16000];
	ColumnarFormatError err;
	size_t		n;
	int			i;

	n = columnar_rle_encode((const uint8_t *) example, 4, &s4, enc);
	tap_ok(n == sizeof(example_bytes) && memcmp(enc, example_bytes, n) == 0,
		   "7, 7, 7, 9 encodes as the diagram says");
	for (i = 0; i < 1000; i++)
		v[i] = i / 100;			/* ten runs of a hundred */
	n = columnar_rle_encode((const uint8_t *) v, 1000, &s4, enc);
	tap_ok(n == COLUMNAR_RLE_HEADER + 40 + 40, "ten runs take %zu bytes", n);
	tap_ok(columnar_rle_decode(enc, n, 1000, 0, &s4, plain, &err) && memcmp(plain, v, sizeof(v)) == 0,
		   "ten runs round trip");
	for (i = 0; i < 1000; i++)
		v[i] = i * 7919;		/* no run longer than one */
	n = columnar_rle_encode((const uint8_t *) v, 1000, &s4, enc);
	tap_ok(n == COLUMNAR_RLE_HEADER + 4000 + 4000 &&
		   columnar_rle_decode(enc, n, 1000, 0, &s4, plain, &err) && memcmp(plain, v, sizeof(v)) == 0,
		   "distinct values round trip");
	memset(wide, 0, sizeof(wide));
	wide[2][15] = wide[3][15] = 1;
	n = columnar_rle_encode((const uint8_t *) wide, 5, &s16, enc);
	tap_ok(columnar_rle_decode(enc, n, 5, 0, &s16, plain, &err) && memcmp(plain, wide, sizeof(wide)) == 0 &&
		   enc[0] == 3, "16-byte values: three runs round trip");
	memset(mac, 0, sizeof(mac));
	memcpy(mac[0], "\1\2\3\4\5\6", 6);
	memcpy(mac[1], "\1\2\3\4\5\6", 6);
	n = columnar_rle_encode((const uint8_t *) mac, 3, &s6, enc);
	tap_ok(enc[0] == 2 && columnar_rle_decode(enc, n, 3, 0, &s6, plain, &err) &&
		   memcmp(plain, mac, sizeof(mac)) == 0, "6-byte values at a stride of 8 round trip");
	/* with NULLs: the bitmap in front, 8-aligned */
	enc[0] = 0x05;				/* rows 0 and 2 of 3 present */
	memset(enc + 1, 0, 7);
	n = 8 + columnar_rle_encode((const uint8_t *) example, 2, &s4, enc + 8);
	tap_ok(columnar_rle_decode(enc, n, 3, 1, &s4, plain, &err) && memcmp(plain + 8, example, 8) == 0,
		   "a chunk with a NULL decodes behind its bitmap");

	n = columnar_rle_encode((const uint8_t *) example, 4, &s4, enc);
	tap_ok(!columnar_rle_decode(enc, n - 1, 4, 0, &s4, plain, &err), "a cut chunk is refused (%s)", err.message);
	tap_ok(!columnar_rle_decode(enc, n, 5, 0, &s4, plain, &err), "runs ending before the values do are refused (%s)",
		   err.message);
	tap_ok(!columnar_rle_decode(enc, n, 4, 4, &s4, plain, &err), "a chunk of only nulls is refused");
	tap_ok(!columnar_rle_decode(enc, n, 4, 0, &s16, plain, &err), "a value length not the column's is refused");
	enc[8] = 4;
	enc[12] = 3;
	tap_ok(!columnar_rle_decode(enc, n, 4, 0, &s4, plain, &err), "run ends out of order are refused (%s)",
		   err.message);
	memcpy(enc, example_bytes, sizeof(example_bytes));
	enc[0] = 9;
	tap_ok(!columnar_rle_decode(enc, n, 4, 0, &s4, plain, &err), "more runs than values are refused");
	tap_ok(columnar_rle_encode((const uint8_t *) example, 0, &s4, enc) == 0, "no values: not encoded");
}

/* delta round trips: sequences, extremes, a single value */
static void
test_delta_chunks(void)
{
	static const ColumnarTypeShape s2 = {2, 's'},
				s4 = {4, 'i'},
				s8 = {8, 'd'};
	int64_t		ts[1000];
	int64_t		wild[5] = {INT64_MAX, INT64_MIN, 0, INT64_MAX, -1};
	int32_t		down[4] = {100, 90, 80, 70};
	int16_t		one[1] = {-5};
	uint8_t		enc[9000];
	uint8_t		plain[9000];
	ColumnarFormatError err;
	size_t		n;
	int			i;

	for (i = 0; i < 1000; i++)
		ts[i] = INT64_C(788918400000000) + (int64_t) i * 1000000;
	n = columnar_delta_encode((const uint8_t *) ts, 1000, &s8, enc);
	tap_ok(n == COLUMNAR_DELTA_HEADER && enc[0] == 0,
		   "1000 timestamps a second apart take the header alone (%zu bytes)", n);
	tap_ok(columnar_delta_decode(enc, n, 1000, 0, &s8, plain, &err) && memcmp(plain, ts, sizeof(ts)) == 0,
		   "and decode back");
	ts[500] += 7;
	n = columnar_delta_encode((const uint8_t *) ts, 1000, &s8, enc);
	tap_ok(enc[0] == 4 && columnar_delta_decode(enc, n, 1000, 0, &s8, plain, &err) &&
		   memcmp(plain, ts, sizeof(ts)) == 0, "one value off the beat costs 4 bits a value, and round-trips");
	for (i = 0; i < 1000; i++)
		ts[i] = INT64_C(788918400000000) + (int64_t) i * 1000000 + (int64_t) ((i * 37) % 119 - 59) * 1000000;
	n = columnar_delta_encode((const uint8_t *) ts, 1000, &s8, enc);
	tap_ok(enc[0] <= 8 && enc[4] == 0x40 && enc[5] == 0x42 && enc[6] == 0x0f &&
		   columnar_delta_decode(enc, n, 1000, 0, &s8, plain, &err) && memcmp(plain, ts, sizeof(ts)) == 0,
		   "seconds jittered back and forth: scale 1000000, %d bits, round trip", enc[0]);
	n = columnar_delta_encode((const uint8_t *) wild, 5, &s8, enc);
	tap_ok(columnar_delta_decode(enc, n, 5, 0, &s8, plain, &err) && memcmp(plain, wild, sizeof(wild)) == 0,
		   "differences that overflow int64 still round-trip (width %d)", enc[0]);
	n = columnar_delta_encode((const uint8_t *) down, 4, &s4, enc);
	tap_ok(enc[0] == 0 && enc[4] == 10 && columnar_delta_decode(enc, n, 4, 0, &s4, plain, &err) &&
		   memcmp(plain, down, sizeof(down)) == 0, "a falling sequence has a negative step, scale 10 and no bits");
	n = columnar_delta_encode((const uint8_t *) one, 1, &s2, enc);
	tap_ok(columnar_delta_decode(enc, n, 1, 0, &s2, plain, &err) && memcmp(plain, one, 2) == 0,
		   "a single value round-trips");
	tap_ok(columnar_delta_encode((const uint8_t *) one, 0, &s2, enc) == 0, "no values: not encoded");
	n = columnar_delta_encode((const uint8_t *) down, 4, &s4, enc);
	tap_ok(!columnar_delta_decode(enc, n - 1, 4, 0, &s4, plain, &err), "a cut chunk is refused (%s)", err.message);
	tap_ok(!columnar_delta_decode(enc, n, 4, 4, &s4, plain, &err), "a chunk of only nulls is refused");
	tap_ok(!columnar_delta_decode(enc, n, 4, 0, &s8, plain, &err), "a value length not the column's is refused");
}

/* row masks: both kinds round trip, ranks, and damage */
static void
test_row_masks(void)
{
	uint16_t	few[3] = {3, 8, 8191};
	uint16_t   *many = malloc(sizeof(uint16_t) * 1000);
	uint8_t		enc[1 + COLUMNAR_MASK_BYTES];
	uint8_t		bits[COLUMNAR_MASK_BYTES];
	uint8_t		moved[24];
	ColumnarFormatError err;
	uint32_t	count = 0,
				rank = 99,
				i;
	size_t		n;
	bool		ok;
	uint64_t	v;

	n = columnar_mask_encode(few, 3, enc);
	tap_ok(n == 9 && enc[0] == COLUMNAR_MASK_LIST, "three offsets make a list of 9 bytes");
	memset(bits, 0, sizeof(bits));
	tap_ok(columnar_mask_parse(enc, n, bits, &count, &err) && count == 3 &&
		   bits[0] == 0x08 && bits[1] == 0x01 && bits[1023] == 0x80, "the list parses into its bits");
	tap_ok(columnar_mask_find(enc, n, 8, &rank) && rank == 1 &&
		   !columnar_mask_find(enc, n, 9, &rank), "offset 8 has rank 1; 9 is absent");
	for (i = 0; i < 1000; i++)
		many[i] = (uint16_t) (i * 8);
	n = columnar_mask_encode(many, 1000, enc);
	tap_ok(n == 1 + COLUMNAR_MASK_BYTES && enc[0] == COLUMNAR_MASK_BITMAP, "a thousand offsets make a bitmap");
	memset(bits, 0, sizeof(bits));
	tap_ok(columnar_mask_parse(enc, n, bits, &count, &err) && count == 1000 && bits[999] == 1 &&
		   bits[1000] == 0, "the bitmap parses into 1000 rows");
	tap_ok(columnar_mask_find(enc, n, 800, &rank) && rank == 100 &&
		   !columnar_mask_find(enc, n, 801, &rank), "bitmap ranks count the bits before");
	v = 12345;
	memset(moved, 0, sizeof(moved));
	memcpy(moved + 8, &v, 8);
	tap_ok(columnar_mask_moved(moved, 24, 1) == 12345 && columnar_mask_moved(moved, 24, 0) == 0 &&
		   columnar_mask_moved(moved, 16, 2) == 0 && columnar_mask_moved(NULL, 0, 0) == 0,
		   "moved_to gives the new row, 0 past its end");

	/* damage */
	n = columnar_mask_encode(few, 3, enc);
	ok = true;
	for (i = 0; i < n; i++)
		ok = ok && !columnar_mask_parse(enc, i, NULL, &count, &err);
	tap_ok(ok, "a list cut at any byte is refused");
	enc[3] = 9;					/* 9 before 8: out of order */
	tap_ok(!columnar_mask_parse(enc, n, NULL, &count, &err), "offsets out of order are refused (%s)", err.message);
	{
		uint16_t	past[1] = {COLUMNAR_MASK_SPAN - 1};

		n = columnar_mask_encode(past, 1, enc);
		enc[3] = 0x00;
		enc[4] = 0x20;			/* 8192 */
		tap_ok(!columnar_mask_parse(enc, n, NULL, &count, &err), "an offset past the span is refused");
	}
	enc[0] = 7;
	tap_ok(!columnar_mask_parse(enc, n, NULL, &count, &err), "an unknown kind is refused");
	n = columnar_mask_encode(many, 1000, enc);
	tap_ok(!columnar_mask_parse(enc, n - 1, NULL, &count, &err), "a short bitmap is refused");
	free(many);
}

int
main(void)
{
	test_skiplist_round_trip();
	test_skiplist_damage();
	test_fixed_chunks();
	test_varlena_chunks();
	test_dict_chunks();
	test_for_chunks();
	test_delta_chunks();
	test_rle_chunks();
	test_row_masks();
	while (nallocated > 0)
		free(allocated[--nallocated]);
	return tap_done();
}
