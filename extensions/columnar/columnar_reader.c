/*-------------------------------------------------------------------------
 *
 * columnar_reader.c
 *	  Reading strata_columnar stripes: sequentially, by row number, by rank.
 *
 * A read state sees the stripes its snapshot sees, plus this transaction's
 * unflushed rows (columnar_pending_stripes).  It decodes one chunk group at
 * a time, and only the columns it was asked for: each chunk is read,
 * decompressed and indexed (columnar_format.c), and its values become Datums
 * that point into the decompressed chunk, so no value is copied.  The
 * memory of a chunk group lives until the next one is decoded, which is as
 * long as the executor looks at a row it was handed.
 *
 * Deleted rows are skipped as the snapshot sees them (columnar_deletes.c):
 * a scan reads every row mask of the table at its start, a fetch by TID the
 * mask of the row's span when it first needs it.  Under a dirty snapshot
 * (unique checks) a fetch asks after the row itself, so that a deletion
 * still in progress is reported as such.
 *
 * Columns a stripe does not have (added by ALTER TABLE ADD COLUMN after it
 * was written) read as the column's missing value, as in a heap tuple.
 *
 * Values are decoded with the descriptor of the slot they go into, as heap
 * deforms with the slot's: a table rewrite (ALTER COLUMN TYPE) reads the old
 * rows through a slot of the old descriptor while the relation already has
 * the new one.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/stratnum.h"
#include "executor/tuptable.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/predicate.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

struct ColumnarReadState
{
	Relation	rel;
	Snapshot	snapshot;
	TupleDesc	tupdesc;
	int			natts;
	bool	   *needed;
	Bitmapset  *attrs;
	uint64		storage_id;

	List	   *stripes;		/* flushed and pending, by first row (top-N: bounds) */
	List	   *pending;		/* the pinned pending ones, to release */
	int			stripe_index;

	/* deleted rows: NULL masks and !dirty means none are hidden */
	ColumnarMasks *masks;
	bool		dirty;
	/* a dirty fetch: the speculative insertion of the row, if any */
	uint32		spec_token;
	TransactionId spec_xid;

	/* the decoded chunk group */
	ColumnarStripe *stripe;
	uint32		group;
	uint64		group_first_row;
	uint32		group_rows;
	uint32		next;			/* row within the group to return next */
	bool	   *deleted;		/* per row of the group, or NULL: none */
	Datum	  **values;
	bool	  **nulls;

	MemoryContext scan_cxt;
	MemoryContext group_cxt;

	/* a parallel scan: participants claim stripes from this shared counter */
	pg_atomic_uint64 *parallel_next;

	/* chunk group skipping (columnar_customscan.c sets the filters) */
	ColumnarFilter *filters;
	int			nfilters;
	uint64		groups_read;
	uint64		groups_skipped;

	/* top-N: stripes in the order of their bounds on this filter's column */
	const ColumnarFilter *order;

	/* live rows of each stripe (of stripes, in order), once asked for */
	uint64	   *live;

	/* the batch path's buffers per column, kept from group to group */
	struct ChunkBuffers *buffers;
	int			nbuffers;
};

/*
 * Buffers a chunk is read, decompressed and decoded into, reused from one
 * chunk group to the next: a chunk's bytes freed at the end of every group
 * went back to the kernel (glibc trims the heap's top) and came back as
 * page faults, a tenth of a scan of a raw int8 column.
 */
typedef struct ChunkBuffers
{
	char	   *stored;
	size_t		stored_cap;
	char	   *raw;
	size_t		raw_cap;
	char	   *plain;
	size_t		plain_cap;
} ChunkBuffers;

/* buf grown to need bytes (its contents not kept), or palloc'd if no bufs */
static char *
buffer_of(MemoryContext cxt, char **buf, size_t *cap, size_t need)
{
	if (buf == NULL)
		return palloc(need);
	if (*cap < need)
	{
		if (*buf != NULL)
			pfree(*buf);
		*cap = Max(need, *cap * 2);
		*buf = MemoryContextAllocHuge(cxt, *cap);
	}
	return *buf;
}

static int
compare_first_row(const ListCell *a, const ListCell *b)
{
	uint64		x = ((ColumnarStripe *) lfirst(a))->first_row;
	uint64		y = ((ColumnarStripe *) lfirst(b))->first_row;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static Datum bound_datum(Form_pg_attribute att, const uint8 *bytes);
static bool group_refuted(ColumnarReadState *state, ColumnarStripe *stripe, uint32 g);

typedef struct StripeBound
{
	ColumnarStripe *stripe;
	bool		known;			/* every group with values has bounds */
	Datum		bound;			/* the least min (ascending) or greatest max */
} StripeBound;

static int
compare_stripe_bounds(const void *a, const void *b, void *arg)
{
	const StripeBound *x = a;
	const StripeBound *y = b;
	const ColumnarFilter *f = arg;
	int			c = 0;

	/* stripes whose bounds are unknown first: they must be read anyway */
	if (x->known != y->known)
		return x->known ? 1 : -1;
	if (x->known)
	{
		c = DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &f->cmp, f->collation, x->bound, y->bound));
		if (f->strategy == BTGreaterEqualStrategyNumber)
			c = -c;
	}
	if (c == 0)
		c = x->stripe->first_row < y->stripe->first_row ? -1 :
			(x->stripe->first_row > y->stripe->first_row ? 1 : 0);
	return c;
}

/*
 * Reorder the stripes so that the one likeliest to hold the best first
 * keys comes first (see columnar_order_stripes).
 */
static void
order_stripes(ColumnarReadState *state)
{
	const ColumnarFilter *f = state->order;
	bool		ascending = f->strategy != BTGreaterEqualStrategyNumber;
	Form_pg_attribute att = TupleDescAttr(state->tupdesc, f->column);
	int			n = list_length(state->stripes);
	StripeBound *b = palloc(sizeof(StripeBound) * Max(n, 1));
	List	   *ordered = NIL;
	ListCell   *lc;
	int			i = 0;

	foreach(lc, state->stripes)
	{
		ColumnarStripe *stripe = lfirst(lc);
		const ColumnarSkipList *sl = &stripe->skiplist;
		bool		any = false;
		uint32		g;

		b[i].stripe = stripe;
		b[i].known = (uint32) f->column < sl->column_count;
		for (g = 0; b[i].known && g < sl->group_count; g++)
		{
			const ColumnarChunkMeta *m = &sl->chunks[f->column * sl->group_count + g];
			Datum		d;

			if (m->null_count >= sl->group_rows[g])
				continue;		/* NULLs only: they sort last here */
			if (!m->has_bounds)
			{
				b[i].known = false;
				break;
			}
			d = bound_datum(att, ascending ? m->min : m->max);
			if (!any ||
				(DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &f->cmp, f->collation, d, b[i].bound)) < 0) == ascending)
				b[i].bound = d;
			any = true;
		}
		i++;
	}
	qsort_arg(b, n, sizeof(StripeBound), compare_stripe_bounds, (void *) f);
	for (i = 0; i < n; i++)
		ordered = lappend(ordered, b[i].stripe);
	state->stripes = ordered;
	state->live = NULL;
}

static void
load_stripes(ColumnarReadState *state)
{
	MemoryContext old = MemoryContextSwitchTo(state->scan_cxt);

	state->stripes = columnar_read_stripes(state->rel, state->storage_id, state->snapshot);
	state->pending = columnar_pending_stripes(state->rel, state->snapshot);
	state->stripes = list_concat(state->stripes, state->pending);
	list_sort(state->stripes, compare_first_row);
	if (state->order != NULL)
		order_stripes(state);
	state->live = NULL;
	MemoryContextSwitchTo(old);
}

/* The live rows of every stripe, counted once per scan (sampling asks often). */
static const uint64 *
live_rows(ColumnarReadState *state)
{
	if (state->live == NULL)
	{
		ListCell   *lc;
		int			i = 0;

		state->live = MemoryContextAlloc(state->scan_cxt,
										 sizeof(uint64) * (list_length(state->stripes) + 1));
		foreach(lc, state->stripes)
			state->live[i++] = columnar_stripe_live_rows(state, lfirst(lc));
	}
	return state->live;
}

/* Decode with desc from now on (see the header comment). */
static void
set_descriptor(ColumnarReadState *state, TupleDesc desc)
{
	MemoryContext old = MemoryContextSwitchTo(state->scan_cxt);
	int			i;

	state->tupdesc = desc;
	state->natts = desc->natts;
	state->needed = palloc0(sizeof(bool) * Max(state->natts, 1));
	state->values = palloc0(sizeof(Datum *) * Max(state->natts, 1));
	state->nulls = palloc0(sizeof(bool *) * Max(state->natts, 1));
	for (i = 0; i < state->natts; i++)
		state->needed[i] = !TupleDescAttr(desc, i)->attisdropped &&
			(state->attrs == NULL || bms_is_member(i + 1, state->attrs));
	MemoryContextSwitchTo(old);
}

static void load_group(ColumnarReadState *state, ColumnarStripe *stripe, uint32 group);

/* Follow the slot's descriptor, decoding the current group again if needed. */
static void
match_slot(ColumnarReadState *state, TupleTableSlot *slot)
{
	uint32		next;

	if (slot->tts_tupleDescriptor == state->tupdesc)
		return;
	set_descriptor(state, slot->tts_tupleDescriptor);
	if (state->stripe != NULL)
	{
		next = state->next;
		load_group(state, state->stripe, state->group);
		state->next = next;
	}
}

static ColumnarReadState *
begin_read(Relation rel, Snapshot snapshot, Bitmapset *attrs, bool load)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "strata_columnar scan",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	ColumnarReadState *state = palloc0(sizeof(ColumnarReadState));

	state->rel = rel;
	state->snapshot = snapshot;
	state->scan_cxt = cxt;
	state->group_cxt = AllocSetContextCreate(cxt, "strata_columnar chunk group",
											 ALLOCSET_DEFAULT_SIZES);
	state->attrs = bms_copy(attrs);
	set_descriptor(state, RelationGetDescr(rel));
	state->storage_id = columnar_storage_id(rel);
	MemoryContextSwitchTo(old);
	if (snapshot != NULL && snapshot->snapshot_type == SNAPSHOT_DIRTY && !load)
		state->dirty = true;
	else if (snapshot != NULL &&
			 (IsMVCCSnapshot(snapshot) || snapshot->snapshot_type == SNAPSHOT_SELF ||
			  snapshot->snapshot_type == SNAPSHOT_DIRTY))
		state->masks = columnar_masks_begin(rel, snapshot, load, cxt);

	if (load)
		load_stripes(state);
	state->stripe_index = -1;
	return state;
}

/*
 * A scan over every stripe snapshot sees; attrs NULL means all columns.
 * Under SERIALIZABLE it takes a predicate lock on the whole relation: rows
 * have no pages of their own to lock, and a relation lock is the coarse
 * but correct granule (inserts check it, columnar_writer.c).
 */
ColumnarReadState *
columnar_begin_read(Relation rel, Snapshot snapshot, Bitmapset *attrs)
{
	if (snapshot != NULL && IsMVCCSnapshot(snapshot))
		PredicateLockRelation(rel, snapshot);
	return begin_read(rel, snapshot, attrs, true);
}

/* A read state for columnar_fetch_row only: it looks stripes up one by one. */
ColumnarReadState *
columnar_begin_fetch(Relation rel, Snapshot snapshot)
{
	if (snapshot != NULL && IsMVCCSnapshot(snapshot))
		PredicateLockRelation(rel, snapshot);
	return begin_read(rel, snapshot, NULL, false);
}

/* Use rel, the caller's (possibly rebuilt) relcache entry, from now on. */
void
columnar_fetch_rebind(ColumnarReadState *state, Relation rel)
{
	state->rel = rel;
}

void
columnar_rescan(ColumnarReadState *state)
{
	columnar_release_pending(state->pending);
	state->pending = NIL;
	MemoryContextReset(state->group_cxt);
	state->stripe = NULL;
	state->deleted = NULL;
	load_stripes(state);
	state->stripe_index = -1;
}

void
columnar_end_read(ColumnarReadState *state)
{
	columnar_release_pending(state->pending);
	MemoryContextDelete(state->scan_cxt);
}

/* The stored bytes of chunk (column, group) of a stripe, in memory. */
static const char *
chunk_bytes(Relation rel, const ColumnarStripe *stripe, const ColumnarChunkMeta *meta,
			int column, MemoryContext cxt, ChunkBuffers *bufs)
{
	char	   *buf;

	if (stripe->first_block == InvalidBlockNumber)
		return stripe->memory_columns[column] + meta->offset;
	/* 8 more: a raw chunk is decoded in place, by 8-byte loads */
	buf = buffer_of(cxt, bufs ? &bufs->stored : NULL, bufs ? &bufs->stored_cap : NULL,
					(size_t) meta->stored_len + 8);
	columnar_read_data(rel, stripe->first_block, meta->offset, buf, meta->stored_len);
	return buf;
}

static void
chunk_corrupt(Relation rel, const ColumnarStripe *stripe, Form_pg_attribute att,
			  uint32 group, const char *what, size_t offset)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("strata_columnar table \"%s\" has a corrupt chunk of column \"%s\"",
					RelationGetRelationName(rel), NameStr(att->attname)),
			 errdetail_internal("Stripe at row %llu (block %u), chunk group %u: %s, at byte %zu.",
								(unsigned long long) stripe->first_row, stripe->first_block,
								group, what, offset)));
}

/*
 * Read, check and decompress chunk (column, group) of a stripe, in the
 * current memory context.  Returns the decompressed bytes.
 */
static char *
decompress_chunk(Relation rel, const ColumnarStripe *stripe, int column,
				 uint32 group, Form_pg_attribute att, MemoryContext cxt, ChunkBuffers *bufs)
{
	const ColumnarSkipList *sl = &stripe->skiplist;
	const ColumnarChunkMeta *meta = &sl->chunks[column * sl->group_count + group];
	const char *stored;
	char	   *raw;
	const char *detail;
	StrataCodecStatus status;

	if (meta->codec >= STRATA_CODEC_COUNT)
		chunk_corrupt(rel, stripe, att, group, "unknown codec", 0);
	stored = chunk_bytes(rel, stripe, meta, column, cxt, bufs);
	if (columnar_crc32c(stored, meta->stored_len) != meta->crc)
		chunk_corrupt(rel, stripe, att, group, "checksum mismatch", 0);
	/* stored raw and read from disk into a buffer of our own: no copy */
	if (meta->codec == STRATA_CODEC_NONE && stripe->first_block != InvalidBlockNumber &&
		meta->raw_len == meta->stored_len)
		return (char *) stored;
	raw = buffer_of(cxt, bufs ? &bufs->raw : NULL, bufs ? &bufs->raw_cap : NULL,
					(size_t) meta->raw_len + 8);
	status = strata_decompress((StrataCodec) meta->codec, stored, meta->stored_len,
							   raw, meta->raw_len, &detail);
	if (status != STRATA_CODEC_OK)
	{
		if (status == STRATA_CODEC_FAILED)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not decompress a chunk of column \"%s\" of table \"%s\"",
							NameStr(att->attname), RelationGetRelationName(rel)),
					 errdetail_internal("%s", detail)));
		chunk_corrupt(rel, stripe, att, group, detail, 0);
	}
	return raw;
}

/*
 * A chunk as the plain layout the readers index: decompressed, and a
 * frame-of-reference, delta or run-length chunk decoded.  *raw_len is its
 * length.
 */
static char *
plain_chunk(Relation rel, const ColumnarStripe *stripe, int column, uint32 group,
			Form_pg_attribute att, size_t *raw_len, ChunkBuffers *bufs)
{
	const ColumnarSkipList *sl = &stripe->skiplist;
	const ColumnarChunkMeta *meta = &sl->chunks[column * sl->group_count + group];
	uint32		rows = sl->group_rows[group];
	MemoryContext cxt = CurrentMemoryContext;
	char	   *raw = decompress_chunk(rel, stripe, column, group, att, cxt, bufs);
	ColumnarTypeShape shape = {att->attlen, att->attalign};
	ColumnarFormatError err;
	size_t		plain_len;
	char	   *plain;

	*raw_len = meta->raw_len;
	if (meta->encoding != COLUMNAR_ENCODING_FOR && meta->encoding != COLUMNAR_ENCODING_DELTA &&
		meta->encoding != COLUMNAR_ENCODING_RLE)
		return raw;
	if (meta->encoding != COLUMNAR_ENCODING_RLE &&
		(!att->attbyval || (att->attlen != 2 && att->attlen != 4 && att->attlen != 8)))
		chunk_corrupt(rel, stripe, att, group,
					  "integer encoding of a column that is not 2, 4 or 8 bytes by value", 0);
	if (att->attlen <= 0)
		chunk_corrupt(rel, stripe, att, group,
					  "run-length encoding of a variable-length column", 0);
	plain_len = columnar_for_plain_size(rows, meta->null_count, &shape);
	plain = buffer_of(cxt, bufs ? &bufs->plain : NULL, bufs ? &bufs->plain_cap : NULL,
					  plain_len + 8);
	switch (meta->encoding)
	{
		case COLUMNAR_ENCODING_FOR:
			if (!columnar_for_decode((const uint8_t *) raw, meta->raw_len, rows, meta->null_count,
									 &shape, (uint8_t *) plain, &err))
				chunk_corrupt(rel, stripe, att, group, err.message, err.offset);
			break;
		case COLUMNAR_ENCODING_DELTA:
			if (!columnar_delta_decode((const uint8_t *) raw, meta->raw_len, rows, meta->null_count,
									   &shape, (uint8_t *) plain, &err))
				chunk_corrupt(rel, stripe, att, group, err.message, err.offset);
			break;
		default:
			if (!columnar_rle_decode((const uint8_t *) raw, meta->raw_len, rows, meta->null_count,
									 &shape, (uint8_t *) plain, &err))
				chunk_corrupt(rel, stripe, att, group, err.message, err.offset);
			break;
	}
	if (bufs == NULL)
		pfree(raw);
	*raw_len = plain_len;
	return plain;
}

/*
 * Decode chunk (column, group) of a stripe into values[] and nulls[], one
 * entry per row of the group, in the current memory context.
 */
void
columnar_decode_chunk(Relation rel, const ColumnarStripe *stripe, int column,
					  uint32 group, Form_pg_attribute att, Datum *values, bool *nulls)
{
	const ColumnarSkipList *sl = &stripe->skiplist;
	uint32		rows = sl->group_rows[group];
	const ColumnarChunkMeta *meta;
	char	   *raw;
	uint32	   *offsets;
	ColumnarTypeShape shape = {att->attlen, att->attalign};
	ColumnarFormatError err;
	uint32		r;
	uint32		v = 0;
	size_t		raw_len;

	if ((uint32) column >= sl->column_count)
	{
		/* a column added after this stripe was written */
		bool		isnull;
		Datum		missing = getmissingattr(RelationGetDescr(rel), column + 1, &isnull);

		for (r = 0; r < rows; r++)
		{
			values[r] = missing;
			nulls[r] = isnull;
		}
		return;
	}

	meta = &sl->chunks[column * sl->group_count + group];
	raw = plain_chunk(rel, stripe, column, group, att, &raw_len, NULL);
	offsets = palloc(sizeof(uint32) * (rows - Min(meta->null_count, rows) + 1));
	if (meta->encoding == COLUMNAR_ENCODING_DICT)
	{
		uint32		ndict;
		uint32		width;
		const uint8 *codes;

		if (att->attlen != -1 ||
			!columnar_dict_index((const uint8_t *) raw, meta->raw_len, rows, meta->null_count,
								 &ndict, offsets, &codes, &width, &err))
			chunk_corrupt(rel, stripe, att, group,
						  att->attlen != -1 ? "dictionary encoding of a fixed-width column" : err.message,
						  att->attlen != -1 ? 0 : err.offset);
		/* each row's Datum points at its dictionary entry */
		for (r = 0; r < rows; r++)
		{
			if (meta->null_count > 0 && !columnar_bitmap_present((const uint8_t *) raw, r))
			{
				values[r] = (Datum) 0;
				nulls[r] = true;
				continue;
			}
			nulls[r] = false;
			values[r] = PointerGetDatum(raw + offsets[columnar_dict_code(codes, width, v++)]);
		}
		pfree(offsets);
		return;
	}
	if (!columnar_chunk_index((const uint8_t *) raw, raw_len, rows,
							  meta->null_count, &shape, offsets, &err))
		chunk_corrupt(rel, stripe, att, group, err.message, err.offset);

	for (r = 0; r < rows; r++)
	{
		if (meta->null_count > 0 && !columnar_bitmap_present((const uint8_t *) raw, r))
		{
			values[r] = (Datum) 0;
			nulls[r] = true;
			continue;
		}
		nulls[r] = false;
		if (att->attbyval)
			values[r] = fetch_att(raw + offsets[v], true, att->attlen);
		else
			values[r] = PointerGetDatum(raw + offsets[v]);
		v++;
	}
	pfree(offsets);
}

void
columnar_set_filters(ColumnarReadState *state, ColumnarFilter *filters, int nfilters)
{
	state->filters = filters;
	state->nfilters = nfilters;
}

/*
 * For the planner: the share of the chunk groups of the stripes snapshot
 * sees that the filters' bounds checks leave to read.  Selectivity cannot
 * tell this (a range over a column stored in order skips most groups, an
 * equally selective one over random values none).  No delete masks and no
 * predicate locks: nothing is read but the stripes' metadata.
 */
double
columnar_groups_fraction(Relation rel, Snapshot snapshot, ColumnarFilter *filters, int nfilters)
{
	ColumnarReadState *state = begin_read(rel, NULL, NULL, false);
	MemoryContext old = MemoryContextSwitchTo(state->scan_cxt);
	double		total = 0;
	double		read = 0;
	ListCell   *lc;

	state->filters = filters;
	state->nfilters = nfilters;
	foreach(lc, columnar_read_stripes(rel, state->storage_id, snapshot))
	{
		ColumnarStripe *stripe = lfirst(lc);
		uint32		g;

		for (g = 0; g < stripe->skiplist.group_count; g++)
		{
			total++;
			if (!group_refuted(state, stripe, g))
				read++;
		}
	}
	MemoryContextSwitchTo(old);
	columnar_end_read(state);
	return total > 0 ? read / total : 1.0;
}

uint64
columnar_groups_read(ColumnarReadState *state)
{
	return state->groups_read;
}

/*
 * Read the stripes in the order of their bounds on bound's column: from
 * the least minimum up for "<=", from the greatest maximum down for ">=".
 * Top-N then meets its best rows early and its bound skips the rest.
 */
void
columnar_order_stripes(ColumnarReadState *state, const ColumnarFilter *bound)
{
	MemoryContext old = MemoryContextSwitchTo(state->scan_cxt);

	state->order = bound;
	order_stripes(state);
	MemoryContextSwitchTo(old);
}

uint64
columnar_groups_skipped(ColumnarReadState *state)
{
	return state->groups_skipped;
}

static Datum
bound_datum(Form_pg_attribute att, const uint8 *bytes)
{
	if (att->attbyval)
	{
		Datum		d = 0;

		/* bounds sit unaligned inside the skip list */
		memcpy(&d, bytes, att->attlen);
		return fetch_att(&d, true, att->attlen);
	}
	return PointerGetDatum(bytes);
}

/*
 * Can no row of chunk group g satisfy every filter?  Only what the bounds
 * and null counts prove is used: a group the filters cannot refute is read.
 */
static bool
group_refuted(ColumnarReadState *state, ColumnarStripe *stripe, uint32 g)
{
	const ColumnarSkipList *sl = &stripe->skiplist;
	int			i;

	for (i = 0; i < state->nfilters; i++)
	{
		ColumnarFilter *f = &state->filters[i];
		const ColumnarChunkMeta *m;
		Form_pg_attribute att;
		int			c;

		if ((uint32) f->column >= sl->column_count || f->column >= state->natts)
			continue;			/* added later: its missing value is not checked */
		m = &sl->chunks[f->column * sl->group_count + g];
		att = TupleDescAttr(state->tupdesc, f->column);
		if (f->kind == COLUMNAR_FILTER_IS_NULL)
		{
			if (m->null_count == 0)
				return true;
			continue;
		}
		if (f->keep_nulls && m->null_count > 0)
			continue;
		if (m->null_count == sl->group_rows[g])
			return true;		/* only NULLs: no comparison holds */
		if (f->kind == COLUMNAR_FILTER_IS_NOT_NULL)
			continue;
		if (f->value_isnull)
			return true;		/* comparing with NULL is never true */
		if (!m->has_bounds)
			continue;
		switch (f->strategy)
		{
			case BTLessStrategyNumber:
			case BTLessEqualStrategyNumber:
				c = DatumGetInt32(FunctionCall2Coll(&f->cmp, f->collation,
													bound_datum(att, m->min), f->value));
				if (c > 0 || (c == 0 && f->strategy == BTLessStrategyNumber))
					return true;
				break;
			case BTGreaterStrategyNumber:
			case BTGreaterEqualStrategyNumber:
				c = DatumGetInt32(FunctionCall2Coll(&f->cmp, f->collation,
													bound_datum(att, m->max), f->value));
				if (c < 0 || (c == 0 && f->strategy == BTGreaterStrategyNumber))
					return true;
				break;
			case BTEqualStrategyNumber:
				if (DatumGetInt32(FunctionCall2Coll(&f->cmp, f->collation,
													bound_datum(att, m->min), f->value)) > 0 ||
					DatumGetInt32(FunctionCall2Coll(&f->cmp, f->collation,
													bound_datum(att, m->max), f->value)) < 0)
					return true;
				break;
		}
	}
	return false;
}

/*
 * Does every row of chunk group g satisfy f?  The converse of
 * group_refuted, from the same bounds: the batch path neither decodes nor
 * evaluates a filter its bounds settle.
 */
bool
columnar_filter_holds(ColumnarReadState *state, const ColumnarStripe *stripe, uint32 g,
					  const ColumnarFilter *f)
{
	const ColumnarSkipList *sl = &stripe->skiplist;
	const ColumnarChunkMeta *m;
	Form_pg_attribute att;
	Datum		bound;
	int			c;

	if ((uint32) f->column >= sl->column_count || f->column >= state->natts ||
		g >= sl->group_count || f->keep_nulls)
		return false;
	m = &sl->chunks[f->column * sl->group_count + g];
	if (f->kind == COLUMNAR_FILTER_IS_NULL)
		return m->null_count == sl->group_rows[g];
	if (m->null_count > 0)
		return false;
	if (f->kind == COLUMNAR_FILTER_IS_NOT_NULL)
		return true;
	if (f->value_isnull || !m->has_bounds)
		return false;
	att = TupleDescAttr(state->tupdesc, f->column);
	switch (f->strategy)
	{
		case BTLessStrategyNumber:
		case BTLessEqualStrategyNumber:
			bound = bound_datum(att, m->max);
			c = DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &f->cmp, f->collation, bound, f->value));
			return c < 0 || (c == 0 && f->strategy == BTLessEqualStrategyNumber);
		case BTGreaterStrategyNumber:
		case BTGreaterEqualStrategyNumber:
			bound = bound_datum(att, m->min);
			c = DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &f->cmp, f->collation, bound, f->value));
			return c > 0 || (c == 0 && f->strategy == BTGreaterEqualStrategyNumber);
		case BTEqualStrategyNumber:
			return DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &f->cmp, f->collation,
												   bound_datum(att, m->min), f->value)) == 0 &&
				DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &f->cmp, f->collation,
												bound_datum(att, m->max), f->value)) == 0;
	}
	return false;
}

/* Which rows of the group at first_row the snapshot sees deleted, or NULL. */
static bool *
group_deleted(ColumnarReadState *state, uint64 first_row, uint32 rows)
{
	bool	   *deleted;

	if (state->masks == NULL || rows == 0)
		return NULL;
	deleted = MemoryContextAlloc(state->group_cxt, sizeof(bool) * rows);
	if (columnar_masks_range(state->masks, first_row, rows, deleted) == 0)
	{
		pfree(deleted);
		return NULL;
	}
	return deleted;
}

/* Decode the needed columns of one chunk group into the state. */
static void
load_group(ColumnarReadState *state, ColumnarStripe *stripe, uint32 group)
{
	MemoryContext old;
	uint64		first = stripe->first_row;
	uint32		g;
	int			i;

	MemoryContextReset(state->group_cxt);
	old = MemoryContextSwitchTo(state->group_cxt);
	for (g = 0; g < group; g++)
		first += stripe->skiplist.group_rows[g];
	state->stripe = stripe;
	state->group = group;
	state->group_first_row = first;
	state->group_rows = stripe->skiplist.group_rows[group];
	state->next = 0;
	state->deleted = group_deleted(state, first, state->group_rows);
	for (i = 0; i < state->natts; i++)
	{
		if (!state->needed[i])
			continue;
		state->values[i] = palloc(sizeof(Datum) * state->group_rows);
		state->nulls[i] = palloc(sizeof(bool) * state->group_rows);
		columnar_decode_chunk(state->rel, stripe, i, group,
							  TupleDescAttr(state->tupdesc, i),
							  state->values[i], state->nulls[i]);
	}
	MemoryContextSwitchTo(old);
}

static void
store_row(ColumnarReadState *state, uint32 r, TupleTableSlot *slot)
{
	int			i;

	ExecClearTuple(slot);
	for (i = 0; i < slot->tts_tupleDescriptor->natts; i++)
	{
		if (i < state->natts && state->needed[i])
		{
			slot->tts_values[i] = state->values[i][r];
			slot->tts_isnull[i] = state->nulls[i][r];
		}
		else
		{
			slot->tts_values[i] = (Datum) 0;
			slot->tts_isnull[i] = true;
		}
	}
	ExecStoreVirtualTuple(slot);
	slot->tts_tableOid = RelationGetRelid(state->rel);
	slot->tts_tid = columnar_row_to_tid(state->group_first_row + r);
}

bool
columnar_read_next(ColumnarReadState *state, TupleTableSlot *slot)
{
	match_slot(state, slot);
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (state->stripe != NULL && state->next < state->group_rows)
		{
			if (state->deleted != NULL && state->deleted[state->next])
			{
				state->next++;
				continue;
			}
			store_row(state, state->next++, slot);
			return true;
		}
		if (state->stripe != NULL && state->group + 1 < state->stripe->skiplist.group_count)
		{
			if (state->nfilters > 0 && group_refuted(state, state->stripe, state->group + 1))
			{
				/* step over it: an empty group at the next index */
				state->groups_skipped++;
				state->group++;
				state->group_rows = 0;
				state->next = 0;
				state->deleted = NULL;
				continue;
			}
			state->groups_read++;
			load_group(state, state->stripe, state->group + 1);
			continue;
		}
		/* next stripe with rows: our own, or the next one nobody has claimed */
		do
		{
			if (state->parallel_next != NULL)
			{
				/* one claim a call: Min() would evaluate its arguments twice */
				uint64		claimed = pg_atomic_fetch_add_u64(state->parallel_next, 1);

				state->stripe_index = (int) Min(claimed, (uint64) list_length(state->stripes));
			}
			else
				state->stripe_index++;
			if (state->stripe_index >= list_length(state->stripes))
			{
				ExecClearTuple(slot);
				return false;
			}
		} while (((ColumnarStripe *) list_nth(state->stripes, state->stripe_index))->skiplist.group_count == 0);
		state->stripe = list_nth(state->stripes, state->stripe_index);
		state->group = 0;
		if (state->nfilters > 0 && group_refuted(state, state->stripe, 0))
		{
			state->groups_skipped++;
			state->group_rows = 0;
			state->next = 0;
			state->deleted = NULL;
			MemoryContextReset(state->group_cxt);
			continue;
		}
		state->groups_read++;
		load_group(state, state->stripe, 0);
	}
}

/* Find the chunk group of a stripe holding row, and decode it. */
static void
load_group_of_row(ColumnarReadState *state, ColumnarStripe *stripe, uint64 row)
{
	uint64		first = stripe->first_row;
	uint32		g;

	for (g = 0; g < stripe->skiplist.group_count; g++)
	{
		if (row < first + stripe->skiplist.group_rows[g])
			break;
		first += stripe->skiplist.group_rows[g];
	}
	if (state->stripe != stripe || state->group != g)
		load_group(state, stripe, g);
}

/*
 * Fetch one row by its row number, as state->snapshot sees it (the index
 * fetch path).  Returns false when the row is not visible.  A row reserved
 * by another transaction still in progress, found under a dirty snapshot,
 * returns true with all columns NULL: its xmin is then in the snapshot, and
 * that is all a unique check looks at.
 */
static bool fetch_located(ColumnarReadState *state, uint64 row, TupleTableSlot *slot);

bool
columnar_fetch_row(ColumnarReadState *state, uint64 row, TupleTableSlot *slot)
{
	bool		in_progress = false;
	ColumnarDeleter who;

	/* a deleted row is not decoded at all (an UPDATE's unique checks meet many) */
	if (state->dirty)
	{
		/* first: see columnar_speculative_token() */
		state->spec_token = columnar_speculative_token(state->storage_id, row, &state->spec_xid);
		pg_memory_barrier();
		switch (columnar_row_state(state->rel, row, &who))
		{
			case COLUMNAR_ROW_LIVE:
				break;
			case COLUMNAR_ROW_DELETE_IN_PROGRESS:
				in_progress = true;
				break;
			default:
				state->snapshot->xmin = state->snapshot->xmax = InvalidTransactionId;
				ExecClearTuple(slot);
				return false;
		}
	}
	else if (state->masks != NULL && columnar_masks_deleted(state->masks, row))
	{
		ExecClearTuple(slot);
		return false;
	}
	if (!fetch_located(state, row, slot))
		return false;
	/* as heap: visible, with the deleter to wait for in xmax */
	if (in_progress && !TransactionIdIsValid(state->snapshot->xmin))
		state->snapshot->xmax = who.xid;
	return true;
}

static bool
fetch_located(ColumnarReadState *state, uint64 row, TupleTableSlot *slot)
{
	ColumnarStripe *stripe = NULL;
	List	   *pending;
	ListCell   *lc;
	MemoryContext old;
	bool		dirty = state->snapshot->snapshot_type == SNAPSHOT_DIRTY;

	/*
	 * A unique check reads xmin and xmax of a dirty snapshot after a fetch;
	 * heap's visibility test sets them, and so must every path here.
	 */
	if (dirty)
	{
		state->snapshot->xmin = state->snapshot->xmax = InvalidTransactionId;
		state->snapshot->speculativeToken = 0;
	}
	match_slot(state, slot);
	if (state->stripe != NULL && state->stripe->first_block != InvalidBlockNumber &&
		row >= state->stripe->first_row &&
		row < state->stripe->first_row + state->stripe->row_count)
	{
		load_group_of_row(state, state->stripe, row);
		store_row(state, (uint32) (row - state->group_first_row), slot);
		return true;
	}

	/*
	 * This transaction's unflushed rows are decoded at once, then unpinned.
	 * Handing them out seals the writer's current chunk group, so only a
	 * row that is one of them asks for them: a unique check of every
	 * updated row would otherwise leave chunk groups of one row.
	 */
	old = MemoryContextSwitchTo(state->scan_cxt);
	pending = columnar_pending_covers(state->rel, row) ?
		columnar_pending_stripes(state->rel, state->snapshot) : NIL;
	foreach(lc, pending)
	{
		ColumnarStripe *p = lfirst(lc);

		if (row >= p->first_row && row < p->first_row + p->row_count)
		{
			state->stripe = NULL;
			load_group_of_row(state, p, row);
			store_row(state, (uint32) (row - state->group_first_row), slot);
			state->stripe = NULL;	/* never reuse a pending group */
			columnar_release_pending(pending);
			MemoryContextSwitchTo(old);
			return true;
		}
	}
	columnar_release_pending(pending);

	stripe = columnar_find_stripe(state->rel, state->storage_id, row, state->snapshot);
	MemoryContextSwitchTo(old);
	if (stripe == NULL && dirty)
	{
		/* another writer's rows exist only in its memory: report it */
		state->snapshot->xmin = state->snapshot->xmax = InvalidTransactionId;
		if (columnar_row_reserved(state->storage_id, row, state->snapshot))
		{
			if (TransactionIdIsValid(state->snapshot->xmin))
			{
				/*
				 * A speculative insertion: wait for it, not its transaction.
				 * Its lock is taken under the inserter's current (maybe
				 * sub-) transaction id, which the waiter must name.
				 */
				if (state->spec_token != 0)
				{
					state->snapshot->xmin = state->spec_xid;
					state->snapshot->speculativeToken = state->spec_token;
				}
				ExecStoreAllNullTuple(slot);
				slot->tts_tableOid = RelationGetRelid(state->rel);
				slot->tts_tid = columnar_row_to_tid(row);
				return true;
			}

			/*
			 * The writer committed since we looked for its stripe, which it
			 * flushed before committing: look again, or a unique check
			 * would miss the row.
			 */
			old = MemoryContextSwitchTo(state->scan_cxt);
			stripe = columnar_find_stripe(state->rel, state->storage_id, row, state->snapshot);
			MemoryContextSwitchTo(old);
		}
		if (stripe == NULL)
			state->snapshot->xmin = state->snapshot->xmax = InvalidTransactionId;
	}
	if (stripe == NULL)
		return false;
	if (row >= stripe->first_row + stripe->row_count)
		return false;
	load_group_of_row(state, stripe, row);
	store_row(state, (uint32) (row - state->group_first_row), slot);
	return true;
}

/* Live rows of a stripe, as the state's snapshot sees them. */
uint64
columnar_stripe_live_rows(ColumnarReadState *state, const ColumnarStripe *stripe)
{
	uint64		deleted = 0;
	uint64		row;

	if (state->masks == NULL)
		return stripe->row_count;
	for (row = stripe->first_row; row < stripe->first_row + stripe->row_count;)
	{
		uint32		n = (uint32) Min(stripe->first_row + stripe->row_count - row, (uint64) COLUMNAR_MASK_SPAN);

		deleted += columnar_masks_range(state->masks, row, n, NULL);
		row += n;
	}
	return stripe->row_count - deleted;
}

uint64
columnar_total_rows(ColumnarReadState *state)
{
	uint64		total = 0;
	const uint64 *live = live_rows(state);
	int			i;

	for (i = 0; i < list_length(state->stripes); i++)
		total += live[i];
	return total;
}

/* The n-th live row (0-based, in row-number order), for sampling. */
bool
columnar_read_nth(ColumnarReadState *state, uint64 n, TupleTableSlot *slot)
{
	ListCell   *lc;
	const uint64 *live_counts = live_rows(state);

	match_slot(state, slot);
	foreach(lc, state->stripes)
	{
		ColumnarStripe *stripe = lfirst(lc);
		uint64		live = live_counts[foreach_current_index(lc)];
		uint64		row;

		if (n >= live)
		{
			n -= live;
			continue;
		}
		row = stripe->first_row;
		if (live < stripe->row_count)
		{
			/* step over the deleted rows before it */
			for (;; row++)
			{
				if (!columnar_masks_deleted(state->masks, row))
				{
					if (n == 0)
						break;
					n--;
				}
			}
		}
		else
			row += n;
		load_group_of_row(state, stripe, row);
		store_row(state, (uint32) (row - state->group_first_row), slot);
		return true;
	}
	return false;
}

/*
 * Step to the next chunk group the filters do not refute, decoding nothing.
 * Returns false at the end.
 */
bool
columnar_next_group(ColumnarReadState *state, const ColumnarStripe **stripe_out,
					uint32 *group_out, uint32 *rows_out)
{
	for (;;)
	{
		ColumnarStripe *stripe;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(state->group_cxt);
		state->deleted = NULL;
		if (state->stripe != NULL && state->group + 1 < state->stripe->skiplist.group_count)
			state->group++;
		else
		{
			do
			{
				/* our own next stripe, or the next one nobody has claimed */
				if (state->parallel_next != NULL)
				{
					uint64		claimed = pg_atomic_fetch_add_u64(state->parallel_next, 1);

					state->stripe_index = (int) Min(claimed, (uint64) list_length(state->stripes));
				}
				else
					state->stripe_index++;
				if (state->stripe_index >= list_length(state->stripes))
				{
					state->stripe = NULL;
					return false;
				}
			} while (((ColumnarStripe *) list_nth(state->stripes, state->stripe_index))->skiplist.group_count == 0);
			state->stripe = list_nth(state->stripes, state->stripe_index);
			state->group = 0;
		}
		stripe = state->stripe;
		state->group_rows = 0;	/* nothing decoded for the row path */
		state->next = 0;
		if (state->nfilters > 0 && group_refuted(state, stripe, state->group))
		{
			state->groups_skipped++;
			continue;
		}
		state->groups_read++;
		*stripe_out = stripe;
		*group_out = state->group;
		*rows_out = stripe->skiplist.group_rows[state->group];
		{
			uint64		first = stripe->first_row;
			uint32		g;

			for (g = 0; g < state->group; g++)
				first += stripe->skiplist.group_rows[g];
			state->deleted = group_deleted(state, first, *rows_out);
		}
		return true;
	}
}

/* The rows of the current group (columnar_next_group) the snapshot sees deleted, or NULL. */
const bool *
columnar_group_deleted(ColumnarReadState *state)
{
	return state->deleted;
}

/* Decode one fixed-width column of the current group (columnar_next_group). */
void
columnar_group_raw(ColumnarReadState *state, int column, ColumnarRawChunk *out)
{
	ColumnarStripe *stripe = state->stripe;
	const ColumnarSkipList *sl = &stripe->skiplist;
	Form_pg_attribute att = TupleDescAttr(state->tupdesc, column);
	uint32		rows = sl->group_rows[state->group];
	const ColumnarChunkMeta *meta;
	MemoryContext old;
	char	   *raw;
	size_t		raw_len;
	size_t		bitmap_len;
	ColumnarTypeShape shape = {att->attlen, att->attalign};

	memset(out, 0, sizeof(*out));
	out->rows = rows;
	if ((uint32) column >= sl->column_count)
	{
		out->missing = true;
		out->missing_value = getmissingattr(state->tupdesc, column + 1, &out->missing_isnull);
		out->null_count = out->missing_isnull ? rows : 0;
		return;
	}
	meta = &sl->chunks[column * sl->group_count + state->group];
	/* valid until the next group, as group_cxt's memory is */
	if (column >= state->nbuffers)
	{
		int			n = Max(state->natts, column + 1);

		state->buffers = state->buffers == NULL ?
			MemoryContextAlloc(state->scan_cxt, sizeof(ChunkBuffers) * n) :
			repalloc(state->buffers, sizeof(ChunkBuffers) * n);
		memset(&state->buffers[state->nbuffers], 0, sizeof(ChunkBuffers) * (n - state->nbuffers));
		state->nbuffers = n;
	}
	old = MemoryContextSwitchTo(state->scan_cxt);
	raw = plain_chunk(state->rel, stripe, column, state->group, att, &raw_len,
					  &state->buffers[column]);
	MemoryContextSwitchTo(old);

	out->base = raw;
	if (att->attlen == -1)
	{
		ColumnarFormatError err;
		uint32	   *offsets = MemoryContextAlloc(state->group_cxt,
												 sizeof(uint32) * (rows - Min(meta->null_count, rows) + 1));
		bool		ok;

		if (meta->encoding == COLUMNAR_ENCODING_DICT)
		{
			ok = columnar_dict_index((const uint8_t *) raw, raw_len, rows, meta->null_count,
									 &out->ndict, offsets, &out->codes, &out->code_width, &err);
			out->dict_offsets = offsets;
		}
		else
		{
			ok = columnar_chunk_index((const uint8_t *) raw, raw_len, rows,
									  meta->null_count, &shape, offsets, &err);
			out->value_offsets = offsets;
		}
		if (!ok)
			chunk_corrupt(state->rel, stripe, att, state->group, err.message, err.offset);
		out->null_count = meta->null_count;
		out->bitmap = meta->null_count > 0 ? (const uint8 *) raw : NULL;
		return;
	}
	Assert(att->attlen > 0);
	if (meta->encoding == COLUMNAR_ENCODING_DICT)
		chunk_corrupt(state->rel, stripe, att, state->group,
					  "dictionary encoding of a fixed-width column", 0);
	bitmap_len = meta->null_count > 0 ? columnar_bitmap_size(rows) : 0;
	if (meta->null_count > rows ||
		raw_len != bitmap_len + columnar_fixed_stride(&shape) * (rows - meta->null_count))
		chunk_corrupt(state->rel, stripe, att, state->group,
					  "chunk length does not match its rows", 0);
	out->null_count = meta->null_count;
	out->bitmap = meta->null_count > 0 ? (const uint8 *) raw : NULL;
	out->values = raw + bitmap_len;
	if (out->bitmap != NULL)
	{
		/* the bitmap must agree with the count the aggregates rely on */
		ColumnarFormatError err;
		uint32	   *offsets = palloc(sizeof(uint32) * (rows - meta->null_count + 1));

		if (!columnar_chunk_index((const uint8_t *) raw, raw_len, rows,
								  meta->null_count, &shape, offsets, &err))
			chunk_corrupt(state->rel, stripe, att, state->group, err.message, err.offset);
		pfree(offsets);
	}
}

/*
 * Share the stripes with the other participants of a parallel scan.  They
 * all see the same stripes in the same order (workers restore the leader's
 * snapshot), and none sees the leader's unflushed rows, which is why
 * columnar_check_parallel() refuses a parallel scan while there are some.
 */
void
columnar_set_parallel(ColumnarReadState *state, pg_atomic_uint64 *next_stripe)
{
	state->parallel_next = next_stripe;
}

static void
parallel_reset(ColumnarParallelShared *shared, bool init)
{
	int			i;

	if (init)
		pg_atomic_init_u64(&shared->next_stripe, 0);
	else
		pg_atomic_write_u64(&shared->next_stripe, 0);
	for (i = 0; i < 3; i++)
	{
		if (init)
			pg_atomic_init_u64(&shared->groups[i], 0);
		else
			pg_atomic_write_u64(&shared->groups[i], 0);
	}
}

/* In the leader, the node's shared memory made (InitializeDSM). */
void
columnar_parallel_initialize(ColumnarParallelPart *part, ColumnarReadState *read, void *coordinate)
{
	part->shared = coordinate;
	parallel_reset(part->shared, true);
	columnar_set_parallel(read, &part->shared->next_stripe);
}

/* In the leader, before a rescan's workers start (ReInitializeDSM). */
void
columnar_parallel_reinitialize(ColumnarParallelPart *part, void *coordinate)
{
	part->shared = coordinate;
	parallel_reset(part->shared, false);
}

/* In a worker (InitializeWorker). */
void
columnar_parallel_attach(ColumnarParallelPart *part, ColumnarReadState *read, void *coordinate)
{
	part->shared = coordinate;
	columnar_set_parallel(read, &part->shared->next_stripe);
}

/* A worker's part is done: add what it read for the leader's EXPLAIN. */
void
columnar_parallel_report(ColumnarParallelPart *part, ColumnarReadState *read, uint64 from_metadata)
{
	if (part->shared == NULL || !IsParallelWorker() || read == NULL)
		return;
	pg_atomic_fetch_add_u64(&part->shared->groups[0], read->groups_read);
	pg_atomic_fetch_add_u64(&part->shared->groups[1], read->groups_skipped);
	pg_atomic_fetch_add_u64(&part->shared->groups[2], from_metadata);
}

/*
 * In the leader, before the Gather above lets the shared memory go (its
 * workers have sent all they had, so their parts are done): keep the
 * workers' read, skipped and from-metadata chunk groups (Shutdown).
 */
void
columnar_parallel_shutdown(ColumnarParallelPart *part)
{
	int			i;

	if (part->shared == NULL || IsParallelWorker())
		return;
	for (i = 0; i < 3; i++)
		part->worker_groups[i] = pg_atomic_read_u64(&part->shared->groups[i]);
	part->shared = NULL;
}

/*
 * Refuse to scan in parallel rows only this backend can see.  Callers call
 * this for every scan in a plan that uses parallel workers: the leader
 * would otherwise count its unflushed rows and the workers would not.
 */
void
columnar_check_parallel(Relation rel)
{
	if (columnar_has_pending(RelationGetRelid(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot scan strata_columnar table \"%s\" in a parallel query while this transaction has unflushed rows in it",
						RelationGetRelationName(rel)),
				 errhint("Run the query with max_parallel_workers_per_gather = 0, or commit first.")));
}

/* Read only these stripes (of those the state sees), in order. */
void
columnar_restrict_stripes(ColumnarReadState *state, List *stripes)
{
	state->stripes = stripes;
	state->live = NULL;
	state->stripe_index = -1;
	state->stripe = NULL;
}

List *
columnar_read_stripes_all(ColumnarReadState *state)
{
	return state->stripes;
}
