/*-------------------------------------------------------------------------
 *
 * parquet_copy_to.c
 *	  COPY table [(columns)] TO '/path/file.parquet' | STDOUT
 *	  WITH (FORMAT parquet [, compression ...])
 *	  COPY (query) TO ...
 *
 * Both forms run a query: COPY table TO as SELECT columns FROM ONLY table
 * (FROM table for a partitioned table, which COPY itself refuses), so
 * column privileges, row-level security, views and partitions are the
 * executor's business, as they are for COPY (query) TO.  The query's rows
 * arrive in a DestReceiver that converts each value to its Parquet
 * representation, keeps a row group's worth of them per column, and hands
 * them to the writer (strata_parquet_write.h) column by column when the row
 * group is full: row_group_size rows, or row_group_size_bytes of values.
 *
 * The type mapping (README, "Parquet files") is the inverse of what COPY
 * FROM loads, so what we write reads back into the same types:
 *
 *	boolean				BOOLEAN
 *	smallint			INT32, INTEGER(16, signed)
 *	integer, bigint		INT32, INT64
 *	real, double		FLOAT, DOUBLE (NaN and infinities as they are)
 *	numeric(p,s)		DECIMAL, p up to 38: INT32, INT64 or FIXED_LEN_BYTE_ARRAY
 *						as Iceberg wants; a negative scale or one above the
 *						precision is written with scale max(s,0) and the
 *						precision that holds the same values
 *	text, varchar,		STRING (char(n) with its padding)
 *	char(n), enums
 *	json, jsonb			JSON (jsonb as its text)
 *	bytea				BYTE_ARRAY
 *	uuid				FIXED_LEN_BYTE_ARRAY(16), UUID
 *	date				DATE; infinity and -infinity as DuckDB writes them,
 *						INT32 max and -max, which COPY FROM reads back
 *	time				TIME(MICROS, not UTC-adjusted)
 *	timestamp			TIMESTAMP(MICROS, not UTC-adjusted)
 *	timestamptz			TIMESTAMP(MICROS, UTC-adjusted); infinities as
 *						INT64 max and -max
 *	one-dimensional		LIST of the element's type (elements optional);
 *	arrays of those		a multidimensional value is refused
 *
 * Every other type (interval, timetz, numeric without precision or with
 * more than 38 digits, inet, composites, ranges, ...) has no faithful
 * mapping: it is refused before the file is created, naming the column,
 * unless unmapped_types 'text' asks for its text (the type's output
 * function) as a STRING.  Values are taken from the datum, never through
 * DateStyle or TimeZone; strings are converted to UTF-8 from the database
 * encoding.
 *
 * Privileges are COPY's: writing a server file needs superuser or
 * pg_write_server_files and an absolute path; STDOUT (psql's \copy) is for
 * anyone.  The file is written in place, as COPY writes its files: after
 * an error it holds no footer, so no Parquet reader takes it for a file.
 *
 * Memory: one row group's values (held in the receiver's contexts, reset
 * after each row group) and one compressed column chunk in the writer.
 *
 *-------------------------------------------------------------------------
 */
#include "iceberg.h"

#include <sys/stat.h>

#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "common/int.h"
#include "executor/executor.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "storage/fd.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "strata_compress.h"
#include "strata_parquet_write.h"

#ifndef HAVE_INT128
#error "writing DECIMAL(38) needs a 128-bit integer type"
#endif

/* DuckDB's row group size, and the byte cap that keeps wide rows bounded */
#define DEFAULT_ROW_GROUP_SIZE 122880
#define DEFAULT_ROW_GROUP_BYTES (128 * 1024 * 1024)
#define MIN_ROW_GROUP_BYTES (1024 * 1024)
/* bytes sent to the client per CopyData message */
#define CLIENT_CHUNK 65536

/* How a column's values are converted. */
typedef enum ExportKind
{
	EX_BOOL,
	EX_INT2,
	EX_INT4,
	EX_INT8,
	EX_FLOAT4,
	EX_FLOAT8,
	EX_NUMERIC,
	EX_VARLENA_TEXT,			/* text, varchar, char(n), json: bytes as stored */
	EX_JSONB,
	EX_BYTEA,
	EX_UUID,
	EX_DATE,
	EX_TIME,
	EX_TIMESTAMP,				/* timestamp and timestamptz */
	EX_OUTPUT_TEXT				/* enums, and unmapped types as text */
} ExportKind;

typedef struct ExportColumn
{
	char	   *name;
	ExportKind	kind;
	bool		is_list;
	/* an array's element type, for deconstruct_array */
	Oid			elem_type;
	int16		elem_len;
	bool		elem_byval;
	char		elem_align;
	FmgrInfo	out_fn;			/* EX_OUTPUT_TEXT */
	int32		precision;		/* EX_NUMERIC, as written */
	int32		scale;
	int128		decimal_limit;	/* 10^precision */
	StrataParquetColumnSpec spec;
	size_t		value_size;		/* bytes of one entry of values[] */

	/* this row group: one entry per row, or per element for a list */
	char	   *values;
	uint8	   *nulls;
	size_t		num_values;
	size_t		cap_values;
	size_t	   *offsets;		/* lists: num_rows + 1 */
	uint8	   *list_nulls;		/* lists: num_rows */
	size_t		cap_rows;
} ExportColumn;

typedef struct ParquetExport
{
	DestReceiver pub;			/* first: the executor's receiver */

	const char *target;			/* the file name, or "STDOUT" */
	int			num_columns;
	ExportColumn *columns;
	int64		row_group_size;
	int64		row_group_bytes;
	bool		unmapped_as_text;
	bool		convert_encoding;	/* the database encoding is not UTF-8 */

	StrataParquetWriter *writer;
	StrataParquetWriterOptions options;
	MemoryContext writer_cxt;	/* the writer's allocations */
	MemoryContext group_cxt;	/* bytes of this row group's values */
	MemoryContext row_cxt;		/* detoasted and rendered values of one row */
	char	   *arena;			/* bump allocation in group_cxt */
	size_t		arena_left;

	int64		group_rows;
	int64		group_bytes;
	uint64		rows;			/* written before this row group */
	int			current_column; /* for the error context; -1 outside */

	/* where the bytes go */
	FILE	   *file;
	bool		to_client;
	int			write_errno;	/* the file write that failed */
	StringInfoData client_buf;
} ParquetExport;

/* ---------------------------------------------------------------------
 * Options
 * ---------------------------------------------------------------------
 */

typedef struct ExportOptions
{
	int32		codec;
	bool		level_given;
	int			level;
	int64		row_group_size;
	int64		row_group_bytes;
	bool		unmapped_as_text;
} ExportOptions;

static const struct
{
	const char *name;
	int32		parquet;
	StrataCodec strata;
}			export_codecs[] =
{
	{"zstd", STRATA_PARQUET_ZSTD, STRATA_CODEC_ZSTD},
	{"snappy", STRATA_PARQUET_SNAPPY, STRATA_CODEC_SNAPPY},
	{"gzip", STRATA_PARQUET_GZIP, STRATA_CODEC_GZIP},
	{"lz4", STRATA_PARQUET_LZ4_RAW, STRATA_CODEC_LZ4},
	{"lz4_raw", STRATA_PARQUET_LZ4_RAW, STRATA_CODEC_LZ4},
	{"uncompressed", STRATA_PARQUET_UNCOMPRESSED, STRATA_CODEC_NONE},
	{"none", STRATA_PARQUET_UNCOMPRESSED, STRATA_CODEC_NONE},
};

static void
parse_options(ParseState *pstate, const CopyStmt *stmt, ExportOptions *opts)
{
	ListCell   *lc;
	DefElem    *seen_format = NULL,
			   *seen_codec = NULL,
			   *seen_level = NULL,
			   *seen_rows = NULL,
			   *seen_bytes = NULL,
			   *seen_unmapped = NULL;
	int			codec_index = 0;

	opts->codec = STRATA_PARQUET_ZSTD;
	opts->level_given = false;
	opts->level = 0;
	opts->row_group_size = DEFAULT_ROW_GROUP_SIZE;
	opts->row_group_bytes = DEFAULT_ROW_GROUP_BYTES;
	opts->unmapped_as_text = false;

	foreach(lc, stmt->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		DefElem   **seen;

		if (strcmp(def->defname, "format") == 0)
			seen = &seen_format;
		else if (strcmp(def->defname, "compression") == 0)
			seen = &seen_codec;
		else if (strcmp(def->defname, "compression_level") == 0)
			seen = &seen_level;
		else if (strcmp(def->defname, "row_group_size") == 0)
			seen = &seen_rows;
		else if (strcmp(def->defname, "row_group_size_bytes") == 0)
			seen = &seen_bytes;
		else if (strcmp(def->defname, "unmapped_types") == 0)
			seen = &seen_unmapped;
		else
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("COPY option \"%s\" is not valid with FORMAT parquet",
							def->defname),
					 errhint("Valid options for COPY TO are FORMAT, COMPRESSION, COMPRESSION_LEVEL, "
							 "ROW_GROUP_SIZE, ROW_GROUP_SIZE_BYTES and UNMAPPED_TYPES."),
					 parser_errposition(pstate, def->location)));
		if (*seen != NULL)
			errorConflictingDefElem(def, pstate);
		*seen = def;
	}

	if (seen_codec)
	{
		char	   *name = defGetString(seen_codec);

		for (codec_index = 0; codec_index < (int) lengthof(export_codecs); codec_index++)
			if (pg_strcasecmp(name, export_codecs[codec_index].name) == 0)
				break;
		if (codec_index == (int) lengthof(export_codecs))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown Parquet compression \"%s\"", name),
					 errhint("Valid values are zstd, snappy, gzip, lz4 (LZ4_RAW) and uncompressed."),
					 parser_errposition(pstate, seen_codec->location)));
		opts->codec = export_codecs[codec_index].parquet;
	}
	if (seen_level)
	{
		StrataCodec codec = export_codecs[codec_index].strata;
		int			min,
					max,
					dflt;
		int64		level = defGetInt64(seen_level);

		strata_codec_level_range(codec, &min, &max, &dflt);
		if (min == max)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("Parquet compression \"%s\" has no levels",
							export_codecs[codec_index].name),
					 parser_errposition(pstate, seen_level->location)));
		if (level < min || level > max)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("compression_level " INT64_FORMAT " is out of range for %s",
							level, export_codecs[codec_index].name),
					 errdetail("Valid levels are %d to %d.", min, max),
					 parser_errposition(pstate, seen_level->location)));
		opts->level_given = true;
		opts->level = (int) level;
	}
	if (seen_rows)
	{
		opts->row_group_size = defGetInt64(seen_rows);
		if (opts->row_group_size < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("row_group_size must be at least 1"),
					 parser_errposition(pstate, seen_rows->location)));
	}
	if (seen_bytes)
	{
		opts->row_group_bytes = defGetInt64(seen_bytes);
		if (opts->row_group_bytes < MIN_ROW_GROUP_BYTES ||
			opts->row_group_bytes > (int64) MaxAllocHugeSize / 4)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("row_group_size_bytes must be between %d and " INT64_FORMAT,
							MIN_ROW_GROUP_BYTES, (int64) MaxAllocHugeSize / 4),
					 parser_errposition(pstate, seen_bytes->location)));
	}
	if (seen_unmapped)
	{
		char	   *v = defGetString(seen_unmapped);

		if (pg_strcasecmp(v, "text") == 0)
			opts->unmapped_as_text = true;
		else if (pg_strcasecmp(v, "error") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unmapped_types must be \"error\" or \"text\""),
					 parser_errposition(pstate, seen_unmapped->location)));
	}
}

/* ---------------------------------------------------------------------
 * The type mapping
 * ---------------------------------------------------------------------
 */

static void
set_logical(StrataParquetColumnSpec *spec, StrataParquetLogicalKind kind)
{
	memset(&spec->logical_type, 0, sizeof(spec->logical_type));
	spec->logical_type.kind = kind;
}

/*
 * The mapping of a scalar type (an array's element type for a list):
 * false when it has none.
 */
static bool
map_scalar(ExportColumn *col, Oid typid, int32 typmod)
{
	StrataParquetColumnSpec *spec = &col->spec;
	int32		base_typmod = typmod;
	Oid			base = getBaseTypeAndTypmod(typid, &base_typmod);

	set_logical(spec, STRATA_PARQUET_LT_NONE);
	spec->type_length = 0;
	switch (base)
	{
		case BOOLOID:
			col->kind = EX_BOOL;
			spec->type = STRATA_PARQUET_BOOLEAN;
			col->value_size = sizeof(uint8);
			return true;
		case INT2OID:
			col->kind = EX_INT2;
			spec->type = STRATA_PARQUET_INT32;
			set_logical(spec, STRATA_PARQUET_LT_INTEGER);
			spec->logical_type.bit_width = 16;
			spec->logical_type.is_signed = true;
			col->value_size = sizeof(int32);
			return true;
		case INT4OID:
			col->kind = EX_INT4;
			spec->type = STRATA_PARQUET_INT32;
			col->value_size = sizeof(int32);
			return true;
		case INT8OID:
			col->kind = EX_INT8;
			spec->type = STRATA_PARQUET_INT64;
			col->value_size = sizeof(int64);
			return true;
		case FLOAT4OID:
			col->kind = EX_FLOAT4;
			spec->type = STRATA_PARQUET_FLOAT;
			col->value_size = sizeof(float4);
			return true;
		case FLOAT8OID:
			col->kind = EX_FLOAT8;
			spec->type = STRATA_PARQUET_DOUBLE;
			col->value_size = sizeof(float8);
			return true;
		case NUMERICOID:
			{
				int32		p,
							s;
				int			i;

				if (!iceberg_numeric_typmod(base_typmod, &p, &s))
					return false;
				col->scale = Max(s, 0);
				col->precision = Max(p - s, 0) + col->scale;
				if (col->precision < 1 || col->precision > 38)
					return false;
				col->kind = EX_NUMERIC;
				col->decimal_limit = 1;
				for (i = 0; i < col->precision; i++)
					col->decimal_limit *= 10;
				set_logical(spec, STRATA_PARQUET_LT_DECIMAL);
				spec->logical_type.decimal_precision = col->precision;
				spec->logical_type.decimal_scale = col->scale;
				strata_parquet_decimal_type(col->precision, &spec->type, &spec->type_length);
				col->value_size = spec->type == STRATA_PARQUET_INT32 ? sizeof(int32) :
					spec->type == STRATA_PARQUET_INT64 ? sizeof(int64) :
					sizeof(StrataParquetByteArray);
				return true;
			}
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			col->kind = EX_VARLENA_TEXT;
			spec->type = STRATA_PARQUET_BYTE_ARRAY;
			set_logical(spec, STRATA_PARQUET_LT_STRING);
			col->value_size = sizeof(StrataParquetByteArray);
			return true;
		case JSONOID:
			col->kind = EX_VARLENA_TEXT;
			spec->type = STRATA_PARQUET_BYTE_ARRAY;
			set_logical(spec, STRATA_PARQUET_LT_JSON);
			col->value_size = sizeof(StrataParquetByteArray);
			return true;
		case JSONBOID:
			col->kind = EX_JSONB;
			spec->type = STRATA_PARQUET_BYTE_ARRAY;
			set_logical(spec, STRATA_PARQUET_LT_JSON);
			col->value_size = sizeof(StrataParquetByteArray);
			return true;
		case BYTEAOID:
			col->kind = EX_BYTEA;
			spec->type = STRATA_PARQUET_BYTE_ARRAY;
			col->value_size = sizeof(StrataParquetByteArray);
			return true;
		case UUIDOID:
			col->kind = EX_UUID;
			spec->type = STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY;
			spec->type_length = UUID_LEN;
			set_logical(spec, STRATA_PARQUET_LT_UUID);
			col->value_size = sizeof(StrataParquetByteArray);
			return true;
		case DATEOID:
			col->kind = EX_DATE;
			spec->type = STRATA_PARQUET_INT32;
			set_logical(spec, STRATA_PARQUET_LT_DATE);
			col->value_size = sizeof(int32);
			return true;
		case TIMEOID:
			col->kind = EX_TIME;
			spec->type = STRATA_PARQUET_INT64;
			set_logical(spec, STRATA_PARQUET_LT_TIME);
			spec->logical_type.unit = STRATA_PARQUET_MICROS;
			spec->logical_type.is_adjusted_to_utc = false;
			col->value_size = sizeof(int64);
			return true;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			col->kind = EX_TIMESTAMP;
			spec->type = STRATA_PARQUET_INT64;
			set_logical(spec, STRATA_PARQUET_LT_TIMESTAMP);
			spec->logical_type.unit = STRATA_PARQUET_MICROS;
			spec->logical_type.is_adjusted_to_utc = (base == TIMESTAMPTZOID);
			col->value_size = sizeof(int64);
			return true;
	}
	if (type_is_enum(base))
	{
		Oid			out;
		bool		varlena;

		col->kind = EX_OUTPUT_TEXT;
		getTypeOutputInfo(base, &out, &varlena);
		fmgr_info(out, &col->out_fn);
		spec->type = STRATA_PARQUET_BYTE_ARRAY;
		set_logical(spec, STRATA_PARQUET_LT_STRING);
		col->value_size = sizeof(StrataParquetByteArray);
		return true;
	}
	return false;
}

/* The whole value as its text, for a type without a mapping. */
static void
map_as_text(ExportColumn *col, Oid typid)
{
	Oid			out;
	bool		varlena;

	col->kind = EX_OUTPUT_TEXT;
	col->is_list = false;
	getTypeOutputInfo(typid, &out, &varlena);
	fmgr_info(out, &col->out_fn);
	col->spec.type = STRATA_PARQUET_BYTE_ARRAY;
	col->spec.type_length = 0;
	set_logical(&col->spec, STRATA_PARQUET_LT_STRING);
	col->value_size = sizeof(StrataParquetByteArray);
}

/* Each result column's mapping, or an error naming the first without one. */
static void
map_columns(ParquetExport *ex, TupleDesc desc)
{
	int			i,
				j;

	ex->num_columns = desc->natts;
	ex->columns = palloc0(sizeof(ExportColumn) * desc->natts);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		ExportColumn *col = &ex->columns[i];
		Oid			base = getBaseType(attr->atttypid);
		Oid			elem = get_element_type(base);
		bool		mapped;

		col->name = pstrdup(NameStr(attr->attname));
		for (j = 0; j < i; j++)
			if (strcmp(ex->columns[j].name, col->name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column name \"%s\" appears more than once in COPY TO with FORMAT parquet",
								col->name),
						 errhint("Give the columns distinct names with AS.")));

		if (OidIsValid(elem) && base != NAMEOID && get_typlen(base) == -1)
		{
			/* a list; the element's typmod is the array's */
			col->is_list = true;
			col->elem_type = elem;
			get_typlenbyvalalign(elem, &col->elem_len, &col->elem_byval, &col->elem_align);
			mapped = map_scalar(col, elem, attr->atttypmod);
		}
		else
			mapped = map_scalar(col, attr->atttypid, attr->atttypmod);

		if (!mapped)
		{
			if (!ex->unmapped_as_text)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("column \"%s\" has type %s, which has no Parquet mapping",
								col->name, format_type_with_typemod(attr->atttypid, attr->atttypmod)),
						 base == NUMERICOID || (OidIsValid(elem) && getBaseType(elem) == NUMERICOID) ?
						 errhint("Cast it to numeric(p,s) with p at most 38, or write it as text with UNMAPPED_TYPES 'text'.") :
						 errhint("Cast it to a type that has one, or write it as text with UNMAPPED_TYPES 'text'.")));
			map_as_text(col, attr->atttypid);
		}

		col->spec.name = col->name;
		col->spec.optional = true;
		if (col->is_list)
		{
			col->spec.is_list = true;
			col->spec.element_optional = true;
		}
	}
}

/* ---------------------------------------------------------------------
 * Where the bytes go
 * ---------------------------------------------------------------------
 */

/* One CopyData message of what client_buf holds. */
static void
send_copy_data(ParquetExport *ex)
{
	StringInfoData msg;

	pq_beginmessage(&msg, 'd');
	pq_sendbytes(&msg, ex->client_buf.data, ex->client_buf.len);
	pq_endmessage(&msg);
	resetStringInfo(&ex->client_buf);
}

static bool
export_write(void *ctx, const void *data, size_t len)
{
	ParquetExport *ex = (ParquetExport *) ctx;

	if (ex->to_client)
	{
		const char *p = data;

		/* whole CLIENT_CHUNK messages; the rest waits in client_buf */
		while (len > 0)
		{
			size_t		n = Min(len, (size_t) (CLIENT_CHUNK - ex->client_buf.len));

			appendBinaryStringInfo(&ex->client_buf, p, (int) n);
			p += n;
			len -= n;
			if (ex->client_buf.len >= CLIENT_CHUNK)
				send_copy_data(ex);
		}
		return true;
	}
	if (len > 0 && fwrite(data, 1, len, ex->file) != len)
	{
		ex->write_errno = errno;
		return false;
	}
	return true;
}

/*
 * The writer's memory, from a context.  No OOM error from in here: the
 * writer reports a NULL as a failure, and the error is raised outside it.
 */
static void *
export_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
	MemoryContext cxt = (MemoryContext) ctx;
	void	   *p;

	if (new_size == 0)
	{
		if (ptr != NULL)
			pfree(ptr);
		return NULL;
	}
	p = MemoryContextAllocExtended(cxt, new_size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (p != NULL && ptr != NULL)
	{
		memcpy(p, ptr, Min(old_size, new_size));
		pfree(ptr);
	}
	return p;
}

static void
writer_failed(ParquetExport *ex)
{
	const StrataParquetStatus *status = strata_parquet_writer_status(ex->writer);

	if (ex->write_errno != 0)
	{
		errno = ex->write_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write to file \"%s\": %m", ex->target)));
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("could not write Parquet to \"%s\"", ex->target),
			 errdetail_internal("%s.", status->error)));
}

/* ---------------------------------------------------------------------
 * Converting values
 * ---------------------------------------------------------------------
 */

static void
export_error_context(void *arg)
{
	ParquetExport *ex = (ParquetExport *) arg;

	if (ex->current_column >= 0)
		errcontext("COPY TO Parquet \"%s\", row " UINT64_FORMAT ", column %s",
				   ex->target, ex->rows + ex->group_rows + 1,
				   ex->columns[ex->current_column].name);
	else
		errcontext("COPY TO Parquet \"%s\"", ex->target);
}

/* Bytes that live until the row group is written. */
static char *
arena_copy(ParquetExport *ex, const char *data, size_t len)
{
	char	   *p;

	if (len > ex->arena_left)
	{
		size_t		block = Max(len, (size_t) (1024 * 1024));

		ex->arena = MemoryContextAllocHuge(ex->group_cxt, block);
		ex->arena_left = block;
	}
	p = ex->arena;
	if (len > 0)
		memcpy(p, data, len);
	ex->arena += len;
	ex->arena_left -= len;
	ex->group_bytes += len;
	return p;
}

/* A string value, in UTF-8. */
static void
put_string(ParquetExport *ex, StrataParquetByteArray *out, const char *s, size_t len)
{
	if (ex->convert_encoding && len > 0)
	{
		char	   *u = pg_server_to_any(s, (int) len, PG_UTF8);

		if (u != s)
		{
			s = u;
			len = strlen(u);
		}
	}
	out->data = (const uint8 *) arena_copy(ex, s, len);
	out->len = len;
}

/* numeric(p,s) to the unscaled integer of DECIMAL(precision, scale) */
static int128
numeric_unscaled(ExportColumn *col, Datum d)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, d));
	char	   *c = s;
	bool		neg = false;
	bool		point = false;
	int			frac = 0;
	int128		v = 0;
	const int128 cap = col->decimal_limit;

	if (strcmp(s, "NaN") == 0 || strstr(s, "Infinity") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot write %s to Parquet DECIMAL(%d,%d)", s,
						col->precision, col->scale)));
	if (*c == '-')
	{
		neg = true;
		c++;
	}
	for (; *c; c++)
	{
		if (*c == '.')
		{
			point = true;
			continue;
		}
		if (point)
		{
			if (frac == col->scale)
			{
				/* more digits than the scale: only zeros can go */
				if (*c != '0')
					ereport(ERROR,
							(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							 errmsg("numeric value %s has more than %d decimal places",
									s, col->scale)));
				continue;
			}
			frac++;
		}
		v = v * 10 + (*c - '0');
		if (v >= cap)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("numeric value %s does not fit in Parquet DECIMAL(%d,%d)",
							s, col->precision, col->scale)));
	}
	for (; frac < col->scale; frac++)
	{
		v *= 10;
		if (v >= cap)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("numeric value %s does not fit in Parquet DECIMAL(%d,%d)",
							s, col->precision, col->scale)));
	}
	return neg ? -v : v;
}

static void
infinite_value(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range for Parquet", what)));
}

/* Convert one non-null value into *slot (col->value_size bytes). */
static void
convert_value(ParquetExport *ex, ExportColumn *col, Datum d, char *slot)
{
	switch (col->kind)
	{
		case EX_BOOL:
			*(uint8 *) slot = DatumGetBool(d) ? 1 : 0;
			break;
		case EX_INT2:
			*(int32 *) slot = DatumGetInt16(d);
			break;
		case EX_INT4:
			*(int32 *) slot = DatumGetInt32(d);
			break;
		case EX_INT8:
			*(int64 *) slot = DatumGetInt64(d);
			break;
		case EX_FLOAT4:
			*(float4 *) slot = DatumGetFloat4(d);
			break;
		case EX_FLOAT8:
			*(float8 *) slot = DatumGetFloat8(d);
			break;
		case EX_NUMERIC:
			{
				int128		v = numeric_unscaled(col, d);

				if (col->spec.type == STRATA_PARQUET_INT32)
					*(int32 *) slot = (int32) v;
				else if (col->spec.type == STRATA_PARQUET_INT64)
					*(int64 *) slot = (int64) v;
				else
				{
					StrataParquetByteArray *ba = (StrataParquetByteArray *) slot;
					uint8		be[16];
					int			i;

					/* big-endian two's complement, type_length bytes */
					for (i = 15; i >= 0; i--)
					{
						be[i] = (uint8) (v & 0xff);
						v >>= 8;
					}
					ba->data = (const uint8 *) arena_copy(ex, (char *) be + 16 - col->spec.type_length,
														  col->spec.type_length);
					ba->len = col->spec.type_length;
				}
			}
			break;
		case EX_VARLENA_TEXT:
			{
				struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));

				put_string(ex, (StrataParquetByteArray *) slot, VARDATA_ANY(v),
						   VARSIZE_ANY_EXHDR(v));
			}
			break;
		case EX_JSONB:
			{
				Jsonb	   *jb = DatumGetJsonbP(d);
				char	   *s = JsonbToCString(NULL, &jb->root, VARSIZE(jb));

				put_string(ex, (StrataParquetByteArray *) slot, s, strlen(s));
			}
			break;
		case EX_BYTEA:
			{
				struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
				StrataParquetByteArray *ba = (StrataParquetByteArray *) slot;

				ba->len = VARSIZE_ANY_EXHDR(v);
				ba->data = (const uint8 *) arena_copy(ex, VARDATA_ANY(v), ba->len);
			}
			break;
		case EX_UUID:
			{
				StrataParquetByteArray *ba = (StrataParquetByteArray *) slot;

				ba->data = (const uint8 *) arena_copy(ex, (char *) DatumGetUUIDP(d)->data, UUID_LEN);
				ba->len = UUID_LEN;
			}
			break;
		case EX_DATE:
			{
				DateADT		date = DatumGetDateADT(d);

				if (DATE_IS_NOBEGIN(date))
					*(int32 *) slot = -PG_INT32_MAX;
				else if (DATE_IS_NOEND(date))
					*(int32 *) slot = PG_INT32_MAX;
				else
					*(int32 *) slot = date + ICEBERG_EPOCH_SHIFT_DAYS;
			}
			break;
		case EX_TIME:
			*(int64 *) slot = DatumGetTimeADT(d);
			break;
		case EX_TIMESTAMP:
			{
				Timestamp	ts = DatumGetTimestamp(d);
				int64		v;

				if (TIMESTAMP_IS_NOBEGIN(ts))
					v = -PG_INT64_MAX;
				else if (TIMESTAMP_IS_NOEND(ts))
					v = PG_INT64_MAX;
				else if (pg_add_s64_overflow(ts, ICEBERG_EPOCH_SHIFT_USECS, &v) || v == PG_INT64_MAX)
					infinite_value("a timestamp after year 294246");
				*(int64 *) slot = v;
			}
			break;
		case EX_OUTPUT_TEXT:
			{
				char	   *s = OutputFunctionCall(&col->out_fn, d);

				put_string(ex, (StrataParquetByteArray *) slot, s, strlen(s));
			}
			break;
	}
}

static void
ensure_values(ExportColumn *col, size_t more, MemoryContext cxt)
{
	size_t		need = col->num_values + more;

	if (need > col->cap_values)
	{
		size_t		cap = Max(need, Max(col->cap_values * 2, (size_t) 1024));

		if (col->values == NULL)
		{
			col->values = MemoryContextAllocHuge(cxt, cap * col->value_size);
			col->nulls = MemoryContextAllocHuge(cxt, cap);
		}
		else
		{
			col->values = repalloc_huge(col->values, cap * col->value_size);
			col->nulls = repalloc_huge(col->nulls, cap);
		}
		col->cap_values = cap;
	}
}

/* Room for row "row" of a list column: offsets[row + 1] included. */
static void
ensure_rows(ExportColumn *col, size_t row, MemoryContext cxt)
{
	if (row + 2 > col->cap_rows)
	{
		size_t		cap = Max(row + 2, Max(col->cap_rows * 2, (size_t) 1024));

		if (col->offsets == NULL)
		{
			col->offsets = MemoryContextAllocHuge(cxt, cap * sizeof(size_t));
			col->list_nulls = MemoryContextAllocHuge(cxt, cap);
		}
		else
		{
			col->offsets = repalloc_huge(col->offsets, cap * sizeof(size_t));
			col->list_nulls = repalloc_huge(col->list_nulls, cap);
		}
		col->cap_rows = cap;
	}
}

static void
append_value(ParquetExport *ex, ExportColumn *col, Datum d, bool isnull)
{
	char	   *slot;

	ensure_values(col, 1, ex->writer_cxt);
	slot = col->values + col->num_values * col->value_size;
	col->nulls[col->num_values] = isnull;
	if (isnull)
		memset(slot, 0, col->value_size);
	else
		convert_value(ex, col, d, slot);
	col->num_values++;
	ex->group_bytes += col->value_size;
}

static void
append_list(ParquetExport *ex, ExportColumn *col, Datum d, bool isnull)
{
	size_t		row = ex->group_rows;

	ensure_rows(col, row, ex->writer_cxt);
	col->offsets[row] = col->num_values;
	col->list_nulls[row] = isnull;
	if (!isnull)
	{
		ArrayType  *arr = DatumGetArrayTypeP(d);
		Datum	   *elems;
		bool	   *enulls;
		int			n,
					i;

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot write a %d-dimensional array to a Parquet LIST", ARR_NDIM(arr)),
					 errhint("Only one-dimensional arrays have a Parquet mapping; "
							 "UNMAPPED_TYPES does not apply to values.")));
		deconstruct_array(arr, col->elem_type, col->elem_len, col->elem_byval,
						  col->elem_align, &elems, &enulls, &n);
		ensure_values(col, n, ex->writer_cxt);
		for (i = 0; i < n; i++)
			append_value(ex, col, elems[i], enulls[i]);
	}
	col->offsets[row + 1] = col->num_values;
}

/* Write the buffered rows as a row group. */
static void
flush_row_group(ParquetExport *ex)
{
	int			i;
	bool		ok;

	if (ex->group_rows == 0)
		return;
	ex->current_column = -1;
	ok = strata_parquet_writer_begin_row_group(ex->writer, ex->group_rows);
	for (i = 0; ok && i < ex->num_columns; i++)
	{
		ExportColumn *col = &ex->columns[i];

		CHECK_FOR_INTERRUPTS();
		if (col->is_list)
			ok = strata_parquet_writer_write_list_column(ex->writer, i, col->offsets,
														 col->list_nulls, col->values,
														 col->nulls, ex->group_rows);
		else
			ok = strata_parquet_writer_write_column(ex->writer, i, col->values,
													col->nulls, ex->group_rows);
	}
	if (ok)
		ok = strata_parquet_writer_end_row_group(ex->writer);
	if (!ok)
		writer_failed(ex);

	ex->rows += ex->group_rows;
	ex->group_rows = 0;
	ex->group_bytes = 0;
	for (i = 0; i < ex->num_columns; i++)
		ex->columns[i].num_values = 0;
	MemoryContextReset(ex->group_cxt);
	ex->arena = NULL;
	ex->arena_left = 0;
}

static bool
export_receive(TupleTableSlot *slot, DestReceiver *self)
{
	ParquetExport *ex = (ParquetExport *) self;
	ErrorContextCallback errcallback;
	MemoryContext old;
	int			i;

	errcallback.callback = export_error_context;
	errcallback.arg = ex;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	slot_getallattrs(slot);
	MemoryContextReset(ex->row_cxt);
	old = MemoryContextSwitchTo(ex->row_cxt);
	for (i = 0; i < ex->num_columns; i++)
	{
		ExportColumn *col = &ex->columns[i];

		ex->current_column = i;
		if (col->is_list)
			append_list(ex, col, slot->tts_values[i], slot->tts_isnull[i]);
		else
			append_value(ex, col, slot->tts_values[i], slot->tts_isnull[i]);
	}
	MemoryContextSwitchTo(old);
	ex->group_rows++;
	ex->current_column = -1;
	if (ex->group_rows >= ex->row_group_size || ex->group_bytes >= ex->row_group_bytes)
		flush_row_group(ex);

	error_context_stack = errcallback.previous;
	return true;
}

static void
export_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
export_shutdown(DestReceiver *self)
{
}

static void
export_destroy(DestReceiver *self)
{
}

/* ---------------------------------------------------------------------
 * Opening and finishing the output
 * ---------------------------------------------------------------------
 */

static void
open_output(ParquetExport *ex, const CopyStmt *stmt)
{
	if (stmt->filename == NULL)
	{
		StringInfoData msg;
		int			i;

		if (whereToSendOutput != DestRemote)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("COPY TO STDOUT with FORMAT parquet needs a client connection")));
		ex->to_client = true;
		ex->target = "STDOUT";
		initStringInfo(&ex->client_buf);
		/* CopyOutResponse: binary, one binary format per column */
		pq_beginmessage(&msg, 'H');
		pq_sendbyte(&msg, 1);
		pq_sendint16(&msg, ex->num_columns);
		for (i = 0; i < ex->num_columns; i++)
			pq_sendint16(&msg, 1);
		pq_endmessage(&msg);
		return;
	}
	else
	{
		mode_t		oumask;
		struct stat st;

		ex->target = stmt->filename;
		/* COPY's own umask: no group or other write */
		oumask = umask(S_IWGRP | S_IWOTH);
		PG_TRY();
		{
			ex->file = AllocateFile(stmt->filename, PG_BINARY_W);
		}
		PG_FINALLY();
		{
			umask(oumask);
		}
		PG_END_TRY();
		if (ex->file == NULL)
		{
			int			save_errno = errno;

			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not open file \"%s\" for writing: %m", stmt->filename),
					 (save_errno == ENOENT || save_errno == EACCES) ?
					 errhint("COPY TO instructs the PostgreSQL server process to write a file. "
							 "You may want a client-side facility such as psql's \\copy.") : 0));
		}
		if (fstat(fileno(ex->file), &st))
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not stat file \"%s\": %m", stmt->filename)));
		if (S_ISDIR(st.st_mode))
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is a directory", stmt->filename)));
	}
}

static void
close_output(ParquetExport *ex)
{
	if (ex->to_client)
	{
		if (ex->client_buf.len > 0)
			send_copy_data(ex);
		pq_putemptymessage('c');
		return;
	}
	if (FreeFile(ex->file))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not close file \"%s\": %m", ex->target)));
	ex->file = NULL;
}

/* ---------------------------------------------------------------------
 * The query
 * ---------------------------------------------------------------------
 */

/* COPY table [(columns)] TO: the SELECT it stands for. */
static RawStmt *
table_query(const CopyStmt *stmt)
{
	Oid			relid = RangeVarGetRelid(stmt->relation, AccessShareLock, false);
	char		relkind = get_rel_relkind(relid);
	SelectStmt *select = makeNode(SelectStmt);
	RangeVar   *from;
	RawStmt    *raw = makeNode(RawStmt);

	if (relkind == RELKIND_SEQUENCE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot copy from sequence \"%s\"", get_rel_name(relid))));

	from = makeRangeVar(get_namespace_name(get_rel_namespace(relid)),
						get_rel_name(relid), -1);
	/* COPY reads a table without its inheritance children */
	from->inh = (relkind == RELKIND_PARTITIONED_TABLE);

	if (stmt->attlist == NIL)
	{
		ColumnRef  *star = makeNode(ColumnRef);
		ResTarget  *target = makeNode(ResTarget);

		star->fields = list_make1(makeNode(A_Star));
		star->location = -1;
		target->val = (Node *) star;
		target->location = -1;
		select->targetList = list_make1(target);
	}
	else
	{
		ListCell   *lc;

		foreach(lc, stmt->attlist)
		{
			ColumnRef  *ref = makeNode(ColumnRef);
			ResTarget  *target = makeNode(ResTarget);

			ref->fields = list_make1(makeString(strVal(lfirst(lc))));
			ref->location = -1;
			target->val = (Node *) ref;
			target->location = -1;
			select->targetList = lappend(select->targetList, target);
		}
	}
	select->fromClause = list_make1(from);
	raw->stmt = (Node *) select;
	raw->stmt_location = -1;
	return raw;
}

/* Analyze, rewrite and plan; the checks COPY (query) TO makes. */
static PlannedStmt *
plan_query(ParseState *pstate, RawStmt *raw)
{
	List	   *rewritten;
	Query	   *query;

	rewritten = pg_analyze_and_rewrite_fixedparams(raw, pstate->p_sourcetext, NULL, 0, NULL);
	if (rewritten == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("DO INSTEAD NOTHING rules are not supported for COPY")));
	if (list_length(rewritten) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("multi-statement DO INSTEAD rules are not supported for COPY")));
	query = linitial_node(Query, rewritten);
	if (query->utilityStmt != NULL && IsA(query->utilityStmt, CreateTableAsStmt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY (SELECT INTO) is not supported")));
	if (query->commandType == CMD_UTILITY)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY query must not be a utility command")));
	if (query->commandType != CMD_SELECT && query->returningList == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY query must have a RETURNING clause")));
	return pg_plan_query(query, pstate->p_sourcetext, CURSOR_OPT_PARALLEL_OK, NULL);
}

/*
 * Run COPY ... TO ... WITH (FORMAT parquet); returns the rows written.
 * stmt may be scribbled on.
 */
uint64
iceberg_parquet_copy_to(ParseState *pstate, CopyStmt *stmt, int stmt_location, int stmt_len)
{
	ExportOptions opts;
	ParquetExport *ex;
	RawStmt    *raw;
	PlannedStmt *plan;
	QueryDesc  *qd;
	StrataParquetStatus status;
	ErrorContextCallback errcallback;
	int			i;
	StrataParquetColumnSpec *specs;
	uint64		written;

	if (stmt->is_program)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY TO PROGRAM with FORMAT parquet is not supported"),
				 errhint("Write to a file on the database server, or to STDOUT.")));
	if (stmt->filename != NULL)
	{
		/* COPY's own checks and messages for writing a server file */
		if (!has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("must be superuser or have privileges of the pg_write_server_files role to COPY to a file"),
					 errhint("Anyone can COPY to stdout or from stdin. "
							 "psql's \\copy command also works for anyone.")));
		if (!is_absolute_path(stmt->filename))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("relative path not allowed for COPY to file")));
	}
	if (stmt->whereClause != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("WHERE clause not allowed with COPY TO"),
				 errhint("Try the COPY (SELECT ... WHERE ...) TO variant.")));
	parse_options(pstate, stmt, &opts);

	if (stmt->relation != NULL)
		raw = table_query(stmt);
	else
	{
		raw = makeNode(RawStmt);
		raw->stmt = stmt->query;
		raw->stmt_location = stmt_location;
		raw->stmt_len = stmt_len;
	}
	plan = plan_query(pstate, raw);

	ex = palloc0(sizeof(ParquetExport));
	ex->pub.receiveSlot = export_receive;
	ex->pub.rStartup = export_startup;
	ex->pub.rShutdown = export_shutdown;
	ex->pub.rDestroy = export_destroy;
	ex->pub.mydest = DestNone;
	ex->row_group_size = opts.row_group_size;
	ex->row_group_bytes = opts.row_group_bytes;
	ex->unmapped_as_text = opts.unmapped_as_text;
	ex->convert_encoding = GetDatabaseEncoding() != PG_UTF8 &&
		GetDatabaseEncoding() != PG_SQL_ASCII;
	ex->current_column = -1;
	ex->target = stmt->filename != NULL ? stmt->filename : "STDOUT";
	ex->writer_cxt = AllocSetContextCreate(CurrentMemoryContext, "Parquet COPY TO",
										   ALLOCSET_DEFAULT_SIZES);
	ex->group_cxt = AllocSetContextCreate(ex->writer_cxt, "Parquet COPY TO row group",
										  ALLOCSET_DEFAULT_SIZES);
	ex->row_cxt = AllocSetContextCreate(ex->writer_cxt, "Parquet COPY TO row",
										ALLOCSET_DEFAULT_SIZES);

	PushCopiedSnapshot(GetActiveSnapshot());
	UpdateActiveSnapshotCommandId();
	qd = CreateQueryDesc(plan, pstate->p_sourcetext, GetActiveSnapshot(), InvalidSnapshot,
						 &ex->pub, NULL, NULL, 0);
	ExecutorStart(qd, 0);

	/* every column has a mapping before anything is created */
	map_columns(ex, qd->tupDesc);
	specs = palloc0(sizeof(StrataParquetColumnSpec) * Max(ex->num_columns, 1));
	for (i = 0; i < ex->num_columns; i++)
		specs[i] = ex->columns[i].spec;
	if (ex->num_columns == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY TO with FORMAT parquet needs at least one column")));

	strata_parquet_writer_options_init(&ex->options);
	ex->options.codec = opts.codec;
	if (opts.level_given)
		ex->options.compression_level = opts.level;
	ex->options.realloc_fn = export_realloc;
	ex->options.alloc_ctx = ex->writer_cxt;

	open_output(ex, stmt);

	errcallback.callback = export_error_context;
	errcallback.arg = ex;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	ex->writer = strata_parquet_writer_create(&ex->options, specs, ex->num_columns,
											  export_write, ex, &status);
	if (ex->writer == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not start Parquet file \"%s\"", ex->target),
				 errdetail_internal("%s.", status.error)));

	ExecutorRun(qd, ForwardScanDirection, 0, true);
	flush_row_group(ex);
	if (!strata_parquet_writer_finish(ex->writer))
		writer_failed(ex);
	written = ex->rows;

	error_context_stack = errcallback.previous;
	close_output(ex);

	ExecutorFinish(qd);
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	PopActiveSnapshot();

	MemoryContextDelete(ex->writer_cxt);
	return written;
}
