/*-------------------------------------------------------------------------
 *
 * test_parquet_write.c
 *	  Unit tests of strata_parquet_write: files read back, footers, errors.
 *
 * Every file written here is read back with strata_parquet_read_column
 * and compared, row by row, with what was written: every physical type
 * and every logical type the writer takes, NULLs, empty strings, extreme
 * values (INT64 and decimal limits, NaN, -0.0, infinities), lists (NULL,
 * empty, NULL elements), several row groups and pages, every codec.  The
 * footer of each goes through strata_parquet_file_metadata_decode, and
 * its layout is walked page by page: offsets, sizes with headers,
 * encodings, codec.  Statistics are checked byte for byte, the dictionary
 * and its two fallbacks by what the reader saw, and every refusal by its
 * message.  Writing must be deterministic: the same table written with
 * different batch sizes, or twice, gives the same bytes.
 *
 * Files for independent readers.  When STRATA_PARQUET_WRITE_DIR names a
 * directory, a set of files is written there (codec_<codec>.parquet for
 * every codec, many_types, dict_fallback, row_groups, sparse_pages,
 * empty), each with
 * NAME.expected: what any correct reader must read from it, in the
 * canonical text form below.  check_parquet_written.js reads each file
 * with DuckDB and with hyparquet and compares.
 *
 * NAME.expected:
 *
 *	#strata-parquet-expected 1
 *	#codec<TAB>ZSTD						codec of every column chunk, as
 *										DuckDB names it
 *	#row_groups<TAB>1200<TAB>800		rows of each row group
 *	#field_ids<TAB>name:1<TAB>list:-...	every schema element below the
 *										root, in order: name and field id
 *	#columns<TAB>a<TAB>tags.list.element	the leaf paths
 *	one line per row: one field per column, tab-separated
 *
 * A field (the form make_parquet_samples.js uses for the reader's tests):
 *	\N				NULL
 *	[a,b,...]		a list, its items rendered the same way; [] is empty
 *	true false		BOOLEAN
 *	123 -4			integers, signed or (unsigned INTEGER) unsigned; DATE
 *					in days, TIME and TIMESTAMP in microseconds
 *	-12.340			DECIMAL: the unscaled integer with the point placed by
 *					the scale
 *	0x3f800000		FLOAT and DOUBLE: their IEEE-754 bits in hex; any NaN
 *					is "nan"
 *	text			STRING and JSON as UTF-8, a backslash, tab, newline or
 *					carriage return written as \\, \t, \n or \r
 *	x00ff			other byte arrays and fixed-length ones (UUID too):
 *					"x" and the bytes in lower-case hex
 *
 *-------------------------------------------------------------------------
 */
#include "tap.h"
#include "strata_compress.h"
#include "strata_parquet_read.h"
#include "strata_parquet_write.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Memory the tables use, released at the end (LeakSanitizer watches)
 * ---------------------------------------------------------------------
 */
static void **pool;
static size_t pool_len;
static size_t pool_cap;

static void *
talloc(size_t n)
{
	void	   *p = calloc(1, n > 0 ? n : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	if (pool_len == pool_cap)
	{
		pool_cap = pool_cap > 0 ? pool_cap * 2 : 1024;
		pool = realloc(pool, pool_cap * sizeof(void *));
		if (pool == NULL)
			exit(2);
	}
	pool[pool_len++] = p;
	return p;
}

static void
pool_release(void)
{
	size_t		i;

	for (i = 0; i < pool_len; i++)
		free(pool[i]);
	free(pool);
}

/* xorshift64: the same values on every run and platform */
static uint64_t rng_state = UINT64_C(88172645463325252);

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---------------------------------------------------------------------
 * Growable text
 * ---------------------------------------------------------------------
 */
typedef struct Text
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Text;

static void
text_add(Text *t, const void *p, size_t n)
{
	if (t->len + n + 1 > t->cap)
	{
		t->cap = (t->len + n + 1) * 2;
		t->data = realloc(t->data, t->cap);
		if (t->data == NULL)
			exit(2);
	}
	memcpy(t->data + t->len, p, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static void
text_str(Text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

static void	text_printf(Text *t, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
text_printf(Text *t, const char *fmt,...)
{
	char		buf[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_str(t, buf);
}

/* ---------------------------------------------------------------------
 * Tables: what is written, kept to compare and render
 * ---------------------------------------------------------------------
 */
typedef struct TCol
{
	StrataParquetColumnSpec spec;
	void	   *values;			/* flat: one per row; list: one per element */
	uint8_t    *nulls;			/* the same */
	size_t	   *offsets;		/* list: nrows + 1 */
	uint8_t    *list_nulls;		/* list: per row */
	size_t		nvalues;		/* list: elements so far */
	size_t		capacity;
} TCol;

#define MAX_TCOLS 40

typedef struct TTable
{
	TCol		cols[MAX_TCOLS];
	int			ncols;
	size_t		nrows;
} TTable;

static size_t
in_size(int32_t type)
{
	switch (type)
	{
		case STRATA_PARQUET_BOOLEAN:
			return 1;
		case STRATA_PARQUET_INT32:
		case STRATA_PARQUET_FLOAT:
			return 4;
		case STRATA_PARQUET_INT64:
		case STRATA_PARQUET_DOUBLE:
			return 8;
		default:
			return sizeof(StrataParquetByteArray);
	}
}

static void
table_init(TTable *t, size_t nrows)
{
	memset(t, 0, sizeof(*t));
	t->nrows = nrows;
}

static TCol *
add_col(TTable *t, const char *name, int32_t type, int32_t type_length, bool optional)
{
	TCol	   *c = &t->cols[t->ncols++];

	if (t->ncols > MAX_TCOLS)
		exit(2);
	c->spec.name = name;
	c->spec.type = type;
	c->spec.type_length = type_length;
	c->spec.optional = optional;
	c->spec.has_field_id = true;
	c->spec.field_id = t->ncols;
	c->capacity = t->nrows;
	c->values = talloc(t->nrows * in_size(type));
	c->nulls = talloc(t->nrows);
	return c;
}

static TCol *
add_list(TTable *t, const char *name, int32_t type, int32_t type_length, bool optional,
		 bool element_optional, size_t max_elements)
{
	TCol	   *c = add_col(t, name, type, type_length, optional);

	c->spec.is_list = true;
	c->spec.element_optional = element_optional;
	c->spec.has_element_field_id = true;
	c->spec.element_field_id = 100 + t->ncols;
	c->capacity = max_elements;
	c->values = talloc(max_elements * in_size(type));
	c->nulls = talloc(max_elements);
	c->offsets = talloc((t->nrows + 1) * sizeof(size_t));
	c->list_nulls = talloc(t->nrows);
	return c;
}

static void
lt_set(TCol *c, StrataParquetLogicalKind kind)
{
	c->spec.logical_type.kind = kind;
}

static void
lt_decimal(TCol *c, int precision, int scale)
{
	c->spec.logical_type.kind = STRATA_PARQUET_LT_DECIMAL;
	c->spec.logical_type.decimal_precision = precision;
	c->spec.logical_type.decimal_scale = scale;
}

static void
lt_time(TCol *c, StrataParquetLogicalKind kind, bool utc)
{
	c->spec.logical_type.kind = kind;
	c->spec.logical_type.unit = STRATA_PARQUET_MICROS;
	c->spec.logical_type.is_adjusted_to_utc = utc;
}

static void
lt_int(TCol *c, int bits, bool is_signed)
{
	c->spec.logical_type.kind = STRATA_PARQUET_LT_INTEGER;
	c->spec.logical_type.bit_width = (int8_t) bits;
	c->spec.logical_type.is_signed = is_signed;
}

static void
set_bool(TCol *c, size_t i, bool v)
{
	((uint8_t *) c->values)[i] = v ? 1 : 0;
}

static void
set_i32(TCol *c, size_t i, int32_t v)
{
	((int32_t *) c->values)[i] = v;
}

static void
set_i64(TCol *c, size_t i, int64_t v)
{
	((int64_t *) c->values)[i] = v;
}

static void
set_f32(TCol *c, size_t i, float v)
{
	((float *) c->values)[i] = v;
}

static void
set_f64(TCol *c, size_t i, double v)
{
	((double *) c->values)[i] = v;
}

static void
set_bytes(TCol *c, size_t i, const void *data, size_t len)
{
	StrataParquetByteArray *ba = (StrataParquetByteArray *) c->values + i;
	uint8_t    *p = talloc(len);

	if (len > 0)
		memcpy(p, data, len);
	ba->data = p;
	ba->len = len;
}

static void
set_str(TCol *c, size_t i, const char *s)
{
	set_bytes(c, i, s, strlen(s));
}

static void
set_random_bytes(TCol *c, size_t i, size_t len)
{
	uint8_t		buf[64];
	size_t		k;

	for (k = 0; k < len; k++)
		buf[k] = (uint8_t) rnd();
	set_bytes(c, i, buf, len);
}

/* Lists: list_begin, then elements (elem gives each one's index), list_end. */
static void
list_begin(TCol *c, size_t row)
{
	c->offsets[row] = c->nvalues;
}

static size_t
elem(TCol *c)
{
	if (c->nvalues >= c->capacity)
	{
		fprintf(stderr, "list column %s is full\n", c->spec.name);
		exit(2);
	}
	return c->nvalues++;
}

static void
list_end(TCol *c, size_t row)
{
	c->offsets[row + 1] = c->nvalues;
}

/* big-endian two's complement of v in n bytes */
static void
set_be_int(TCol *c, size_t i, int64_t v, size_t n)
{
	uint8_t		buf[16];
	size_t		k;

	for (k = 0; k < n; k++)
		buf[n - 1 - k] = (uint8_t) (k < 8 ? (uint64_t) v >> (8 * k) : (v < 0 ? 0xFF : 0));
	set_bytes(c, i, buf, n);
}

static void
set_hex(TCol *c, size_t i, const char *hex)
{
	uint8_t		buf[64];
	size_t		n = strlen(hex) / 2;
	size_t		k;

	for (k = 0; k < n; k++)
	{
		unsigned int b;

		sscanf(hex + 2 * k, "%2x", &b);
		buf[k] = (uint8_t) b;
	}
	set_bytes(c, i, buf, n);
}

/* ---------------------------------------------------------------------
 * Writing
 * ---------------------------------------------------------------------
 */

static StrataParquetWriterOptions
options_with(int32_t codec)
{
	StrataParquetWriterOptions o;

	strata_parquet_writer_options_init(&o);
	o.codec = codec;
	return o;
}

/* Row groups of per rows (the last one shorter); returns their number. */
static int
uniform_groups(size_t nrows, size_t per, size_t *groups, int max)
{
	int			n = 0;
	size_t		done = 0;

	while (done < nrows && n < max)
	{
		groups[n] = nrows - done < per ? nrows - done : per;
		done += groups[n++];
	}
	return n;
}

/*
 * Write table t with the given row groups, each column in calls of batch
 * rows, into out (initialized here; the caller frees it).
 */
static bool
write_table(const StrataParquetWriterOptions *o, const TTable *t, const size_t *groups,
			int ngroups, size_t batch, StrataParquetSink *out, StrataParquetStatus *st)
{
	StrataParquetColumnSpec specs[MAX_TCOLS];
	StrataParquetWriter *w;
	size_t		row0 = 0;
	int			g,
				k;
	bool		ok = true;

	strata_parquet_sink_init(out, NULL, NULL);
	for (k = 0; k < t->ncols; k++)
		specs[k] = t->cols[k].spec;
	w = strata_parquet_writer_create(o, specs, t->ncols, strata_parquet_sink_write, out, st);
	if (w == NULL)
		return false;
	for (g = 0; ok && g < ngroups; g++)
	{
		ok = strata_parquet_writer_begin_row_group(w, (int64_t) groups[g]);
		for (k = 0; ok && k < t->ncols; k++)
		{
			const TCol *c = &t->cols[k];
			size_t		done;

			for (done = 0; ok && done < groups[g]; done += batch)
			{
				size_t		n = groups[g] - done < batch ? groups[g] - done : batch;
				size_t		r = row0 + done;

				if (c->spec.is_list)
					ok = strata_parquet_writer_write_list_column(w, k, c->offsets + r,
																 c->list_nulls + r, c->values,
																 c->nulls, n);
				else
					ok = strata_parquet_writer_write_column(w, k,
															(const uint8_t *) c->values +
															r * in_size(c->spec.type),
															c->nulls + r, n);
			}
		}
		ok = ok && strata_parquet_writer_end_row_group(w);
		row0 += groups[g];
	}
	ok = ok && strata_parquet_writer_finish(w);
	*st = *strata_parquet_writer_status(w);
	strata_parquet_writer_free(w);
	return ok;
}

static bool
write_uniform(const StrataParquetWriterOptions *o, const TTable *t, size_t per,
			  StrataParquetSink *out, StrataParquetStatus *st)
{
	size_t		groups[4096];
	int			n = uniform_groups(t->nrows, per, groups, 4096);

	return write_table(o, t, groups, n, per, out, st);
}

/* ---------------------------------------------------------------------
 * Reading back
 * ---------------------------------------------------------------------
 */
typedef struct PFile
{
	const uint8_t *buf;
	size_t		len;
	StrataArena arena;
	StrataParquetFileMetaData md;
	StrataParquetLeaf *leaves;
	int32_t		nleaves;
	size_t		footer_offset;
} PFile;

/* Decode the footer with strata_parquet_meta's decoder, and map the leaves. */
static bool
pfile_open(PFile *f, const uint8_t *buf, size_t len, StrataParquetStatus *st)
{
	size_t		flen;

	memset(f, 0, sizeof(*f));
	memset(st, 0, sizeof(*st));
	f->buf = buf;
	f->len = len;
	strata_arena_init(&f->arena, 0);
	return strata_parquet_locate_footer(buf, len, &f->footer_offset, &flen, st) &&
		strata_parquet_file_metadata_decode(buf + f->footer_offset, flen, &f->arena, &f->md, st) &&
		strata_parquet_schema_leaves(&f->md, &f->arena, &f->leaves, &f->nleaves, st);
}

static void
pfile_close(PFile *f)
{
	strata_arena_free_all(&f->arena);
}

static const StrataParquetColumnMetaData *
chunk_meta(const PFile *f, int rg, int col)
{
	return f->md.row_groups[rg].columns[col].meta_data;
}

/* The bytes of value i of a column as written (fixed types: native). */
static void
input_value(const TCol *c, size_t i, const uint8_t **p, size_t *len)
{
	if (c->spec.type == STRATA_PARQUET_BYTE_ARRAY ||
		c->spec.type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
	{
		const StrataParquetByteArray *ba = (const StrataParquetByteArray *) c->values + i;

		*p = ba->data;
		*len = ba->len;
	}
	else
	{
		*p = (const uint8_t *) c->values + i * in_size(c->spec.type);
		*len = in_size(c->spec.type);
	}
}

static bool
value_matches(const TCol *c, size_t i, const StrataParquetColumnData *d, int64_t vi)
{
	const uint8_t *p,
			   *q;
	size_t		len,
				qlen;

	input_value(c, i, &p, &len);
	if (c->spec.type == STRATA_PARQUET_BYTE_ARRAY)
	{
		const StrataParquetSpan *span = (const StrataParquetSpan *) d->values + vi;

		q = d->bytes + span->offset;
		qlen = span->length;
	}
	else
	{
		q = (const uint8_t *) d->values + (size_t) vi * d->value_size;
		qlen = d->value_size;
	}
	return len == qlen && (len == 0 || memcmp(p, q, len) == 0);
}

/*
 * Compare the rows of one column chunk with the table; on a mismatch,
 * why says where.
 */
static bool
chunk_matches(const TCol *c, const StrataParquetLeaf *leaf, const StrataParquetColumnData *d,
			  size_t row0, size_t nrows, char *why, size_t whylen)
{
	int64_t		e = 0,
				vi = 0;
	int16_t		max_def = leaf->max_def;
	size_t		r;

	for (r = 0; r < nrows; r++)
	{
		size_t		row = row0 + r;

		if (e >= d->num_values)
		{
			snprintf(why, whylen, "levels end before row %zu", row);
			return false;
		}
		if (d->rep_levels != NULL && d->rep_levels[e] != 0)
		{
			snprintf(why, whylen, "row %zu starts with repetition level %d", row, d->rep_levels[e]);
			return false;
		}
		if (!c->spec.is_list)
		{
			int16_t		def = d->def_levels != NULL ? d->def_levels[e] : max_def;
			bool		isnull = c->nulls[row] != 0;

			if (isnull != (def < max_def))
			{
				snprintf(why, whylen, "row %zu: NULL is %d, definition level %d", row, isnull, def);
				return false;
			}
			if (!isnull && !value_matches(c, row, d, vi++))
			{
				snprintf(why, whylen, "row %zu: the value differs", row);
				return false;
			}
			e++;
		}
		else
		{
			size_t		start = c->offsets[row],
						end = c->offsets[row + 1],
						j;
			int16_t		list_def = c->spec.optional ? 1 : 0;

			if (c->list_nulls[row] || start == end)
			{
				int16_t		want = c->list_nulls[row] ? 0 : list_def;

				if (d->def_levels[e] != want)
				{
					snprintf(why, whylen, "row %zu: definition level %d, not %d", row,
							 d->def_levels[e], want);
					return false;
				}
				e++;
				continue;
			}
			for (j = start; j < end; j++, e++)
			{
				int16_t		want = c->nulls[j] ? max_def - 1 : max_def;

				if (e >= d->num_values || d->def_levels[e] != want ||
					d->rep_levels[e] != (j == start ? 0 : 1))
				{
					snprintf(why, whylen, "row %zu element %zu: levels differ", row, j - start);
					return false;
				}
				if (!c->nulls[j] && !value_matches(c, j, d, vi++))
				{
					snprintf(why, whylen, "row %zu element %zu: the value differs", row, j - start);
					return false;
				}
			}
		}
	}
	if (e != d->num_values || vi != d->num_present)
	{
		snprintf(why, whylen, "%lld level entries and %lld values left over",
				 (long long) (d->num_values - e), (long long) (d->num_present - vi));
		return false;
	}
	return true;
}

/* Read every chunk of a column and compare it with the table. */
static bool
column_matches(const PFile *f, const TTable *t, int col, char *why, size_t whylen)
{
	size_t		row0 = 0;
	int32_t		rg;

	for (rg = 0; rg < f->md.num_row_groups; rg++)
	{
		StrataArena arena;
		StrataParquetColumnData d;
		StrataParquetStatus st;
		size_t		n = (size_t) f->md.row_groups[rg].num_rows;
		bool		ok;

		memset(&st, 0, sizeof(st));
		strata_arena_init(&arena, 0);
		ok = strata_parquet_read_column(f->buf, f->len, &f->md, f->leaves, f->nleaves, rg, col,
										&arena, &d, &st);
		if (!ok)
			snprintf(why, whylen, "row group %d: %s", (int) rg, st.error);
		else
			ok = chunk_matches(&t->cols[col], &f->leaves[col], &d, row0, n, why, whylen);
		strata_arena_free_all(&arena);
		if (!ok)
			return false;
		row0 += n;
	}
	if (row0 != t->nrows)
	{
		snprintf(why, whylen, "the file has %zu rows, not %zu", row0, t->nrows);
		return false;
	}
	return true;
}

/* One assertion per column: it reads back as written. */
static void
check_roundtrip(const char *label, const PFile *f, const TTable *t)
{
	char		why[512];
	int			k;

	for (k = 0; k < t->ncols; k++)
	{
		why[0] = '\0';
		tap_ok(column_matches(f, t, k, why, sizeof(why)), "%s: column %s reads back %s",
			   label, t->cols[k].spec.name, why);
	}
}

static void
encodings_text(char *buf, size_t len, const int32_t *enc, int32_t n)
{
	size_t		used = 0;
	int32_t		i;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? "," : "",
						 strata_parquet_encoding_name(enc[i]));
}

/*
 * Walk the file as its footer describes it: chunks one after another from
 * byte 4 to the footer, each starting at its dictionary page (if any) and
 * then its data page, pages adding up to the chunk's sizes with their
 * headers, the encodings list exactly what the pages use, the codec the
 * one asked for, the row group totals their chunks' sums.
 */
static bool
layout_ok(const PFile *f, int32_t codec, char *why, size_t whylen)
{
	int64_t		pos = 4;
	int64_t		rows = 0;
	int32_t		rg,
				col;

	for (rg = 0; rg < f->md.num_row_groups; rg++)
	{
		const StrataParquetRowGroup *g = &f->md.row_groups[rg];
		int64_t		sum_c = 0,
					sum_u = 0;

		if (!g->has_file_offset || g->file_offset != pos || !g->has_ordinal ||
			g->ordinal != rg || g->num_columns != f->nleaves)
		{
			snprintf(why, whylen, "row group %d: offset, ordinal or columns wrong", (int) rg);
			return false;
		}
		for (col = 0; col < g->num_columns; col++)
		{
			const StrataParquetColumnChunk *cc = &g->columns[col];
			const StrataParquetColumnMetaData *m = cc->meta_data;
			int64_t		p,
						end,
						tc = 0,
						tu = 0,
						nv = 0;
			uint32_t	seen = 1u << STRATA_PARQUET_ENC_RLE;
			uint32_t	listed = 0;
			bool		first = true;
			int32_t		i;

			if (m == NULL || cc->file_path != NULL || cc->file_offset != pos ||
				m->codec != codec || m->type != f->leaves[col].type)
			{
				snprintf(why, whylen, "chunk %d/%d: metadata wrong", (int) rg, (int) col);
				return false;
			}
			if (m->has_dictionary_page_offset ? m->dictionary_page_offset != pos :
				m->data_page_offset != pos)
			{
				snprintf(why, whylen, "chunk %d/%d does not start at %lld", (int) rg, (int) col,
						 (long long) pos);
				return false;
			}
			end = pos + m->total_compressed_size;
			for (p = pos; p < end;)
			{
				StrataArena a;
				StrataParquetPageHeader ph;
				StrataParquetStatus st;
				size_t		hlen;
				bool		ok;

				memset(&st, 0, sizeof(st));
				strata_arena_init(&a, 0);
				ok = strata_parquet_page_header_decode(f->buf + p, (size_t) (end - p), &a, &ph,
													   &hlen, &st);
				strata_arena_free_all(&a);
				if (!ok)
				{
					snprintf(why, whylen, "chunk %d/%d page at %lld: %s", (int) rg, (int) col,
							 (long long) p, st.error);
					return false;
				}
				if (ph.type == STRATA_PARQUET_DICTIONARY_PAGE)
				{
					if (!first || !m->has_dictionary_page_offset ||
						ph.dictionary_page_header.encoding != STRATA_PARQUET_ENC_PLAIN)
					{
						snprintf(why, whylen, "chunk %d/%d: misplaced dictionary page", (int) rg, (int) col);
						return false;
					}
					seen |= 1u << STRATA_PARQUET_ENC_PLAIN;
				}
				else
				{
					if (ph.type != STRATA_PARQUET_DATA_PAGE || !ph.has_data_page_header ||
						ph.data_page_header.definition_level_encoding != STRATA_PARQUET_ENC_RLE ||
						ph.data_page_header.repetition_level_encoding != STRATA_PARQUET_ENC_RLE)
					{
						snprintf(why, whylen, "chunk %d/%d: not a v1 data page", (int) rg, (int) col);
						return false;
					}
					if (nv == 0 && m->data_page_offset != p)
					{
						snprintf(why, whylen, "chunk %d/%d: data_page_offset %lld, first data page at %lld",
								 (int) rg, (int) col, (long long) m->data_page_offset, (long long) p);
						return false;
					}
					seen |= 1u << ph.data_page_header.encoding;
					nv += ph.data_page_header.num_values;
				}
				first = false;
				tc += (int64_t) hlen + ph.compressed_page_size;
				tu += (int64_t) hlen + ph.uncompressed_page_size;
				p += (int64_t) hlen + ph.compressed_page_size;
			}
			for (i = 0; i < m->num_encodings; i++)
			{
				if (i > 0 && m->encodings[i] <= m->encodings[i - 1])
				{
					snprintf(why, whylen, "chunk %d/%d: encodings not in ascending order", (int) rg, (int) col);
					return false;
				}
				listed |= 1u << m->encodings[i];
			}
			if (p != end || tc != m->total_compressed_size || tu != m->total_uncompressed_size ||
				nv != m->num_values || listed != seen)
			{
				snprintf(why, whylen, "chunk %d/%d: sizes, counts or encodings disagree with its pages",
						 (int) rg, (int) col);
				return false;
			}
			sum_c += tc;
			sum_u += tu;
			pos = end;
		}
		if (!g->has_total_compressed_size || g->total_compressed_size != sum_c ||
			g->total_byte_size != sum_u)
		{
			snprintf(why, whylen, "row group %d: totals wrong", (int) rg);
			return false;
		}
		rows += g->num_rows;
	}
	if ((size_t) pos != f->footer_offset || rows != f->md.num_rows)
	{
		snprintf(why, whylen, "chunks end at %lld, the footer starts at %zu", (long long) pos,
				 f->footer_offset);
		return false;
	}
	if (!f->md.has_column_orders || f->md.num_column_orders != f->nleaves)
	{
		snprintf(why, whylen, "column orders missing");
		return false;
	}
	for (col = 0; col < f->nleaves; col++)
		if (f->md.column_orders[col] != STRATA_PARQUET_TYPE_ORDER)
		{
			snprintf(why, whylen, "column order %d is not TYPE_ORDER", (int) col);
			return false;
		}
	return true;
}

/* Open a written file, check its layout and every column; false if it won't open. */
static bool
check_file(const char *label, const StrataParquetSink *file, const TTable *t, int32_t codec,
		   PFile *f)
{
	StrataParquetStatus st;
	char		why[512];

	if (!tap_ok(pfile_open(f, file->buf, file->len, &st), "%s: footer decodes %s", label, st.error))
	{
		pfile_close(f);
		return false;
	}
	why[0] = '\0';
	tap_ok(layout_ok(f, codec, why, sizeof(why)), "%s: layout matches the footer %s", label, why);
	check_roundtrip(label, f, t);
	return true;
}

/* The reader's view of one chunk, for its storage details. */
static bool
read_chunk(const PFile *f, int rg, int col, StrataArena *arena, StrataParquetColumnData *d)
{
	StrataParquetStatus st;

	memset(&st, 0, sizeof(st));
	strata_arena_init(arena, 0);
	return strata_parquet_read_column(f->buf, f->len, &f->md, f->leaves, f->nleaves, rg, col,
									  arena, d, &st);
}

/* ---------------------------------------------------------------------
 * The canonical text (see the top of the file)
 * ---------------------------------------------------------------------
 */

static void
text_escaped(Text *t, const uint8_t *p, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		switch (p[i])
		{
			case '\\':
				text_str(t, "\\\\");
				break;
			case '\t':
				text_str(t, "\\t");
				break;
			case '\n':
				text_str(t, "\\n");
				break;
			case '\r':
				text_str(t, "\\r");
				break;
			default:
				text_add(t, p + i, 1);
		}
	}
}

static void
text_hex(Text *t, const uint8_t *p, size_t len)
{
	size_t		i;

	text_str(t, "x");
	for (i = 0; i < len; i++)
		text_printf(t, "%02x", p[i]);
}

/* digits (of magnitude) with the point placed by scale, and the sign */
static void
text_decimal(Text *t, bool negative, const char *digits, int scale)
{
	char		buf[80];
	size_t		n = strlen(digits);
	size_t		pad = (size_t) scale + 1 > n ? (size_t) scale + 1 - n : 0;

	memset(buf, '0', pad);
	memcpy(buf + pad, digits, n + 1);
	n += pad;
	if (negative)
		text_str(t, "-");
	text_add(t, buf, n - (size_t) scale);
	if (scale > 0)
	{
		text_str(t, ".");
		text_add(t, buf + n - (size_t) scale, (size_t) scale);
	}
}

/* A big-endian two's complement integer as decimal digits of its magnitude. */
static void
be_digits(const uint8_t *p, size_t len, char *out, bool *negative)
{
	uint8_t		mag[32];
	char		rev[80];
	size_t		nd = 0,
				i;
	bool		nonzero = true;

	memcpy(mag, p, len);
	*negative = len > 0 && (p[0] & 0x80);
	if (*negative)
	{
		int			carry = 1;

		for (i = len; i-- > 0;)
		{
			int			v = (uint8_t) ~mag[i] + carry;

			mag[i] = (uint8_t) v;
			carry = v >> 8;
		}
	}
	while (nonzero)
	{
		int			rem = 0;

		nonzero = false;
		for (i = 0; i < len; i++)
		{
			int			cur = rem * 256 + mag[i];

			mag[i] = (uint8_t) (cur / 10);
			rem = cur % 10;
			if (mag[i] != 0)
				nonzero = true;
		}
		rev[nd++] = (char) ('0' + rem);
	}
	for (i = 0; i < nd; i++)
		out[i] = rev[nd - 1 - i];
	out[nd] = '\0';
}

static void
render_scalar(Text *t, const TCol *c, size_t i)
{
	const StrataParquetLogicalType *lt = &c->spec.logical_type;
	const uint8_t *p;
	size_t		len;
	char		digits[80];
	bool		neg;

	input_value(c, i, &p, &len);
	switch (c->spec.type)
	{
		case STRATA_PARQUET_BOOLEAN:
			text_str(t, p[0] ? "true" : "false");
			break;
		case STRATA_PARQUET_INT32:
		case STRATA_PARQUET_INT64:
			{
				int64_t		v;

				if (c->spec.type == STRATA_PARQUET_INT32)
				{
					int32_t		v32;

					memcpy(&v32, p, 4);
					v = v32;
				}
				else
					memcpy(&v, p, 8);
				if (lt->kind == STRATA_PARQUET_LT_DECIMAL)
				{
					snprintf(digits, sizeof(digits), "%llu",
							 v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v);
					text_decimal(t, v < 0, digits, lt->decimal_scale);
				}
				else if (lt->kind == STRATA_PARQUET_LT_INTEGER && !lt->is_signed)
					text_printf(t, "%llu", c->spec.type == STRATA_PARQUET_INT32 ?
								(unsigned long long) (uint32_t) v : (unsigned long long) v);
				else
					text_printf(t, "%lld", (long long) v);
				break;
			}
		case STRATA_PARQUET_FLOAT:
			{
				float		f;
				uint32_t	bits;

				memcpy(&f, p, 4);
				memcpy(&bits, p, 4);
				if (isnan(f))
					text_str(t, "nan");
				else
					text_printf(t, "0x%08x", bits);
				break;
			}
		case STRATA_PARQUET_DOUBLE:
			{
				double		d;
				uint64_t	bits;

				memcpy(&d, p, 8);
				memcpy(&bits, p, 8);
				if (isnan(d))
					text_str(t, "nan");
				else
					text_printf(t, "0x%016llx", (unsigned long long) bits);
				break;
			}
		case STRATA_PARQUET_BYTE_ARRAY:
			if (lt->kind == STRATA_PARQUET_LT_STRING || lt->kind == STRATA_PARQUET_LT_JSON)
				text_escaped(t, p, len);
			else
				text_hex(t, p, len);
			break;
		case STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY:
			if (lt->kind == STRATA_PARQUET_LT_DECIMAL)
			{
				be_digits(p, len, digits, &neg);
				text_decimal(t, neg, digits, lt->decimal_scale);
			}
			else
				text_hex(t, p, len);
			break;
	}
}

static void
render_field(Text *t, const TCol *c, size_t row)
{
	size_t		j;

	if (!c->spec.is_list)
	{
		if (c->nulls[row])
			text_str(t, "\\N");
		else
			render_scalar(t, c, row);
		return;
	}
	if (c->list_nulls[row])
	{
		text_str(t, "\\N");
		return;
	}
	text_str(t, "[");
	for (j = c->offsets[row]; j < c->offsets[row + 1]; j++)
	{
		if (j > c->offsets[row])
			text_str(t, ",");
		if (c->nulls[j])
			text_str(t, "\\N");
		else
			render_scalar(t, c, j);
	}
	text_str(t, "]");
}

static const char *write_dir;

static bool
save(const char *name, const char *suffix, const void *data, size_t len)
{
	char		path[1024];
	FILE	   *fp;
	bool		ok;

	snprintf(path, sizeof(path), "%s/%s%s", write_dir, name, suffix);
	fp = fopen(path, "wb");
	if (fp == NULL)
		return false;
	ok = fwrite(data, 1, len, fp) == len;
	return fclose(fp) == 0 && ok;
}

static const char *
codec_label(int32_t codec)
{
	switch (codec)
	{
		case STRATA_PARQUET_UNCOMPRESSED:
			return "UNCOMPRESSED";
		case STRATA_PARQUET_SNAPPY:
			return "SNAPPY";
		case STRATA_PARQUET_GZIP:
			return "GZIP";
		case STRATA_PARQUET_ZSTD:
			return "ZSTD";
		case STRATA_PARQUET_LZ4_RAW:
			return "LZ4_RAW";
	}
	return "?";
}

/*
 * When STRATA_PARQUET_WRITE_DIR is set: NAME.parquet and NAME.expected,
 * its row groups and codec taken from the file's footer.
 */
static void
save_sample(const char *name, const StrataParquetSink *file, const TTable *t, const PFile *f,
			int32_t codec)
{
	Text		x;
	size_t		row;
	int			k,
				g;

	if (write_dir == NULL)
		return;
	memset(&x, 0, sizeof(x));
	text_str(&x, "#strata-parquet-expected 1\n");
	text_printf(&x, "#codec\t%s\n", codec_label(codec));
	text_str(&x, "#row_groups");
	for (g = 0; g < f->md.num_row_groups; g++)
		text_printf(&x, "\t%lld", (long long) f->md.row_groups[g].num_rows);
	text_str(&x, "\n#field_ids");
	for (k = 0; k < t->ncols; k++)
	{
		const StrataParquetColumnSpec *s = &t->cols[k].spec;

		text_printf(&x, "\t%s:", s->name);
		if (s->has_field_id)
			text_printf(&x, "%d", (int) s->field_id);
		else
			text_str(&x, "-");
		if (s->is_list)
		{
			text_str(&x, "\tlist:-\telement:");
			if (s->has_element_field_id)
				text_printf(&x, "%d", (int) s->element_field_id);
			else
				text_str(&x, "-");
		}
	}
	text_str(&x, "\n#columns");
	for (k = 0; k < t->ncols; k++)
		text_printf(&x, "\t%s%s", t->cols[k].spec.name, t->cols[k].spec.is_list ? ".list.element" : "");
	text_str(&x, "\n");
	for (row = 0; row < t->nrows; row++)
	{
		for (k = 0; k < t->ncols; k++)
		{
			if (k > 0)
				text_str(&x, "\t");
			render_field(&x, &t->cols[k], row);
		}
		text_str(&x, "\n");
	}
	tap_ok(save(name, ".parquet", file->buf, file->len) &&
		   save(name, ".expected", x.data, x.len),
		   "wrote %s/%s.parquet (%zu bytes) and its .expected", write_dir, name, file->len);
	free(x.data);
}

/* ---------------------------------------------------------------------
 * Tables
 * ---------------------------------------------------------------------
 */

static const char *const decimal38_max = "4b3b4ca85a86c47a098a223fffffffff";
static const char *const decimal38_min = "b4c4b357a5793b85f675ddc000000001";
static const char *const decimal20_max = "056bc75e2d630fffff";
static const char *const decimal20_min = "fa9438a1d29cf00001";

/* Every type and logical type the writer takes, with NULLs and extremes. */
static void
build_many_types(TTable *t, size_t n)
{
	TCol	   *c;
	size_t		i,
				k;
	char		buf[128];

	table_init(t, n);

	c = add_col(t, "flag", STRATA_PARQUET_BOOLEAN, 0, true);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 3 == 0;
		set_bool(c, i, (i * 7 / 3) % 2 == 1);
	}

	c = add_col(t, "i32", STRATA_PARQUET_INT32, 0, false);
	for (i = 0; i < n; i++)
		set_i32(c, i, i == 0 ? INT32_MIN : i == 1 ? INT32_MAX : (int32_t) rnd());

	c = add_col(t, "i64", STRATA_PARQUET_INT64, 0, true);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 11 == 0;
		set_i64(c, i, i == 1 ? INT64_MIN : i == 2 ? INT64_MAX :
				i % 5 == 0 ? (int64_t) (i % 4) - 2 : (int64_t) rnd());
	}

	c = add_col(t, "f32", STRATA_PARQUET_FLOAT, 0, true);
	for (i = 0; i < n; i++)
	{
		static const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX,
		FLT_MIN, 1e-45f};

		c->nulls[i] = i % 13 == 0;
		if (i % 17 == 1)
			set_f32(c, i, NAN);
		else if (i % 17 < 10)
			set_f32(c, i, specials[i % 8]);
		else
			set_f32(c, i, (float) ((double) (int64_t) rnd() / 1e15));
	}

	c = add_col(t, "f64", STRATA_PARQUET_DOUBLE, 0, false);
	for (i = 0; i < n; i++)
	{
		static const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, DBL_MAX, -DBL_MAX,
		DBL_MIN, 5e-324};

		if (i % 19 == 2)
			set_f64(c, i, -NAN);
		else if (i % 19 < 10)
			set_f64(c, i, specials[i % 8]);
		else
			set_f64(c, i, (double) (int64_t) rnd() / 7e10);
	}

	c = add_col(t, "str", STRATA_PARQUET_BYTE_ARRAY, 0, true);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	for (i = 0; i < n; i++)
	{
		switch (i % 6)
		{
			case 0:
				set_str(c, i, "");
				break;
			case 1:
				c->nulls[i] = 1;
				break;
			case 2:
				snprintf(buf, sizeof(buf), "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 %zu", i);
				set_str(c, i, buf);
				break;
			case 3:
				set_str(c, i, "tab\tnl\ncr\rbs\\N");
				break;
			default:
				snprintf(buf, sizeof(buf), "v%zu", i % 10);
				set_str(c, i, buf);
		}
	}

	c = add_col(t, "bin", STRATA_PARQUET_BYTE_ARRAY, 0, true);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 5 == 0;
		if (i % 5 == 1)
			set_bytes(c, i, "", 0);
		else if (i % 5 == 2)
			set_bytes(c, i, "\0\xff\0", 3);
		else
			set_random_bytes(c, i, i % 9);
	}

	c = add_col(t, "fixed", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 5, false);
	for (i = 0; i < n; i++)
		set_random_bytes(c, i, 5);

	c = add_col(t, "day", STRATA_PARQUET_INT32, 0, true);
	lt_set(c, STRATA_PARQUET_LT_DATE);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 7 == 0;
		set_i32(c, i, i == 1 ? -1000000 : i == 2 ? 1000000 : (int32_t) ((i * 37) % 40000) - 20000);
	}

	c = add_col(t, "tod", STRATA_PARQUET_INT64, 0, false);
	lt_time(c, STRATA_PARQUET_LT_TIME, false);
	for (i = 0; i < n; i++)
		set_i64(c, i, i == 0 ? 0 : i == 1 ? INT64_C(86400000000) :
				(int64_t) ((i * UINT64_C(1234567891)) % UINT64_C(86400000000)));

	c = add_col(t, "tod_utc", STRATA_PARQUET_INT64, 0, true);
	lt_time(c, STRATA_PARQUET_LT_TIME, true);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 4 == 0;
		set_i64(c, i, (int64_t) ((i * UINT64_C(987654321)) % UINT64_C(86400000000)));
	}

	c = add_col(t, "ts", STRATA_PARQUET_INT64, 0, true);
	lt_time(c, STRATA_PARQUET_LT_TIMESTAMP, false);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 9 == 0;
		set_i64(c, i, INT64_C(-2208988800000000) + (int64_t) i * INT64_C(987654321987));
	}

	c = add_col(t, "tstz", STRATA_PARQUET_INT64, 0, false);
	lt_time(c, STRATA_PARQUET_LT_TIMESTAMP, true);
	for (i = 0; i < n; i++)
		set_i64(c, i, INT64_C(946684800000000) + (int64_t) i * 1000003 - (i % 2 ? INT64_C(4000000000000000) : 0));

	c = add_col(t, "dec9", STRATA_PARQUET_INT32, 0, true);
	lt_decimal(c, 9, 2);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 10 == 3;
		set_i32(c, i, i == 0 ? 999999999 : i == 1 ? -999999999 : (int32_t) ((int64_t) (rnd() % 1999999999) - 999999999));
	}

	c = add_col(t, "dec18", STRATA_PARQUET_INT64, 0, true);
	lt_decimal(c, 18, 4);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 10 == 4;
		set_i64(c, i, i == 0 ? INT64_C(999999999999999999) : i == 1 ? -INT64_C(999999999999999999) :
				(int64_t) (rnd() % UINT64_C(1999999999999999999)) - INT64_C(999999999999999999));
	}

	c = add_col(t, "dec38", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 16, true);
	lt_decimal(c, 38, 10);
	for (i = 0; i < n; i++)
	{
		uint8_t		b[16];

		c->nulls[i] = i % 10 == 5;
		if (i == 0)
			set_hex(c, i, decimal38_max);
		else if (i == 1)
			set_hex(c, i, decimal38_min);
		else if (i % 3 == 0)
			set_be_int(c, i, (int64_t) i - 1000, 16);
		else
		{
			/* 126 random bits, below 10^38, then maybe negated */
			for (k = 0; k < 16; k++)
				b[k] = (uint8_t) rnd();
			b[0] &= 0x3F;
			if (i % 2)
			{
				int			carry = 1;

				for (k = 16; k-- > 0;)
				{
					int			v = (uint8_t) ~b[k] + carry;

					b[k] = (uint8_t) v;
					carry = v >> 8;
				}
			}
			set_bytes(c, i, b, 16);
		}
	}

	c = add_col(t, "dec20", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 9, false);
	lt_decimal(c, 20, 0);
	for (i = 0; i < n; i++)
	{
		if (i == 0)
			set_hex(c, i, decimal20_max);
		else if (i == 1)
			set_hex(c, i, decimal20_min);
		else
			set_be_int(c, i, (int64_t) (rnd() >> 1) * (i % 2 ? -1 : 1), 9);
	}

	c = add_col(t, "i8", STRATA_PARQUET_INT32, 0, true);
	lt_int(c, 8, true);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 8 == 7;
		set_i32(c, i, (int32_t) (i % 256) - 128);
	}
	c = add_col(t, "u8", STRATA_PARQUET_INT32, 0, false);
	lt_int(c, 8, false);
	for (i = 0; i < n; i++)
		set_i32(c, i, (int32_t) ((i * 7) % 256));
	c = add_col(t, "i16", STRATA_PARQUET_INT32, 0, false);
	lt_int(c, 16, true);
	for (i = 0; i < n; i++)
		set_i32(c, i, (int32_t) ((i * 37) % 65536) - 32768);
	c = add_col(t, "u16", STRATA_PARQUET_INT32, 0, true);
	lt_int(c, 16, false);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 6 == 5;
		set_i32(c, i, (int32_t) ((i * 97) % 65536));
	}
	c = add_col(t, "i32x", STRATA_PARQUET_INT32, 0, false);
	lt_int(c, 32, true);
	for (i = 0; i < n; i++)
		set_i32(c, i, i == 0 ? INT32_MIN : (int32_t) rnd());
	c = add_col(t, "u32", STRATA_PARQUET_INT32, 0, false);
	lt_int(c, 32, false);
	for (i = 0; i < n; i++)
		set_i32(c, i, i == 0 ? -1 : i == 1 ? 0 : (int32_t) rnd());
	c = add_col(t, "i64x", STRATA_PARQUET_INT64, 0, true);
	lt_int(c, 64, true);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 5 == 4;
		set_i64(c, i, i == 0 ? INT64_MIN : (int64_t) rnd());
	}
	c = add_col(t, "u64", STRATA_PARQUET_INT64, 0, true);
	lt_int(c, 64, false);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 5 == 3;
		set_i64(c, i, i == 0 ? -1 : (int64_t) rnd());
	}

	c = add_col(t, "uid", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 16, true);
	lt_set(c, STRATA_PARQUET_LT_UUID);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 9 == 0;
		set_random_bytes(c, i, 16);
	}

	c = add_col(t, "doc", STRATA_PARQUET_BYTE_ARRAY, 0, true);
	lt_set(c, STRATA_PARQUET_LT_JSON);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 3 == 0;
		snprintf(buf, sizeof(buf), "{\"n\": %zu, \"s\": \"q\\t\"}", i);
		set_str(c, i, buf);
	}

	c = add_list(t, "ints", STRATA_PARQUET_INT32, 0, true, true, n * 4);
	for (i = 0; i < n; i++)
	{
		list_begin(c, i);
		switch (i % 6)
		{
			case 0:
				c->list_nulls[i] = 1;
				break;
			case 1:
				break;
			case 2:
				c->nulls[elem(c)] = 1;
				break;
			default:
				set_i32(c, elem(c), (int32_t) i);
				c->nulls[elem(c)] = 1;
				set_i32(c, elem(c), -(int32_t) i);
				set_i32(c, elem(c), (int32_t) i * 1000);
		}
		list_end(c, i);
	}

	c = add_list(t, "strs", STRATA_PARQUET_BYTE_ARRAY, 0, false, false, n * 3);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	for (i = 0; i < n; i++)
	{
		list_begin(c, i);
		if (i % 3 != 0)
		{
			set_str(c, elem(c), "a");
			snprintf(buf, sizeof(buf), "x%zu", i);
			set_str(c, elem(c), buf);
			set_str(c, elem(c), "");
		}
		list_end(c, i);
	}

	c = add_list(t, "dbls", STRATA_PARQUET_DOUBLE, 0, true, false, n * 2);
	c->spec.has_field_id = false;
	for (i = 0; i < n; i++)
	{
		list_begin(c, i);
		if (i % 4 == 0)
			c->list_nulls[i] = 1;
		else
		{
			set_f64(c, elem(c), i % 8 == 1 ? NAN : (double) i / 4);
			set_f64(c, elem(c), -0.0);
		}
		list_end(c, i);
	}

	c = add_list(t, "days", STRATA_PARQUET_INT32, 0, false, true, n * 2);
	lt_set(c, STRATA_PARQUET_LT_DATE);
	for (i = 0; i < n; i++)
	{
		list_begin(c, i);
		set_i32(c, elem(c), (int32_t) i);
		if (i % 2)
			c->nulls[elem(c)] = 1;
		list_end(c, i);
	}
}

/* A table like the one an Iceberg writer gets: ids, names, amounts, tags. */
static void
build_basic(TTable *t, size_t n)
{
	TCol	   *c;
	size_t		i;
	char		buf[64];

	table_init(t, n);
	c = add_col(t, "id", STRATA_PARQUET_INT64, 0, false);
	for (i = 0; i < n; i++)
		set_i64(c, i, (int64_t) i * 1000003 - 5000);
	c = add_col(t, "name", STRATA_PARQUET_BYTE_ARRAY, 0, true);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 10 == 9;
		snprintf(buf, sizeof(buf), "customer %zu", (i * 7) % 50);
		set_str(c, i, buf);
	}
	c = add_col(t, "amount", STRATA_PARQUET_INT32, 0, true);
	lt_decimal(c, 9, 2);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 7 == 6;
		set_i32(c, i, (int32_t) (rnd() % 2000000) - 1000000);
	}
	c = add_col(t, "score", STRATA_PARQUET_DOUBLE, 0, true);
	for (i = 0; i < n; i++)
	{
		c->nulls[i] = i % 13 == 12;
		set_f64(c, i, (double) (i % 100) / 8);
	}
	c = add_col(t, "ts", STRATA_PARQUET_INT64, 0, false);
	lt_time(c, STRATA_PARQUET_LT_TIMESTAMP, true);
	for (i = 0; i < n; i++)
		set_i64(c, i, INT64_C(1700000000000000) + (int64_t) i * 1000001);
	c = add_list(t, "tags", STRATA_PARQUET_BYTE_ARRAY, 0, true, true, n * 3);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	for (i = 0; i < n; i++)
	{
		list_begin(c, i);
		if (i % 5 == 0)
			c->list_nulls[i] = 1;
		else if (i % 5 != 1)
		{
			snprintf(buf, sizeof(buf), "tag%zu", i % 3);
			set_str(c, elem(c), buf);
			if (i % 5 == 3)
				c->nulls[elem(c)] = 1;
		}
		list_end(c, i);
	}
}

/* ---------------------------------------------------------------------
 * Tests
 * ---------------------------------------------------------------------
 */

static void
test_decimal_type(void)
{
	static const struct
	{
		int32_t		precision;
		int32_t		type;
		int32_t		length;
	}			cases[] = {
		{1, STRATA_PARQUET_INT32, 0}, {9, STRATA_PARQUET_INT32, 0},
		{10, STRATA_PARQUET_INT64, 0}, {18, STRATA_PARQUET_INT64, 0},
		{19, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 9}, {21, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 9},
		{22, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 10}, {28, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 12},
		{29, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 13}, {38, STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 16},
	};
	size_t		i;
	int32_t		type,
				length;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tap_ok(strata_parquet_decimal_type(cases[i].precision, &type, &length) &&
			   type == cases[i].type && length == cases[i].length,
			   "DECIMAL(%d) is stored as %s of %d bytes", (int) cases[i].precision,
			   strata_parquet_type_name(type), (int) length);
	tap_ok(!strata_parquet_decimal_type(0, &type, &length) &&
		   !strata_parquet_decimal_type(39, &type, &length),
		   "DECIMAL precisions 0 and 39 have no Iceberg type");
}

/* Find a page of a chunk: its header at off, and its body. */
static bool
page_at(const PFile *f, int64_t off, StrataParquetPageHeader *ph, const uint8_t **body)
{
	StrataArena a;
	StrataParquetStatus st;
	size_t		hlen;
	bool		ok;

	memset(&st, 0, sizeof(st));
	strata_arena_init(&a, 0);
	ok = strata_parquet_page_header_decode(f->buf + off, f->len - (size_t) off, &a, ph, &hlen, &st);
	strata_arena_free_all(&a);
	*body = f->buf + off + hlen;
	return ok;
}

/* The worked example at the top of strata_parquet_write.c, byte for byte. */
static void
test_worked_example(void)
{
	static const uint8_t want_data[] = {2, 0, 0, 0, 3, 5, 1, 3, 0};
	static const uint8_t want_dict[] = {7, 0, 0, 0};
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_UNCOMPRESSED);
	StrataParquetPageHeader ph;
	StrataParquetStatus st;
	StrataParquetSink out;
	TTable	   *t = talloc(sizeof(TTable));
	const StrataParquetColumnMetaData *m;
	const uint8_t *body;
	PFile		f;
	TCol	   *c;

	table_init(t, 3);
	c = add_col(t, "x", STRATA_PARQUET_INT32, 0, true);
	set_i32(c, 0, 7);
	c->nulls[1] = 1;
	set_i32(c, 2, 7);
	if (!tap_ok(write_uniform(&o, t, 3, &out, &st), "worked example: written %s", st.error))
		return;
	if (check_file("worked example", &out, t, STRATA_PARQUET_UNCOMPRESSED, &f))
	{
		m = chunk_meta(&f, 0, 0);
		tap_ok(m->has_dictionary_page_offset && m->dictionary_page_offset == 4 &&
			   page_at(&f, m->dictionary_page_offset, &ph, &body) &&
			   ph.type == STRATA_PARQUET_DICTIONARY_PAGE &&
			   ph.dictionary_page_header.num_values == 1 &&
			   ph.compressed_page_size == 4 && memcmp(body, want_dict, 4) == 0,
			   "worked example: the dictionary page holds 07 00 00 00");
		tap_ok(page_at(&f, m->data_page_offset, &ph, &body) &&
			   ph.type == STRATA_PARQUET_DATA_PAGE &&
			   ph.data_page_header.num_values == 3 &&
			   ph.data_page_header.encoding == STRATA_PARQUET_ENC_RLE_DICTIONARY &&
			   ph.compressed_page_size == (int32_t) sizeof(want_data) &&
			   memcmp(body, want_data, sizeof(want_data)) == 0,
			   "worked example: the data page body is 02 00 00 00 03 05 01 03 00");
		pfile_close(&f);
	}
	strata_parquet_sink_free(&out);
}

static int
col_index(const TTable *t, const char *name)
{
	int			k;

	for (k = 0; k < t->ncols; k++)
		if (strcmp(t->cols[k].spec.name, name) == 0)
			return k;
	fprintf(stderr, "no column %s\n", name);
	exit(2);
}

static const StrataParquetSchemaElement *
schema_find(const PFile *f, const char *name, int nth)
{
	int32_t		i;

	for (i = 1; i < f->md.num_schema; i++)
		if (strcmp(f->md.schema[i].name, name) == 0 && nth-- == 0)
			return &f->md.schema[i];
	return NULL;
}

static void
test_many_types(void)
{
	static const StrataParquetWriterKeyValue kv[] = {
		{"iceberg.schema", "{\"type\": \"struct\"}"}, {"strata.empty", NULL}
	};
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_ZSTD);
	TTable	   *t = talloc(sizeof(TTable));
	size_t		groups[] = {1200, 800};
	StrataParquetSink out,
				again;
	StrataParquetStatus st;
	const StrataParquetSchemaElement *se;
	PFile		f;
	int32_t		i;
	size_t		batches[] = {1, 7, 333};
	bool		same = true;

	o.num_key_values = 2;
	o.key_values = kv;
	build_many_types(t, 2000);
	if (!tap_ok(write_table(&o, t, groups, 2, 2000, &out, &st), "many types: written %s", st.error))
		return;
	if (!check_file("many types", &out, t, STRATA_PARQUET_ZSTD, &f))
	{
		strata_parquet_sink_free(&out);
		return;
	}

	/* the footer's schema */
	tap_ok(f.md.version == 1 && f.md.num_rows == 2000 && f.md.num_row_groups == 2 &&
		   f.md.created_by != NULL && strcmp(f.md.created_by, STRATA_PARQUET_DEFAULT_CREATED_BY) == 0,
		   "many types: version 1, 2000 rows in 2 row groups, created_by \"%s\"",
		   f.md.created_by ? f.md.created_by : "");
	tap_ok(f.md.has_key_value_metadata && f.md.num_key_value == 2 &&
		   strcmp(f.md.key_value_metadata[0].key, "iceberg.schema") == 0 &&
		   f.md.key_value_metadata[0].has_value &&
		   strcmp((char *) f.md.key_value_metadata[0].value.data, "{\"type\": \"struct\"}") == 0 &&
		   strcmp(f.md.key_value_metadata[1].key, "strata.empty") == 0 &&
		   !f.md.key_value_metadata[1].has_value,
		   "many types: key-value metadata as given, a key without value too");
	tap_ok(strcmp(f.md.schema[0].name, "schema") == 0 && f.md.schema[0].num_children == t->ncols &&
		   !f.md.schema[0].has_type && f.nleaves == t->ncols,
		   "many types: root \"schema\" with %d children", t->ncols);
	for (i = 0; i < f.nleaves; i++)
	{
		const TCol *c = &t->cols[i];
		const StrataParquetLeaf *leaf = &f.leaves[i];
		const StrataParquetSchemaElement *top = &f.md.schema[leaf->path_index[0]];

		tap_ok(strcmp(top->name, c->spec.name) == 0 && leaf->type == c->spec.type &&
			   leaf->type_length == c->spec.type_length &&
			   top->has_field_id == c->spec.has_field_id &&
			   (!top->has_field_id || top->field_id == c->spec.field_id) &&
			   leaf->logical_type.kind == c->spec.logical_type.kind &&
			   leaf->max_rep == (c->spec.is_list ? 1 : 0) &&
			   leaf->max_def == (c->spec.optional ? 1 : 0) +
			   (c->spec.is_list ? 1 + (c->spec.element_optional ? 1 : 0) : 0) &&
			   (!c->spec.is_list || (leaf->depth == 3 && leaf->has_field_id &&
									 leaf->field_id == c->spec.element_field_id)),
			   "many types: column %s has its type, field id, logical type and levels",
			   c->spec.name);
	}
	se = schema_find(&f, "dec38", 0);
	tap_ok(se && se->has_converted_type && se->converted_type == STRATA_PARQUET_CT_DECIMAL &&
		   se->has_scale && se->scale == 10 && se->has_precision && se->precision == 38 &&
		   se->logical_type.decimal_precision == 38 && se->logical_type.decimal_scale == 10 &&
		   se->type_length == 16,
		   "many types: DECIMAL(38,10) in FIXED_LEN_BYTE_ARRAY(16) with scale and precision");
	se = schema_find(&f, "ts", 0);
	tap_ok(se && se->converted_type == STRATA_PARQUET_CT_TIMESTAMP_MICROS &&
		   !se->logical_type.is_adjusted_to_utc && se->logical_type.unit == STRATA_PARQUET_MICROS &&
		   (se = schema_find(&f, "tstz", 0)) != NULL && se->logical_type.is_adjusted_to_utc &&
		   se->converted_type == STRATA_PARQUET_CT_TIMESTAMP_MICROS,
		   "many types: TIMESTAMP micros local and UTC, both with TIMESTAMP_MICROS");
	se = schema_find(&f, "tod", 0);
	tap_ok(se && se->converted_type == STRATA_PARQUET_CT_TIME_MICROS &&
		   se->logical_type.kind == STRATA_PARQUET_LT_TIME && !se->logical_type.is_adjusted_to_utc,
		   "many types: TIME micros with TIME_MICROS");
	se = schema_find(&f, "u16", 0);
	tap_ok(se && se->converted_type == STRATA_PARQUET_CT_UINT_16 &&
		   se->logical_type.bit_width == 16 && !se->logical_type.is_signed &&
		   (se = schema_find(&f, "i8", 0)) != NULL && se->converted_type == STRATA_PARQUET_CT_INT_8 &&
		   se->logical_type.is_signed,
		   "many types: INTEGER(16, unsigned) is UINT_16, INTEGER(8, signed) INT_8");
	se = schema_find(&f, "uid", 0);
	tap_ok(se && !se->has_converted_type && se->logical_type.kind == STRATA_PARQUET_LT_UUID,
		   "many types: UUID has no converted type");
	se = schema_find(&f, "str", 0);
	tap_ok(se && se->converted_type == STRATA_PARQUET_CT_UTF8 &&
		   (se = schema_find(&f, "doc", 0)) != NULL && se->converted_type == STRATA_PARQUET_CT_JSON &&
		   se->logical_type.kind == STRATA_PARQUET_LT_JSON,
		   "many types: STRING is UTF8, JSON is JSON");
	se = schema_find(&f, "ints", 0);
	tap_ok(se && se->converted_type == STRATA_PARQUET_CT_LIST &&
		   se->logical_type.kind == STRATA_PARQUET_LT_LIST &&
		   se->repetition_type == STRATA_PARQUET_OPTIONAL && se->num_children == 1 &&
		   strcmp(se[1].name, "list") == 0 && se[1].repetition_type == STRATA_PARQUET_REPEATED &&
		   !se[1].has_field_id && strcmp(se[2].name, "element") == 0 &&
		   se[2].repetition_type == STRATA_PARQUET_OPTIONAL,
		   "many types: a list is <name> (LIST) / repeated group list / element");
	se = schema_find(&f, "dbls", 0);
	tap_ok(se && !se->has_field_id && se[2].has_field_id &&
		   se[2].repetition_type == STRATA_PARQUET_REQUIRED,
		   "many types: a list without field id, its required element with one");
	tap_ok(chunk_meta(&f, 0, 0)->codec == STRATA_PARQUET_ZSTD &&
		   strcmp(chunk_meta(&f, 1, col_index(t, "ints"))->path_in_schema[1], "list") == 0 &&
		   strcmp(chunk_meta(&f, 1, col_index(t, "ints"))->path_in_schema[2], "element") == 0 &&
		   chunk_meta(&f, 1, col_index(t, "ints"))->num_path == 3,
		   "many types: ZSTD, and a list's path_in_schema is name.list.element");
	save_sample("many_types", &out, t, &f, STRATA_PARQUET_ZSTD);
	pfile_close(&f);

	/* deterministic, however the columns are cut into calls */
	for (i = 0; i < 3; i++)
	{
		bool		ok = write_table(&o, t, groups, 2, batches[i], &again, &st);

		same = same && ok && again.len == out.len && memcmp(again.buf, out.buf, out.len) == 0;
		strata_parquet_sink_free(&again);
	}
	tap_ok(same, "many types: the same bytes when written in calls of 1, 7 or 333 rows");
	strata_parquet_sink_free(&out);
}

static void
test_codecs(void)
{
	static const struct
	{
		int32_t		codec;
		int			level;
		const char *file;
	}			cases[] = {
		{STRATA_PARQUET_UNCOMPRESSED, 0, "codec_uncompressed"},
		{STRATA_PARQUET_SNAPPY, 0, "codec_snappy"},
		{STRATA_PARQUET_GZIP, 0, "codec_gzip"},
		{STRATA_PARQUET_ZSTD, 0, "codec_zstd"},
		{STRATA_PARQUET_LZ4_RAW, 0, "codec_lz4_raw"},
		{STRATA_PARQUET_GZIP, 9, NULL},
		{STRATA_PARQUET_ZSTD, 19, NULL},
		{STRATA_PARQUET_LZ4_RAW, 9, NULL},
	};
	TTable	   *t = talloc(sizeof(TTable));
	size_t		sizes[8];
	size_t		i;

	build_basic(t, 3000);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		StrataParquetWriterOptions o = options_with(cases[i].codec);
		StrataParquetSink out;
		StrataParquetStatus st;
		char		label[64];
		PFile		f;

		o.compression_level = cases[i].level;
		snprintf(label, sizeof(label), "%s level %d", codec_label(cases[i].codec), cases[i].level);
		sizes[i] = 0;
		if (!tap_ok(write_uniform(&o, t, 1000, &out, &st), "%s: written %s", label, st.error))
			continue;
		sizes[i] = out.len;
		if (check_file(label, &out, t, cases[i].codec, &f))
		{
			if (cases[i].file != NULL)
				save_sample(cases[i].file, &out, t, &f, cases[i].codec);
			pfile_close(&f);
		}
		strata_parquet_sink_free(&out);
	}
	for (i = 1; i < 5; i++)
		tap_ok(sizes[i] > 0 && sizes[i] < sizes[0], "%s makes the file smaller (%zu bytes, %zu uncompressed)",
			   codec_label(cases[i].codec), sizes[i], sizes[0]);
	tap_ok(sizes[6] > 0 && sizes[6] <= sizes[3], "ZSTD level 19 (%zu bytes) is no larger than level 3 (%zu)",
		   sizes[6], sizes[3]);
}

static void
test_dictionary(void)
{
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_SNAPPY);
	TTable	   *t = talloc(sizeof(TTable));
	StrataParquetSink out;
	StrataParquetStatus st;
	StrataArena a;
	StrataParquetColumnData d;
	PFile		f;
	TCol	   *c;
	size_t		i;
	char		buf[200];
	const uint32_t dict_bit = 1u << STRATA_PARQUET_ENC_RLE_DICTIONARY;
	const uint32_t plain_bit = 1u << STRATA_PARQUET_ENC_PLAIN;

	table_init(t, 8000);
	c = add_col(t, "low", STRATA_PARQUET_BYTE_ARRAY, 0, false);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	for (i = 0; i < t->nrows; i++)
	{
		snprintf(buf, sizeof(buf), "category %zu", i % 20);
		set_str(c, i, buf);
	}
	c = add_col(t, "unique", STRATA_PARQUET_BYTE_ARRAY, 0, false);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	for (i = 0; i < t->nrows; i++)
	{
		snprintf(buf, sizeof(buf), "%016llx%016llx%016llx%016llx", (unsigned long long) rnd(),
				 (unsigned long long) rnd(), (unsigned long long) rnd(), (unsigned long long) i);
		set_str(c, i, buf);
	}
	c = add_col(t, "mixed", STRATA_PARQUET_BYTE_ARRAY, 0, true);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	for (i = 0; i < t->nrows; i++)
	{
		c->nulls[i] = i % 17 == 0;
		if (i < 500)
			snprintf(buf, sizeof(buf), "m%zu", i % 10);
		else
			snprintf(buf, sizeof(buf), "a long and unique value, row %06zu, that no dictionary of 8 kB holds for long: %064llx",
					 i, (unsigned long long) rnd());
		set_str(c, i, buf);
	}
	c = add_col(t, "ints", STRATA_PARQUET_INT64, 0, false);
	for (i = 0; i < t->nrows; i++)
		set_i64(c, i, (int64_t) (i % 7) * INT64_C(1000000000000));
	c = add_col(t, "floats", STRATA_PARQUET_FLOAT, 0, true);
	for (i = 0; i < t->nrows; i++)
	{
		c->nulls[i] = i % 3 == 0;
		set_f32(c, i, i % 4 == 0 ? NAN : i % 4 == 1 ? -0.0f : i % 4 == 2 ? 0.0f : 1.5f);
	}
	c = add_col(t, "uid", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 16, false);
	lt_set(c, STRATA_PARQUET_LT_UUID);
	for (i = 0; i < t->nrows; i++)
		set_random_bytes(c, i, 16);

	o.page_size = 4096;
	o.dictionary_limit = 8192;
	if (!tap_ok(write_uniform(&o, t, t->nrows, &out, &st), "dictionary: written %s", st.error))
		return;
	if (!check_file("dictionary", &out, t, STRATA_PARQUET_SNAPPY, &f))
	{
		strata_parquet_sink_free(&out);
		return;
	}
	if (read_chunk(&f, 0, 0, &a, &d))
		tap_ok(d.has_dictionary && d.dictionary_size == 20 && d.encodings == dict_bit &&
			   d.num_data_pages_v1 >= 2,
			   "dictionary: 20 categories stay in a dictionary over %d pages", (int) d.num_data_pages_v1);
	strata_arena_free_all(&a);
	if (read_chunk(&f, 0, 1, &a, &d))
		tap_ok(!d.has_dictionary && d.encodings == plain_bit && !chunk_meta(&f, 0, 1)->has_dictionary_page_offset,
			   "dictionary: unique values drop the dictionary on the first page (PLAIN, no dictionary page)");
	strata_arena_free_all(&a);
	if (read_chunk(&f, 0, 2, &a, &d))
		tap_ok(d.has_dictionary && d.encodings == (dict_bit | plain_bit) &&
			   d.dictionary_size > 10 && d.dictionary_size < 200,
			   "dictionary: past the 8 kB limit the chunk falls back to PLAIN (dictionary of %d)",
			   (int) d.dictionary_size);
	strata_arena_free_all(&a);
	if (read_chunk(&f, 0, 3, &a, &d))
		tap_ok(d.has_dictionary && d.dictionary_size == 7 && d.encodings == dict_bit,
			   "dictionary: INT64 with 7 values uses one");
	strata_arena_free_all(&a);
	if (read_chunk(&f, 0, 4, &a, &d))
		tap_ok(d.has_dictionary && d.dictionary_size == 4 && d.encodings == dict_bit,
			   "dictionary: FLOAT keeps NaN, -0.0 and 0.0 apart (4 entries)");
	strata_arena_free_all(&a);
	if (read_chunk(&f, 0, 5, &a, &d))
		tap_ok(!d.has_dictionary && d.encodings == plain_bit,
			   "dictionary: random UUIDs are written PLAIN");
	strata_arena_free_all(&a);
	{
		const StrataParquetColumnMetaData *m = chunk_meta(&f, 0, 2);
		char		enc[100];

		encodings_text(enc, sizeof(enc), m->encodings, m->num_encodings);
		tap_ok(strcmp(enc, "PLAIN,RLE,RLE_DICTIONARY") == 0,
			   "dictionary: the fallen-back chunk lists %s", enc);
	}
	save_sample("dict_fallback", &out, t, &f, STRATA_PARQUET_SNAPPY);
	pfile_close(&f);
	strata_parquet_sink_free(&out);

	o.use_dictionary = false;
	if (tap_ok(write_uniform(&o, t, t->nrows, &out, &st), "no dictionary: written %s", st.error) &&
		check_file("no dictionary", &out, t, STRATA_PARQUET_SNAPPY, &f))
	{
		if (read_chunk(&f, 0, 0, &a, &d))
			tap_ok(!d.has_dictionary && d.encodings == plain_bit,
				   "no dictionary: use_dictionary false writes PLAIN only");
		strata_arena_free_all(&a);
		pfile_close(&f);
	}
	strata_parquet_sink_free(&out);
}

static void
test_row_groups_and_pages(void)
{
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_SNAPPY);
	TTable	   *t = talloc(sizeof(TTable));
	size_t		groups[] = {1000, 1, 0, 2500, 1499};
	StrataParquetSink out;
	StrataParquetStatus st;
	StrataArena a;
	StrataParquetColumnData d;
	PFile		f;
	TCol	   *c;
	size_t		i,
				j;
	char		buf[64];
	bool		crc_ok = true;
	int32_t		rg;

	table_init(t, 5000);
	c = add_col(t, "id", STRATA_PARQUET_INT32, 0, false);
	for (i = 0; i < t->nrows; i++)
		set_i32(c, i, (int32_t) i);
	c = add_col(t, "val", STRATA_PARQUET_INT64, 0, true);
	for (i = 0; i < t->nrows; i++)
	{
		c->nulls[i] = i % 4 == 1;
		set_i64(c, i, (int64_t) rnd());
	}
	c = add_col(t, "s", STRATA_PARQUET_BYTE_ARRAY, 0, true);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	for (i = 0; i < t->nrows; i++)
	{
		c->nulls[i] = i % 6 == 2;
		snprintf(buf, sizeof(buf), "s-%zu", (i * 31) % 997);
		set_str(c, i, buf);
	}
	c = add_list(t, "l", STRATA_PARQUET_INT64, 0, true, true, t->nrows * 6);
	for (i = 0; i < t->nrows; i++)
	{
		list_begin(c, i);
		c->list_nulls[i] = i % 10 == 0;
		if (!c->list_nulls[i])
			for (j = 0; j < i % 6; j++)
			{
				size_t		e = elem(c);

				c->nulls[e] = j == 2;
				set_i64(c, e, (int64_t) (i * 10 + j));
			}
		list_end(c, i);
	}
	o.page_size = 2000;
	o.page_checksums = true;
	if (!tap_ok(write_table(&o, t, groups, 5, 97, &out, &st), "row groups: written %s", st.error))
		return;
	if (!check_file("row groups", &out, t, STRATA_PARQUET_SNAPPY, &f))
	{
		strata_parquet_sink_free(&out);
		return;
	}
	tap_ok(f.md.num_row_groups == 4 && f.md.row_groups[0].num_rows == 1000 &&
		   f.md.row_groups[1].num_rows == 1 && f.md.row_groups[2].num_rows == 2500 &&
		   f.md.row_groups[3].num_rows == 1499,
		   "row groups: 4 row groups (the empty one is not written)");
	for (rg = 0; rg < f.md.num_row_groups; rg++)
		for (j = 0; j < 4; j++)
		{
			if (read_chunk(&f, rg, (int) j, &a, &d))
				crc_ok = crc_ok && d.num_crc_checked == d.num_data_pages_v1 + (d.has_dictionary ? 1 : 0);
			else
				crc_ok = false;
			strata_arena_free_all(&a);
		}
	tap_ok(crc_ok, "row groups: every page carries a CRC the reader checked");
	if (read_chunk(&f, 2, 0, &a, &d))
		tap_ok(d.num_data_pages_v1 >= 4, "row groups: 2500 INT32 in pages of 2000 bytes make %d pages",
			   (int) d.num_data_pages_v1);
	strata_arena_free_all(&a);
	if (read_chunk(&f, 2, 3, &a, &d))
		tap_ok(d.num_data_pages_v1 >= 4 && d.rep_levels != NULL,
			   "row groups: a list column over %d pages", (int) d.num_data_pages_v1);
	strata_arena_free_all(&a);
	save_sample("row_groups", &out, t, &f, STRATA_PARQUET_SNAPPY);
	pfile_close(&f);
	strata_parquet_sink_free(&out);

	/* a file without row groups */
	if (tap_ok(write_table(&o, t, groups, 0, 1, &out, &st), "empty: written %s", st.error) &&
		tap_ok(pfile_open(&f, out.buf, out.len, &st) && f.md.num_row_groups == 0 &&
			   f.md.num_rows == 0 && f.nleaves == 4,
			   "empty: a footer with the schema and no row groups %s", st.error))
	{
		TTable	   *none = talloc(sizeof(TTable));

		*none = *t;
		none->nrows = 0;
		save_sample("empty", &out, none, &f, STRATA_PARQUET_SNAPPY);
	}
	pfile_close(&f);
	strata_parquet_sink_free(&out);
}

/*
 * Pages of NULLs while the dictionary is in use: such a page is PLAIN
 * with no values, the pages after it RLE_DICTIONARY.  Tiny pages, so a
 * chunk has dozens.
 */
static void
test_sparse_pages(void)
{
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_ZSTD);
	TTable	   *t = talloc(sizeof(TTable));
	StrataParquetSink out;
	StrataParquetStatus st;
	StrataArena a;
	StrataParquetColumnData d;
	PFile		f;
	TCol	   *c;
	size_t		i;

	table_init(t, 2000);
	c = add_col(t, "sparse", STRATA_PARQUET_INT64, 0, true);
	for (i = 0; i < t->nrows; i++)
	{
		c->nulls[i] = i < 600 || i % 50 == 0;
		set_i64(c, i, (int64_t) (i % 3) * INT64_C(1000000000000));
	}
	c = add_col(t, "flag", STRATA_PARQUET_BOOLEAN, 0, true);
	for (i = 0; i < t->nrows; i++)
	{
		c->nulls[i] = i < 1000;
		set_bool(c, i, i % 7 < 3);
	}
	c = add_list(t, "late", STRATA_PARQUET_BYTE_ARRAY, 0, true, true, t->nrows * 2);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	for (i = 0; i < t->nrows; i++)
	{
		list_begin(c, i);
		c->list_nulls[i] = i < 900;
		if (i >= 900)
		{
			set_str(c, elem(c), i % 2 ? "odd" : "even");
			c->nulls[elem(c)] = 1;
		}
		list_end(c, i);
	}
	o.page_size = 64;
	if (!tap_ok(write_uniform(&o, t, t->nrows, &out, &st), "sparse pages: written %s", st.error))
		return;
	if (check_file("sparse pages", &out, t, STRATA_PARQUET_ZSTD, &f))
	{
		if (read_chunk(&f, 0, 0, &a, &d))
			tap_ok(d.has_dictionary && d.dictionary_size == 3 && d.num_data_pages_v1 >= 8 &&
				   d.encodings == ((1u << STRATA_PARQUET_ENC_PLAIN) |
								   (1u << STRATA_PARQUET_ENC_RLE_DICTIONARY)),
				   "sparse pages: NULL pages PLAIN, then %d pages in all on a dictionary of 3",
				   (int) d.num_data_pages_v1);
		strata_arena_free_all(&a);
		if (read_chunk(&f, 0, 2, &a, &d))
			tap_ok(d.has_dictionary && d.dictionary_size == 2 && d.num_data_pages_v1 > 10,
				   "sparse pages: a list column of NULL lists, then a dictionary over %d pages",
				   (int) d.num_data_pages_v1);
		strata_arena_free_all(&a);
		save_sample("sparse_pages", &out, t, &f, STRATA_PARQUET_ZSTD);
		pfile_close(&f);
	}
	strata_parquet_sink_free(&out);
}

/* Write one table, uncompressed, in row groups of per rows; open it. */
static bool
write_open(const TTable *t, size_t per, StrataParquetSink *out, PFile *f)
{
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_UNCOMPRESSED);
	StrataParquetStatus st;

	if (!write_uniform(&o, t, per, out, &st))
	{
		tap_ok(false, "statistics table written: %s", st.error);
		return false;
	}
	if (!pfile_open(f, out->buf, out->len, &st))
	{
		tap_ok(false, "statistics table opens: %s", st.error);
		pfile_close(f);
		strata_parquet_sink_free(out);
		return false;
	}
	return true;
}

static bool
bytes_are(const StrataParquetBytes *b, const void *p, size_t len)
{
	return b->len == len && (len == 0 || memcmp(b->data, p, len) == 0);
}

/* min_value and max_value as given, the deprecated fields only if legacy. */
static bool
stats_are(const StrataParquetStatistics *s, int64_t nulls, const void *min, size_t minlen,
		  const void *max, size_t maxlen, bool legacy)
{
	return s->has_null_count && s->null_count == nulls &&
		s->has_min_value && s->has_max_value &&
		bytes_are(&s->min_value, min, minlen) && bytes_are(&s->max_value, max, maxlen) &&
		s->has_min == legacy && s->has_max == legacy &&
		(!legacy || (bytes_are(&s->min, min, minlen) && bytes_are(&s->max, max, maxlen)));
}

static void
test_statistics(void)
{
	TTable	   *t = talloc(sizeof(TTable));
	StrataParquetSink out;
	PFile		f;
	TCol	   *c;
	const StrataParquetStatistics *s;
	static const uint8_t decimal_values[][9] = {
		{0, 0, 0, 0, 0, 0, 0, 0, 1},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0x05, 0x6b, 0xc7, 0x5e, 0x2d, 0x63, 0x0f, 0xff, 0xff},
		{0xfa, 0x94, 0x38, 0xa1, 0xd2, 0x9c, 0xf0, 0x00, 0x01},
		{0x00, 0xff, 0, 0, 0, 0, 0, 0, 0},
	};
	uint8_t		uuid_hi[16],
				uuid_lo[16];
	char		longval[3000];
	size_t		i;

	table_init(t, 6);
	c = add_col(t, "i32", STRATA_PARQUET_INT32, 0, false);
	set_i32(c, 0, 5);
	set_i32(c, 1, -3);
	set_i32(c, 2, 100);
	set_i32(c, 3, 7);
	set_i32(c, 4, -3);
	set_i32(c, 5, 0);
	c = add_col(t, "i64", STRATA_PARQUET_INT64, 0, true);
	set_i64(c, 0, INT64_MAX);
	c->nulls[1] = c->nulls[3] = 1;
	set_i64(c, 2, INT64_MIN);
	set_i64(c, 4, 0);
	set_i64(c, 5, -1);
	c = add_col(t, "str", STRATA_PARQUET_BYTE_ARRAY, 0, true);
	lt_set(c, STRATA_PARQUET_LT_STRING);
	set_str(c, 0, "b");
	set_str(c, 1, "\xc3\xa9");
	set_str(c, 2, "a");
	set_str(c, 3, "z");
	set_str(c, 4, "");
	c->nulls[5] = 1;
	c = add_col(t, "u32", STRATA_PARQUET_INT32, 0, false);
	lt_int(c, 32, false);
	set_i32(c, 0, 1);
	set_i32(c, 1, -1);
	set_i32(c, 2, 5);
	set_i32(c, 3, INT32_MIN);
	set_i32(c, 4, 2);
	set_i32(c, 5, 3);
	c = add_col(t, "u64", STRATA_PARQUET_INT64, 0, false);
	lt_int(c, 64, false);
	for (i = 0; i < 6; i++)
		set_i64(c, i, i == 2 ? INT64_MIN : (int64_t) i + 10);
	c = add_col(t, "f32", STRATA_PARQUET_FLOAT, 0, false);
	set_f32(c, 0, NAN);
	set_f32(c, 1, 1.5f);
	set_f32(c, 2, 0.0f);
	set_f32(c, 3, -INFINITY);
	set_f32(c, 4, NAN);
	set_f32(c, 5, -0.0f);
	c = add_col(t, "zeros", STRATA_PARQUET_DOUBLE, 0, false);
	for (i = 0; i < 6; i++)
		set_f64(c, i, i % 3 == 0 ? NAN : i % 2 ? 0.0 : -0.0);
	c = add_col(t, "nans", STRATA_PARQUET_DOUBLE, 0, true);
	for (i = 0; i < 6; i++)
	{
		c->nulls[i] = i == 3;
		set_f64(c, i, NAN);
	}
	c = add_col(t, "dec", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 9, false);
	lt_decimal(c, 20, 2);
	for (i = 0; i < 6; i++)
		set_bytes(c, i, decimal_values[i % 5], 9);
	c = add_col(t, "uid", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 16, false);
	lt_set(c, STRATA_PARQUET_LT_UUID);
	memset(uuid_hi, 0xf0, 16);
	memset(uuid_lo, 0x01, 16);
	for (i = 0; i < 6; i++)
		set_bytes(c, i, i == 1 ? uuid_hi : i == 4 ? uuid_lo : (const uint8_t *) "0123456789abcdef", 16);
	c = add_col(t, "flag", STRATA_PARQUET_BOOLEAN, 0, false);
	for (i = 0; i < 6; i++)
		set_bool(c, i, i == 3);
	c = add_col(t, "allnull", STRATA_PARQUET_INT32, 0, true);
	memset(c->nulls, 1, 6);
	c = add_col(t, "big", STRATA_PARQUET_BYTE_ARRAY, 0, false);
	memset(longval, 'q', sizeof(longval));
	for (i = 0; i < 6; i++)
		set_bytes(c, i, longval, i == 2 ? sizeof(longval) : 2048 + i);
	c = add_col(t, "same", STRATA_PARQUET_BYTE_ARRAY, 0, false);
	for (i = 0; i < 6; i++)
		set_str(c, i, "k");
	c = add_list(t, "lst", STRATA_PARQUET_INT32, 0, true, true, 20);
	for (i = 0; i < 6; i++)
	{
		list_begin(c, i);
		c->list_nulls[i] = i == 0;
		if (i >= 2)
		{
			size_t		e;

			set_i32(c, elem(c), (int32_t) i * 10);
			e = elem(c);
			c->nulls[e] = i % 2 == 1;
			set_i32(c, e, (int32_t) i * 10 + 1);
		}
		list_end(c, i);
	}

	if (!write_open(t, 6, &out, &f))
		return;
	{
		static const uint8_t i32min[] = {0xfd, 0xff, 0xff, 0xff};
		static const uint8_t i32max[] = {100, 0, 0, 0};
		static const uint8_t i64min[] = {0, 0, 0, 0, 0, 0, 0, 0x80};
		static const uint8_t i64max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
		static const uint8_t u32min[] = {1, 0, 0, 0};
		static const uint8_t u32max[] = {0xff, 0xff, 0xff, 0xff};
		static const uint8_t u64min[] = {10, 0, 0, 0, 0, 0, 0, 0};
		static const uint8_t u64max[] = {0, 0, 0, 0, 0, 0, 0, 0x80};
		static const uint8_t f32min[] = {0, 0, 0x80, 0xff};
		static const uint8_t f32max[] = {0, 0, 0xc0, 0x3f};
		static const uint8_t negzero[] = {0, 0, 0, 0, 0, 0, 0, 0x80};
		static const uint8_t poszero[] = {0, 0, 0, 0, 0, 0, 0, 0};
		static const uint8_t no[] = {0},
					yes[] = {1};
		static const uint8_t lstmin[] = {20, 0, 0, 0};
		static const uint8_t lstmax[] = {50, 0, 0, 0};

		s = &chunk_meta(&f, 0, 0)->statistics;
		tap_ok(stats_are(s, 0, i32min, 4, i32max, 4, true),
			   "statistics: INT32 min -3, max 100, signed, with the deprecated min/max");
		s = &chunk_meta(&f, 0, 1)->statistics;
		tap_ok(stats_are(s, 2, i64min, 8, i64max, 8, true),
			   "statistics: INT64 from INT64_MIN to INT64_MAX, 2 NULLs");
		s = &chunk_meta(&f, 0, 2)->statistics;
		tap_ok(stats_are(s, 1, "", 0, "\xc3\xa9", 2, false),
			   "statistics: STRING min \"\" max \"\\u00e9\" (bytes unsigned: 0xc3 > 'z'), no deprecated min/max");
		s = &chunk_meta(&f, 0, 3)->statistics;
		tap_ok(stats_are(s, 0, u32min, 4, u32max, 4, false),
			   "statistics: unsigned INTEGER(32) orders -1 (4294967295) last and INT32_MIN after 5");
		s = &chunk_meta(&f, 0, 4)->statistics;
		tap_ok(stats_are(s, 0, u64min, 8, u64max, 8, false),
			   "statistics: unsigned INTEGER(64) puts 2^63 at the top");
		s = &chunk_meta(&f, 0, 5)->statistics;
		tap_ok(stats_are(s, 0, f32min, 4, f32max, 4, true),
			   "statistics: FLOAT min -inf max 1.5, NaN left out");
		s = &chunk_meta(&f, 0, 6)->statistics;
		tap_ok(stats_are(s, 0, negzero, 8, poszero, 8, true),
			   "statistics: DOUBLE zeros give min -0.0 and max +0.0");
		s = &chunk_meta(&f, 0, 7)->statistics;
		tap_ok(s->has_null_count && s->null_count == 1 && !s->has_min_value && !s->has_max_value &&
			   !s->has_min && !s->has_max,
			   "statistics: only NaN and NULL: null_count, no min or max");
		s = &chunk_meta(&f, 0, 8)->statistics;
		tap_ok(stats_are(s, 0, decimal_values[3], 9, decimal_values[2], 9, true),
			   "statistics: DECIMAL(20) in FIXED_LEN_BYTE_ARRAY orders two's complement (min -(10^20-1))");
		s = &chunk_meta(&f, 0, 9)->statistics;
		tap_ok(stats_are(s, 0, uuid_lo, 16, uuid_hi, 16, false),
			   "statistics: UUID bytes compare unsigned");
		s = &chunk_meta(&f, 0, 10)->statistics;
		tap_ok(stats_are(s, 0, no, 1, yes, 1, true), "statistics: BOOLEAN false to true");
		s = &chunk_meta(&f, 0, 11)->statistics;
		tap_ok(s->has_null_count && s->null_count == 6 && !s->has_min_value && !s->has_min,
			   "statistics: all NULL: null_count 6, no min or max");
		s = &chunk_meta(&f, 0, 12)->statistics;
		tap_ok(s->has_null_count && s->null_count == 0 && !s->has_min_value && !s->has_max_value,
			   "statistics: min and max of 4096 bytes or more are left out");
		s = &chunk_meta(&f, 0, 13)->statistics;
		tap_ok(stats_are(s, 0, "k", 1, "k", 1, true),
			   "statistics: STRING min = max gets the deprecated fields too, as parquet-mr does");
		s = &chunk_meta(&f, 0, 14)->statistics;
		tap_ok(stats_are(s, 4, lstmin, 4, lstmax, 4, true),
			   "statistics: a list's null_count counts the NULL list, the empty one and NULL elements");
	}
	pfile_close(&f);
	strata_parquet_sink_free(&out);

	/* per row group */
	table_init(t, 4);
	c = add_col(t, "v", STRATA_PARQUET_INT64, 0, true);
	set_i64(c, 0, 9);
	set_i64(c, 1, -9);
	c->nulls[2] = 1;
	set_i64(c, 3, 4);
	if (write_open(t, 2, &out, &f))
	{
		static const uint8_t m9[] = {0xf7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
		static const uint8_t p9[] = {9, 0, 0, 0, 0, 0, 0, 0};
		static const uint8_t p4[] = {4, 0, 0, 0, 0, 0, 0, 0};

		tap_ok(stats_are(&chunk_meta(&f, 0, 0)->statistics, 0, m9, 8, p9, 8, true) &&
			   stats_are(&chunk_meta(&f, 1, 0)->statistics, 1, p4, 8, p4, 8, true),
			   "statistics: each row group has its own");
		pfile_close(&f);
		strata_parquet_sink_free(&out);
	}
}

/* ---------------------------------------------------------------------
 * Refusals
 * ---------------------------------------------------------------------
 */

static bool
has_phrase(const StrataParquetStatus *st, const char *phrase)
{
	return st->failed && strstr(st->error, phrase) != NULL;
}

static void
expect_create_error(const char *label, const StrataParquetColumnSpec *specs, int n,
					const StrataParquetWriterOptions *o, const char *phrase)
{
	StrataParquetSink out;
	StrataParquetStatus st;
	StrataParquetWriter *w;

	strata_parquet_sink_init(&out, NULL, NULL);
	w = strata_parquet_writer_create(o, specs, n, strata_parquet_sink_write, &out, &st);
	tap_ok(w == NULL && has_phrase(&st, phrase) && out.len == 0,
		   "refused: %s (%s)", label, st.error);
	strata_parquet_writer_free(w);
	strata_parquet_sink_free(&out);
}

static StrataParquetColumnSpec
spec_of(const char *name, int32_t type, int32_t type_length, bool optional)
{
	StrataParquetColumnSpec s;

	memset(&s, 0, sizeof(s));
	s.name = name;
	s.type = type;
	s.type_length = type_length;
	s.optional = optional;
	return s;
}

static void
test_schema_errors(void)
{
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_ZSTD);
	StrataParquetColumnSpec s[2];
	StrataParquetWriterKeyValue kv = {NULL, "v"};

	s[0] = spec_of("a", STRATA_PARQUET_INT32, 0, false);
	expect_create_error("no columns", s, 0, &o, "at least one column");
	s[0].name = NULL;
	expect_create_error("a column without a name", s, 1, &o, "has no name");
	s[0] = spec_of("a", STRATA_PARQUET_INT32, 0, false);
	s[1] = spec_of("a", STRATA_PARQUET_INT64, 0, false);
	expect_create_error("two columns named a", s, 2, &o, "appears twice");
	s[0] = spec_of("a", STRATA_PARQUET_INT96, 0, false);
	expect_create_error("INT96", s, 1, &o, "INT96 is deprecated");
	s[0] = spec_of("a", 42, 0, false);
	expect_create_error("physical type 42", s, 1, &o, "unknown physical type 42");
	s[0] = spec_of("a", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 0, false);
	expect_create_error("FIXED_LEN_BYTE_ARRAY of 0 bytes", s, 1, &o, "needs a type_length");
	s[0] = spec_of("a", STRATA_PARQUET_INT32, 4, false);
	expect_create_error("type_length on INT32", s, 1, &o, "type_length is for FIXED_LEN_BYTE_ARRAY only");
	s[0] = spec_of("d", STRATA_PARQUET_INT64, 0, false);
	s[0].logical_type.kind = STRATA_PARQUET_LT_DECIMAL;
	s[0].logical_type.decimal_precision = 5;
	s[0].logical_type.decimal_scale = 2;
	expect_create_error("DECIMAL(5,2) in INT64", s, 1, &o, "DECIMAL must be stored as INT32, not INT64");
	s[0] = spec_of("d", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 16, false);
	s[0].logical_type.kind = STRATA_PARQUET_LT_DECIMAL;
	s[0].logical_type.decimal_precision = 20;
	expect_create_error("DECIMAL(20) in 16 bytes", s, 1, &o,
						"DECIMAL must be stored as FIXED_LEN_BYTE_ARRAY of 9 bytes");
	s[0].logical_type.decimal_precision = 39;
	expect_create_error("DECIMAL(39)", s, 1, &o, "precision 39 is outside 1 to 38");
	s[0] = spec_of("d", STRATA_PARQUET_INT32, 0, false);
	s[0].logical_type.kind = STRATA_PARQUET_LT_DECIMAL;
	s[0].logical_type.decimal_precision = 4;
	s[0].logical_type.decimal_scale = 5;
	expect_create_error("DECIMAL(4,5)", s, 1, &o, "scale 5 is outside 0 to the precision 4");
	s[0] = spec_of("s", STRATA_PARQUET_INT32, 0, false);
	s[0].logical_type.kind = STRATA_PARQUET_LT_STRING;
	expect_create_error("STRING in INT32", s, 1, &o, "STRING must be stored as BYTE_ARRAY");
	s[0] = spec_of("t", STRATA_PARQUET_INT64, 0, false);
	s[0].logical_type.kind = STRATA_PARQUET_LT_TIMESTAMP;
	s[0].logical_type.unit = STRATA_PARQUET_NANOS;
	expect_create_error("TIMESTAMP in nanoseconds", s, 1, &o, "unit MICROS only");
	s[0].logical_type.kind = STRATA_PARQUET_LT_TIME;
	s[0].logical_type.unit = STRATA_PARQUET_MILLIS;
	expect_create_error("TIME in milliseconds", s, 1, &o, "unit MICROS only");
	s[0] = spec_of("t", STRATA_PARQUET_INT32, 0, false);
	s[0].logical_type.kind = STRATA_PARQUET_LT_TIMESTAMP;
	s[0].logical_type.unit = STRATA_PARQUET_MICROS;
	expect_create_error("TIMESTAMP in INT32", s, 1, &o, "TIMESTAMP must be stored as INT64");
	s[0] = spec_of("i", STRATA_PARQUET_INT32, 0, false);
	s[0].logical_type.kind = STRATA_PARQUET_LT_INTEGER;
	s[0].logical_type.bit_width = 12;
	expect_create_error("INTEGER(12)", s, 1, &o, "bit width 12");
	s[0].logical_type.bit_width = 64;
	expect_create_error("INTEGER(64) in INT32", s, 1, &o, "INTEGER must be stored as INT64");
	s[0] = spec_of("u", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 15, false);
	s[0].logical_type.kind = STRATA_PARQUET_LT_UUID;
	expect_create_error("UUID of 15 bytes", s, 1, &o, "FIXED_LEN_BYTE_ARRAY of 16 bytes");
	s[0] = spec_of("e", STRATA_PARQUET_BYTE_ARRAY, 0, false);
	s[0].logical_type.kind = STRATA_PARQUET_LT_ENUM;
	expect_create_error("ENUM", s, 1, &o, "logical type ENUM is not supported");
	s[0].logical_type.kind = STRATA_PARQUET_LT_LIST;
	expect_create_error("LIST as a leaf's logical type", s, 1, &o, "logical type LIST is not supported");

	s[0] = spec_of("a", STRATA_PARQUET_INT32, 0, false);
	o.codec = STRATA_PARQUET_LZ4;
	expect_create_error("Hadoop LZ4", s, 1, &o, "codec 5 cannot be written");
	o.codec = STRATA_PARQUET_BROTLI;
	expect_create_error("BROTLI", s, 1, &o, "codec 4 cannot be written");
	o.codec = STRATA_PARQUET_ZSTD;
	o.compression_level = 99;
	expect_create_error("ZSTD level 99", s, 1, &o, "outside 1 to");
	o.codec = STRATA_PARQUET_SNAPPY;
	o.compression_level = 3;
	expect_create_error("SNAPPY with a level", s, 1, &o, "takes no level");
	o = options_with(STRATA_PARQUET_ZSTD);
	o.page_size = 0;
	expect_create_error("page size 0", s, 1, &o, "page size 0");
	o = options_with(STRATA_PARQUET_ZSTD);
	o.dictionary_limit = (size_t) 1 << 40;
	expect_create_error("a dictionary limit of 1 TB", s, 1, &o, "dictionary limit");
	o = options_with(STRATA_PARQUET_ZSTD);
	o.num_key_values = 1;
	o.key_values = &kv;
	expect_create_error("a key-value pair without key", s, 1, &o, "has no key");
	expect_create_error("no options", s, 1, NULL, "needs options");
}

/*
 * A writer over one column, a row group of nrows: the first write of
 * values must fail with phrase, and every later call too, with the same
 * message.
 */
static void
expect_value_error(const char *label, const StrataParquetColumnSpec *spec, int64_t nrows,
				   const void *values, const uint8_t *nulls, size_t count,
				   const size_t *offsets, const uint8_t *list_nulls, const char *phrase)
{
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_UNCOMPRESSED);
	StrataParquetSink out;
	StrataParquetStatus st;
	StrataParquetWriter *w;
	bool		ok;

	strata_parquet_sink_init(&out, NULL, NULL);
	w = strata_parquet_writer_create(&o, spec, 1, strata_parquet_sink_write, &out, &st);
	if (!tap_ok(w != NULL, "%s: writer created %s", label, st.error))
		return;
	strata_parquet_writer_begin_row_group(w, nrows);
	if (spec->is_list)
		ok = strata_parquet_writer_write_list_column(w, 0, offsets, list_nulls, values, nulls, count);
	else
		ok = strata_parquet_writer_write_column(w, 0, values, nulls, count);
	st = *strata_parquet_writer_status(w);
	tap_ok(!ok && has_phrase(&st, phrase), "refused: %s (%s)", label, st.error);
	tap_ok(!strata_parquet_writer_end_row_group(w) && !strata_parquet_writer_finish(w) &&
		   strcmp(strata_parquet_writer_status(w)->error, st.error) == 0,
		   "%s: the writer stays failed with the first message", label);
	strata_parquet_writer_free(w);
	strata_parquet_sink_free(&out);
}

static void
test_value_errors(void)
{
	StrataParquetColumnSpec s;
	StrataParquetByteArray ba[3];
	uint8_t		nulls[4] = {0, 1, 0, 0};
	uint8_t		bools[3] = {1, 2, 0};
	int32_t		i32[4] = {1, 2, 3, 4};
	int64_t		i64[3] = {1, 2, 3};
	size_t		offsets[4] = {0, 2, 1, 3};
	size_t		empty_offsets[3] = {0, 1, 2};
	uint8_t		list_nulls[3] = {0, 1, 0};
	static const uint8_t dummy[4] = {0};

	s = spec_of("f", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 4, false);
	ba[0].data = dummy;
	ba[0].len = 4;
	ba[1].data = dummy;
	ba[1].len = 3;
	expect_value_error("a 3-byte value in FIXED_LEN_BYTE_ARRAY(4)", &s, 2, ba, NULL, 2, NULL, NULL,
					   "row 1 is 3 bytes, not 4");
	s = spec_of("r", STRATA_PARQUET_INT32, 0, false);
	expect_value_error("a NULL in a required column", &s, 4, i32, nulls, 4, NULL, NULL,
					   "required, but row 1 is NULL");
	expect_value_error("five rows in a row group of four", &s, 4, i32, NULL, 5, NULL, NULL,
					   "5 more rows would exceed the row group's 4");
	expect_value_error("a row group of -1 rows", &s, -1, i32, NULL, 1, NULL, NULL,
					   "not possible");
	s = spec_of("b", STRATA_PARQUET_BOOLEAN, 0, false);
	expect_value_error("a boolean 2", &s, 3, bools, NULL, 3, NULL, NULL, "is 2, not 0 or 1");
	s = spec_of("s", STRATA_PARQUET_BYTE_ARRAY, 0, true);
	s.logical_type.kind = STRATA_PARQUET_LT_STRING;
	ba[0].data = (const uint8_t *) "ok";
	ba[0].len = 2;
	ba[1].data = (const uint8_t *) "\xc0\xaf";
	ba[1].len = 2;
	expect_value_error("an overlong UTF-8 slash", &s, 2, ba, NULL, 2, NULL, NULL, "not valid UTF-8");
	ba[1].data = (const uint8_t *) "\xed\xa0\x80";
	ba[1].len = 3;
	expect_value_error("a UTF-8 surrogate", &s, 2, ba, NULL, 2, NULL, NULL, "not valid UTF-8");
	ba[1].data = (const uint8_t *) "ab\xe2\x82";
	ba[1].len = 4;
	expect_value_error("UTF-8 cut short", &s, 2, ba, NULL, 2, NULL, NULL, "not valid UTF-8");
	ba[1].data = (const uint8_t *) "\xf4\x90\x80\x80";
	expect_value_error("a code point past U+10FFFF", &s, 2, ba, NULL, 2, NULL, NULL, "not valid UTF-8");
	ba[1].data = dummy;
	ba[1].len = (size_t) 1 << 30;
	expect_value_error("a value of 1 GB", &s, 2, ba, NULL, 2, NULL, NULL, "more than the");
	ba[1].data = NULL;
	ba[1].len = 3;
	expect_value_error("a value without data", &s, 2, ba, NULL, 2, NULL, NULL, "has no data");
	s = spec_of("d", STRATA_PARQUET_INT32, 0, false);
	s.logical_type.kind = STRATA_PARQUET_LT_DECIMAL;
	s.logical_type.decimal_precision = 3;
	i32[2] = -1000;
	expect_value_error("DECIMAL(3) of -1000", &s, 4, i32, NULL, 4, NULL, NULL,
					   "-1000 in row 2 has more than 3 digits");
	i32[2] = 3;
	s = spec_of("d", STRATA_PARQUET_INT64, 0, false);
	s.logical_type.kind = STRATA_PARQUET_LT_DECIMAL;
	s.logical_type.decimal_precision = 18;
	i64[1] = INT64_MIN;
	expect_value_error("DECIMAL(18) of INT64_MIN", &s, 3, i64, NULL, 3, NULL, NULL,
					   "more than 18 digits");
	s = spec_of("d", STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, 9, false);
	s.logical_type.kind = STRATA_PARQUET_LT_DECIMAL;
	s.logical_type.decimal_precision = 20;
	ba[0].data = (const uint8_t *) "\x05\x6b\xc7\x5e\x2d\x63\x10\x00\x00";	/* 10^20 */
	ba[0].len = 9;
	expect_value_error("DECIMAL(20) of 10^20", &s, 1, ba, NULL, 1, NULL, NULL, "more than 20 digits");
	ba[0].data = (const uint8_t *) "\xfa\x94\x38\xa1\xd2\x9c\xf0\x00\x00";	/* -10^20 */
	expect_value_error("DECIMAL(20) of -10^20", &s, 1, ba, NULL, 1, NULL, NULL, "more than 20 digits");
	s = spec_of("i", STRATA_PARQUET_INT32, 0, false);
	s.logical_type.kind = STRATA_PARQUET_LT_INTEGER;
	s.logical_type.bit_width = 8;
	s.logical_type.is_signed = true;
	i32[0] = 128;
	expect_value_error("INTEGER(8) of 128", &s, 4, i32, NULL, 4, NULL, NULL, "outside -128 to 127");
	s.logical_type.bit_width = 16;
	s.logical_type.is_signed = false;
	i32[0] = -1;
	expect_value_error("unsigned INTEGER(16) of -1", &s, 4, i32, NULL, 4, NULL, NULL, "outside 0 to 65535");
	i32[0] = 1;
	s = spec_of("t", STRATA_PARQUET_INT64, 0, false);
	s.logical_type.kind = STRATA_PARQUET_LT_TIME;
	s.logical_type.unit = STRATA_PARQUET_MICROS;
	i64[1] = INT64_C(86400000001);
	expect_value_error("TIME past 24:00:00", &s, 3, i64, NULL, 3, NULL, NULL, "outside 0 to 24:00:00");
	i64[1] = -1;
	expect_value_error("TIME before midnight", &s, 3, i64, NULL, 3, NULL, NULL, "outside 0 to 24:00:00");

	s = spec_of("l", STRATA_PARQUET_INT32, 0, false);
	s.is_list = true;
	expect_value_error("a NULL list in a required list column", &s, 2, i32, NULL, 2, empty_offsets,
					   list_nulls, "the list in row 1 is NULL");
	s.optional = true;
	expect_value_error("a NULL list with elements", &s, 3, i32, NULL, 2, empty_offsets, list_nulls,
					   "the NULL list in row 1 has elements");
	expect_value_error("offsets that decrease", &s, 3, i32, NULL, 3, offsets, NULL,
					   "offsets of row 1 decrease");
	expect_value_error("a NULL element among required ones", &s, 2, i32, nulls, 2, empty_offsets, NULL,
					   "element 0 of row 1 is NULL");
	expect_value_error("a list column without offsets", &s, 2, i32, NULL, 2, NULL, NULL, "needs offsets");
}

/* The lifecycle: calls out of order. */
static void
test_call_order(void)
{
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_ZSTD);
	StrataParquetColumnSpec s[2];
	StrataParquetSink out;
	StrataParquetStatus st;
	StrataParquetWriter *w;
	int32_t		v[2] = {1, 2};
	size_t		offsets[3] = {0, 1, 2};
	int			step;
	static const char *const phrases[] = {
		"written before column \"a\" held",
		"column \"a\" already holds",
		"ended with column \"b\" at 1 of its 2 rows",
		"begun before the previous one ended",
		"finished inside a row group",
		"there is no column 2",
		"values were written outside a row group",
		"already finished",
		"was ended that was not begun",
	};

	s[0] = spec_of("a", STRATA_PARQUET_INT32, 0, false);
	s[1] = spec_of("b", STRATA_PARQUET_INT32, 0, false);
	for (step = 0; step < 9; step++)
	{
		bool		ok;

		strata_parquet_sink_init(&out, NULL, NULL);
		w = strata_parquet_writer_create(&o, s, 2, strata_parquet_sink_write, &out, &st);
		ok = strata_parquet_writer_begin_row_group(w, 2);
		switch (step)
		{
			case 0:
				ok = strata_parquet_writer_write_column(w, 1, v, NULL, 2);
				break;
			case 1:
				ok = strata_parquet_writer_write_column(w, 0, v, NULL, 2) &&
					strata_parquet_writer_write_column(w, 0, v, NULL, 1);
				break;
			case 2:
				ok = strata_parquet_writer_write_column(w, 0, v, NULL, 2) &&
					strata_parquet_writer_write_column(w, 1, v, NULL, 1) &&
					strata_parquet_writer_end_row_group(w);
				break;
			case 3:
				ok = strata_parquet_writer_begin_row_group(w, 1);
				break;
			case 4:
				ok = strata_parquet_writer_finish(w);
				break;
			case 5:
				ok = strata_parquet_writer_write_column(w, 2, v, NULL, 1);
				break;
			case 6:
				ok = strata_parquet_writer_write_column(w, 0, v, NULL, 2) &&
					strata_parquet_writer_write_column(w, 1, v, NULL, 2) &&
					strata_parquet_writer_end_row_group(w) &&
					strata_parquet_writer_write_column(w, 0, v, NULL, 1);
				break;
			case 7:
				ok = strata_parquet_writer_write_column(w, 0, v, NULL, 2) &&
					strata_parquet_writer_write_column(w, 1, v, NULL, 2) &&
					strata_parquet_writer_end_row_group(w) &&
					strata_parquet_writer_finish(w) &&
					strata_parquet_writer_begin_row_group(w, 1);
				break;
			case 8:
				ok = strata_parquet_writer_write_column(w, 0, v, NULL, 2) &&
					strata_parquet_writer_write_column(w, 1, v, NULL, 2) &&
					strata_parquet_writer_end_row_group(w) &&
					strata_parquet_writer_end_row_group(w);
				break;
		}
		st = *strata_parquet_writer_status(w);
		tap_ok(!ok && has_phrase(&st, phrases[step]), "refused: call order %d (%s)", step, st.error);
		strata_parquet_writer_free(w);
		strata_parquet_sink_free(&out);
	}

	/* a list column written as a flat one, and the other way round */
	s[1].is_list = true;
	strata_parquet_sink_init(&out, NULL, NULL);
	w = strata_parquet_writer_create(&o, s, 2, strata_parquet_sink_write, &out, &st);
	tap_ok(strata_parquet_writer_begin_row_group(w, 2) &&
		   !strata_parquet_writer_write_list_column(w, 0, offsets, NULL, v, NULL, 2) &&
		   has_phrase(strata_parquet_writer_status(w), "column \"a\" is not a list"),
		   "refused: a flat column written as a list (%s)", strata_parquet_writer_status(w)->error);
	strata_parquet_writer_free(w);
	w = strata_parquet_writer_create(&o, s, 2, strata_parquet_sink_write, &out, &st);
	tap_ok(strata_parquet_writer_begin_row_group(w, 2) &&
		   strata_parquet_writer_write_column(w, 0, v, NULL, 2) &&
		   !strata_parquet_writer_write_column(w, 1, v, NULL, 2) &&
		   has_phrase(strata_parquet_writer_status(w), "column \"b\" is a list"),
		   "refused: a list column written as a flat one (%s)", strata_parquet_writer_status(w)->error);
	strata_parquet_writer_free(w);
	strata_parquet_sink_free(&out);
	s[1].is_list = false;

	/* zero-row row groups and zero-row writes are fine */
	strata_parquet_sink_init(&out, NULL, NULL);
	w = strata_parquet_writer_create(&o, s, 2, strata_parquet_sink_write, &out, &st);
	tap_ok(strata_parquet_writer_begin_row_group(w, 0) &&
		   strata_parquet_writer_write_column(w, 1, NULL, NULL, 0) &&
		   strata_parquet_writer_end_row_group(w) &&
		   strata_parquet_writer_begin_row_group(w, 2) &&
		   strata_parquet_writer_write_column(w, 0, v, NULL, 0) &&
		   strata_parquet_writer_write_column(w, 0, v, NULL, 2) &&
		   strata_parquet_writer_write_column(w, 1, v, NULL, 2) &&
		   strata_parquet_writer_end_row_group(w) &&
		   strata_parquet_writer_finish(w) &&
		   strata_parquet_writer_metadata(w) != NULL &&
		   strata_parquet_writer_metadata(w)->num_row_groups == 1 &&
		   strata_parquet_writer_metadata(w)->row_groups[0].file_offset == 4 &&
		   strata_parquet_writer_bytes_written(w) == out.len,
		   "an empty row group is skipped; metadata and bytes_written after finish");
	strata_parquet_writer_free(w);
	strata_parquet_sink_free(&out);
}

/* A write callback that fails once limit bytes have gone through. */
typedef struct LimitedSink
{
	StrataParquetSink sink;
	size_t		limit;
} LimitedSink;

static bool
limited_write(void *ctx, const void *data, size_t len)
{
	LimitedSink *ls = ctx;

	if (ls->sink.len + len > ls->limit)
		return false;
	return strata_parquet_sink_append(&ls->sink, data, len);
}

/* A realloc callback that refuses after budget successful growths. */
typedef struct FailingAlloc
{
	long		budget;
	long		calls;
} FailingAlloc;

static void *
failing_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
	FailingAlloc *fa = ctx;

	(void) old_size;
	if (new_size == 0)
	{
		free(ptr);
		return NULL;
	}
	if (fa->calls++ >= fa->budget)
		return NULL;
	return realloc(ptr, new_size);
}

static void
test_failures(void)
{
	StrataParquetWriterOptions o = options_with(STRATA_PARQUET_ZSTD);
	StrataParquetColumnSpec specs[MAX_TCOLS];
	TTable	   *t = talloc(sizeof(TTable));
	StrataParquetSink good;
	StrataParquetStatus st;
	LimitedSink ls;
	StrataParquetWriter *w;
	FailingAlloc fa;
	long		budget;
	int			k,
				failures = 0,
				wrong = 0;
	bool		matched = false;

	build_basic(t, 300);
	for (k = 0; k < t->ncols; k++)
		specs[k] = t->cols[k].spec;
	if (!write_uniform(&o, t, 100, &good, &st))
	{
		tap_ok(false, "failures: the table is written %s", st.error);
		return;
	}

	ls.limit = 0;
	strata_parquet_sink_init(&ls.sink, NULL, NULL);
	w = strata_parquet_writer_create(&o, specs, t->ncols, limited_write, &ls, &st);
	tap_ok(w == NULL && has_phrase(&st, "write callback failed at file offset 0"),
		   "refused: a sink that takes nothing (%s)", st.error);
	ls.limit = good.len / 2;
	w = strata_parquet_writer_create(&o, specs, t->ncols, limited_write, &ls, &st);
	{
		bool		ok = strata_parquet_writer_begin_row_group(w, 300);

		for (k = 0; ok && k < t->ncols; k++)
		{
			const TCol *c = &t->cols[k];

			ok = c->spec.is_list ?
				strata_parquet_writer_write_list_column(w, k, c->offsets, c->list_nulls,
														c->values, c->nulls, 300) :
				strata_parquet_writer_write_column(w, k, c->values, c->nulls, 300);
		}
		ok = ok && strata_parquet_writer_end_row_group(w) && strata_parquet_writer_finish(w);
		st = *strata_parquet_writer_status(w);
		tap_ok(!ok && has_phrase(&st, "the write callback failed at file offset"),
			   "refused: a sink that fails half way (%s)", st.error);
	}
	strata_parquet_writer_free(w);
	strata_parquet_sink_free(&ls.sink);

	/* every allocation, failed in turn: an error, never a crash or a leak */
	o.realloc_fn = failing_realloc;
	o.alloc_ctx = &fa;
	for (budget = 0; budget < 5000 && !matched; budget++)
	{
		StrataParquetSink out;

		fa.budget = budget;
		fa.calls = 0;
		if (write_uniform(&o, t, 100, &out, &st))
			matched = out.len == good.len && memcmp(out.buf, good.buf, good.len) == 0;
		else
		{
			failures++;
			if (!has_phrase(&st, "out of memory"))
			{
				if (wrong++ == 0)
					printf("# budget %ld: %s\n", budget, st.error);
			}
		}
		strata_parquet_sink_free(&out);
	}
	tap_ok(matched && wrong == 0,
		   "allocation failures: each of the first %d allocations failed in turn reports \"out of memory\"; then the same file",
		   failures);
	strata_parquet_sink_free(&good);
}

int
main(void)
{
	write_dir = getenv("STRATA_PARQUET_WRITE_DIR");
	if (write_dir != NULL && write_dir[0] == '\0')
		write_dir = NULL;

	test_decimal_type();
	test_worked_example();
	test_many_types();
	test_codecs();
	test_dictionary();
	test_row_groups_and_pages();
	test_sparse_pages();
	test_statistics();
	test_schema_errors();
	test_value_errors();
	test_call_order();
	test_failures();
	pool_release();
	return tap_done();
}
