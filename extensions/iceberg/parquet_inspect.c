/*-------------------------------------------------------------------------
 *
 * parquet_inspect.c
 *	  SQL functions that show a Parquet file's footer:
 *		strata_iceberg.parquet_schema(path)			one row per schema element
 *		strata_iceberg.parquet_metadata(path)		one row per column chunk
 *		strata_iceberg.parquet_file_metadata(path)	one row for the file
 *
 * They read only the footer, and need what COPY FROM a file needs:
 * superuser or the privileges of pg_read_server_files.
 *
 *-------------------------------------------------------------------------
 */
#include "iceberg.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

static IcebergParquetFile *
open_for_sql(text *path)
{
	iceberg_check_read_privilege("read a Parquet file");
	return iceberg_parquet_open(text_to_cstring(path));
}

static const char *
repetition_name(const StrataParquetSchemaElement *el)
{
	if (!el->has_repetition_type)
		return NULL;
	switch (el->repetition_type)
	{
		case STRATA_PARQUET_REQUIRED:
			return "REQUIRED";
		case STRATA_PARQUET_OPTIONAL:
			return "OPTIONAL";
		case STRATA_PARQUET_REPEATED:
			return "REPEATED";
	}
	return "unknown";
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s == NULL ? (Datum) 0 : CStringGetTextDatum(s);
}

/* An element's place in the tree while walking it depth-first. */
typedef struct SchemaFrame
{
	int32		remaining;		/* children not yet visited */
	int16		def;
	int16		rep;
	int32		depth;
	char	   *path;			/* NULL for the root */
} SchemaFrame;

#define SCHEMA_COLS 16

PG_FUNCTION_INFO_V1(iceberg_parquet_schema);
Datum
iceberg_parquet_schema(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	IcebergParquetFile *file = open_for_sql(PG_GETARG_TEXT_PP(0));
	const StrataParquetFileMetaData *md = iceberg_parquet_footer(file);
	const StrataParquetLeaf *leaves;
	int32		num_leaves;
	IcebergParquetField *fields;
	int			num_fields;
	SchemaFrame *stack;
	int			top = 0;
	int32		i;

	InitMaterializedSRF(fcinfo, 0);
	leaves = iceberg_parquet_leaves(file, &num_leaves);
	fields = iceberg_parquet_fields(md, leaves, num_leaves, &num_fields);
	stack = palloc(sizeof(SchemaFrame) * (md->num_schema + 1));

	for (i = 0; i < md->num_schema; i++)
	{
		const StrataParquetSchemaElement *el = &md->schema[i];
		Datum		values[SCHEMA_COLS];
		bool		nulls[SCHEMA_COLS];
		SchemaFrame me;
		char	   *pg_type = NULL;
		int			f;

		memset(nulls, 0, sizeof(nulls));
		memset(&me, 0, sizeof(me));
		if (i > 0)
		{
			SchemaFrame *parent;

			while (top > 0 && stack[top - 1].remaining == 0)
				top--;
			if (top == 0)
				break;			/* schema_leaves checked the tree; cannot happen */
			parent = &stack[top - 1];
			parent->remaining--;
			me.def = parent->def +
				(el->has_repetition_type && el->repetition_type != STRATA_PARQUET_REQUIRED);
			me.rep = parent->rep +
				(el->has_repetition_type && el->repetition_type == STRATA_PARQUET_REPEATED);
			me.depth = parent->depth + 1;
			me.path = parent->path == NULL ? pstrdup(el->name) :
				psprintf("%s.%s", parent->path, el->name);
		}
		if (me.depth == 1)
		{
			for (f = 0; f < num_fields; f++)
				if (fields[f].schema_index == i)
					pg_type = iceberg_natural_pg_type(&fields[f]);
		}

		values[0] = Int32GetDatum(i);
		values[1] = CStringGetTextDatum(el->name);
		values[2] = text_or_null(me.path, &nulls[2]);
		values[3] = Int32GetDatum(me.depth);
		values[4] = text_or_null(el->has_type ? strata_parquet_type_name(el->type) : NULL,
								 &nulls[4]);
		values[5] = text_or_null(iceberg_parquet_logical_name(el), &nulls[5]);
		values[6] = text_or_null(el->has_converted_type ?
								 iceberg_parquet_converted_name(el->converted_type) : NULL,
								 &nulls[6]);
		values[7] = text_or_null(repetition_name(el), &nulls[7]);
		values[8] = Int32GetDatum(el->type_length);
		nulls[8] = !el->has_type_length;
		values[9] = Int32GetDatum(el->precision);
		nulls[9] = !el->has_precision;
		values[10] = Int32GetDatum(el->scale);
		nulls[10] = !el->has_scale;
		values[11] = Int32GetDatum(el->field_id);
		nulls[11] = !el->has_field_id;
		values[12] = Int32GetDatum(el->num_children);
		nulls[12] = !el->has_num_children;
		values[13] = Int32GetDatum(me.def);
		values[14] = Int32GetDatum(me.rep);
		values[15] = text_or_null(pg_type, &nulls[15]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);

		if (el->has_num_children && el->num_children > 0)
		{
			me.remaining = el->num_children;
			stack[top++] = me;
		}
	}
	iceberg_parquet_close(file);
	return (Datum) 0;
}

/*
 * A column chunk's minimum or maximum as text, in the column's natural
 * Postgres type; NULL when absent or not renderable
 * (iceberg_stat_value says which statistics are trusted).
 */
static char *
render_stat(const IcebergParquetType *type, const StrataParquetStatistics *stats, bool is_max)
{
	IcebergParquetValue value;
	IcebergFormatError error;
	StringInfoData buf;

	if (!iceberg_stat_value(type, stats, is_max, &value))
		return NULL;
	initStringInfo(&buf);
	if (!iceberg_format_value(type, iceberg_natural_target(type), &value, &buf, &error))
		return NULL;
	return buf.data;
}

#define METADATA_COLS 15

PG_FUNCTION_INFO_V1(iceberg_parquet_metadata);
Datum
iceberg_parquet_metadata(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	IcebergParquetFile *file = open_for_sql(PG_GETARG_TEXT_PP(0));
	const StrataParquetFileMetaData *md = iceberg_parquet_footer(file);
	const StrataParquetLeaf *leaves;
	int32		num_leaves;
	IcebergParquetType *types;
	int32		r,
				c;

	InitMaterializedSRF(fcinfo, 0);
	leaves = iceberg_parquet_leaves(file, &num_leaves);
	types = palloc0(sizeof(IcebergParquetType) * Max(num_leaves, 1));
	for (c = 0; c < num_leaves; c++)
		iceberg_parquet_classify(leaves[c].element, &types[c]);

	for (r = 0; r < md->num_row_groups; r++)
	{
		const StrataParquetRowGroup *rg = &md->row_groups[r];

		for (c = 0; c < rg->num_columns; c++)
		{
			const StrataParquetColumnMetaData *cmd = rg->columns[c].meta_data;
			Datum		values[METADATA_COLS];
			bool		nulls[METADATA_COLS];
			int			k;

			memset(nulls, 0, sizeof(nulls));
			values[0] = Int32GetDatum(r);
			values[1] = Int64GetDatum(rg->num_rows);
			values[2] = Int32GetDatum(c);
			for (k = 3; k < METADATA_COLS; k++)
				nulls[k] = true;
			if (cmd != NULL)
			{
				StringInfoData path;
				Datum	   *encodings = palloc(sizeof(Datum) * Max(cmd->num_encodings, 1));

				initStringInfo(&path);
				for (k = 0; k < cmd->num_path; k++)
					appendStringInfo(&path, "%s%s", k > 0 ? "." : "", cmd->path_in_schema[k]);
				for (k = 0; k < cmd->num_encodings; k++)
					encodings[k] = CStringGetTextDatum(strata_parquet_encoding_name(cmd->encodings[k]));

				values[3] = CStringGetTextDatum(path.data);
				values[4] = CStringGetTextDatum(strata_parquet_type_name(cmd->type));
				values[5] = CStringGetTextDatum(iceberg_parquet_codec_name(cmd->codec));
				values[6] = PointerGetDatum(construct_array(encodings, cmd->num_encodings,
															TEXTOID, -1, false, TYPALIGN_INT));
				values[7] = Int64GetDatum(cmd->num_values);
				values[8] = Int64GetDatum(cmd->total_compressed_size);
				values[9] = Int64GetDatum(cmd->total_uncompressed_size);
				values[10] = Int64GetDatum(cmd->dictionary_page_offset);
				values[11] = Int64GetDatum(cmd->data_page_offset);
				for (k = 3; k <= 9; k++)
					nulls[k] = false;
				nulls[10] = !cmd->has_dictionary_page_offset;
				nulls[11] = false;
				if (cmd->has_statistics)
				{
					const StrataParquetStatistics *stats = &cmd->statistics;
					char	   *min = NULL;
					char	   *max = NULL;

					values[12] = Int64GetDatum(stats->null_count);
					nulls[12] = !stats->has_null_count;
					/* the statistics are of the leaf, whatever its place */
					if (c < num_leaves && cmd->type == leaves[c].type)
					{
						min = render_stat(&types[c], stats, false);
						max = render_stat(&types[c], stats, true);
					}
					values[13] = text_or_null(min, &nulls[13]);
					values[14] = text_or_null(max, &nulls[14]);
				}
			}
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	iceberg_parquet_close(file);
	return (Datum) 0;
}

#define FILE_COLS 5

PG_FUNCTION_INFO_V1(iceberg_parquet_file_metadata);
Datum
iceberg_parquet_file_metadata(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	IcebergParquetFile *file = open_for_sql(PG_GETARG_TEXT_PP(0));
	const StrataParquetFileMetaData *md = iceberg_parquet_footer(file);
	int32		num_leaves;
	Datum		values[FILE_COLS];
	bool		nulls[FILE_COLS];

	InitMaterializedSRF(fcinfo, 0);
	(void) iceberg_parquet_leaves(file, &num_leaves);
	memset(nulls, 0, sizeof(nulls));
	values[0] = Int64GetDatum(md->num_rows);
	values[1] = Int32GetDatum(md->num_row_groups);
	values[2] = Int32GetDatum(num_leaves);
	values[3] = Int32GetDatum(md->version);
	values[4] = text_or_null(md->created_by, &nulls[4]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	iceberg_parquet_close(file);
	return (Datum) 0;
}
