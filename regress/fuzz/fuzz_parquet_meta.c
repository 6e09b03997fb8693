/*-------------------------------------------------------------------------
 *
 * fuzz_parquet_meta.c
 *	  libFuzzer harness for strata_parquet_meta (and so strata_thrift).
 *
 * The input is tried three ways: as a FileMetaData, as a PageHeader, and
 * as a whole file whose footer is located and decoded.  Whatever the
 * bytes, decoding must return a status (with a message and an offset
 * inside the input) without touching memory outside the input and the
 * arena (ASan checks that), and must keep within its memory bound.  What
 * does decode is encoded, decoded again and compared: a few fields must
 * survive, and a second encoding must give the same bytes as the first.
 *
 * The corpus in regress/fuzz/parquet_meta/ starts from footers and page
 * headers of files DuckDB wrote (see make_parquet_samples.js).
 *
 *-------------------------------------------------------------------------
 */
#include "strata_parquet_meta.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one decode of size input bytes may take from the arena's blocks. */
static size_t
arena_bound(size_t size)
{
	size_t		budget = STRATA_PARQUET_MAX_EXPANSION * size + STRATA_PARQUET_BUDGET_SLACK;

	/* block tails left unused, and one block of the largest size */
	return 2 * budget + 1024 * 1024;
}

static void
check_failure(const StrataThriftStatus *st, size_t size)
{
	if (!st->failed || st->error[0] == '\0' || st->error_offset > size)
		abort();
}

static void
same_metadata(const StrataParquetFileMetaData *a, const StrataParquetFileMetaData *b)
{
	int32_t		i,
				j;

	if (a->version != b->version || a->num_rows != b->num_rows ||
		a->num_schema != b->num_schema || a->num_row_groups != b->num_row_groups ||
		a->num_key_value != b->num_key_value ||
		(a->created_by == NULL) != (b->created_by == NULL) ||
		(a->created_by && strcmp(a->created_by, b->created_by) != 0))
		abort();
	for (i = 0; i < a->num_schema; i++)
		if (strcmp(a->schema[i].name, b->schema[i].name) != 0 ||
			a->schema[i].logical_type.kind != b->schema[i].logical_type.kind ||
			a->schema[i].has_field_id != b->schema[i].has_field_id ||
			a->schema[i].field_id != b->schema[i].field_id)
			abort();
	for (i = 0; i < a->num_row_groups; i++)
	{
		const StrataParquetRowGroup *ra = &a->row_groups[i];
		const StrataParquetRowGroup *rb = &b->row_groups[i];

		if (ra->num_rows != rb->num_rows || ra->num_columns != rb->num_columns)
			abort();
		for (j = 0; j < ra->num_columns; j++)
		{
			const StrataParquetColumnMetaData *ca = ra->columns[j].meta_data;
			const StrataParquetColumnMetaData *cb = rb->columns[j].meta_data;

			if ((ca == NULL) != (cb == NULL))
				abort();
			if (ca && (ca->codec != cb->codec || ca->data_page_offset != cb->data_page_offset ||
					   ca->num_path != cb->num_path ||
					   ca->has_statistics != cb->has_statistics ||
					   ca->statistics.has_null_count != cb->statistics.has_null_count))
				abort();
		}
	}
}

static void
fuzz_file_metadata(const uint8_t *data, size_t size)
{
	StrataArena arena;
	StrataParquetFileMetaData md,
				md2;
	StrataThriftStatus st;
	StrataThriftWriter w,
				w2;

	strata_arena_init(&arena, 0);
	if (!strata_parquet_file_metadata_decode(data, size, &arena, &md, &st))
	{
		check_failure(&st, size);
		if (arena.total > arena_bound(size))
			abort();
		strata_arena_free_all(&arena);
		return;
	}
	if (arena.total > arena_bound(size))
		abort();

	strata_thrift_writer_init(&w, NULL, NULL);
	strata_thrift_writer_init(&w2, NULL, NULL);
	if (!strata_parquet_file_metadata_encode(&w, &md) ||
		!strata_parquet_file_metadata_decode(w.buf, w.len, &arena, &md2, &st))
		abort();
	same_metadata(&md, &md2);
	if (!strata_parquet_file_metadata_encode(&w2, &md2) ||
		w.len != w2.len || memcmp(w.buf, w2.buf, w.len) != 0)
		abort();
	strata_thrift_writer_free(&w);
	strata_thrift_writer_free(&w2);
	strata_arena_free_all(&arena);
}

static void
fuzz_page_header(const uint8_t *data, size_t size)
{
	StrataArena arena;
	StrataParquetPageHeader ph,
				ph2;
	StrataThriftStatus st;
	StrataThriftWriter w,
				w2;
	size_t		hlen,
				hlen2;

	strata_arena_init(&arena, 0);
	if (!strata_parquet_page_header_decode(data, size, &arena, &ph, &hlen, &st))
	{
		check_failure(&st, size);
		strata_arena_free_all(&arena);
		return;
	}
	if (hlen > size || hlen == 0)
		abort();

	strata_thrift_writer_init(&w, NULL, NULL);
	strata_thrift_writer_init(&w2, NULL, NULL);
	if (!strata_parquet_page_header_encode(&w, &ph) ||
		!strata_parquet_page_header_decode(w.buf, w.len, &arena, &ph2, &hlen2, &st) ||
		hlen2 != w.len)
		abort();
	if (ph.type != ph2.type || ph.compressed_page_size != ph2.compressed_page_size ||
		ph.uncompressed_page_size != ph2.uncompressed_page_size ||
		ph.has_crc != ph2.has_crc || ph.crc != ph2.crc ||
		ph.has_data_page_header != ph2.has_data_page_header ||
		ph.data_page_header.num_values != ph2.data_page_header.num_values ||
		ph.has_data_page_header_v2 != ph2.has_data_page_header_v2 ||
		ph.data_page_header_v2.is_compressed != ph2.data_page_header_v2.is_compressed ||
		ph.has_dictionary_page_header != ph2.has_dictionary_page_header)
		abort();
	if (!strata_parquet_page_header_encode(&w2, &ph2) ||
		w.len != w2.len || memcmp(w.buf, w2.buf, w.len) != 0)
		abort();
	strata_thrift_writer_free(&w);
	strata_thrift_writer_free(&w2);
	strata_arena_free_all(&arena);
}

static void
fuzz_footer(const uint8_t *data, size_t size)
{
	StrataArena arena;
	StrataParquetFileMetaData md;
	StrataThriftStatus st;
	size_t		off,
				len;

	if (!strata_parquet_locate_footer(data, size, &off, &len, &st))
	{
		check_failure(&st, size);
		return;
	}
	if (off < 4 || len == 0 || off + len + 8 != size)
		abort();
	strata_arena_init(&arena, 0);
	if (!strata_parquet_file_metadata_decode(data + off, len, &arena, &md, &st))
		check_failure(&st, len);
	strata_arena_free_all(&arena);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_file_metadata(data, size);
	fuzz_page_header(data, size);
	fuzz_footer(data, size);
	return 0;
}
