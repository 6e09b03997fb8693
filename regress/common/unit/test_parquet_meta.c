/*-------------------------------------------------------------------------
 *
 * test_parquet_meta.c
 *	  Unit tests of strata_parquet_meta: FileMetaData and PageHeader.
 *
 * A FileMetaData that sets every field we model (every logical type,
 * statistics with fields present and absent) is encoded, decoded and
 * compared field by field, and encoded again to the same bytes.  Byte
 * vectors written by hand from parquet.thrift check the decoder on its
 * own.  Bad input (every truncation, huge counts, deep nesting, wrong wire
 * types, missing required fields, negative sizes, bad magic and footer
 * lengths) must come back as an error status, never a crash: the tests
 * run under ASan and UBSan.
 *
 * Real files: when STRATA_PARQUET_SAMPLES names a directory, every
 * *.parquet in it is checked: footer located and decoded, schema, row
 * counts, chunk offsets, and the first page of every column chunk
 * decoded and decompressed.  regress/common/unit/make_parquet_samples.js
 * writes such a directory with DuckDB, and the expectations below know
 * its files.  Without the variable that check is reported as skipped.
 *
 *-------------------------------------------------------------------------
 */
#include "tap.h"
#include "strata_compress.h"
#include "strata_parquet_meta.h"

#include <dirent.h>
#include <stdint.h>
#include <string.h>

/* tap.h has no skip; TAP wants "ok N # skip reason" */
static void
tap_skip(const char *reason)
{
	tap_count++;
	printf("ok %d # skip %s\n", tap_count, reason);
	fflush(stdout);
}

/* ---------------------------------------------------------------------
 * Deep comparison; the first difference is named in "diff"
 * ---------------------------------------------------------------------
 */
static char diff[200];

#define SAME(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			snprintf(diff, sizeof(diff), __VA_ARGS__); \
			return false; \
		} \
	} while (0)

static bool
text_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
bytes_eq(bool has_a, const StrataParquetBytes *a, bool has_b, const StrataParquetBytes *b)
{
	if (has_a != has_b)
		return false;
	if (!has_a)
		return true;
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static bool
stats_eq(const StrataParquetStatistics *a, const StrataParquetStatistics *b)
{
	SAME(bytes_eq(a->has_max, &a->max, b->has_max, &b->max), "statistics max");
	SAME(bytes_eq(a->has_min, &a->min, b->has_min, &b->min), "statistics min");
	SAME(a->has_null_count == b->has_null_count &&
		 (!a->has_null_count || a->null_count == b->null_count), "statistics null_count");
	SAME(a->has_distinct_count == b->has_distinct_count &&
		 (!a->has_distinct_count || a->distinct_count == b->distinct_count),
		 "statistics distinct_count");
	SAME(bytes_eq(a->has_max_value, &a->max_value, b->has_max_value, &b->max_value),
		 "statistics max_value");
	SAME(bytes_eq(a->has_min_value, &a->min_value, b->has_min_value, &b->min_value),
		 "statistics min_value");
	SAME(a->has_is_max_value_exact == b->has_is_max_value_exact &&
		 a->is_max_value_exact == b->is_max_value_exact, "statistics is_max_value_exact");
	SAME(a->has_is_min_value_exact == b->has_is_min_value_exact &&
		 a->is_min_value_exact == b->is_min_value_exact, "statistics is_min_value_exact");
	return true;
}

static bool
kvs_eq(bool has_a, int32_t na, const StrataParquetKeyValue *a,
	   bool has_b, int32_t nb, const StrataParquetKeyValue *b)
{
	int32_t		i;

	SAME(has_a == has_b && na == nb, "key_value_metadata count");
	for (i = 0; i < na; i++)
	{
		SAME(text_eq(a[i].key, b[i].key), "key %d", i);
		SAME(bytes_eq(a[i].has_value, &a[i].value, b[i].has_value, &b[i].value),
			 "value of key %d", i);
	}
	return true;
}

static bool
schema_eq(const StrataParquetSchemaElement *a, const StrataParquetSchemaElement *b)
{
	const StrataParquetLogicalType *la = &a->logical_type;
	const StrataParquetLogicalType *lb = &b->logical_type;

	SAME(text_eq(a->name, b->name), "schema name %s", a->name);
#define OPT(f) SAME(a->has_##f == b->has_##f && (!a->has_##f || a->f == b->f), \
					"schema %s: " #f, a->name)
	OPT(type);
	OPT(type_length);
	OPT(repetition_type);
	OPT(num_children);
	OPT(converted_type);
	OPT(scale);
	OPT(precision);
	OPT(field_id);
#undef OPT
	SAME(la->kind == lb->kind, "schema %s: logical kind %d vs %d", a->name, la->kind, lb->kind);
	switch (la->kind)
	{
		case STRATA_PARQUET_LT_DECIMAL:
			SAME(la->decimal_scale == lb->decimal_scale &&
				 la->decimal_precision == lb->decimal_precision, "schema %s: decimal", a->name);
			break;
		case STRATA_PARQUET_LT_TIME:
		case STRATA_PARQUET_LT_TIMESTAMP:
			SAME(la->is_adjusted_to_utc == lb->is_adjusted_to_utc && la->unit == lb->unit,
				 "schema %s: time", a->name);
			break;
		case STRATA_PARQUET_LT_INTEGER:
			SAME(la->bit_width == lb->bit_width && la->is_signed == lb->is_signed,
				 "schema %s: integer", a->name);
			break;
		case STRATA_PARQUET_LT_OTHER:
			SAME(la->other_id == lb->other_id, "schema %s: other id", a->name);
			break;
		default:
			break;
	}
	return true;
}

static bool
column_meta_eq(const StrataParquetColumnMetaData *a, const StrataParquetColumnMetaData *b)
{
	int32_t		i;

	SAME(a->type == b->type && a->codec == b->codec, "column type/codec");
	SAME(a->num_encodings == b->num_encodings, "encodings count");
	for (i = 0; i < a->num_encodings; i++)
		SAME(a->encodings[i] == b->encodings[i], "encoding %d", i);
	SAME(a->num_path == b->num_path, "path count");
	for (i = 0; i < a->num_path; i++)
		SAME(text_eq(a->path_in_schema[i], b->path_in_schema[i]), "path %d", i);
	SAME(a->num_values == b->num_values &&
		 a->total_uncompressed_size == b->total_uncompressed_size &&
		 a->total_compressed_size == b->total_compressed_size &&
		 a->data_page_offset == b->data_page_offset, "column sizes");
	if (!kvs_eq(a->has_key_value_metadata, a->num_key_value, a->key_value_metadata,
				b->has_key_value_metadata, b->num_key_value, b->key_value_metadata))
		return false;
#define OPT(f) SAME(a->has_##f == b->has_##f && (!a->has_##f || a->f == b->f), "column " #f)
	OPT(index_page_offset);
	OPT(dictionary_page_offset);
	OPT(bloom_filter_offset);
	OPT(bloom_filter_length);
#undef OPT
	SAME(a->has_statistics == b->has_statistics, "column has_statistics");
	return !a->has_statistics || stats_eq(&a->statistics, &b->statistics);
}

static bool
file_meta_eq(const StrataParquetFileMetaData *a, const StrataParquetFileMetaData *b)
{
	int32_t		i,
				j;

	SAME(a->version == b->version && a->num_rows == b->num_rows, "version/num_rows");
	SAME(a->num_schema == b->num_schema, "schema count");
	for (i = 0; i < a->num_schema; i++)
		if (!schema_eq(&a->schema[i], &b->schema[i]))
			return false;
	SAME(a->num_row_groups == b->num_row_groups, "row group count");
	for (i = 0; i < a->num_row_groups; i++)
	{
		const StrataParquetRowGroup *ra = &a->row_groups[i];
		const StrataParquetRowGroup *rb = &b->row_groups[i];

		SAME(ra->num_columns == rb->num_columns && ra->total_byte_size == rb->total_byte_size &&
			 ra->num_rows == rb->num_rows, "row group %d", i);
		SAME(ra->has_file_offset == rb->has_file_offset && ra->file_offset == rb->file_offset &&
			 ra->has_total_compressed_size == rb->has_total_compressed_size &&
			 ra->total_compressed_size == rb->total_compressed_size &&
			 ra->has_ordinal == rb->has_ordinal && ra->ordinal == rb->ordinal,
			 "row group %d optional fields", i);
		for (j = 0; j < ra->num_columns; j++)
		{
			const StrataParquetColumnChunk *ca = &ra->columns[j];
			const StrataParquetColumnChunk *cb = &rb->columns[j];

			SAME(text_eq(ca->file_path, cb->file_path) && ca->file_offset == cb->file_offset,
				 "chunk %d.%d", i, j);
			SAME(ca->has_offset_index_offset == cb->has_offset_index_offset &&
				 ca->offset_index_offset == cb->offset_index_offset &&
				 ca->has_offset_index_length == cb->has_offset_index_length &&
				 ca->offset_index_length == cb->offset_index_length &&
				 ca->has_column_index_offset == cb->has_column_index_offset &&
				 ca->column_index_offset == cb->column_index_offset &&
				 ca->has_column_index_length == cb->has_column_index_length &&
				 ca->column_index_length == cb->column_index_length,
				 "chunk %d.%d index offsets", i, j);
			SAME((ca->meta_data == NULL) == (cb->meta_data == NULL), "chunk %d.%d meta_data", i, j);
			if (ca->meta_data && !column_meta_eq(ca->meta_data, cb->meta_data))
				return false;
		}
	}
	if (!kvs_eq(a->has_key_value_metadata, a->num_key_value, a->key_value_metadata,
				b->has_key_value_metadata, b->num_key_value, b->key_value_metadata))
		return false;
	SAME(text_eq(a->created_by, b->created_by), "created_by");
	SAME(a->has_column_orders == b->has_column_orders &&
		 a->num_column_orders == b->num_column_orders, "column_orders");
	for (i = 0; i < a->num_column_orders; i++)
		SAME(a->column_orders[i] == b->column_orders[i], "column_order %d", i);
	return true;
}

static bool
page_header_eq(const StrataParquetPageHeader *a, const StrataParquetPageHeader *b)
{
	SAME(a->type == b->type && a->uncompressed_page_size == b->uncompressed_page_size &&
		 a->compressed_page_size == b->compressed_page_size, "page sizes");
	SAME(a->has_crc == b->has_crc && a->crc == b->crc, "crc");
	SAME(a->has_data_page_header == b->has_data_page_header, "has data page header");
	if (a->has_data_page_header)
	{
		const StrataParquetDataPageHeader *x = &a->data_page_header;
		const StrataParquetDataPageHeader *y = &b->data_page_header;

		SAME(x->num_values == y->num_values && x->encoding == y->encoding &&
			 x->definition_level_encoding == y->definition_level_encoding &&
			 x->repetition_level_encoding == y->repetition_level_encoding &&
			 x->has_statistics == y->has_statistics, "data page header");
		if (x->has_statistics && !stats_eq(&x->statistics, &y->statistics))
			return false;
	}
	SAME(a->has_dictionary_page_header == b->has_dictionary_page_header &&
		 a->dictionary_page_header.num_values == b->dictionary_page_header.num_values &&
		 a->dictionary_page_header.encoding == b->dictionary_page_header.encoding &&
		 a->dictionary_page_header.has_is_sorted == b->dictionary_page_header.has_is_sorted &&
		 a->dictionary_page_header.is_sorted == b->dictionary_page_header.is_sorted,
		 "dictionary page header");
	SAME(a->has_data_page_header_v2 == b->has_data_page_header_v2, "has v2 header");
	if (a->has_data_page_header_v2)
	{
		const StrataParquetDataPageHeaderV2 *x = &a->data_page_header_v2;
		const StrataParquetDataPageHeaderV2 *y = &b->data_page_header_v2;

		SAME(x->num_values == y->num_values && x->num_nulls == y->num_nulls &&
			 x->num_rows == y->num_rows && x->encoding == y->encoding &&
			 x->definition_levels_byte_length == y->definition_levels_byte_length &&
			 x->repetition_levels_byte_length == y->repetition_levels_byte_length &&
			 x->has_is_compressed == y->has_is_compressed &&
			 x->is_compressed == y->is_compressed &&
			 x->has_statistics == y->has_statistics, "v2 header");
		if (x->has_statistics && !stats_eq(&x->statistics, &y->statistics))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * A FileMetaData with every modelled field set
 * ---------------------------------------------------------------------
 */

static StrataParquetBytes
mkbytes(const char *s, size_t len)
{
	StrataParquetBytes b;

	b.data = (uint8_t *) s;
	b.len = len;
	return b;
}

static StrataParquetSchemaElement sample_schema[20];
static StrataParquetKeyValue sample_kv[3];
static int32_t sample_encodings[3] = {STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE,
STRATA_PARQUET_ENC_RLE_DICTIONARY};
static char *sample_path_a[] = {"a"};
static char *sample_path_b[] = {"b", "list", "element"};
static StrataParquetColumnMetaData sample_cmd[2];
static StrataParquetColumnChunk sample_chunks[2];
static StrataParquetRowGroup sample_rgs[2];
static int32_t sample_orders[2] = {STRATA_PARQUET_TYPE_ORDER, STRATA_PARQUET_IEEE_754_TOTAL_ORDER};

static void
leaf(int i, const char *name, StrataParquetType type, StrataParquetLogicalKind kind)
{
	StrataParquetSchemaElement *se = &sample_schema[i];

	memset(se, 0, sizeof(*se));
	se->name = (char *) name;
	se->has_type = true;
	se->type = type;
	se->has_repetition_type = true;
	se->repetition_type = i % 3;
	se->has_field_id = true;
	se->field_id = i * 100 - 50;	/* negative for i = 0 */
	se->logical_type.kind = kind;
}

static void
build_sample(StrataParquetFileMetaData *md)
{
	memset(md, 0, sizeof(*md));
	memset(sample_schema, 0, sizeof(sample_schema));
	sample_schema[0].name = "schema";
	sample_schema[0].has_num_children = true;
	sample_schema[0].num_children = 19;
	leaf(1, "s", STRATA_PARQUET_BYTE_ARRAY, STRATA_PARQUET_LT_STRING);
	sample_schema[1].has_converted_type = true;
	sample_schema[1].converted_type = STRATA_PARQUET_CT_UTF8;
	leaf(2, "m", STRATA_PARQUET_INT32, STRATA_PARQUET_LT_MAP);
	leaf(3, "l", STRATA_PARQUET_INT32, STRATA_PARQUET_LT_LIST);
	leaf(4, "e", STRATA_PARQUET_BYTE_ARRAY, STRATA_PARQUET_LT_ENUM);
	leaf(5, "dec", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, STRATA_PARQUET_LT_DECIMAL);
	sample_schema[5].logical_type.decimal_scale = 4;
	sample_schema[5].logical_type.decimal_precision = 38;
	sample_schema[5].has_type_length = true;
	sample_schema[5].type_length = 16;
	sample_schema[5].has_scale = true;
	sample_schema[5].scale = 4;
	sample_schema[5].has_precision = true;
	sample_schema[5].precision = 38;
	leaf(6, "d", STRATA_PARQUET_INT32, STRATA_PARQUET_LT_DATE);
	leaf(7, "t", STRATA_PARQUET_INT32, STRATA_PARQUET_LT_TIME);
	sample_schema[7].logical_type.is_adjusted_to_utc = true;
	sample_schema[7].logical_type.unit = STRATA_PARQUET_MILLIS;
	leaf(8, "ts", STRATA_PARQUET_INT64, STRATA_PARQUET_LT_TIMESTAMP);
	sample_schema[8].logical_type.is_adjusted_to_utc = false;
	sample_schema[8].logical_type.unit = STRATA_PARQUET_NANOS;
	leaf(9, "tsu", STRATA_PARQUET_INT64, STRATA_PARQUET_LT_TIMESTAMP);
	sample_schema[9].logical_type.is_adjusted_to_utc = true;
	sample_schema[9].logical_type.unit = STRATA_PARQUET_MICROS;
	leaf(10, "u8", STRATA_PARQUET_INT32, STRATA_PARQUET_LT_INTEGER);
	sample_schema[10].logical_type.bit_width = 8;
	sample_schema[10].logical_type.is_signed = false;
	leaf(11, "i64", STRATA_PARQUET_INT64, STRATA_PARQUET_LT_INTEGER);
	sample_schema[11].logical_type.bit_width = 64;
	sample_schema[11].logical_type.is_signed = true;
	leaf(12, "nothing", STRATA_PARQUET_INT32, STRATA_PARQUET_LT_UNKNOWN);
	leaf(13, "j", STRATA_PARQUET_BYTE_ARRAY, STRATA_PARQUET_LT_JSON);
	leaf(14, "b", STRATA_PARQUET_BYTE_ARRAY, STRATA_PARQUET_LT_BSON);
	leaf(15, "uuid", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, STRATA_PARQUET_LT_UUID);
	leaf(16, "f16", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, STRATA_PARQUET_LT_FLOAT16);
	leaf(17, "variant", STRATA_PARQUET_BYTE_ARRAY, STRATA_PARQUET_LT_OTHER);
	sample_schema[17].logical_type.other_id = 16;
	leaf(18, "plain", STRATA_PARQUET_DOUBLE, STRATA_PARQUET_LT_NONE);
	leaf(19, "nameless \xe2\x9c\x93", STRATA_PARQUET_BOOLEAN, STRATA_PARQUET_LT_NONE);
	sample_schema[19].has_field_id = false;

	md->version = 2;
	md->num_schema = 20;
	md->schema = sample_schema;
	md->num_rows = 3000000000LL;

	/* column 0: every optional field; column 1: none of them */
	memset(sample_cmd, 0, sizeof(sample_cmd));
	sample_cmd[0].type = STRATA_PARQUET_BYTE_ARRAY;
	sample_cmd[0].num_encodings = 3;
	sample_cmd[0].encodings = sample_encodings;
	sample_cmd[0].num_path = 1;
	sample_cmd[0].path_in_schema = sample_path_a;
	sample_cmd[0].codec = STRATA_PARQUET_ZSTD;
	sample_cmd[0].num_values = 1500000000;
	sample_cmd[0].total_uncompressed_size = 1LL << 40;
	sample_cmd[0].total_compressed_size = 12345;
	sample_cmd[0].has_key_value_metadata = true;
	sample_cmd[0].num_key_value = 1;
	sample_cmd[0].key_value_metadata = &sample_kv[2];
	sample_cmd[0].data_page_offset = 4;
	sample_cmd[0].has_index_page_offset = true;
	sample_cmd[0].index_page_offset = 0;
	sample_cmd[0].has_dictionary_page_offset = true;
	sample_cmd[0].dictionary_page_offset = 1LL << 33;
	sample_cmd[0].has_statistics = true;
	sample_cmd[0].statistics.has_max = true;
	sample_cmd[0].statistics.max = mkbytes("zz", 2);
	sample_cmd[0].statistics.has_min = true;
	sample_cmd[0].statistics.min = mkbytes("", 0);
	sample_cmd[0].statistics.has_null_count = true;
	sample_cmd[0].statistics.null_count = 0;
	sample_cmd[0].statistics.has_distinct_count = true;
	sample_cmd[0].statistics.distinct_count = 77;
	sample_cmd[0].statistics.has_max_value = true;
	sample_cmd[0].statistics.max_value = mkbytes("\xff\x00\x01", 3);
	sample_cmd[0].statistics.has_min_value = true;
	sample_cmd[0].statistics.min_value = mkbytes("\x00", 1);
	sample_cmd[0].statistics.has_is_max_value_exact = true;
	sample_cmd[0].statistics.is_max_value_exact = true;
	sample_cmd[0].statistics.has_is_min_value_exact = true;
	sample_cmd[0].statistics.is_min_value_exact = false;
	sample_cmd[0].has_bloom_filter_offset = true;
	sample_cmd[0].bloom_filter_offset = 99999;
	sample_cmd[0].has_bloom_filter_length = true;
	sample_cmd[0].bloom_filter_length = 1024;
	sample_cmd[1].type = STRATA_PARQUET_INT64;
	sample_cmd[1].num_encodings = 0;
	sample_cmd[1].num_path = 3;
	sample_cmd[1].path_in_schema = sample_path_b;
	sample_cmd[1].codec = STRATA_PARQUET_UNCOMPRESSED;
	sample_cmd[1].data_page_offset = 12349;
	/* statistics present but empty: present differs from absent */
	sample_cmd[1].has_statistics = true;

	memset(sample_chunks, 0, sizeof(sample_chunks));
	sample_chunks[0].file_offset = 4;
	sample_chunks[0].meta_data = &sample_cmd[0];
	sample_chunks[0].has_offset_index_offset = true;
	sample_chunks[0].offset_index_offset = 500;
	sample_chunks[0].has_offset_index_length = true;
	sample_chunks[0].offset_index_length = 20;
	sample_chunks[0].has_column_index_offset = true;
	sample_chunks[0].column_index_offset = 520;
	sample_chunks[0].has_column_index_length = true;
	sample_chunks[0].column_index_length = 30;
	sample_chunks[1].file_path = "other/file.parquet";
	sample_chunks[1].file_offset = 12349;
	sample_chunks[1].meta_data = &sample_cmd[1];

	memset(sample_rgs, 0, sizeof(sample_rgs));
	sample_rgs[0].num_columns = 2;
	sample_rgs[0].columns = sample_chunks;
	sample_rgs[0].total_byte_size = 1LL << 41;
	sample_rgs[0].num_rows = 3000000000LL;
	sample_rgs[0].has_file_offset = true;
	sample_rgs[0].file_offset = 4;
	sample_rgs[0].has_total_compressed_size = true;
	sample_rgs[0].total_compressed_size = 54321;
	sample_rgs[0].has_ordinal = true;
	sample_rgs[0].ordinal = 32767;
	/* an empty row group, without optional fields */
	sample_rgs[1].num_columns = 0;
	md->num_row_groups = 2;
	md->row_groups = sample_rgs;

	memset(sample_kv, 0, sizeof(sample_kv));
	sample_kv[0].key = "iceberg.schema";
	sample_kv[0].has_value = true;
	sample_kv[0].value = mkbytes("{\"type\":\"struct\"}", 17);
	sample_kv[1].key = "no value";
	sample_kv[2].key = "empty value";
	sample_kv[2].has_value = true;
	sample_kv[2].value = mkbytes("", 0);
	md->has_key_value_metadata = true;
	md->num_key_value = 2;
	md->key_value_metadata = sample_kv;
	md->created_by = "strata test";
	md->has_column_orders = true;
	md->num_column_orders = 2;
	md->column_orders = sample_orders;
}

/* Encode into a fresh writer; the caller frees it. */
static void
encode_md(StrataThriftWriter *w, const StrataParquetFileMetaData *md)
{
	strata_thrift_writer_init(w, NULL, NULL);
	strata_parquet_file_metadata_encode(w, md);
}

/* Decode a copy of exactly len bytes, so ASan sees any overread. */
static bool
decode_md_copy(const uint8_t *buf, size_t len, StrataArena *arena,
			   StrataParquetFileMetaData *md, StrataThriftStatus *st)
{
	uint8_t    *copy = malloc(len ? len : 1);
	bool		ok;

	memcpy(copy, buf, len);
	ok = strata_parquet_file_metadata_decode(copy, len, arena, md, st);
	free(copy);
	return ok;
}

static void
test_file_metadata_round_trip(void)
{
	StrataParquetFileMetaData md,
				back,
				back2;
	StrataThriftWriter w,
				w2;
	StrataThriftStatus st;
	StrataArena arena;
	size_t		i;
	bool		all,
				ok;

	build_sample(&md);
	encode_md(&w, &md);
	tap_ok(!w.status.failed && w.len > 100, "encode a FileMetaData with every field (%zu bytes)", w.len);

	/* arguments are evaluated in no set order: compute results first */
	strata_arena_init(&arena, 0);
	ok = decode_md_copy(w.buf, w.len, &arena, &back, &st);
	tap_ok(ok, "decode it back: %s", ok ? "ok" : st.error);
	diff[0] = '\0';
	ok = file_meta_eq(&md, &back);
	tap_ok(ok, "decoded equals the original field by field%s%s", ok ? "" : ": ", diff);
	tap_ok(back.schema[17].logical_type.kind == STRATA_PARQUET_LT_OTHER &&
		   back.schema[17].logical_type.other_id == 16,
		   "unknown logical type member (VARIANT, 16) decodes as OTHER");
	tap_ok(back.row_groups[0].columns[1].meta_data->has_statistics &&
		   !back.row_groups[0].columns[1].meta_data->statistics.has_null_count &&
		   back.row_groups[0].columns[0].meta_data->statistics.has_null_count &&
		   back.row_groups[0].columns[0].meta_data->statistics.null_count == 0,
		   "null_count: absent differs from 0");
	tap_ok(back.schema[0].logical_type.kind == STRATA_PARQUET_LT_NONE &&
		   !back.schema[0].has_type && back.key_value_metadata[1].has_value == false &&
		   back.key_value_metadata[0].value.data[back.key_value_metadata[0].value.len] == '\0',
		   "absent fields stay absent; binaries are NUL-terminated copies");

	encode_md(&w2, &back);
	tap_ok(w2.len == w.len && memcmp(w.buf, w2.buf, w.len) == 0,
		   "re-encoding the decoded metadata gives the same bytes");
	strata_thrift_writer_free(&w2);

	/* the arena's copy does not depend on the input buffer */
	{
		uint8_t    *copy = malloc(w.len);

		memcpy(copy, w.buf, w.len);
		strata_parquet_file_metadata_decode(copy, w.len, &arena, &back2, &st);
		memset(copy, 0xEE, w.len);
		free(copy);
		tap_ok(file_meta_eq(&md, &back2), "decoded data outlives the input buffer");
	}

	/* truncation at every byte position must fail, with an offset inside */
	all = true;
	for (i = 0; i < w.len; i++)
	{
		StrataArena a2;

		strata_arena_init(&a2, 0);
		if (decode_md_copy(w.buf, i, &a2, &back2, &st) || !st.failed ||
			st.error_offset > i || st.error[0] == '\0')
		{
			printf("# truncation at %zu: %s\n", i, st.error);
			all = false;
		}
		strata_arena_free_all(&a2);
	}
	tap_ok(all, "all %zu truncations of the encoded FileMetaData fail", w.len);

	/* trailing bytes after the struct are ignored */
	{
		uint8_t    *longer = malloc(w.len + 5);

		memcpy(longer, w.buf, w.len);
		memset(longer + w.len, 0xAB, 5);
		tap_ok(strata_parquet_file_metadata_decode(longer, w.len + 5, &arena, &back2, &st),
			   "bytes after the FileMetaData are ignored");
		free(longer);
	}

	/* flipped bytes: whatever the outcome, no crash, and errors say something */
	{
		uint64_t	seed = 0x9E3779B97F4A7C15ULL;
		int			n,
					nfail = 0,
					silent = 0;

		for (n = 0; n < 5000; n++)
		{
			uint8_t    *copy = malloc(w.len);
			StrataArena a2;
			int			k;

			memcpy(copy, w.buf, w.len);
			for (k = 0; k < 2; k++)
			{
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				copy[(seed >> 33) % w.len] = (uint8_t) (seed >> 13);
			}
			strata_arena_init(&a2, 0);
			if (!strata_parquet_file_metadata_decode(copy, w.len, &a2, &back2, &st))
			{
				nfail++;
				if (st.error[0] == '\0')
					silent++;
			}
			strata_arena_free_all(&a2);
			free(copy);
		}
		tap_ok(silent == 0, "5000 corrupted copies decoded without a crash (%d refused)", nfail);
	}

	strata_arena_free_all(&arena);
	strata_thrift_writer_free(&w);
}

static void
test_page_header_round_trip(void)
{
	StrataParquetPageHeader ph[4],
				back;
	StrataThriftWriter w;
	StrataThriftStatus st;
	StrataArena arena;
	size_t		hlen;
	int			i;
	size_t		j;
	bool		all,
				ok;

	memset(ph, 0, sizeof(ph));
	ph[0].type = STRATA_PARQUET_DATA_PAGE;
	ph[0].uncompressed_page_size = 1 << 20;
	ph[0].compressed_page_size = 1000;
	ph[0].has_crc = true;
	ph[0].crc = 0xDEADBEEF;		/* negative as an i32 */
	ph[0].has_data_page_header = true;
	ph[0].data_page_header.num_values = 1024;
	ph[0].data_page_header.encoding = STRATA_PARQUET_ENC_RLE_DICTIONARY;
	ph[0].data_page_header.definition_level_encoding = STRATA_PARQUET_ENC_RLE;
	ph[0].data_page_header.repetition_level_encoding = STRATA_PARQUET_ENC_BIT_PACKED;
	ph[0].data_page_header.has_statistics = true;
	ph[0].data_page_header.statistics.has_null_count = true;
	ph[0].data_page_header.statistics.null_count = 5;
	ph[0].data_page_header.statistics.has_min_value = true;
	ph[0].data_page_header.statistics.min_value = mkbytes("\x01\x00\x00\x00", 4);
	ph[1].type = STRATA_PARQUET_DICTIONARY_PAGE;
	ph[1].uncompressed_page_size = 40;
	ph[1].compressed_page_size = 40;
	ph[1].has_dictionary_page_header = true;
	ph[1].dictionary_page_header.num_values = 10;
	ph[1].dictionary_page_header.encoding = STRATA_PARQUET_ENC_PLAIN;
	ph[1].dictionary_page_header.has_is_sorted = true;
	ph[1].dictionary_page_header.is_sorted = false;
	ph[2].type = STRATA_PARQUET_DATA_PAGE_V2;
	ph[2].uncompressed_page_size = 0;
	ph[2].compressed_page_size = 0;
	ph[2].has_data_page_header_v2 = true;
	ph[2].data_page_header_v2.num_values = 7;
	ph[2].data_page_header_v2.num_nulls = 2;
	ph[2].data_page_header_v2.num_rows = 3;
	ph[2].data_page_header_v2.encoding = STRATA_PARQUET_ENC_DELTA_BINARY_PACKED;
	ph[2].data_page_header_v2.definition_levels_byte_length = 3;
	ph[2].data_page_header_v2.repetition_levels_byte_length = 4;
	ph[2].data_page_header_v2.has_is_compressed = true;
	ph[2].data_page_header_v2.is_compressed = false;
	ph[3] = ph[2];
	ph[3].data_page_header_v2.has_is_compressed = false;
	ph[3].data_page_header_v2.is_compressed = true;	/* the default */
	ph[3].data_page_header_v2.has_statistics = true;
	ph[3].data_page_header_v2.statistics.has_max = true;
	ph[3].data_page_header_v2.statistics.max = mkbytes("max", 3);

	strata_arena_init(&arena, 0);
	for (i = 0; i < 4; i++)
	{
		strata_thrift_writer_init(&w, NULL, NULL);
		strata_parquet_page_header_encode(&w, &ph[i]);
		/* page bytes follow the header in a file: they must not be read */
		strata_thrift_write_binary(&w, "page data", 9);
		diff[0] = '\0';
		ok = strata_parquet_page_header_decode(w.buf, w.len, &arena, &back, &hlen, &st) &&
			hlen == w.len - 10 && page_header_eq(&ph[i], &back);
		tap_ok(ok, "page header %d round-trips, length %zu%s%s", i, hlen,
			   ok ? "" : ": ", ok ? "" : (diff[0] ? diff : st.error));
		all = true;
		for (j = 0; j < hlen; j++)
		{
			uint8_t    *copy = malloc(j ? j : 1);

			memcpy(copy, w.buf, j);
			if (strata_parquet_page_header_decode(copy, j, &arena, &back, &hlen, &st) ||
				!st.failed)
				all = false;
			free(copy);
			hlen = w.len - 10;
		}
		tap_ok(all, "page header %d: every truncation fails", i);
		strata_thrift_writer_free(&w);
	}
	strata_arena_free_all(&arena);
}

/* ---------------------------------------------------------------------
 * Byte vectors written by hand from parquet.thrift
 * ---------------------------------------------------------------------
 */

static void
test_hand_vectors(void)
{
	/*
	 * FileMetaData { 1: version = 1, 2: schema = [{4: name = "r",
	 * 5: num_children = 0}], 3: num_rows = 0, 4: row_groups = [] }
	 */
	static const uint8_t minimal[] = {
		0x15, 0x02,				/* field 1 i32: zigzag(1) */
		0x19, 0x1C,				/* field 2 list: 1 struct */
		0x48, 0x01, 'r',		/* field 4 binary: "r" */
		0x15, 0x00,				/* field 5 i32: 0 */
		0x00,					/* end of SchemaElement */
		0x16, 0x00,				/* field 3 i64: 0 */
		0x19, 0x0C,				/* field 4 list: 0 structs */
		0x00					/* end of FileMetaData */
	};

	/*
	 * PageHeader { 1: type = DATA_PAGE, 2: uncompressed = 100,
	 * 3: compressed = 50, 5: data_page_header = { 1: num_values = 10,
	 * 2: PLAIN, 3: RLE, 4: RLE } }, followed by page bytes
	 */
	static const uint8_t page[] = {
		0x15, 0x00,				/* field 1 i32: 0 */
		0x15, 0xC8, 0x01,		/* field 2 i32: zigzag(100) = 200 */
		0x15, 0x64,				/* field 3 i32: zigzag(50) */
		0x2C,					/* field 5 (delta 2) struct */
		0x15, 0x14,				/* field 1: 10 */
		0x15, 0x00,				/* field 2: PLAIN */
		0x15, 0x06,				/* field 3: RLE */
		0x15, 0x06,				/* field 4: RLE */
		0x00, 0x00,				/* end of both structs */
		0xDE, 0xAD				/* page data */
	};

	/*
	 * SchemaElement with logicalType TIMESTAMP {isAdjustedToUTC = true,
	 * unit = MICROS}, long-form field ids, and an unknown field 42 (a
	 * list<map<binary,double>>) that must be skipped.
	 */
	static const uint8_t unusual[] = {
		0x15, 0x02,				/* version 1 */
		0x19, 0x1C,				/* schema: 1 element */
		0x08, 0x08, 0x02, 'i', 'd', /* long form: binary, id 4 (zigzag 8) */
		0x0C, 0x14,				/* long form: struct, id 10 */
		0x8C,					/* TIMESTAMP: delta 8, struct */
		0x11,					/* isAdjustedToUTC: delta 1, true */
		0x1C,					/* unit: delta 1, struct */
		0x2C, 0x00,				/* MICROS: delta 2, empty struct */
		0x00,					/* end of TimeUnit */
		0x00,					/* end of TimestampType */
		0x00,					/* end of LogicalType */
		0x09, 0x54,				/* long form: list, id 42 */
		0x1B,					/* 1 element of type map */
		0x01, 0x87,				/* 1 entry, binary -> double */
		0x01, 'k', 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
		0x00,					/* end of SchemaElement */
		0x16, 0x0A,				/* num_rows 5 */
		0x19, 0x0C,				/* no row groups */
		0x03, 0x7E, 0x01,		/* long form i8, id -64: skipped */
		0x00
	};
	StrataArena arena;
	StrataParquetFileMetaData md;
	StrataParquetPageHeader ph;
	StrataThriftStatus st;
	size_t		hlen;
	bool		ok;

	strata_arena_init(&arena, 0);
	ok = strata_parquet_file_metadata_decode(minimal, sizeof(minimal), &arena, &md, &st);
	tap_ok(ok && md.version == 1 && md.num_schema == 1 &&
		   strcmp(md.schema[0].name, "r") == 0 && md.schema[0].has_num_children &&
		   md.schema[0].num_children == 0 && !md.schema[0].has_type &&
		   md.num_rows == 0 && md.num_row_groups == 0 && md.row_groups == NULL &&
		   md.created_by == NULL && !md.has_key_value_metadata,
		   "hand-written minimal FileMetaData");

	{
		StrataThriftWriter w;

		encode_md(&w, &md);
		tap_ok(w.len == sizeof(minimal) && memcmp(w.buf, minimal, w.len) == 0,
			   "and encodes to the same 15 bytes");
		strata_thrift_writer_free(&w);
	}

	hlen = 0;
	ok = strata_parquet_page_header_decode(page, sizeof(page), &arena, &ph, &hlen, &st);
	tap_ok(ok && hlen == sizeof(page) - 2 && ph.type == STRATA_PARQUET_DATA_PAGE &&
		   ph.uncompressed_page_size == 100 && ph.compressed_page_size == 50 &&
		   !ph.has_crc && ph.has_data_page_header &&
		   ph.data_page_header.num_values == 10 &&
		   ph.data_page_header.encoding == STRATA_PARQUET_ENC_PLAIN &&
		   ph.data_page_header.definition_level_encoding == STRATA_PARQUET_ENC_RLE &&
		   !ph.has_dictionary_page_header && !ph.has_data_page_header_v2,
		   "hand-written PageHeader, header length %zu", hlen);

	ok = strata_parquet_file_metadata_decode(unusual, sizeof(unusual), &arena, &md, &st);
	tap_ok(ok && md.num_schema == 1 && strcmp(md.schema[0].name, "id") == 0 &&
		   md.schema[0].logical_type.kind == STRATA_PARQUET_LT_TIMESTAMP &&
		   md.schema[0].logical_type.is_adjusted_to_utc &&
		   md.schema[0].logical_type.unit == STRATA_PARQUET_MICROS && md.num_rows == 5,
		   "long-form ids, TIMESTAMP(UTC, MICROS), unknown fields skipped: %s",
		   ok ? "ok" : st.error);
	strata_arena_free_all(&arena);
}

/* ---------------------------------------------------------------------
 * Bad input
 * ---------------------------------------------------------------------
 */

/* Decode bytes as FileMetaData; expect failure with needle in the message. */
static bool
md_fails(const uint8_t *in, size_t len, const char *needle)
{
	StrataArena arena;
	StrataParquetFileMetaData md;
	StrataThriftStatus st;
	bool		ok;

	strata_arena_init(&arena, 0);
	ok = decode_md_copy(in, len, &arena, &md, &st);
	strata_arena_free_all(&arena);
	if (ok || !st.failed)
		return false;
	if (strstr(st.error, needle) == NULL)
	{
		printf("# message \"%s\" (offset %zu) lacks \"%s\"\n", st.error,
			   st.error_offset, needle);
		return false;
	}
	return true;
}

#define MD_BAD(needle, name, ...) \
	do { \
		static const uint8_t in_[] = {__VA_ARGS__}; \
		tap_ok(md_fails(in_, sizeof(in_), needle), "bad FileMetaData: %s", name); \
	} while (0)

static bool
ph_fails(const uint8_t *in, size_t len, const char *needle)
{
	StrataArena arena;
	StrataParquetPageHeader ph;
	StrataThriftStatus st;
	size_t		hlen;
	bool		ok;

	strata_arena_init(&arena, 0);
	ok = strata_parquet_page_header_decode(in, len, &arena, &ph, &hlen, &st);
	strata_arena_free_all(&arena);
	if (ok || !st.failed)
		return false;
	if (strstr(st.error, needle) == NULL)
	{
		printf("# message \"%s\" lacks \"%s\"\n", st.error, needle);
		return false;
	}
	return true;
}

#define PH_BAD(needle, name, ...) \
	do { \
		static const uint8_t in_[] = {__VA_ARGS__}; \
		tap_ok(ph_fails(in_, sizeof(in_), needle), "bad PageHeader: %s", name); \
	} while (0)

/* the start of a valid FileMetaData: version 1, schema [{name "r"}] */
#define MD_HEAD 0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x00
/* and its valid end: num_rows 0, no row groups */
#define MD_TAIL 0x16, 0x00, 0x19, 0x0C, 0x00

static const uint8_t minimal_stop[] = {0x00};

static void
test_bad_input(void)
{
	uint8_t    *big;
	size_t		n,
				i;
	StrataArena arena;
	StrataParquetFileMetaData md;
	StrataThriftStatus st;
	bool		ok;

	MD_BAD("expected i32, found binary", "version as binary",
		   0x18, 0x01, 'x', 0x19, 0x0C, 0x00);
	MD_BAD("expected i64, found i32", "num_rows as i32",
		   MD_HEAD, 0x15, 0x00, 0x19, 0x0C, 0x00);
	MD_BAD("expected list, found struct", "schema as a struct",
		   0x15, 0x02, 0x1C, 0x00, 0x00);
	MD_BAD("expected list<struct>, found list<i32>", "schema as list<i32>",
		   0x15, 0x02, 0x19, 0x15, 0x00, 0x00);
	MD_BAD("expected i32, found bool", "SchemaElement.type as bool",
		   0x15, 0x02, 0x19, 0x1C, 0x11, 0x00, MD_TAIL);
	MD_BAD("required field num_rows (3) is missing", "no num_rows",
		   MD_HEAD, 0x29, 0x0C, 0x00);
	MD_BAD("required field row_groups (4) is missing", "no row_groups",
		   MD_HEAD, 0x16, 0x00, 0x00);
	MD_BAD("required field version (1) is missing", "no version",
		   0x29, 0x1C, 0x48, 0x01, 'r', 0x00, MD_TAIL);
	MD_BAD("SchemaElement: required field name (4) is missing", "nameless SchemaElement",
		   0x15, 0x02, 0x19, 0x1C, 0x15, 0x02, 0x00, MD_TAIL);
	MD_BAD("negative value", "num_rows -1", MD_HEAD, 0x16, 0x01, 0x19, 0x0C, 0x00);
	MD_BAD("num_children (field 5): negative", "num_children -3",
		   0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x15, 0x05, 0x00, MD_TAIL);
	MD_BAD("NUL byte", "name with a NUL", 0x15, 0x02, 0x19, 0x1C, 0x48, 0x02, 'a', 0, 0x00, MD_TAIL);
	MD_BAD("cannot fit", "schema list count 2^31-1",
		   0x15, 0x02, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x00);
	/* 10 bytes left: a list<struct> of 4 passes the thrift check but not ours */
	MD_BAD("4 elements cannot fit", "schema list of 4 with 10 bytes left",
		   0x15, 0x02, 0x19, 0x4C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	MD_BAD("cannot fit", "row_groups count of 2 with 12 bytes left",
		   MD_HEAD, 0x16, 0x00, 0x19, 0x2C, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	MD_BAD("union LogicalType has more than one member", "LogicalType with two members",
		   0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x6C, 0x1C, 0x00, 0x1C, 0x00, 0x00, 0x00,
		   MD_TAIL);
	MD_BAD("union LogicalType has no member", "empty LogicalType",
		   0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x6C, 0x00, 0x00, MD_TAIL);
	MD_BAD("union TimeUnit has no member", "TIMESTAMP with an empty unit",
		   0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x6C, 0x8C, 0x11, 0x1C, 0x00, 0x00, 0x00,
		   0x00, MD_TAIL);
	MD_BAD("TimestampType: required field unit (2) is missing", "TIMESTAMP without unit",
		   0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x6C, 0x8C, 0x11, 0x00, 0x00, 0x00,
		   MD_TAIL);
	MD_BAD("DecimalType: required field precision (2) is missing", "DECIMAL without precision",
		   0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x6C, 0x5C, 0x15, 0x04, 0x00, 0x00, 0x00,
		   MD_TAIL);
	MD_BAD("expected i8, found i32", "INTEGER bitWidth as i32",
		   0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x6C, 0xAC, 0x15, 0x10, 0x11, 0x00, 0x00,
		   0x00, MD_TAIL);
	MD_BAD("expected struct, found i32", "LogicalType.STRING as i32",
		   0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x6C, 0x15, 0x00, 0x00, 0x00, MD_TAIL);
	MD_BAD("union ColumnOrder has more than one member", "ColumnOrder with two members",
		   MD_HEAD, 0x16, 0x00, 0x19, 0x0C, 0x39, 0x1C, 0x1C, 0x00, 0x1C, 0x00, 0x00, 0x00);
	/* a row group with one column chunk lacking file_offset */
	MD_BAD("ColumnChunk: required field file_offset (2) is missing", "chunk without file_offset",
		   MD_HEAD, 0x16, 0x00, 0x19, 0x1C,
		   0x19, 0x1C, 0x18, 0x00, 0x00,	/* columns: [{file_path ""}] */
		   0x16, 0x00, 0x16, 0x00, 0x00,	/* total_byte_size, num_rows */
		   0x00);
	MD_BAD("ColumnMetaData: required field type (1) is missing", "empty ColumnMetaData",
		   MD_HEAD, 0x16, 0x00, 0x19, 0x1C,
		   0x19, 0x1C, 0x26, 0x08, 0x1C, 0x00, 0x00,	/* [{file_offset 4, meta_data {}}] */
		   0x16, 0x00, 0x16, 0x00, 0x00, 0x00);
	MD_BAD("file_offset (field 2): negative", "negative ColumnChunk.file_offset",
		   MD_HEAD, 0x16, 0x00, 0x19, 0x1C,
		   0x19, 0x1C, 0x26, 0x09, 0x00, 0x16, 0x00, 0x16, 0x00, 0x00, 0x00);
	MD_BAD("ordinal (field 7): negative", "negative RowGroup.ordinal",
		   MD_HEAD, 0x16, 0x00, 0x19, 0x1C,
		   0x19, 0x0C, 0x16, 0x00, 0x16, 0x00, 0x44, 0x01, 0x00, 0x00);
	MD_BAD("required field version (1) is missing", "a lone stop byte", 0x00);
	tap_ok(md_fails(minimal_stop, 0, "truncated"), "bad FileMetaData: empty input");
	MD_BAD("invalid field type", "field type 15", 0x1F, 0x00);

	/* structs nested 40 deep in an unknown field */
	big = malloc(200);
	n = 0;
	big[n++] = 0x15;
	big[n++] = 0x02;
	for (i = 0; i < 40; i++)
		big[n++] = 0xFC;		/* delta 15, struct: id 15, 30, ... */
	for (i = 0; i < 41; i++)
		big[n++] = 0x00;
	tap_ok(md_fails(big, n, "nesting deeper"), "bad FileMetaData: unknown field nested 40 deep");
	free(big);

	/* page headers */
	PH_BAD("negative value", "compressed_page_size -1",
		   0x15, 0x00, 0x15, 0x02, 0x15, 0x01, 0x00);
	PH_BAD("required field compressed_page_size (3) is missing", "no compressed size",
		   0x15, 0x00, 0x15, 0x02, 0x00);
	PH_BAD("DataPageHeader: required field repetition_level_encoding (4) is missing",
		   "data page header missing a field",
		   0x15, 0x00, 0x15, 0x02, 0x15, 0x02, 0x2C, 0x15, 0x02, 0x15, 0x00, 0x15, 0x06,
		   0x00, 0x00);
	PH_BAD("num_nulls (field 2): negative", "v2 header with negative num_nulls",
		   0x15, 0x00, 0x15, 0x02, 0x15, 0x02, 0x5C, 0x15, 0x02, 0x15, 0x03, 0x00, 0x00);
	PH_BAD("expected struct, found i32", "dictionary_page_header as i32",
		   0x15, 0x04, 0x15, 0x02, 0x15, 0x02, 0x45, 0x00, 0x00);
	PH_BAD("expected bool, found i8", "is_sorted as i8",
		   0x15, 0x04, 0x15, 0x02, 0x15, 0x02, 0x4C, 0x15, 0x02, 0x15, 0x00, 0x13, 0x01,
		   0x00, 0x00);
	PH_BAD("truncated", "truncated crc", 0x15, 0x00, 0x15, 0x02, 0x15, 0x02, 0x15, 0x80);

	/*
	 * The worst chain of lying counts: row_groups, then columns, then a
	 * chunk's key_value_metadata each claim all the bytes left, and the
	 * first key-value fails.  Every array is allocated before the failure;
	 * together they must stay within the documented bound.
	 */
	{
		StrataThriftWriter w;
		StrataParquetFileMetaData md2;
		size_t		pad = 300000;
		size_t		bound;

		strata_thrift_writer_init(&w, NULL, NULL);
		strata_thrift_write_struct_begin(&w);
		strata_thrift_write_field_header(&w, STRATA_THRIFT_LIST, 4);
		strata_thrift_write_list_begin(&w, STRATA_THRIFT_STRUCT, (uint32_t) (pad / 7));
		strata_thrift_write_struct_begin(&w);
		strata_thrift_write_field_header(&w, STRATA_THRIFT_LIST, 1);
		strata_thrift_write_list_begin(&w, STRATA_THRIFT_STRUCT, (uint32_t) (pad / 3));
		strata_thrift_write_struct_begin(&w);
		strata_thrift_write_field_header(&w, STRATA_THRIFT_I64, 2);
		strata_thrift_write_i64(&w, 0);
		strata_thrift_write_field_header(&w, STRATA_THRIFT_STRUCT, 3);
		strata_thrift_write_struct_begin(&w);
		strata_thrift_write_field_header(&w, STRATA_THRIFT_LIST, 8);
		strata_thrift_write_list_begin(&w, STRATA_THRIFT_STRUCT, (uint32_t) (pad / 3));
		for (i = 0; i < pad; i++)
			strata_thrift_write_i8(&w, 0);
		strata_arena_init(&arena, 0);
		bound = STRATA_PARQUET_MAX_EXPANSION * w.len + STRATA_PARQUET_BUDGET_SLACK +
			1024 * 1024;		/* one block of slack */
		ok = !strata_parquet_file_metadata_decode(w.buf, w.len, &arena, &md2, &st) &&
			strstr(st.error, "KeyValue: required field key") != NULL &&
			arena.total <= bound;
		tap_ok(ok, "lying nested counts stay within the memory bound: %zu bytes for %zu (%.1f per byte)",
			   arena.total, w.len, (double) arena.total / w.len);
		strata_arena_free_all(&arena);
		strata_thrift_writer_free(&w);
	}

	/* an arena limit makes decoding fail cleanly */
	{
		StrataThriftWriter w;
		StrataParquetFileMetaData sample;

		build_sample(&sample);
		encode_md(&w, &sample);
		strata_arena_init(&arena, 1024);
		tap_ok(!strata_parquet_file_metadata_decode(w.buf, w.len, &arena, &md, &st) &&
			   strstr(st.error, "out of memory") != NULL && arena.total <= 1024,
			   "arena limit: decode fails with \"%s\"", st.error);
		strata_arena_free_all(&arena);
		strata_arena_init(&arena, 0);
		tap_ok(strata_parquet_file_metadata_decode(w.buf, w.len, &arena, &md, &st),
			   "the same input decodes without the limit");
		strata_arena_free_all(&arena);
		strata_thrift_writer_free(&w);
	}
}

static void
test_arena(void)
{
	StrataArena arena;
	char	   *p[100];
	char	   *large;
	int			i;
	bool		ok = true;

	strata_arena_init(&arena, 0);
	for (i = 0; i < 100; i++)
	{
		p[i] = strata_arena_alloc(&arena, (size_t) i * 37 + 1);
		if (p[i] == NULL || ((uintptr_t) p[i] % 8) != 0 || p[i][0] != 0)
			ok = false;
		else
			memset(p[i], i, (size_t) i * 37 + 1);
	}
	large = strata_arena_alloc(&arena, 5 * 1024 * 1024);
	ok = ok && large != NULL && large[5 * 1024 * 1024 - 1] == 0;
	for (i = 0; i < 100 && ok; i++)
		if (p[i][(size_t) i * 37] != (char) i)
			ok = false;
	tap_ok(ok, "arena: aligned, zeroed, distinct allocations, one large");
	strata_arena_free_all(&arena);
	tap_ok(arena.total == 0 && arena.blocks == NULL, "arena: free_all releases everything");
	ok = strata_arena_alloc(&arena, 10) != NULL;
	strata_arena_free_all(&arena);
	tap_ok(ok, "arena: usable again after free_all");
	strata_arena_init(&arena, 100000);
	ok = strata_arena_alloc(&arena, 50000) != NULL &&
		strata_arena_alloc(&arena, 60000) == NULL &&
		strata_arena_alloc(&arena, 100) != NULL && arena.total <= 100000;
	tap_ok(ok, "arena: limit refuses what would pass it, allows what fits");
	strata_arena_free_all(&arena);
	strata_arena_init(&arena, 0);
	tap_ok(strata_arena_alloc(&arena, SIZE_MAX - 8) == NULL, "arena: absurd size refused");
	strata_arena_free_all(&arena);
}

static void
test_footer(void)
{
	static const uint8_t good[] = {
		'P', 'A', 'R', '1', 0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x00,
		0x16, 0x00, 0x19, 0x0C, 0x00, 13, 0, 0, 0, 'P', 'A', 'R', '1'
	};
	uint8_t		f[sizeof(good)];
	size_t		off,
				len;
	uint32_t	flen;
	StrataThriftStatus st;
	StrataArena arena;
	StrataParquetFileMetaData md;

	tap_ok(strata_parquet_locate_footer(good, sizeof(good), &off, &len, &st) &&
		   off == 4 && len == 13, "footer located at 4, length 13");
	strata_arena_init(&arena, 0);
	tap_ok(strata_parquet_file_metadata_decode(good + off, len, &arena, &md, &st) &&
		   md.num_schema == 1, "and decodes");
	strata_arena_free_all(&arena);
	tap_ok(strata_parquet_footer_length(good + sizeof(good) - 8, sizeof(good), &flen, &st) &&
		   flen == 13, "footer length from the last 8 bytes alone");

	memcpy(f, good, sizeof(f));
	f[0] = 'X';
	tap_ok(!strata_parquet_locate_footer(f, sizeof(f), &off, &len, &st) &&
		   strstr(st.error, "start") != NULL && st.error_offset == 0,
		   "bad magic at the start");
	memcpy(f, good, sizeof(f));
	f[sizeof(f) - 1] = '2';
	tap_ok(!strata_parquet_locate_footer(f, sizeof(f), &off, &len, &st) &&
		   strstr(st.error, "end") != NULL && st.error_offset == sizeof(f) - 4,
		   "bad magic at the end");
	memcpy(f, good, sizeof(f));
	f[sizeof(f) - 1] = 'E';
	tap_ok(!strata_parquet_locate_footer(f, sizeof(f), &off, &len, &st) &&
		   strstr(st.error, "encrypted") != NULL, "encrypted footer (PARE) refused by name");
	memcpy(f, good, sizeof(f));
	f[sizeof(f) - 8] = 14;		/* one more than fits after the leading magic */
	tap_ok(!strata_parquet_locate_footer(f, sizeof(f), &off, &len, &st) &&
		   strstr(st.error, "out of range") != NULL && st.error_offset == sizeof(f) - 8,
		   "footer length 14 out of range");
	f[sizeof(f) - 8] = 0;
	tap_ok(!strata_parquet_locate_footer(f, sizeof(f), &off, &len, &st) &&
		   strstr(st.error, "out of range") != NULL, "footer length 0 out of range");
	f[sizeof(f) - 5] = 0xFF;
	tap_ok(!strata_parquet_locate_footer(f, sizeof(f), &off, &len, &st),
		   "footer length 0xFF000000 out of range");
	tap_ok(!strata_parquet_locate_footer(good, 11, &off, &len, &st) &&
		   strstr(st.error, "too short") != NULL, "file of 11 bytes too short");
	tap_ok(!strata_parquet_footer_length(good + sizeof(good) - 8, 8, &flen, &st),
		   "tail check: file size below 12 refused");
	{
		static const uint8_t empty_footer[] = {'P', 'A', 'R', '1', 0, 0, 0, 0, 'P', 'A', 'R', '1'};

		tap_ok(!strata_parquet_locate_footer(empty_footer, 12, &off, &len, &st),
			   "12-byte file with an empty footer refused");
	}
}

/* ---------------------------------------------------------------------
 * Real files written by DuckDB
 * ---------------------------------------------------------------------
 */

typedef struct Expect
{
	const char *file;
	int64_t		num_rows;
	int32_t		num_row_groups; /* -1: do not check */
	int32_t		codec;
} Expect;

static const Expect expectations[] = {
	{"types_zstd.parquet", 5000, 3, STRATA_PARQUET_ZSTD},
	{"types_v2_snappy.parquet", 5000, -1, STRATA_PARQUET_SNAPPY},
	{"ints_gzip.parquet", 3000, 1, STRATA_PARQUET_GZIP},
	{"ints_lz4.parquet", 3000, 1, STRATA_PARQUET_LZ4_RAW},
	{"strings_uncompressed.parquet", 1000, 1, STRATA_PARQUET_UNCOMPRESSED},
	{"empty.parquet", 0, -1, -1},
	{"wide_rowgroups.parquet", 100000, 10, STRATA_PARQUET_ZSTD},
};

static bool
to_strata_codec(int32_t codec, StrataCodec *out)
{
	switch (codec)
	{
		case STRATA_PARQUET_UNCOMPRESSED:
			*out = STRATA_CODEC_NONE;
			return true;
		case STRATA_PARQUET_SNAPPY:
			*out = STRATA_CODEC_SNAPPY;
			return true;
		case STRATA_PARQUET_GZIP:
			*out = STRATA_CODEC_GZIP;
			return true;
		case STRATA_PARQUET_ZSTD:
			*out = STRATA_CODEC_ZSTD;
			return true;
		case STRATA_PARQUET_LZ4_RAW:
			*out = STRATA_CODEC_LZ4;
			return true;
	}
	return false;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *buf;
	long		n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
	{
		fclose(f);
		return NULL;
	}
	rewind(f);
	buf = malloc(n ? n : 1);
	if (fread(buf, 1, n, f) != (size_t) n)
	{
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t) n;
	return buf;
}

/*
 * Check every column chunk: its path names a leaf, its offsets lie before
 * the footer, and its first page header decodes and its page decompresses
 * to the recorded size.  Returns a description of the first problem.
 */
static const char *
check_chunks(const uint8_t *file, size_t footer_off, const StrataParquetFileMetaData *md,
			 StrataArena *arena, int *pages, int *v2pages, int *dictpages)
{
	static char why[300];
	int32_t		g,
				c,
				nleaves = 0,
				leaf_idx[1000];
	int32_t		i;

	for (i = 0; i < md->num_schema && nleaves < 1000; i++)
		if (!md->schema[i].has_num_children || md->schema[i].num_children == 0)
			leaf_idx[nleaves++] = i;

	for (g = 0; g < md->num_row_groups; g++)
	{
		const StrataParquetRowGroup *rg = &md->row_groups[g];

		if (rg->num_columns != nleaves)
		{
			snprintf(why, sizeof(why), "row group %d has %d columns, schema %d leaves",
					 g, rg->num_columns, nleaves);
			return why;
		}
		for (c = 0; c < rg->num_columns; c++)
		{
			const StrataParquetColumnMetaData *cm = rg->columns[c].meta_data;
			int64_t		start;
			StrataParquetPageHeader ph;
			StrataThriftStatus st;
			size_t		hlen;
			StrataCodec codec;
			const uint8_t *body;
			size_t		blen,
						ulen;
			uint8_t    *out;
			const char *detail;

			if (cm == NULL || cm->num_path < 1 ||
				strcmp(cm->path_in_schema[cm->num_path - 1],
					   md->schema[leaf_idx[c]].name) != 0 ||
				cm->type != md->schema[leaf_idx[c]].type)
			{
				snprintf(why, sizeof(why), "chunk %d.%d does not match leaf %s", g, c,
						 md->schema[leaf_idx[c]].name);
				return why;
			}
			start = cm->has_dictionary_page_offset && cm->dictionary_page_offset > 0 ?
				cm->dictionary_page_offset : cm->data_page_offset;
			if (start < 4 || (uint64_t) start + cm->total_compressed_size > footer_off)
			{
				snprintf(why, sizeof(why), "chunk %d.%d offsets out of the data", g, c);
				return why;
			}
			if (!strata_parquet_page_header_decode(file + start, footer_off - start, arena,
												   &ph, &hlen, &st))
			{
				snprintf(why, sizeof(why), "chunk %d.%d page header: %s at %zu", g, c,
						 st.error, st.error_offset);
				return why;
			}
			if ((int64_t) hlen + ph.compressed_page_size > cm->total_compressed_size)
			{
				snprintf(why, sizeof(why), "chunk %d.%d first page bigger than the chunk", g, c);
				return why;
			}
			if (start == cm->data_page_offset ?
				!(ph.type == STRATA_PARQUET_DATA_PAGE || ph.type == STRATA_PARQUET_DATA_PAGE_V2) :
				ph.type != STRATA_PARQUET_DICTIONARY_PAGE)
			{
				snprintf(why, sizeof(why), "chunk %d.%d first page has type %d", g, c, ph.type);
				return why;
			}
			(*pages)++;
			if (ph.type == STRATA_PARQUET_DATA_PAGE_V2)
				(*v2pages)++;
			if (ph.type == STRATA_PARQUET_DICTIONARY_PAGE)
				(*dictpages)++;
			if (!to_strata_codec(cm->codec, &codec))
				continue;
			body = file + start + hlen;
			blen = ph.compressed_page_size;
			ulen = ph.uncompressed_page_size;
			/* v2: the levels come first, never compressed */
			if (ph.type == STRATA_PARQUET_DATA_PAGE_V2)
			{
				size_t		levels = (size_t) ph.data_page_header_v2.definition_levels_byte_length +
					ph.data_page_header_v2.repetition_levels_byte_length;

				if (levels > blen || levels > ulen)
					return "v2 levels longer than the page";
				body += levels;
				blen -= levels;
				ulen -= levels;
				if (!ph.data_page_header_v2.is_compressed)
					codec = STRATA_CODEC_NONE;
			}
			if (codec == STRATA_CODEC_NONE && blen != ulen)
			{
				snprintf(why, sizeof(why), "chunk %d.%d uncompressed sizes differ", g, c);
				return why;
			}
			out = malloc(ulen ? ulen : 1);
			if (codec != STRATA_CODEC_NONE &&
				strata_decompress(codec, body, blen, out, ulen, &detail) != STRATA_CODEC_OK)
			{
				snprintf(why, sizeof(why), "chunk %d.%d first page does not decompress: %s",
						 g, c, detail);
				free(out);
				return why;
			}
			free(out);
		}
	}
	return NULL;
}

static void
check_sample_file(const char *dir, const char *name)
{
	char		path[4096];
	uint8_t    *file;
	size_t		flen,
				off,
				len;
	StrataThriftStatus st;
	StrataArena arena;
	StrataParquetFileMetaData md,
				again;
	StrataThriftWriter w;
	const Expect *e = NULL;
	const char *problem;
	int64_t		rows = 0;
	int			pages = 0,
				v2pages = 0,
				dictpages = 0;
	size_t		i;
	bool		ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	file = read_file(path, &flen);
	if (!tap_ok(file != NULL, "%s: read", name))
		return;
	for (i = 0; i < sizeof(expectations) / sizeof(expectations[0]); i++)
		if (strcmp(expectations[i].file, name) == 0)
			e = &expectations[i];

	strata_arena_init(&arena, 0);
	ok = strata_parquet_locate_footer(file, flen, &off, &len, &st) &&
		strata_parquet_file_metadata_decode(file + off, len, &arena, &md, &st);
	if (!tap_ok(ok, "%s: footer of %zu bytes decodes%s%s", name, len,
				ok ? "" : ": ", ok ? "" : st.error))
	{
		strata_arena_free_all(&arena);
		free(file);
		return;
	}
	printf("# %s: %d schema elements, %lld rows, %d row groups, %zu arena bytes for %zu\n",
		   name, md.num_schema, (long long) md.num_rows, md.num_row_groups,
		   arena.total, len);

	for (i = 0; i < (size_t) md.num_row_groups; i++)
		rows += md.row_groups[i].num_rows;
	ok = md.num_schema >= 2 && md.schema[0].has_num_children &&
		md.schema[0].num_children > 0 && rows == md.num_rows &&
		md.created_by != NULL && strncmp(md.created_by, "DuckDB", 6) == 0;
	for (i = 0; ok && i < (size_t) md.num_schema; i++)
		ok = md.schema[i].name[0] != '\0';
	tap_ok(ok, "%s: schema names, created_by, row counts add up (%lld)", name,
		   (long long) rows);

	if (e != NULL)
	{
		ok = md.num_rows == e->num_rows &&
			(e->num_row_groups < 0 || md.num_row_groups == e->num_row_groups);
		for (i = 0; ok && e->codec >= 0 && i < (size_t) md.num_row_groups; i++)
		{
			int32_t		c;

			for (c = 0; ok && c < md.row_groups[i].num_columns; c++)
				ok = md.row_groups[i].columns[c].meta_data->codec == e->codec;
		}
		tap_ok(ok, "%s: %lld rows, %d row groups, codec %d as written", name,
			   (long long) md.num_rows, md.num_row_groups, e->codec);
	}

	problem = check_chunks(file, off, &md, &arena, &pages, &v2pages, &dictpages);
	tap_ok(problem == NULL, "%s: first page of all %d chunks decodes and decompresses%s%s",
		   name, pages, problem ? ": " : "", problem ? problem : "");

	/* encode what we decoded and decode it again: the same metadata */
	strata_thrift_writer_init(&w, NULL, NULL);
	diff[0] = '\0';
	ok = strata_parquet_file_metadata_encode(&w, &md) &&
		strata_parquet_file_metadata_decode(w.buf, w.len, &arena, &again, &st) &&
		file_meta_eq(&md, &again);
	tap_ok(ok, "%s: re-encoded (%zu bytes, DuckDB wrote %zu) and decoded equal%s%s", name,
		   w.len, len, ok ? "" : ": ", diff);
	strata_thrift_writer_free(&w);

	/* per-file specifics */
	if (strcmp(name, "types_zstd.parquet") == 0)
	{
		const StrataParquetSchemaElement *s = md.schema;
		int			found = 0;

		for (i = 0; i < (size_t) md.num_schema; i++)
		{
			const StrataParquetLogicalType *lt = &s[i].logical_type;

			if (strcmp(s[i].name, "dec") == 0 && lt->kind == STRATA_PARQUET_LT_DECIMAL &&
				lt->decimal_scale == 3 && lt->decimal_precision == 10)
				found++;
			if (strcmp(s[i].name, "tstz") == 0 && lt->kind == STRATA_PARQUET_LT_TIMESTAMP &&
				lt->is_adjusted_to_utc && lt->unit == STRATA_PARQUET_MICROS)
				found++;
			if (strcmp(s[i].name, "ts") == 0 && lt->kind == STRATA_PARQUET_LT_TIMESTAMP &&
				!lt->is_adjusted_to_utc)
				found++;
			if (strcmp(s[i].name, "tod") == 0 && lt->kind == STRATA_PARQUET_LT_TIME)
				found++;
			if (strcmp(s[i].name, "uid") == 0 && lt->kind == STRATA_PARQUET_LT_UUID)
				found++;
			if (strcmp(s[i].name, "doc") == 0 && lt->kind == STRATA_PARQUET_LT_JSON)
				found++;
			if (strcmp(s[i].name, "id") == 0 && s[i].has_field_id && s[i].field_id == 0)
				found++;
		}
		ok = found == 7 && md.has_key_value_metadata;
		for (i = 0; ok && i < (size_t) md.num_key_value; i++)
			if (strcmp(md.key_value_metadata[i].key, "strata") == 0)
				ok = md.key_value_metadata[i].value.len == 6 &&
					memcmp(md.key_value_metadata[i].value.data, "sample", 6) == 0;
		tap_ok(ok && md.has_column_orders &&
			   md.column_orders[0] == STRATA_PARQUET_TYPE_ORDER,
			   "%s: logical types, field ids, key-value metadata, column orders (%d of 7)",
			   name, found);
	}
	/*
	 * DuckDB's PARQUET_VERSION V2 means the v2 encodings in DATA_PAGE (v1)
	 * pages; it writes no DATA_PAGE_V2, which the round trips above cover.
	 */
	if (strcmp(name, "types_v2_snappy.parquet") == 0)
	{
		int			delta = 0;
		int32_t		c,
					k;

		for (c = 0; md.num_row_groups > 0 && c < md.row_groups[0].num_columns; c++)
		{
			const StrataParquetColumnMetaData *cm = md.row_groups[0].columns[c].meta_data;

			for (k = 0; k < cm->num_encodings; k++)
				if (cm->encodings[k] == STRATA_PARQUET_ENC_DELTA_BINARY_PACKED)
					delta++;
		}
		tap_ok(delta > 0 && v2pages == 0 && dictpages > 0,
			   "%s: %d chunks use DELTA_BINARY_PACKED, %d start with a dictionary page",
			   name, delta, dictpages);
	}

	strata_arena_free_all(&arena);
	free(file);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
test_real_files(void)
{
	const char *dir = getenv("STRATA_PARQUET_SAMPLES");
	DIR		   *dh;
	struct dirent *de;
	char	   *names[256];
	int			n = 0,
				i;

	if (dir == NULL || dir[0] == '\0')
	{
		tap_skip("STRATA_PARQUET_SAMPLES is not set (see make_parquet_samples.js)");
		return;
	}
	dh = opendir(dir);
	if (!tap_ok(dh != NULL, "open %s", dir))
		return;
	while ((de = readdir(dh)) != NULL && n < 256)
	{
		size_t		l = strlen(de->d_name);

		if (l > 8 && strcmp(de->d_name + l - 8, ".parquet") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(dh);
	/* the same order every run, so TAP numbers are stable */
	qsort(names, n, sizeof(char *), compare_names);
	tap_ok(n > 0, "%d Parquet files in %s", n, dir);
	for (i = 0; i < n; i++)
	{
		check_sample_file(dir, names[i]);
		free(names[i]);
	}
}

int
main(void)
{
	test_file_metadata_round_trip();
	test_page_header_round_trip();
	test_hand_vectors();
	test_bad_input();
	test_arena();
	test_footer();
	test_real_files();
	return tap_done();
}
