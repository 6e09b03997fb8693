/*-------------------------------------------------------------------------
 *
 * parquet_types.c
 *	  Parquet types: what each is, which Postgres types it loads into, and
 *	  its values converted for those types: as binary COPY fields, and as
 *	  text.
 *
 * COPY FROM a Parquet file hands rows to PostgreSQL's own COPY machinery
 * (parquet_copy.c says why) in COPY's binary format.  Each value is
 * converted here, exactly and independently of session settings
 * (DateStyle, TimeZone, extra_float_digits), with the checks the target
 * type's input function would make: an INT64 loaded into an integer column
 * fails as "value ... is out of range for type integer", naming the row and
 * column, exactly as COPY would.  The text rendering (iceberg_format_value)
 * remains for the statistics parquet_metadata() shows and for the pairs the
 * binary conversion takes through the type's input function.
 *
 * The mapping.  A field is matched with a column by name; its type (the
 * logical type, else the converted type, else the physical type) decides
 * what the column may be.  Domains count as their base type, arrays as
 * lists of their element type.
 *
 *	Parquet (physical / annotation)             Postgres column             natural type
 *	------------------------------------------  --------------------------  -------------------
 *	BOOLEAN                                     boolean                     boolean
 *	INT32, INT64; INTEGER(8|16|32|64, signed    smallint, integer, bigint,  smallint / integer /
 *	  or unsigned), INT_n, UINT_n               numeric (range-checked)     bigint; UINT64: numeric
 *	FLOAT                                       real, double precision      real
 *	DOUBLE                                      double precision, real      double precision
 *	DECIMAL(p,s) on INT32, INT64,               numeric (exact: from the    numeric(p,s)
 *	  FIXED_LEN_BYTE_ARRAY, BYTE_ARRAY            unscaled integer)
 *	STRING / UTF8, ENUM, JSON                   text, varchar, char(n),     text; JSON: json
 *	                                              enum types, json, jsonb
 *	BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY (no        bytea; text, varchar if     bytea
 *	  annotation)                                 the bytes are UTF-8
 *	UUID                                        uuid                        uuid
 *	DATE                                        date                        date
 *	TIME(MILLIS|MICROS|NANOS), TIME_MILLIS,     time                        time
 *	  TIME_MICROS
 *	TIMESTAMP(MILLIS|MICROS|NANOS, utc),        timestamp, timestamptz      utc: timestamptz,
 *	  TIMESTAMP_MILLIS, TIMESTAMP_MICROS                                      else timestamp
 *	INT96 (legacy Impala/Spark timestamps)      timestamp, timestamptz      timestamp
 *	UNKNOWN (always null)                       any type                    text
 *	LIST of any of the above (3-level, legacy   an array of a type the      element type[]
 *	  2-level, or a repeated primitive)           element loads into
 *
 * Refused as not supported: MAP, structs (groups), lists of lists or of
 * structs, FLOAT16, INTERVAL, BSON, and annotations on a physical type the
 * specification does not allow.
 *
 * Details.  Strings are checked to be UTF-8 (COPY then converts them to
 * the database encoding).  Every timestamp is read as UTC: one with
 * utc=false (a "local" timestamp) gives its wall-clock time to a
 * timestamp column, or that wall-clock time in UTC to a timestamptz
 * column; one with utc=true gives its instant to timestamptz, or the UTC
 * wall-clock time to timestamp.  The session TimeZone never enters.
 * Nanoseconds are rounded to microseconds, half to even.  DATE
 * 2147483647 and -2147483647 (or -2147483648), and TIMESTAMP
 * 9223372036854775807 and -9223372036854775807 (or the minimum) in any
 * unit, are infinity and -infinity, as DuckDB writes them.  Values out of
 * PostgreSQL's range are errors, never wrapped.
 *
 *-------------------------------------------------------------------------
 */
#include "iceberg.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/pg_bswap.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

/* the longest DECIMAL byte array rendered: ~1230 digits, past numeric(1000) */
#define MAX_DECIMAL_BYTES 512

/* ---------------------------------------------------------------------
 * Names
 * ---------------------------------------------------------------------
 */

const char *
iceberg_parquet_codec_name(int32 codec)
{
	static const char *const names[] = {
		"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"
	};

	if (codec < 0 || codec >= (int32) lengthof(names))
		return "unknown";
	return names[codec];
}

const char *
iceberg_parquet_converted_name(int32 converted_type)
{
	static const char *const names[] = {
		"UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE",
		"TIME_MILLIS", "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS",
		"UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16", "INT_32",
		"INT_64", "JSON", "BSON", "INTERVAL"
	};

	if (converted_type < 0 || converted_type >= (int32) lengthof(names))
		return "unknown";
	return names[converted_type];
}

static const char *
unit_name(int32 unit)
{
	switch (unit)
	{
		case STRATA_PARQUET_MILLIS:
			return "MILLIS";
		case STRATA_PARQUET_MICROS:
			return "MICROS";
		case STRATA_PARQUET_NANOS:
			return "NANOS";
	}
	return "unknown";
}

/* The logical type as text, or NULL when the element has none. */
char *
iceberg_parquet_logical_name(const StrataParquetSchemaElement *el)
{
	const StrataParquetLogicalType *lt = &el->logical_type;

	switch (lt->kind)
	{
		case STRATA_PARQUET_LT_NONE:
			return NULL;
		case STRATA_PARQUET_LT_STRING:
			return pstrdup("STRING");
		case STRATA_PARQUET_LT_MAP:
			return pstrdup("MAP");
		case STRATA_PARQUET_LT_LIST:
			return pstrdup("LIST");
		case STRATA_PARQUET_LT_ENUM:
			return pstrdup("ENUM");
		case STRATA_PARQUET_LT_DECIMAL:
			return psprintf("DECIMAL(precision=%d, scale=%d)",
							lt->decimal_precision, lt->decimal_scale);
		case STRATA_PARQUET_LT_DATE:
			return pstrdup("DATE");
		case STRATA_PARQUET_LT_TIME:
			return psprintf("TIME(unit=%s, utc=%s)", unit_name(lt->unit),
							lt->is_adjusted_to_utc ? "true" : "false");
		case STRATA_PARQUET_LT_TIMESTAMP:
			return psprintf("TIMESTAMP(unit=%s, utc=%s)", unit_name(lt->unit),
							lt->is_adjusted_to_utc ? "true" : "false");
		case STRATA_PARQUET_LT_INTEGER:
			return psprintf("INTEGER(bits=%d, signed=%s)", lt->bit_width,
							lt->is_signed ? "true" : "false");
		case STRATA_PARQUET_LT_UNKNOWN:
			return pstrdup("UNKNOWN");
		case STRATA_PARQUET_LT_JSON:
			return pstrdup("JSON");
		case STRATA_PARQUET_LT_BSON:
			return pstrdup("BSON");
		case STRATA_PARQUET_LT_UUID:
			return pstrdup("UUID");
		case STRATA_PARQUET_LT_FLOAT16:
			return pstrdup("FLOAT16");
		case STRATA_PARQUET_LT_OTHER:
			break;
	}
	return psprintf("logical type %d", lt->other_id);
}

/* "INT64 (TIMESTAMP(unit=MICROS, utc=true))", "FIXED_LEN_BYTE_ARRAY(16)" */
static char *
element_label(const StrataParquetSchemaElement *el)
{
	StringInfoData buf;
	char	   *logical = iceberg_parquet_logical_name(el);

	initStringInfo(&buf);
	if (!el->has_type)
		appendStringInfoString(&buf, "group");
	else if (el->type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
		appendStringInfo(&buf, "FIXED_LEN_BYTE_ARRAY(%d)",
						 el->has_type_length ? el->type_length : 0);
	else
		appendStringInfoString(&buf, strata_parquet_type_name(el->type));
	if (logical != NULL)
		appendStringInfo(&buf, " (%s)", logical);
	else if (el->has_converted_type && el->converted_type == STRATA_PARQUET_CT_DECIMAL)
		appendStringInfo(&buf, " (DECIMAL(precision=%d, scale=%d))",
						 el->has_precision ? el->precision : 0,
						 el->has_scale ? el->scale : 0);
	else if (el->has_converted_type)
		appendStringInfo(&buf, " (%s)", iceberg_parquet_converted_name(el->converted_type));
	return buf.data;
}

/* ---------------------------------------------------------------------
 * Classification
 * ---------------------------------------------------------------------
 */

static void
unsupported(IcebergParquetType *t, const char *why)
{
	t->kind = ICEBERG_PQ_UNSUPPORTED;
	t->unsupported = pstrdup(why);
}

/* The annotation is on a physical type it does not allow. */
static void
misplaced(IcebergParquetType *t, const char *annotation)
{
	t->kind = ICEBERG_PQ_UNSUPPORTED;
	t->unsupported = psprintf("%s on %s", annotation,
							  strata_parquet_type_name(t->physical));
}

static void
set_int(IcebergParquetType *t, int bits, bool is_signed)
{
	if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
	{
		unsupported(t, psprintf("INTEGER of %d bits", bits));
		return;
	}
	if ((bits == 64) != (t->physical == STRATA_PARQUET_INT64) ||
		(t->physical != STRATA_PARQUET_INT32 && t->physical != STRATA_PARQUET_INT64))
	{
		misplaced(t, psprintf("INTEGER(%d)", bits));
		return;
	}
	t->kind = ICEBERG_PQ_INT;
	t->bit_width = bits;
	t->is_signed = is_signed;
}

static void
set_decimal(IcebergParquetType *t, bool known, int32 precision, int32 scale)
{
	switch (t->physical)
	{
		case STRATA_PARQUET_INT32:
		case STRATA_PARQUET_INT64:
		case STRATA_PARQUET_BYTE_ARRAY:
			break;
		case STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY:
			if (t->type_length > MAX_DECIMAL_BYTES)
			{
				unsupported(t, "DECIMAL wider than 512 bytes");
				return;
			}
			break;
		default:
			misplaced(t, "DECIMAL");
			return;
	}
	if (!known || precision < 1 || scale < 0 || scale > precision)
	{
		unsupported(t, psprintf("DECIMAL with precision %d and scale %d", precision, scale));
		return;
	}
	t->kind = ICEBERG_PQ_DECIMAL;
	t->precision = precision;
	t->scale = scale;
}

static void
set_kind_on(IcebergParquetType *t, IcebergParquetKind kind, int32 physical,
			const char *annotation)
{
	if (t->physical != physical)
		misplaced(t, annotation);
	else
		t->kind = kind;
}

static void
set_time(IcebergParquetType *t, int32 unit, bool utc)
{
	int32		want = unit == STRATA_PARQUET_MILLIS ? STRATA_PARQUET_INT32 : STRATA_PARQUET_INT64;

	if (unit != STRATA_PARQUET_MILLIS && unit != STRATA_PARQUET_MICROS &&
		unit != STRATA_PARQUET_NANOS)
		unsupported(t, "TIME with an unknown unit");
	else if (t->physical != want)
		misplaced(t, psprintf("TIME(%s)", unit_name(unit)));
	else
	{
		t->kind = ICEBERG_PQ_TIME;
		t->unit = unit;
		t->utc = utc;
	}
}

static void
set_timestamp(IcebergParquetType *t, int32 unit, bool utc)
{
	if (unit != STRATA_PARQUET_MILLIS && unit != STRATA_PARQUET_MICROS &&
		unit != STRATA_PARQUET_NANOS)
		unsupported(t, "TIMESTAMP with an unknown unit");
	else if (t->physical != STRATA_PARQUET_INT64)
		misplaced(t, "TIMESTAMP");
	else
	{
		t->kind = ICEBERG_PQ_TIMESTAMP;
		t->unit = unit;
		t->utc = utc;
	}
}

static void
classify_logical(const StrataParquetSchemaElement *el, IcebergParquetType *t)
{
	const StrataParquetLogicalType *lt = &el->logical_type;

	switch (lt->kind)
	{
		case STRATA_PARQUET_LT_STRING:
		case STRATA_PARQUET_LT_ENUM:
			set_kind_on(t, ICEBERG_PQ_STRING, STRATA_PARQUET_BYTE_ARRAY,
						lt->kind == STRATA_PARQUET_LT_STRING ? "STRING" : "ENUM");
			break;
		case STRATA_PARQUET_LT_JSON:
			set_kind_on(t, ICEBERG_PQ_JSON, STRATA_PARQUET_BYTE_ARRAY, "JSON");
			break;
		case STRATA_PARQUET_LT_UUID:
			if (t->physical != STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY || t->type_length != 16)
				misplaced(t, "UUID");
			else
				t->kind = ICEBERG_PQ_UUID;
			break;
		case STRATA_PARQUET_LT_DECIMAL:
			set_decimal(t, true, lt->decimal_precision, lt->decimal_scale);
			break;
		case STRATA_PARQUET_LT_DATE:
			set_kind_on(t, ICEBERG_PQ_DATE, STRATA_PARQUET_INT32, "DATE");
			break;
		case STRATA_PARQUET_LT_TIME:
			set_time(t, lt->unit, lt->is_adjusted_to_utc);
			break;
		case STRATA_PARQUET_LT_TIMESTAMP:
			set_timestamp(t, lt->unit, lt->is_adjusted_to_utc);
			break;
		case STRATA_PARQUET_LT_INTEGER:
			set_int(t, lt->bit_width, lt->is_signed);
			break;
		case STRATA_PARQUET_LT_UNKNOWN:
			t->kind = ICEBERG_PQ_NULL;
			break;
		case STRATA_PARQUET_LT_BSON:
			unsupported(t, "BSON");
			break;
		case STRATA_PARQUET_LT_FLOAT16:
			unsupported(t, "FLOAT16");
			break;
		case STRATA_PARQUET_LT_MAP:
		case STRATA_PARQUET_LT_LIST:
			misplaced(t, lt->kind == STRATA_PARQUET_LT_MAP ? "MAP" : "LIST");
			break;
		default:
			unsupported(t, iceberg_parquet_logical_name(el));
			break;
	}
}

static void
classify_converted(const StrataParquetSchemaElement *el, IcebergParquetType *t)
{
	switch (el->converted_type)
	{
		case STRATA_PARQUET_CT_UTF8:
		case STRATA_PARQUET_CT_ENUM:
			set_kind_on(t, ICEBERG_PQ_STRING, STRATA_PARQUET_BYTE_ARRAY,
						iceberg_parquet_converted_name(el->converted_type));
			break;
		case STRATA_PARQUET_CT_JSON:
			set_kind_on(t, ICEBERG_PQ_JSON, STRATA_PARQUET_BYTE_ARRAY, "JSON");
			break;
		case STRATA_PARQUET_CT_DECIMAL:
			set_decimal(t, el->has_precision, el->has_precision ? el->precision : 0,
						el->has_scale ? el->scale : 0);
			break;
		case STRATA_PARQUET_CT_DATE:
			set_kind_on(t, ICEBERG_PQ_DATE, STRATA_PARQUET_INT32, "DATE");
			break;
			/* the converted time types are adjusted to UTC by definition */
		case STRATA_PARQUET_CT_TIME_MILLIS:
			set_time(t, STRATA_PARQUET_MILLIS, true);
			break;
		case STRATA_PARQUET_CT_TIME_MICROS:
			set_time(t, STRATA_PARQUET_MICROS, true);
			break;
		case STRATA_PARQUET_CT_TIMESTAMP_MILLIS:
			set_timestamp(t, STRATA_PARQUET_MILLIS, true);
			break;
		case STRATA_PARQUET_CT_TIMESTAMP_MICROS:
			set_timestamp(t, STRATA_PARQUET_MICROS, true);
			break;
		case STRATA_PARQUET_CT_UINT_8:
			set_int(t, 8, false);
			break;
		case STRATA_PARQUET_CT_UINT_16:
			set_int(t, 16, false);
			break;
		case STRATA_PARQUET_CT_UINT_32:
			set_int(t, 32, false);
			break;
		case STRATA_PARQUET_CT_UINT_64:
			set_int(t, 64, false);
			break;
		case STRATA_PARQUET_CT_INT_8:
			set_int(t, 8, true);
			break;
		case STRATA_PARQUET_CT_INT_16:
			set_int(t, 16, true);
			break;
		case STRATA_PARQUET_CT_INT_32:
			set_int(t, 32, true);
			break;
		case STRATA_PARQUET_CT_INT_64:
			set_int(t, 64, true);
			break;
		case STRATA_PARQUET_CT_BSON:
		case STRATA_PARQUET_CT_INTERVAL:
			unsupported(t, iceberg_parquet_converted_name(el->converted_type));
			break;
		default:
			misplaced(t, iceberg_parquet_converted_name(el->converted_type));
			break;
	}
}

/* What the values of a primitive element are. */
void
iceberg_parquet_classify(const StrataParquetSchemaElement *el, IcebergParquetType *t)
{
	memset(t, 0, sizeof(*t));
	t->physical = el->has_type ? el->type : -1;
	t->type_length = el->has_type_length ? el->type_length : 0;
	t->label = element_label(el);

	if (!el->has_type)
	{
		unsupported(t, "group");
		return;
	}
	if (el->logical_type.kind != STRATA_PARQUET_LT_NONE)
	{
		classify_logical(el, t);
		return;
	}
	if (el->has_converted_type)
	{
		classify_converted(el, t);
		return;
	}
	switch (el->type)
	{
		case STRATA_PARQUET_BOOLEAN:
			t->kind = ICEBERG_PQ_BOOLEAN;
			break;
		case STRATA_PARQUET_INT32:
			set_int(t, 32, true);
			break;
		case STRATA_PARQUET_INT64:
			set_int(t, 64, true);
			break;
		case STRATA_PARQUET_INT96:
			t->kind = ICEBERG_PQ_INT96;
			break;
		case STRATA_PARQUET_FLOAT:
			t->kind = ICEBERG_PQ_FLOAT;
			break;
		case STRATA_PARQUET_DOUBLE:
			t->kind = ICEBERG_PQ_DOUBLE;
			break;
		case STRATA_PARQUET_BYTE_ARRAY:
		case STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY:
			t->kind = ICEBERG_PQ_BYTES;
			break;
		default:
			unsupported(t, "an unknown physical type");
			break;
	}
}

static bool
is_repeated(const StrataParquetSchemaElement *el)
{
	return el->has_repetition_type && el->repetition_type == STRATA_PARQUET_REPEATED;
}

static bool
is_group(const StrataParquetSchemaElement *el)
{
	return !el->has_type || (el->has_num_children && el->num_children > 0);
}

static int32
num_children(const StrataParquetSchemaElement *el)
{
	return el->has_num_children ? el->num_children : 0;
}

/* Index after the subtree of element i (depth-first order). */
static int32
subtree_end(const StrataParquetFileMetaData *md, int32 i)
{
	int64		remaining = 1;

	while (remaining > 0 && i < md->num_schema)
	{
		remaining--;
		remaining += num_children(&md->schema[i]);
		i++;
	}
	return i;
}

/*
 * Find the element of a top-level field's values: itself when it is a
 * primitive; for a LIST, the element of the 3-level form
 *
 *	<optional|required> group name (LIST) { repeated group list { <...> element; } }
 *
 * or the repeated primitive of the legacy 2-level form.  A repeated
 * primitive at the top is a list too.  Returns -1 with *why set if the
 * field is something else.
 */
static int32
value_element(const StrataParquetFileMetaData *md, int32 i, bool *is_list,
			  const char **why)
{
	const StrataParquetSchemaElement *el = &md->schema[i];
	const StrataParquetSchemaElement *child;
	const StrataParquetSchemaElement *grandchild;
	bool		list_annotated;

	*is_list = false;
	if (!is_group(el))
	{
		*is_list = is_repeated(el);
		return i;
	}
	list_annotated = el->logical_type.kind == STRATA_PARQUET_LT_LIST ||
		(el->has_converted_type && el->converted_type == STRATA_PARQUET_CT_LIST);
	if (el->logical_type.kind == STRATA_PARQUET_LT_MAP ||
		(el->has_converted_type && (el->converted_type == STRATA_PARQUET_CT_MAP ||
									el->converted_type == STRATA_PARQUET_CT_MAP_KEY_VALUE)))
	{
		*why = "MAP";
		return -1;
	}
	if (!list_annotated)
	{
		*why = is_repeated(el) ? "repeated group" : "group (struct)";
		return -1;
	}
	if (is_repeated(el) || num_children(el) != 1 || i + 1 >= md->num_schema ||
		!is_repeated(&md->schema[i + 1]))
	{
		*why = "malformed LIST";
		return -1;
	}
	*is_list = true;
	child = &md->schema[i + 1];
	if (!is_group(child))
		return i + 1;
	if (num_children(child) == 1 && i + 2 < md->num_schema)
	{
		grandchild = &md->schema[i + 2];
		if (!is_group(grandchild) && !is_repeated(grandchild))
			return i + 2;
	}
	*why = "LIST of lists, maps or structs";
	return -1;
}

/*
 * The top-level fields of a file, in schema order, each classified.  A
 * field COPY cannot read has type kind ICEBERG_PQ_UNSUPPORTED and says
 * why; it matters only if a column asks for it.
 */
IcebergParquetField *
iceberg_parquet_fields(const StrataParquetFileMetaData *md, const StrataParquetLeaf *leaves,
					   int32 num_leaves, int *num_fields)
{
	int32		count = num_children(&md->schema[0]);
	IcebergParquetField *fields = palloc0(sizeof(IcebergParquetField) * Max(count, 1));
	int32		i = 1;
	int			n = 0;

	while (n < count && i < md->num_schema)
	{
		IcebergParquetField *f = &fields[n++];
		const StrataParquetLeaf *leaf = NULL;
		const char *why = NULL;
		int32		elem;
		int32		nleaves = 0;
		int32		l;
		int16		def = 0;

		f->name = md->schema[i].name;
		f->schema_index = i;
		f->leaf = -1;
		for (l = 0; l < num_leaves; l++)
		{
			if (leaves[l].depth > 0 && leaves[l].path_index[0] == i)
			{
				if (nleaves++ == 0)
				{
					leaf = &leaves[l];
					f->leaf = l;
				}
			}
		}

		elem = value_element(md, i, &f->is_list, &why);
		if (elem < 0)
		{
			iceberg_parquet_classify(&md->schema[i], &f->type);
			unsupported(&f->type, why);
		}
		else
		{
			iceberg_parquet_classify(&md->schema[elem], &f->type);
			if (f->is_list)
				f->type.label = psprintf("LIST<%s>", f->type.label);
			if (nleaves != 1 || leaf->schema_index != elem ||
				leaf->max_rep != (f->is_list ? 1 : 0))
			{
				unsupported(&f->type, "malformed nesting");
				f->leaf = -1;
			}
		}

		/* the definition levels of list, element and value */
		if (f->leaf >= 0)
		{
			for (l = 0; l < leaf->depth; l++)
			{
				const StrataParquetSchemaElement *node = &md->schema[leaf->path_index[l]];

				if (node->has_repetition_type &&
					node->repetition_type != STRATA_PARQUET_REQUIRED)
					def++;
				if (l == 0 && !is_repeated(node))
					f->list_def = def;
				if (is_repeated(node))
					f->elem_def = def;
			}
			f->max_def = leaf->max_def;
		}
		i = subtree_end(md, i);
	}
	*num_fields = n;
	return fields;
}

/* ---------------------------------------------------------------------
 * Targets
 * ---------------------------------------------------------------------
 */

/* The class of a column type (of its elements, for an array). */
IcebergTarget
iceberg_target_of(Oid typid, bool *is_array)
{
	Oid			base = getBaseType(typid);
	Oid			elem = get_element_type(base);

	*is_array = false;
	if (OidIsValid(elem))
	{
		*is_array = true;
		base = getBaseType(elem);
	}
	switch (base)
	{
		case BOOLOID:
			return ICEBERG_T_BOOL;
		case INT2OID:
			return ICEBERG_T_INT2;
		case INT4OID:
			return ICEBERG_T_INT4;
		case INT8OID:
			return ICEBERG_T_INT8;
		case NUMERICOID:
			return ICEBERG_T_NUMERIC;
		case FLOAT4OID:
			return ICEBERG_T_FLOAT4;
		case FLOAT8OID:
			return ICEBERG_T_FLOAT8;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			return ICEBERG_T_TEXT;
		case JSONOID:
			return ICEBERG_T_JSON;
		case JSONBOID:
			return ICEBERG_T_JSONB;
		case BYTEAOID:
			return ICEBERG_T_BYTEA;
		case UUIDOID:
			return ICEBERG_T_UUID;
		case DATEOID:
			return ICEBERG_T_DATE;
		case TIMEOID:
			return ICEBERG_T_TIME;
		case TIMESTAMPOID:
			return ICEBERG_T_TIMESTAMP;
		case TIMESTAMPTZOID:
			return ICEBERG_T_TIMESTAMPTZ;
	}
	if (type_is_enum(base))
		return ICEBERG_T_TEXT;
	return ICEBERG_T_NONE;
}

/*
 * The precision and scale of a numeric typmod (the scale may be negative,
 * or above the precision, since PostgreSQL 15); false for no typmod.
 */
bool
iceberg_numeric_typmod(int32 typmod, int32 *precision, int32 *scale)
{
	if (typmod < (int32) VARHDRSZ)
		return false;
	*precision = ((typmod - VARHDRSZ) >> 16) & 0xffff;
	/* an 11-bit signed field */
	*scale = ((((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024);
	return true;
}

bool
iceberg_target_accepts(IcebergTarget target, const IcebergParquetType *type)
{
	if (target == ICEBERG_T_NONE)
		return false;
	switch (type->kind)
	{
		case ICEBERG_PQ_UNSUPPORTED:
			return false;
		case ICEBERG_PQ_NULL:
			return true;
		case ICEBERG_PQ_BOOLEAN:
			return target == ICEBERG_T_BOOL;
		case ICEBERG_PQ_INT:
			return target == ICEBERG_T_INT2 || target == ICEBERG_T_INT4 ||
				target == ICEBERG_T_INT8 || target == ICEBERG_T_NUMERIC;
		case ICEBERG_PQ_FLOAT:
		case ICEBERG_PQ_DOUBLE:
			return target == ICEBERG_T_FLOAT4 || target == ICEBERG_T_FLOAT8;
		case ICEBERG_PQ_DECIMAL:
			return target == ICEBERG_T_NUMERIC;
		case ICEBERG_PQ_STRING:
		case ICEBERG_PQ_JSON:
			return target == ICEBERG_T_TEXT || target == ICEBERG_T_JSON ||
				target == ICEBERG_T_JSONB;
		case ICEBERG_PQ_BYTES:
			return target == ICEBERG_T_BYTEA || target == ICEBERG_T_TEXT;
		case ICEBERG_PQ_UUID:
			return target == ICEBERG_T_UUID;
		case ICEBERG_PQ_DATE:
			return target == ICEBERG_T_DATE;
		case ICEBERG_PQ_TIME:
			return target == ICEBERG_T_TIME;
		case ICEBERG_PQ_TIMESTAMP:
		case ICEBERG_PQ_INT96:
			return target == ICEBERG_T_TIMESTAMP || target == ICEBERG_T_TIMESTAMPTZ;
	}
	return false;
}

/* For a hint: the column types a Parquet type loads into. */
const char *
iceberg_targets_for(const IcebergParquetType *type)
{
	switch (type->kind)
	{
		case ICEBERG_PQ_UNSUPPORTED:
			return "none";
		case ICEBERG_PQ_NULL:
			return "any type";
		case ICEBERG_PQ_BOOLEAN:
			return "boolean";
		case ICEBERG_PQ_INT:
			return "smallint, integer, bigint or numeric";
		case ICEBERG_PQ_FLOAT:
		case ICEBERG_PQ_DOUBLE:
			return "real or double precision";
		case ICEBERG_PQ_DECIMAL:
			return "numeric";
		case ICEBERG_PQ_STRING:
		case ICEBERG_PQ_JSON:
			return "text, varchar, char, an enum type, json or jsonb";
		case ICEBERG_PQ_BYTES:
			return "bytea, or text and varchar for UTF-8 bytes";
		case ICEBERG_PQ_UUID:
			return "uuid";
		case ICEBERG_PQ_DATE:
			return "date";
		case ICEBERG_PQ_TIME:
			return "time";
		case ICEBERG_PQ_TIMESTAMP:
		case ICEBERG_PQ_INT96:
			return "timestamp or timestamptz";
	}
	return "none";
}

/* The Postgres type a Parquet type maps to by default. */
IcebergTarget
iceberg_natural_target(const IcebergParquetType *type)
{
	switch (type->kind)
	{
		case ICEBERG_PQ_UNSUPPORTED:
			return ICEBERG_T_NONE;
		case ICEBERG_PQ_NULL:
			return ICEBERG_T_TEXT;
		case ICEBERG_PQ_BOOLEAN:
			return ICEBERG_T_BOOL;
		case ICEBERG_PQ_INT:
			if (type->is_signed)
				return type->bit_width <= 16 ? ICEBERG_T_INT2 :
					type->bit_width == 32 ? ICEBERG_T_INT4 : ICEBERG_T_INT8;
			return type->bit_width == 8 ? ICEBERG_T_INT2 :
				type->bit_width == 16 ? ICEBERG_T_INT4 :
				type->bit_width == 32 ? ICEBERG_T_INT8 : ICEBERG_T_NUMERIC;
		case ICEBERG_PQ_FLOAT:
			return ICEBERG_T_FLOAT4;
		case ICEBERG_PQ_DOUBLE:
			return ICEBERG_T_FLOAT8;
		case ICEBERG_PQ_DECIMAL:
			return ICEBERG_T_NUMERIC;
		case ICEBERG_PQ_STRING:
			return ICEBERG_T_TEXT;
		case ICEBERG_PQ_JSON:
			return ICEBERG_T_JSON;
		case ICEBERG_PQ_BYTES:
			return ICEBERG_T_BYTEA;
		case ICEBERG_PQ_UUID:
			return ICEBERG_T_UUID;
		case ICEBERG_PQ_DATE:
			return ICEBERG_T_DATE;
		case ICEBERG_PQ_TIME:
			return ICEBERG_T_TIME;
		case ICEBERG_PQ_TIMESTAMP:
			return type->utc ? ICEBERG_T_TIMESTAMPTZ : ICEBERG_T_TIMESTAMP;
		case ICEBERG_PQ_INT96:
			return ICEBERG_T_TIMESTAMP;
	}
	return ICEBERG_T_NONE;
}

/* "numeric(10,2)", "text[]"; NULL for a field COPY cannot load. */
char *
iceberg_natural_pg_type(const IcebergParquetField *field)
{
	const IcebergParquetType *t = &field->type;
	const char *name = NULL;
	char	   *result;

	switch (iceberg_natural_target(t))
	{
		case ICEBERG_T_NONE:
			return NULL;
		case ICEBERG_T_BOOL:
			name = "boolean";
			break;
		case ICEBERG_T_INT2:
			name = "smallint";
			break;
		case ICEBERG_T_INT4:
			name = "integer";
			break;
		case ICEBERG_T_INT8:
			name = "bigint";
			break;
		case ICEBERG_T_NUMERIC:
			name = "numeric";
			if (t->kind == ICEBERG_PQ_DECIMAL && t->precision <= 1000)
				name = psprintf("numeric(%d,%d)", t->precision, t->scale);
			break;
		case ICEBERG_T_FLOAT4:
			name = "real";
			break;
		case ICEBERG_T_FLOAT8:
			name = "double precision";
			break;
		case ICEBERG_T_TEXT:
			name = "text";
			break;
		case ICEBERG_T_JSON:
			name = "json";
			break;
		case ICEBERG_T_JSONB:
			name = "jsonb";
			break;
		case ICEBERG_T_BYTEA:
			name = "bytea";
			break;
		case ICEBERG_T_UUID:
			name = "uuid";
			break;
		case ICEBERG_T_DATE:
			name = "date";
			break;
		case ICEBERG_T_TIME:
			name = "time";
			break;
		case ICEBERG_T_TIMESTAMP:
			name = "timestamp";
			break;
		case ICEBERG_T_TIMESTAMPTZ:
			name = "timestamptz";
			break;
	}
	result = field->is_list ? psprintf("%s[]", name) : pstrdup(name);
	return result;
}

/* ---------------------------------------------------------------------
 * Values
 * ---------------------------------------------------------------------
 */

/* what date_value and its kin return for a value PostgreSQL cannot hold */
#define ICEBERG_OUT_OF_RANGE 2

static int	date_value(int32 days, int64 *out, IcebergFormatError *error);

static uint32
le32(const uint8 *p)
{
	return (uint32) p[0] | (uint32) p[1] << 8 | (uint32) p[2] << 16 | (uint32) p[3] << 24;
}

static uint64
le64(const uint8 *p)
{
	return (uint64) le32(p) | (uint64) le32(p + 4) << 32;
}

/*
 * A statistics value (PLAIN encoding without a length prefix) as a value.
 * False if its size does not fit the type; INT96 statistics, whose order
 * was never defined, are not read.
 */
bool
iceberg_value_from_stats(const IcebergParquetType *type, const StrataParquetBytes *stat,
						 IcebergParquetValue *value)
{
	uint32		u32;
	uint64		u64;

	memset(value, 0, sizeof(*value));
	switch (type->physical)
	{
		case STRATA_PARQUET_BOOLEAN:
			if (stat->len < 1)
				return false;
			value->b = stat->data[0] != 0;
			return true;
		case STRATA_PARQUET_INT32:
			if (stat->len != 4)
				return false;
			value->i32 = (int32) le32(stat->data);
			return true;
		case STRATA_PARQUET_INT64:
			if (stat->len != 8)
				return false;
			value->i64 = (int64) le64(stat->data);
			return true;
		case STRATA_PARQUET_FLOAT:
			if (stat->len != 4)
				return false;
			u32 = le32(stat->data);
			memcpy(&value->f4, &u32, 4);
			return true;
		case STRATA_PARQUET_DOUBLE:
			if (stat->len != 8)
				return false;
			u64 = le64(stat->data);
			memcpy(&value->f8, &u64, 8);
			return true;
		case STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY:
			if (stat->len != (size_t) type->type_length)
				return false;
			value->bytes = stat->data;
			value->len = stat->len;
			return true;
		case STRATA_PARQUET_BYTE_ARRAY:
			value->bytes = stat->data;
			value->len = stat->len;
			return true;
	}
	return false;
}

/*
 * A column chunk's minimum or maximum, if its statistics have one to
 * trust: the exact min_value and max_value, which are in the column's
 * sort order; the deprecated min and max only for types whose order they
 * were computed in (signed comparison).
 */
bool
iceberg_stat_value(const IcebergParquetType *type, const StrataParquetStatistics *stats,
				   bool is_max, IcebergParquetValue *value)
{
	const StrataParquetBytes *stat = NULL;
	bool		signed_order;

	if (is_max ? stats->has_max_value : stats->has_min_value)
		stat = is_max ? &stats->max_value : &stats->min_value;
	else if (is_max ? stats->has_max : stats->has_min)
	{
		switch (type->kind)
		{
			case ICEBERG_PQ_INT:
				signed_order = type->is_signed;
				break;
			case ICEBERG_PQ_DECIMAL:
				signed_order = type->physical == STRATA_PARQUET_INT32 ||
					type->physical == STRATA_PARQUET_INT64;
				break;
			case ICEBERG_PQ_BOOLEAN:
			case ICEBERG_PQ_FLOAT:
			case ICEBERG_PQ_DOUBLE:
			case ICEBERG_PQ_DATE:
			case ICEBERG_PQ_TIME:
			case ICEBERG_PQ_TIMESTAMP:
				signed_order = true;
				break;
			default:
				signed_order = false;
				break;
		}
		if (signed_order)
			stat = is_max ? &stats->max : &stats->min;
	}
	return stat != NULL && type->kind != ICEBERG_PQ_NULL &&
		iceberg_value_from_stats(type, stat, value);
}

static bool
fail(IcebergFormatError *error, int sqlstate, char *message)
{
	error->sqlstate = sqlstate;
	error->message = message;
	error->whole = false;
	return false;
}

static void
append_float(StringInfo out, double v, int digits)
{
	if (isnan(v))
		appendStringInfoString(out, "NaN");
	else if (isinf(v))
		appendStringInfoString(out, v > 0 ? "Infinity" : "-Infinity");
	else
		appendStringInfo(out, "%.*g", digits, v);
}

/* digits (no sign, no leading zeros, "0" for zero) with the point placed */
static void
append_scaled(StringInfo out, bool negative, const char *digits, int scale)
{
	int			n = strlen(digits);

	if (negative && strcmp(digits, "0") != 0)
		appendStringInfoChar(out, '-');
	if (scale == 0)
		appendStringInfoString(out, digits);
	else if (n > scale)
	{
		appendBinaryStringInfo(out, digits, n - scale);
		appendStringInfoChar(out, '.');
		appendStringInfoString(out, digits + n - scale);
	}
	else
	{
		int			i;

		appendStringInfoString(out, "0.");
		for (i = n; i < scale; i++)
			appendStringInfoChar(out, '0');
		appendStringInfoString(out, digits);
	}
}

/*
 * The decimal digits of a big-endian two's-complement integer: repeated
 * division of its magnitude by 10^9.
 */
static bool
big_integer_digits(const uint8 *p, size_t len, bool *negative, StringInfo digits,
				   IcebergFormatError *error)
{
	uint8		mag[MAX_DECIMAL_BYTES];
	uint32		parts[MAX_DECIMAL_BYTES / 3 + 2];
	int			nparts = 0;
	size_t		first = 0;
	size_t		i;

	if (len == 0)
		return fail(error, ERRCODE_DATA_CORRUPTED, pstrdup("empty DECIMAL value"));
	if (len > MAX_DECIMAL_BYTES)
		return fail(error, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
					psprintf("DECIMAL value of %zu bytes is wider than the %d supported",
							 len, MAX_DECIMAL_BYTES));
	memcpy(mag, p, len);
	*negative = (mag[0] & 0x80) != 0;
	if (*negative)
	{
		unsigned	carry = 1;

		for (i = len; i-- > 0;)
		{
			unsigned	v = (uint8) ~mag[i] + carry;

			mag[i] = (uint8) v;
			carry = v >> 8;
		}
	}
	while (first < len)
	{
		uint64		rem = 0;

		while (first < len && mag[first] == 0)
			first++;
		if (first == len)
			break;
		for (i = first; i < len; i++)
		{
			uint64		cur = rem << 8 | mag[i];

			mag[i] = (uint8) (cur / 1000000000);
			rem = cur % 1000000000;
		}
		parts[nparts++] = (uint32) rem;
	}
	if (nparts == 0)
		appendStringInfoChar(digits, '0');
	else
	{
		appendStringInfo(digits, "%u", parts[nparts - 1]);
		for (i = nparts - 1; i-- > 0;)
			appendStringInfo(digits, "%09u", parts[i]);
	}
	return true;
}

static bool
format_decimal(const IcebergParquetType *type, const IcebergParquetValue *v,
			   StringInfo out, IcebergFormatError *error)
{
	StringInfoData digits;
	bool		negative = false;
	int64		unscaled;

	initStringInfo(&digits);
	if (type->physical == STRATA_PARQUET_INT32 || type->physical == STRATA_PARQUET_INT64)
	{
		unscaled = type->physical == STRATA_PARQUET_INT32 ? v->i32 : v->i64;
		negative = unscaled < 0;
		appendStringInfo(&digits, UINT64_FORMAT,
						 negative ? (uint64) 0 - (uint64) unscaled : (uint64) unscaled);
	}
	else if (!big_integer_digits(v->bytes, v->len, &negative, &digits, error))
		return false;
	append_scaled(out, negative, digits.data, type->scale);
	pfree(digits.data);
	return true;
}

static bool
format_utf8(const IcebergParquetValue *v, StringInfo out, IcebergFormatError *error)
{
	if (v->len > (size_t) (MaxAllocSize - 1) ||
		pg_encoding_verifymbstr(PG_UTF8, (const char *) v->bytes, (int) v->len) != (int) v->len)
		return fail(error, ERRCODE_CHARACTER_NOT_IN_REPERTOIRE,
					pstrdup("the value is not valid UTF-8 (or contains a zero byte)"));
	appendBinaryStringInfo(out, (const char *) v->bytes, (int) v->len);
	return true;
}

static bool
format_hex(const IcebergParquetValue *v, StringInfo out, IcebergFormatError *error)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;

	/* a bytea holds at most 1 GB anyway */
	if (v->len > (MaxAllocSize - 16) / 2)
		return fail(error, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
					psprintf("byte array of %zu bytes is too long for bytea", v->len));
	appendStringInfoString(out, "\\x");
	enlargeStringInfo(out, (int) (v->len * 2));
	for (i = 0; i < v->len; i++)
	{
		out->data[out->len++] = hex[v->bytes[i] >> 4];
		out->data[out->len++] = hex[v->bytes[i] & 15];
	}
	out->data[out->len] = '\0';
	return true;
}

static bool
format_uuid(const IcebergParquetValue *v, StringInfo out, IcebergFormatError *error)
{
	int			i;

	if (v->len != 16)
		return fail(error, ERRCODE_DATA_CORRUPTED,
					psprintf("UUID value of %zu bytes", v->len));
	for (i = 0; i < 16; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			appendStringInfoChar(out, '-');
		appendStringInfo(out, "%02x", v->bytes[i]);
	}
	return true;
}

static bool
out_of_range(IcebergFormatError *error, const char *what)
{
	return fail(error, ERRCODE_DATETIME_VALUE_OUT_OF_RANGE,
				psprintf("%s out of range", what));
}

static bool
format_date(int32 days, StringInfo out, IcebergFormatError *error)
{
	int64		d2000 = 0;
	struct pg_tm tm;
	char		buf[MAXDATELEN + 1];

	switch (date_value(days, &d2000, error))
	{
		case 1:
			appendStringInfoString(out, "infinity");
			return true;
		case -1:
			appendStringInfoString(out, "-infinity");
			return true;
		case ICEBERG_OUT_OF_RANGE:
			return false;
	}
	memset(&tm, 0, sizeof(tm));
	j2date((int) d2000 + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	EncodeDateOnly(&tm, USE_ISO_DATES, buf);
	appendStringInfoString(out, buf);
	return true;
}

/* ns to us, half to even (what rint does when PostgreSQL parses them) */
static int64
nanos_to_micros(int64 ns)
{
	int64		q = ns / 1000;
	int64		r = ns % 1000;

	if (r < 0)
	{
		r += 1000;
		q--;
	}
	if (r > 500 || (r == 500 && (q & 1) != 0))
		q++;
	return q;
}

/*
 * What both renderings share: a DATE, TIME or TIMESTAMP as PostgreSQL has
 * it.  Each returns +1 for infinity, -1 for -infinity, 0 for a finite
 * value in *out, or sets *error and returns ICEBERG_OUT_OF_RANGE.
 */
/* days since 2000-01-01 */
static int
date_value(int32 days, int64 *out, IcebergFormatError *error)
{
	if (days == PG_INT32_MAX)
		return 1;
	if (days == PG_INT32_MIN || days == -PG_INT32_MAX)
		return -1;
	*out = (int64) days - ICEBERG_EPOCH_SHIFT_DAYS;
	if (!IS_VALID_DATE(*out))
	{
		out_of_range(error, "date");
		return ICEBERG_OUT_OF_RANGE;
	}
	return 0;
}

/* microseconds past midnight */
static int
time_value(const IcebergParquetType *type, const IcebergParquetValue *v, int64 *out,
		   IcebergFormatError *error)
{
	switch (type->unit)
	{
		case STRATA_PARQUET_MILLIS:
			*out = (int64) v->i32 * 1000;
			break;
		case STRATA_PARQUET_MICROS:
			*out = v->i64;
			break;
		default:
			*out = nanos_to_micros(v->i64);
			break;
	}
	if (*out < 0 || *out > USECS_PER_DAY)
	{
		out_of_range(error, "time");
		return ICEBERG_OUT_OF_RANGE;
	}
	return 0;
}

/* microseconds since 1970-01-01 00:00 UTC */
static int
timestamp_value(const IcebergParquetType *type, const IcebergParquetValue *v, int64 *out,
				IcebergFormatError *error)
{
	if (v->i64 == PG_INT64_MAX)
		return 1;
	if (v->i64 == PG_INT64_MIN || v->i64 == -PG_INT64_MAX)
		return -1;
	switch (type->unit)
	{
		case STRATA_PARQUET_MILLIS:
			if (pg_mul_s64_overflow(v->i64, 1000, out))
			{
				out_of_range(error, "timestamp");
				return ICEBERG_OUT_OF_RANGE;
			}
			break;
		case STRATA_PARQUET_MICROS:
			*out = v->i64;
			break;
		default:
			*out = nanos_to_micros(v->i64);
			break;
	}
	return 0;
}

static bool
format_time(const IcebergParquetType *type, const IcebergParquetValue *v,
			StringInfo out, IcebergFormatError *error)
{
	int64		us;

	if (time_value(type, v, &us, error) != 0)
		return false;
	appendStringInfo(out, "%02d:%02d:%02d.%06d",
					 (int) (us / USECS_PER_HOUR), (int) (us / USECS_PER_MINUTE % 60),
					 (int) (us / USECS_PER_SEC % 60), (int) (us % USECS_PER_SEC));
	return true;
}

/* Microseconds since 1970-01-01 00:00 UTC, as ISO text (UTC). */
static bool
format_unix_micros(int64 us, IcebergTarget target, StringInfo out,
				   IcebergFormatError *error)
{
	Timestamp	ts;
	struct pg_tm tm;
	fsec_t		fsec;
	char		buf[MAXDATELEN + 1];

	if (pg_sub_s64_overflow(us, ICEBERG_EPOCH_SHIFT_USECS,
							&ts) ||
		!IS_VALID_TIMESTAMP(ts) ||
		timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		return out_of_range(error, "timestamp");
	/* "+00" for timestamptz: EncodeDateTime prints a zone only if tm_isdst >= 0 */
	tm.tm_isdst = 0;
	EncodeDateTime(&tm, fsec, target == ICEBERG_T_TIMESTAMPTZ, 0, NULL, USE_ISO_DATES, buf);
	appendStringInfoString(out, buf);
	return true;
}

static bool
format_timestamp(const IcebergParquetType *type, IcebergTarget target,
				 const IcebergParquetValue *v, StringInfo out, IcebergFormatError *error)
{
	int64		us = 0;

	switch (timestamp_value(type, v, &us, error))
	{
		case 1:
			appendStringInfoString(out, "infinity");
			return true;
		case -1:
			appendStringInfoString(out, "-infinity");
			return true;
		case ICEBERG_OUT_OF_RANGE:
			return false;
	}
	return format_unix_micros(us, target, out, error);
}

/*
 * INT96: nanoseconds within the day (8 bytes, LE), then the Julian day
 * number (4 bytes, LE).
 */
static bool
format_int96(IcebergTarget target, const IcebergParquetValue *v, StringInfo out,
			 IcebergFormatError *error)
{
	int64		nanos;
	int32		jd;

	if (v->len != 12)
		return fail(error, ERRCODE_DATA_CORRUPTED, psprintf("INT96 value of %zu bytes", v->len));
	nanos = (int64) le64(v->bytes);
	jd = (int32) le32(v->bytes + 8);
	if (nanos < 0 || nanos >= USECS_PER_DAY * 1000)
		return fail(error, ERRCODE_DATA_CORRUPTED,
					psprintf("INT96 timestamp with " INT64_FORMAT " nanoseconds in its day", nanos));
	if (jd < DATETIME_MIN_JULIAN || jd >= TIMESTAMP_END_JULIAN)
		return out_of_range(error, "timestamp");
	return format_unix_micros((int64) (jd - UNIX_EPOCH_JDATE) * USECS_PER_DAY +
							  nanos_to_micros(nanos), target, out, error);
}

/*
 * Render one value of a Parquet type as input text for a target class
 * iceberg_target_accepts allowed.  Returns false with *error set if the
 * value cannot be rendered (out of range, not UTF-8, malformed); out may
 * then hold part of it.
 */
bool
iceberg_format_value(const IcebergParquetType *type, IcebergTarget target,
					 const IcebergParquetValue *v, StringInfo out, IcebergFormatError *error)
{
	float		f;

	switch (type->kind)
	{
		case ICEBERG_PQ_BOOLEAN:
			appendStringInfoChar(out, v->b ? 't' : 'f');
			return true;
		case ICEBERG_PQ_INT:
			if (type->physical == STRATA_PARQUET_INT32)
			{
				if (type->is_signed)
					appendStringInfo(out, "%d", v->i32);
				else
					appendStringInfo(out, "%u", (uint32) v->i32);
			}
			else if (type->is_signed)
				appendStringInfo(out, INT64_FORMAT, v->i64);
			else
				appendStringInfo(out, UINT64_FORMAT, (uint64) v->i64);
			return true;
		case ICEBERG_PQ_FLOAT:
			/* 9 digits bring a float back exactly, 17 a double */
			if (target == ICEBERG_T_FLOAT4)
				append_float(out, v->f4, 9);
			else
				append_float(out, (double) v->f4, 17);
			return true;
		case ICEBERG_PQ_DOUBLE:
			if (target != ICEBERG_T_FLOAT4)
			{
				append_float(out, v->f8, 17);
				return true;
			}
			/* what the double precision to real cast does */
			f = (float) v->f8;
			if (isinf(f) && !isinf(v->f8))
				return fail(error, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
							pstrdup("value out of range: overflow"));
			if (f == 0.0f && v->f8 != 0.0)
				return fail(error, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
							pstrdup("value out of range: underflow"));
			append_float(out, f, 9);
			return true;
		case ICEBERG_PQ_DECIMAL:
			return format_decimal(type, v, out, error);
		case ICEBERG_PQ_STRING:
		case ICEBERG_PQ_JSON:
			return format_utf8(v, out, error);
		case ICEBERG_PQ_BYTES:
			if (target == ICEBERG_T_TEXT)
				return format_utf8(v, out, error);
			return format_hex(v, out, error);
		case ICEBERG_PQ_UUID:
			return format_uuid(v, out, error);
		case ICEBERG_PQ_DATE:
			return format_date(v->i32, out, error);
		case ICEBERG_PQ_TIME:
			return format_time(type, v, out, error);
		case ICEBERG_PQ_TIMESTAMP:
			return format_timestamp(type, target, v, out, error);
		case ICEBERG_PQ_INT96:
			return format_int96(target, v, out, error);
		case ICEBERG_PQ_NULL:
		case ICEBERG_PQ_UNSUPPORTED:
			break;
	}
	return fail(error, ERRCODE_INTERNAL_ERROR,
				psprintf("cannot render a value of Parquet type %s", type->label));
}

/* ---------------------------------------------------------------------
 * Binary COPY values
 *
 * COPY FROM reads what parquet_copy.c renders in COPY's binary format, so
 * each value is handed over in its type's send/receive representation:
 * the receive function of the column (or of its domain) then applies the
 * typmod and the domain's constraints, as the input function would.  The
 * common pairs are encoded here directly, with the same checks and the
 * same results as the text rendering above; every other pair (numeric
 * targets, text from bytes) renders text, runs the base type's input
 * function and its send function, so it cannot differ from the text path.
 * ---------------------------------------------------------------------
 */

static void
append_be16(StringInfo out, uint16 v)
{
	uint16		n = pg_hton16(v);

	appendBinaryStringInfo(out, (char *) &n, 2);
}

static void
append_be32(StringInfo out, uint32 v)
{
	uint32		n = pg_hton32(v);

	appendBinaryStringInfo(out, (char *) &n, 4);
}

static void
append_be64(StringInfo out, uint64 v)
{
	uint64		n = pg_hton64(v);

	appendBinaryStringInfo(out, (char *) &n, 8);
}

static void
append_float4(StringInfo out, float f)
{
	uint32		bits;

	memcpy(&bits, &f, 4);
	append_be32(out, bits);
}

static void
append_float8(StringInfo out, double d)
{
	uint64		bits;

	memcpy(&bits, &d, 8);
	append_be64(out, bits);
}

void
iceberg_binary_target_init(IcebergBinaryTarget *bt, Oid typid, IcebergTarget target)
{
	memset(bt, 0, sizeof(*bt));
	bt->target = target;
	bt->typid = getBaseType(typid);
}

/* text, the base type's input function, then its send function */
static void
binary_by_text(const IcebergParquetType *type, IcebergBinaryTarget *bt,
			   const IcebergParquetValue *v, StringInfo out, IcebergFormatError *error,
			   bool *ok)
{
	StringInfoData text;
	Datum		d;
	bytea	   *sent;

	if (!bt->fallback_ready)
	{
		Oid			in,
					send;
		bool		varlena;

		getTypeInputInfo(bt->typid, &in, &bt->in_ioparam);
		getTypeBinaryOutputInfo(bt->typid, &send, &varlena);
		fmgr_info(in, &bt->in_fn);
		fmgr_info(send, &bt->send_fn);
		bt->fallback_ready = true;
	}
	initStringInfo(&text);
	if (!iceberg_format_value(type, bt->target, v, &text, error))
	{
		*ok = false;
		return;
	}
	/* the text is UTF-8, as COPY's ENCODING 'UTF8' used to take it */
	d = InputFunctionCall(&bt->in_fn, pg_any_to_server(text.data, text.len, PG_UTF8),
						  bt->in_ioparam, -1);
	sent = SendFunctionCall(&bt->send_fn, d);
	appendBinaryStringInfo(out, VARDATA(sent), VARSIZE(sent) - VARHDRSZ);
	*ok = true;
}

static bool
int_out_of_range(IcebergFormatError *error, const IcebergParquetType *type,
				 const IcebergParquetValue *v, const char *typname)
{
	char	   *text;

	if (type->physical == STRATA_PARQUET_INT32)
		text = type->is_signed ? psprintf("%d", v->i32) : psprintf("%u", (uint32) v->i32);
	else
		text = type->is_signed ? psprintf(INT64_FORMAT, v->i64) :
			psprintf(UINT64_FORMAT, (uint64) v->i64);
	/* the input function's own error, as the text rendering met it */
	fail(error, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
		 psprintf("value \"%s\" is out of range for type %s", text, typname));
	error->whole = true;
	return false;
}

/* Unix microseconds to a PostgreSQL timestamp, range-checked. */
static bool
binary_unix_micros(int64 us, StringInfo out, IcebergFormatError *error)
{
	Timestamp	ts;

	if (pg_sub_s64_overflow(us, ICEBERG_EPOCH_SHIFT_USECS,
							&ts) ||
		!IS_VALID_TIMESTAMP(ts))
		return out_of_range(error, "timestamp");
	append_be64(out, (uint64) ts);
	return true;
}

/*
 * Append one value of a Parquet type in the binary representation of the
 * target's type (bt, from iceberg_binary_target_init).  Returns false with
 * *error set as iceberg_format_value does.
 */
bool
iceberg_binary_value(const IcebergParquetType *type, IcebergBinaryTarget *bt,
					 const IcebergParquetValue *v, StringInfo out, IcebergFormatError *error)
{
	IcebergTarget target = bt->target;
	bool		ok;
	int64		i;
	float		f;

	switch (type->kind)
	{
		case ICEBERG_PQ_BOOLEAN:
			appendStringInfoChar(out, v->b ? 1 : 0);
			return true;
		case ICEBERG_PQ_INT:
			if (target == ICEBERG_T_NUMERIC)
				break;
			if (type->physical == STRATA_PARQUET_INT64 && !type->is_signed && v->i64 < 0)
				return int_out_of_range(error, type, v,
										target == ICEBERG_T_INT2 ? "smallint" :
										target == ICEBERG_T_INT4 ? "integer" : "bigint");
			if (type->physical == STRATA_PARQUET_INT32)
				i = type->is_signed ? (int64) v->i32 : (int64) (uint32) v->i32;
			else
				i = v->i64;
			switch (target)
			{
				case ICEBERG_T_INT2:
					if (i < PG_INT16_MIN || i > PG_INT16_MAX)
						return int_out_of_range(error, type, v, "smallint");
					append_be16(out, (uint16) (int16) i);
					return true;
				case ICEBERG_T_INT4:
					if (i < PG_INT32_MIN || i > PG_INT32_MAX)
						return int_out_of_range(error, type, v, "integer");
					append_be32(out, (uint32) (int32) i);
					return true;
				default:
					append_be64(out, (uint64) i);
					return true;
			}
		case ICEBERG_PQ_FLOAT:
			if (target == ICEBERG_T_FLOAT4)
				append_float4(out, v->f4);
			else
				append_float8(out, (double) v->f4);
			return true;
		case ICEBERG_PQ_DOUBLE:
			if (target != ICEBERG_T_FLOAT4)
			{
				append_float8(out, v->f8);
				return true;
			}
			/* what the double precision to real cast does */
			f = (float) v->f8;
			if (isinf(f) && !isinf(v->f8))
				return fail(error, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
							pstrdup("value out of range: overflow"));
			if (f == 0.0f && v->f8 != 0.0)
				return fail(error, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
							pstrdup("value out of range: underflow"));
			append_float4(out, f);
			return true;
		case ICEBERG_PQ_STRING:
		case ICEBERG_PQ_JSON:
		case ICEBERG_PQ_BYTES:
			if (type->kind == ICEBERG_PQ_BYTES && target == ICEBERG_T_BYTEA)
			{
				if (v->len > MaxAllocSize - VARHDRSZ)
					return fail(error, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
								psprintf("byte array of %zu bytes is too long for bytea", v->len));
				appendBinaryStringInfo(out, (const char *) v->bytes, (int) v->len);
				return true;
			}
			if (GetDatabaseEncoding() != PG_UTF8)
				break;			/* the input function converts */
			if (target == ICEBERG_T_JSONB)
				appendStringInfoChar(out, 1);	/* jsonb's binary version */
			/* UTF-8 is checked here; the receive function checks again */
			return format_utf8(v, out, error);
		case ICEBERG_PQ_UUID:
			if (v->len != 16)
				return fail(error, ERRCODE_DATA_CORRUPTED,
							psprintf("UUID value of %zu bytes", v->len));
			appendBinaryStringInfo(out, (const char *) v->bytes, 16);
			return true;
		case ICEBERG_PQ_DATE:
			switch (date_value(v->i32, &i, error))
			{
				case 1:
					append_be32(out, (uint32) DATEVAL_NOEND);
					return true;
				case -1:
					append_be32(out, (uint32) DATEVAL_NOBEGIN);
					return true;
				case ICEBERG_OUT_OF_RANGE:
					return false;
			}
			append_be32(out, (uint32) (int32) i);
			return true;
		case ICEBERG_PQ_TIME:
			if (time_value(type, v, &i, error) != 0)
				return false;
			append_be64(out, (uint64) i);
			return true;
		case ICEBERG_PQ_TIMESTAMP:
			switch (timestamp_value(type, v, &i, error))
			{
				case 1:
					append_be64(out, (uint64) DT_NOEND);
					return true;
				case -1:
					append_be64(out, (uint64) DT_NOBEGIN);
					return true;
				case ICEBERG_OUT_OF_RANGE:
					return false;
			}
			return binary_unix_micros(i, out, error);
		case ICEBERG_PQ_DECIMAL:
		case ICEBERG_PQ_INT96:
			break;
		case ICEBERG_PQ_NULL:
		case ICEBERG_PQ_UNSUPPORTED:
			return fail(error, ERRCODE_INTERNAL_ERROR,
						psprintf("cannot render a value of Parquet type %s", type->label));
	}
	binary_by_text(type, bt, v, out, error, &ok);
	return ok;
}
