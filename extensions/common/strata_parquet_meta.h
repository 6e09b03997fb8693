/*-------------------------------------------------------------------------
 *
 * strata_parquet_meta.h
 *	  Parquet's FileMetaData and PageHeader as C structs, decoded from and
 *	  encoded to Thrift compact bytes.
 *
 * A Parquet file is
 *
 *	"PAR1" | column chunks ... | FileMetaData | footer length (4, LE) | "PAR1"
 *
 * and each page inside a column chunk starts with a PageHeader.  Both are
 * Thrift structs (src/main/thrift/parquet.thrift in parquet-format); the
 * field ids used here are that file's.  Like strata_thrift.h, this is
 * portable C, usable in a backend, the unit tests and libFuzzer.
 *
 * Decoding contract:
 *	- Every decoded structure, array and string is allocated from the
 *	  StrataArena the caller passes; nothing points into the input buffer,
 *	  so it may be released once decoding returns.  Free it all at once
 *	  with strata_arena_free_all.
 *	- Optional fields have a has_<field> flag (or a NULL pointer for
 *	  strings), so absent differs from 0.  Required fields that are missing
 *	  are an error, as are negative sizes, counts and offsets, a known field
 *	  with the wrong wire type, and a union with more than one member.
 *	  Unknown fields are skipped, so newer writers stay readable.
 *	- Enum fields are kept as raw int32 values: a value this code does not
 *	  know (a new encoding, say) is for the caller to accept or refuse.
 *	- Text (names, paths, keys, created_by) is NUL-terminated; text that
 *	  contains a NUL byte is refused, since a backend could not store it.
 *	  Binary fields (statistics, key-value values) are StrataParquetBytes.
 *	- Memory is bounded by the input.  A list's count is checked against
 *	  the bytes left (at the smallest valid encoding of one element) before
 *	  its array is allocated, and one decode call never asks the arena for
 *	  more than STRATA_PARQUET_MAX_EXPANSION bytes per input byte, plus
 *	  STRATA_PARQUET_BUDGET_SLACK: past that it fails.  Valid metadata needs
 *	  at most ~36 bytes per input byte (a SchemaElement is 104 bytes in C
 *	  and 3 on the wire), and the count check alone holds even lying counts
 *	  to ~50 (test_parquet_meta.c measures the worst chain), so the budget
 *	  is a backstop that keeps the bound if these structs grow.
 *	- On failure the function returns false and *status holds the message
 *	  and the byte offset within the given buffer.
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_PARQUET_META_H
#define STRATA_PARQUET_META_H

#include "strata_thrift.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------------
 * Arena: a bump allocator over blocks from a block allocator.
 *
 * The block callbacks default to malloc/free; a backend can point them at
 * palloc/pfree in a memory context (or simply use a context and never
 * call free_all).  limit, if not 0, caps the total bytes taken from the
 * block allocator: an allocation past it fails like out of memory.
 * ---------------------------------------------------------------------
 */
typedef struct StrataArenaBlock StrataArenaBlock;

typedef struct StrataArena
{
	StrataArenaBlock *blocks;	/* newest first */
	size_t		block_size;		/* size of the next ordinary block */
	size_t		total;			/* bytes taken from the block allocator */
	size_t		limit;			/* 0: no limit */
	void	   *(*block_alloc) (void *ctx, size_t size);
	void		(*block_free) (void *ctx, void *ptr);
	void	   *ctx;
} StrataArena;

/* An arena over malloc/free, with an optional byte limit (0: none). */
extern void strata_arena_init(StrataArena *arena, size_t limit);

/* Zeroed, maximally aligned memory; NULL if the allocator or limit says no. */
extern void *strata_arena_alloc(StrataArena *arena, size_t size);

/* Release every block; the arena can be used again afterwards. */
extern void strata_arena_free_all(StrataArena *arena);

/* The memory budget of one decode call: bytes per input byte, plus slack. */
#define STRATA_PARQUET_MAX_EXPANSION 64
#define STRATA_PARQUET_BUDGET_SLACK 16384

/* ---------------------------------------------------------------------
 * Enums (parquet.thrift values)
 * ---------------------------------------------------------------------
 */
typedef enum StrataParquetType
{
	STRATA_PARQUET_BOOLEAN = 0,
	STRATA_PARQUET_INT32 = 1,
	STRATA_PARQUET_INT64 = 2,
	STRATA_PARQUET_INT96 = 3,
	STRATA_PARQUET_FLOAT = 4,
	STRATA_PARQUET_DOUBLE = 5,
	STRATA_PARQUET_BYTE_ARRAY = 6,
	STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY = 7
} StrataParquetType;

typedef enum StrataParquetRepetition
{
	STRATA_PARQUET_REQUIRED = 0,
	STRATA_PARQUET_OPTIONAL = 1,
	STRATA_PARQUET_REPEATED = 2
} StrataParquetRepetition;

typedef enum StrataParquetConvertedType
{
	STRATA_PARQUET_CT_UTF8 = 0,
	STRATA_PARQUET_CT_MAP = 1,
	STRATA_PARQUET_CT_MAP_KEY_VALUE = 2,
	STRATA_PARQUET_CT_LIST = 3,
	STRATA_PARQUET_CT_ENUM = 4,
	STRATA_PARQUET_CT_DECIMAL = 5,
	STRATA_PARQUET_CT_DATE = 6,
	STRATA_PARQUET_CT_TIME_MILLIS = 7,
	STRATA_PARQUET_CT_TIME_MICROS = 8,
	STRATA_PARQUET_CT_TIMESTAMP_MILLIS = 9,
	STRATA_PARQUET_CT_TIMESTAMP_MICROS = 10,
	STRATA_PARQUET_CT_UINT_8 = 11,
	STRATA_PARQUET_CT_UINT_16 = 12,
	STRATA_PARQUET_CT_UINT_32 = 13,
	STRATA_PARQUET_CT_UINT_64 = 14,
	STRATA_PARQUET_CT_INT_8 = 15,
	STRATA_PARQUET_CT_INT_16 = 16,
	STRATA_PARQUET_CT_INT_32 = 17,
	STRATA_PARQUET_CT_INT_64 = 18,
	STRATA_PARQUET_CT_JSON = 19,
	STRATA_PARQUET_CT_BSON = 20,
	STRATA_PARQUET_CT_INTERVAL = 21
} StrataParquetConvertedType;

typedef enum StrataParquetEncoding
{
	STRATA_PARQUET_ENC_PLAIN = 0,
	STRATA_PARQUET_ENC_PLAIN_DICTIONARY = 2,
	STRATA_PARQUET_ENC_RLE = 3,
	STRATA_PARQUET_ENC_BIT_PACKED = 4,
	STRATA_PARQUET_ENC_DELTA_BINARY_PACKED = 5,
	STRATA_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
	STRATA_PARQUET_ENC_DELTA_BYTE_ARRAY = 7,
	STRATA_PARQUET_ENC_RLE_DICTIONARY = 8,
	STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT = 9
} StrataParquetEncoding;

typedef enum StrataParquetCodec
{
	STRATA_PARQUET_UNCOMPRESSED = 0,
	STRATA_PARQUET_SNAPPY = 1,
	STRATA_PARQUET_GZIP = 2,
	STRATA_PARQUET_LZO = 3,
	STRATA_PARQUET_BROTLI = 4,
	STRATA_PARQUET_LZ4 = 5,		/* deprecated Hadoop framing */
	STRATA_PARQUET_ZSTD = 6,
	STRATA_PARQUET_LZ4_RAW = 7
} StrataParquetCodec;

typedef enum StrataParquetPageType
{
	STRATA_PARQUET_DATA_PAGE = 0,
	STRATA_PARQUET_INDEX_PAGE = 1,
	STRATA_PARQUET_DICTIONARY_PAGE = 2,
	STRATA_PARQUET_DATA_PAGE_V2 = 3
} StrataParquetPageType;

/*
 * LogicalType union members, numbered by their field id.  A member this
 * code does not model (VARIANT, GEOMETRY, ...) decodes as LT_OTHER with
 * its id in other_id; its contents are skipped, and it is re-encoded as an
 * empty struct of that id.
 */
typedef enum StrataParquetLogicalKind
{
	STRATA_PARQUET_LT_NONE = 0, /* no logicalType field */
	STRATA_PARQUET_LT_STRING = 1,
	STRATA_PARQUET_LT_MAP = 2,
	STRATA_PARQUET_LT_LIST = 3,
	STRATA_PARQUET_LT_ENUM = 4,
	STRATA_PARQUET_LT_DECIMAL = 5,
	STRATA_PARQUET_LT_DATE = 6,
	STRATA_PARQUET_LT_TIME = 7,
	STRATA_PARQUET_LT_TIMESTAMP = 8,
	STRATA_PARQUET_LT_INTEGER = 10,
	STRATA_PARQUET_LT_UNKNOWN = 11, /* Parquet's name for "always null" */
	STRATA_PARQUET_LT_JSON = 12,
	STRATA_PARQUET_LT_BSON = 13,
	STRATA_PARQUET_LT_UUID = 14,
	STRATA_PARQUET_LT_FLOAT16 = 15,
	STRATA_PARQUET_LT_OTHER = -1
} StrataParquetLogicalKind;

/* TimeUnit union members, by field id */
typedef enum StrataParquetTimeUnit
{
	STRATA_PARQUET_MILLIS = 1,
	STRATA_PARQUET_MICROS = 2,
	STRATA_PARQUET_NANOS = 3
} StrataParquetTimeUnit;

/* ColumnOrder union members, by field id */
#define STRATA_PARQUET_TYPE_ORDER 1
#define STRATA_PARQUET_IEEE_754_TOTAL_ORDER 2

/* ---------------------------------------------------------------------
 * Structures
 * ---------------------------------------------------------------------
 */

/* Binary data; data is NUL-terminated for convenience (len excludes it). */
typedef struct StrataParquetBytes
{
	uint8_t    *data;
	size_t		len;
} StrataParquetBytes;

typedef struct StrataParquetLogicalType
{
	StrataParquetLogicalKind kind;
	int16_t		other_id;		/* the union field id, for LT_OTHER */
	int32_t		decimal_scale;	/* DECIMAL */
	int32_t		decimal_precision;
	bool		is_adjusted_to_utc; /* TIME, TIMESTAMP */
	StrataParquetTimeUnit unit;
	int8_t		bit_width;		/* INTEGER */
	bool		is_signed;
} StrataParquetLogicalType;

typedef struct StrataParquetSchemaElement
{
	char	   *name;
	bool		has_type;
	int32_t		type;			/* StrataParquetType; absent for groups */
	bool		has_type_length;
	int32_t		type_length;
	bool		has_repetition_type;
	int32_t		repetition_type;	/* StrataParquetRepetition */
	bool		has_num_children;
	int32_t		num_children;
	bool		has_converted_type;
	int32_t		converted_type; /* StrataParquetConvertedType */
	bool		has_scale;
	int32_t		scale;
	bool		has_precision;
	int32_t		precision;
	bool		has_field_id;
	int32_t		field_id;
	StrataParquetLogicalType logical_type;
} StrataParquetSchemaElement;

typedef struct StrataParquetKeyValue
{
	char	   *key;
	bool		has_value;
	StrataParquetBytes value;
} StrataParquetKeyValue;

typedef struct StrataParquetStatistics
{
	bool		has_max;		/* 1, 2: deprecated, signed comparison */
	StrataParquetBytes max;
	bool		has_min;
	StrataParquetBytes min;
	bool		has_null_count;
	int64_t		null_count;
	bool		has_distinct_count;
	int64_t		distinct_count;
	bool		has_max_value;	/* 5, 6: in the column's sort order */
	StrataParquetBytes max_value;
	bool		has_min_value;
	StrataParquetBytes min_value;
	bool		has_is_max_value_exact;
	bool		is_max_value_exact;
	bool		has_is_min_value_exact;
	bool		is_min_value_exact;
} StrataParquetStatistics;

typedef struct StrataParquetColumnMetaData
{
	int32_t		type;			/* StrataParquetType */
	int32_t		num_encodings;
	int32_t    *encodings;		/* StrataParquetEncoding */
	int32_t		num_path;
	char	  **path_in_schema;
	int32_t		codec;			/* StrataParquetCodec */
	int64_t		num_values;
	int64_t		total_uncompressed_size;
	int64_t		total_compressed_size;
	bool		has_key_value_metadata;
	int32_t		num_key_value;
	StrataParquetKeyValue *key_value_metadata;
	int64_t		data_page_offset;
	bool		has_index_page_offset;
	int64_t		index_page_offset;
	bool		has_dictionary_page_offset;
	int64_t		dictionary_page_offset;
	bool		has_statistics;
	StrataParquetStatistics statistics;
	bool		has_bloom_filter_offset;
	int64_t		bloom_filter_offset;
	bool		has_bloom_filter_length;
	int32_t		bloom_filter_length;
} StrataParquetColumnMetaData;

typedef struct StrataParquetColumnChunk
{
	char	   *file_path;		/* NULL: this file */
	int64_t		file_offset;
	StrataParquetColumnMetaData *meta_data; /* NULL when absent */
	bool		has_offset_index_offset;
	int64_t		offset_index_offset;
	bool		has_offset_index_length;
	int32_t		offset_index_length;
	bool		has_column_index_offset;
	int64_t		column_index_offset;
	bool		has_column_index_length;
	int32_t		column_index_length;
} StrataParquetColumnChunk;

typedef struct StrataParquetRowGroup
{
	int32_t		num_columns;
	StrataParquetColumnChunk *columns;
	int64_t		total_byte_size;
	int64_t		num_rows;
	bool		has_file_offset;
	int64_t		file_offset;
	bool		has_total_compressed_size;
	int64_t		total_compressed_size;
	bool		has_ordinal;
	int16_t		ordinal;
} StrataParquetRowGroup;

typedef struct StrataParquetFileMetaData
{
	int32_t		version;
	int32_t		num_schema;
	StrataParquetSchemaElement *schema; /* depth-first; [0] is the root */
	int64_t		num_rows;
	int32_t		num_row_groups;
	StrataParquetRowGroup *row_groups;
	bool		has_key_value_metadata;
	int32_t		num_key_value;
	StrataParquetKeyValue *key_value_metadata;
	char	   *created_by;		/* NULL when absent */
	bool		has_column_orders;
	int32_t		num_column_orders;
	int32_t    *column_orders;	/* union field ids: STRATA_PARQUET_TYPE_ORDER... */
	/* encryption is not supported; decode notes its presence (field 8) */
	bool		has_encryption_algorithm;
} StrataParquetFileMetaData;

typedef struct StrataParquetDataPageHeader
{
	int32_t		num_values;
	int32_t		encoding;
	int32_t		definition_level_encoding;
	int32_t		repetition_level_encoding;
	bool		has_statistics;
	StrataParquetStatistics statistics;
} StrataParquetDataPageHeader;

typedef struct StrataParquetDictionaryPageHeader
{
	int32_t		num_values;
	int32_t		encoding;
	bool		has_is_sorted;
	bool		is_sorted;
} StrataParquetDictionaryPageHeader;

typedef struct StrataParquetDataPageHeaderV2
{
	int32_t		num_values;
	int32_t		num_nulls;
	int32_t		num_rows;
	int32_t		encoding;
	int32_t		definition_levels_byte_length;
	int32_t		repetition_levels_byte_length;
	bool		has_is_compressed;	/* absent means compressed */
	bool		is_compressed;
	bool		has_statistics;
	StrataParquetStatistics statistics;
} StrataParquetDataPageHeaderV2;

typedef struct StrataParquetPageHeader
{
	int32_t		type;			/* StrataParquetPageType */
	int32_t		uncompressed_page_size; /* both exclude the header */
	int32_t		compressed_page_size;
	bool		has_crc;
	uint32_t	crc;			/* CRC-32 of the compressed page */
	bool		has_data_page_header;
	StrataParquetDataPageHeader data_page_header;
	bool		has_dictionary_page_header;
	StrataParquetDictionaryPageHeader dictionary_page_header;
	bool		has_data_page_header_v2;
	StrataParquetDataPageHeaderV2 data_page_header_v2;
} StrataParquetPageHeader;

/* ---------------------------------------------------------------------
 * Functions
 * ---------------------------------------------------------------------
 */

/*
 * Decode the FileMetaData struct at the start of buf (a footer, without the
 * length and magic around it).  Bytes after the struct's stop are ignored.
 */
extern bool strata_parquet_file_metadata_decode(const uint8_t *buf, size_t len,
												StrataArena *arena,
												StrataParquetFileMetaData *md,
												StrataThriftStatus *status);

/*
 * Decode the PageHeader at the start of buf; *header_len receives its
 * encoded length (the page data follows it).
 */
extern bool strata_parquet_page_header_decode(const uint8_t *buf, size_t len,
											  StrataArena *arena,
											  StrataParquetPageHeader *ph,
											  size_t *header_len,
											  StrataThriftStatus *status);

/*
 * Append the encoding to a writer (see strata_thrift_writer_init).  Fields
 * are written in id order; optional ones only when their has_ flag is set
 * (or their pointer is not NULL).  Returns false if the writer failed.
 */
extern bool strata_parquet_file_metadata_encode(StrataThriftWriter *w,
												const StrataParquetFileMetaData *md);
extern bool strata_parquet_page_header_encode(StrataThriftWriter *w,
											  const StrataParquetPageHeader *ph);

/*
 * From the last 8 bytes of a file of file_size bytes, the length of its
 * footer: checks the trailing "PAR1" (an encrypted "PARE" footer is
 * refused with its own message) and that the length leaves room for the
 * leading magic.  For readers that fetch only the tail first (S3).
 */
extern bool strata_parquet_footer_length(const uint8_t tail[8], uint64_t file_size,
										 uint32_t *footer_len,
										 StrataThriftStatus *status);

/*
 * Locate the FileMetaData in a whole file in memory: checks "PAR1" at both
 * ends and the footer length, and returns the footer's offset and length.
 */
extern bool strata_parquet_locate_footer(const uint8_t *file, size_t file_len,
										 size_t *footer_offset,
										 size_t *footer_len,
										 StrataThriftStatus *status);

#endif							/* STRATA_PARQUET_META_H */
