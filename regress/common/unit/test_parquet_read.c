/*-------------------------------------------------------------------------
 *
 * test_parquet_read.c
 *	  Unit tests of strata_parquet_read: column chunks of real and built files.
 *
 * Built files.  Small Parquet files are assembled in memory with the
 * encoders of strata_parquet_encoding and the footer encoder of
 * strata_parquet_meta, to reach what real writers rarely produce: every
 * codec including the Hadoop-framed LZ4 (one and two chunks, and a bare
 * block under that codec), multi-member gzip, page CRCs right and wrong,
 * dictionary offsets missing or 0, BIT_PACKED levels, v2 pages stored
 * uncompressed or empty, index pages, and one file per way the reader
 * must refuse a file (with the phrase its message must contain).
 *
 * Sample files.  When STRATA_PARQUET_SAMPLES names a directory written by
 * make_parquet_samples.js, every NAME.parquet in it (and in its folder of
 * hyparquet-writer files) is read, every leaf
 * column of every row group, and rendered in the canonical text form that
 * script documents; each row must equal the line DuckDB (or hyparquet)
 * read from the same file, in NAME.expected.  At the end the samples must
 * have exercised every encoding, the codecs, both page versions and
 * nesting, so a change to the script cannot quietly drop coverage.
 *
 * Iceberg fixtures.  When STRATA_ICEBERG_FIXTURES names a directory, every
 * *.parquet below it (Spark, Trino, pyarrow, DuckDB) is read completely:
 * no error, and every column has the file's num_rows rows.
 *
 * Without the variables those parts are reported as skipped.
 *
 *-------------------------------------------------------------------------
 */
#include "tap.h"
#include "strata_compress.h"
#include "strata_parquet_read.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lz4.h>
#include <zlib.h>

/* tap.h has no skip; TAP wants "ok N # skip reason" */
static void
tap_skip(const char *reason)
{
	tap_count++;
	printf("ok %d # skip %s\n", tap_count, reason);
	fflush(stdout);
}

static StrataParquetStatus
clean_status(void)
{
	StrataParquetStatus st;

	memset(&st, 0, sizeof(st));
	return st;
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
	buf = malloc(n > 0 ? n : 1);
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

/* Locate and decode the footer of a file in memory. */
static bool
open_file(const uint8_t *file, size_t len, StrataArena *arena, StrataParquetFileMetaData *md,
		  StrataParquetStatus *st)
{
	size_t		off,
				flen;

	return strata_parquet_locate_footer(file, len, &off, &flen, st) &&
		strata_parquet_file_metadata_decode(file + off, flen, arena, md, st);
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
	if (t->len + n > t->cap)
	{
		t->cap = (t->len + n) * 2 + 64;
		t->data = realloc(t->data, t->cap);
	}
	memcpy(t->data + t->len, p, n);
	t->len += n;
}

static void
text_str(Text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/* ---------------------------------------------------------------------
 * The canonical rendering (see make_parquet_samples.js)
 * ---------------------------------------------------------------------
 */
typedef enum ScalarKind
{
	K_BOOL,
	K_SIGNED,
	K_UNSIGNED,
	K_DECIMAL,
	K_FLOAT,
	K_DOUBLE,
	K_TEXT,
	K_HEX
} ScalarKind;

typedef struct LeafRender
{
	const StrataParquetLeaf *leaf;
	ScalarKind	kind;
	int			scale;
	int			nrep;
	int16_t	   *rep_def;		/* definition level at each repeated element */
} LeafRender;

static void
leaf_render_init(LeafRender *lr, const StrataParquetFileMetaData *md,
				 const StrataParquetLeaf *leaf)
{
	const StrataParquetSchemaElement *se = leaf->element;
	const StrataParquetLogicalType *lt = &leaf->logical_type;
	int32_t		ct = leaf->has_converted_type ? leaf->converted_type : -1;
	int			def = 0;
	int			i;

	lr->leaf = leaf;
	lr->nrep = 0;
	lr->rep_def = malloc(sizeof(int16_t) * (leaf->depth + 1));
	for (i = 0; i < leaf->depth; i++)
	{
		const StrataParquetSchemaElement *e = &md->schema[leaf->path_index[i]];
		int32_t		r = e->has_repetition_type ? e->repetition_type : STRATA_PARQUET_REQUIRED;

		if (r != STRATA_PARQUET_REQUIRED)
			def++;
		if (r == STRATA_PARQUET_REPEATED)
			lr->rep_def[lr->nrep++] = (int16_t) def;
	}

	lr->scale = 0;
	if (ct == STRATA_PARQUET_CT_DECIMAL || lt->kind == STRATA_PARQUET_LT_DECIMAL)
	{
		lr->kind = K_DECIMAL;
		lr->scale = lt->kind == STRATA_PARQUET_LT_DECIMAL ? lt->decimal_scale :
			(se->has_scale ? se->scale : 0);
		return;
	}
	switch (leaf->type)
	{
		case STRATA_PARQUET_BOOLEAN:
			lr->kind = K_BOOL;
			break;
		case STRATA_PARQUET_INT32:
		case STRATA_PARQUET_INT64:
			lr->kind = (ct >= STRATA_PARQUET_CT_UINT_8 && ct <= STRATA_PARQUET_CT_UINT_64) ||
				(lt->kind == STRATA_PARQUET_LT_INTEGER && !lt->is_signed) ? K_UNSIGNED : K_SIGNED;
			break;
		case STRATA_PARQUET_FLOAT:
			lr->kind = K_FLOAT;
			break;
		case STRATA_PARQUET_DOUBLE:
			lr->kind = K_DOUBLE;
			break;
		default:
			lr->kind = ct == STRATA_PARQUET_CT_UTF8 || ct == STRATA_PARQUET_CT_JSON ||
				ct == STRATA_PARQUET_CT_ENUM || lt->kind == STRATA_PARQUET_LT_STRING ||
				lt->kind == STRATA_PARQUET_LT_JSON || lt->kind == STRATA_PARQUET_LT_ENUM ?
				K_TEXT : K_HEX;
			break;
	}
}

/* An unscaled decimal with the point placed by scale. */
static void
render_decimal(Text *t, __int128 v, int scale)
{
	char		digits[64];
	int			n = 0;
	unsigned __int128 u = v < 0 ? -(unsigned __int128) v : (unsigned __int128) v;
	int			i;

	do
	{
		digits[n++] = (char) ('0' + (int) (u % 10));
		u /= 10;
	} while (u != 0);
	while (n <= scale)
		digits[n++] = '0';
	if (v < 0)
		text_add(t, "-", 1);
	for (i = n - 1; i >= 0; i--)
	{
		text_add(t, &digits[i], 1);
		if (i == scale && scale > 0)
			text_add(t, ".", 1);
	}
}

/* A big-endian two's complement integer of up to 16 bytes. */
static bool
be_int128(const uint8_t *p, size_t len, __int128 *v)
{
	unsigned __int128 u = 0;
	size_t		i;

	if (len == 0 || len > 16)
		return false;
	for (i = 0; i < len; i++)
		u = u << 8 | p[i];
	if (p[0] & 0x80 && len < 16)
		u |= ~(unsigned __int128) 0 << (8 * len);
	*v = (__int128) u;
	return true;
}

static void
render_bytes(Text *t, ScalarKind kind, const uint8_t *p, size_t len)
{
	static const char hexd[] = "0123456789abcdef";
	size_t		i;

	if (kind == K_TEXT)
	{
		for (i = 0; i < len; i++)
		{
			switch (p[i])
			{
				case '\\':
					text_add(t, "\\\\", 2);
					break;
				case '\t':
					text_add(t, "\\t", 2);
					break;
				case '\n':
					text_add(t, "\\n", 2);
					break;
				case '\r':
					text_add(t, "\\r", 2);
					break;
				default:
					text_add(t, &p[i], 1);
			}
		}
		return;
	}
	text_add(t, "x", 1);
	for (i = 0; i < len; i++)
	{
		text_add(t, &hexd[p[i] >> 4], 1);
		text_add(t, &hexd[p[i] & 15], 1);
	}
}

static void
render_scalar(Text *t, const LeafRender *lr, const StrataParquetColumnData *cd, int64_t i)
{
	char		buf[64];
	const uint8_t *v = (const uint8_t *) cd->values + (size_t) i * cd->value_size;
	const uint8_t *bytes = v;
	size_t		len = cd->value_size;
	__int128	big;

	if (lr->leaf->type == STRATA_PARQUET_BYTE_ARRAY)
	{
		const StrataParquetSpan *s = (const StrataParquetSpan *) v;

		bytes = cd->bytes + s->offset;
		len = s->length;
	}
	switch (lr->kind)
	{
		case K_BOOL:
			text_str(t, *v ? "true" : "false");
			return;
		case K_SIGNED:
		case K_UNSIGNED:
		case K_DECIMAL:
			if (lr->leaf->type == STRATA_PARQUET_INT32)
			{
				int32_t		x;

				memcpy(&x, v, 4);
				big = lr->kind == K_UNSIGNED ? (__int128) (uint32_t) x : x;
			}
			else if (lr->leaf->type == STRATA_PARQUET_INT64)
			{
				int64_t		x;

				memcpy(&x, v, 8);
				big = lr->kind == K_UNSIGNED ? (__int128) (uint64_t) x : x;
			}
			else if (!be_int128(bytes, len, &big))
			{
				text_str(t, "?decimal");
				return;
			}
			render_decimal(t, big, lr->kind == K_DECIMAL ? lr->scale : 0);
			return;
		case K_FLOAT:
			{
				uint32_t	b;

				memcpy(&b, v, 4);
				if ((b & 0x7F800000) == 0x7F800000 && (b & 0x7FFFFF) != 0)
					text_str(t, "nan");
				else
				{
					snprintf(buf, sizeof(buf), "0x%08x", b);
					text_str(t, buf);
				}
				return;
			}
		case K_DOUBLE:
			{
				uint64_t	b;

				memcpy(&b, v, 8);
				if ((b & 0x7FF0000000000000ULL) == 0x7FF0000000000000ULL &&
					(b & 0xFFFFFFFFFFFFFULL) != 0)
					text_str(t, "nan");
				else
				{
					snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long) b);
					text_str(t, buf);
				}
				return;
			}
		case K_TEXT:
		case K_HEX:
			render_bytes(t, lr->kind, bytes, len);
			return;
	}
}

typedef struct RenderState
{
	const LeafRender *lr;
	const StrataParquetColumnData *cd;
	int64_t		vpos;			/* next value */
} RenderState;

/*
 * Render level entries [s, e), which make up one item at nesting depth j
 * (j repeated elements entered): its null, its list, or its value.
 */
static void
render_range(Text *t, RenderState *rs, int j, int64_t s, int64_t e)
{
	const StrataParquetColumnData *cd = rs->cd;
	int			max_def = rs->lr->leaf->max_def;
	int			d = cd->def_levels ? cd->def_levels[s] : max_def;
	int			D;
	int64_t		k,
				item;

	if (j == rs->lr->nrep)
	{
		if (d == max_def)
			render_scalar(t, rs->lr, cd, rs->vpos++);
		else
			text_add(t, "\\N", 2);
		return;
	}
	D = rs->lr->rep_def[j];
	if (d < D - 1)
	{
		text_add(t, "\\N", 2);
		return;
	}
	if (d == D - 1)
	{
		text_add(t, "[]", 2);
		return;
	}
	text_add(t, "[", 1);
	item = s;
	for (k = s + 1; k <= e; k++)
	{
		if (k == e || cd->rep_levels[k] <= j + 1)
		{
			render_range(t, rs, j + 1, item, k);
			if (k < e)
				text_add(t, ",", 1);
			item = k;
		}
	}
	text_add(t, "]", 1);
}

/* One column chunk as rows: row r is t->data[rows[r] .. rows[r + 1]). */
static void
render_column(Text *t, size_t *rows, const LeafRender *lr, const StrataParquetColumnData *cd)
{
	RenderState rs;
	int64_t		pos = 0,
				end;
	int64_t		r = 0;

	rs.lr = lr;
	rs.cd = cd;
	rs.vpos = 0;
	rows[0] = t->len;
	while (pos < cd->num_values)
	{
		end = pos + 1;
		if (cd->rep_levels)
			while (end < cd->num_values && cd->rep_levels[end] != 0)
				end++;
		render_range(t, &rs, 0, pos, end);
		rows[++r] = t->len;
		pos = end;
	}
}

/* ---------------------------------------------------------------------
 * Sample files
 * ---------------------------------------------------------------------
 */

/* What the samples exercised, across all files. */
static uint32_t seen_encodings;
static uint32_t seen_codecs;
static int	seen_v1_pages,
			seen_v2_pages,
			seen_dictionaries,
			seen_multi_page_chunks,
			seen_repeated,
			seen_required,
			seen_refusals;

/* The next line of an expected file (NUL-terminated in place), or NULL. */
static char *
next_line(char **cursor, char *end)
{
	char	   *line = *cursor;
	char	   *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', end - line);
	if (nl == NULL)
		nl = end;
	*nl = '\0';
	*cursor = nl + 1;
	return line;
}

/* Field number col of a tab-separated line, into buf. */
static void
field_of(const char *line, size_t len, int col, char *buf, size_t bufsize)
{
	const char *p = line;
	const char *end = line + len;
	const char *tab;
	size_t		n;

	while (col-- > 0 && p < end && (tab = memchr(p, '\t', end - p)) != NULL)
		p = tab + 1;
	tab = memchr(p, '\t', end - p);
	n = (tab ? tab : end) - p;
	if (n >= bufsize)
		n = bufsize - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

static void
check_sample(const char *dir, const char *name)
{
	char		path[4096];
	uint8_t    *file;
	char	   *exp,
			   *cursor,
			   *exp_end,
			   *line;
	size_t		file_len,
				exp_len;
	StrataArena arena;
	StrataParquetFileMetaData md;
	StrataParquetStatus st = clean_status();
	StrataParquetLeaf *leaves;
	int32_t		nleaves,
				g,
				c;
	int64_t		row = 0;
	Text		header = {0};
	char		why[600] = "";
	LeafRender *lrs = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	file = read_file(path, &file_len);
	snprintf(path + strlen(path) - strlen(".parquet"), 16, ".expected");
	exp = (char *) read_file(path, &exp_len);
	if (file == NULL || exp == NULL)
	{
		tap_ok(0, "%s: cannot read it or its .expected", name);
		free(file);
		free(exp);
		return;
	}
	cursor = exp;
	exp_end = exp + exp_len;
	line = next_line(&cursor, exp_end);
	if (line == NULL || strcmp(line, "#strata-parquet-expected 1") != 0)
	{
		tap_ok(0, "%s: .expected lacks its first line", name);
		free(file);
		free(exp);
		return;
	}
	line = next_line(&cursor, exp_end);

	strata_arena_init(&arena, 0);
	if (!open_file(file, file_len, &arena, &md, &st) ||
		!strata_parquet_schema_leaves(&md, &arena, &leaves, &nleaves, &st))
	{
		snprintf(why, sizeof(why), "footer or schema: %s", st.error);
		goto done;
	}

	/* a file the reader must refuse: every column fails, saying why */
	if (line != NULL && strncmp(line, "#error\t", 7) == 0)
	{
		int			refused = 0,
					columns = 0;

		for (g = 0; g < md.num_row_groups; g++)
			for (c = 0; c < nleaves; c++)
			{
				StrataParquetColumnData cd;

				st = clean_status();
				columns++;
				if (!strata_parquet_read_column(file, file_len, &md, leaves, nleaves, g, c,
												&arena, &cd, &st) &&
					strstr(st.error, line + 7) != NULL)
					refused++;
				else if (why[0] == '\0')
					snprintf(why, sizeof(why), "column %d: \"%s\" lacks \"%s\"", c,
							 st.error, line + 7);
			}
		if (refused == columns && columns > 0)
			seen_refusals++;
		tap_ok(refused == columns && columns > 0, "%s: all %d column chunks refused (\"%s\") %s",
			   name, columns, line + 7, why);
		goto cleanup;
	}

	text_str(&header, "#columns");
	for (c = 0; c < nleaves; c++)
	{
		text_str(&header, "\t");
		text_str(&header, leaves[c].dotted_path);
	}
	if (line == NULL || strlen(line) != header.len || memcmp(line, header.data, header.len) != 0)
	{
		snprintf(why, sizeof(why), "the leaf columns differ from the expected header");
		goto done;
	}
	lrs = calloc(nleaves, sizeof(LeafRender));
	for (c = 0; c < nleaves; c++)
	{
		leaf_render_init(&lrs[c], &md, &leaves[c]);
		if (leaves[c].max_rep > 0)
			seen_repeated++;
		if (leaves[c].repetition == STRATA_PARQUET_REQUIRED && leaves[c].max_def == 0)
			seen_required++;
	}

	for (g = 0; g < md.num_row_groups && why[0] == '\0'; g++)
	{
		Text	   *cols = calloc(nleaves, sizeof(Text));
		size_t	  **rows = calloc(nleaves, sizeof(size_t *));
		int64_t		nrows = md.row_groups[g].num_rows;
		int64_t		r;
		Text		built = {0};
		StrataArena rg_arena;

		strata_arena_init(&rg_arena, 0);
		for (c = 0; c < nleaves && why[0] == '\0'; c++)
		{
			StrataParquetColumnData cd;

			st = clean_status();
			if (!strata_parquet_read_column(file, file_len, &md, leaves, nleaves, g, c,
											&rg_arena, &cd, &st))
			{
				snprintf(why, sizeof(why), "row group %d column %s: %s (offset %zu)", g,
						 leaves[c].dotted_path, st.error, st.error_offset);
				break;
			}
			seen_encodings |= cd.encodings;
			seen_codecs |= 1u << md.row_groups[g].columns[c].meta_data->codec;
			seen_v1_pages += cd.num_data_pages_v1;
			seen_v2_pages += cd.num_data_pages_v2;
			seen_dictionaries += cd.has_dictionary;
			seen_multi_page_chunks += cd.num_data_pages_v1 + cd.num_data_pages_v2 > 1;
			rows[c] = malloc(sizeof(size_t) * (nrows + 1));
			render_column(&cols[c], rows[c], &lrs[c], &cd);
			if (cd.num_rows != nrows)
				snprintf(why, sizeof(why), "row group %d column %s: %lld rows, not %lld", g,
						 leaves[c].dotted_path, (long long) cd.num_rows, (long long) nrows);
		}
		for (r = 0; r < nrows && why[0] == '\0'; r++, row++)
		{
			built.len = 0;
			for (c = 0; c < nleaves; c++)
			{
				if (c > 0)
					text_add(&built, "\t", 1);
				text_add(&built, cols[c].data + rows[c][r], rows[c][r + 1] - rows[c][r]);
			}
			line = next_line(&cursor, exp_end);
			if (line == NULL)
				snprintf(why, sizeof(why), "row %lld: the expected file ends early", (long long) row);
			else if (strlen(line) != built.len || memcmp(line, built.data, built.len) != 0)
			{
				char		want[160],
							got[160];

				for (c = 0; c < nleaves; c++)
				{
					field_of(line, strlen(line), c, want, sizeof(want));
					field_of(built.data, built.len, c, got, sizeof(got));
					if (strcmp(want, got) != 0)
						break;
				}
				snprintf(why, sizeof(why), "row %lld column %s: expected \"%s\", read \"%s\"",
						 (long long) row, c < nleaves ? leaves[c].dotted_path : "?", want, got);
			}
		}
		for (c = 0; c < nleaves; c++)
		{
			free(cols[c].data);
			free(rows[c]);
		}
		free(cols);
		free(rows);
		free(built.data);
		strata_arena_free_all(&rg_arena);
	}
	if (why[0] == '\0' && next_line(&cursor, exp_end) != NULL)
		snprintf(why, sizeof(why), "the expected file has rows past %lld", (long long) row);

done:
	tap_ok(why[0] == '\0', "%s: %lld rows of %d columns equal what %s read %s", name,
		   (long long) row, why[0] ? 0 : nleaves,
		   strstr(name, "split_ints") ? "hyparquet" : "DuckDB", why);
cleanup:
	if (lrs)
		for (c = 0; c < nleaves; c++)
			free(lrs[c].rep_def);
	free(lrs);
	free(header.data);
	strata_arena_free_all(&arena);
	free(file);
	free(exp);
}

static void
find_parquet(const char *dir, char ***names, size_t *n)
{
	DIR		   *d = opendir(dir);
	struct dirent *de;
	char		path[4096];
	struct stat sb;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
	{
		size_t		l = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			find_parquet(path, names, n);
		else if (l > 8 && strcmp(de->d_name + l - 8, ".parquet") == 0)
		{
			*names = realloc(*names, sizeof(char *) * (*n + 1));
			(*names)[(*n)++] = strdup(path);
		}
	}
	closedir(d);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
test_samples(void)
{
	const char *dir = getenv("STRATA_PARQUET_SAMPLES");
	DIR		   *d;
	char	  **names = NULL;
	size_t		n = 0,
				i;
	uint32_t	want_enc;

	if (dir == NULL || dir[0] == '\0')
	{
		tap_skip("STRATA_PARQUET_SAMPLES is not set (see make_parquet_samples.js)");
		return;
	}
	d = opendir(dir);
	if (d == NULL)
	{
		tap_ok(0, "cannot open STRATA_PARQUET_SAMPLES %s", dir);
		return;
	}
	closedir(d);
	find_parquet(dir, &names, &n);
	qsort(names, n, sizeof(char *), compare_names);
	for (i = 0; i < n; i++)
	{
		check_sample(dir, names[i] + strlen(dir) + 1);
		free(names[i]);
	}
	free(names);

	want_enc = 1u << STRATA_PARQUET_ENC_PLAIN | 1u << STRATA_PARQUET_ENC_PLAIN_DICTIONARY |
		1u << STRATA_PARQUET_ENC_RLE | 1u << STRATA_PARQUET_ENC_DELTA_BINARY_PACKED |
		1u << STRATA_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY |
		1u << STRATA_PARQUET_ENC_DELTA_BYTE_ARRAY | 1u << STRATA_PARQUET_ENC_RLE_DICTIONARY |
		1u << STRATA_PARQUET_ENC_BYTE_STREAM_SPLIT;
	tap_ok(n >= 20 && (seen_encodings & want_enc) == want_enc,
		   "samples: %zu files used every value encoding (seen %#x)", n, seen_encodings);
	tap_ok((seen_codecs & 0xC7) == 0xC7,
		   "samples: codecs UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW (seen %#x)", seen_codecs);
	tap_ok(seen_v1_pages > 0 && seen_v2_pages > 0 && seen_dictionaries > 0 &&
		   seen_multi_page_chunks > 0,
		   "samples: %d v1 pages, %d v2 pages, %d dictionaries, %d chunks of several pages",
		   seen_v1_pages, seen_v2_pages, seen_dictionaries, seen_multi_page_chunks);
	tap_ok(seen_repeated > 0 && seen_required > 0 && seen_refusals >= 2,
		   "samples: %d repeated and %d required leaf columns, %d refused files",
		   seen_repeated, seen_required, seen_refusals);
}

/* ---------------------------------------------------------------------
 * Iceberg fixtures
 * ---------------------------------------------------------------------
 */

static void
test_iceberg_fixtures(void)
{
	const char *dir = getenv("STRATA_ICEBERG_FIXTURES");
	char	  **names = NULL;
	size_t		n = 0,
				i;
	int			crcs = 0;
	int			good = 0;

	if (dir == NULL || dir[0] == '\0')
	{
		tap_skip("STRATA_ICEBERG_FIXTURES is not set");
		return;
	}
	find_parquet(dir, &names, &n);
	qsort(names, n, sizeof(char *), compare_names);
	for (i = 0; i < n; i++)
	{
		size_t		len;
		uint8_t    *file = read_file(names[i], &len);
		StrataArena arena;
		StrataParquetFileMetaData md;
		StrataParquetStatus st = clean_status();
		StrataParquetLeaf *leaves;
		int32_t		nleaves = 0,
					g,
					c;
		char		why[400] = "";
		int64_t		values = 0;

		strata_arena_init(&arena, 0);
		if (file == NULL)
			snprintf(why, sizeof(why), "cannot read it");
		else if (!open_file(file, len, &arena, &md, &st) ||
				 !strata_parquet_schema_leaves(&md, &arena, &leaves, &nleaves, &st))
			snprintf(why, sizeof(why), "footer: %s", st.error);
		for (c = 0; why[0] == '\0' && c < nleaves; c++)
		{
			int64_t		rows = 0;

			for (g = 0; why[0] == '\0' && g < md.num_row_groups; g++)
			{
				StrataParquetColumnData cd;
				StrataArena col_arena;

				strata_arena_init(&col_arena, 0);
				st = clean_status();
				if (!strata_parquet_read_column(file, len, &md, leaves, nleaves, g, c,
												&col_arena, &cd, &st))
					snprintf(why, sizeof(why), "row group %d column %s: %s (offset %zu)", g,
							 leaves[c].dotted_path, st.error, st.error_offset);
				rows += cd.num_rows;
				values += cd.num_values;
				crcs += cd.num_crc_checked;
				strata_arena_free_all(&col_arena);
			}
			if (why[0] == '\0' && rows != md.num_rows)
				snprintf(why, sizeof(why), "column %s has %lld rows, the file %lld",
						 leaves[c].dotted_path, (long long) rows, (long long) md.num_rows);
		}
		good += why[0] == '\0';
		tap_ok(why[0] == '\0', "fixture %s: %d columns, %lld rows, %lld values %s",
			   names[i] + strlen(dir), nleaves, why[0] ? 0LL : (long long) md.num_rows,
			   (long long) values, why);
		strata_arena_free_all(&arena);
		free(file);
		free(names[i]);
	}
	free(names);
	tap_ok(n > 0 && good == (int) n, "fixtures: %d of %zu files read, %d page CRCs verified",
		   good, n, crcs);
}

/* ---------------------------------------------------------------------
 * Built files
 * ---------------------------------------------------------------------
 */

typedef enum Schema
{
	SCHEMA_OPTIONAL,			/* optional int32 x */
	SCHEMA_REPEATED,			/* repeated int32 r */
	SCHEMA_NESTED				/* optional group g { optional int32 x } */
} Schema;

typedef struct Builder
{
	StrataParquetSink out;
	int64_t		dict_off;
	int64_t		data_off;
} Builder;

/* How to store a page body (LZ4 variants are Parquet codec 5). */
typedef enum Store
{
	ST_PLAIN,					/* the chunk's codec as strata_compress does it */
	ST_HADOOP1,					/* Hadoop LZ4, one chunk */
	ST_HADOOP2,					/* Hadoop LZ4, one block of two chunks */
	ST_GZIP2					/* two gzip members */
} Store;

static void
put_be32(StrataParquetSink *s, uint32_t v)
{
	uint8_t		b[4] = {(uint8_t) (v >> 24), (uint8_t) (v >> 16), (uint8_t) (v >> 8), (uint8_t) v};

	strata_parquet_sink_append(s, b, 4);
}

static void
compress_into(StrataParquetSink *s, StrataCodec codec, const uint8_t *p, size_t len)
{
	size_t		bound = strata_compress_bound(codec, len) + 16;
	uint8_t    *buf = malloc(bound);
	size_t		clen = 0;
	const char *detail;
	int			min,
				max,
				level;

	strata_codec_level_range(codec, &min, &max, &level);
	if (codec == STRATA_CODEC_NONE)
		strata_parquet_sink_append(s, p, len);
	else if (strata_compress(codec, level, p, len, buf, bound, &clen, &detail) == STRATA_CODEC_OK)
		strata_parquet_sink_append(s, buf, clen);
	free(buf);
}

static StrataCodec
strata_codec_of(int32_t codec)
{
	switch (codec)
	{
		case STRATA_PARQUET_SNAPPY:
			return STRATA_CODEC_SNAPPY;
		case STRATA_PARQUET_GZIP:
			return STRATA_CODEC_GZIP;
		case STRATA_PARQUET_ZSTD:
			return STRATA_CODEC_ZSTD;
		case STRATA_PARQUET_LZ4:
		case STRATA_PARQUET_LZ4_RAW:
			return STRATA_CODEC_LZ4;
		default:
			return STRATA_CODEC_NONE;
	}
}

static void
store_body(StrataParquetSink *s, int32_t codec, Store how, const uint8_t *p, size_t len)
{
	size_t		half = len / 2;
	StrataParquetSink c1,
				c2;

	switch (how)
	{
		case ST_PLAIN:
			compress_into(s, strata_codec_of(codec), p, len);
			break;
		case ST_HADOOP1:
		case ST_HADOOP2:
			strata_parquet_sink_init(&c1, NULL, NULL);
			strata_parquet_sink_init(&c2, NULL, NULL);
			if (how == ST_HADOOP1)
				half = len;
			compress_into(&c1, STRATA_CODEC_LZ4, p, half);
			compress_into(&c2, STRATA_CODEC_LZ4, p + half, len - half);
			put_be32(s, (uint32_t) len);
			put_be32(s, (uint32_t) c1.len);
			strata_parquet_sink_append(s, c1.buf, c1.len);
			if (how == ST_HADOOP2)
			{
				put_be32(s, (uint32_t) c2.len);
				strata_parquet_sink_append(s, c2.buf, c2.len);
			}
			strata_parquet_sink_free(&c1);
			strata_parquet_sink_free(&c2);
			break;
		case ST_GZIP2:
			compress_into(s, STRATA_CODEC_GZIP, p, half);
			compress_into(s, STRATA_CODEC_GZIP, p + half, len - half);
			break;
	}
}

static void
builder_start(Builder *b)
{
	strata_parquet_sink_init(&b->out, NULL, NULL);
	strata_parquet_sink_append(&b->out, "PAR1", 4);
	b->dict_off = -1;
	b->data_off = -1;
}

/* Append a page: its header, then body exactly as given. */
static void
add_page(Builder *b, const StrataParquetPageHeader *ph, const uint8_t *body, size_t len)
{
	StrataThriftWriter w;

	if (ph->type == STRATA_PARQUET_DICTIONARY_PAGE && b->dict_off < 0)
		b->dict_off = (int64_t) b->out.len;
	if (ph->type != STRATA_PARQUET_DICTIONARY_PAGE && b->data_off < 0)
		b->data_off = (int64_t) b->out.len;
	strata_thrift_writer_init(&w, NULL, NULL);
	strata_parquet_page_header_encode(&w, ph);
	strata_parquet_sink_append(&b->out, w.buf, w.len);
	strata_parquet_sink_append(&b->out, body, len);
	strata_thrift_writer_free(&w);
}

typedef struct PageOpts
{
	int32_t		codec;
	Store		how;
	int			crc;			/* 0 none, 1 right, 2 wrong */
	int32_t		usize_delta;	/* added to the true uncompressed size */
	int32_t		type_override;	/* if not 0: page type written */
} PageOpts;

static void
finish_header(StrataParquetPageHeader *ph, const uint8_t *stored, size_t len,
			  const PageOpts *o)
{
	ph->compressed_page_size = (int32_t) len;
	ph->uncompressed_page_size += o->usize_delta;
	if (o->crc)
	{
		ph->has_crc = true;
		ph->crc = (uint32_t) crc32(crc32(0L, Z_NULL, 0), stored, (uInt) len) ^ (o->crc == 2);
	}
	if (o->type_override)
		ph->type = o->type_override;
}

/* A v1 data page from its uncompressed body. */
static void
v1_page(Builder *b, int32_t nv, int32_t enc, int32_t level_enc, const uint8_t *body,
		size_t len, const PageOpts *o)
{
	StrataParquetPageHeader ph;
	StrataParquetSink stored;

	memset(&ph, 0, sizeof(ph));
	strata_parquet_sink_init(&stored, NULL, NULL);
	store_body(&stored, o->codec, o->how, body, len);
	ph.type = STRATA_PARQUET_DATA_PAGE;
	ph.uncompressed_page_size = (int32_t) len;
	ph.has_data_page_header = true;
	ph.data_page_header.num_values = nv;
	ph.data_page_header.encoding = enc;
	ph.data_page_header.definition_level_encoding = level_enc;
	ph.data_page_header.repetition_level_encoding = level_enc;
	finish_header(&ph, stored.buf, stored.len, o);
	add_page(b, &ph, stored.buf, stored.len);
	strata_parquet_sink_free(&stored);
}

/* A v2 data page: def levels (no prefix), then values compressed or not. */
static void
v2_page(Builder *b, int32_t nv, int32_t nulls, int32_t enc, const uint8_t *levels,
		size_t levels_len, const uint8_t *values, size_t values_len, bool compressed,
		const PageOpts *o)
{
	StrataParquetPageHeader ph;
	StrataParquetSink stored;

	memset(&ph, 0, sizeof(ph));
	strata_parquet_sink_init(&stored, NULL, NULL);
	strata_parquet_sink_append(&stored, levels, levels_len);
	if (compressed)
		store_body(&stored, o->codec, o->how, values, values_len);
	else
		strata_parquet_sink_append(&stored, values, values_len);
	ph.type = STRATA_PARQUET_DATA_PAGE_V2;
	ph.uncompressed_page_size = (int32_t) (levels_len + values_len);
	ph.has_data_page_header_v2 = true;
	ph.data_page_header_v2.num_values = nv;
	ph.data_page_header_v2.num_nulls = nulls;
	ph.data_page_header_v2.num_rows = nv;
	ph.data_page_header_v2.encoding = enc;
	ph.data_page_header_v2.definition_levels_byte_length = (int32_t) levels_len;
	ph.data_page_header_v2.has_is_compressed = !compressed;
	ph.data_page_header_v2.is_compressed = compressed;
	finish_header(&ph, stored.buf, stored.len, o);
	add_page(b, &ph, stored.buf, stored.len);
	strata_parquet_sink_free(&stored);
}

static void
dict_page(Builder *b, const int32_t *values, int32_t n, int32_t enc, const PageOpts *o)
{
	StrataParquetPageHeader ph;
	StrataParquetSink plain,
				stored;

	memset(&ph, 0, sizeof(ph));
	strata_parquet_sink_init(&plain, NULL, NULL);
	strata_parquet_sink_init(&stored, NULL, NULL);
	strata_parquet_plain_encode(&plain, STRATA_PARQUET_INT32, 0, values, n);
	store_body(&stored, o->codec, o->how, plain.buf, plain.len);
	ph.type = STRATA_PARQUET_DICTIONARY_PAGE;
	ph.uncompressed_page_size = (int32_t) plain.len;
	ph.has_dictionary_page_header = true;
	ph.dictionary_page_header.num_values = n;
	ph.dictionary_page_header.encoding = enc;
	finish_header(&ph, stored.buf, stored.len, o);
	add_page(b, &ph, stored.buf, stored.len);
	strata_parquet_sink_free(&plain);
	strata_parquet_sink_free(&stored);
}

/* dict_mode: 0 writes dictionary_page_offset, 1 writes 0, 2 leaves it out */
static void
builder_finish(Builder *b, Schema schema, int32_t codec, int64_t num_values, int64_t num_rows,
			   int dict_mode)
{
	StrataParquetFileMetaData md;
	StrataParquetSchemaElement se[3];
	StrataParquetRowGroup rg;
	StrataParquetColumnChunk cc;
	StrataParquetColumnMetaData cmd;
	int32_t		encodings[2] = {STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE};
	char	   *path_x[2] = {"x", NULL};
	char	   *path_g[2] = {"g", "x"};
	StrataThriftWriter w;
	size_t		chunk_start;
	uint8_t		len4[4];

	memset(&md, 0, sizeof(md));
	memset(se, 0, sizeof(se));
	memset(&rg, 0, sizeof(rg));
	memset(&cc, 0, sizeof(cc));
	memset(&cmd, 0, sizeof(cmd));
	se[0].name = "schema";
	se[0].has_num_children = true;
	se[0].num_children = 1;
	se[1].name = schema == SCHEMA_REPEATED ? "r" : schema == SCHEMA_NESTED ? "g" : "x";
	se[1].has_repetition_type = true;
	se[1].repetition_type = schema == SCHEMA_REPEATED ? STRATA_PARQUET_REPEATED : STRATA_PARQUET_OPTIONAL;
	if (schema == SCHEMA_NESTED)
	{
		se[1].has_num_children = true;
		se[1].num_children = 1;
		se[2].name = "x";
		se[2].has_repetition_type = true;
		se[2].repetition_type = STRATA_PARQUET_OPTIONAL;
		se[2].has_type = true;
		se[2].type = STRATA_PARQUET_INT32;
	}
	else
	{
		se[1].has_type = true;
		se[1].type = STRATA_PARQUET_INT32;
	}
	md.version = 1;
	md.num_schema = schema == SCHEMA_NESTED ? 3 : 2;
	md.schema = se;
	md.num_rows = num_rows;
	md.num_row_groups = 1;
	md.row_groups = &rg;
	rg.num_columns = 1;
	rg.columns = &cc;
	rg.num_rows = num_rows;
	cc.meta_data = &cmd;
	cmd.type = STRATA_PARQUET_INT32;
	cmd.num_encodings = 2;
	cmd.encodings = encodings;
	cmd.num_path = schema == SCHEMA_NESTED ? 2 : 1;
	path_x[0] = (char *) se[1].name;
	cmd.path_in_schema = schema == SCHEMA_NESTED ? path_g : path_x;
	cmd.codec = codec;
	cmd.num_values = num_values;
	chunk_start = b->dict_off >= 0 && b->dict_off < b->data_off ? (size_t) b->dict_off :
		(size_t) b->data_off;
	cmd.total_compressed_size = (int64_t) (b->out.len - chunk_start);
	cmd.total_uncompressed_size = cmd.total_compressed_size;
	cmd.data_page_offset = dict_mode != 0 && b->dict_off >= 0 && b->dict_off < b->data_off ?
		b->dict_off : b->data_off;
	if (b->dict_off >= 0 && dict_mode != 2)
	{
		cmd.has_dictionary_page_offset = true;
		cmd.dictionary_page_offset = dict_mode == 0 ? b->dict_off : 0;
	}
	strata_thrift_writer_init(&w, NULL, NULL);
	strata_parquet_file_metadata_encode(&w, &md);
	strata_parquet_sink_append(&b->out, w.buf, w.len);
	len4[0] = (uint8_t) w.len;
	len4[1] = (uint8_t) (w.len >> 8);
	len4[2] = (uint8_t) (w.len >> 16);
	len4[3] = (uint8_t) (w.len >> 24);
	strata_parquet_sink_append(&b->out, len4, 4);
	strata_parquet_sink_append(&b->out, "PAR1", 4);
	strata_thrift_writer_free(&w);
}

typedef void (*Tweak) (StrataParquetFileMetaData *md);

/* Read the built file's one column; tweak may change the decoded footer. */
static bool
read_built(Builder *b, Tweak tweak, size_t file_len, StrataArena *arena,
		   StrataParquetColumnData *cd, StrataParquetStatus *st)
{
	StrataParquetFileMetaData md;
	uint8_t    *copy = malloc(b->out.len);
	bool		ok;

	/* an exact-size copy, so ASan catches any read past the file */
	memcpy(copy, b->out.buf, b->out.len);
	*st = clean_status();
	if (!open_file(copy, b->out.len, arena, &md, st))
	{
		free(copy);
		return false;
	}
	if (tweak)
		tweak(&md);
	ok = strata_parquet_read_column(copy, file_len ? file_len : b->out.len, &md, NULL, 0, 0, 0,
									arena, cd, st);
	free(copy);
	return ok;
}

/* The ten rows of most built files: x = 1 null 3 4 null 6 7 8 9 null. */
static const uint32_t ten_defs[10] = {1, 0, 1, 1, 0, 1, 1, 1, 1, 0};
static const int32_t ten_values[7] = {1, 3, 4, 6, 7, 8, 9};

static bool
is_ten(const StrataParquetColumnData *cd)
{
	int			i;

	if (cd->num_values != 10 || cd->num_rows != 10 || cd->num_present != 7 ||
		cd->def_levels == NULL || cd->rep_levels != NULL)
		return false;
	for (i = 0; i < 10; i++)
		if (cd->def_levels[i] != (int16_t) ten_defs[i])
			return false;
	return memcmp(cd->values, ten_values, sizeof(ten_values)) == 0;
}

/* v1 body: def levels (RLE with length), then the values PLAIN. */
static void
ten_v1_body(StrataParquetSink *s)
{
	strata_parquet_sink_init(s, NULL, NULL);
	strata_parquet_rle_encode(s, ten_defs, 10, 1, true);
	strata_parquet_plain_encode(s, STRATA_PARQUET_INT32, 0, ten_values, 7);
}

/* A whole file of the ten rows in one v1 page. */
static void
build_ten_v1(Builder *b, const PageOpts *o)
{
	StrataParquetSink body;

	builder_start(b);
	ten_v1_body(&body);
	v1_page(b, 10, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, o);
	strata_parquet_sink_free(&body);
	builder_finish(b, SCHEMA_OPTIONAL, o->codec, 10, 10, 0);
}

/* Expect the ten rows, or an error containing phrase. */
static void
expect(Builder *b, Tweak tweak, const char *phrase, const char *what)
{
	StrataArena arena;
	StrataParquetColumnData cd;
	StrataParquetStatus st;
	bool		ok;

	strata_arena_init(&arena, 0);
	ok = read_built(b, tweak, 0, &arena, &cd, &st);
	if (phrase == NULL)
		tap_ok(ok && is_ten(&cd), "built: %s %s", what, st.error);
	else
		tap_ok(!ok && strstr(st.error, phrase) != NULL && st.error_offset <= b->out.len,
			   "built: %s refused: %s (offset %zu)", what, st.error, st.error_offset);
	strata_arena_free_all(&arena);
	strata_parquet_sink_free(&b->out);
}

static void
tweak_num_values(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].meta_data->num_values++;
}

static void
tweak_chunk_size(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].meta_data->total_compressed_size--;
}

static void
tweak_rows(StrataParquetFileMetaData *md)
{
	md->row_groups[0].num_rows++;
}

static void
tweak_encrypted(StrataParquetFileMetaData *md)
{
	md->has_encryption_algorithm = true;
}

static void
tweak_file_path(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].file_path = "other.parquet";
}

static void
tweak_no_meta(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].meta_data = NULL;
}

static void
tweak_brotli(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].meta_data->codec = STRATA_PARQUET_BROTLI;
}

static void
tweak_lzo(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].meta_data->codec = STRATA_PARQUET_LZO;
}

static void
tweak_codec99(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].meta_data->codec = 99;
}

static void
tweak_type(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].meta_data->type = STRATA_PARQUET_INT64;
}

static void
tweak_path(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].meta_data->path_in_schema[0] = "y";
}

static void
tweak_offset(StrataParquetFileMetaData *md)
{
	md->row_groups[0].columns[0].meta_data->data_page_offset = 2;
}

static void
test_built_codecs(void)
{
	static const struct
	{
		int32_t		codec;
		Store		how;
		const char *what;
	}			cases[] = {
		{STRATA_PARQUET_UNCOMPRESSED, ST_PLAIN, "UNCOMPRESSED"},
		{STRATA_PARQUET_SNAPPY, ST_PLAIN, "SNAPPY"},
		{STRATA_PARQUET_GZIP, ST_PLAIN, "GZIP"},
		{STRATA_PARQUET_GZIP, ST_GZIP2, "GZIP of two members"},
		{STRATA_PARQUET_ZSTD, ST_PLAIN, "ZSTD"},
		{STRATA_PARQUET_LZ4_RAW, ST_PLAIN, "LZ4_RAW"},
		{STRATA_PARQUET_LZ4, ST_HADOOP1, "LZ4 in Hadoop framing"},
		{STRATA_PARQUET_LZ4, ST_HADOOP2, "LZ4 in Hadoop framing, two chunks"},
		{STRATA_PARQUET_LZ4, ST_PLAIN, "LZ4 as a bare block"},
	};
	Builder		b;
	PageOpts	o;
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		memset(&o, 0, sizeof(o));
		o.codec = cases[i].codec;
		o.how = cases[i].how;
		o.crc = i % 2;
		build_ten_v1(&b, &o);
		expect(&b, NULL, NULL, cases[i].what);
	}
}

static void
test_built_pages(void)
{
	Builder		b;
	PageOpts	o;
	StrataParquetSink body,
				levels,
				values;
	StrataArena arena;
	StrataParquetColumnData cd;
	StrataParquetStatus st;
	static const int32_t dict[4] = {9, 8, 7, 1};
	static const uint32_t right_idx[7] = {3, 3, 3, 3, 3, 3, 3};
	int			mode;
	bool		ok;

	memset(&o, 0, sizeof(o));
	o.codec = STRATA_PARQUET_SNAPPY;

	/* CRC */
	o.crc = 1;
	build_ten_v1(&b, &o);
	strata_arena_init(&arena, 0);
	tap_ok(read_built(&b, NULL, 0, &arena, &cd, &st) && is_ten(&cd) && cd.num_crc_checked == 1,
		   "built: a right page CRC is checked");
	strata_arena_free_all(&arena);
	strata_parquet_sink_free(&b.out);
	o.crc = 2;
	build_ten_v1(&b, &o);
	expect(&b, NULL, "CRC", "a wrong page CRC");
	o.crc = 0;

	/* dictionary: offsets written, 0, absent; the values 1 3 4 6 7 8 9 as indices 0..6 */
	for (mode = 0; mode < 3; mode++)
	{
		builder_start(&b);
		dict_page(&b, ten_values, 7, mode == 1 ? STRATA_PARQUET_ENC_PLAIN_DICTIONARY :
				  STRATA_PARQUET_ENC_PLAIN, &o);
		strata_parquet_sink_init(&body, NULL, NULL);
		strata_parquet_rle_encode(&body, ten_defs, 10, 1, true);
		strata_parquet_dict_indices_encode(&body, (const uint32_t[]) {0, 1, 2, 3, 4, 5, 6}, 7, 3);
		v1_page(&b, 10, mode == 1 ? STRATA_PARQUET_ENC_PLAIN_DICTIONARY : STRATA_PARQUET_ENC_RLE_DICTIONARY,
				STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
		strata_parquet_sink_free(&body);
		builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, mode);
		expect(&b, NULL, NULL, mode == 0 ? "dictionary page at dictionary_page_offset" :
			   mode == 1 ? "dictionary_page_offset 0, PLAIN_DICTIONARY pages" :
			   "no dictionary_page_offset");
	}

	/* dictionary index out of range, page before its dictionary, dictionary late */
	builder_start(&b);
	dict_page(&b, dict, 4, STRATA_PARQUET_ENC_PLAIN, &o);
	strata_parquet_sink_init(&body, NULL, NULL);
	strata_parquet_rle_encode(&body, ten_defs, 10, 1, true);
	strata_parquet_dict_indices_encode(&body, (const uint32_t[]) {0, 1, 2, 3, 4, 0, 0}, 7, 3);
	v1_page(&b, 10, STRATA_PARQUET_ENC_RLE_DICTIONARY, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	strata_parquet_sink_free(&body);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "out of range", "dictionary index 4 of 4 entries");

	builder_start(&b);
	strata_parquet_sink_init(&body, NULL, NULL);
	strata_parquet_rle_encode(&body, ten_defs, 10, 1, true);
	strata_parquet_dict_indices_encode(&body, right_idx, 7, 2);
	v1_page(&b, 10, STRATA_PARQUET_ENC_RLE_DICTIONARY, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "no dictionary page precedes", "a dictionary-encoded page without a dictionary");

	builder_start(&b);
	v1_page(&b, 10, STRATA_PARQUET_ENC_RLE_DICTIONARY, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	dict_page(&b, dict, 4, STRATA_PARQUET_ENC_PLAIN, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 20, 20, 2);
	expect(&b, NULL, "not the chunk's first page", "a dictionary page after a data page");
	strata_parquet_sink_free(&body);

	/* bit width 33 for indices */
	builder_start(&b);
	dict_page(&b, dict, 4, STRATA_PARQUET_ENC_PLAIN, &o);
	strata_parquet_sink_init(&body, NULL, NULL);
	strata_parquet_rle_encode(&body, ten_defs, 10, 1, true);
	strata_parquet_sink_append(&body, "\x21\x0e\x00", 3);
	v1_page(&b, 10, STRATA_PARQUET_ENC_RLE_DICTIONARY, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	strata_parquet_sink_free(&body);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "exceeds 32", "dictionary indices of bit width 33");

	/* v2 pages: compressed, stored uncompressed, empty; then a v1 page and an index page */
	builder_start(&b);
	strata_parquet_sink_init(&levels, NULL, NULL);
	strata_parquet_sink_init(&values, NULL, NULL);
	strata_parquet_rle_encode(&levels, ten_defs, 4, 1, false);
	strata_parquet_plain_encode(&values, STRATA_PARQUET_INT32, 0, ten_values, 3);
	v2_page(&b, 4, 1, STRATA_PARQUET_ENC_PLAIN, levels.buf, levels.len, values.buf, values.len, true, &o);
	levels.len = values.len = 0;
	strata_parquet_rle_encode(&levels, ten_defs + 4, 3, 1, false);
	strata_parquet_plain_encode(&values, STRATA_PARQUET_INT32, 0, ten_values + 3, 2);
	v2_page(&b, 3, 1, STRATA_PARQUET_ENC_PLAIN, levels.buf, levels.len, values.buf, values.len, false, &o);
	{
		/* an index page, skipped */
		StrataParquetPageHeader ih;

		memset(&ih, 0, sizeof(ih));
		ih.type = STRATA_PARQUET_INDEX_PAGE;
		ih.uncompressed_page_size = 3;
		ih.compressed_page_size = 3;
		add_page(&b, &ih, (const uint8_t *) "idx", 3);
	}
	/* an empty v2 page: no values, nothing compressed */
	v2_page(&b, 0, 0, STRATA_PARQUET_ENC_PLAIN, NULL, 0, NULL, 0, false, &o);
	strata_parquet_sink_free(&levels);
	strata_parquet_sink_free(&values);
	strata_parquet_sink_init(&body, NULL, NULL);
	strata_parquet_rle_encode(&body, ten_defs + 7, 3, 1, true);
	strata_parquet_plain_encode(&body, STRATA_PARQUET_INT32, 0, ten_values + 5, 2);
	v1_page(&b, 3, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	strata_parquet_sink_free(&body);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	strata_arena_init(&arena, 0);
	ok = read_built(&b, NULL, 0, &arena, &cd, &st);
	tap_ok(ok && is_ten(&cd) && cd.num_data_pages_v2 == 3 && cd.num_data_pages_v1 == 1,
		   "built: v2 pages compressed, stored uncompressed and empty, an index page, a v1 page %s",
		   st.error);
	strata_arena_free_all(&arena);
	strata_parquet_sink_free(&b.out);

	/* a v2 page of nulls only, whose empty values were compressed anyway */
	builder_start(&b);
	strata_parquet_sink_init(&levels, NULL, NULL);
	strata_parquet_rle_encode(&levels, (const uint32_t[]) {0, 0, 0}, 3, 1, false);
	v2_page(&b, 3, 3, STRATA_PARQUET_ENC_PLAIN, levels.buf, levels.len, (const uint8_t *) "", 0, true, &o);
	strata_parquet_sink_free(&levels);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 3, 3, 0);
	strata_arena_init(&arena, 0);
	ok = read_built(&b, NULL, 0, &arena, &cd, &st);
	tap_ok(ok && cd.num_values == 3 && cd.num_present == 0 && cd.def_levels[2] == 0,
		   "built: a v2 page of nulls with a compressed empty body %s", st.error);
	strata_arena_free_all(&arena);
	strata_parquet_sink_free(&b.out);

	/* BIT_PACKED definition levels */
	builder_start(&b);
	strata_parquet_sink_init(&body, NULL, NULL);
	strata_parquet_sink_append(&body, "\xB7\x80", 2);	/* 1011 0111 10: MSB first */
	strata_parquet_plain_encode(&body, STRATA_PARQUET_INT32, 0, ten_values, 7);
	v1_page(&b, 10, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_BIT_PACKED, body.buf, body.len, &o);
	strata_parquet_sink_free(&body);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, NULL, "BIT_PACKED definition levels");
}

static void
test_built_refusals(void)
{
	Builder		b;
	PageOpts	o;
	StrataParquetSink body;
	StrataArena arena;
	StrataParquetColumnData cd;
	StrataParquetStatus st;
	static const Tweak tweaks[] = {
		tweak_num_values, tweak_chunk_size, tweak_rows, tweak_encrypted, tweak_file_path,
		tweak_no_meta, tweak_brotli, tweak_lzo, tweak_codec99, tweak_type, tweak_path,
		tweak_offset
	};
	static const char *const phrases[] = {
		"metadata says 11", "runs past", "the row group 11", "encrypted", "another file",
		"no metadata", "BROTLI is not supported", "LZO is not supported",
		"unknown compression codec 99", "INT64 in its metadata", "does not match the schema",
		"outside the file"
	};
	size_t		i;

	memset(&o, 0, sizeof(o));
	o.codec = STRATA_PARQUET_ZSTD;
	for (i = 0; i < sizeof(tweaks) / sizeof(tweaks[0]); i++)
	{
		build_ten_v1(&b, &o);
		expect(&b, tweaks[i], phrases[i], phrases[i]);
	}

	/* a file cut before the end of the chunk */
	build_ten_v1(&b, &o);
	strata_arena_init(&arena, 0);
	tap_ok(!read_built(&b, NULL, 20, &arena, &cd, &st) && strstr(st.error, "outside the file"),
		   "built: a chunk past the end of the file refused: %s", st.error);
	strata_arena_free_all(&arena);
	strata_parquet_sink_free(&b.out);

	/* page-level lies */
	builder_start(&b);
	ten_v1_body(&body);
	v1_page(&b, 10, 42, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "unknown encoding 42", "value encoding 42");

	builder_start(&b);
	v1_page(&b, 10, STRATA_PARQUET_ENC_DELTA_BINARY_PACKED, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "DELTA", "PLAIN bytes labelled DELTA_BINARY_PACKED");

	builder_start(&b);
	v1_page(&b, 10, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_DELTA_BYTE_ARRAY, body.buf, body.len, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "not supported", "definition levels in DELTA_BYTE_ARRAY");

	o.type_override = 7;
	builder_start(&b);
	v1_page(&b, 10, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "unknown type 7", "page type 7");
	o.type_override = 0;

	o.codec = STRATA_PARQUET_UNCOMPRESSED;
	o.usize_delta = 1;
	builder_start(&b);
	v1_page(&b, 10, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "claims", "an uncompressed page whose sizes differ");

	o.codec = STRATA_PARQUET_SNAPPY;
	o.usize_delta = 100000000;
	builder_start(&b);
	v1_page(&b, 10, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "claims", "a SNAPPY page claiming 100 MB");

	o.usize_delta = 3;
	builder_start(&b);
	v1_page(&b, 10, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "does not decompress", "a SNAPPY page 3 bytes short of its size");
	o.usize_delta = -1000;
	builder_start(&b);
	v1_page(&b, 10, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 10, 10, 0);
	expect(&b, NULL, "negative", "a negative page size");
	o.usize_delta = 0;
	strata_parquet_sink_free(&body);

	/* levels past the maximum, and a first repetition level that is not 0 */
	builder_start(&b);
	strata_parquet_sink_init(&body, NULL, NULL);
	strata_parquet_rle_encode(&body, (const uint32_t[]) {2, 3}, 2, 2, true);
	v1_page(&b, 2, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	strata_parquet_sink_free(&body);
	builder_finish(&b, SCHEMA_NESTED, o.codec, 2, 2, 0);
	expect(&b, NULL, "exceeds the column's maximum 2", "definition level 3 of a column with maximum 2");

	builder_start(&b);
	strata_parquet_sink_init(&body, NULL, NULL);
	strata_parquet_rle_encode(&body, (const uint32_t[]) {1, 0}, 2, 1, true);
	strata_parquet_rle_encode(&body, (const uint32_t[]) {1, 1}, 2, 1, true);
	strata_parquet_plain_encode(&body, STRATA_PARQUET_INT32, 0, ten_values, 2);
	v1_page(&b, 2, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	strata_parquet_sink_free(&body);
	builder_finish(&b, SCHEMA_REPEATED, o.codec, 2, 1, 0);
	expect(&b, NULL, "first repetition level is 1", "a chunk starting inside a row");

	/* too little memory: an RLE run of a million nulls in a few bytes */
	builder_start(&b);
	strata_parquet_sink_init(&body, NULL, NULL);
	/* length 5: run header 2^21 (2^20 copies), value 0 */
	strata_parquet_sink_append(&body, "\x05\x00\x00\x00\x80\x80\x80\x01\x00", 9);
	v1_page(&b, 1 << 20, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	strata_parquet_sink_free(&body);
	builder_finish(&b, SCHEMA_OPTIONAL, o.codec, 1 << 20, 1 << 20, 0);
	strata_arena_init(&arena, 256 * 1024);
	tap_ok(!read_built(&b, NULL, 0, &arena, &cd, &st) && strstr(st.error, "out of memory"),
		   "built: a million nulls under a 256 kB arena limit refused: %s", st.error);
	strata_arena_free_all(&arena);
	strata_arena_init(&arena, 0);
	tap_ok(read_built(&b, NULL, 0, &arena, &cd, &st) && cd.num_values == 1 << 20 &&
		   cd.num_present == 0 && cd.def_levels[(1 << 20) - 1] == 0,
		   "built: and read without the limit %s", st.error);
	strata_arena_free_all(&arena);
	strata_parquet_sink_free(&b.out);
}

static void
test_built_repeated(void)
{
	Builder		b;
	PageOpts	o;
	StrataParquetSink body;
	StrataArena arena;
	StrataParquetColumnData cd;
	StrataParquetStatus st;
	bool		ok;

	/* rows [1, 2], [], [3] of "repeated int32 r" */
	memset(&o, 0, sizeof(o));
	o.codec = STRATA_PARQUET_GZIP;
	builder_start(&b);
	strata_parquet_sink_init(&body, NULL, NULL);
	strata_parquet_rle_encode(&body, (const uint32_t[]) {0, 1, 0, 0}, 4, 1, true);
	strata_parquet_rle_encode(&body, (const uint32_t[]) {1, 1, 0, 1}, 4, 1, true);
	strata_parquet_plain_encode(&body, STRATA_PARQUET_INT32, 0, (const int32_t[]) {1, 2, 3}, 3);
	v1_page(&b, 4, STRATA_PARQUET_ENC_PLAIN, STRATA_PARQUET_ENC_RLE, body.buf, body.len, &o);
	strata_parquet_sink_free(&body);
	builder_finish(&b, SCHEMA_REPEATED, o.codec, 4, 3, 0);
	strata_arena_init(&arena, 0);
	ok = read_built(&b, NULL, 0, &arena, &cd, &st);
	tap_ok(ok && cd.num_values == 4 && cd.num_rows == 3 && cd.num_present == 3 &&
		   cd.rep_levels[1] == 1 && cd.def_levels[2] == 0 && ((int32_t *) cd.values)[2] == 3,
		   "built: repeated column, rows [1,2] [] [3] %s", st.error);
	strata_arena_free_all(&arena);
	strata_parquet_sink_free(&b.out);
}

static void
test_schema_leaves(void)
{
	StrataParquetSchemaElement se[6];
	StrataParquetFileMetaData md;
	StrataArena arena;
	StrataParquetLeaf *leaves;
	int32_t		n;
	StrataParquetStatus st;
	bool		ok;

	/* root { optional group a (LIST) { repeated group list { optional int32 element } } ; required fixed(16) u (field id 7) } */
	memset(se, 0, sizeof(se));
	memset(&md, 0, sizeof(md));
	se[0] = (StrataParquetSchemaElement) {.name = "root", .has_num_children = true, .num_children = 2};
	se[1] = (StrataParquetSchemaElement) {.name = "a", .has_repetition_type = true, .repetition_type = 1,
	.has_num_children = true, .num_children = 1, .has_converted_type = true, .converted_type = 3};
	se[2] = (StrataParquetSchemaElement) {.name = "list", .has_repetition_type = true, .repetition_type = 2,
	.has_num_children = true, .num_children = 1};
	se[3] = (StrataParquetSchemaElement) {.name = "element", .has_repetition_type = true,
	.repetition_type = 1, .has_type = true, .type = STRATA_PARQUET_INT32};
	se[4] = (StrataParquetSchemaElement) {.name = "u", .has_repetition_type = true, .repetition_type = 0,
	.has_type = true, .type = STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY, .has_type_length = true,
	.type_length = 16, .has_field_id = true, .field_id = 7};
	md.schema = se;
	md.num_schema = 5;
	strata_arena_init(&arena, 0);
	st = clean_status();
	ok = strata_parquet_schema_leaves(&md, &arena, &leaves, &n, &st);
	tap_ok(ok && n == 2 && strcmp(leaves[0].dotted_path, "a.list.element") == 0 &&
		   leaves[0].max_def == 3 && leaves[0].max_rep == 1 && leaves[0].depth == 3 &&
		   leaves[0].path_index[1] == 2 && leaves[1].max_def == 0 && leaves[1].column == 1 &&
		   leaves[1].type_length == 16 && leaves[1].has_field_id && leaves[1].field_id == 7,
		   "schema: a 3-level list and a required FIXED_LEN_BYTE_ARRAY(16) with a field id");

	se[0].num_children = 3;
	st = clean_status();
	tap_ok(!strata_parquet_schema_leaves(&md, &arena, &leaves, &n, &st) &&
		   strstr(st.error, "ends inside a group"), "schema: too many children refused: %s", st.error);
	se[0].num_children = 1;
	st = clean_status();
	tap_ok(!strata_parquet_schema_leaves(&md, &arena, &leaves, &n, &st) &&
		   strstr(st.error, "follow the end"), "schema: elements after the tree refused: %s", st.error);
	se[0].num_children = 2;
	se[4].has_type_length = false;
	st = clean_status();
	tap_ok(!strata_parquet_schema_leaves(&md, &arena, &leaves, &n, &st) &&
		   strstr(st.error, "type_length"), "schema: FIXED_LEN_BYTE_ARRAY without a length refused: %s",
		   st.error);
	se[4].has_type_length = true;
	se[3].has_type = false;
	st = clean_status();
	tap_ok(!strata_parquet_schema_leaves(&md, &arena, &leaves, &n, &st) &&
		   strstr(st.error, "neither a group"), "schema: a leaf without a type refused: %s", st.error);
	se[3].has_type = true;
	se[0].has_type = true;
	st = clean_status();
	tap_ok(!strata_parquet_schema_leaves(&md, &arena, &leaves, &n, &st) &&
		   strstr(st.error, "not a group"), "schema: a typed root refused: %s", st.error);
	strata_arena_free_all(&arena);
}

int
main(void)
{
	test_schema_leaves();
	test_built_codecs();
	test_built_pages();
	test_built_refusals();
	test_built_repeated();
	test_samples();
	test_iceberg_fixtures();
	return tap_done();
}
