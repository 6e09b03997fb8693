/*-------------------------------------------------------------------------
 *
 * strata_parquet_read.h
 *	  Read one column chunk of a Parquet file into levels and values.
 *
 * Given the bytes of a whole file and its decoded FileMetaData
 * (strata_parquet_meta.h), strata_parquet_read_column walks the pages of
 * one column chunk of one row group, decompresses and decodes them, and
 * returns the chunk's definition and repetition levels and its non-null
 * values.  Portable C like the rest of the Parquet code: no postgres.h, no
 * ereport, no palloc; it runs in a backend, the unit tests and libFuzzer.
 *
 * What is read:
 *	- pages: one optional dictionary page first (PLAIN), then data pages v1
 *	  (levels inside the compressed body, RLE with a 4-byte length or the
 *	  old BIT_PACKED) and v2 (levels uncompressed before the body,
 *	  is_compressed honoured, empty pages); index pages are skipped;
 *	- value encodings: PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY, RLE
 *	  (booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
 *	  DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT;
 *	- codecs: UNCOMPRESSED, SNAPPY, GZIP (several members too), ZSTD,
 *	  LZ4_RAW, and the deprecated LZ4 (Hadoop framing, or a bare LZ4 block
 *	  when the framing does not fit);
 *	- the page CRC (CRC-32 of the page as stored), checked when present.
 * Refused with an error: encrypted files and columns, chunks in another
 * file, BROTLI, LZO and unknown codecs, unknown encodings and page types,
 * level and index bit widths above 32, counts that disagree with the
 * metadata, dictionary indices out of range, a dictionary-encoded page
 * with no dictionary before it, and any size or offset that is negative,
 * overflows or points outside the chunk or the file.
 *
 * Errors: false and a StrataParquetStatus whose offset is a byte offset in
 * the file (of the page header, or of the bad item when the page is
 * stored uncompressed) and whose message says what is wrong.
 *
 * Memory: everything returned is allocated from the caller's StrataArena
 * and lives until the arena is freed (a backend gives the arena a memory
 * context per column chunk or per row group).  It is bounded by the chunk:
 * the levels (2 bytes per entry), the values (num_values entries at most),
 * the byte-array data (grown by doubling, so at most twice its size), the
 * dictionary, one decompression buffer as large as the largest page, and
 * per DELTA_BYTE_ARRAY page its rebuilt values.  Page sizes are checked
 * against what their codec can expand to before any buffer is allocated;
 * level runs can still describe many entries in few bytes, so a caller
 * reading untrusted files sets an arena limit (strata_arena_init) to cap
 * the total: past it the read fails with "out of memory".
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_PARQUET_READ_H
#define STRATA_PARQUET_READ_H

#include "strata_parquet_encoding.h"
#include "strata_parquet_meta.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Levels are kept as int16; a schema nested deeper than this is refused. */
#define STRATA_PARQUET_MAX_LEVEL 32767

/*
 * A leaf column of the schema: what a column chunk holds.  path_index[]
 * names the schema elements from the top-level field down to the leaf (the
 * root excluded), so a caller can see which ancestors are lists, maps or
 * optional groups.
 */
typedef struct StrataParquetLeaf
{
	int32_t		column;			/* index in a row group's columns */
	int32_t		schema_index;	/* index of the leaf in md->schema */
	const StrataParquetSchemaElement *element;
	int32_t		depth;			/* elements in the path */
	int32_t    *path_index;		/* their schema indices, top first */
	char	  **path;			/* their names */
	char	   *dotted_path;	/* the names joined by '.' */
	int16_t		max_def;		/* non-REQUIRED elements on the path */
	int16_t		max_rep;		/* REPEATED elements on the path */
	int32_t		repetition;		/* of the leaf (REQUIRED when absent) */
	int32_t		type;			/* StrataParquetType */
	int32_t		type_length;	/* FIXED_LEN_BYTE_ARRAY only; else 0 */
	bool		has_converted_type;
	int32_t		converted_type;
	StrataParquetLogicalType logical_type;
	bool		has_field_id;
	int32_t		field_id;
} StrataParquetLeaf;

/*
 * Map the flattened schema to its leaves, in column order.  Checks the
 * tree: the root is a group, every element has a place in it, every leaf
 * has a known type (FIXED_LEN_BYTE_ARRAY a positive type_length), and no
 * level exceeds STRATA_PARQUET_MAX_LEVEL.
 */
extern bool strata_parquet_schema_leaves(const StrataParquetFileMetaData *md,
										 StrataArena *arena,
										 StrataParquetLeaf **leaves,
										 int32_t *num_leaves,
										 StrataParquetStatus *status);

/*
 * The contents of one column chunk.  Entry i of the levels is one value
 * slot (a value, a null, or an empty or null list); the entries whose
 * definition level is max_def hold the values, in order, in values[].
 */
typedef struct StrataParquetColumnData
{
	int64_t		num_values;		/* level entries */
	int64_t		num_rows;		/* entries with repetition level 0 */
	int16_t    *def_levels;		/* NULL when max_def is 0: all present */
	int16_t    *rep_levels;		/* NULL when max_rep is 0: all 0 */
	int64_t		num_present;	/* values in values[] */
	size_t		value_size;		/* bytes per value (strata_parquet_value_size) */
	void	   *values;			/* in the representation of strata_parquet_encoding.h;
								 * BYTE_ARRAY: StrataParquetSpan into bytes */
	const uint8_t *bytes;		/* BYTE_ARRAY data */
	size_t		bytes_len;

	/* how the chunk was stored: for tests and diagnostics */
	int32_t		num_data_pages_v1;
	int32_t		num_data_pages_v2;
	bool		has_dictionary;
	int32_t		dictionary_size;	/* entries */
	uint32_t	encodings;		/* bit 1 << e for each value encoding e seen */
	int32_t		num_crc_checked;
} StrataParquetColumnData;

/*
 * Read column chunk "column" of row group "row_group".  file holds the
 * whole file (file_len bytes), md is its decoded footer; leaves are from
 * strata_parquet_schema_leaves, or NULL to have them computed (from the
 * same arena) on each call.
 */
extern bool strata_parquet_read_column(const uint8_t *file, size_t file_len,
									   const StrataParquetFileMetaData *md,
									   const StrataParquetLeaf *leaves,
									   int32_t num_leaves,
									   int32_t row_group, int32_t column,
									   StrataArena *arena,
									   StrataParquetColumnData *out,
									   StrataParquetStatus *status);

#endif							/* STRATA_PARQUET_READ_H */
