/*-------------------------------------------------------------------------
 *
 * strata_parquet_encoding.h
 *	  Parquet's value and level encodings: bounded decoders and encoders.
 *
 * Covered: the RLE/bit-packed hybrid (levels, dictionary indices, RLE
 * booleans), the deprecated BIT_PACKED levels (decode only), PLAIN for
 * every physical type, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
 * DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.  strata_parquet_read.c uses the
 * decoders; the Parquet writer will use the encoders.  Portable C like
 * strata_thrift.h: no postgres.h, no ereport, no palloc.
 *
 * Decoded values, by physical type (the "value representation" every
 * function here and in strata_parquet_read.h uses):
 *	BOOLEAN					uint8_t, 0 or 1
 *	INT32, INT64			int32_t, int64_t
 *	INT96					12 bytes as stored (little-endian)
 *	FLOAT, DOUBLE			float, double
 *	FIXED_LEN_BYTE_ARRAY	type_length bytes as stored
 *	BYTE_ARRAY				StrataParquetSpan: (offset, length) into a buffer
 *							the function names, usually the input itself,
 *							so no value is copied or allocated
 *
 * Decoding contract:
 *	- A decoder is given the bytes it may read and the number of values
 *	  it must produce.  It checks every length, count, run and bit width
 *	  against those bytes before using it, and writes only the count values
 *	  the caller's output holds.
 *	- On failure it returns false, and the StrataParquetStatus holds a
 *	  message and the byte offset, within the given buffer, of the item
 *	  that is wrong (the first failure is kept, as in strata_thrift.h).
 *	- "consumed", where a function has it, receives the number of bytes
 *	  the encoded values took, so a caller can find what follows.
 *	- Decoders allocate nothing, except DELTA_BYTE_ARRAY, whose values
 *	  must be rebuilt from prefixes and take their bytes from an arena.
 *
 * Encoding contract: output is appended to a StrataParquetSink, which
 * grows through a realloc-style callback (see StrataThriftReallocFn).  An
 * encoder returns false if the sink could not grow or a value does not fit
 * the encoding (a level wider than its bit width); the sink then holds a
 * partial encoding and should be discarded.
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_PARQUET_ENCODING_H
#define STRATA_PARQUET_ENCODING_H

#include "strata_parquet_meta.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The status of every Parquet decoder: StrataThriftStatus under the name
 * the Parquet code uses, so a footer error and a page error are reported
 * the same way.  Fail with strata_thrift_status_fail.
 */
typedef StrataThriftStatus StrataParquetStatus;

/* A byte array value: length bytes at offset in a buffer named elsewhere. */
typedef struct StrataParquetSpan
{
	uint32_t	offset;
	uint32_t	length;
} StrataParquetSpan;

/* Widest bit width of levels and dictionary indices, and of delta miniblocks */
#define STRATA_PARQUET_MAX_RLE_BIT_WIDTH 32
#define STRATA_PARQUET_MAX_DELTA_BIT_WIDTH 64

/* ---------------------------------------------------------------------
 * Output sink of the encoders
 * ---------------------------------------------------------------------
 */
typedef struct StrataParquetSink
{
	uint8_t    *buf;			/* the output so far: buf[0 .. len) */
	size_t		len;
	size_t		cap;
	StrataThriftReallocFn realloc_fn;
	void	   *alloc_ctx;
	bool		failed;			/* an allocation failed; len is unreliable */
} StrataParquetSink;

/* fn NULL: the C library's realloc/free */
extern void strata_parquet_sink_init(StrataParquetSink *sink,
									 StrataThriftReallocFn fn, void *ctx);
extern void strata_parquet_sink_free(StrataParquetSink *sink);
extern bool strata_parquet_sink_append(StrataParquetSink *sink,
									   const void *data, size_t len);

/* ---------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------
 */

/* Bits needed for values 0 .. max_value (0 for 0, 64 at most). */
extern int	strata_parquet_bit_width(uint64_t max_value);

/*
 * Bytes one decoded value takes in the representation above: 1 for
 * BOOLEAN, 12 for INT96, type_length for FIXED_LEN_BYTE_ARRAY,
 * sizeof(StrataParquetSpan) for BYTE_ARRAY; 0 for an unknown type or a
 * FIXED_LEN_BYTE_ARRAY without a positive type_length.
 */
extern size_t strata_parquet_value_size(int32_t type, int32_t type_length);

/* "PLAIN", "RLE_DICTIONARY", ...; "unknown" for other values */
extern const char *strata_parquet_encoding_name(int32_t encoding);
extern const char *strata_parquet_type_name(int32_t type);

/* ---------------------------------------------------------------------
 * RLE/bit-packed hybrid
 *
 * A decoder reads runs as values are asked for, so levels can be decoded
 * in batches into a small buffer.  bit_width is 0 to 32.
 * ---------------------------------------------------------------------
 */
typedef struct StrataParquetRleDecoder
{
	const uint8_t *buf;
	size_t		len;
	size_t		pos;			/* next run header */
	size_t		base;			/* added to offsets in error messages */
	int			bit_width;
	bool		packed;			/* the current run is bit-packed */
	uint64_t	run_left;		/* values left in the current run */
	uint32_t	run_value;		/* value of an RLE run */
	size_t		run_start;		/* byte offset of a packed run's values */
	uint64_t	run_index;		/* next value within a packed run */
} StrataParquetRleDecoder;

/* Decode from buf[0 .. len), which holds runs only (no length prefix). */
extern bool strata_parquet_rle_decoder_init(StrataParquetRleDecoder *dec,
											const uint8_t *buf, size_t len,
											int bit_width,
											StrataParquetStatus *status);

/*
 * buf starts with the 4-byte little-endian length of the runs; the
 * decoder reads only those.  *consumed receives 4 + that length.
 */
extern bool strata_parquet_rle_decoder_init_prefixed(StrataParquetRleDecoder *dec,
													 const uint8_t *buf, size_t len,
													 int bit_width,
													 size_t *consumed,
													 StrataParquetStatus *status);

/*
 * The next count values.  Fails if the runs end before count values, or
 * an RLE run's value is wider than the bit width.  The last bit-packed run
 * may be cut short by the end of the data, as long as the values asked
 * for are there (some writers drop the padding of the last group).
 */
extern bool strata_parquet_rle_decode(StrataParquetRleDecoder *dec,
									  uint32_t *out, size_t count,
									  StrataParquetStatus *status);

/*
 * Append values as runs: an RLE run for 8 or more equal values, bit-packed
 * groups of 8 otherwise (the last group padded with zeros).  With
 * length_prefix, the 4-byte length goes first.  Fails on a value that
 * does not fit bit_width.
 */
extern bool strata_parquet_rle_encode(StrataParquetSink *sink,
									  const uint32_t *values, size_t count,
									  int bit_width, bool length_prefix);

/*
 * Booleans with the RLE encoding: 4-byte length prefix, bit width 1.
 * Values other than 0 and 1 in a run are an error.
 */
extern bool strata_parquet_rle_boolean_decode(const uint8_t *buf, size_t len,
											  uint8_t *out, size_t count,
											  size_t *consumed,
											  StrataParquetStatus *status);
extern bool strata_parquet_rle_boolean_encode(StrataParquetSink *sink,
											  const uint8_t *values, size_t count);

/*
 * Dictionary indices of a data page: one byte of bit width (at most 32),
 * then runs without a length prefix up to the end of buf.
 */
extern bool strata_parquet_dict_indices_decode(const uint8_t *buf, size_t len,
											   uint32_t *out, size_t count,
											   StrataParquetStatus *status);
extern bool strata_parquet_dict_indices_encode(StrataParquetSink *sink,
											   const uint32_t *indices,
											   size_t count, int bit_width);

/*
 * The deprecated BIT_PACKED level encoding: count values of bit_width
 * bits packed from the most significant bit, ceil(count * bit_width / 8)
 * bytes.  Old parquet-mr files use it for levels.
 */
extern bool strata_parquet_bit_packed_decode(const uint8_t *buf, size_t len,
											 int bit_width, uint32_t *out,
											 size_t count, size_t *consumed,
											 StrataParquetStatus *status);

/* ---------------------------------------------------------------------
 * PLAIN
 * ---------------------------------------------------------------------
 */

/*
 * Decode count values of a physical type into out (the representation
 * above; BYTE_ARRAY spans are offsets into buf).
 */
extern bool strata_parquet_plain_decode(const uint8_t *buf, size_t len,
										int32_t type, int32_t type_length,
										void *out, size_t count,
										size_t *consumed,
										StrataParquetStatus *status);

/* Fixed-width types: values in the representation above. */
extern bool strata_parquet_plain_encode(StrataParquetSink *sink,
										int32_t type, int32_t type_length,
										const void *values, size_t count);

/* BYTE_ARRAY: each span is a value in base. */
extern bool strata_parquet_plain_encode_byte_array(StrataParquetSink *sink,
												   const uint8_t *base,
												   const StrataParquetSpan *values,
												   size_t count);

/* ---------------------------------------------------------------------
 * DELTA_BINARY_PACKED
 *
 * Arithmetic is done modulo 2^64, so deltas that overflow in the writer's
 * type come back as the original values; INT32 results keep the low 32
 * bits.  That also reads INT32 miniblocks wider than 32 bits, which the
 * spec forbids but DuckDB writes (its deltas are taken in 64 bits).
 * Bit widths above 64 are refused where a miniblock is used; the widths
 * of unused miniblocks in the last block are ignored, as the spec asks.
 * ---------------------------------------------------------------------
 */
typedef struct StrataParquetDeltaDecoder
{
	const uint8_t *buf;
	size_t		len;
	size_t		pos;			/* next unread byte: a block header */
	uint32_t	block_size;		/* values per block */
	uint32_t	miniblocks;		/* miniblocks per block */
	uint32_t	mb_values;		/* values per miniblock */
	uint64_t	total;			/* values in the header */
	uint64_t	emitted;		/* values returned so far */
	uint64_t	last;			/* previous value, modulo 2^64 */
	uint64_t	min_delta;
	size_t		widths;			/* offset of this block's bit widths */
	uint32_t	mb_index;		/* current miniblock in the block */
	uint32_t	mb_pos;			/* next value in the miniblock */
	size_t		mb_start;		/* offset of the miniblock's packed values */
	int			mb_width;
	size_t		end;			/* end of the encoded values so far */
} StrataParquetDeltaDecoder;

/* Read the header; its value count is then in dec->total. */
extern bool strata_parquet_delta_decoder_init(StrataParquetDeltaDecoder *dec,
											  const uint8_t *buf, size_t len,
											  StrataParquetStatus *status);
extern bool strata_parquet_delta_decode_int32(StrataParquetDeltaDecoder *dec,
											  int32_t *out, size_t count,
											  StrataParquetStatus *status);
extern bool strata_parquet_delta_decode_int64(StrataParquetDeltaDecoder *dec,
											  int64_t *out, size_t count,
											  StrataParquetStatus *status);

/*
 * Once every value of the header has been decoded: the bytes the encoding
 * took, padding of the last miniblock included (as far as buf has it).
 */
extern size_t strata_parquet_delta_decoder_end(const StrataParquetDeltaDecoder *dec);

/* Blocks of 128 values in 4 miniblocks of 32, as parquet-mr and Arrow write. */
extern bool strata_parquet_delta_encode_int32(StrataParquetSink *sink,
											  const int32_t *values, size_t count);
extern bool strata_parquet_delta_encode_int64(StrataParquetSink *sink,
											  const int64_t *values, size_t count);

/* ---------------------------------------------------------------------
 * DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY
 * ---------------------------------------------------------------------
 */

/* Lengths (delta-encoded, count must match the header), then the bytes. */
extern bool strata_parquet_delta_length_decode(const uint8_t *buf, size_t len,
											   StrataParquetSpan *out, size_t count,
											   size_t *consumed,
											   StrataParquetStatus *status);
extern bool strata_parquet_delta_length_encode(StrataParquetSink *sink,
											   const uint8_t *base,
											   const StrataParquetSpan *values,
											   size_t count);

/*
 * Prefix lengths, then suffixes as DELTA_LENGTH_BYTE_ARRAY.  The values
 * are rebuilt into one buffer from the arena: *data (of *data_len bytes)
 * is what the spans in out point into.  A prefix longer than the previous
 * value, or rebuilt values past 4 GB in all, are errors.
 */
extern bool strata_parquet_delta_byte_array_decode(const uint8_t *buf, size_t len,
												   size_t count, StrataArena *arena,
												   StrataParquetSpan *out,
												   const uint8_t **data,
												   size_t *data_len,
												   size_t *consumed,
												   StrataParquetStatus *status);
extern bool strata_parquet_delta_byte_array_encode(StrataParquetSink *sink,
												   const uint8_t *base,
												   const StrataParquetSpan *values,
												   size_t count);

/* ---------------------------------------------------------------------
 * BYTE_STREAM_SPLIT
 *
 * count values of width bytes (4 or 8 for the numeric types, type_length
 * for FIXED_LEN_BYTE_ARRAY); buf must hold exactly width * count bytes,
 * since the streams run to the end of the page.
 * ---------------------------------------------------------------------
 */
extern bool strata_parquet_byte_stream_split_decode(const uint8_t *buf, size_t len,
													size_t width, void *out,
													size_t count,
													StrataParquetStatus *status);
extern bool strata_parquet_byte_stream_split_encode(StrataParquetSink *sink,
													const void *values,
													size_t width, size_t count);

/* ---------------------------------------------------------------------
 * Any non-dictionary encoding
 * ---------------------------------------------------------------------
 */

/*
 * Decode the count values of a data page's value section, stored with
 * encoding (PLAIN, RLE for BOOLEAN, the DELTA encodings or
 * BYTE_STREAM_SPLIT), into out in the representation above.  For
 * BYTE_ARRAY, *base receives the buffer the spans point into: buf, or
 * bytes from the arena for DELTA_BYTE_ARRAY (which is also the one
 * encoding that uses the arena; FIXED_LEN_BYTE_ARRAY values are copied
 * into out).  A dictionary encoding, or an encoding the physical type
 * does not allow, is refused.
 */
extern bool strata_parquet_decode_values(int32_t encoding, int32_t type,
										 int32_t type_length,
										 const uint8_t *buf, size_t len,
										 size_t count, StrataArena *arena,
										 void *out, const uint8_t **base,
										 StrataParquetStatus *status);

#endif							/* STRATA_PARQUET_ENCODING_H */
