/*-------------------------------------------------------------------------
 *
 * strata_parquet_encoding.c
 *	  Decoders and encoders of Parquet's value and level encodings.
 *
 * The formats are those of Encodings.md in parquet-format; the two with
 * structure are drawn here with a worked example each.
 *
 * RLE/bit-packed hybrid (levels, dictionary indices, RLE booleans)
 * ----------------------------------------------------------------
 *
 *	[length: 4 bytes LE, only where the page kind asks for it]
 *	run*	where run is one of
 *	  RLE run:        varint(count << 1)       value: ceil(bit_width / 8) bytes LE
 *	  bit-packed run: varint(groups << 1 | 1)  groups * bit_width bytes holding
 *	                  groups * 8 values, packed from the least significant bit
 *
 * Example, bit width 1, the 18 levels 1 1 1 1 1 1 1 1 1 1 0 1 0 1 0 0 1 1,
 * as def levels of a v1 page (so with the length):
 *
 *	04 00 00 00   length of what follows: 4 bytes
 *	14 01         RLE run: 0x14 = 10 << 1, ten copies of 0x01
 *	03 CA         bit-packed run: 0x03 = 1 << 1 | 1, one group of 8 values;
 *	              0xCA = 1100 1010, read from bit 0 up: 0 1 0 1 0 0 1 1
 *
 * DELTA_BINARY_PACKED (INT32 and INT64 values; the lengths of the DELTA
 * byte-array encodings)
 * ---------------------------------------------------------------------
 *
 *	header:  varint(block size, a multiple of 128)
 *	         varint(miniblocks per block; values per miniblock a multiple of 32)
 *	         varint(total value count)
 *	         zigzag varint(first value)
 *	block*:  zigzag varint(min delta)
 *	         one byte per miniblock: its bit width
 *	         per miniblock in use: (values per miniblock) deltas minus the
 *	         min delta, bit-packed like the hybrid above
 *
 * Each value is the previous one plus min delta plus its packed number,
 * modulo 2^64.  The last miniblock in use is padded to full size; the
 * widths of miniblocks past the last value are present but meaningless.
 *
 * Example, the values 7 5 3 1 2 3 4 5 with blocks of 128 in 4 miniblocks
 * (deltas -2 -2 -2 1 1 1 1, min delta -2, so 0 0 0 3 3 3 3 in 2 bits):
 *
 *	80 01 04 08 0E   block size 128, 4 miniblocks, 8 values, first value 7
 *	03               min delta -2 (zigzag 3)
 *	02 00 00 00      bit widths: 2 for the first miniblock, the rest unused
 *	C0 3F 00 00 00 00 00 00
 *	                 32 values of 2 bits: 0xC0 = 11 00 00 00 holds 0 0 0 3
 *	                 (from bit 0 up), 0x3F = 00 11 11 11 holds 3 3 3 0,
 *	                 then padding
 *
 * Every decoder reads through the bounds-checked helpers below; an input
 * never makes one read outside its buffer or write past its output.
 *
 *-------------------------------------------------------------------------
 */
#include "strata_parquet_encoding.h"

#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LITTLE_ENDIAN 1
#else
#define HOST_LITTLE_ENDIAN 0
#endif

/* values decoded at a time into a stack buffer, where a batch is needed */
#define BATCH 256

/* Parquet caps a run at 2^31 - 1 values */
#define MAX_RUN_VALUES ((uint64_t) 0x7FFFFFFF)

static const char *const encoding_names[] = {
	"PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
	"DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
	"RLE_DICTIONARY", "BYTE_STREAM_SPLIT", "ALP"
};

static const char *const type_names[] = {
	"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
	"FIXED_LEN_BYTE_ARRAY"
};

const char *
strata_parquet_encoding_name(int32_t encoding)
{
	if (encoding < 0 || encoding >= (int32_t) (sizeof(encoding_names) / sizeof(encoding_names[0])))
		return "unknown";
	return encoding_names[encoding];
}

const char *
strata_parquet_type_name(int32_t type)
{
	if (type < 0 || type > STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
		return "unknown";
	return type_names[type];
}

int
strata_parquet_bit_width(uint64_t max_value)
{
	int			width = 0;

	while (max_value != 0)
	{
		width++;
		max_value >>= 1;
	}
	return width;
}

size_t
strata_parquet_value_size(int32_t type, int32_t type_length)
{
	switch (type)
	{
		case STRATA_PARQUET_BOOLEAN:
			return 1;
		case STRATA_PARQUET_INT32:
		case STRATA_PARQUET_FLOAT:
			return 4;
		case STRATA_PARQUET_INT64:
		case STRATA_PARQUET_DOUBLE:
			return 8;
		case STRATA_PARQUET_INT96:
			return 12;
		case STRATA_PARQUET_BYTE_ARRAY:
			return sizeof(StrataParquetSpan);
		case STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY:
			return type_length > 0 ? (size_t) type_length : 0;
		default:
			return 0;
	}
}

/* ---------------------------------------------------------------------
 * Byte and bit access
 * ---------------------------------------------------------------------
 */

static inline uint32_t
load_le32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
		(uint32_t) p[3] << 24;
}

static inline uint64_t
load_le64(const uint8_t *p)
{
#if HOST_LITTLE_ENDIAN
	uint64_t	v;

	memcpy(&v, p, 8);
	return v;
#else
	return (uint64_t) load_le32(p) | (uint64_t) load_le32(p + 4) << 32;
#endif
}

/* Up to 8 bytes, the missing high ones read as zero. */
static inline uint64_t
load_le64_partial(const uint8_t *p, size_t avail)
{
	uint64_t	v = 0;
	size_t		n = avail < 8 ? avail : 8;
	size_t		i;

	for (i = 0; i < n; i++)
		v |= (uint64_t) p[i] << (8 * i);
	return v;
}

/*
 * The width bits (0 to 64) starting at bit bitpos of buf, least significant
 * bit first.  The caller guarantees bitpos + width <= len * 8.
 */
static inline uint64_t
get_bits(const uint8_t *buf, size_t len, uint64_t bitpos, int width)
{
	size_t		byte = (size_t) (bitpos >> 3);
	int			shift = (int) (bitpos & 7);
	uint64_t	v;

	if (width == 0)
		return 0;
	if (len - byte >= 8)
		v = load_le64(buf + byte) >> shift;
	else
		v = load_le64_partial(buf + byte, len - byte) >> shift;
	/* a value straddling 9 bytes; the caller's guarantee puts byte 8 in buf */
	if (shift + width > 64)
		v |= (uint64_t) buf[byte + 8] << (64 - shift);
	return width == 64 ? v : v & ((UINT64_C(1) << width) - 1);
}

/*
 * Native-order values from little-endian ones, in place (and, being its
 * own inverse, little-endian ones from native).  Without a compiler that
 * names the byte order, each value is assembled from its bytes, which is
 * right whatever the host order.
 */
static void
le_to_native(void *values, size_t count, size_t width)
{
#if !HOST_LITTLE_ENDIAN
	uint8_t    *p = values;
	size_t		i;
	uint32_t	v32;
	uint64_t	v64;

	for (i = 0; i < count; i++, p += width)
	{
		if (width == 4)
		{
			v32 = load_le32(p);
			memcpy(p, &v32, 4);
		}
		else if (width == 8)
		{
			v64 = (uint64_t) load_le32(p) | (uint64_t) load_le32(p + 4) << 32;
			memcpy(p, &v64, 8);
		}
	}
#else
	(void) values;
	(void) count;
	(void) width;
#endif
}

/*
 * A ULEB128 varint of at most max_bits bits at buf[*pos]; advances *pos.
 * On failure the message names "what", at offset base + *pos.
 */
static bool
read_uleb(const uint8_t *buf, size_t len, size_t *pos, int max_bits,
		  uint64_t *value, const char *what, size_t base,
		  StrataParquetStatus *status)
{
	size_t		start = *pos;
	size_t		p = start;
	uint64_t	result = 0;
	int			shift = 0;
	uint8_t		b;

	for (;;)
	{
		if (p >= len)
		{
			strata_thrift_status_fail(status, base + start, "truncated %s varint",
									  what);
			return false;
		}
		b = buf[p++];
		if (shift == 63 && (b & 0x7E) != 0)
			break;
		result |= (uint64_t) (b & 0x7F) << shift;
		if ((b & 0x80) == 0)
		{
			if (max_bits < 64 && (result >> max_bits) != 0)
				break;
			*value = result;
			*pos = p;
			return true;
		}
		shift += 7;
		if (shift > 63)
			break;
	}
	strata_thrift_status_fail(status, base + start, "%s varint out of range", what);
	return false;
}

static inline uint64_t
zigzag_encode(int64_t v)
{
	uint64_t	u = (uint64_t) v;

	return (u << 1) ^ (0 - (u >> 63));
}

/* The two's complement bits of the decoded value, kept unsigned. */
static inline uint64_t
zigzag_decode(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

/* ---------------------------------------------------------------------
 * Sink
 * ---------------------------------------------------------------------
 */

void
strata_parquet_sink_init(StrataParquetSink *sink, StrataThriftReallocFn fn, void *ctx)
{
	memset(sink, 0, sizeof(*sink));
	sink->realloc_fn = fn ? fn : strata_default_realloc;
	sink->alloc_ctx = ctx;
}

void
strata_parquet_sink_free(StrataParquetSink *sink)
{
	if (sink->buf != NULL)
		sink->realloc_fn(sink->alloc_ctx, sink->buf, sink->cap, 0);
	sink->buf = NULL;
	sink->len = 0;
	sink->cap = 0;
}

/* Room for extra more bytes at buf + len. */
static bool
sink_reserve(StrataParquetSink *sink, size_t extra)
{
	if (sink->failed)
		return false;
	if (!strata_buffer_grow(&sink->buf, &sink->cap, sink->len, extra,
							sink->realloc_fn, sink->alloc_ctx))
		sink->failed = true;
	return !sink->failed;
}

bool
strata_parquet_sink_append(StrataParquetSink *sink, const void *data, size_t len)
{
	if (!sink_reserve(sink, len))
		return false;
	if (len > 0)
		memcpy(sink->buf + sink->len, data, len);
	sink->len += len;
	return true;
}

static bool
put_byte(StrataParquetSink *sink, uint8_t b)
{
	if (!sink_reserve(sink, 1))
		return false;
	sink->buf[sink->len++] = b;
	return true;
}

static bool
put_le32(StrataParquetSink *sink, uint32_t v)
{
	uint8_t		b[4];

	b[0] = (uint8_t) v;
	b[1] = (uint8_t) (v >> 8);
	b[2] = (uint8_t) (v >> 16);
	b[3] = (uint8_t) (v >> 24);
	return strata_parquet_sink_append(sink, b, 4);
}

static bool
put_uleb(StrataParquetSink *sink, uint64_t v)
{
	uint8_t		b[10];
	size_t		n = 0;

	do
	{
		b[n] = (uint8_t) (v & 0x7F);
		v >>= 7;
		if (v != 0)
			b[n] |= 0x80;
		n++;
	} while (v != 0);
	return strata_parquet_sink_append(sink, b, n);
}

/*
 * Packs values least significant bit first into room the caller reserved
 * in the sink (exactly the bytes the values fill, rounded up).
 */
typedef struct BitPacker
{
	uint8_t    *out;
	uint64_t	acc;
	int			nbits;
} BitPacker;

static inline void
pack_bits(BitPacker *bp, uint64_t v, int width)
{
	if (width > 32)
	{
		pack_bits(bp, v & 0xFFFFFFFF, 32);
		pack_bits(bp, v >> 32, width - 32);
		return;
	}
	/* nbits < 8 here, so acc has room for 32 more bits */
	bp->acc |= v << bp->nbits;
	bp->nbits += width;
	while (bp->nbits >= 8)
	{
		*bp->out++ = (uint8_t) bp->acc;
		bp->acc >>= 8;
		bp->nbits -= 8;
	}
}

static inline void
pack_flush(BitPacker *bp)
{
	if (bp->nbits > 0)
		*bp->out++ = (uint8_t) bp->acc;
	bp->acc = 0;
	bp->nbits = 0;
}

/* ---------------------------------------------------------------------
 * RLE/bit-packed hybrid
 * ---------------------------------------------------------------------
 */

bool
strata_parquet_rle_decoder_init(StrataParquetRleDecoder *dec,
								const uint8_t *buf, size_t len, int bit_width,
								StrataParquetStatus *status)
{
	memset(dec, 0, sizeof(*dec));
	dec->buf = buf;
	dec->len = len;
	dec->bit_width = bit_width;
	if (bit_width < 0 || bit_width > STRATA_PARQUET_MAX_RLE_BIT_WIDTH)
	{
		strata_thrift_status_fail(status, 0,
								  "RLE/bit-packed bit width %d is outside 0 to 32",
								  bit_width);
		return false;
	}
	return true;
}

bool
strata_parquet_rle_decoder_init_prefixed(StrataParquetRleDecoder *dec,
										 const uint8_t *buf, size_t len,
										 int bit_width, size_t *consumed,
										 StrataParquetStatus *status)
{
	uint32_t	runs_len;

	if (len < 4)
	{
		strata_thrift_status_fail(status, 0,
								  "truncated length of RLE/bit-packed data: %zu of 4 bytes",
								  len);
		return false;
	}
	runs_len = load_le32(buf);
	if (runs_len > len - 4)
	{
		strata_thrift_status_fail(status, 0,
								  "RLE/bit-packed length %u exceeds the %zu bytes left",
								  runs_len, len - 4);
		return false;
	}
	if (!strata_parquet_rle_decoder_init(dec, buf + 4, runs_len, bit_width, status))
		return false;
	dec->base = 4;
	*consumed = 4 + (size_t) runs_len;
	return true;
}

/* Read the next run header (and an RLE run's value). */
static bool
rle_next_run(StrataParquetRleDecoder *dec, StrataParquetStatus *status)
{
	size_t		start = dec->pos;
	uint64_t	header;
	size_t		avail;

	if (!read_uleb(dec->buf, dec->len, &dec->pos, 32, &header, "RLE/bit-packed run header",
				   dec->base, status))
		return false;
	avail = dec->len - dec->pos;
	if (header & 1)
	{
		uint64_t	groups = header >> 1;
		uint64_t	bytes = groups * (uint64_t) dec->bit_width;

		dec->packed = true;
		dec->run_left = groups * 8;
		if (bytes > avail)
		{
			/* a run cut short by the end: only its whole values count */
			dec->run_left = (uint64_t) avail * 8 / (uint64_t) dec->bit_width;
			bytes = avail;
		}
		dec->run_start = dec->pos;
		dec->run_index = 0;
		dec->pos += (size_t) bytes;
	}
	else
	{
		int			nbytes = (dec->bit_width + 7) / 8;
		uint32_t	value = 0;
		int			i;

		if (avail < (size_t) nbytes)
		{
			strata_thrift_status_fail(status, dec->base + start,
									  "truncated RLE run: value needs %d bytes, %zu left",
									  nbytes, avail);
			return false;
		}
		for (i = 0; i < nbytes; i++)
			value |= (uint32_t) dec->buf[dec->pos + i] << (8 * i);
		if (dec->bit_width < 32 && (value >> dec->bit_width) != 0)
		{
			strata_thrift_status_fail(status, dec->base + dec->pos,
									  "RLE run value %u does not fit bit width %d",
									  value, dec->bit_width);
			return false;
		}
		dec->pos += nbytes;
		dec->packed = false;
		dec->run_value = value;
		dec->run_left = header >> 1;
	}
	return true;
}

bool
strata_parquet_rle_decode(StrataParquetRleDecoder *dec, uint32_t *out, size_t count,
						  StrataParquetStatus *status)
{
	size_t		done = 0;
	size_t		n,
				i;

	while (done < count)
	{
		if (dec->run_left == 0)
		{
			if (dec->pos >= dec->len)
			{
				strata_thrift_status_fail(status, dec->base + dec->pos,
										  "RLE/bit-packed data ends %zu values short",
										  count - done);
				return false;
			}
			if (!rle_next_run(dec, status))
				return false;
			continue;
		}
		n = count - done;
		if ((uint64_t) n > dec->run_left)
			n = (size_t) dec->run_left;
		if (!dec->packed)
		{
			for (i = 0; i < n; i++)
				out[done + i] = dec->run_value;
		}
		else
		{
			uint64_t	bitpos = (uint64_t) dec->run_start * 8 +
				dec->run_index * (uint64_t) dec->bit_width;

			for (i = 0; i < n; i++, bitpos += dec->bit_width)
				out[done + i] = (uint32_t) get_bits(dec->buf, dec->len, bitpos,
													dec->bit_width);
			dec->run_index += n;
		}
		dec->run_left -= n;
		done += n;
	}
	return true;
}

/* Encoder input: uint32_t values, or uint8_t booleans. */
typedef struct RleInput
{
	const void *values;
	size_t		elem_size;		/* 4 or 1 */
	size_t		count;
} RleInput;

static inline uint32_t
rle_input_get(const RleInput *in, size_t i)
{
	if (in->elem_size == 1)
		return ((const uint8_t *) in->values)[i];
	return ((const uint32_t *) in->values)[i];
}

/* Length of the run of equal values at i, counting at most limit. */
static size_t
rle_run_length(const RleInput *in, size_t i, size_t limit)
{
	uint32_t	v = rle_input_get(in, i);
	size_t		j = i + 1;

	while (j < in->count && j - i < limit && rle_input_get(in, j) == v)
		j++;
	return j - i;
}

static bool
rle_put_repeated(StrataParquetSink *sink, uint32_t value, size_t count, int bit_width)
{
	int			nbytes = (bit_width + 7) / 8;
	int			i;

	while (count > 0)
	{
		size_t		n = count > MAX_RUN_VALUES ? (size_t) MAX_RUN_VALUES : count;

		if (!put_uleb(sink, (uint64_t) n << 1))
			return false;
		for (i = 0; i < nbytes; i++)
			if (!put_byte(sink, (uint8_t) (value >> (8 * i))))
				return false;
		count -= n;
	}
	return true;
}

/* Values [from, to) as one bit-packed run, the last group padded with zeros. */
static bool
rle_put_packed(StrataParquetSink *sink, const RleInput *in, size_t from, size_t to,
			   int bit_width)
{
	size_t		groups = (to - from + 7) / 8;
	size_t		bytes = groups * (size_t) bit_width;
	BitPacker	bp;
	size_t		i;

	if (!put_uleb(sink, (uint64_t) groups << 1 | 1) || !sink_reserve(sink, bytes))
		return false;
	bp.out = sink->buf + sink->len;
	bp.acc = 0;
	bp.nbits = 0;
	for (i = from; i < from + groups * 8; i++)
		pack_bits(&bp, i < to ? rle_input_get(in, i) : 0, bit_width);
	pack_flush(&bp);
	sink->len += bytes;
	return true;
}

static bool
rle_encode_input(StrataParquetSink *sink, const RleInput *in, int bit_width,
				 bool length_prefix)
{
	size_t		start = sink->len;
	size_t		i,
				j,
				run;

	if (bit_width < 0 || bit_width > STRATA_PARQUET_MAX_RLE_BIT_WIDTH)
		return false;
	for (i = 0; i < in->count; i++)
		if (bit_width < 32 && (rle_input_get(in, i) >> bit_width) != 0)
			return false;
	if (length_prefix && !put_le32(sink, 0))
		return false;

	i = 0;
	while (i < in->count)
	{
		run = rle_run_length(in, i, SIZE_MAX);
		if (run >= 8)
		{
			if (!rle_put_repeated(sink, rle_input_get(in, i), run, bit_width))
				return false;
			i += run;
			continue;
		}

		/*
		 * Literal values, in whole groups of 8, up to a group boundary where
		 * a run of 8 begins (or the end).  A run that starts inside a group
		 * gives that group its first values and is RLE-coded from the next
		 * boundary.
		 */
		j = i;
		for (;;)
		{
			j = in->count - j > 8 ? j + 8 : in->count;
			if (j >= in->count || j - i >= MAX_RUN_VALUES - 7 ||
				rle_run_length(in, j, 8) >= 8)
				break;
		}
		if (!rle_put_packed(sink, in, i, j, bit_width))
			return false;
		i = j;
	}

	if (length_prefix)
	{
		size_t		runs_len = sink->len - start - 4;

		if (runs_len > UINT32_MAX)
			return false;
		sink->buf[start] = (uint8_t) runs_len;
		sink->buf[start + 1] = (uint8_t) (runs_len >> 8);
		sink->buf[start + 2] = (uint8_t) (runs_len >> 16);
		sink->buf[start + 3] = (uint8_t) (runs_len >> 24);
	}
	return !sink->failed;
}

bool
strata_parquet_rle_encode(StrataParquetSink *sink, const uint32_t *values, size_t count,
						  int bit_width, bool length_prefix)
{
	RleInput	in;

	in.values = values;
	in.elem_size = 4;
	in.count = count;
	return rle_encode_input(sink, &in, bit_width, length_prefix);
}

bool
strata_parquet_rle_boolean_decode(const uint8_t *buf, size_t len, uint8_t *out,
								  size_t count, size_t *consumed,
								  StrataParquetStatus *status)
{
	StrataParquetRleDecoder dec;
	uint32_t	batch[BATCH];
	size_t		done = 0;
	size_t		n,
				i;

	if (!strata_parquet_rle_decoder_init_prefixed(&dec, buf, len, 1, consumed, status))
		return false;
	while (done < count)
	{
		n = count - done < BATCH ? count - done : BATCH;
		if (!strata_parquet_rle_decode(&dec, batch, n, status))
			return false;
		/* bit width 1 keeps every value at 0 or 1 */
		for (i = 0; i < n; i++)
			out[done + i] = (uint8_t) batch[i];
		done += n;
	}
	return true;
}

bool
strata_parquet_rle_boolean_encode(StrataParquetSink *sink, const uint8_t *values,
								  size_t count)
{
	RleInput	in;

	in.values = values;
	in.elem_size = 1;
	in.count = count;
	return rle_encode_input(sink, &in, 1, true);
}

bool
strata_parquet_dict_indices_decode(const uint8_t *buf, size_t len, uint32_t *out,
								   size_t count, StrataParquetStatus *status)
{
	StrataParquetRleDecoder dec;

	if (count == 0)
		return true;
	if (len < 1)
	{
		strata_thrift_status_fail(status, 0,
								  "dictionary indices lack their bit width byte");
		return false;
	}
	if (buf[0] > STRATA_PARQUET_MAX_RLE_BIT_WIDTH)
	{
		strata_thrift_status_fail(status, 0,
								  "dictionary index bit width %d exceeds 32", buf[0]);
		return false;
	}
	if (!strata_parquet_rle_decoder_init(&dec, buf + 1, len - 1, buf[0], status))
		return false;
	dec.base = 1;
	return strata_parquet_rle_decode(&dec, out, count, status);
}

bool
strata_parquet_dict_indices_encode(StrataParquetSink *sink, const uint32_t *indices,
								   size_t count, int bit_width)
{
	if (bit_width < 0 || bit_width > STRATA_PARQUET_MAX_RLE_BIT_WIDTH)
		return false;
	return put_byte(sink, (uint8_t) bit_width) &&
		strata_parquet_rle_encode(sink, indices, count, bit_width, false);
}

bool
strata_parquet_bit_packed_decode(const uint8_t *buf, size_t len, int bit_width,
								 uint32_t *out, size_t count, size_t *consumed,
								 StrataParquetStatus *status)
{
	uint64_t	bits;
	uint64_t	bytes;
	uint64_t	bitpos = 0;
	size_t		i;
	int			b;

	if (bit_width < 0 || bit_width > STRATA_PARQUET_MAX_RLE_BIT_WIDTH)
	{
		strata_thrift_status_fail(status, 0,
								  "BIT_PACKED bit width %d is outside 0 to 32", bit_width);
		return false;
	}
	/* count * bit_width cannot overflow 64 bits: both are far below 2^32 there */
	if ((uint64_t) count > (uint64_t) len * 8)
		bytes = UINT64_MAX;
	else
	{
		bits = (uint64_t) count * (uint64_t) bit_width;
		bytes = (bits + 7) / 8;
	}
	if (bytes > len)
	{
		if (bit_width > 0)
		{
			strata_thrift_status_fail(status, 0,
									  "BIT_PACKED data of %zu values of %d bits exceeds the %zu bytes given",
									  count, bit_width, len);
			return false;
		}
		bytes = 0;
	}
	for (i = 0; i < count; i++)
	{
		uint32_t	v = 0;

		/* most significant bit first, one bit at a time: rare, old files */
		for (b = 0; b < bit_width; b++, bitpos++)
			v = v << 1 | ((buf[bitpos >> 3] >> (7 - (bitpos & 7))) & 1);
		out[i] = v;
	}
	*consumed = (size_t) bytes;
	return true;
}

/* ---------------------------------------------------------------------
 * PLAIN
 * ---------------------------------------------------------------------
 */

/* Fail with the usual message for count values of size bytes past len. */
static bool
fail_short(StrataParquetStatus *status, const char *encoding, size_t count,
		   size_t size, size_t len)
{
	strata_thrift_status_fail(status, len,
							  "truncated %s data: %zu values of %zu bytes exceed the %zu bytes given",
							  encoding, count, size, len);
	return false;
}

static bool
plain_decode_byte_array(const uint8_t *buf, size_t len, StrataParquetSpan *out,
						size_t count, size_t *consumed, StrataParquetStatus *status)
{
	size_t		pos = 0;
	size_t		i;
	uint32_t	vlen;

	for (i = 0; i < count; i++)
	{
		if (len - pos < 4)
		{
			strata_thrift_status_fail(status, pos,
									  "truncated PLAIN byte array: no length for value %zu of %zu",
									  i, count);
			return false;
		}
		vlen = load_le32(buf + pos);
		pos += 4;
		if (vlen > len - pos)
		{
			strata_thrift_status_fail(status, pos - 4,
									  "PLAIN byte array value %zu of %u bytes overruns the %zu bytes left",
									  i, vlen, len - pos);
			return false;
		}
		if (pos + vlen > UINT32_MAX)
		{
			strata_thrift_status_fail(status, pos - 4, "byte array data past 4 GB");
			return false;
		}
		out[i].offset = (uint32_t) pos;
		out[i].length = vlen;
		pos += vlen;
	}
	*consumed = pos;
	return true;
}

bool
strata_parquet_plain_decode(const uint8_t *buf, size_t len, int32_t type,
							int32_t type_length, void *out, size_t count,
							size_t *consumed, StrataParquetStatus *status)
{
	size_t		size;
	size_t		i;

	if (type == STRATA_PARQUET_BYTE_ARRAY)
		return plain_decode_byte_array(buf, len, out, count, consumed, status);
	size = strata_parquet_value_size(type, type_length);
	if (size == 0)
	{
		strata_thrift_status_fail(status, 0,
								  "PLAIN values of type %s (%d) with type length %d cannot be decoded",
								  strata_parquet_type_name(type), type, type_length);
		return false;
	}
	if (type == STRATA_PARQUET_BOOLEAN)
	{
		size_t		bytes = count / 8 + (count % 8 != 0);
		uint8_t    *b = out;

		if (bytes > len)
			return fail_short(status, "PLAIN BOOLEAN", count, 1, len);
		for (i = 0; i < count; i++)
			b[i] = (buf[i >> 3] >> (i & 7)) & 1;
		*consumed = bytes;
		return true;
	}
	if (count > len / size)
		return fail_short(status, "PLAIN", count, size, len);
	if (count > 0)
		memcpy(out, buf, count * size);
	if (type != STRATA_PARQUET_INT96 && type != STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
		le_to_native(out, count, size);
	*consumed = count * size;
	return true;
}

bool
strata_parquet_plain_encode(StrataParquetSink *sink, int32_t type, int32_t type_length,
							const void *values, size_t count)
{
	size_t		size = strata_parquet_value_size(type, type_length);
	size_t		i;

	if (size == 0 || type == STRATA_PARQUET_BYTE_ARRAY)
		return false;
	if (type == STRATA_PARQUET_BOOLEAN)
	{
		const uint8_t *b = values;
		size_t		bytes = count / 8 + (count % 8 != 0);
		uint8_t    *out;

		if (!sink_reserve(sink, bytes))
			return false;
		out = sink->buf + sink->len;
		memset(out, 0, bytes);
		for (i = 0; i < count; i++)
			if (b[i])
				out[i >> 3] |= (uint8_t) (1 << (i & 7));
		sink->len += bytes;
		return true;
	}
	if (count > SIZE_MAX / size || !sink_reserve(sink, count * size))
		return false;
	if (count > 0)
		memcpy(sink->buf + sink->len, values, count * size);
	if (type != STRATA_PARQUET_INT96 && type != STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
		le_to_native(sink->buf + sink->len, count, size);	/* same swap both ways */
	sink->len += count * size;
	return true;
}

bool
strata_parquet_plain_encode_byte_array(StrataParquetSink *sink, const uint8_t *base,
									   const StrataParquetSpan *values, size_t count)
{
	size_t		i;

	for (i = 0; i < count; i++)
		if (!put_le32(sink, values[i].length) ||
			!strata_parquet_sink_append(sink, base + values[i].offset, values[i].length))
			return false;
	return true;
}

/* ---------------------------------------------------------------------
 * DELTA_BINARY_PACKED
 * ---------------------------------------------------------------------
 */

bool
strata_parquet_delta_decoder_init(StrataParquetDeltaDecoder *dec, const uint8_t *buf,
								  size_t len, StrataParquetStatus *status)
{
	uint64_t	block_size,
				miniblocks,
				first;
	size_t		pos = 0;

	memset(dec, 0, sizeof(*dec));
	dec->buf = buf;
	dec->len = len;
	if (!read_uleb(buf, len, &pos, 32, &block_size, "DELTA block size", 0, status) ||
		!read_uleb(buf, len, &pos, 32, &miniblocks, "DELTA miniblock count", 0, status) ||
		!read_uleb(buf, len, &pos, 64, &dec->total, "DELTA value count", 0, status) ||
		!read_uleb(buf, len, &pos, 64, &first, "DELTA first value", 0, status))
		return false;
	if (block_size == 0 || block_size % 128 != 0)
	{
		strata_thrift_status_fail(status, 0,
								  "DELTA block size %llu is not a positive multiple of 128",
								  (unsigned long long) block_size);
		return false;
	}
	if (miniblocks == 0 || block_size % miniblocks != 0 ||
		(block_size / miniblocks) % 32 != 0)
	{
		strata_thrift_status_fail(status, 0,
								  "DELTA block of %llu values cannot hold %llu miniblocks of a multiple of 32 values",
								  (unsigned long long) block_size,
								  (unsigned long long) miniblocks);
		return false;
	}
	dec->block_size = (uint32_t) block_size;
	dec->miniblocks = (uint32_t) miniblocks;
	dec->mb_values = (uint32_t) (block_size / miniblocks);
	dec->last = zigzag_decode(first);
	dec->pos = pos;
	dec->end = pos;
	/* as if at the end of a block, so the first delta reads a block header */
	dec->mb_index = dec->miniblocks - 1;
	dec->mb_pos = dec->mb_values;
	return true;
}

/* Move to the next miniblock, reading a block header when one is due. */
static bool
delta_next_miniblock(StrataParquetDeltaDecoder *dec, StrataParquetStatus *status)
{
	uint64_t	z;
	uint64_t	needed,
				needed_bytes,
				full_bytes;
	size_t		avail;

	dec->mb_index++;
	if (dec->mb_index >= dec->miniblocks)
	{
		if (!read_uleb(dec->buf, dec->len, &dec->pos, 64, &z, "DELTA min delta", 0, status))
			return false;
		dec->min_delta = zigzag_decode(z);
		if (dec->len - dec->pos < dec->miniblocks)
		{
			strata_thrift_status_fail(status, dec->pos,
									  "truncated DELTA block: %u bit widths, %zu bytes left",
									  dec->miniblocks, dec->len - dec->pos);
			return false;
		}
		dec->widths = dec->pos;
		dec->pos += dec->miniblocks;
		dec->mb_index = 0;
	}
	dec->mb_width = dec->buf[dec->widths + dec->mb_index];
	if (dec->mb_width > STRATA_PARQUET_MAX_DELTA_BIT_WIDTH)
	{
		strata_thrift_status_fail(status, dec->widths + dec->mb_index,
								  "DELTA miniblock bit width %d exceeds %d",
								  dec->mb_width, STRATA_PARQUET_MAX_DELTA_BIT_WIDTH);
		return false;
	}

	/*
	 * The miniblock takes mb_values * width bits; only the values still due
	 * must be there, so a writer that drops the padding of the last
	 * miniblock is still read.
	 */
	needed = dec->total - dec->emitted;
	if (needed > dec->mb_values)
		needed = dec->mb_values;
	needed_bytes = (needed * (uint64_t) dec->mb_width + 7) / 8;
	full_bytes = (uint64_t) dec->mb_values * (uint64_t) dec->mb_width / 8;
	avail = dec->len - dec->pos;
	if (needed_bytes > avail)
	{
		strata_thrift_status_fail(status, dec->pos,
								  "truncated DELTA miniblock: %llu values of %d bits, %zu bytes left",
								  (unsigned long long) needed, dec->mb_width, avail);
		return false;
	}
	dec->mb_start = dec->pos;
	dec->pos += full_bytes > avail ? avail : (size_t) full_bytes;
	dec->end = dec->pos;
	dec->mb_pos = 0;
	return true;
}

static bool
delta_next(StrataParquetDeltaDecoder *dec, uint64_t *value, StrataParquetStatus *status)
{
	uint64_t	packed;

	if (dec->emitted >= dec->total)
	{
		strata_thrift_status_fail(status, dec->pos,
								  "DELTA data holds %llu values, more were asked for",
								  (unsigned long long) dec->total);
		return false;
	}
	if (dec->emitted > 0)
	{
		if (dec->mb_pos >= dec->mb_values &&
			!delta_next_miniblock(dec, status))
			return false;
		packed = get_bits(dec->buf, dec->len,
						  (uint64_t) dec->mb_start * 8 +
						  (uint64_t) dec->mb_pos * (uint64_t) dec->mb_width,
						  dec->mb_width);
		dec->mb_pos++;
		dec->last += dec->min_delta + packed;
	}
	dec->emitted++;
	*value = dec->last;
	return true;
}

bool
strata_parquet_delta_decode_int32(StrataParquetDeltaDecoder *dec, int32_t *out,
								  size_t count, StrataParquetStatus *status)
{
	uint64_t	v;
	size_t		i;

	for (i = 0; i < count; i++)
	{
		if (!delta_next(dec, &v, status))
			return false;
		out[i] = (int32_t) (uint32_t) v;
	}
	return true;
}

bool
strata_parquet_delta_decode_int64(StrataParquetDeltaDecoder *dec, int64_t *out,
								  size_t count, StrataParquetStatus *status)
{
	uint64_t	v;
	size_t		i;

	for (i = 0; i < count; i++)
	{
		if (!delta_next(dec, &v, status))
			return false;
		out[i] = (int64_t) v;
	}
	return true;
}

size_t
strata_parquet_delta_decoder_end(const StrataParquetDeltaDecoder *dec)
{
	return dec->end;
}

#define DELTA_BLOCK 128
#define DELTA_MINIBLOCKS 4
#define DELTA_MB_VALUES (DELTA_BLOCK / DELTA_MINIBLOCKS)

/*
 * The deltas are taken in the values' own width (wrapping), so INT32 data
 * never needs more than 32 bits; min delta and the packed numbers then
 * add back to the value modulo 2^32 (or 2^64).
 */
static bool
delta_encode(StrataParquetSink *sink, const void *values, bool is_int32, size_t count)
{
	const int32_t *v32 = values;
	const int64_t *v64 = values;
	int64_t		deltas[DELTA_BLOCK];
	uint64_t	rel[DELTA_BLOCK];
	uint8_t		widths[DELTA_MINIBLOCKS];
	int64_t		prev,
				cur,
				min;
	size_t		i,
				k,
				n,
				m;
	uint64_t	maxrel;
	BitPacker	bp;

	prev = count == 0 ? 0 : (is_int32 ? v32[0] : v64[0]);
	if (!put_uleb(sink, DELTA_BLOCK) || !put_uleb(sink, DELTA_MINIBLOCKS) ||
		!put_uleb(sink, count) || !put_uleb(sink, zigzag_encode(prev)))
		return false;

	for (i = 1; i < count; i += n)
	{
		n = count - i < DELTA_BLOCK ? count - i : DELTA_BLOCK;
		for (k = 0; k < n; k++)
		{
			if (is_int32)
			{
				cur = v32[i + k];
				deltas[k] = (int32_t) ((uint32_t) cur - (uint32_t) prev);
			}
			else
			{
				cur = v64[i + k];
				deltas[k] = (int64_t) ((uint64_t) cur - (uint64_t) prev);
			}
			prev = cur;
		}
		min = deltas[0];
		for (k = 1; k < n; k++)
			if (deltas[k] < min)
				min = deltas[k];
		for (k = 0; k < DELTA_BLOCK; k++)
			rel[k] = k < n ? (uint64_t) deltas[k] - (uint64_t) min : 0;
		for (m = 0; m < DELTA_MINIBLOCKS; m++)
		{
			maxrel = 0;
			for (k = m * DELTA_MB_VALUES; k < (m + 1) * DELTA_MB_VALUES && k < n; k++)
				maxrel |= rel[k];
			widths[m] = (uint8_t) strata_parquet_bit_width(maxrel);
		}
		if (!put_uleb(sink, zigzag_encode(min)) ||
			!strata_parquet_sink_append(sink, widths, DELTA_MINIBLOCKS))
			return false;
		for (m = 0; m * DELTA_MB_VALUES < n; m++)
		{
			size_t		bytes = DELTA_MB_VALUES * (size_t) widths[m] / 8;

			if (!sink_reserve(sink, bytes))
				return false;
			bp.out = sink->buf + sink->len;
			bp.acc = 0;
			bp.nbits = 0;
			for (k = m * DELTA_MB_VALUES; k < (m + 1) * DELTA_MB_VALUES; k++)
				pack_bits(&bp, rel[k], widths[m]);
			pack_flush(&bp);
			sink->len += bytes;
		}
	}
	return !sink->failed;
}

bool
strata_parquet_delta_encode_int32(StrataParquetSink *sink, const int32_t *values,
								  size_t count)
{
	return delta_encode(sink, values, true, count);
}

bool
strata_parquet_delta_encode_int64(StrataParquetSink *sink, const int64_t *values,
								  size_t count)
{
	return delta_encode(sink, values, false, count);
}

/* ---------------------------------------------------------------------
 * DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY
 * ---------------------------------------------------------------------
 */

/*
 * count delta-encoded lengths, into lengths[] or else into spans[].length;
 * *end receives where the lengths end.
 */
static bool
delta_lengths(const uint8_t *buf, size_t len, const char *what, size_t count,
			  uint32_t *lengths, StrataParquetSpan *spans, size_t *end,
			  StrataParquetStatus *status)
{
	StrataParquetDeltaDecoder dec;
	int32_t		batch[BATCH];
	size_t		done = 0;
	size_t		n,
				i;

	if (!strata_parquet_delta_decoder_init(&dec, buf, len, status))
		return false;
	if (dec.total != count)
	{
		strata_thrift_status_fail(status, 0,
								  "%s holds %llu lengths, %zu values expected",
								  what, (unsigned long long) dec.total, count);
		return false;
	}
	while (done < count)
	{
		n = count - done < BATCH ? count - done : BATCH;
		if (!strata_parquet_delta_decode_int32(&dec, batch, n, status))
			return false;
		for (i = 0; i < n; i++)
		{
			if (batch[i] < 0)
			{
				strata_thrift_status_fail(status, dec.mb_start,
										  "%s length %d of value %zu is negative",
										  what, batch[i], done + i);
				return false;
			}
			if (lengths != NULL)
				lengths[done + i] = (uint32_t) batch[i];
			else
				spans[done + i].length = (uint32_t) batch[i];
		}
		done += n;
	}
	*end = strata_parquet_delta_decoder_end(&dec);
	return true;
}

bool
strata_parquet_delta_length_decode(const uint8_t *buf, size_t len, StrataParquetSpan *out,
								   size_t count, size_t *consumed,
								   StrataParquetStatus *status)
{
	size_t		pos;
	size_t		i;

	if (!delta_lengths(buf, len, "DELTA_LENGTH_BYTE_ARRAY", count, NULL, out, &pos,
					   status))
		return false;
	for (i = 0; i < count; i++)
	{
		if (out[i].length > len - pos)
		{
			strata_thrift_status_fail(status, pos,
									  "DELTA_LENGTH_BYTE_ARRAY value %zu of %u bytes overruns the %zu bytes left",
									  i, out[i].length, len - pos);
			return false;
		}
		if (pos + out[i].length > UINT32_MAX)
		{
			strata_thrift_status_fail(status, pos, "byte array data past 4 GB");
			return false;
		}
		out[i].offset = (uint32_t) pos;
		pos += out[i].length;
	}
	*consumed = pos;
	return true;
}

bool
strata_parquet_delta_length_encode(StrataParquetSink *sink, const uint8_t *base,
								   const StrataParquetSpan *values, size_t count)
{
	int32_t		lengths[BATCH];
	StrataParquetSink tmp;
	size_t		i;
	bool		ok;

	/* all lengths go first, so they are gathered into one int32 array */
	if (count <= BATCH)
	{
		for (i = 0; i < count; i++)
		{
			if (values[i].length > INT32_MAX)
				return false;
			lengths[i] = (int32_t) values[i].length;
		}
		ok = strata_parquet_delta_encode_int32(sink, lengths, count);
	}
	else
	{
		strata_parquet_sink_init(&tmp, sink->realloc_fn, sink->alloc_ctx);
		ok = true;
		for (i = 0; i < count && ok; i++)
		{
			int32_t		l = (int32_t) values[i].length;

			ok = values[i].length <= INT32_MAX &&
				strata_parquet_sink_append(&tmp, &l, sizeof(l));
		}
		ok = ok && strata_parquet_delta_encode_int32(sink, (const int32_t *) tmp.buf, count);
		strata_parquet_sink_free(&tmp);
	}
	for (i = 0; i < count && ok; i++)
		ok = strata_parquet_sink_append(sink, base + values[i].offset, values[i].length);
	return ok;
}

bool
strata_parquet_delta_byte_array_decode(const uint8_t *buf, size_t len, size_t count,
									   StrataArena *arena, StrataParquetSpan *out,
									   const uint8_t **data, size_t *data_len,
									   size_t *consumed, StrataParquetStatus *status)
{
	uint32_t   *prefix = NULL;
	size_t		suffix_start,
				suffix_len;
	uint64_t	total = 0;
	uint8_t    *dst;
	size_t		i,
				pos;
	uint32_t	prev_len = 0;

	if (count > 0)
	{
		if (count > SIZE_MAX / sizeof(uint32_t) ||
			(prefix = strata_arena_alloc(arena, count * sizeof(uint32_t))) == NULL)
		{
			strata_thrift_status_fail(status, 0,
									  "out of memory for %zu DELTA_BYTE_ARRAY prefixes", count);
			return false;
		}
	}
	if (!delta_lengths(buf, len, "DELTA_BYTE_ARRAY prefix", count, prefix, NULL,
					   &suffix_start, status))
		return false;
	if (!strata_parquet_delta_length_decode(buf + suffix_start, len - suffix_start,
											out, count, &suffix_len, status))
	{
		status->error_offset += suffix_start;
		return false;
	}
	for (i = 0; i < count; i++)
	{
		if (prefix[i] > prev_len)
		{
			strata_thrift_status_fail(status, 0,
									  "DELTA_BYTE_ARRAY prefix %u of value %zu is longer than the previous value (%u bytes)",
									  prefix[i], i, prev_len);
			return false;
		}
		if ((uint64_t) prefix[i] + out[i].length > UINT32_MAX)
		{
			strata_thrift_status_fail(status, 0, "DELTA_BYTE_ARRAY value past 4 GB");
			return false;
		}
		prev_len = prefix[i] + out[i].length;
		total += prev_len;
		if (total > UINT32_MAX)
		{
			strata_thrift_status_fail(status, 0,
									  "DELTA_BYTE_ARRAY values exceed 4 GB in all");
			return false;
		}
	}
	dst = strata_arena_alloc(arena, total > 0 ? (size_t) total : 1);
	if (dst == NULL)
	{
		strata_thrift_status_fail(status, 0,
								  "out of memory for %llu bytes of DELTA_BYTE_ARRAY values",
								  (unsigned long long) total);
		return false;
	}
	pos = 0;
	for (i = 0; i < count; i++)
	{
		uint32_t	slen = out[i].length;
		const uint8_t *suffix = buf + suffix_start + out[i].offset;

		if (prefix[i] > 0)
			memcpy(dst + pos, dst + out[i - 1].offset, prefix[i]);
		if (slen > 0)
			memcpy(dst + pos + prefix[i], suffix, slen);
		out[i].offset = (uint32_t) pos;
		out[i].length = prefix[i] + slen;
		pos += out[i].length;
	}
	*data = dst;
	*data_len = (size_t) total;
	*consumed = suffix_start + suffix_len;
	return true;
}

bool
strata_parquet_delta_byte_array_encode(StrataParquetSink *sink, const uint8_t *base,
									   const StrataParquetSpan *values, size_t count)
{
	StrataParquetSink prefixes;
	StrataParquetSink suffixes;
	size_t		i;
	bool		ok = true;

	strata_parquet_sink_init(&prefixes, sink->realloc_fn, sink->alloc_ctx);
	strata_parquet_sink_init(&suffixes, sink->realloc_fn, sink->alloc_ctx);
	for (i = 0; i < count && ok; i++)
	{
		int32_t		p = 0;
		StrataParquetSpan s;

		if (i > 0)
		{
			const uint8_t *a = base + values[i - 1].offset;
			const uint8_t *b = base + values[i].offset;
			uint32_t	max = values[i - 1].length < values[i].length ?
				values[i - 1].length : values[i].length;

			while ((uint32_t) p < max && a[p] == b[p])
				p++;
		}
		s.offset = values[i].offset + (uint32_t) p;
		s.length = values[i].length - (uint32_t) p;
		ok = values[i].length <= INT32_MAX &&
			strata_parquet_sink_append(&prefixes, &p, sizeof(p)) &&
			strata_parquet_sink_append(&suffixes, &s, sizeof(s));
	}
	ok = ok &&
		strata_parquet_delta_encode_int32(sink, (const int32_t *) prefixes.buf, count) &&
		strata_parquet_delta_length_encode(sink, base,
										   (const StrataParquetSpan *) suffixes.buf, count);
	strata_parquet_sink_free(&prefixes);
	strata_parquet_sink_free(&suffixes);
	return ok;
}

/* ---------------------------------------------------------------------
 * BYTE_STREAM_SPLIT
 * ---------------------------------------------------------------------
 */

bool
strata_parquet_byte_stream_split_decode(const uint8_t *buf, size_t len, size_t width,
										void *out, size_t count,
										StrataParquetStatus *status)
{
	uint8_t    *dst = out;
	size_t		i,
				k;

	if (width == 0 || count > SIZE_MAX / width || len != width * count)
	{
		strata_thrift_status_fail(status, 0,
								  "BYTE_STREAM_SPLIT data has %zu bytes, not %zu values of %zu bytes",
								  len, count, width);
		return false;
	}
	for (k = 0; k < width; k++)
	{
		const uint8_t *stream = buf + k * count;

		for (i = 0; i < count; i++)
			dst[i * width + k] = stream[i];
	}
	return true;
}

bool
strata_parquet_byte_stream_split_encode(StrataParquetSink *sink, const void *values,
										size_t width, size_t count)
{
	const uint8_t *src = values;
	uint8_t    *dst;
	size_t		i,
				k;

	if (width == 0 || count > SIZE_MAX / width || !sink_reserve(sink, width * count))
		return false;
	dst = sink->buf + sink->len;
	for (k = 0; k < width; k++)
		for (i = 0; i < count; i++)
			dst[k * count + i] = src[i * width + k];
	sink->len += width * count;
	return true;
}

/* ---------------------------------------------------------------------
 * Dispatch by encoding
 * ---------------------------------------------------------------------
 */

static bool
refuse_encoding(int32_t encoding, int32_t type, StrataParquetStatus *status)
{
	strata_thrift_status_fail(status, 0, "encoding %s (%d) is not valid for %s values",
							  strata_parquet_encoding_name(encoding), encoding,
							  strata_parquet_type_name(type));
	return false;
}

bool
strata_parquet_decode_values(int32_t encoding, int32_t type, int32_t type_length,
							 const uint8_t *buf, size_t len, size_t count,
							 StrataArena *arena, void *out, const uint8_t **base,
							 StrataParquetStatus *status)
{
	size_t		consumed;
	size_t		size = strata_parquet_value_size(type, type_length);

	*base = buf;
	if (size == 0)
	{
		strata_thrift_status_fail(status, 0,
								  "values of type %s (%d) with type length %d cannot be decoded",
								  strata_parquet_type_name(type), type, type_length);
		return false;
	}
	switch (encoding)
	{
		case STRATA_PARQUET_ENC_PLAIN:
			return strata_parquet_plain_decode(buf, len, type, type_length, out, count,
											   &consumed, status);

		case STRATA_PARQUET_ENC_RLE:
			if (type != STRATA_PARQUET_BOOLEAN)
				return refuse_encoding(encoding, type, status);
			return strata_parquet_rle_boolean_decode(buf, len, out, count, &consumed,
													 status);

		case STRATA_PARQUET_ENC_DELTA_BINARY_PACKED:
			{
				StrataParquetDeltaDecoder dec;
				bool		is_int32 = type == STRATA_PARQUET_INT32;

				if (type != STRATA_PARQUET_INT32 && type != STRATA_PARQUET_INT64)
					return refuse_encoding(encoding, type, status);
				if (!strata_parquet_delta_decoder_init(&dec, buf, len, status))
					return false;
				if (dec.total != count)
				{
					strata_thrift_status_fail(status, 0,
											  "DELTA_BINARY_PACKED holds %llu values, %zu expected",
											  (unsigned long long) dec.total, count);
					return false;
				}
				return is_int32 ?
					strata_parquet_delta_decode_int32(&dec, out, count, status) :
					strata_parquet_delta_decode_int64(&dec, out, count, status);
			}

		case STRATA_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY:
			if (type != STRATA_PARQUET_BYTE_ARRAY)
				return refuse_encoding(encoding, type, status);
			return strata_parquet_delta_length_decode(buf, len, out, count, &consumed,
													  status);

		case STRATA_PARQUET_ENC_DELTA_BYTE_ARRAY:
			{
				StrataParquetSpan *spans;
				size_t		data_len;
				size_t		i;
				uint8_t    *dst = out;

				if (type == STRATA_PARQUET_BYTE_ARRAY)
					return strata_parquet_delta_byte_array_decode(buf, len, count, arena,
																  out, base, &data_len,
																  &consumed, status);
				if (type != STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
					return refuse_encoding(encoding, type, status);
				if (count > SIZE_MAX / sizeof(StrataParquetSpan) ||
					(spans = strata_arena_alloc(arena, count * sizeof(StrataParquetSpan) + 1)) == NULL)
				{
					strata_thrift_status_fail(status, 0,
											  "out of memory for %zu DELTA_BYTE_ARRAY values",
											  count);
					return false;
				}
				if (!strata_parquet_delta_byte_array_decode(buf, len, count, arena, spans,
															base, &data_len, &consumed,
															status))
					return false;
				for (i = 0; i < count; i++)
				{
					if (spans[i].length != size)
					{
						strata_thrift_status_fail(status, 0,
												  "DELTA_BYTE_ARRAY value %zu has %u bytes, the column's type length is %zu",
												  i, spans[i].length, size);
						return false;
					}
					memcpy(dst + i * size, *base + spans[i].offset, size);
				}
				*base = buf;
				return true;
			}

		case STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT:
			if (type != STRATA_PARQUET_FLOAT && type != STRATA_PARQUET_DOUBLE &&
				type != STRATA_PARQUET_INT32 && type != STRATA_PARQUET_INT64 &&
				type != STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
				return refuse_encoding(encoding, type, status);
			if (!strata_parquet_byte_stream_split_decode(buf, len, size, out, count, status))
				return false;
			if (type != STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
				le_to_native(out, count, size);
			return true;

		case STRATA_PARQUET_ENC_PLAIN_DICTIONARY:
		case STRATA_PARQUET_ENC_RLE_DICTIONARY:
			strata_thrift_status_fail(status, 0,
									  "dictionary-encoded values need their dictionary");
			return false;

		default:
			if (encoding >= 0 && encoding < (int32_t) (sizeof(encoding_names) / sizeof(encoding_names[0])))
				return refuse_encoding(encoding, type, status);
			strata_thrift_status_fail(status, 0, "unknown encoding %d", encoding);
			return false;
	}
}
