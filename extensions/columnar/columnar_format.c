/*-------------------------------------------------------------------------
 *
 * columnar_format.c
 *	  Serialize and parse a stripe's skip list; validate column chunks.
 *
 * SKIP LIST (strata_columnar.stripe.skiplist, one per stripe; little-endian)
 *
 *	 0  u32 magic "SCSK"   4  u16 version   6  u16 zero
 *	 8  u32 column_count  12  u32 group_count
 *	16  u32 rows of chunk group 0 .. group_count-1
 *	    then one entry per (column, chunk group), column-major:
 *	    +0 u64 offset  +8 u32 stored_len  +12 u32 raw_len  +16 u32 null_count
 *	    +20 u32 CRC-32C of the stored bytes (codecs carry no checksum of their
 *	    own, so a flipped bit could otherwise decode into wrong values)
 *	    +24 u8 codec   +25 u8 encoding    +26 u8 flags (1: has bounds) +27 u8 0
 *	    and when flags & 1: u32 min_len, min bytes, u32 max_len, max bytes
 *
 *	Example: one int4 column, one chunk group of 3 rows, zstd, no nulls,
 *	min 1 max 3:  "SCSK" 01 00 00 00 | 01 00 00 00 | 01 00 00 00 |
 *	03 00 00 00 | 00 x8 | 16 00 00 00 | 0c 00 00 00 | 00 x4 | crc x4 | 01 00 01 00 |
 *	04 00 00 00 01 00 00 00 | 04 00 00 00 03 00 00 00
 *
 * CHUNK (what one column holds for one chunk group, after decompression)
 *
 *	[null bitmap][values]
 *
 *	The bitmap is present only when null_count > 0: one bit per row, LSB
 *	first, 1 = present, padded with zero bytes to a multiple of 8 so the
 *	values start 8-aligned.  Values are those of the present rows only:
 *	- fixed length: each value in typlen bytes at a stride of typlen
 *	  rounded up to typalign (an int4 column is a plain int32 array);
 *	- varlena: PostgreSQL's own in-memory forms, as in a heap tuple: a value
 *	  under 127 bytes with a 1-byte header, a longer one with a 4-byte header
 *	  at a 4-aligned offset, zero bytes padding up to it.  Never compressed
 *	  or external (the writer detoasts);
 *	- cstring: NUL-terminated.
 *	So the reader hands out pointers into the decompressed chunk without
 *	copying a single value.
 *
 *	A varlena chunk may instead be dictionary-encoded (encoding 1), when few
 *	of its values are distinct:
 *
 *	[null bitmap][u32 ndict][u32 dict_bytes][u32 code_width][u32 0]
 *	[the ndict distinct values, laid out as plain varlena values above,
 *	 dict_bytes long][zero padding to even][one code per present value,
 *	 code_width (1 or 2) bytes little-endian, each below ndict]
 *
 *	The header starts 8-aligned, so the dictionary's 4-byte headers stay
 *	aligned; a row's Datum points at its dictionary entry.
 *
 *	A 2-, 4- or 8-byte chunk may instead be frame-of-reference encoded
 *	(encoding 2), when that is shorter:
 *
 *	[null bitmap][u8 width][u8 value length][u16 0][u32 scale][i64 base]
 *	[one width-bit number per present value, LSB first, packed]
 *
 *	A value is base plus its number times scale (0 means 1), in 64-bit
 *	wrapping arithmetic, truncated to its length (values are read as
 *	little-endian signed integers of their length, base is their minimum,
 *	scale a common divisor of their distances from it: timestamps of whole
 *	seconds are microseconds times 1000000); width is 0 to 64.  Example:
 *	int4 values 1000, 1003, 1001: 02 04 00 00 01 00 00 00 |
 *	e8 03 00 00 00 00 00 00 | 1c  (0, 3, 1 in 2 bits each, the first in
 *	the lowest bits: 0b00011100).  The reader decodes it into the plain
 *	chunk above before use.
 *
 *	Or delta encoded (encoding 3): the first value, and the differences
 *	between consecutive values as a frame of reference:
 *
 *	[null bitmap][u8 width][u8 value length][u16 0][u32 scale][i64 first]
 *	[i64 smallest difference / scale][one width-bit number per present
 *	value after the first, packed as above]
 *
 *	Value i is value i-1 plus scale times (the smallest difference plus its
 *	number), in 64-bit wrapping arithmetic, truncated to its length.  A
 *	chunk of timestamps one second apart has width 0: the header alone.
 *
 *	Any fixed-length chunk may instead be run-length encoded (encoding 4):
 *	each run of equal present values as one value and where it ends:
 *
 *	[null bitmap][u32 runs][u32 value length][u32 end of each run: the
 *	number of present values up to and including it, strictly ascending,
 *	the last one the present count][zero padding to 8][one value per run,
 *	at the stride of the plain layout]
 *
 *	Example: int4 values 7, 7, 7, 9: 02 00 00 00 04 00 00 00 | 03 00 00 00
 *	04 00 00 00 | 07 00 00 00 09 00 00 00.  Decoded into the plain chunk.
 *
 * ROW MASK (strata_columnar.row_mask.deleted: the rows one transaction
 * deleted in one span of COLUMNAR_MASK_SPAN row numbers)
 *
 *	[u8 1][u16 count][count u16 offsets, strictly ascending, each below
 *	 the span]
 * or, when that would be longer,
 *	[u8 2][COLUMNAR_MASK_BYTES bitmap: bit i (LSB first) = offset i]
 *
 *	An offset is a row number minus the span's first row.  Example: rows
 *	8195 and 8200 of the span at 8192: 01 02 00 03 00 08 00.
 *	row_mask.moved_to, when not NULL, holds one u64 per deleted offset in
 *	ascending order: the row number an UPDATE gave the row's new version,
 *	or 0 for a row that was only deleted.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar_format.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SKIPLIST_HEADER 16
#define CHUNK_ENTRY 28

/* The varlena header rules below are PostgreSQL's on little-endian hosts. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "strata_columnar's chunk format assumes a little-endian host"
#endif

static bool
format_error(ColumnarFormatError *err, size_t offset, const char *fmt,...)
__attribute__((format(printf, 3, 4)));

static bool
format_error(ColumnarFormatError *err, size_t offset, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	err->offset = offset;
	return false;
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void
put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t	v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	v;

	memcpy(&v, p, 8);
	return v;
}

size_t
columnar_skiplist_size(const ColumnarSkipList *sl)
{
	size_t		size = SKIPLIST_HEADER + 4 * (size_t) sl->group_count;
	size_t		n = (size_t) sl->column_count * sl->group_count;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		size += CHUNK_ENTRY;
		if (sl->chunks[i].has_bounds)
			size += 8 + sl->chunks[i].min_len + sl->chunks[i].max_len;
	}
	return size;
}

void
columnar_skiplist_write(const ColumnarSkipList *sl, uint8_t *buf)
{
	uint8_t    *p = buf;
	size_t		n = (size_t) sl->column_count * sl->group_count;
	size_t		i;

	put32(p, COLUMNAR_SKIPLIST_MAGIC);
	p[4] = COLUMNAR_SKIPLIST_VERSION;
	p[5] = p[6] = p[7] = 0;
	put32(p + 8, sl->column_count);
	put32(p + 12, sl->group_count);
	p += SKIPLIST_HEADER;
	for (i = 0; i < sl->group_count; i++, p += 4)
		put32(p, sl->group_rows[i]);
	for (i = 0; i < n; i++)
	{
		const ColumnarChunkMeta *c = &sl->chunks[i];

		put64(p, c->offset);
		put32(p + 8, c->stored_len);
		put32(p + 12, c->raw_len);
		put32(p + 16, c->null_count);
		put32(p + 20, c->crc);
		p[24] = c->codec;
		p[25] = c->encoding;
		p[26] = c->has_bounds ? 1 : 0;
		p[27] = 0;
		p += CHUNK_ENTRY;
		if (c->has_bounds)
		{
			put32(p, c->min_len);
			memcpy(p + 4, c->min, c->min_len);
			p += 4 + c->min_len;
			put32(p, c->max_len);
			memcpy(p + 4, c->max, c->max_len);
			p += 4 + c->max_len;
		}
	}
}

bool
columnar_skiplist_parse(const uint8_t *buf, size_t len,
						uint64_t row_count, uint64_t data_bytes,
						ColumnarAllocFn alloc, ColumnarSkipList *out,
						ColumnarFormatError *err)
{
	size_t		pos;
	size_t		n;
	size_t		i;
	uint64_t	rows = 0;

	memset(out, 0, sizeof(*out));
	if (len < SKIPLIST_HEADER)
		return format_error(err, 0, "skip list of %zu bytes is shorter than its header", len);
	if (get32(buf) != COLUMNAR_SKIPLIST_MAGIC)
		return format_error(err, 0, "skip list has a wrong magic number");
	if (buf[4] != COLUMNAR_SKIPLIST_VERSION || buf[5] != 0)
		return format_error(err, 4, "skip list has unsupported version %u", buf[4] | (buf[5] << 8));
	if (buf[6] != 0 || buf[7] != 0)
		return format_error(err, 6, "skip list has non-zero reserved bytes");
	out->column_count = get32(buf + 8);
	out->group_count = get32(buf + 12);
	pos = SKIPLIST_HEADER;

	/* every count is bounded by the bytes that must follow it */
	if (out->group_count > (len - pos) / 4)
		return format_error(err, 12, "skip list claims %u chunk groups in %zu bytes",
							out->group_count, len);
	n = (size_t) out->column_count * out->group_count;
	if (out->column_count > 0 && n / out->column_count != out->group_count)
		return format_error(err, 8, "skip list chunk count overflows");
	if (n > (len - pos - 4 * (size_t) out->group_count) / CHUNK_ENTRY)
		return format_error(err, 8, "skip list claims %zu chunks in %zu bytes", n, len);

	out->group_rows = alloc(sizeof(uint32_t) * (out->group_count + 1));
	out->chunks = alloc(sizeof(ColumnarChunkMeta) * (n + 1));
	for (i = 0; i < out->group_count; i++, pos += 4)
	{
		out->group_rows[i] = get32(buf + pos);
		if (out->group_rows[i] == 0)
			return format_error(err, pos, "chunk group %zu has no rows", i);
		rows += out->group_rows[i];
	}
	if (rows != row_count)
		return format_error(err, SKIPLIST_HEADER,
							"chunk groups hold %llu rows but the stripe has %llu",
							(unsigned long long) rows, (unsigned long long) row_count);

	for (i = 0; i < n; i++)
	{
		ColumnarChunkMeta *c = &out->chunks[i];
		uint32_t	group_rows = out->group_rows[i % (out->group_count ? out->group_count : 1)];
		size_t		entry = pos;

		if (len - pos < CHUNK_ENTRY)
			return format_error(err, pos, "skip list ends inside chunk %zu", i);
		c->offset = get64(buf + pos);
		c->stored_len = get32(buf + pos + 8);
		c->raw_len = get32(buf + pos + 12);
		c->null_count = get32(buf + pos + 16);
		c->crc = get32(buf + pos + 20);
		c->codec = buf[pos + 24];
		c->encoding = buf[pos + 25];
		c->has_bounds = (buf[pos + 26] & 1) != 0;
		if ((buf[pos + 26] & ~1) != 0 || buf[pos + 27] != 0)
			return format_error(err, pos + 26, "chunk %zu has unknown flags", i);
		pos += CHUNK_ENTRY;
		if (c->offset > data_bytes || c->stored_len > data_bytes - c->offset)
			return format_error(err, entry, "chunk %zu lies outside the stripe's %llu bytes",
								i, (unsigned long long) data_bytes);
		if (c->null_count > group_rows)
			return format_error(err, entry + 16, "chunk %zu has %u nulls in %u rows",
								i, c->null_count, group_rows);
		if (c->encoding >= COLUMNAR_ENCODING_COUNT)
			return format_error(err, entry + 25, "chunk %zu has unknown encoding %u",
								i, c->encoding);
		if (c->has_bounds)
		{
			if (len - pos < 4 || (c->min_len = get32(buf + pos)) > len - pos - 4 ||
				c->min_len > COLUMNAR_MAX_BOUND_LEN)
				return format_error(err, pos, "chunk %zu has a malformed minimum", i);
			c->min = buf + pos + 4;
			pos += 4 + c->min_len;
			if (len - pos < 4 || (c->max_len = get32(buf + pos)) > len - pos - 4 ||
				c->max_len > COLUMNAR_MAX_BOUND_LEN)
				return format_error(err, pos, "chunk %zu has a malformed maximum", i);
			c->max = buf + pos + 4;
			pos += 4 + c->max_len;
		}
	}
	if (pos != len)
		return format_error(err, pos, "skip list has %zu trailing bytes", len - pos);
	return true;
}

size_t
columnar_bitmap_size(uint32_t rows)
{
	return (((size_t) rows + 7) / 8 + 7) & ~(size_t) 7;
}

size_t
columnar_fixed_stride(const ColumnarTypeShape *shape)
{
	size_t		align;

	switch (shape->typalign)
	{
		case 's':
			align = 2;
			break;
		case 'i':
			align = 4;
			break;
		case 'd':
			align = 8;
			break;
		default:
			align = 1;
			break;
	}
	return ((size_t) shape->typlen + align - 1) & ~(align - 1);
}

/* Check the bitmap: null_count zero bits among the first rows, zero padding. */
static bool
check_bitmap(const uint8_t *raw, size_t bitmap_len, uint32_t rows,
			 uint32_t null_count, ColumnarFormatError *err)
{
	uint32_t	present = 0;
	uint32_t	i;
	size_t		b;

	for (i = 0; i < rows; i++)
		present += columnar_bitmap_present(raw, i);
	if (rows - present != null_count)
		return format_error(err, 0, "null bitmap marks %u nulls, metadata says %u",
							rows - present, null_count);
	for (b = rows / 8; b < bitmap_len; b++)
	{
		uint8_t		mask = (b == rows / 8) ? (uint8_t) (0xff << (rows % 8)) : 0xff;

		if (raw[b] & mask)
			return format_error(err, b, "null bitmap has bits past its last row");
	}
	return true;
}

/*
 * What every chunk starts with: a sane size and, when it has NULLs, a
 * bitmap that agrees with the null count.  *pos gets where values begin.
 */
static bool
check_prelude(const uint8_t *raw, size_t raw_len, uint32_t rows, uint32_t null_count,
			  size_t *pos, ColumnarFormatError *err)
{
	*pos = 0;
	if (null_count > rows)
		return format_error(err, 0, "chunk has %u nulls in %u rows", null_count, rows);
	if (raw_len > UINT32_MAX)
		return format_error(err, 0, "chunk of %zu bytes is too large", raw_len);
	if (null_count > 0)
	{
		size_t		bitmap_len = columnar_bitmap_size(rows);

		if (raw_len < bitmap_len)
			return format_error(err, 0, "chunk of %zu bytes cannot hold a bitmap of %u rows",
								raw_len, rows);
		if (!check_bitmap(raw, bitmap_len, rows, null_count, err))
			return false;
		*pos = bitmap_len;
	}
	return true;
}

bool
columnar_chunk_index(const uint8_t *raw, size_t raw_len, uint32_t rows,
					 uint32_t null_count, const ColumnarTypeShape *shape,
					 uint32_t *value_offsets, ColumnarFormatError *err)
{
	size_t		pos = 0;
	uint32_t	nvalues;
	uint32_t	v;

	if (!check_prelude(raw, raw_len, rows, null_count, &pos, err))
		return false;
	nvalues = rows - null_count;

	if (shape->typlen > 0)
	{
		size_t		stride = columnar_fixed_stride(shape);

		if ((raw_len - pos) / stride < nvalues || raw_len - pos != stride * nvalues)
			return format_error(err, pos, "chunk holds %zu value bytes, %u values of %zu bytes expected",
								raw_len - pos, nvalues, stride);
		for (v = 0; v < nvalues; v++)
			value_offsets[v] = (uint32_t) (pos + stride * v);
		return true;
	}

	for (v = 0; v < nvalues; v++)
	{
		if (shape->typlen == -2)
		{
			const uint8_t *nul;

			if (pos >= raw_len || (nul = memchr(raw + pos, 0, raw_len - pos)) == NULL)
				return format_error(err, pos, "string %u runs past the end of the chunk", v);
			value_offsets[v] = (uint32_t) pos;
			pos = (size_t) (nul - raw) + 1;
			continue;
		}

		/* varlena: skip padding only where a 4-byte header must be aligned */
		if (pos < raw_len && raw[pos] == 0 && (pos & 3) != 0)
		{
			size_t		aligned = (pos + 3) & ~(size_t) 3;

			while (pos < aligned && pos < raw_len && raw[pos] == 0)
				pos++;
			if (pos != aligned)
				return format_error(err, pos, "value %u has malformed padding", v);
		}
		if (pos >= raw_len)
			return format_error(err, pos, "value %u starts past the end of the chunk", v);
		if (raw[pos] & 1)
		{
			/* 1-byte header: length (with header) in the upper 7 bits */
			size_t		vlen = raw[pos] >> 1;

			if (raw[pos] == 0x01 || vlen < 1 || vlen > raw_len - pos)
				return format_error(err, pos, "value %u has a malformed short header", v);
			value_offsets[v] = (uint32_t) pos;
			pos += vlen;
		}
		else
		{
			uint32_t	hdr;
			size_t		vlen;

			if ((pos & 3) != 0 || raw_len - pos < 4)
				return format_error(err, pos, "value %u has a misplaced 4-byte header", v);
			hdr = get32(raw + pos);
			if ((hdr & 3) != 0)
				return format_error(err, pos, "value %u is compressed or external", v);
			vlen = hdr >> 2;
			if (vlen < 4 || vlen > raw_len - pos)
				return format_error(err, pos, "value %u of %zu bytes runs past the chunk", v, vlen);
			value_offsets[v] = (uint32_t) pos;
			pos += vlen;
		}
	}
	if (pos != raw_len)
		return format_error(err, pos, "chunk has %zu bytes after its last value", raw_len - pos);
	return true;
}

bool
columnar_dict_index(const uint8_t *raw, size_t raw_len, uint32_t rows,
					uint32_t null_count, uint32_t *ndict, uint32_t *dict_offsets,
					const uint8_t **codes, uint32_t *code_width,
					ColumnarFormatError *err)
{
	ColumnarTypeShape varlena = {-1, 'i'};
	size_t		pos = 0;
	uint32_t	dict_bytes;
	uint32_t	nvalues;
	size_t		codes_at;
	uint32_t	v;

	if (!check_prelude(raw, raw_len, rows, null_count, &pos, err))
		return false;
	nvalues = rows - null_count;
	if (raw_len - pos < COLUMNAR_DICT_HEADER)
		return format_error(err, pos, "dictionary chunk is shorter than its header");
	*ndict = get32(raw + pos);
	dict_bytes = get32(raw + pos + 4);
	*code_width = get32(raw + pos + 8);
	if (get32(raw + pos + 12) != 0 || (*code_width != 1 && *code_width != 2))
		return format_error(err, pos, "dictionary chunk has a malformed header");
	pos += COLUMNAR_DICT_HEADER;
	if (dict_bytes > raw_len - pos)
		return format_error(err, pos, "dictionary of %u bytes runs past the chunk", dict_bytes);
	if (*ndict > dict_bytes || (*ndict == 0 && nvalues > 0) ||
		*ndict > (*code_width == 1 ? 256u : 65536u) || *ndict > nvalues)
		return format_error(err, pos, "dictionary claims %u values", *ndict);

	/* the dictionary is a plain varlena chunk of ndict values, no NULLs */
	if (!columnar_chunk_index(raw + pos, dict_bytes, *ndict, 0, &varlena, dict_offsets, err))
	{
		err->offset += pos;
		return false;
	}
	for (v = 0; v < *ndict; v++)
		dict_offsets[v] += (uint32_t) pos;

	codes_at = (pos + dict_bytes + 1) & ~(size_t) 1;
	if (codes_at > raw_len || (raw_len - codes_at) / *code_width < nvalues ||
		raw_len - codes_at != (size_t) nvalues * *code_width)
		return format_error(err, pos + dict_bytes, "dictionary chunk holds %zu code bytes for %u values",
							raw_len > codes_at ? raw_len - codes_at : 0, nvalues);
	if (codes_at > pos + dict_bytes && raw[pos + dict_bytes] != 0)
		return format_error(err, pos + dict_bytes, "dictionary chunk has non-zero padding");
	*codes = raw + codes_at;
	/* the largest code first, in a loop that vectorizes; then the culprit */
	{
		uint32_t	largest = 0;

		if (*code_width == 1)
		{
			uint8_t		m = 0;

			for (v = 0; v < nvalues; v++)
				m = (*codes)[v] > m ? (*codes)[v] : m;
			largest = m;
		}
		else
		{
			uint16_t	m = 0;

			for (v = 0; v < nvalues; v++)
			{
				uint16_t	c = (uint16_t) ((*codes)[2 * v] | ((*codes)[2 * v + 1] << 8));

				m = c > m ? c : m;
			}
			largest = m;
		}
		if (largest >= *ndict)
			for (v = 0; v < nvalues; v++)
				if (columnar_dict_code(*codes, *code_width, v) >= *ndict)
					return format_error(err, codes_at + (size_t) v * *code_width,
										"code of value %u is past the dictionary", v);
	}
	return true;
}

/* ---------------------------------------------------------------------
 * frame of reference
 * ---------------------------------------------------------------------
 */

static int64_t
read_signed(const uint8_t *p, int len)
{
	switch (len)
	{
		case 2:
			{
				int16_t		v;

				memcpy(&v, p, 2);
				return v;
			}
		case 4:
			{
				int32_t		v;

				memcpy(&v, p, 4);
				return v;
			}
		default:
			{
				int64_t		v;

				memcpy(&v, p, 8);
				return v;
			}
	}
}

/* width-bit numbers, LSB first: the packing both encodings share */
typedef struct BitWriter
{
	uint8_t    *p;
	size_t		o;
	uint64_t	acc;
	int			nacc;
	int			width;
} BitWriter;

static void
bits_put(BitWriter *w, uint64_t d)
{
	if (w->width == 0)
		return;
	if (w->width == 64)
	{
		put64(w->p + w->o, d);
		w->o += 8;
		return;
	}
	w->acc |= d << w->nacc;
	if (w->nacc + w->width >= 64)
	{
		put64(w->p + w->o, w->acc);
		w->o += 8;
		w->acc = w->nacc == 0 ? 0 : d >> (64 - w->nacc);
		w->nacc = w->nacc + w->width - 64;
	}
	else
		w->nacc += w->width;
}

static void
bits_flush(BitWriter *w)
{
	while (w->nacc > 0)
	{
		w->p[w->o++] = (uint8_t) w->acc;
		w->acc >>= 8;
		w->nacc -= 8;
	}
}

/*
 * Number i of a packing: read 8 bytes at a time where the packed bytes
 * allow (up to 57 bits fit one read at any bit offset), a ninth byte when not.
 */
static inline uint64_t
unpack_one(const uint8_t *p, size_t packed, int width, uint64_t mask, uint64_t i)
{
	uint64_t	bit = i * width;
	size_t		byte = bit >> 3;
	int			shift = bit & 7;
	uint64_t	lo = 0;
	uint64_t	d;

	if (width == 0)
		return 0;
	if (byte + 8 <= packed)
		memcpy(&lo, p + byte, 8);
	else
		memcpy(&lo, p + byte, packed - byte);
	d = lo >> shift;
	if (shift + width > 64)
		d |= (uint64_t) p[byte + 8] << (64 - shift);
	return d & mask;
}

static uint64_t
gcd64(uint64_t a, uint64_t b)
{
	while (b != 0)
	{
		uint64_t	t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * The scale of a packing whose numbers have greatest common divisor g (0
 * when all are 0): g itself when it fits the header's 32 bits, else its
 * largest divisor that does among the first few tried (midnight timestamps
 * have g = 86400000000), else 1.
 */
static uint32_t
choose_scale(uint64_t g)
{
	uint64_t	k;

	if (g <= 1)
		return 1;
	if (g <= UINT32_MAX)
		return (uint32_t) g;
	for (k = g / UINT32_MAX + 1; k < g / UINT32_MAX + 1024; k++)
		if (g % k == 0 && g / k <= UINT32_MAX)
			return (uint32_t) (g / k);
	return 1;
}

size_t
columnar_for_encode(const uint8_t *values, uint32_t present,
					const ColumnarTypeShape *shape, uint8_t *out)
{
	int			len = shape->typlen;
	size_t		stride;
	int64_t		min = 0,
				max = 0;
	uint64_t	range;
	uint64_t	g = 0;
	uint32_t	scale;
	int			width = 0;
	uint32_t	i;
	size_t		packed;

	if (len != 2 && len != 4 && len != 8)
		return 0;
	stride = columnar_fixed_stride(shape);
	for (i = 0; i < present; i++)
	{
		int64_t		v = read_signed(values + i * stride, len);

		if (i == 0 || v < min)
			min = v;
		if (i == 0 || v > max)
			max = v;
	}
	for (i = 0; i < present && g != 1; i++)
		g = gcd64((uint64_t) read_signed(values + i * stride, len) - (uint64_t) min, g);
	scale = choose_scale(g);
	range = ((uint64_t) max - (uint64_t) min) / scale;
	while (width < 64 && (range >> width) != 0)
		width++;
	packed = ((uint64_t) present * width + 7) / 8;
	if (out == NULL)
		return COLUMNAR_FOR_HEADER + packed;

	memset(out, 0, COLUMNAR_FOR_HEADER + packed);
	out[0] = (uint8_t) width;
	out[1] = (uint8_t) len;
	put32(out + 4, scale);
	put64(out + 8, (uint64_t) min);
	if (width > 0)
	{
		BitWriter	w = {out + COLUMNAR_FOR_HEADER, 0, 0, 0, width};

		for (i = 0; i < present; i++)
			bits_put(&w, ((uint64_t) read_signed(values + i * stride, len) - (uint64_t) min) / scale);
		bits_flush(&w);
	}
	return COLUMNAR_FOR_HEADER + packed;
}

size_t
columnar_for_plain_size(uint32_t rows, uint32_t null_count, const ColumnarTypeShape *shape)
{
	size_t		bitmap_len = null_count > 0 ? columnar_bitmap_size(rows) : 0;

	if (null_count > rows)
		return 0;
	return bitmap_len + columnar_fixed_stride(shape) * (rows - null_count);
}

/*
 * What the frame-of-reference and delta decoders share: check a packed
 * chunk's header and length (numbers packed for `counted` of the present
 * values), copy its bitmap to out, and say where the numbers start.
 */
typedef struct PackedChunk
{
	const uint8_t *header;		/* the value section */
	const uint8_t *numbers;
	size_t		packed;			/* bytes of numbers */
	int			width;
	uint64_t	mask;
	uint64_t	scale;
	uint32_t	present;
	size_t		stride;
	uint8_t    *dst;			/* where out's values start */
} PackedChunk;

static bool
packed_chunk(const char *kind, size_t header_len, bool skip_first,
			 const uint8_t *raw, size_t raw_len, uint32_t rows, uint32_t null_count,
			 const ColumnarTypeShape *shape, uint8_t *out, PackedChunk *pc,
			 ColumnarFormatError *err)
{
	int			len = shape->typlen;
	size_t		bitmap_len;
	uint32_t	counted;

	if (len != 2 && len != 4 && len != 8)
		return format_error(err, 0, "%s encoding of a %d-byte column", kind, len);
	if (null_count > rows || (skip_first && null_count == rows))
		return format_error(err, 0, "a %s chunk of %u rows with %u nulls", kind, rows, null_count);
	bitmap_len = null_count > 0 ? columnar_bitmap_size(rows) : 0;
	pc->present = rows - null_count;
	pc->stride = columnar_fixed_stride(shape);
	counted = skip_first ? pc->present - 1 : pc->present;
	if (raw_len < bitmap_len + header_len)
		return format_error(err, raw_len, "chunk ends inside its %s header", kind);
	pc->header = raw + bitmap_len;
	pc->width = pc->header[0];
	if (pc->width > 64 || pc->header[1] != len)
		return format_error(err, bitmap_len, "%s header says width %d, length %d",
							kind, pc->width, pc->header[1]);
	pc->packed = ((uint64_t) counted * pc->width + 7) / 8;
	if (raw_len != bitmap_len + header_len + pc->packed)
		return format_error(err, raw_len, "chunk is %zu bytes, %u numbers of %d bits need %zu",
							raw_len, counted, pc->width, bitmap_len + header_len + pc->packed);
	pc->scale = get32(pc->header + 4);
	if (pc->scale == 0)
		pc->scale = 1;			/* chunks written before scales were */
	if (pc->header[2] != 0 || pc->header[3] != 0)
		return format_error(err, bitmap_len + 2, "%s header has non-zero reserved bytes", kind);
	pc->numbers = pc->header + header_len;
	pc->mask = pc->width == 64 ? ~(uint64_t) 0 : (((uint64_t) 1 << pc->width) - 1);
	memcpy(out, raw, bitmap_len);
	pc->dst = out + bitmap_len;
	return true;
}

/*
 * How many of the first numbers of a packing can be read with one 8-byte
 * load that stays inside it, and no ninth byte (width up to 57): the
 * decoders' loop without bounds checks.
 */
static inline uint32_t
unchecked_count(const PackedChunk *pc, uint32_t counted)
{
	uint64_t	n;

	if (pc->width == 0 || pc->width > 57 || pc->packed < 8)
		return 0;
	n = ((uint64_t) 8 * (pc->packed - 7) + pc->width - 1) / pc->width;
	return n < counted ? (uint32_t) n : counted;
}

static inline uint64_t
unpack_unchecked(const uint8_t *p, int width, uint64_t mask, uint64_t i)
{
	uint64_t	bit = i * width;
	uint64_t	lo;

	memcpy(&lo, p + (bit >> 3), 8);
	return (lo >> (bit & 7)) & mask;
}

bool
columnar_for_decode(const uint8_t *raw, size_t raw_len, uint32_t rows, uint32_t null_count,
					const ColumnarTypeShape *shape, uint8_t *out, ColumnarFormatError *err)
{
	PackedChunk pc;
	uint64_t	base;
	uint64_t	scale;
	uint32_t	fast;
	uint32_t	i;

	if (!packed_chunk("frame-of-reference", COLUMNAR_FOR_HEADER, false, raw, raw_len, rows,
					  null_count, shape, out, &pc, err))
		return false;
	base = get64(pc.header + 8);
	scale = pc.scale;
	fast = unchecked_count(&pc, pc.present);

	/* one loop per value length, so that stores are typed */
#define FOR_DECODE_LOOP(T) \
	for (i = 0; i < fast; i++) \
	{ \
		T			v = (T) (unpack_unchecked(pc.numbers, pc.width, pc.mask, i) * scale + base); \
		memcpy(pc.dst + i * pc.stride, &v, sizeof(T)); \
	} \
	for (; i < pc.present; i++) \
	{ \
		T			v = (T) (unpack_one(pc.numbers, pc.packed, pc.width, pc.mask, i) * scale + base); \
		memcpy(pc.dst + i * pc.stride, &v, sizeof(T)); \
	}

	switch (shape->typlen)
	{
		case 2:
			FOR_DECODE_LOOP(uint16_t);
			break;
		case 4:
			FOR_DECODE_LOOP(uint32_t);
			break;
		default:
			FOR_DECODE_LOOP(uint64_t);
			break;
	}
#undef FOR_DECODE_LOOP
	return true;
}


size_t
columnar_delta_encode(const uint8_t *values, uint32_t present,
					  const ColumnarTypeShape *shape, uint8_t *out)
{
	int			len = shape->typlen;
	size_t		stride;
	uint64_t	prev = 0;
	int64_t		min_delta = 0;
	int64_t		max_delta = 0;
	uint64_t	g = 0;
	uint32_t	scale;
	uint64_t	range;
	int			width = 0;
	uint32_t	i;
	size_t		packed;

	if ((len != 2 && len != 4 && len != 8) || present == 0)
		return 0;
	stride = columnar_fixed_stride(shape);
	/* the smallest and largest difference (the others lie between), and their divisor */
	for (i = 1; i < present; i++)
	{
		uint64_t	a = (uint64_t) read_signed(values + (i - 1) * stride, len);
		uint64_t	b = (uint64_t) read_signed(values + i * stride, len);
		int64_t		d = (int64_t) (b - a);

		if (i == 1 || d < min_delta)
			min_delta = d;
		if (i == 1 || d > max_delta)
			max_delta = d;
		if (g != 1)
			g = gcd64(d < 0 ? (uint64_t) 0 - (uint64_t) d : (uint64_t) d, g);
	}
	/* scale <= UINT32_MAX divides every difference: the quotients are exact */
	scale = choose_scale(g);
	min_delta /= (int64_t) scale;
	max_delta /= (int64_t) scale;
	range = (uint64_t) max_delta - (uint64_t) min_delta;
	while (width < 64 && (range >> width) != 0)
		width++;
	packed = ((uint64_t) (present - 1) * width + 7) / 8;
	if (out == NULL)
		return COLUMNAR_DELTA_HEADER + packed;

	memset(out, 0, COLUMNAR_DELTA_HEADER + packed);
	out[0] = (uint8_t) width;
	out[1] = (uint8_t) len;
	put32(out + 4, scale);
	put64(out + 8, (uint64_t) read_signed(values, len));
	put64(out + 16, (uint64_t) min_delta);
	if (width > 0)
	{
		BitWriter	w = {out + COLUMNAR_DELTA_HEADER, 0, 0, 0, width};

		prev = (uint64_t) read_signed(values, len);
		for (i = 1; i < present; i++)
		{
			uint64_t	b = (uint64_t) read_signed(values + i * stride, len);

			bits_put(&w, (uint64_t) ((int64_t) (b - prev) / (int64_t) scale) - (uint64_t) min_delta);
			prev = b;
		}
		bits_flush(&w);
	}
	return COLUMNAR_DELTA_HEADER + packed;
}

bool
columnar_delta_decode(const uint8_t *raw, size_t raw_len, uint32_t rows, uint32_t null_count,
					  const ColumnarTypeShape *shape, uint8_t *out, ColumnarFormatError *err)
{
	PackedChunk pc;
	uint64_t	value;
	uint64_t	min_delta;
	uint32_t	fast;
	uint32_t	i;

	if (!packed_chunk("delta", COLUMNAR_DELTA_HEADER, true, raw, raw_len, rows,
					  null_count, shape, out, &pc, err))
		return false;
	value = get64(pc.header + 8);
	min_delta = get64(pc.header + 16);
	fast = pc.present > 0 ? unchecked_count(&pc, pc.present - 1) : 0;

#define DELTA_DECODE_LOOP(T) \
	{ \
		T			v = (T) value; \
		memcpy(pc.dst, &v, sizeof(T)); \
	} \
	for (i = 1; i <= fast; i++) \
	{ \
		T			v; \
		value += (min_delta + unpack_unchecked(pc.numbers, pc.width, pc.mask, i - 1)) * pc.scale; \
		v = (T) value; \
		memcpy(pc.dst + i * pc.stride, &v, sizeof(T)); \
	} \
	for (; i < pc.present; i++) \
	{ \
		T			v; \
		value += (min_delta + unpack_one(pc.numbers, pc.packed, pc.width, pc.mask, i - 1)) * pc.scale; \
		v = (T) value; \
		memcpy(pc.dst + i * pc.stride, &v, sizeof(T)); \
	}

	switch (shape->typlen)
	{
		case 2:
			DELTA_DECODE_LOOP(uint16_t);
			break;
		case 4:
			DELTA_DECODE_LOOP(uint32_t);
			break;
		default:
			DELTA_DECODE_LOOP(uint64_t);
			break;
	}
#undef DELTA_DECODE_LOOP
	return true;
}

/* ---- run-length ---- */

/* Bytes of the run ends of nruns runs, padded so the values start 8-aligned. */
static size_t
rle_ends_size(uint32_t nruns)
{
	return ((size_t) nruns * 4 + 7) & ~(size_t) 7;
}

size_t
columnar_rle_encode(const uint8_t *values, uint32_t present,
					const ColumnarTypeShape *shape, uint8_t *out)
{
	size_t		stride;
	uint32_t	nruns = 0;
	uint32_t	i;
	size_t		len;

	if (shape->typlen <= 0 || present == 0)
		return 0;
	stride = columnar_fixed_stride(shape);
	for (i = 0; i < present; i++)
		if (i == 0 || memcmp(values + i * stride, values + (i - 1) * stride, stride) != 0)
			nruns++;
	len = COLUMNAR_RLE_HEADER + rle_ends_size(nruns) + (size_t) nruns * stride;
	if (out == NULL)
		return len;

	memset(out, 0, len);
	put32(out, nruns);
	put32(out + 4, (uint32_t) shape->typlen);
	{
		uint8_t    *ends = out + COLUMNAR_RLE_HEADER;
		uint8_t    *vals = ends + rle_ends_size(nruns);
		uint32_t	r = 0;

		for (i = 0; i < present; i++)
		{
			if (i > 0 && memcmp(values + i * stride, values + (i - 1) * stride, stride) == 0)
				continue;
			if (r > 0)
				put32(ends + (r - 1) * 4, i);
			memcpy(vals + (size_t) r * stride, values + i * stride, stride);
			r++;
		}
		put32(ends + (r - 1) * 4, present);
	}
	return len;
}

bool
columnar_rle_decode(const uint8_t *raw, size_t raw_len, uint32_t rows, uint32_t null_count,
					const ColumnarTypeShape *shape, uint8_t *out, ColumnarFormatError *err)
{
	size_t		bitmap_len;
	size_t		stride;
	uint32_t	present;
	uint32_t	nruns;
	const uint8_t *ends;
	const uint8_t *vals;
	uint8_t    *dst;
	uint32_t	start = 0;
	uint32_t	r;

	if (shape->typlen <= 0)
		return format_error(err, 0, "run-length encoding of a variable-length column");
	if (null_count >= rows)
		return format_error(err, 0, "a run-length chunk of %u rows with %u nulls", rows, null_count);
	bitmap_len = null_count > 0 ? columnar_bitmap_size(rows) : 0;
	present = rows - null_count;
	stride = columnar_fixed_stride(shape);
	if (raw_len < bitmap_len + COLUMNAR_RLE_HEADER)
		return format_error(err, raw_len, "chunk ends inside its run-length header");
	nruns = get32(raw + bitmap_len);
	if (nruns == 0 || nruns > present || get32(raw + bitmap_len + 4) != (uint32_t) shape->typlen)
		return format_error(err, bitmap_len, "run-length header says %u runs of %u-byte values "
							"for %u values of %d bytes", nruns, get32(raw + bitmap_len + 4),
							present, shape->typlen);
	if (raw_len != bitmap_len + COLUMNAR_RLE_HEADER + rle_ends_size(nruns) + (size_t) nruns * stride)
		return format_error(err, raw_len, "chunk is %zu bytes, %u runs need %zu", raw_len, nruns,
							bitmap_len + COLUMNAR_RLE_HEADER + rle_ends_size(nruns) +
							(size_t) nruns * stride);
	ends = raw + bitmap_len + COLUMNAR_RLE_HEADER;
	vals = ends + rle_ends_size(nruns);
	memcpy(out, raw, bitmap_len);
	dst = out + bitmap_len;
	for (r = 0; r < nruns; r++)
	{
		uint32_t	end = get32(ends + (size_t) r * 4);
		const uint8_t *v = vals + (size_t) r * stride;
		uint32_t	i;

		if (end <= start || end > present || (r == nruns - 1 && end != present))
			return format_error(err, bitmap_len + COLUMNAR_RLE_HEADER + (size_t) r * 4,
								"run %u ends at value %u, after %u of %u", r, end, start, present);
		for (i = start; i < end; i++)
			memcpy(dst + (size_t) i * stride, v, stride);
		start = end;
	}
	return true;
}

/* ---- row masks ---- */

size_t
columnar_mask_encode(const uint16_t *offsets, uint32_t count, uint8_t *out)
{
	uint32_t	i;

	if (3 + 2 * (size_t) count <= 1 + COLUMNAR_MASK_BYTES)
	{
		out[0] = COLUMNAR_MASK_LIST;
		out[1] = (uint8_t) (count & 0xff);
		out[2] = (uint8_t) (count >> 8);
		for (i = 0; i < count; i++)
		{
			out[3 + 2 * i] = (uint8_t) (offsets[i] & 0xff);
			out[4 + 2 * i] = (uint8_t) (offsets[i] >> 8);
		}
		return 3 + 2 * (size_t) count;
	}
	out[0] = COLUMNAR_MASK_BITMAP;
	memset(out + 1, 0, COLUMNAR_MASK_BYTES);
	for (i = 0; i < count; i++)
		out[1 + (offsets[i] >> 3)] |= (uint8_t) (1 << (offsets[i] & 7));
	return 1 + COLUMNAR_MASK_BYTES;
}

bool
columnar_mask_parse(const uint8_t *buf, size_t len, uint8_t *bits, uint32_t *count,
					ColumnarFormatError *err)
{
	uint32_t	n;
	uint32_t	i;

	if (len < 1)
		return format_error(err, 0, "empty row mask");
	if (buf[0] == COLUMNAR_MASK_LIST)
	{
		int32_t		prev = -1;

		if (len < 3)
			return format_error(err, 0, "row mask list of %zu bytes", len);
		n = (uint32_t) buf[1] | ((uint32_t) buf[2] << 8);
		if (len != 3 + 2 * (size_t) n)
			return format_error(err, 1, "row mask list of %u offsets in %zu bytes", n, len);
		for (i = 0; i < n; i++)
		{
			uint32_t	off = (uint32_t) buf[3 + 2 * i] | ((uint32_t) buf[4 + 2 * i] << 8);

			if (off >= COLUMNAR_MASK_SPAN || (int32_t) off <= prev)
				return format_error(err, 3 + 2 * (size_t) i,
									"row mask offset %u out of order or past the span", off);
			prev = (int32_t) off;
			if (bits != NULL)
				bits[off >> 3] |= (uint8_t) (1 << (off & 7));
		}
		*count = n;
		return true;
	}
	if (buf[0] == COLUMNAR_MASK_BITMAP)
	{
		if (len != 1 + COLUMNAR_MASK_BYTES)
			return format_error(err, 0, "row mask bitmap of %zu bytes", len);
		n = 0;
		for (i = 0; i < COLUMNAR_MASK_BYTES; i++)
		{
			n += (uint32_t) __builtin_popcount(buf[1 + i]);
			if (bits != NULL)
				bits[i] |= buf[1 + i];
		}
		*count = n;
		return true;
	}
	return format_error(err, 0, "unknown row mask kind %u", buf[0]);
}

bool
columnar_mask_find(const uint8_t *buf, size_t len, uint32_t offset, uint32_t *rank)
{
	uint32_t	i;

	if (len < 1 || offset >= COLUMNAR_MASK_SPAN)
		return false;
	if (buf[0] == COLUMNAR_MASK_LIST && len >= 3)
	{
		uint32_t	lo = 0,
					hi = (uint32_t) buf[1] | ((uint32_t) buf[2] << 8);

		if (len < 3 + 2 * (size_t) hi)
			return false;
		while (lo < hi)
		{
			uint32_t	mid = lo + (hi - lo) / 2;
			uint32_t	off = (uint32_t) buf[3 + 2 * mid] | ((uint32_t) buf[4 + 2 * mid] << 8);

			if (off == offset)
			{
				*rank = mid;
				return true;
			}
			if (off < offset)
				lo = mid + 1;
			else
				hi = mid;
		}
		return false;
	}
	if (buf[0] == COLUMNAR_MASK_BITMAP && len == 1 + COLUMNAR_MASK_BYTES)
	{
		uint32_t	r = 0;

		if (!((buf[1 + (offset >> 3)] >> (offset & 7)) & 1))
			return false;
		for (i = 0; i < (offset >> 3); i++)
			r += (uint32_t) __builtin_popcount(buf[1 + i]);
		r += (uint32_t) __builtin_popcount(buf[1 + (offset >> 3)] & ((1u << (offset & 7)) - 1));
		*rank = r;
		return true;
	}
	return false;
}

uint64_t
columnar_mask_moved(const uint8_t *moved, size_t moved_len, uint32_t rank)
{
	if (moved == NULL || ((size_t) rank + 1) * 8 > moved_len)
		return 0;
	return get64(moved + (size_t) rank * 8);
}
