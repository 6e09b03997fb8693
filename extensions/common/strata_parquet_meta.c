/*-------------------------------------------------------------------------
 *
 * strata_parquet_meta.c
 *	  Decode and encode Parquet's FileMetaData and PageHeader (Thrift
 *	  compact protocol) to and from the C structs of strata_parquet_meta.h.
 *
 * One decode function per Thrift struct, each a loop over field headers
 * with a switch on the field id.  A field id we know must arrive with the
 * wire type parquet.thrift gives it; an id we do not know is skipped,
 * whatever its type.  Each function collects the ids it saw in a bitmask
 * and checks the required ones at the stop field.
 *
 * Memory.  Two checks keep a hostile footer from making us allocate much
 * more than its size.  First, a list's count is compared with the bytes
 * left, divided by the smallest valid encoding of one element (a
 * SchemaElement needs at least 3 bytes, a RowGroup 7, ...), before the
 * array is allocated.  An element must be decoded in full before the next
 * one starts, so the arrays of a valid input are paid for by disjoint
 * bytes; only the chain of lists being decoded when a lie is found can
 * count the same bytes again (row groups, their columns, a chunk's
 * key-value list: ~45 bytes per input byte in the worst case).  Second,
 * the decoder carries a budget of STRATA_PARQUET_MAX_EXPANSION bytes per
 * input byte (plus slack for tiny inputs) and refuses any allocation past
 * it, so the documented bound holds even if a struct here grows.
 *
 *-------------------------------------------------------------------------
 */
#include "strata_parquet_meta.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Arena
 * ---------------------------------------------------------------------
 */

struct StrataArenaBlock
{
	StrataArenaBlock *next;
	size_t		size;			/* usable bytes after the header */
	size_t		used;
};

/*
 * Offsets within a block are rounded to 16 bytes, malloc's alignment on
 * 64-bit platforms (C99 has no max_align_t, and PostgreSQL builds as C99).
 * A block allocator that aligns less (palloc: 8) gives its own alignment,
 * which is still enough for every struct here: none has a member wider
 * than 8 bytes.
 */
#define ARENA_ALIGN ((size_t) 16)
#define ARENA_HEADER \
	((sizeof(StrataArenaBlock) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1))
#define ARENA_FIRST_BLOCK 8192
#define ARENA_MAX_BLOCK (1024 * 1024)

static void *
default_block_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size);
}

static void
default_block_free(void *ctx, void *ptr)
{
	(void) ctx;
	free(ptr);
}

void
strata_arena_init(StrataArena *arena, size_t limit)
{
	memset(arena, 0, sizeof(*arena));
	arena->block_size = ARENA_FIRST_BLOCK;
	arena->limit = limit;
	arena->block_alloc = default_block_alloc;
	arena->block_free = default_block_free;
}

/* Allocate size bytes aligned to align (a power of two up to ARENA_ALIGN). */
static void *
arena_alloc_aligned(StrataArena *arena, size_t size, size_t align)
{
	StrataArenaBlock *b = arena->blocks;
	size_t		offset;
	size_t		want;
	char	   *p;

	if (b != NULL)
	{
		offset = (b->used + align - 1) & ~(align - 1);
		if (offset <= b->size && size <= b->size - offset)
		{
			p = (char *) b + ARENA_HEADER + offset;
			b->used = offset + size;
			memset(p, 0, size);
			return p;
		}
	}

	/* a new block: an ordinary one, or one of its own for a big request */
	if (size > SIZE_MAX - ARENA_HEADER)
		return NULL;
	want = arena->block_size;
	if (size > want / 4)
		want = size;
	if (arena->limit != 0 &&
		(arena->total > arena->limit ||
		 ARENA_HEADER + want > arena->limit - arena->total))
	{
		/* near the limit, try a block just big enough */
		want = size;
		if (arena->total > arena->limit ||
			ARENA_HEADER + want > arena->limit - arena->total)
			return NULL;
	}
	b = arena->block_alloc(arena->ctx, ARENA_HEADER + want);
	if (b == NULL)
		return NULL;
	arena->total += ARENA_HEADER + want;
	b->size = want;
	b->used = size;
	if (want == arena->block_size && arena->block_size < ARENA_MAX_BLOCK)
		arena->block_size *= 2;

	/*
	 * Keep the block with more room left at the head, so a big request
	 * does not strand the free tail of the current block.
	 */
	if (arena->blocks != NULL && want - size < arena->blocks->size - arena->blocks->used)
	{
		b->next = arena->blocks->next;
		arena->blocks->next = b;
	}
	else
	{
		b->next = arena->blocks;
		arena->blocks = b;
	}
	p = (char *) b + ARENA_HEADER;
	memset(p, 0, size);
	return p;
}

void *
strata_arena_alloc(StrataArena *arena, size_t size)
{
	return arena_alloc_aligned(arena, size, ARENA_ALIGN);
}

void
strata_arena_free_all(StrataArena *arena)
{
	StrataArenaBlock *b = arena->blocks;

	while (b != NULL)
	{
		StrataArenaBlock *next = b->next;

		arena->block_free(arena->ctx, b);
		b = next;
	}
	arena->blocks = NULL;
	arena->total = 0;
	arena->block_size = ARENA_FIRST_BLOCK;
}

/* ---------------------------------------------------------------------
 * Decoding helpers
 * ---------------------------------------------------------------------
 */

typedef struct Decoder
{
	StrataThriftReader r;
	StrataArena *arena;
	size_t		budget;			/* arena bytes this decode may still take */
	size_t		field_start;	/* offset of the current field header */
	int16_t		field_id;
} Decoder;

/* Smallest valid encodings of list elements, for the count check. */
#define MIN_SCHEMA_ELEMENT	3	/* name: header, length, stop */
#define MIN_ROW_GROUP		7	/* columns, total_byte_size, num_rows, stop */
#define MIN_COLUMN_CHUNK	3	/* file_offset: header, value, stop */
#define MIN_KEY_VALUE		3	/* key: header, length, stop */
#define MIN_COLUMN_ORDER	3	/* member header, its empty struct, stop */

static void
decoder_init(Decoder *d, const uint8_t *buf, size_t len, StrataArena *arena)
{
	strata_thrift_reader_init(&d->r, buf, len);
	d->arena = arena;
	if (len > (SIZE_MAX - STRATA_PARQUET_BUDGET_SLACK) / STRATA_PARQUET_MAX_EXPANSION)
		d->budget = SIZE_MAX;
	else
		d->budget = len * STRATA_PARQUET_MAX_EXPANSION + STRATA_PARQUET_BUDGET_SLACK;
	d->field_start = 0;
	d->field_id = 0;
}

static void *
decoder_alloc(Decoder *d, size_t size, size_t align)
{
	void	   *p;

	if (size > d->budget)
	{
		strata_thrift_reader_fail(&d->r,
								  "metadata would need more than %d bytes of memory per input byte",
								  STRATA_PARQUET_MAX_EXPANSION);
		return NULL;
	}
	p = arena_alloc_aligned(d->arena, size, align);
	if (p == NULL)
	{
		strata_thrift_reader_fail(&d->r, "out of memory allocating %zu bytes", size);
		return NULL;
	}
	d->budget -= size;
	return p;
}

static bool
next_field(Decoder *d, StrataThriftType *type, int16_t *id)
{
	d->field_start = d->r.pos;
	if (!strata_thrift_read_field_header(&d->r, type, id))
		return false;
	d->field_id = *id;
	return true;
}

static bool
fail_field(Decoder *d, const char *sname, const char *fname, const char *what)
{
	strata_thrift_status_fail(&d->r.status, d->field_start,
							  "%s.%s (field %d): %s", sname, fname,
							  (int) d->field_id, what);
	return false;
}

/* Check a known field's wire type; BOOL_TRUE as "expected" means any bool. */
static bool
want_type(Decoder *d, StrataThriftType got, StrataThriftType expected,
		  const char *sname, const char *fname)
{
	if (expected == STRATA_THRIFT_BOOL_TRUE ? strata_thrift_type_is_bool(got) :
		got == expected)
		return true;
	strata_thrift_status_fail(&d->r.status, d->field_start,
							  "%s.%s (field %d): expected %s, found %s",
							  sname, fname, (int) d->field_id,
							  strata_thrift_type_name(expected),
							  strata_thrift_type_name(got));
	return false;
}

static bool
get_i32(Decoder *d, StrataThriftType type, const char *sname,
		const char *fname, int32_t *out)
{
	return want_type(d, type, STRATA_THRIFT_I32, sname, fname) &&
		strata_thrift_read_i32(&d->r, out);
}

static bool
get_nonneg_i32(Decoder *d, StrataThriftType type, const char *sname,
			   const char *fname, int32_t *out)
{
	if (!get_i32(d, type, sname, fname, out))
		return false;
	if (*out < 0)
		return fail_field(d, sname, fname, "negative value");
	return true;
}

static bool
get_i64(Decoder *d, StrataThriftType type, const char *sname,
		const char *fname, int64_t *out)
{
	return want_type(d, type, STRATA_THRIFT_I64, sname, fname) &&
		strata_thrift_read_i64(&d->r, out);
}

static bool
get_nonneg_i64(Decoder *d, StrataThriftType type, const char *sname,
			   const char *fname, int64_t *out)
{
	if (!get_i64(d, type, sname, fname, out))
		return false;
	if (*out < 0)
		return fail_field(d, sname, fname, "negative value");
	return true;
}

static bool
get_bool(Decoder *d, StrataThriftType type, const char *sname,
		 const char *fname, bool *out)
{
	return want_type(d, type, STRATA_THRIFT_BOOL_TRUE, sname, fname) &&
		strata_thrift_read_bool(&d->r, out);
}

/* Copy a binary into the arena, NUL-terminated. */
static bool
copy_binary(Decoder *d, StrataParquetBytes *out)
{
	const uint8_t *data;
	size_t		len;
	uint8_t    *copy;

	if (!strata_thrift_read_binary(&d->r, &data, &len))
		return false;
	copy = decoder_alloc(d, len + 1, 1);
	if (copy == NULL)
		return false;
	if (len > 0)
		memcpy(copy, data, len);
	copy[len] = '\0';
	out->data = copy;
	out->len = len;
	return true;
}

static bool
get_bytes(Decoder *d, StrataThriftType type, const char *sname,
		  const char *fname, StrataParquetBytes *out)
{
	return want_type(d, type, STRATA_THRIFT_BINARY, sname, fname) &&
		copy_binary(d, out);
}

/* A string element or field as C text; a NUL inside is corruption. */
static bool
copy_text(Decoder *d, const char *sname, const char *fname, char **out)
{
	StrataParquetBytes b;
	size_t		start = d->r.pos;

	if (!copy_binary(d, &b))
		return false;
	if (memchr(b.data, '\0', b.len) != NULL)
	{
		strata_thrift_status_fail(&d->r.status, start,
								  "%s.%s: string contains a NUL byte", sname, fname);
		return false;
	}
	*out = (char *) b.data;
	return true;
}

static bool
get_text(Decoder *d, StrataThriftType type, const char *sname,
		 const char *fname, char **out)
{
	return want_type(d, type, STRATA_THRIFT_BINARY, sname, fname) &&
		copy_text(d, sname, fname, out);
}

/*
 * Read a list header for a known field and allocate its array.  The count
 * is checked against the remaining bytes at min_size bytes per element
 * before anything is allocated.
 */
static bool
get_list(Decoder *d, StrataThriftType type, const char *sname,
		 const char *fname, StrataThriftType elem_type, size_t min_size,
		 size_t elem_size, int32_t *count, void **array)
{
	StrataThriftType et;
	uint32_t	n;
	size_t		start;

	if (!want_type(d, type, STRATA_THRIFT_LIST, sname, fname))
		return false;
	start = d->r.pos;
	if (!strata_thrift_read_list_begin(&d->r, &et, &n))
		return false;
	if (et != elem_type)
	{
		strata_thrift_status_fail(&d->r.status, start,
								  "%s.%s (field %d): expected list<%s>, found list<%s>",
								  sname, fname, (int) d->field_id,
								  strata_thrift_type_name(elem_type),
								  strata_thrift_type_name(et));
		return false;
	}
	if (n > (d->r.len - d->r.pos) / min_size)
	{
		strata_thrift_status_fail(&d->r.status, start,
								  "%s.%s (field %d): %u elements cannot fit in the %zu bytes left",
								  sname, fname, (int) d->field_id, n,
								  d->r.len - d->r.pos);
		return false;
	}
	*count = (int32_t) n;
	*array = NULL;
	if (n == 0)
		return true;
	if (n > SIZE_MAX / elem_size)
		return fail_field(d, sname, fname, "list too long");
	*array = decoder_alloc(d, n * elem_size, ARENA_ALIGN);
	return *array != NULL;
}

typedef struct RequiredField
{
	int16_t		id;
	const char *name;
} RequiredField;

/* At a struct's stop: every required id must have been seen. */
static bool
check_required(Decoder *d, const char *sname, uint32_t seen,
			   const RequiredField *req)
{
	for (; req->name != NULL; req++)
	{
		if ((seen & (UINT32_C(1) << req->id)) == 0)
		{
			strata_thrift_status_fail(&d->r.status, d->field_start,
									  "%s: required field %s (%d) is missing",
									  sname, req->name, (int) req->id);
			return false;
		}
	}
	return true;
}

/* The bit of a field id in a "seen" mask; ids past 31 are never required. */
static inline uint32_t
id_bit(int16_t id)
{
	return (id >= 0 && id < 32) ? (UINT32_C(1) << id) : 0;
}

/*
 * Every failing path above records a message; this keeps a public decoder
 * from ever returning false with an empty status if one is missed.
 */
static bool
decoder_finish(Decoder *d, bool ok, StrataThriftStatus *status)
{
	if (!ok && !d->r.status.failed)
		strata_thrift_reader_fail(&d->r, "decoding failed");
	*status = d->r.status;
	return !status->failed;
}

/* ---------------------------------------------------------------------
 * Struct decoders
 * ---------------------------------------------------------------------
 */

static bool
decode_statistics(Decoder *d, StrataParquetStatistics *s)
{
	static const char st[] = "Statistics";
	StrataThriftType type;
	int16_t		id;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		switch (id)
		{
			case 1:
				ok = get_bytes(d, type, st, "max", &s->max);
				s->has_max = true;
				break;
			case 2:
				ok = get_bytes(d, type, st, "min", &s->min);
				s->has_min = true;
				break;
			case 3:
				ok = get_nonneg_i64(d, type, st, "null_count", &s->null_count);
				s->has_null_count = true;
				break;
			case 4:
				ok = get_nonneg_i64(d, type, st, "distinct_count", &s->distinct_count);
				s->has_distinct_count = true;
				break;
			case 5:
				ok = get_bytes(d, type, st, "max_value", &s->max_value);
				s->has_max_value = true;
				break;
			case 6:
				ok = get_bytes(d, type, st, "min_value", &s->min_value);
				s->has_min_value = true;
				break;
			case 7:
				ok = get_bool(d, type, st, "is_max_value_exact", &s->is_max_value_exact);
				s->has_is_max_value_exact = true;
				break;
			case 8:
				ok = get_bool(d, type, st, "is_min_value_exact", &s->is_min_value_exact);
				s->has_is_min_value_exact = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return strata_thrift_read_struct_end(&d->r);
}

/*
 * A union whose members are all empty structs (TimeUnit, ColumnOrder):
 * returns the id of its one member.  A member of another type is skipped
 * but still counts, so the "exactly one" rule holds for unknown members.
 */
static bool
decode_empty_union(Decoder *d, const char *sname, int16_t *member)
{
	StrataThriftType type;
	int16_t		id;
	int			members = 0;
	size_t		start = d->r.pos;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		if (++members > 1)
		{
			strata_thrift_status_fail(&d->r.status, d->field_start,
									  "union %s has more than one member", sname);
			return false;
		}
		*member = id;
		if (!strata_thrift_skip(&d->r, type))
			return false;
	}
	if (members == 0)
	{
		strata_thrift_status_fail(&d->r.status, start,
								  "union %s has no member", sname);
		return false;
	}
	return strata_thrift_read_struct_end(&d->r);
}

static bool
decode_decimal(Decoder *d, StrataParquetLogicalType *lt)
{
	static const char st[] = "DecimalType";
	static const RequiredField req[] = {{1, "scale"}, {2, "precision"}, {0, NULL}};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_nonneg_i32(d, type, st, "scale", &lt->decimal_scale);
				break;
			case 2:
				ok = get_nonneg_i32(d, type, st, "precision", &lt->decimal_precision);
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

/* TimeType and TimestampType share their layout */
static bool
decode_time(Decoder *d, const char *st, StrataParquetLogicalType *lt)
{
	static const RequiredField req[] = {{1, "isAdjustedToUTC"}, {2, "unit"}, {0, NULL}};
	StrataThriftType type;
	int16_t		id;
	int16_t		unit = 0;
	uint32_t	seen = 0;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_bool(d, type, st, "isAdjustedToUTC", &lt->is_adjusted_to_utc);
				break;
			case 2:
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "unit") &&
					decode_empty_union(d, "TimeUnit", &unit);
				lt->unit = (StrataParquetTimeUnit) unit;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_integer(Decoder *d, StrataParquetLogicalType *lt)
{
	static const char st[] = "IntType";
	static const RequiredField req[] = {{1, "bitWidth"}, {2, "isSigned"}, {0, NULL}};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = want_type(d, type, STRATA_THRIFT_I8, st, "bitWidth") &&
					strata_thrift_read_i8(&d->r, &lt->bit_width);
				break;
			case 2:
				ok = get_bool(d, type, st, "isSigned", &lt->is_signed);
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_logical_type(Decoder *d, StrataParquetLogicalType *lt)
{
	static const char st[] = "LogicalType";
	StrataThriftType type;
	int16_t		id;
	int			members = 0;
	size_t		start = d->r.pos;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		if (++members > 1)
		{
			strata_thrift_status_fail(&d->r.status, d->field_start,
									  "union %s has more than one member", st);
			return false;
		}
		switch (id)
		{
			case STRATA_PARQUET_LT_STRING:
			case STRATA_PARQUET_LT_MAP:
			case STRATA_PARQUET_LT_LIST:
			case STRATA_PARQUET_LT_ENUM:
			case STRATA_PARQUET_LT_DATE:
			case STRATA_PARQUET_LT_UNKNOWN:
			case STRATA_PARQUET_LT_JSON:
			case STRATA_PARQUET_LT_BSON:
			case STRATA_PARQUET_LT_UUID:
			case STRATA_PARQUET_LT_FLOAT16:
				/* empty structs today; skipped so new fields do not hurt */
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "member") &&
					strata_thrift_skip(&d->r, type);
				lt->kind = (StrataParquetLogicalKind) id;
				break;
			case STRATA_PARQUET_LT_DECIMAL:
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "DECIMAL") &&
					decode_decimal(d, lt);
				lt->kind = STRATA_PARQUET_LT_DECIMAL;
				break;
			case STRATA_PARQUET_LT_TIME:
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "TIME") &&
					decode_time(d, "TimeType", lt);
				lt->kind = STRATA_PARQUET_LT_TIME;
				break;
			case STRATA_PARQUET_LT_TIMESTAMP:
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "TIMESTAMP") &&
					decode_time(d, "TimestampType", lt);
				lt->kind = STRATA_PARQUET_LT_TIMESTAMP;
				break;
			case STRATA_PARQUET_LT_INTEGER:
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "INTEGER") &&
					decode_integer(d, lt);
				lt->kind = STRATA_PARQUET_LT_INTEGER;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				lt->kind = STRATA_PARQUET_LT_OTHER;
				lt->other_id = id;
				break;
		}
		if (!ok)
			return false;
	}
	if (members == 0)
	{
		strata_thrift_status_fail(&d->r.status, start,
								  "union %s has no member", st);
		return false;
	}
	return strata_thrift_read_struct_end(&d->r);
}

static bool
decode_schema_element(Decoder *d, StrataParquetSchemaElement *se)
{
	static const char st[] = "SchemaElement";
	static const RequiredField req[] = {{4, "name"}, {0, NULL}};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_i32(d, type, st, "type", &se->type);
				se->has_type = true;
				break;
			case 2:
				ok = get_nonneg_i32(d, type, st, "type_length", &se->type_length);
				se->has_type_length = true;
				break;
			case 3:
				ok = get_i32(d, type, st, "repetition_type", &se->repetition_type);
				se->has_repetition_type = true;
				break;
			case 4:
				ok = get_text(d, type, st, "name", &se->name);
				break;
			case 5:
				ok = get_nonneg_i32(d, type, st, "num_children", &se->num_children);
				se->has_num_children = true;
				break;
			case 6:
				ok = get_i32(d, type, st, "converted_type", &se->converted_type);
				se->has_converted_type = true;
				break;
			case 7:
				ok = get_i32(d, type, st, "scale", &se->scale);
				se->has_scale = true;
				break;
			case 8:
				ok = get_i32(d, type, st, "precision", &se->precision);
				se->has_precision = true;
				break;
			case 9:
				ok = get_i32(d, type, st, "field_id", &se->field_id);
				se->has_field_id = true;
				break;
			case 10:
				memset(&se->logical_type, 0, sizeof(se->logical_type));
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "logicalType") &&
					decode_logical_type(d, &se->logical_type);
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_key_value(Decoder *d, StrataParquetKeyValue *kv)
{
	static const char st[] = "KeyValue";
	static const RequiredField req[] = {{1, "key"}, {0, NULL}};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_text(d, type, st, "key", &kv->key);
				break;
			case 2:
				ok = get_bytes(d, type, st, "value", &kv->value);
				kv->has_value = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_key_value_list(Decoder *d, StrataThriftType type, const char *sname,
					  int32_t *count, StrataParquetKeyValue **kvs)
{
	int32_t		i;

	if (!get_list(d, type, sname, "key_value_metadata", STRATA_THRIFT_STRUCT,
				  MIN_KEY_VALUE, sizeof(StrataParquetKeyValue), count,
				  (void **) kvs))
		return false;
	for (i = 0; i < *count; i++)
		if (!decode_key_value(d, &(*kvs)[i]))
			return false;
	return true;
}

static bool
decode_column_metadata(Decoder *d, StrataParquetColumnMetaData *cm)
{
	static const char st[] = "ColumnMetaData";
	static const RequiredField req[] = {
		{1, "type"}, {2, "encodings"}, {3, "path_in_schema"}, {4, "codec"},
		{5, "num_values"}, {6, "total_uncompressed_size"},
		{7, "total_compressed_size"}, {9, "data_page_offset"}, {0, NULL}
	};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;
	int32_t		i;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_i32(d, type, st, "type", &cm->type);
				break;
			case 2:
				ok = get_list(d, type, st, "encodings", STRATA_THRIFT_I32, 1,
							  sizeof(int32_t), &cm->num_encodings,
							  (void **) &cm->encodings);
				for (i = 0; ok && i < cm->num_encodings; i++)
					ok = strata_thrift_read_i32(&d->r, &cm->encodings[i]);
				break;
			case 3:
				ok = get_list(d, type, st, "path_in_schema", STRATA_THRIFT_BINARY, 1,
							  sizeof(char *), &cm->num_path,
							  (void **) &cm->path_in_schema);
				for (i = 0; ok && i < cm->num_path; i++)
					ok = copy_text(d, st, "path_in_schema", &cm->path_in_schema[i]);
				break;
			case 4:
				ok = get_i32(d, type, st, "codec", &cm->codec);
				break;
			case 5:
				ok = get_nonneg_i64(d, type, st, "num_values", &cm->num_values);
				break;
			case 6:
				ok = get_nonneg_i64(d, type, st, "total_uncompressed_size",
									&cm->total_uncompressed_size);
				break;
			case 7:
				ok = get_nonneg_i64(d, type, st, "total_compressed_size",
									&cm->total_compressed_size);
				break;
			case 8:
				ok = decode_key_value_list(d, type, st, &cm->num_key_value,
										   &cm->key_value_metadata);
				cm->has_key_value_metadata = true;
				break;
			case 9:
				ok = get_nonneg_i64(d, type, st, "data_page_offset",
									&cm->data_page_offset);
				break;
			case 10:
				ok = get_nonneg_i64(d, type, st, "index_page_offset",
									&cm->index_page_offset);
				cm->has_index_page_offset = true;
				break;
			case 11:
				ok = get_nonneg_i64(d, type, st, "dictionary_page_offset",
									&cm->dictionary_page_offset);
				cm->has_dictionary_page_offset = true;
				break;
			case 12:
				memset(&cm->statistics, 0, sizeof(cm->statistics));
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "statistics") &&
					decode_statistics(d, &cm->statistics);
				cm->has_statistics = true;
				break;
			case 14:
				ok = get_nonneg_i64(d, type, st, "bloom_filter_offset",
									&cm->bloom_filter_offset);
				cm->has_bloom_filter_offset = true;
				break;
			case 15:
				ok = get_nonneg_i32(d, type, st, "bloom_filter_length",
									&cm->bloom_filter_length);
				cm->has_bloom_filter_length = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_column_chunk(Decoder *d, StrataParquetColumnChunk *cc)
{
	static const char st[] = "ColumnChunk";
	static const RequiredField req[] = {{2, "file_offset"}, {0, NULL}};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_text(d, type, st, "file_path", &cc->file_path);
				break;
			case 2:
				ok = get_nonneg_i64(d, type, st, "file_offset", &cc->file_offset);
				break;
			case 3:
				/* allocated only when present: it is most of a chunk's size */
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "meta_data");
				if (ok)
				{
					cc->meta_data = decoder_alloc(d, sizeof(StrataParquetColumnMetaData),
												  ARENA_ALIGN);
					ok = cc->meta_data != NULL &&
						decode_column_metadata(d, cc->meta_data);
				}
				break;
			case 4:
				ok = get_nonneg_i64(d, type, st, "offset_index_offset",
									&cc->offset_index_offset);
				cc->has_offset_index_offset = true;
				break;
			case 5:
				ok = get_nonneg_i32(d, type, st, "offset_index_length",
									&cc->offset_index_length);
				cc->has_offset_index_length = true;
				break;
			case 6:
				ok = get_nonneg_i64(d, type, st, "column_index_offset",
									&cc->column_index_offset);
				cc->has_column_index_offset = true;
				break;
			case 7:
				ok = get_nonneg_i32(d, type, st, "column_index_length",
									&cc->column_index_length);
				cc->has_column_index_length = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_row_group(Decoder *d, StrataParquetRowGroup *rg)
{
	static const char st[] = "RowGroup";
	static const RequiredField req[] = {
		{1, "columns"}, {2, "total_byte_size"}, {3, "num_rows"}, {0, NULL}
	};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;
	int32_t		i;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_list(d, type, st, "columns", STRATA_THRIFT_STRUCT,
							  MIN_COLUMN_CHUNK, sizeof(StrataParquetColumnChunk),
							  &rg->num_columns, (void **) &rg->columns);
				for (i = 0; ok && i < rg->num_columns; i++)
					ok = decode_column_chunk(d, &rg->columns[i]);
				break;
			case 2:
				ok = get_nonneg_i64(d, type, st, "total_byte_size", &rg->total_byte_size);
				break;
			case 3:
				ok = get_nonneg_i64(d, type, st, "num_rows", &rg->num_rows);
				break;
			case 5:
				ok = get_nonneg_i64(d, type, st, "file_offset", &rg->file_offset);
				rg->has_file_offset = true;
				break;
			case 6:
				ok = get_nonneg_i64(d, type, st, "total_compressed_size",
									&rg->total_compressed_size);
				rg->has_total_compressed_size = true;
				break;
			case 7:
				ok = want_type(d, type, STRATA_THRIFT_I16, st, "ordinal") &&
					strata_thrift_read_i16(&d->r, &rg->ordinal);
				if (ok && rg->ordinal < 0)
					ok = fail_field(d, st, "ordinal", "negative value");
				rg->has_ordinal = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_file_metadata(Decoder *d, StrataParquetFileMetaData *md)
{
	static const char st[] = "FileMetaData";
	static const RequiredField req[] = {
		{1, "version"}, {2, "schema"}, {3, "num_rows"}, {4, "row_groups"}, {0, NULL}
	};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;
	int32_t		i;
	int16_t		member = 0;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_i32(d, type, st, "version", &md->version);
				break;
			case 2:
				ok = get_list(d, type, st, "schema", STRATA_THRIFT_STRUCT,
							  MIN_SCHEMA_ELEMENT, sizeof(StrataParquetSchemaElement),
							  &md->num_schema, (void **) &md->schema);
				for (i = 0; ok && i < md->num_schema; i++)
					ok = decode_schema_element(d, &md->schema[i]);
				break;
			case 3:
				ok = get_nonneg_i64(d, type, st, "num_rows", &md->num_rows);
				break;
			case 4:
				ok = get_list(d, type, st, "row_groups", STRATA_THRIFT_STRUCT,
							  MIN_ROW_GROUP, sizeof(StrataParquetRowGroup),
							  &md->num_row_groups, (void **) &md->row_groups);
				for (i = 0; ok && i < md->num_row_groups; i++)
					ok = decode_row_group(d, &md->row_groups[i]);
				break;
			case 5:
				ok = decode_key_value_list(d, type, st, &md->num_key_value,
										   &md->key_value_metadata);
				md->has_key_value_metadata = true;
				break;
			case 6:
				ok = get_text(d, type, st, "created_by", &md->created_by);
				break;
			case 7:
				ok = get_list(d, type, st, "column_orders", STRATA_THRIFT_STRUCT,
							  MIN_COLUMN_ORDER, sizeof(int32_t),
							  &md->num_column_orders, (void **) &md->column_orders);
				for (i = 0; ok && i < md->num_column_orders; i++)
				{
					ok = decode_empty_union(d, "ColumnOrder", &member);
					md->column_orders[i] = member;
				}
				md->has_column_orders = true;
				break;
			case 8:
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "encryption_algorithm") &&
					strata_thrift_skip(&d->r, type);
				md->has_encryption_algorithm = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_data_page_header(Decoder *d, StrataParquetDataPageHeader *h)
{
	static const char st[] = "DataPageHeader";
	static const RequiredField req[] = {
		{1, "num_values"}, {2, "encoding"}, {3, "definition_level_encoding"},
		{4, "repetition_level_encoding"}, {0, NULL}
	};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_nonneg_i32(d, type, st, "num_values", &h->num_values);
				break;
			case 2:
				ok = get_i32(d, type, st, "encoding", &h->encoding);
				break;
			case 3:
				ok = get_i32(d, type, st, "definition_level_encoding",
							 &h->definition_level_encoding);
				break;
			case 4:
				ok = get_i32(d, type, st, "repetition_level_encoding",
							 &h->repetition_level_encoding);
				break;
			case 5:
				memset(&h->statistics, 0, sizeof(h->statistics));
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "statistics") &&
					decode_statistics(d, &h->statistics);
				h->has_statistics = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_dictionary_page_header(Decoder *d, StrataParquetDictionaryPageHeader *h)
{
	static const char st[] = "DictionaryPageHeader";
	static const RequiredField req[] = {{1, "num_values"}, {2, "encoding"}, {0, NULL}};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_nonneg_i32(d, type, st, "num_values", &h->num_values);
				break;
			case 2:
				ok = get_i32(d, type, st, "encoding", &h->encoding);
				break;
			case 3:
				ok = get_bool(d, type, st, "is_sorted", &h->is_sorted);
				h->has_is_sorted = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_data_page_header_v2(Decoder *d, StrataParquetDataPageHeaderV2 *h)
{
	static const char st[] = "DataPageHeaderV2";
	static const RequiredField req[] = {
		{1, "num_values"}, {2, "num_nulls"}, {3, "num_rows"}, {4, "encoding"},
		{5, "definition_levels_byte_length"},
		{6, "repetition_levels_byte_length"}, {0, NULL}
	};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_nonneg_i32(d, type, st, "num_values", &h->num_values);
				break;
			case 2:
				ok = get_nonneg_i32(d, type, st, "num_nulls", &h->num_nulls);
				break;
			case 3:
				ok = get_nonneg_i32(d, type, st, "num_rows", &h->num_rows);
				break;
			case 4:
				ok = get_i32(d, type, st, "encoding", &h->encoding);
				break;
			case 5:
				ok = get_nonneg_i32(d, type, st, "definition_levels_byte_length",
									&h->definition_levels_byte_length);
				break;
			case 6:
				ok = get_nonneg_i32(d, type, st, "repetition_levels_byte_length",
									&h->repetition_levels_byte_length);
				break;
			case 7:
				ok = get_bool(d, type, st, "is_compressed", &h->is_compressed);
				h->has_is_compressed = true;
				break;
			case 8:
				memset(&h->statistics, 0, sizeof(h->statistics));
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "statistics") &&
					decode_statistics(d, &h->statistics);
				h->has_statistics = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	if (!h->has_is_compressed)
		h->is_compressed = true;	/* the Thrift default */
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

static bool
decode_page_header(Decoder *d, StrataParquetPageHeader *ph)
{
	static const char st[] = "PageHeader";
	static const RequiredField req[] = {
		{1, "type"}, {2, "uncompressed_page_size"}, {3, "compressed_page_size"},
		{0, NULL}
	};
	StrataThriftType type;
	int16_t		id;
	uint32_t	seen = 0;
	bool		ok;
	int32_t		crc;

	if (!strata_thrift_read_struct_begin(&d->r))
		return false;
	for (;;)
	{
		if (!next_field(d, &type, &id))
			return false;
		if (type == STRATA_THRIFT_STOP)
			break;
		seen |= id_bit(id);
		switch (id)
		{
			case 1:
				ok = get_i32(d, type, st, "type", &ph->type);
				break;
			case 2:
				ok = get_nonneg_i32(d, type, st, "uncompressed_page_size",
									&ph->uncompressed_page_size);
				break;
			case 3:
				ok = get_nonneg_i32(d, type, st, "compressed_page_size",
									&ph->compressed_page_size);
				break;
			case 4:
				/* an i32 on the wire; the CRC's bits are what matter */
				ok = get_i32(d, type, st, "crc", &crc);
				ph->crc = (uint32_t) crc;
				ph->has_crc = true;
				break;
			case 5:
				memset(&ph->data_page_header, 0, sizeof(ph->data_page_header));
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "data_page_header") &&
					decode_data_page_header(d, &ph->data_page_header);
				ph->has_data_page_header = true;
				break;
			case 7:
				memset(&ph->dictionary_page_header, 0,
					   sizeof(ph->dictionary_page_header));
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "dictionary_page_header") &&
					decode_dictionary_page_header(d, &ph->dictionary_page_header);
				ph->has_dictionary_page_header = true;
				break;
			case 8:
				memset(&ph->data_page_header_v2, 0, sizeof(ph->data_page_header_v2));
				ok = want_type(d, type, STRATA_THRIFT_STRUCT, st, "data_page_header_v2") &&
					decode_data_page_header_v2(d, &ph->data_page_header_v2);
				ph->has_data_page_header_v2 = true;
				break;
			default:
				ok = strata_thrift_skip(&d->r, type);
				break;
		}
		if (!ok)
			return false;
	}
	return check_required(d, st, seen, req) && strata_thrift_read_struct_end(&d->r);
}

bool
strata_parquet_file_metadata_decode(const uint8_t *buf, size_t len,
									StrataArena *arena,
									StrataParquetFileMetaData *md,
									StrataThriftStatus *status)
{
	Decoder		d;
	bool		ok;

	memset(md, 0, sizeof(*md));
	decoder_init(&d, buf, len, arena);
	ok = decode_file_metadata(&d, md);
	return decoder_finish(&d, ok, status);
}

bool
strata_parquet_page_header_decode(const uint8_t *buf, size_t len,
								  StrataArena *arena,
								  StrataParquetPageHeader *ph,
								  size_t *header_len,
								  StrataThriftStatus *status)
{
	Decoder		d;
	bool		ok;

	memset(ph, 0, sizeof(*ph));
	decoder_init(&d, buf, len, arena);
	ok = decode_page_header(&d, ph);
	*header_len = d.r.pos;
	return decoder_finish(&d, ok, status);
}

/* ---------------------------------------------------------------------
 * Encoding
 * ---------------------------------------------------------------------
 */

static void
put_i32_field(StrataThriftWriter *w, int16_t id, int32_t v)
{
	strata_thrift_write_field_header(w, STRATA_THRIFT_I32, id);
	strata_thrift_write_i32(w, v);
}

static void
put_i64_field(StrataThriftWriter *w, int16_t id, int64_t v)
{
	strata_thrift_write_field_header(w, STRATA_THRIFT_I64, id);
	strata_thrift_write_i64(w, v);
}

static void
put_text_field(StrataThriftWriter *w, int16_t id, const char *s)
{
	strata_thrift_write_field_header(w, STRATA_THRIFT_BINARY, id);
	strata_thrift_write_string(w, s);
}

static void
put_bytes_field(StrataThriftWriter *w, int16_t id, const StrataParquetBytes *b)
{
	strata_thrift_write_field_header(w, STRATA_THRIFT_BINARY, id);
	strata_thrift_write_binary(w, b->data, b->data ? b->len : 0);
}

/* a member of a union whose value is an empty struct */
static void
put_empty_struct_field(StrataThriftWriter *w, int16_t id)
{
	strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, id);
	strata_thrift_write_struct_begin(w);
	strata_thrift_write_struct_end(w);
}

static void
encode_statistics(StrataThriftWriter *w, int16_t id, const StrataParquetStatistics *s)
{
	strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, id);
	strata_thrift_write_struct_begin(w);
	if (s->has_max)
		put_bytes_field(w, 1, &s->max);
	if (s->has_min)
		put_bytes_field(w, 2, &s->min);
	if (s->has_null_count)
		put_i64_field(w, 3, s->null_count);
	if (s->has_distinct_count)
		put_i64_field(w, 4, s->distinct_count);
	if (s->has_max_value)
		put_bytes_field(w, 5, &s->max_value);
	if (s->has_min_value)
		put_bytes_field(w, 6, &s->min_value);
	if (s->has_is_max_value_exact)
		strata_thrift_write_field_bool(w, 7, s->is_max_value_exact);
	if (s->has_is_min_value_exact)
		strata_thrift_write_field_bool(w, 8, s->is_min_value_exact);
	strata_thrift_write_struct_end(w);
}

static void
encode_key_values(StrataThriftWriter *w, int16_t id, int32_t n,
				  const StrataParquetKeyValue *kvs)
{
	int32_t		i;

	strata_thrift_write_field_header(w, STRATA_THRIFT_LIST, id);
	strata_thrift_write_list_begin(w, STRATA_THRIFT_STRUCT, (uint32_t) n);
	for (i = 0; i < n; i++)
	{
		strata_thrift_write_struct_begin(w);
		put_text_field(w, 1, kvs[i].key);
		if (kvs[i].has_value)
			put_bytes_field(w, 2, &kvs[i].value);
		strata_thrift_write_struct_end(w);
	}
}

static void
encode_logical_type(StrataThriftWriter *w, const StrataParquetLogicalType *lt)
{
	strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, 10);
	strata_thrift_write_struct_begin(w);
	switch (lt->kind)
	{
		case STRATA_PARQUET_LT_DECIMAL:
			strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, lt->kind);
			strata_thrift_write_struct_begin(w);
			put_i32_field(w, 1, lt->decimal_scale);
			put_i32_field(w, 2, lt->decimal_precision);
			strata_thrift_write_struct_end(w);
			break;
		case STRATA_PARQUET_LT_TIME:
		case STRATA_PARQUET_LT_TIMESTAMP:
			strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, lt->kind);
			strata_thrift_write_struct_begin(w);
			strata_thrift_write_field_bool(w, 1, lt->is_adjusted_to_utc);
			strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, 2);
			strata_thrift_write_struct_begin(w);
			put_empty_struct_field(w, (int16_t) lt->unit);
			strata_thrift_write_struct_end(w);
			strata_thrift_write_struct_end(w);
			break;
		case STRATA_PARQUET_LT_INTEGER:
			strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, lt->kind);
			strata_thrift_write_struct_begin(w);
			strata_thrift_write_field_header(w, STRATA_THRIFT_I8, 1);
			strata_thrift_write_i8(w, lt->bit_width);
			strata_thrift_write_field_bool(w, 2, lt->is_signed);
			strata_thrift_write_struct_end(w);
			break;
		case STRATA_PARQUET_LT_OTHER:
			put_empty_struct_field(w, lt->other_id);
			break;
		case STRATA_PARQUET_LT_NONE:
			break;				/* not called for NONE */
		default:
			put_empty_struct_field(w, lt->kind);
			break;
	}
	strata_thrift_write_struct_end(w);
}

static void
encode_schema_element(StrataThriftWriter *w, const StrataParquetSchemaElement *se)
{
	strata_thrift_write_struct_begin(w);
	if (se->has_type)
		put_i32_field(w, 1, se->type);
	if (se->has_type_length)
		put_i32_field(w, 2, se->type_length);
	if (se->has_repetition_type)
		put_i32_field(w, 3, se->repetition_type);
	put_text_field(w, 4, se->name);
	if (se->has_num_children)
		put_i32_field(w, 5, se->num_children);
	if (se->has_converted_type)
		put_i32_field(w, 6, se->converted_type);
	if (se->has_scale)
		put_i32_field(w, 7, se->scale);
	if (se->has_precision)
		put_i32_field(w, 8, se->precision);
	if (se->has_field_id)
		put_i32_field(w, 9, se->field_id);
	if (se->logical_type.kind != STRATA_PARQUET_LT_NONE)
		encode_logical_type(w, &se->logical_type);
	strata_thrift_write_struct_end(w);
}

static void
encode_column_metadata(StrataThriftWriter *w, const StrataParquetColumnMetaData *cm)
{
	int32_t		i;

	strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, 3);
	strata_thrift_write_struct_begin(w);
	put_i32_field(w, 1, cm->type);
	strata_thrift_write_field_header(w, STRATA_THRIFT_LIST, 2);
	strata_thrift_write_list_begin(w, STRATA_THRIFT_I32, (uint32_t) cm->num_encodings);
	for (i = 0; i < cm->num_encodings; i++)
		strata_thrift_write_i32(w, cm->encodings[i]);
	strata_thrift_write_field_header(w, STRATA_THRIFT_LIST, 3);
	strata_thrift_write_list_begin(w, STRATA_THRIFT_BINARY, (uint32_t) cm->num_path);
	for (i = 0; i < cm->num_path; i++)
		strata_thrift_write_string(w, cm->path_in_schema[i]);
	put_i32_field(w, 4, cm->codec);
	put_i64_field(w, 5, cm->num_values);
	put_i64_field(w, 6, cm->total_uncompressed_size);
	put_i64_field(w, 7, cm->total_compressed_size);
	if (cm->has_key_value_metadata)
		encode_key_values(w, 8, cm->num_key_value, cm->key_value_metadata);
	put_i64_field(w, 9, cm->data_page_offset);
	if (cm->has_index_page_offset)
		put_i64_field(w, 10, cm->index_page_offset);
	if (cm->has_dictionary_page_offset)
		put_i64_field(w, 11, cm->dictionary_page_offset);
	if (cm->has_statistics)
		encode_statistics(w, 12, &cm->statistics);
	if (cm->has_bloom_filter_offset)
		put_i64_field(w, 14, cm->bloom_filter_offset);
	if (cm->has_bloom_filter_length)
		put_i32_field(w, 15, cm->bloom_filter_length);
	strata_thrift_write_struct_end(w);
}

static void
encode_row_group(StrataThriftWriter *w, const StrataParquetRowGroup *rg)
{
	int32_t		i;

	strata_thrift_write_struct_begin(w);
	strata_thrift_write_field_header(w, STRATA_THRIFT_LIST, 1);
	strata_thrift_write_list_begin(w, STRATA_THRIFT_STRUCT, (uint32_t) rg->num_columns);
	for (i = 0; i < rg->num_columns; i++)
	{
		const StrataParquetColumnChunk *cc = &rg->columns[i];

		strata_thrift_write_struct_begin(w);
		if (cc->file_path != NULL)
			put_text_field(w, 1, cc->file_path);
		put_i64_field(w, 2, cc->file_offset);
		if (cc->meta_data != NULL)
			encode_column_metadata(w, cc->meta_data);
		if (cc->has_offset_index_offset)
			put_i64_field(w, 4, cc->offset_index_offset);
		if (cc->has_offset_index_length)
			put_i32_field(w, 5, cc->offset_index_length);
		if (cc->has_column_index_offset)
			put_i64_field(w, 6, cc->column_index_offset);
		if (cc->has_column_index_length)
			put_i32_field(w, 7, cc->column_index_length);
		strata_thrift_write_struct_end(w);
	}
	put_i64_field(w, 2, rg->total_byte_size);
	put_i64_field(w, 3, rg->num_rows);
	if (rg->has_file_offset)
		put_i64_field(w, 5, rg->file_offset);
	if (rg->has_total_compressed_size)
		put_i64_field(w, 6, rg->total_compressed_size);
	if (rg->has_ordinal)
	{
		strata_thrift_write_field_header(w, STRATA_THRIFT_I16, 7);
		strata_thrift_write_i16(w, rg->ordinal);
	}
	strata_thrift_write_struct_end(w);
}

bool
strata_parquet_file_metadata_encode(StrataThriftWriter *w,
									const StrataParquetFileMetaData *md)
{
	int32_t		i;

	strata_thrift_write_struct_begin(w);
	put_i32_field(w, 1, md->version);
	strata_thrift_write_field_header(w, STRATA_THRIFT_LIST, 2);
	strata_thrift_write_list_begin(w, STRATA_THRIFT_STRUCT, (uint32_t) md->num_schema);
	for (i = 0; i < md->num_schema; i++)
		encode_schema_element(w, &md->schema[i]);
	put_i64_field(w, 3, md->num_rows);
	strata_thrift_write_field_header(w, STRATA_THRIFT_LIST, 4);
	strata_thrift_write_list_begin(w, STRATA_THRIFT_STRUCT, (uint32_t) md->num_row_groups);
	for (i = 0; i < md->num_row_groups; i++)
		encode_row_group(w, &md->row_groups[i]);
	if (md->has_key_value_metadata)
		encode_key_values(w, 5, md->num_key_value, md->key_value_metadata);
	if (md->created_by != NULL)
		put_text_field(w, 6, md->created_by);
	if (md->has_column_orders)
	{
		strata_thrift_write_field_header(w, STRATA_THRIFT_LIST, 7);
		strata_thrift_write_list_begin(w, STRATA_THRIFT_STRUCT,
									   (uint32_t) md->num_column_orders);
		for (i = 0; i < md->num_column_orders; i++)
		{
			strata_thrift_write_struct_begin(w);
			put_empty_struct_field(w, (int16_t) md->column_orders[i]);
			strata_thrift_write_struct_end(w);
		}
	}
	/* has_encryption_algorithm: we never write encrypted files */
	strata_thrift_write_struct_end(w);
	return !w->status.failed;
}

bool
strata_parquet_page_header_encode(StrataThriftWriter *w,
								  const StrataParquetPageHeader *ph)
{
	strata_thrift_write_struct_begin(w);
	put_i32_field(w, 1, ph->type);
	put_i32_field(w, 2, ph->uncompressed_page_size);
	put_i32_field(w, 3, ph->compressed_page_size);
	if (ph->has_crc)
		put_i32_field(w, 4, (int32_t) ph->crc);
	if (ph->has_data_page_header)
	{
		const StrataParquetDataPageHeader *h = &ph->data_page_header;

		strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, 5);
		strata_thrift_write_struct_begin(w);
		put_i32_field(w, 1, h->num_values);
		put_i32_field(w, 2, h->encoding);
		put_i32_field(w, 3, h->definition_level_encoding);
		put_i32_field(w, 4, h->repetition_level_encoding);
		if (h->has_statistics)
			encode_statistics(w, 5, &h->statistics);
		strata_thrift_write_struct_end(w);
	}
	if (ph->has_dictionary_page_header)
	{
		const StrataParquetDictionaryPageHeader *h = &ph->dictionary_page_header;

		strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, 7);
		strata_thrift_write_struct_begin(w);
		put_i32_field(w, 1, h->num_values);
		put_i32_field(w, 2, h->encoding);
		if (h->has_is_sorted)
			strata_thrift_write_field_bool(w, 3, h->is_sorted);
		strata_thrift_write_struct_end(w);
	}
	if (ph->has_data_page_header_v2)
	{
		const StrataParquetDataPageHeaderV2 *h = &ph->data_page_header_v2;

		strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, 8);
		strata_thrift_write_struct_begin(w);
		put_i32_field(w, 1, h->num_values);
		put_i32_field(w, 2, h->num_nulls);
		put_i32_field(w, 3, h->num_rows);
		put_i32_field(w, 4, h->encoding);
		put_i32_field(w, 5, h->definition_levels_byte_length);
		put_i32_field(w, 6, h->repetition_levels_byte_length);
		if (h->has_is_compressed)
			strata_thrift_write_field_bool(w, 7, h->is_compressed);
		if (h->has_statistics)
			encode_statistics(w, 8, &h->statistics);
		strata_thrift_write_struct_end(w);
	}
	strata_thrift_write_struct_end(w);
	return !w->status.failed;
}

/* ---------------------------------------------------------------------
 * Footer
 * ---------------------------------------------------------------------
 */

#define PARQUET_MAGIC "PAR1"
#define PARQUET_ENCRYPTED_MAGIC "PARE"

bool
strata_parquet_footer_length(const uint8_t tail[8], uint64_t file_size,
							 uint32_t *footer_len, StrataThriftStatus *status)
{
	uint32_t	n;

	memset(status, 0, sizeof(*status));
	if (file_size < 12)
	{
		strata_thrift_status_fail(status, 0,
								  "file of %llu bytes is too short for Parquet",
								  (unsigned long long) file_size);
		return false;
	}
	if (memcmp(tail + 4, PARQUET_ENCRYPTED_MAGIC, 4) == 0)
	{
		strata_thrift_status_fail(status, file_size - 4,
								  "encrypted Parquet footers are not supported");
		return false;
	}
	if (memcmp(tail + 4, PARQUET_MAGIC, 4) != 0)
	{
		strata_thrift_status_fail(status, file_size - 4,
								  "missing PAR1 magic at the end of the file");
		return false;
	}
	n = (uint32_t) tail[0] | (uint32_t) tail[1] << 8 |
		(uint32_t) tail[2] << 16 | (uint32_t) tail[3] << 24;
	/* leading magic + footer + length + trailing magic */
	if (n == 0 || n > file_size - 12)
	{
		strata_thrift_status_fail(status, file_size - 8,
								  "footer length %u out of range for a file of %llu bytes",
								  n, (unsigned long long) file_size);
		return false;
	}
	*footer_len = n;
	return true;
}

bool
strata_parquet_locate_footer(const uint8_t *file, size_t file_len,
							 size_t *footer_offset, size_t *footer_len,
							 StrataThriftStatus *status)
{
	uint32_t	n;

	memset(status, 0, sizeof(*status));
	if (file_len < 12)
	{
		strata_thrift_status_fail(status, 0,
								  "file of %zu bytes is too short for Parquet",
								  file_len);
		return false;
	}
	if (memcmp(file, PARQUET_MAGIC, 4) != 0)
	{
		strata_thrift_status_fail(status, 0,
								  "missing PAR1 magic at the start of the file");
		return false;
	}
	if (!strata_parquet_footer_length(file + file_len - 8, file_len, &n, status))
		return false;
	*footer_len = n;
	*footer_offset = file_len - 8 - n;
	return true;
}
