/*-------------------------------------------------------------------------
 *
 * columnar_format.h
 *	  The byte formats of strata_columnar that are parsed from untrusted
 *	  bytes: a stripe's skip list and a decompressed column chunk.
 *
 * Portable C (no postgres.h) so that the parsers also run in unit tests and
 * under libFuzzer; columnar_format.c has the byte diagrams.  Both parsers
 * check every count, length and offset against the bytes they were given
 * and report failures through ColumnarFormatError instead of raising: the
 * backend turns that into ERRCODE_DATA_CORRUPTED naming the relation.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_FORMAT_H
#define COLUMNAR_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COLUMNAR_SKIPLIST_MAGIC 0x4B534353	/* "SCSK" little-endian */
#define COLUMNAR_SKIPLIST_VERSION 1

/* value encodings of a chunk, before general-purpose compression */
#define COLUMNAR_ENCODING_PLAIN 0
#define COLUMNAR_ENCODING_DICT 1	/* varlena: distinct values + codes */
#define COLUMNAR_ENCODING_FOR 2		/* 2-, 4-, 8-byte values: frame of
									 * reference, bit-packed */

#define COLUMNAR_ENCODING_DELTA 3	/* the same, of the differences between
									 * consecutive values */
#define COLUMNAR_ENCODING_RLE 4		/* fixed length: runs of equal values */
#define COLUMNAR_ENCODING_COUNT 5

/* the headers of frame-of-reference and delta chunks' value sections */
#define COLUMNAR_FOR_HEADER 16
#define COLUMNAR_DELTA_HEADER 24

/* the header of a run-length chunk's value section */
#define COLUMNAR_RLE_HEADER 8

/* the header of a dictionary-encoded chunk's value section */
#define COLUMNAR_DICT_HEADER 16

/* largest min/max kept for a chunk; longer values get no skip bounds */
#define COLUMNAR_MAX_BOUND_LEN 256

typedef struct ColumnarFormatError
{
	char		message[160];
	size_t		offset;			/* byte offset in the parsed buffer */
} ColumnarFormatError;

/* What the skip list records of one column in one chunk group. */
typedef struct ColumnarChunkMeta
{
	uint64_t	offset;			/* of the stored bytes, from the stripe's start */
	uint32_t	stored_len;		/* bytes on disk (compressed) */
	uint32_t	raw_len;		/* bytes after decompression */
	uint32_t	null_count;
	uint32_t	crc;			/* CRC-32C of the stored bytes */
	uint8_t		codec;			/* StrataCodec */
	uint8_t		encoding;		/* COLUMNAR_ENCODING_* */
	bool		has_bounds;		/* min and max below are set */
	uint32_t	min_len;
	uint32_t	max_len;
	const uint8_t *min;			/* the datum's bytes (see columnar_reader.c) */
	const uint8_t *max;
} ColumnarChunkMeta;

/*
 * A stripe's skip list: row counts of its chunk groups and the metadata of
 * every (column, chunk group), column-major: chunk(c, g) is
 * chunks[c * group_count + g].
 */
typedef struct ColumnarSkipList
{
	uint32_t	column_count;
	uint32_t	group_count;
	uint32_t   *group_rows;
	ColumnarChunkMeta *chunks;
} ColumnarSkipList;

typedef void *(*ColumnarAllocFn) (size_t size);

/* Bytes columnar_skiplist_write() needs for this skip list. */
extern size_t columnar_skiplist_size(const ColumnarSkipList *sl);

/* Serialize into buf, which holds columnar_skiplist_size() bytes. */
extern void columnar_skiplist_write(const ColumnarSkipList *sl, uint8_t *buf);

/*
 * Parse a skip list.  row_count and data_bytes are what the stripe's
 * catalog row says; the chunk groups must add up to row_count and every
 * chunk must lie inside data_bytes.  min/max pointers point into buf.
 * Returns false with err filled on any inconsistency.
 */
extern bool columnar_skiplist_parse(const uint8_t *buf, size_t len,
									uint64_t row_count, uint64_t data_bytes,
									ColumnarAllocFn alloc,
									ColumnarSkipList *out,
									ColumnarFormatError *err);

/* The physical shape of a column's values, from pg_type. */
typedef struct ColumnarTypeShape
{
	int			typlen;			/* > 0 fixed, -1 varlena, -2 cstring */
	char		typalign;		/* 'c', 's', 'i' or 'd' */
} ColumnarTypeShape;

/* Bytes of the null bitmap at the start of a chunk with nulls (8-aligned). */
extern size_t columnar_bitmap_size(uint32_t rows);

/* Distance between two fixed-length values of this shape. */
extern size_t columnar_fixed_stride(const ColumnarTypeShape *shape);

/*
 * Validate a decompressed chunk of `rows` rows with `null_count` nulls and
 * record where each present value starts: value_offsets gets rows -
 * null_count entries, offsets from the start of raw.  raw must be 8-byte
 * aligned.  Returns false with err filled when the bytes do not form
 * exactly such a chunk.
 */
extern bool columnar_chunk_index(const uint8_t *raw, size_t raw_len,
								 uint32_t rows, uint32_t null_count,
								 const ColumnarTypeShape *shape,
								 uint32_t *value_offsets,
								 ColumnarFormatError *err);

/*
 * Validate a decompressed dictionary-encoded varlena chunk (layout in
 * columnar_format.c).  On success *ndict is the number of distinct values,
 * dict_offsets (room for one per present value, as value_offsets) their
 * offsets in raw, *codes the first code and *code_width 1 or 2 bytes; every
 * code is checked to be below *ndict.
 */
extern bool columnar_dict_index(const uint8_t *raw, size_t raw_len,
								uint32_t rows, uint32_t null_count,
								uint32_t *ndict, uint32_t *dict_offsets,
								const uint8_t **codes, uint32_t *code_width,
								ColumnarFormatError *err);

/*
 * Frame of reference: the present values of a fixed-width chunk (2, 4 or
 * 8 bytes, read as little-endian signed integers) as their minimum and
 * each one's distance from it in as few bits as the largest distance
 * needs.  columnar_for_encode() writes the value section (no bitmap) of
 * `present` values laid out plain at the shape's stride, and returns its
 * length; with out NULL it only returns the length, or 0 when the shape
 * is not one it encodes.
 */
extern size_t columnar_for_encode(const uint8_t *values, uint32_t present,
								  const ColumnarTypeShape *shape, uint8_t *out);

/* Bytes of the plain chunk (bitmap and values) a FOR chunk decodes to. */
extern size_t columnar_for_plain_size(uint32_t rows, uint32_t null_count,
									  const ColumnarTypeShape *shape);

/*
 * Decode a frame-of-reference chunk (bitmap, then the value section) into
 * the plain chunk of the same rows at out, which holds
 * columnar_for_plain_size() bytes.  Returns false with err filled when
 * the bytes are not exactly such a chunk.
 */
extern bool columnar_for_decode(const uint8_t *raw, size_t raw_len,
								uint32_t rows, uint32_t null_count,
								const ColumnarTypeShape *shape, uint8_t *out,
								ColumnarFormatError *err);

/*
 * Delta: the first present value, then the differences between
 * consecutive ones as a frame of reference (monotonic timestamps and
 * serial keys become a handful of bits, or none).  Same contracts as the
 * frame-of-reference functions above.
 */
extern size_t columnar_delta_encode(const uint8_t *values, uint32_t present,
									const ColumnarTypeShape *shape, uint8_t *out);
extern bool columnar_delta_decode(const uint8_t *raw, size_t raw_len,
								  uint32_t rows, uint32_t null_count,
								  const ColumnarTypeShape *shape, uint8_t *out,
								  ColumnarFormatError *err);

/*
 * Run-length: runs of equal present values of any fixed-length chunk as a
 * value and where the run ends.  Same contracts as the frame-of-reference
 * functions above (0 from the encoder for a variable-length shape).
 */
extern size_t columnar_rle_encode(const uint8_t *values, uint32_t present,
								  const ColumnarTypeShape *shape, uint8_t *out);
extern bool columnar_rle_decode(const uint8_t *raw, size_t raw_len,
								uint32_t rows, uint32_t null_count,
								const ColumnarTypeShape *shape, uint8_t *out,
								ColumnarFormatError *err);

/*
 * Row masks: the rows one transaction deleted in one span of row numbers
 * (layout in columnar_format.c).  A span starts at a multiple of
 * COLUMNAR_MASK_SPAN.
 */
#define COLUMNAR_MASK_SPAN 8192
#define COLUMNAR_MASK_BYTES (COLUMNAR_MASK_SPAN / 8)
#define COLUMNAR_MASK_LIST 1
#define COLUMNAR_MASK_BITMAP 2

/*
 * Encode count strictly ascending offsets (each below the span) into out,
 * which holds 1 + COLUMNAR_MASK_BYTES bytes; returns the length.
 */
extern size_t columnar_mask_encode(const uint16_t *offsets, uint32_t count, uint8_t *out);

/*
 * Validate a row mask; OR its offsets into bits (COLUMNAR_MASK_BYTES, or
 * NULL) and set *count.  Returns false with err filled when malformed.
 */
extern bool columnar_mask_parse(const uint8_t *buf, size_t len, uint8_t *bits,
								uint32_t *count, ColumnarFormatError *err);

/* Is offset in a (valid) row mask?  *rank is then its position in it. */
extern bool columnar_mask_find(const uint8_t *buf, size_t len, uint32_t offset,
							   uint32_t *rank);

/*
 * The new row number moved_to records for the rank-th deleted offset, or 0
 * (only deleted, or moved_to NULL or too short).
 */
extern uint64_t columnar_mask_moved(const uint8_t *moved, size_t moved_len, uint32_t rank);

/* Code of present value v of a dictionary chunk. */
static inline uint32_t
columnar_dict_code(const uint8_t *codes, uint32_t width, uint32_t v)
{
	return width == 1 ? codes[v] : (uint32_t) codes[2 * v] | ((uint32_t) codes[2 * v + 1] << 8);
}

/* Is row i of a chunk with a null bitmap present (not NULL)? */
static inline bool
columnar_bitmap_present(const uint8_t *bitmap, uint32_t i)
{
	return (bitmap[i >> 3] >> (i & 7)) & 1;
}

#endif							/* COLUMNAR_FORMAT_H */
