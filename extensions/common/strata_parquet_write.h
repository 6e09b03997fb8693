/*-------------------------------------------------------------------------
 *
 * strata_parquet_write.h
 *	  Write a Parquet file, column by column within each row group, to a
 *	  byte sink.
 *
 * The caller declares a flat schema (required and optional primitive
 * columns, and columns holding one level of LIST of a primitive), then for
 * each row group says how many rows it has and hands over the values of
 * each column in turn.  A column chunk goes to the sink as soon as its
 * last row arrives, so the writer holds one compressed column chunk at a
 * time, never the row group.  strata_parquet_write.c describes the bytes.
 *
 * Portable C like the rest of the Parquet code: no postgres.h, no
 * ereport, no palloc.  Memory comes from one realloc-style callback (see
 * StrataThriftReallocFn; NULL means the C library's), bytes leave through
 * a write callback, so a backend routes both through a memory context and
 * a file or an S3 upload.
 *
 * Lifecycle:
 *
 *	w = strata_parquet_writer_create(&options, columns, n, write_fn, ctx, &st);
 *	for each row group:
 *		strata_parquet_writer_begin_row_group(w, num_rows);
 *		for each column c, in schema order (one or more calls each):
 *			strata_parquet_writer_write_column(w, c, values, nulls, count);
 *			or strata_parquet_writer_write_list_column(w, c, ...);
 *		strata_parquet_writer_end_row_group(w);
 *	strata_parquet_writer_finish(w);	(the footer)
 *	strata_parquet_writer_free(w);
 *
 * Values, by physical type (one entry per row; the entry of a NULL row is
 * present in the array but ignored):
 *	BOOLEAN					uint8_t, 0 or 1
 *	INT32, INT64			int32_t, int64_t (unsigned INTEGER: the same bits)
 *	FLOAT, DOUBLE			float, double (every bit pattern, NaN included)
 *	BYTE_ARRAY,				StrataParquetByteArray; FIXED_LEN_BYTE_ARRAY
 *	FIXED_LEN_BYTE_ARRAY	values must be type_length bytes long
 * DECIMAL values are the unscaled integer: int32_t or int64_t, or, in a
 * FIXED_LEN_BYTE_ARRAY, big-endian two's complement of type_length bytes.
 *
 * Errors.  Every function returns false (create: NULL) on failure, with a
 * message in lower case without a period in the status, fit for an
 * errmsg or errdetail; it names the column and the row (error_offset is
 * 0: there is no input offset to point at).  Bad input is checked before it is used: an
 * invalid schema or option, a value of the wrong size, a NULL in a
 * required column or list element, a boolean other than 0 or 1, a value
 * out of range of its logical type (a DECIMAL wider than its precision,
 * an INTEGER(8) above 127, invalid UTF-8 in a STRING or JSON), more rows
 * than the row group declared, columns out of order, a row group ended
 * before every column is complete.  So are a failed allocation and a
 * write callback that returns false.  The first failure sticks: the
 * writer refuses every later call with the same status, and the caller
 * frees it and discards what was written.
 *
 * Output is deterministic: the same schema, options and values give the
 * same bytes, however the values of a column are split across calls.
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_PARQUET_WRITE_H
#define STRATA_PARQUET_WRITE_H

#include "strata_parquet_encoding.h"
#include "strata_parquet_meta.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receives the file's bytes in order; returns false to fail the writer. */
typedef bool (*StrataParquetWriteFn) (void *ctx, const void *data, size_t len);

/* A BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY value (data may be NULL if len is 0) */
typedef struct StrataParquetByteArray
{
	const uint8_t *data;
	size_t		len;
} StrataParquetByteArray;

/*
 * One column of the schema.  Supported logical types, and the physical
 * type each needs:
 *	NONE		any physical type but INT96
 *	STRING, JSON	BYTE_ARRAY (values must be valid UTF-8)
 *	DATE		INT32
 *	TIME		INT64, unit MICROS (values 0 to 86400000000)
 *	TIMESTAMP	INT64, unit MICROS, either is_adjusted_to_utc
 *	DECIMAL		precision 1 to 38, scale 0 to precision, in the type
 *				Iceberg requires: INT32 up to precision 9, INT64 up to 18,
 *				else FIXED_LEN_BYTE_ARRAY of the fewest bytes that hold it
 *				(strata_parquet_decimal_type gives it)
 *	INTEGER		bit_width 8, 16 or 32 in INT32, 64 in INT64; is_signed
 *	UUID		FIXED_LEN_BYTE_ARRAY, type_length 16
 * The matching converted type (UTF8, DATE, TIMESTAMP_MICROS, INT_8, ...)
 * is written beside the logical type for older readers.
 *
 * With is_list, the column is a LIST of that primitive, written as the
 * three levels the Parquet spec and Iceberg ask for:
 *	<name> (LIST, optional or required, field_id)
 *	  repeated group list
 *	    element (the primitive, element_optional, element_field_id)
 */
typedef struct StrataParquetColumnSpec
{
	const char *name;
	int32_t		type;			/* StrataParquetType */
	int32_t		type_length;	/* FIXED_LEN_BYTE_ARRAY only */
	bool		optional;		/* NULL allowed (the list itself, for a list) */
	StrataParquetLogicalType logical_type;	/* kind NONE: none */
	bool		has_field_id;
	int32_t		field_id;
	bool		is_list;
	bool		element_optional;	/* list elements may be NULL */
	bool		has_element_field_id;
	int32_t		element_field_id;
} StrataParquetColumnSpec;

/* A key-value pair of the footer; value NULL writes the key alone. */
typedef struct StrataParquetWriterKeyValue
{
	const char *key;
	const char *value;
} StrataParquetWriterKeyValue;

typedef struct StrataParquetWriterOptions
{
	int32_t		codec;			/* StrataParquetCodec: UNCOMPRESSED, SNAPPY,
								 * GZIP, ZSTD (default) or LZ4_RAW */
	int			compression_level;	/* 0: the codec's default; else within
									 * strata_codec_level_range() */
	size_t		page_size;		/* uncompressed bytes of values and levels
								 * after which a data page ends */
	size_t		dictionary_limit;	/* PLAIN bytes a chunk's dictionary may
									 * reach; past it, PLAIN pages follow */
	bool		use_dictionary;
	bool		page_checksums; /* write the CRC-32 of every page */
	const char *created_by;		/* NULL: none written */
	int32_t		num_key_values;
	const StrataParquetWriterKeyValue *key_values;
	StrataThriftReallocFn realloc_fn;	/* NULL: realloc/free */
	void	   *alloc_ctx;
} StrataParquetWriterOptions;

/* Defaults, also the bounds options are checked against */
#define STRATA_PARQUET_DEFAULT_PAGE_SIZE (1024 * 1024)
#define STRATA_PARQUET_DEFAULT_DICTIONARY_LIMIT (1024 * 1024)
#define STRATA_PARQUET_MAX_PAGE_SIZE (256 * 1024 * 1024)
/* a BYTE_ARRAY value may not be longer (PostgreSQL's own limit) */
#define STRATA_PARQUET_MAX_VALUE_SIZE (1024 * 1024 * 1024 - 1)
#define STRATA_PARQUET_DEFAULT_CREATED_BY "strata version 0.1.0"

typedef struct StrataParquetWriter StrataParquetWriter;

/*
 * Defaults: ZSTD at its default level, 1 MB pages, dictionary encoding
 * with a 1 MB dictionary limit, no page checksums, created_by
 * STRATA_PARQUET_DEFAULT_CREATED_BY, no key-value metadata, malloc.
 */
extern void strata_parquet_writer_options_init(StrataParquetWriterOptions *options);

/*
 * The physical type Iceberg stores a DECIMAL of this precision in (and the
 * type_length for FIXED_LEN_BYTE_ARRAY, else 0); false if the precision is
 * outside 1 to 38.
 */
extern bool strata_parquet_decimal_type(int32_t precision, int32_t *type,
										int32_t *type_length);

/*
 * Check the schema and options, and write the leading "PAR1".  The
 * writer copies what it keeps of columns and options (names, key-value
 * metadata, created_by), so the caller's may go once this returns.
 * NULL on failure, with *status set.
 */
extern StrataParquetWriter *strata_parquet_writer_create(const StrataParquetWriterOptions *options,
														 const StrataParquetColumnSpec *columns,
														 int32_t num_columns,
														 StrataParquetWriteFn write_fn,
														 void *write_ctx,
														 StrataParquetStatus *status);

/* Start a row group of num_rows rows (0 is allowed and writes nothing). */
extern bool strata_parquet_writer_begin_row_group(StrataParquetWriter *w,
												  int64_t num_rows);

/*
 * Append count rows to a column that is not a list.  nulls[i] nonzero
 * makes row i NULL (nulls may be NULL: no NULLs).  Columns are filled in
 * schema order; a column is complete, and goes to the sink, when it holds
 * the row group's rows.
 */
extern bool strata_parquet_writer_write_column(StrataParquetWriter *w,
											   int32_t column,
											   const void *values,
											   const uint8_t *nulls,
											   size_t count);

/*
 * Append count rows to a list column.  Row i's elements are
 * values[offsets[i] .. offsets[i + 1]) (offsets has count + 1 entries,
 * not decreasing), each NULL where element_nulls[] is nonzero;
 * list_nulls[i] nonzero makes the list itself NULL, and then it must have
 * no elements.  list_nulls and element_nulls may be NULL: no NULLs.
 */
extern bool strata_parquet_writer_write_list_column(StrataParquetWriter *w,
													int32_t column,
													const size_t *offsets,
													const uint8_t *list_nulls,
													const void *values,
													const uint8_t *element_nulls,
													size_t count);

/* Check that every column is complete and record the row group. */
extern bool strata_parquet_writer_end_row_group(StrataParquetWriter *w);

/*
 * Write the footer, its length and "PAR1".  Afterwards the writer only
 * answers strata_parquet_writer_metadata and _bytes_written.
 */
extern bool strata_parquet_writer_finish(StrataParquetWriter *w);

/*
 * After finish, the footer as written: row group offsets (Iceberg's
 * split_offsets), per-chunk statistics, sizes.  Owned by the writer.
 */
extern const StrataParquetFileMetaData *strata_parquet_writer_metadata(const StrataParquetWriter *w);

/* Bytes handed to the write callback so far (the file size after finish). */
extern uint64_t strata_parquet_writer_bytes_written(const StrataParquetWriter *w);

/* The writer's status: the first failure, if any. */
extern const StrataParquetStatus *strata_parquet_writer_status(const StrataParquetWriter *w);

/* Release everything the writer allocated; w may be NULL. */
extern void strata_parquet_writer_free(StrataParquetWriter *w);

/*
 * A StrataParquetWriteFn that collects the file in memory: ctx is a
 * StrataParquetSink (strata_parquet_sink_init), which the caller frees.
 */
extern bool strata_parquet_sink_write(void *ctx, const void *data, size_t len);

#endif							/* STRATA_PARQUET_WRITE_H */
