/*-------------------------------------------------------------------------
 *
 * strata_parquet_write.c
 *	  The Parquet writer: row groups of column chunks, then the footer.
 *
 * The file this writes:
 *
 *	"PAR1"
 *	row group 0:  column chunk 0 | column chunk 1 | ...	(schema order)
 *	row group 1:  ...
 *	FileMetaData (Thrift compact) | its length (4 bytes, LE) | "PAR1"
 *
 * A column chunk:
 *
 *	dictionary_page_offset ->	PageHeader {DICTIONARY_PAGE, PLAIN, n}
 *	(only when some page		compressed: the n distinct values, PLAIN
 *	 uses the dictionary)
 *	data_page_offset ->			PageHeader {DATA_PAGE, RLE_DICTIONARY or
 *								PLAIN, entries, levels RLE} | compressed body
 *								PageHeader | body ...
 *
 * The body of a data page (v1) before compression:
 *
 *	[rep levels: length (4, LE) | RLE/bit-packed runs]	lists only
 *	[def levels: length (4, LE) | RLE/bit-packed runs]	optional and lists
 *	values:	RLE_DICTIONARY: bit width (1 byte) | runs of indices
 *			PLAIN: the non-null values (bit-packed for BOOLEAN, 4-byte
 *			LE length + bytes for BYTE_ARRAY)
 *
 * The footer: FileMetaData {version 1, schema (root "schema", then one
 * element per column, three for a list), num_rows, row_groups [{columns
 * [{file_offset (the chunk's first page), ColumnMetaData {type,
 * encodings (ascending), path_in_schema, codec, num_values,
 * total_uncompressed_size and total_compressed_size (page headers
 * included), data_page_offset, dictionary_page_offset, statistics}}],
 * total_byte_size, num_rows, file_offset, total_compressed_size,
 * ordinal}], key_value_metadata, created_by, column_orders (TYPE_ORDER
 * for every column)}.
 *
 * Worked example: an optional INT32 column holding 7, NULL, 7, without
 * compression.  Definition levels 1 0 1 are one bit-packed group:
 * 02 00 00 00 (length) 03 (one group of 8) 05 (bits 1 0 1).  The
 * dictionary holds one value, so the page's values are 01 (bit width 1)
 * 03 00 (a group of indices 0 0).  The dictionary page body is
 * 07 00 00 00.
 *
 * How a chunk is built.  Values go into a page buffer: dictionary
 * indices while the dictionary is in use, PLAIN values after.  A page
 * ends, at a row boundary, when its levels and values reach page_size
 * bytes (uncompressed, estimated) or MAX_PAGE_ENTRIES entries; it is
 * then encoded, compressed and appended with its header to the chunk
 * buffer.  The dictionary page must come first in the file but is known
 * only at the end of the chunk, so the chunk is held until its last row
 * and then written out: dictionary page, then the data pages.
 *
 * Dictionary fallback, as parquet-mr and Arrow do it.  When the
 * dictionary's PLAIN size grows past dictionary_limit (checked after each
 * row), the page being filled is written with the dictionary, and the
 * rest of the chunk is PLAIN; the dictionary page keeps the entries it
 * has.  And as parquet-mr does, the first page that holds values is a
 * test: when its indices plus the dictionary take at least as many bytes
 * as the values PLAIN, the dictionary is dropped and that page and the
 * rest are written PLAIN, so a column of unique values pays nothing.
 *
 * Statistics of a chunk: null_count always (level entries below the
 * maximum definition level: NULL values, NULL and empty lists, NULL
 * elements); min_value and max_value in the column's sort order (signed
 * for integers, dates, times, timestamps and decimals in INT32/INT64;
 * unsigned for unsigned INTEGER; unsigned bytewise for byte arrays,
 * strings and UUIDs; two's complement for decimals in
 * FIXED_LEN_BYTE_ARRAY; IEEE for floats with NaN left out, -0.0 as a zero
 * minimum and +0.0 as a zero maximum), left out when there is no value or
 * when min and max together take 4096 bytes or more (parquet-mr's limit);
 * the deprecated min and max, as parquet-mr writes them, only where the
 * order is signed or min equals max.
 *
 *-------------------------------------------------------------------------
 */
#include "strata_parquet_write.h"

#include "strata_compress.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* level entries of one data page at most, whatever their size */
#define MAX_PAGE_ENTRIES (1 << 20)

/* min and max statistics together must be smaller (parquet-mr's limit) */
#define STATS_MAX_BYTES 4096

/* smallest hash table of a dictionary; it doubles at half full */
#define MIN_DICT_SLOTS 64

/* The largest TIME: PostgreSQL's time type allows 24:00:00. */
#define MAX_TIME_MICROS INT64_C(86400000000)

typedef enum WriterState
{
	STATE_IDLE,					/* between row groups */
	STATE_IN_ROW_GROUP,
	STATE_FINISHED
} WriterState;

/* How min and max compare values of a column. */
typedef enum ValueOrder
{
	ORDER_BOOLEAN,
	ORDER_INT32,
	ORDER_UINT32,
	ORDER_INT64,
	ORDER_UINT64,
	ORDER_FLOAT,
	ORDER_DOUBLE,
	ORDER_BYTES,				/* unsigned bytewise, a prefix first */
	ORDER_DECIMAL_BYTES			/* big-endian two's complement, one length */
} ValueOrder;

/* What a value must satisfy beyond its size. */
typedef enum ValueCheck
{
	CHECK_NONE,
	CHECK_BOOLEAN,				/* 0 or 1 */
	CHECK_UTF8,
	CHECK_DECIMAL32,			/* |v| < 10^precision */
	CHECK_DECIMAL64,
	CHECK_DECIMAL_BYTES,
	CHECK_INT8,
	CHECK_UINT8,
	CHECK_INT16,
	CHECK_UINT16,
	CHECK_TIME					/* 0 .. 24:00:00 */
} ValueCheck;

typedef struct WriterColumn
{
	char	   *name;			/* in the arena */
	int32_t		type;
	int32_t		type_length;
	size_t		fixed_size;		/* bytes of a value in the caller's array
								 * and the page buffer; 0 for BYTE_ARRAY */
	bool		optional;
	bool		is_list;
	bool		element_optional;
	int16_t		max_def;
	int16_t		max_rep;
	int			def_width;		/* bits of a level */
	int			rep_width;
	ValueOrder	order;
	bool		signed_order;	/* the deprecated min/max are written */
	ValueCheck	check;
	int32_t		precision;		/* DECIMAL */
	bool		dictionary;		/* dictionary encoding is tried */
	char	  **path;			/* path_in_schema */
	int32_t		num_path;
} WriterColumn;

/* Native scalar min/max of the fixed-width types. */
typedef union Scalar
{
	uint8_t		b;
	int32_t		i32;
	int64_t		i64;
	float		f;
	double		d;
} Scalar;

/*
 * The chunk being built: one at a time, its buffers reused from column
 * to column.  Arrays of uint32_t live in sinks too (their buffers come
 * from the realloc callback, aligned as malloc or palloc align).
 */
typedef struct ChunkState
{
	/* the page being filled */
	StrataParquetSink def;		/* uint32_t per level entry */
	StrataParquetSink rep;
	StrataParquetSink values;	/* dictionary mode: uint32_t indices;
								 * PLAIN: fixed values as in the caller's
								 * array, byte arrays PLAIN-encoded */
	size_t		page_entries;
	size_t		page_values;	/* non-null values */
	size_t		page_plain_bytes;	/* their PLAIN size */

	/* the chunk */
	StrataParquetSink pages;	/* data pages, headers and compressed bodies */
	int64_t		num_values;		/* level entries */
	int64_t		null_count;
	int64_t		uncompressed_size;
	int64_t		compressed_size;
	uint32_t	encodings;		/* bit 1 << e for each encoding used */
	int32_t		num_pages;

	/* the dictionary */
	bool		dict_active;	/* values still go into the dictionary */
	bool		dict_judged;	/* the first page decided it was worth it */
	bool		dict_used;		/* some data page refers to it */
	uint32_t	dict_count;
	size_t		dict_plain_bytes;
	StrataParquetSink dict_values;	/* fixed values; or byte array bytes */
	StrataParquetSink dict_spans;	/* byte arrays: StrataParquetSpan each */
	StrataParquetSink dict_hashes;	/* uint32_t hash of each entry */
	StrataParquetSink slots;	/* uint32_t: entry + 1, 0 empty */
	size_t		num_slots;

	/* statistics */
	bool		has_minmax;
	Scalar		smin;
	Scalar		smax;
	StrataParquetSink bmin;		/* byte array min and max */
	StrataParquetSink bmax;

	/* scratch */
	StrataParquetSink body;		/* a page before compression */
	StrataParquetSink compressed;
	StrataParquetSink gather;	/* values gathered from the dictionary */
	StrataParquetSink dict_page;	/* header and body of the dictionary */
} ChunkState;

struct StrataParquetWriter
{
	StrataThriftReallocFn realloc_fn;
	void	   *alloc_ctx;
	StrataParquetWriteFn write_fn;
	void	   *write_ctx;
	StrataParquetStatus status;
	StrataArena arena;			/* schema and footer: as long as the writer */
	WriterState state;

	/* options */
	int32_t		codec;			/* StrataParquetCodec */
	StrataCodec compress_codec;
	int			level;
	size_t		page_size;
	size_t		dictionary_limit;
	bool		page_checksums;

	int32_t		num_columns;
	WriterColumn *columns;

	/* the footer: all but the row groups are set up at create */
	StrataParquetFileMetaData md;
	StrataParquetRowGroup *row_groups;	/* through realloc_fn */
	int32_t		max_row_groups;

	uint64_t	offset;			/* bytes written */

	/* the row group being written */
	int64_t		rg_rows;
	uint64_t	rg_start;
	StrataParquetColumnChunk *rg_chunks;	/* in the arena */
	int32_t		cur;			/* the column being filled */
	int64_t		cur_rows;		/* rows it has */

	ChunkState	chunk;
};

/* ---------------------------------------------------------------------
 * Errors, memory, output
 * ---------------------------------------------------------------------
 */

static bool wfail(StrataParquetWriter *w, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/*
 * Record a failure (the first one sticks).  Writer errors have no byte
 * offset in an input, so error_offset is 0; messages name the column and
 * the row instead.
 */
static bool
wfail(StrataParquetWriter *w, const char *fmt,...)
{
	char		msg[STRATA_THRIFT_ERROR_LEN];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strata_thrift_status_fail(&w->status, 0, "%s", msg);
	return false;
}

/* The arena takes its blocks from the writer's realloc callback. */
static void *
arena_block_alloc(void *ctx, size_t size)
{
	StrataParquetWriter *w = ctx;

	return w->realloc_fn(w->alloc_ctx, NULL, 0, size);
}

static void
arena_block_free(void *ctx, void *ptr)
{
	StrataParquetWriter *w = ctx;

	w->realloc_fn(w->alloc_ctx, ptr, 0, 0);
}

static void *
arena_alloc(StrataParquetWriter *w, size_t size)
{
	void	   *p = strata_arena_alloc(&w->arena, size);

	if (p == NULL)
		wfail(w, "out of memory");
	return p;
}

static char *
arena_strdup(StrataParquetWriter *w, const char *s)
{
	size_t		len = strlen(s);
	char	   *p = arena_alloc(w, len + 1);

	if (p != NULL)
		memcpy(p, s, len + 1);
	return p;
}

/* Room for extra more bytes in a sink; fails the writer if there is none. */
static bool
reserve(StrataParquetWriter *w, StrataParquetSink *s, size_t extra)
{
	if (s->failed ||
		!strata_buffer_grow(&s->buf, &s->cap, s->len, extra,
							s->realloc_fn, s->alloc_ctx))
	{
		s->failed = true;
		return wfail(w, "out of memory");
	}
	return true;
}

static bool
append(StrataParquetWriter *w, StrataParquetSink *s, const void *data, size_t len)
{
	if (!reserve(w, s, len))
		return false;
	if (len > 0)
		memcpy(s->buf + s->len, data, len);
	s->len += len;
	return true;
}

static inline bool
append_u32(StrataParquetWriter *w, StrataParquetSink *s, uint32_t v)
{
	if (!reserve(w, s, sizeof(v)))
		return false;
	memcpy(s->buf + s->len, &v, sizeof(v));
	s->len += sizeof(v);
	return true;
}

/* An encoder of strata_parquet_encoding.c failed: memory, or our bug. */
static bool
encoder_failed(StrataParquetWriter *w, const StrataParquetSink *s, const char *what)
{
	if (s->failed)
		return wfail(w, "out of memory");
	return wfail(w, "could not encode %s", what);
}

/* Hand bytes to the write callback. */
static bool
emit(StrataParquetWriter *w, const void *data, size_t len)
{
	if (len == 0)
		return true;
	if (!w->write_fn(w->write_ctx, data, len))
		return wfail(w, "the write callback failed at file offset %llu",
					 (unsigned long long) w->offset);
	w->offset += len;
	return true;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	p[2] = (uint8_t) (v >> 16);
	p[3] = (uint8_t) (v >> 24);
}

static void
put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t) v);
	put_le32(p + 4, (uint32_t) (v >> 32));
}

/* ---------------------------------------------------------------------
 * Options and schema
 * ---------------------------------------------------------------------
 */

void
strata_parquet_writer_options_init(StrataParquetWriterOptions *options)
{
	memset(options, 0, sizeof(*options));
	options->codec = STRATA_PARQUET_ZSTD;
	options->page_size = STRATA_PARQUET_DEFAULT_PAGE_SIZE;
	options->dictionary_limit = STRATA_PARQUET_DEFAULT_DICTIONARY_LIMIT;
	options->use_dictionary = true;
	options->created_by = STRATA_PARQUET_DEFAULT_CREATED_BY;
}

/*
 * The most decimal digits n bytes of two's complement hold:
 * floor(log10(2^(8n - 1) - 1)), for n = 1 .. 16.
 */
static const int32_t decimal_digits_of_bytes[17] = {
	0, 2, 4, 6, 9, 11, 14, 16, 18, 21, 23, 26, 28, 31, 33, 35, 38
};

bool
strata_parquet_decimal_type(int32_t precision, int32_t *type, int32_t *type_length)
{
	int32_t		n;

	if (precision < 1 || precision > 38)
		return false;
	*type_length = 0;
	if (precision <= 9)
		*type = STRATA_PARQUET_INT32;
	else if (precision <= 18)
		*type = STRATA_PARQUET_INT64;
	else
	{
		*type = STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY;
		for (n = 1; decimal_digits_of_bytes[n] < precision; n++)
			;
		*type_length = n;
	}
	return true;
}

static bool
check_options(StrataParquetWriter *w, const StrataParquetWriterOptions *o)
{
	int			minlevel,
				maxlevel,
				dflt;
	int32_t		i;

	switch (o->codec)
	{
		case STRATA_PARQUET_UNCOMPRESSED:
			w->compress_codec = STRATA_CODEC_NONE;
			break;
		case STRATA_PARQUET_SNAPPY:
			w->compress_codec = STRATA_CODEC_SNAPPY;
			break;
		case STRATA_PARQUET_GZIP:
			w->compress_codec = STRATA_CODEC_GZIP;
			break;
		case STRATA_PARQUET_ZSTD:
			w->compress_codec = STRATA_CODEC_ZSTD;
			break;
		case STRATA_PARQUET_LZ4_RAW:
			w->compress_codec = STRATA_CODEC_LZ4;
			break;
		default:
			return wfail(w, "compression codec %d cannot be written: use UNCOMPRESSED, SNAPPY, GZIP, ZSTD or LZ4_RAW",
						 (int) o->codec);
	}
	w->codec = o->codec;
	strata_codec_level_range(w->compress_codec, &minlevel, &maxlevel, &dflt);
	if (o->compression_level == 0)
		w->level = dflt;
	else if (o->compression_level < minlevel || o->compression_level > maxlevel)
	{
		if (minlevel == maxlevel)
			return wfail(w, "compression codec %s takes no level, but level %d was given",
						 strata_codec_name(w->compress_codec), o->compression_level);
		return wfail(w, "compression level %d is outside %d to %d, the range of %s",
					 o->compression_level, minlevel, maxlevel,
					 strata_codec_name(w->compress_codec));
	}
	else
		w->level = o->compression_level;

	if (o->page_size < 1 || o->page_size > STRATA_PARQUET_MAX_PAGE_SIZE)
		return wfail(w, "page size %zu is outside 1 to %d bytes",
					 o->page_size, STRATA_PARQUET_MAX_PAGE_SIZE);
	if (o->use_dictionary &&
		(o->dictionary_limit < 1 || o->dictionary_limit > STRATA_PARQUET_MAX_PAGE_SIZE))
		return wfail(w, "dictionary limit %zu is outside 1 to %d bytes",
					 o->dictionary_limit, STRATA_PARQUET_MAX_PAGE_SIZE);
	w->page_size = o->page_size;
	w->dictionary_limit = o->dictionary_limit;
	w->page_checksums = o->page_checksums;

	if (o->num_key_values < 0 || (o->num_key_values > 0 && o->key_values == NULL))
		return wfail(w, "key-value metadata: %d pairs without an array",
					 (int) o->num_key_values);
	for (i = 0; i < o->num_key_values; i++)
		if (o->key_values[i].key == NULL)
			return wfail(w, "key-value metadata: pair %d has no key", (int) i);
	return true;
}

static const char *
logical_name(int kind)
{
	switch (kind)
	{
		case STRATA_PARQUET_LT_NONE:
			return "none";
		case STRATA_PARQUET_LT_STRING:
			return "STRING";
		case STRATA_PARQUET_LT_MAP:
			return "MAP";
		case STRATA_PARQUET_LT_LIST:
			return "LIST";
		case STRATA_PARQUET_LT_ENUM:
			return "ENUM";
		case STRATA_PARQUET_LT_DECIMAL:
			return "DECIMAL";
		case STRATA_PARQUET_LT_DATE:
			return "DATE";
		case STRATA_PARQUET_LT_TIME:
			return "TIME";
		case STRATA_PARQUET_LT_TIMESTAMP:
			return "TIMESTAMP";
		case STRATA_PARQUET_LT_INTEGER:
			return "INTEGER";
		case STRATA_PARQUET_LT_UNKNOWN:
			return "UNKNOWN";
		case STRATA_PARQUET_LT_JSON:
			return "JSON";
		case STRATA_PARQUET_LT_BSON:
			return "BSON";
		case STRATA_PARQUET_LT_UUID:
			return "UUID";
		case STRATA_PARQUET_LT_FLOAT16:
			return "FLOAT16";
	}
	return "unknown";
}

/*
 * Check a column's physical and logical type, and work out how its values
 * are checked and ordered and which converted type goes beside it
 * (-1: none).
 */
static bool
check_column_type(StrataParquetWriter *w, const StrataParquetColumnSpec *spec,
				  WriterColumn *col, int32_t *converted)
{
	const StrataParquetLogicalType *lt = &spec->logical_type;
	const char *name = spec->name;
	int32_t		want_type,
				want_length;

	*converted = -1;
	switch (spec->type)
	{
		case STRATA_PARQUET_BOOLEAN:
			col->order = ORDER_BOOLEAN;
			col->check = CHECK_BOOLEAN;
			col->fixed_size = 1;
			break;
		case STRATA_PARQUET_INT32:
			col->order = ORDER_INT32;
			col->fixed_size = 4;
			break;
		case STRATA_PARQUET_INT64:
			col->order = ORDER_INT64;
			col->fixed_size = 8;
			break;
		case STRATA_PARQUET_FLOAT:
			col->order = ORDER_FLOAT;
			col->fixed_size = 4;
			break;
		case STRATA_PARQUET_DOUBLE:
			col->order = ORDER_DOUBLE;
			col->fixed_size = 8;
			break;
		case STRATA_PARQUET_BYTE_ARRAY:
			col->order = ORDER_BYTES;
			col->fixed_size = 0;
			break;
		case STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY:
			if (spec->type_length < 1 || spec->type_length > STRATA_PARQUET_MAX_VALUE_SIZE)
				return wfail(w, "column \"%s\": FIXED_LEN_BYTE_ARRAY needs a type_length of 1 to %d, not %d",
							 name, STRATA_PARQUET_MAX_VALUE_SIZE, (int) spec->type_length);
			col->order = ORDER_BYTES;
			col->fixed_size = (size_t) spec->type_length;
			break;
		case STRATA_PARQUET_INT96:
			return wfail(w, "column \"%s\": INT96 is deprecated and not written; use INT64 with TIMESTAMP",
						 name);
		default:
			return wfail(w, "column \"%s\": unknown physical type %d", name, (int) spec->type);
	}
	if (spec->type != STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY && spec->type_length != 0)
		return wfail(w, "column \"%s\": type_length is for FIXED_LEN_BYTE_ARRAY only, not %s",
					 name, strata_parquet_type_name(spec->type));
	col->signed_order = col->order != ORDER_BYTES;

	/* which physical type the logical type needs, checked below */
	want_type = spec->type;
	want_length = spec->type_length;
	switch (lt->kind)
	{
		case STRATA_PARQUET_LT_NONE:
			break;
		case STRATA_PARQUET_LT_STRING:
		case STRATA_PARQUET_LT_JSON:
			want_type = STRATA_PARQUET_BYTE_ARRAY;
			want_length = 0;
			col->check = CHECK_UTF8;
			*converted = lt->kind == STRATA_PARQUET_LT_STRING ?
				STRATA_PARQUET_CT_UTF8 : STRATA_PARQUET_CT_JSON;
			break;
		case STRATA_PARQUET_LT_DATE:
			want_type = STRATA_PARQUET_INT32;
			*converted = STRATA_PARQUET_CT_DATE;
			break;
		case STRATA_PARQUET_LT_TIME:
		case STRATA_PARQUET_LT_TIMESTAMP:
			if (lt->unit != STRATA_PARQUET_MICROS)
				return wfail(w, "column \"%s\": %s is written with unit MICROS only",
							 name, logical_name(lt->kind));
			want_type = STRATA_PARQUET_INT64;
			want_length = 0;

			/*
			 * The converted type goes on local times and timestamps too, as
			 * the spec asks of writers for the sake of older readers.
			 */
			if (lt->kind == STRATA_PARQUET_LT_TIME)
			{
				col->check = CHECK_TIME;
				*converted = STRATA_PARQUET_CT_TIME_MICROS;
			}
			else
				*converted = STRATA_PARQUET_CT_TIMESTAMP_MICROS;
			break;
		case STRATA_PARQUET_LT_DECIMAL:
			if (!strata_parquet_decimal_type(lt->decimal_precision, &want_type, &want_length))
				return wfail(w, "column \"%s\": DECIMAL precision %d is outside 1 to 38",
							 name, (int) lt->decimal_precision);
			if (lt->decimal_scale < 0 || lt->decimal_scale > lt->decimal_precision)
				return wfail(w, "column \"%s\": DECIMAL scale %d is outside 0 to the precision %d",
							 name, (int) lt->decimal_scale, (int) lt->decimal_precision);
			col->precision = lt->decimal_precision;
			col->check = want_type == STRATA_PARQUET_INT32 ? CHECK_DECIMAL32 :
				want_type == STRATA_PARQUET_INT64 ? CHECK_DECIMAL64 : CHECK_DECIMAL_BYTES;
			if (want_type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
			{
				col->order = ORDER_DECIMAL_BYTES;
				col->signed_order = true;
			}
			*converted = STRATA_PARQUET_CT_DECIMAL;
			break;
		case STRATA_PARQUET_LT_INTEGER:
			switch (lt->bit_width)
			{
				case 8:
					col->check = lt->is_signed ? CHECK_INT8 : CHECK_UINT8;
					*converted = lt->is_signed ? STRATA_PARQUET_CT_INT_8 : STRATA_PARQUET_CT_UINT_8;
					want_type = STRATA_PARQUET_INT32;
					break;
				case 16:
					col->check = lt->is_signed ? CHECK_INT16 : CHECK_UINT16;
					*converted = lt->is_signed ? STRATA_PARQUET_CT_INT_16 : STRATA_PARQUET_CT_UINT_16;
					want_type = STRATA_PARQUET_INT32;
					break;
				case 32:
					*converted = lt->is_signed ? STRATA_PARQUET_CT_INT_32 : STRATA_PARQUET_CT_UINT_32;
					want_type = STRATA_PARQUET_INT32;
					break;
				case 64:
					*converted = lt->is_signed ? STRATA_PARQUET_CT_INT_64 : STRATA_PARQUET_CT_UINT_64;
					want_type = STRATA_PARQUET_INT64;
					break;
				default:
					return wfail(w, "column \"%s\": INTEGER bit width %d is not 8, 16, 32 or 64",
								 name, (int) lt->bit_width);
			}
			want_length = 0;
			if (!lt->is_signed && spec->type == want_type)
			{
				col->order = want_type == STRATA_PARQUET_INT32 ? ORDER_UINT32 : ORDER_UINT64;
				col->signed_order = false;
			}
			break;
		case STRATA_PARQUET_LT_UUID:
			want_type = STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY;
			want_length = 16;
			break;
		default:
			return wfail(w, "column \"%s\": logical type %s is not supported by the writer",
						 name, logical_name(lt->kind));
	}
	if (spec->type != want_type || spec->type_length != want_length)
	{
		if (want_type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
			return wfail(w, "column \"%s\": %s must be stored as FIXED_LEN_BYTE_ARRAY of %d bytes",
						 name, logical_name(lt->kind), (int) want_length);
		return wfail(w, "column \"%s\": %s must be stored as %s, not %s",
					 name, logical_name(lt->kind), strata_parquet_type_name(want_type),
					 strata_parquet_type_name(spec->type));
	}
	return true;
}

/* The schema element of a primitive column (or of a list's element). */
static void
primitive_element(StrataParquetSchemaElement *se, const StrataParquetColumnSpec *spec,
				  char *name, bool optional, int32_t converted)
{
	se->name = name;
	se->has_type = true;
	se->type = spec->type;
	if (spec->type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
	{
		se->has_type_length = true;
		se->type_length = spec->type_length;
	}
	se->has_repetition_type = true;
	se->repetition_type = optional ? STRATA_PARQUET_OPTIONAL : STRATA_PARQUET_REQUIRED;
	if (converted >= 0)
	{
		se->has_converted_type = true;
		se->converted_type = converted;
	}
	se->logical_type.kind = spec->logical_type.kind;
	switch (spec->logical_type.kind)
	{
		case STRATA_PARQUET_LT_DECIMAL:
			se->has_scale = se->has_precision = true;
			se->scale = spec->logical_type.decimal_scale;
			se->precision = spec->logical_type.decimal_precision;
			se->logical_type.decimal_scale = se->scale;
			se->logical_type.decimal_precision = se->precision;
			break;
		case STRATA_PARQUET_LT_TIME:
		case STRATA_PARQUET_LT_TIMESTAMP:
			se->logical_type.is_adjusted_to_utc = spec->logical_type.is_adjusted_to_utc;
			se->logical_type.unit = spec->logical_type.unit;
			break;
		case STRATA_PARQUET_LT_INTEGER:
			se->logical_type.bit_width = spec->logical_type.bit_width;
			se->logical_type.is_signed = spec->logical_type.is_signed;
			break;
		default:
			break;
	}
}

static bool
setup_columns(StrataParquetWriter *w, const StrataParquetColumnSpec *specs, int32_t n,
			  bool use_dictionary)
{
	StrataParquetSchemaElement *schema;
	int32_t		num_schema = 1;
	int32_t		i,
				j,
				k;

	if (specs == NULL || n < 1)
		return wfail(w, "a Parquet file needs at least one column");
	if (n > INT16_MAX)
		return wfail(w, "%d columns are more than the writer takes (%d)", (int) n, INT16_MAX);
	w->columns = arena_alloc(w, sizeof(WriterColumn) * (size_t) n);
	if (w->columns == NULL)
		return false;
	w->num_columns = n;
	for (i = 0; i < n; i++)
		num_schema += specs[i].is_list ? 3 : 1;
	schema = arena_alloc(w, sizeof(StrataParquetSchemaElement) * (size_t) num_schema);
	if (schema == NULL)
		return false;
	schema[0].name = "schema";
	schema[0].has_num_children = true;
	schema[0].num_children = n;

	k = 1;
	for (i = 0; i < n; i++)
	{
		const StrataParquetColumnSpec *spec = &specs[i];
		WriterColumn *col = &w->columns[i];
		int32_t		converted;

		if (spec->name == NULL || spec->name[0] == '\0')
			return wfail(w, "column %d has no name", (int) i);
		for (j = 0; j < i; j++)
			if (strcmp(specs[j].name, spec->name) == 0)
				return wfail(w, "column name \"%s\" appears twice", spec->name);
		if (!check_column_type(w, spec, col, &converted))
			return false;
		if ((col->name = arena_strdup(w, spec->name)) == NULL)
			return false;
		col->type = spec->type;
		col->type_length = spec->type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY ? spec->type_length : 0;
		col->optional = spec->optional;
		col->is_list = spec->is_list;
		col->element_optional = spec->is_list && spec->element_optional;
		col->max_def = (int16_t) ((spec->optional ? 1 : 0) +
								  (spec->is_list ? 1 + (spec->element_optional ? 1 : 0) : 0));
		col->max_rep = spec->is_list ? 1 : 0;
		col->def_width = strata_parquet_bit_width((uint64_t) col->max_def);
		col->rep_width = strata_parquet_bit_width((uint64_t) col->max_rep);
		/* as parquet-mr and Arrow: a dictionary of two booleans never pays */
		col->dictionary = use_dictionary && spec->type != STRATA_PARQUET_BOOLEAN;
		col->num_path = spec->is_list ? 3 : 1;
		col->path = arena_alloc(w, sizeof(char *) * (size_t) col->num_path);
		if (col->path == NULL)
			return false;
		col->path[0] = col->name;

		if (spec->is_list)
		{
			StrataParquetSchemaElement *group = &schema[k];
			StrataParquetSchemaElement *repeated = &schema[k + 1];

			col->path[1] = "list";
			col->path[2] = "element";
			group->name = col->name;
			group->has_repetition_type = true;
			group->repetition_type = spec->optional ? STRATA_PARQUET_OPTIONAL : STRATA_PARQUET_REQUIRED;
			group->has_num_children = true;
			group->num_children = 1;
			group->has_converted_type = true;
			group->converted_type = STRATA_PARQUET_CT_LIST;
			group->logical_type.kind = STRATA_PARQUET_LT_LIST;
			group->has_field_id = spec->has_field_id;
			group->field_id = spec->field_id;
			repeated->name = "list";
			repeated->has_repetition_type = true;
			repeated->repetition_type = STRATA_PARQUET_REPEATED;
			repeated->has_num_children = true;
			repeated->num_children = 1;
			primitive_element(&schema[k + 2], spec, "element", spec->element_optional, converted);
			schema[k + 2].has_field_id = spec->has_element_field_id;
			schema[k + 2].field_id = spec->element_field_id;
			k += 3;
		}
		else
		{
			primitive_element(&schema[k], spec, col->name, spec->optional, converted);
			schema[k].has_field_id = spec->has_field_id;
			schema[k].field_id = spec->field_id;
			k++;
		}
	}
	w->md.schema = schema;
	w->md.num_schema = num_schema;
	return true;
}

/* Everything of the footer but the row groups. */
static bool
setup_footer(StrataParquetWriter *w, const StrataParquetWriterOptions *o)
{
	int32_t		i;

	/* version 1, as parquet-mr writes, since every page here is v1 */
	w->md.version = 1;
	if (o->created_by != NULL &&
		(w->md.created_by = arena_strdup(w, o->created_by)) == NULL)
		return false;
	if (o->num_key_values > 0)
	{
		w->md.key_value_metadata = arena_alloc(w, sizeof(StrataParquetKeyValue) *
											   (size_t) o->num_key_values);
		if (w->md.key_value_metadata == NULL)
			return false;
		w->md.has_key_value_metadata = true;
		w->md.num_key_value = o->num_key_values;
		for (i = 0; i < o->num_key_values; i++)
		{
			StrataParquetKeyValue *kv = &w->md.key_value_metadata[i];
			const char *value = o->key_values[i].value;

			if ((kv->key = arena_strdup(w, o->key_values[i].key)) == NULL)
				return false;
			if (value != NULL)
			{
				kv->has_value = true;
				kv->value.len = strlen(value);
				if ((kv->value.data = (uint8_t *) arena_strdup(w, value)) == NULL)
					return false;
			}
		}
	}
	w->md.has_column_orders = true;
	w->md.num_column_orders = w->num_columns;
	w->md.column_orders = arena_alloc(w, sizeof(int32_t) * (size_t) w->num_columns);
	if (w->md.column_orders == NULL)
		return false;
	for (i = 0; i < w->num_columns; i++)
		w->md.column_orders[i] = STRATA_PARQUET_TYPE_ORDER;
	return true;
}

static void
chunk_sinks_init(StrataParquetWriter *w)
{
	ChunkState *c = &w->chunk;
	StrataParquetSink *sinks[] = {
		&c->def, &c->rep, &c->values, &c->pages, &c->dict_values, &c->dict_spans,
		&c->dict_hashes, &c->slots, &c->bmin, &c->bmax, &c->body, &c->compressed,
		&c->gather, &c->dict_page
	};
	size_t		i;

	for (i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++)
		strata_parquet_sink_init(sinks[i], w->realloc_fn, w->alloc_ctx);
}

static void
chunk_sinks_free(StrataParquetWriter *w)
{
	ChunkState *c = &w->chunk;
	StrataParquetSink *sinks[] = {
		&c->def, &c->rep, &c->values, &c->pages, &c->dict_values, &c->dict_spans,
		&c->dict_hashes, &c->slots, &c->bmin, &c->bmax, &c->body, &c->compressed,
		&c->gather, &c->dict_page
	};
	size_t		i;

	for (i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++)
		strata_parquet_sink_free(sinks[i]);
}

StrataParquetWriter *
strata_parquet_writer_create(const StrataParquetWriterOptions *options,
							 const StrataParquetColumnSpec *columns,
							 int32_t num_columns,
							 StrataParquetWriteFn write_fn, void *write_ctx,
							 StrataParquetStatus *status)
{
	StrataThriftReallocFn fn;
	StrataParquetWriter *w;

	memset(status, 0, sizeof(*status));
	if (options == NULL || write_fn == NULL)
	{
		strata_thrift_status_fail(status, 0, "a writer needs options and a write callback");
		return NULL;
	}
	fn = options->realloc_fn != NULL ? options->realloc_fn : strata_default_realloc;
	w = fn(options->alloc_ctx, NULL, 0, sizeof(*w));
	if (w == NULL)
	{
		strata_thrift_status_fail(status, 0, "out of memory");
		return NULL;
	}
	memset(w, 0, sizeof(*w));
	w->realloc_fn = fn;
	w->alloc_ctx = options->alloc_ctx;
	w->write_fn = write_fn;
	w->write_ctx = write_ctx;
	strata_arena_init(&w->arena, 0);
	w->arena.block_alloc = arena_block_alloc;
	w->arena.block_free = arena_block_free;
	w->arena.ctx = w;
	chunk_sinks_init(w);
	w->state = STATE_IDLE;

	if (!check_options(w, options) ||
		!setup_columns(w, columns, num_columns, options->use_dictionary) ||
		!setup_footer(w, options) ||
		!emit(w, "PAR1", 4))
	{
		*status = w->status;
		strata_parquet_writer_free(w);
		return NULL;
	}
	return w;
}

/* ---------------------------------------------------------------------
 * Value checks
 * ---------------------------------------------------------------------
 */

/* Well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static bool
utf8_valid(const uint8_t *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		uint8_t		c = s[i];
		uint8_t		lo = 0x80,
					hi = 0xBF;
		int			more;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			more = 1;
		else if (c >= 0xE0 && c <= 0xEF)
		{
			more = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			more = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		}
		else
			return false;
		if (len - i <= (size_t) more || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (i += 2, more--; more > 0; more--, i++)
			if ((s[i] & 0xC0) != 0x80)
				return false;
	}
	return true;
}

/* Does a big-endian two's complement value exceed precision digits? */
static bool
decimal_bytes_too_wide(const uint8_t *p, size_t len, int32_t precision)
{
	uint64_t	hi,
				lo,
				mhi = 0,
				mlo = 1;
	bool		negative = len > 0 && (p[0] & 0x80) != 0;
	size_t		i;
	int32_t		k;

	/* the value, sign-extended to 128 bits (len is at most 16 here) */
	hi = lo = negative ? UINT64_MAX : 0;
	for (i = 0; i < len; i++)
	{
		hi = (hi << 8) | (lo >> 56);
		lo = (lo << 8) | p[i];
	}
	if (negative)
	{
		lo = ~lo + 1;
		hi = ~hi + (lo == 0 ? 1 : 0);
	}
	/* 10^precision, computed as 8x + 2x */
	for (k = 0; k < precision; k++)
	{
		uint64_t	l8 = mlo << 3;
		uint64_t	l2 = mlo << 1;
		uint64_t	sum = l8 + l2;

		mhi = mhi * 10 + (mlo >> 61) + (mlo >> 63) + (sum < l8 ? 1 : 0);
		mlo = sum;
	}
	/* |value| >= 10^precision */
	return hi > mhi || (hi == mhi && lo >= mlo);
}

static const int64_t powers_of_ten[19] = {
	INT64_C(1), INT64_C(10), INT64_C(100), INT64_C(1000), INT64_C(10000),
	INT64_C(100000), INT64_C(1000000), INT64_C(10000000), INT64_C(100000000),
	INT64_C(1000000000), INT64_C(10000000000), INT64_C(100000000000),
	INT64_C(1000000000000), INT64_C(10000000000000), INT64_C(100000000000000),
	INT64_C(1000000000000000), INT64_C(10000000000000000),
	INT64_C(100000000000000000), INT64_C(1000000000000000000)
};

/*
 * Check a non-null value of row "row" of the row group (size included);
 * p and len are its bytes (for fixed types, the caller's native value).
 */
static bool
check_value(StrataParquetWriter *w, const WriterColumn *col, const uint8_t *p,
			size_t len, int64_t row)
{
	int32_t		i32;
	int64_t		i64;

	if (col->type == STRATA_PARQUET_BYTE_ARRAY)
	{
		if (len > STRATA_PARQUET_MAX_VALUE_SIZE)
			return wfail(w, "column \"%s\": the value in row %lld is %zu bytes, more than the %d allowed",
						 col->name, (long long) row, len, STRATA_PARQUET_MAX_VALUE_SIZE);
		if (p == NULL && len > 0)
			return wfail(w, "column \"%s\": the value in row %lld has no data", col->name,
						 (long long) row);
	}
	else if (col->type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
	{
		if (len != (size_t) col->type_length)
			return wfail(w, "column \"%s\": the value in row %lld is %zu bytes, not %d",
						 col->name, (long long) row, len, (int) col->type_length);
		if (p == NULL)
			return wfail(w, "column \"%s\": the value in row %lld has no data", col->name,
						 (long long) row);
	}

	switch (col->check)
	{
		case CHECK_NONE:
			return true;
		case CHECK_BOOLEAN:
			if (p[0] > 1)
				return wfail(w, "column \"%s\": the boolean in row %lld is %d, not 0 or 1",
							 col->name, (long long) row, p[0]);
			return true;
		case CHECK_UTF8:
			if (len > 0 && !utf8_valid(p, len))
				return wfail(w, "column \"%s\": the value in row %lld is not valid UTF-8",
							 col->name, (long long) row);
			return true;
		case CHECK_DECIMAL32:
			memcpy(&i32, p, sizeof(i32));
			if (i32 <= -powers_of_ten[col->precision] || i32 >= powers_of_ten[col->precision])
				return wfail(w, "column \"%s\": the unscaled decimal %d in row %lld has more than %d digits",
							 col->name, (int) i32, (long long) row, (int) col->precision);
			return true;
		case CHECK_DECIMAL64:
			memcpy(&i64, p, sizeof(i64));
			if (i64 <= -powers_of_ten[col->precision] || i64 >= powers_of_ten[col->precision])
				return wfail(w, "column \"%s\": the unscaled decimal %lld in row %lld has more than %d digits",
							 col->name, (long long) i64, (long long) row, (int) col->precision);
			return true;
		case CHECK_DECIMAL_BYTES:
			if (decimal_bytes_too_wide(p, len, col->precision))
				return wfail(w, "column \"%s\": the unscaled decimal in row %lld has more than %d digits",
							 col->name, (long long) row, (int) col->precision);
			return true;
		case CHECK_INT8:
		case CHECK_UINT8:
		case CHECK_INT16:
		case CHECK_UINT16:
			{
				int32_t		lo = col->check == CHECK_INT8 ? -128 : col->check == CHECK_INT16 ? -32768 : 0;
				int32_t		hi = col->check == CHECK_INT8 ? 127 : col->check == CHECK_UINT8 ? 255 :
					col->check == CHECK_INT16 ? 32767 : 65535;

				memcpy(&i32, p, sizeof(i32));
				if (i32 < lo || i32 > hi)
					return wfail(w, "column \"%s\": %d in row %lld is outside %d to %d, the range of the column's INTEGER type",
								 col->name, (int) i32, (long long) row, (int) lo, (int) hi);
				return true;
			}
		case CHECK_TIME:
			memcpy(&i64, p, sizeof(i64));
			if (i64 < 0 || i64 > MAX_TIME_MICROS)
				return wfail(w, "column \"%s\": TIME %lld in row %lld is outside 0 to 24:00:00",
							 col->name, (long long) i64, (long long) row);
			return true;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Statistics
 * ---------------------------------------------------------------------
 */

/* Compare byte strings: unsigned bytewise, or two's complement of one length. */
static int
compare_bytes(ValueOrder order, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t		n = alen < blen ? alen : blen;
	int			r;

	if (order == ORDER_DECIMAL_BYTES && n > 0 && a[0] != b[0])
		return (int8_t) a[0] < (int8_t) b[0] ? -1 : 1;
	r = n > 0 ? memcmp(a, b, n) : 0;
	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Negative if a sorts before b, by the column's order; NaN never comes here. */
static int
compare_scalar(ValueOrder order, const Scalar *a, const Scalar *b)
{
	switch (order)
	{
		case ORDER_BOOLEAN:
			return (int) a->b - (int) b->b;
		case ORDER_INT32:
			return a->i32 < b->i32 ? -1 : a->i32 > b->i32;
		case ORDER_UINT32:
			return (uint32_t) a->i32 < (uint32_t) b->i32 ? -1 :
				(uint32_t) a->i32 > (uint32_t) b->i32;
		case ORDER_INT64:
			return a->i64 < b->i64 ? -1 : a->i64 > b->i64;
		case ORDER_UINT64:
			return (uint64_t) a->i64 < (uint64_t) b->i64 ? -1 :
				(uint64_t) a->i64 > (uint64_t) b->i64;
		case ORDER_FLOAT:
			return a->f < b->f ? -1 : a->f > b->f;
		case ORDER_DOUBLE:
			return a->d < b->d ? -1 : a->d > b->d;
		case ORDER_BYTES:
		case ORDER_DECIMAL_BYTES:
			break;
	}
	return 0;
}

static bool
set_bytes(StrataParquetWriter *w, StrataParquetSink *s, const uint8_t *p, size_t len)
{
	s->len = 0;
	return append(w, s, p, len);
}

static bool
update_stats(StrataParquetWriter *w, const WriterColumn *col, const uint8_t *p, size_t len)
{
	ChunkState *c = &w->chunk;
	Scalar		v;

	if (col->order == ORDER_BYTES || col->order == ORDER_DECIMAL_BYTES)
	{
		if (!c->has_minmax)
		{
			c->has_minmax = true;
			return set_bytes(w, &c->bmin, p, len) && set_bytes(w, &c->bmax, p, len);
		}
		if (compare_bytes(col->order, p, len, c->bmin.buf, c->bmin.len) < 0)
			return set_bytes(w, &c->bmin, p, len);
		if (compare_bytes(col->order, p, len, c->bmax.buf, c->bmax.len) > 0)
			return set_bytes(w, &c->bmax, p, len);
		return true;
	}

	memset(&v, 0, sizeof(v));
	memcpy(&v, p, col->fixed_size);
	if ((col->order == ORDER_FLOAT && isnan(v.f)) ||
		(col->order == ORDER_DOUBLE && isnan(v.d)))
		return true;
	if (!c->has_minmax)
	{
		c->has_minmax = true;
		c->smin = c->smax = v;
	}
	else if (compare_scalar(col->order, &v, &c->smin) < 0)
		c->smin = v;
	else if (compare_scalar(col->order, &v, &c->smax) > 0)
		c->smax = v;
	return true;
}

/* A statistics value as Parquet stores it: PLAIN, without a length. */
static bool
stats_bytes(StrataParquetWriter *w, const WriterColumn *col, const Scalar *s,
			const StrataParquetSink *bytes, StrataParquetBytes *out)
{
	size_t		len = col->order == ORDER_BYTES || col->order == ORDER_DECIMAL_BYTES ?
		bytes->len : col->fixed_size;
	uint8_t    *p = arena_alloc(w, len + 1);
	uint32_t	u32;
	uint64_t	u64;

	if (p == NULL)
		return false;
	switch (col->order)
	{
		case ORDER_BOOLEAN:
			p[0] = s->b;
			break;
		case ORDER_INT32:
		case ORDER_UINT32:
			put_le32(p, (uint32_t) s->i32);
			break;
		case ORDER_INT64:
		case ORDER_UINT64:
			put_le64(p, (uint64_t) s->i64);
			break;
		case ORDER_FLOAT:
			memcpy(&u32, &s->f, 4);
			put_le32(p, u32);
			break;
		case ORDER_DOUBLE:
			memcpy(&u64, &s->d, 8);
			put_le64(p, u64);
			break;
		case ORDER_BYTES:
		case ORDER_DECIMAL_BYTES:
			if (len > 0)
				memcpy(p, bytes->buf, len);
			break;
	}
	out->data = p;
	out->len = len;
	return true;
}

static bool
finish_stats(StrataParquetWriter *w, const WriterColumn *col, StrataParquetStatistics *st)
{
	ChunkState *c = &w->chunk;
	bool		is_bytes = col->order == ORDER_BYTES || col->order == ORDER_DECIMAL_BYTES;

	memset(st, 0, sizeof(*st));
	st->has_null_count = true;
	st->null_count = c->null_count;
	if (!c->has_minmax)
		return true;
	if (is_bytes && c->bmin.len + c->bmax.len >= STATS_MAX_BYTES)
		return true;

	/*
	 * A zero bound is written with the sign that keeps it a bound for
	 * readers that order -0.0 before +0.0, as the spec asks.
	 */
	if (col->order == ORDER_FLOAT)
	{
		if (c->smin.f == 0.0f)
			c->smin.f = -0.0f;
		if (c->smax.f == 0.0f)
			c->smax.f = 0.0f;
	}
	else if (col->order == ORDER_DOUBLE)
	{
		if (c->smin.d == 0.0)
			c->smin.d = -0.0;
		if (c->smax.d == 0.0)
			c->smax.d = 0.0;
	}
	if (!stats_bytes(w, col, &c->smin, &c->bmin, &st->min_value) ||
		!stats_bytes(w, col, &c->smax, &c->bmax, &st->max_value))
		return false;
	st->has_min_value = st->has_max_value = true;
	if (col->signed_order ||
		(st->min_value.len == st->max_value.len &&
		 memcmp(st->min_value.data, st->max_value.data, st->min_value.len) == 0))
	{
		st->has_min = st->has_max = true;
		st->min = st->min_value;
		st->max = st->max_value;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Dictionary
 * ---------------------------------------------------------------------
 */

/* FNV-1a, then a final mix so the low bits (the table index) vary well. */
static uint32_t
hash_bytes(const uint8_t *p, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= p[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static void
dict_entry(const ChunkState *c, const WriterColumn *col, uint32_t index,
		   const uint8_t **p, size_t *len)
{
	if (col->type == STRATA_PARQUET_BYTE_ARRAY)
	{
		const StrataParquetSpan *span = (const StrataParquetSpan *) c->dict_spans.buf + index;

		*p = c->dict_values.buf + span->offset;
		*len = span->length;
	}
	else
	{
		*p = c->dict_values.buf + (size_t) index * col->fixed_size;
		*len = col->fixed_size;
	}
}

/* Double the hash table and put every entry back. */
static bool
dict_grow(StrataParquetWriter *w)
{
	ChunkState *c = &w->chunk;
	size_t		n = c->num_slots < MIN_DICT_SLOTS ? MIN_DICT_SLOTS : c->num_slots * 2;
	const uint32_t *hashes = (const uint32_t *) c->dict_hashes.buf;
	uint32_t   *slots;
	uint32_t	i;

	c->slots.len = 0;
	if (!reserve(w, &c->slots, n * sizeof(uint32_t)))
		return false;
	slots = (uint32_t *) c->slots.buf;
	memset(slots, 0, n * sizeof(uint32_t));
	c->num_slots = n;
	for (i = 0; i < c->dict_count; i++)
	{
		size_t		pos = hashes[i] & (n - 1);

		while (slots[pos] != 0)
			pos = (pos + 1) & (n - 1);
		slots[pos] = i + 1;
	}
	return true;
}

/* The index of a value in the chunk's dictionary, adding it if new. */
static bool
dict_index(StrataParquetWriter *w, const WriterColumn *col, const uint8_t *p,
		   size_t len, uint32_t *index)
{
	ChunkState *c = &w->chunk;
	uint32_t	h = hash_bytes(p, len);
	uint32_t   *slots;
	size_t		pos;

	if ((size_t) c->dict_count * 2 + 2 > c->num_slots && !dict_grow(w))
		return false;
	slots = (uint32_t *) c->slots.buf;
	for (pos = h & (c->num_slots - 1); slots[pos] != 0; pos = (pos + 1) & (c->num_slots - 1))
	{
		uint32_t	e = slots[pos] - 1;
		const uint8_t *ep;
		size_t		elen;

		if (((const uint32_t *) c->dict_hashes.buf)[e] != h)
			continue;
		dict_entry(c, col, e, &ep, &elen);
		if (elen == len && (len == 0 || memcmp(ep, p, len) == 0))
		{
			*index = e;
			return true;
		}
	}

	/* a new entry */
	if (col->type == STRATA_PARQUET_BYTE_ARRAY)
	{
		StrataParquetSpan span;

		/* spans hold 32-bit offsets; the dictionary limit keeps far below */
		if (len > UINT32_MAX - c->dict_values.len)
			return wfail(w, "column \"%s\": the dictionary of a chunk passed 4 GB", col->name);
		span.offset = (uint32_t) c->dict_values.len;
		span.length = (uint32_t) len;
		if (!append(w, &c->dict_spans, &span, sizeof(span)))
			return false;
		c->dict_plain_bytes += 4 + len;
	}
	else
		c->dict_plain_bytes += len;
	if (!append(w, &c->dict_values, p, len) ||
		!append_u32(w, &c->dict_hashes, h))
		return false;
	slots[pos] = ++c->dict_count;
	*index = c->dict_count - 1;
	return true;
}

/* Bits of a dictionary index; at least 1, which every reader takes. */
static int
index_width(uint32_t dict_count)
{
	int			width = strata_parquet_bit_width(dict_count > 0 ? dict_count - 1 : 0);

	return width > 0 ? width : 1;
}

/* Forget the dictionary: its entries, and the hash table's contents. */
static void
dict_reset(ChunkState *c)
{
	c->dict_count = 0;
	c->dict_plain_bytes = 0;
	c->dict_values.len = 0;
	c->dict_spans.len = 0;
	c->dict_hashes.len = 0;
	if (c->num_slots > 0)
		memset(c->slots.buf, 0, c->num_slots * sizeof(uint32_t));
}

/* ---------------------------------------------------------------------
 * Pages
 * ---------------------------------------------------------------------
 */

/*
 * Compress a page body and append its header and compressed bytes to
 * dest, counting both in the chunk's sizes.
 */
static bool
write_page(StrataParquetWriter *w, StrataParquetSink *dest, int32_t page_type,
		   int32_t encoding, size_t num_values, const StrataParquetSink *body)
{
	ChunkState *c = &w->chunk;
	StrataParquetPageHeader ph;
	StrataThriftWriter tw;
	const uint8_t *data;
	size_t		clen;
	bool		ok;

	if (body->len > INT32_MAX || num_values > INT32_MAX)
		return wfail(w, "a page of %zu bytes and %zu values is too large for Parquet",
					 body->len, num_values);
	if (w->compress_codec == STRATA_CODEC_NONE)
	{
		data = body->buf;
		clen = body->len;
	}
	else
	{
		size_t		bound = strata_compress_bound(w->compress_codec, body->len);
		const char *detail;

		c->compressed.len = 0;
		if (bound == 0 || !reserve(w, &c->compressed, bound))
			return wfail(w, "could not compress a page of %zu bytes", body->len);
		if (strata_compress(w->compress_codec, w->level, body->buf, body->len,
							c->compressed.buf, c->compressed.cap, &clen,
							&detail) != STRATA_CODEC_OK)
			return wfail(w, "could not compress a page: %s", detail);
		if (clen > INT32_MAX)
			return wfail(w, "a compressed page of %zu bytes is too large for Parquet", clen);
		data = c->compressed.buf;
	}

	memset(&ph, 0, sizeof(ph));
	ph.type = page_type;
	ph.uncompressed_page_size = (int32_t) body->len;
	ph.compressed_page_size = (int32_t) clen;
	if (w->page_checksums)
	{
		ph.has_crc = true;
		ph.crc = (uint32_t) crc32(crc32(0L, Z_NULL, 0), data, (uInt) clen);
	}
	if (page_type == STRATA_PARQUET_DICTIONARY_PAGE)
	{
		ph.has_dictionary_page_header = true;
		ph.dictionary_page_header.num_values = (int32_t) num_values;
		ph.dictionary_page_header.encoding = STRATA_PARQUET_ENC_PLAIN;
	}
	else
	{
		ph.has_data_page_header = true;
		ph.data_page_header.num_values = (int32_t) num_values;
		ph.data_page_header.encoding = encoding;
		ph.data_page_header.definition_level_encoding = STRATA_PARQUET_ENC_RLE;
		ph.data_page_header.repetition_level_encoding = STRATA_PARQUET_ENC_RLE;
	}
	strata_thrift_writer_init(&tw, w->realloc_fn, w->alloc_ctx);
	ok = strata_parquet_page_header_encode(&tw, &ph) &&
		append(w, dest, tw.buf, tw.len) &&
		append(w, dest, data, clen);
	if (!ok && !w->status.failed)
		wfail(w, "could not encode a page header: %s", tw.status.error);
	c->uncompressed_size += (int64_t) (tw.len + body->len);
	c->compressed_size += (int64_t) (tw.len + clen);
	c->encodings |= 1u << encoding;
	strata_thrift_writer_free(&tw);
	return ok;
}

/*
 * PLAIN-encode the page's values from dictionary indices: for the first
 * page, when the dictionary turned out not to pay for itself.
 */
static bool
plain_from_indices(StrataParquetWriter *w, const WriterColumn *col, StrataParquetSink *body)
{
	ChunkState *c = &w->chunk;
	const uint32_t *indices = (const uint32_t *) c->values.buf;
	size_t		i;

	c->gather.len = 0;
	for (i = 0; i < c->page_values; i++)
	{
		const uint8_t *p;
		size_t		len;
		uint8_t		lenbytes[4];

		dict_entry(c, col, indices[i], &p, &len);
		if (col->type == STRATA_PARQUET_BYTE_ARRAY)
		{
			put_le32(lenbytes, (uint32_t) len);
			if (!append(w, body, lenbytes, 4) || !append(w, body, p, len))
				return false;
		}
		else if (!append(w, &c->gather, p, len))
			return false;
	}
	if (col->type != STRATA_PARQUET_BYTE_ARRAY &&
		!strata_parquet_plain_encode(body, col->type, col->type_length,
									 c->gather.buf, c->page_values))
		return encoder_failed(w, body, "PLAIN values");
	return true;
}

/* Encode, compress and keep the page being filled, if it has anything. */
static bool
flush_page(StrataParquetWriter *w, const WriterColumn *col)
{
	ChunkState *c = &w->chunk;
	StrataParquetSink *body = &c->body;
	int32_t		encoding = STRATA_PARQUET_ENC_PLAIN;

	if (c->page_entries == 0)
		return true;
	body->len = 0;
	if (col->max_rep > 0 &&
		!strata_parquet_rle_encode(body, (const uint32_t *) c->rep.buf, c->page_entries,
								   col->rep_width, true))
		return encoder_failed(w, body, "repetition levels");
	if (col->max_def > 0 &&
		!strata_parquet_rle_encode(body, (const uint32_t *) c->def.buf, c->page_entries,
								   col->def_width, true))
		return encoder_failed(w, body, "definition levels");

	if (c->dict_active && c->page_values > 0)
	{
		size_t		start = body->len;

		if (!strata_parquet_dict_indices_encode(body, (const uint32_t *) c->values.buf,
												c->page_values, index_width(c->dict_count)))
			return encoder_failed(w, body, "dictionary indices");
		encoding = STRATA_PARQUET_ENC_RLE_DICTIONARY;
		if (!c->dict_judged)
		{
			c->dict_judged = true;
			if (body->len - start + c->dict_plain_bytes >= c->page_plain_bytes)
			{
				body->len = start;
				if (!plain_from_indices(w, col, body))
					return false;
				dict_reset(c);
				c->dict_active = false;
				encoding = STRATA_PARQUET_ENC_PLAIN;
			}
		}
		if (encoding == STRATA_PARQUET_ENC_RLE_DICTIONARY)
			c->dict_used = true;
	}
	else if (!c->dict_active)
	{
		if (col->type == STRATA_PARQUET_BYTE_ARRAY)
		{
			if (!append(w, body, c->values.buf, c->values.len))
				return false;
		}
		else if (!strata_parquet_plain_encode(body, col->type, col->type_length,
											  c->values.buf, c->page_values))
			return encoder_failed(w, body, "PLAIN values");
	}
	/* else: a dictionary page of NULLs only has no values to encode */

	if (!write_page(w, &c->pages, STRATA_PARQUET_DATA_PAGE, encoding, c->page_entries, body))
		return false;
	c->num_pages++;
	c->num_values += (int64_t) c->page_entries;
	c->page_entries = 0;
	c->page_values = 0;
	c->page_plain_bytes = 0;
	c->def.len = 0;
	c->rep.len = 0;
	c->values.len = 0;
	return true;
}

/* The bytes the page being filled would take, uncompressed, roughly. */
static size_t
page_estimate(const ChunkState *c, const WriterColumn *col)
{
	size_t		levels = (c->page_entries * (size_t) (col->def_width + col->rep_width) + 7) / 8;

	if (c->dict_active)
		return levels + (c->page_values * (size_t) index_width(c->dict_count) + 7) / 8;
	if (col->type == STRATA_PARQUET_BOOLEAN)
		return levels + (c->page_values + 7) / 8;
	return levels + c->page_plain_bytes;
}

/* After each row: fall back from the dictionary, or end the page. */
static bool
end_row(StrataParquetWriter *w, const WriterColumn *col)
{
	ChunkState *c = &w->chunk;

	if (c->dict_active && c->dict_plain_bytes > w->dictionary_limit)
	{
		if (!flush_page(w, col))
			return false;
		c->dict_active = false;
		return true;
	}
	if (c->page_entries >= MAX_PAGE_ENTRIES || page_estimate(c, col) >= w->page_size)
		return flush_page(w, col);
	return true;
}

/* Add a non-null value to the page (and the statistics). */
static bool
add_value(StrataParquetWriter *w, const WriterColumn *col, const uint8_t *p, size_t len)
{
	ChunkState *c = &w->chunk;

	if (!update_stats(w, col, p, len))
		return false;
	if (c->dict_active)
	{
		uint32_t	entry = 0;

		if (!dict_index(w, col, p, len, &entry) ||
			!append_u32(w, &c->values, entry))
			return false;
	}
	else if (col->type == STRATA_PARQUET_BYTE_ARRAY)
	{
		uint8_t		lenbytes[4];

		put_le32(lenbytes, (uint32_t) len);
		if (!append(w, &c->values, lenbytes, 4) || !append(w, &c->values, p, len))
			return false;
	}
	else if (!append(w, &c->values, p, len))
		return false;
	c->page_values++;
	c->page_plain_bytes += col->type == STRATA_PARQUET_BYTE_ARRAY ? 4 + len : len;
	return true;
}

static inline bool
add_levels(StrataParquetWriter *w, const WriterColumn *col, uint32_t def, uint32_t rep)
{
	ChunkState *c = &w->chunk;

	if (col->max_def > 0 && !append_u32(w, &c->def, def))
		return false;
	if (col->max_rep > 0 && !append_u32(w, &c->rep, rep))
		return false;
	c->page_entries++;
	if (def < (uint32_t) col->max_def)
		c->null_count++;
	return true;
}

/* ---------------------------------------------------------------------
 * Column chunks
 * ---------------------------------------------------------------------
 */

static void
chunk_begin(StrataParquetWriter *w, const WriterColumn *col)
{
	ChunkState *c = &w->chunk;

	c->page_entries = c->page_values = c->page_plain_bytes = 0;
	c->def.len = c->rep.len = c->values.len = c->pages.len = 0;
	c->num_values = c->null_count = 0;
	c->uncompressed_size = c->compressed_size = 0;
	c->encodings = 1u << STRATA_PARQUET_ENC_RLE;	/* every page header names it */
	c->num_pages = 0;
	dict_reset(c);
	c->dict_active = col->dictionary;
	c->dict_judged = false;
	c->dict_used = false;
	c->has_minmax = false;
	c->bmin.len = c->bmax.len = 0;
}

/* The column's last row is in: write the chunk and record its metadata. */
static bool
chunk_end(StrataParquetWriter *w, int32_t column)
{
	const WriterColumn *col = &w->columns[column];
	ChunkState *c = &w->chunk;
	StrataParquetColumnChunk *cc = &w->rg_chunks[column];
	StrataParquetColumnMetaData *cmd;
	uint64_t	start = w->offset;
	int32_t		e,
				n;

	if (!flush_page(w, col))
		return false;
	cmd = arena_alloc(w, sizeof(*cmd));
	if (cmd == NULL)
		return false;

	if (c->dict_used)
	{
		c->body.len = 0;
		if (col->type == STRATA_PARQUET_BYTE_ARRAY)
		{
			if (!strata_parquet_plain_encode_byte_array(&c->body, c->dict_values.buf,
														(const StrataParquetSpan *) c->dict_spans.buf,
														c->dict_count))
				return encoder_failed(w, &c->body, "the dictionary");
		}
		else if (!strata_parquet_plain_encode(&c->body, col->type, col->type_length,
											  c->dict_values.buf, c->dict_count))
			return encoder_failed(w, &c->body, "the dictionary");
		c->dict_page.len = 0;
		if (!write_page(w, &c->dict_page, STRATA_PARQUET_DICTIONARY_PAGE,
						STRATA_PARQUET_ENC_PLAIN, c->dict_count, &c->body) ||
			!emit(w, c->dict_page.buf, c->dict_page.len))
			return false;
		cmd->has_dictionary_page_offset = true;
		cmd->dictionary_page_offset = (int64_t) start;
	}
	cmd->data_page_offset = (int64_t) w->offset;
	if (!emit(w, c->pages.buf, c->pages.len))
		return false;

	cmd->type = col->type;
	for (e = 0, n = 0; e < 32; e++)
		if (c->encodings & (1u << e))
			n++;
	cmd->encodings = arena_alloc(w, sizeof(int32_t) * (size_t) n);
	if (cmd->encodings == NULL)
		return false;
	for (e = 0, n = 0; e < 32; e++)
		if (c->encodings & (1u << e))
			cmd->encodings[n++] = e;
	cmd->num_encodings = n;
	cmd->num_path = col->num_path;
	cmd->path_in_schema = col->path;
	cmd->codec = w->codec;
	cmd->num_values = c->num_values;
	cmd->total_uncompressed_size = c->uncompressed_size;
	cmd->total_compressed_size = c->compressed_size;
	cmd->has_statistics = true;
	if (!finish_stats(w, col, &cmd->statistics))
		return false;
	cc->file_offset = (int64_t) start;
	cc->meta_data = cmd;
	return true;
}

/* ---------------------------------------------------------------------
 * Row groups and values
 * ---------------------------------------------------------------------
 */

bool
strata_parquet_writer_begin_row_group(StrataParquetWriter *w, int64_t num_rows)
{
	if (w->status.failed)
		return false;
	if (w->state != STATE_IDLE)
		return wfail(w, w->state == STATE_FINISHED ? "the file is already finished" :
					 "a row group was begun before the previous one ended");
	if (num_rows < 0 || num_rows > INT64_MAX - w->md.num_rows)
		return wfail(w, "a row group of %lld rows is not possible", (long long) num_rows);
	w->state = STATE_IN_ROW_GROUP;
	w->rg_rows = num_rows;
	w->rg_start = w->offset;
	w->cur_rows = 0;
	if (num_rows == 0)
	{
		w->cur = w->num_columns;
		return true;
	}
	w->rg_chunks = arena_alloc(w, sizeof(StrataParquetColumnChunk) * (size_t) w->num_columns);
	if (w->rg_chunks == NULL)
		return false;
	w->cur = 0;
	chunk_begin(w, &w->columns[0]);
	return true;
}

/* Checks shared by both ways of appending; false (failed) or ok to go. */
static bool
start_append(StrataParquetWriter *w, int32_t column, size_t count, bool list)
{
	const WriterColumn *col;

	if (w->status.failed)
		return false;
	if (w->state != STATE_IN_ROW_GROUP)
		return wfail(w, "values were written outside a row group");
	if (column < 0 || column >= w->num_columns)
		return wfail(w, "there is no column %d (the schema has %d)", (int) column,
					 (int) w->num_columns);
	col = &w->columns[column];
	if (col->is_list != list)
		return wfail(w, col->is_list ? "column \"%s\" is a list: write it with strata_parquet_writer_write_list_column" :
					 "column \"%s\" is not a list: write it with strata_parquet_writer_write_column",
					 col->name);
	if (count == 0)
		return true;
	if (column < w->cur)
		return wfail(w, "column \"%s\" already holds the row group's %lld rows",
					 col->name, (long long) w->rg_rows);
	if (column > w->cur)
		return wfail(w, "column \"%s\" was written before column \"%s\" held the row group's %lld rows",
					 col->name, w->columns[w->cur].name, (long long) w->rg_rows);
	if (count > (uint64_t) (w->rg_rows - w->cur_rows))
		return wfail(w, "column \"%s\": %zu more rows would exceed the row group's %lld (it has %lld)",
					 col->name, count, (long long) w->rg_rows, (long long) w->cur_rows);
	return true;
}

/* Count rows in; when the column is complete, write it and move on. */
static bool
finish_append(StrataParquetWriter *w, size_t count)
{
	w->cur_rows += (int64_t) count;
	if (w->cur_rows < w->rg_rows)
		return true;
	if (!chunk_end(w, w->cur))
		return false;
	w->cur++;
	w->cur_rows = 0;
	if (w->cur < w->num_columns)
		chunk_begin(w, &w->columns[w->cur]);
	return true;
}

/* The bytes of value i of the caller's array. */
static inline void
value_at(const WriterColumn *col, const void *values, size_t i, const uint8_t **p, size_t *len)
{
	if (col->type == STRATA_PARQUET_BYTE_ARRAY ||
		col->type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
	{
		const StrataParquetByteArray *ba = (const StrataParquetByteArray *) values + i;

		*p = ba->data;
		*len = ba->len;
	}
	else
	{
		*p = (const uint8_t *) values + i * col->fixed_size;
		*len = col->fixed_size;
	}
}

bool
strata_parquet_writer_write_column(StrataParquetWriter *w, int32_t column,
								   const void *values, const uint8_t *nulls, size_t count)
{
	const WriterColumn *col;
	size_t		i;

	if (!start_append(w, column, count, false))
		return false;
	if (count == 0)
		return true;
	col = &w->columns[column];
	for (i = 0; i < count; i++)
	{
		int64_t		row = w->cur_rows + (int64_t) i;

		if (nulls != NULL && nulls[i])
		{
			if (!col->optional)
				return wfail(w, "column \"%s\" is required, but row %lld is NULL",
							 col->name, (long long) row);
			if (!add_levels(w, col, 0, 0))
				return false;
		}
		else
		{
			const uint8_t *p;
			size_t		len;

			if (values == NULL)
				return wfail(w, "column \"%s\": row %lld is not NULL, but no values were given",
							 col->name, (long long) row);
			value_at(col, values, i, &p, &len);
			if (!check_value(w, col, p, len, row) ||
				!add_value(w, col, p, len) ||
				!add_levels(w, col, (uint32_t) col->max_def, 0))
				return false;
		}
		if (!end_row(w, col))
			return false;
	}
	return finish_append(w, count);
}

bool
strata_parquet_writer_write_list_column(StrataParquetWriter *w, int32_t column,
										const size_t *offsets, const uint8_t *list_nulls,
										const void *values, const uint8_t *element_nulls,
										size_t count)
{
	const WriterColumn *col;
	uint32_t	list_def;
	size_t		i,
				j;

	if (!start_append(w, column, count, true))
		return false;
	if (count == 0)
		return true;
	col = &w->columns[column];
	if (offsets == NULL)
		return wfail(w, "column \"%s\": a list column needs offsets", col->name);
	/* the level of an empty list: the list is there, its repeated group not */
	list_def = col->optional ? 1 : 0;
	for (i = 0; i < count; i++)
	{
		int64_t		row = w->cur_rows + (int64_t) i;
		size_t		start = offsets[i],
					end = offsets[i + 1];

		if (end < start)
			return wfail(w, "column \"%s\": the offsets of row %lld decrease",
						 col->name, (long long) row);
		if (list_nulls != NULL && list_nulls[i])
		{
			if (!col->optional)
				return wfail(w, "column \"%s\" is required, but the list in row %lld is NULL",
							 col->name, (long long) row);
			if (end != start)
				return wfail(w, "column \"%s\": the NULL list in row %lld has elements",
							 col->name, (long long) row);
			if (!add_levels(w, col, 0, 0))
				return false;
		}
		else if (start == end)
		{
			if (!add_levels(w, col, list_def, 0))
				return false;
		}
		for (j = start; j < end; j++)
		{
			uint32_t	rep = j == start ? 0 : 1;

			if (element_nulls != NULL && element_nulls[j])
			{
				if (!col->element_optional)
					return wfail(w, "column \"%s\": list elements are required, but element %zu of row %lld is NULL",
								 col->name, j - start, (long long) row);
				if (!add_levels(w, col, list_def + 1, rep))
					return false;
			}
			else
			{
				const uint8_t *p;
				size_t		len;

				if (values == NULL)
					return wfail(w, "column \"%s\": element %zu of row %lld is not NULL, but no values were given",
								 col->name, j - start, (long long) row);
				value_at(col, values, j, &p, &len);
				if (!check_value(w, col, p, len, row) ||
					!add_value(w, col, p, len) ||
					!add_levels(w, col, (uint32_t) col->max_def, rep))
					return false;
			}
		}
		if (!end_row(w, col))
			return false;
	}
	return finish_append(w, count);
}

bool
strata_parquet_writer_end_row_group(StrataParquetWriter *w)
{
	StrataParquetRowGroup *rg;
	int32_t		i;

	if (w->status.failed)
		return false;
	if (w->state != STATE_IN_ROW_GROUP)
		return wfail(w, "a row group was ended that was not begun");
	if (w->cur < w->num_columns)
		return wfail(w, "the row group ended with column \"%s\" at %lld of its %lld rows",
					 w->columns[w->cur].name, (long long) w->cur_rows, (long long) w->rg_rows);
	w->state = STATE_IDLE;
	if (w->rg_rows == 0)
		return true;			/* nothing was written: no row group */

	if (w->md.num_row_groups == w->max_row_groups)
	{
		int32_t		n = w->max_row_groups > 0 ? w->max_row_groups * 2 : 8;
		void	   *p;

		if (w->max_row_groups > INT32_MAX / 4)
			return wfail(w, "too many row groups");
		p = w->realloc_fn(w->alloc_ctx, w->row_groups,
						  sizeof(StrataParquetRowGroup) * (size_t) w->max_row_groups,
						  sizeof(StrataParquetRowGroup) * (size_t) n);
		if (p == NULL)
			return wfail(w, "out of memory");
		w->row_groups = p;
		w->max_row_groups = n;
	}
	rg = &w->row_groups[w->md.num_row_groups];
	memset(rg, 0, sizeof(*rg));
	rg->num_columns = w->num_columns;
	rg->columns = w->rg_chunks;
	rg->num_rows = w->rg_rows;
	rg->has_file_offset = true;
	rg->file_offset = (int64_t) w->rg_start;
	rg->has_total_compressed_size = true;
	for (i = 0; i < w->num_columns; i++)
	{
		rg->total_byte_size += w->rg_chunks[i].meta_data->total_uncompressed_size;
		rg->total_compressed_size += w->rg_chunks[i].meta_data->total_compressed_size;
	}
	if (w->md.num_row_groups <= INT16_MAX)
	{
		rg->has_ordinal = true;
		rg->ordinal = (int16_t) w->md.num_row_groups;
	}
	w->md.num_row_groups++;
	w->md.num_rows += w->rg_rows;
	w->rg_chunks = NULL;
	return true;
}

bool
strata_parquet_writer_finish(StrataParquetWriter *w)
{
	StrataThriftWriter tw;
	uint8_t		tail[8];
	bool		ok;

	if (w->status.failed)
		return false;
	if (w->state != STATE_IDLE)
		return wfail(w, w->state == STATE_FINISHED ? "the file is already finished" :
					 "the file was finished inside a row group");
	w->md.row_groups = w->row_groups;
	strata_thrift_writer_init(&tw, w->realloc_fn, w->alloc_ctx);
	ok = strata_parquet_file_metadata_encode(&tw, &w->md);
	if (!ok)
		wfail(w, "could not encode the footer: %s", tw.status.error);
	else if (tw.len > UINT32_MAX)
		ok = wfail(w, "the footer of %zu bytes is too large", tw.len);
	else
	{
		put_le32(tail, (uint32_t) tw.len);
		memcpy(tail + 4, "PAR1", 4);
		ok = emit(w, tw.buf, tw.len) && emit(w, tail, 8);
	}
	strata_thrift_writer_free(&tw);
	if (ok)
		w->state = STATE_FINISHED;
	return ok;
}

const StrataParquetFileMetaData *
strata_parquet_writer_metadata(const StrataParquetWriter *w)
{
	return w->state == STATE_FINISHED ? &w->md : NULL;
}

uint64_t
strata_parquet_writer_bytes_written(const StrataParquetWriter *w)
{
	return w->offset;
}

const StrataParquetStatus *
strata_parquet_writer_status(const StrataParquetWriter *w)
{
	return &w->status;
}

void
strata_parquet_writer_free(StrataParquetWriter *w)
{
	if (w == NULL)
		return;
	chunk_sinks_free(w);
	if (w->row_groups != NULL)
		w->realloc_fn(w->alloc_ctx, w->row_groups,
					  sizeof(StrataParquetRowGroup) * (size_t) w->max_row_groups, 0);
	strata_arena_free_all(&w->arena);
	w->realloc_fn(w->alloc_ctx, w, sizeof(*w), 0);
}

bool
strata_parquet_sink_write(void *ctx, const void *data, size_t len)
{
	return strata_parquet_sink_append((StrataParquetSink *) ctx, data, len);
}
