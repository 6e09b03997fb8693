/*-------------------------------------------------------------------------
 *
 * columnar_writer.c
 *	  Write states: rows inserted but not yet flushed as a stripe.
 *
 * A write state belongs to one relfilenode, one subtransaction and one
 * command id.  Rows go into the state of the current (subtransaction,
 * command); each column collects the values of the current chunk group raw,
 * and compresses them when the group is full.  A state is flushed, into
 * pages and a stripe row stamped with its command id, when
 *	- it holds a full stripe (or the row numbers it reserved run out),
 *	- a later command inserts into the same relation (so each stripe's rows
 *	  come from one command and its catalog row can say which),
 *	- a bulk insert ends (COPY, CREATE TABLE AS, table rewrites, whose
 *	  relation may be swapped or dropped before commit),
 *	- the transaction commits or prepares.
 * A subtransaction that aborts takes its states with it; one that commits
 * hands them to its parent.  Flushing only ever happens in the state's own
 * subtransaction, so an aborted subtransaction never takes its parent's rows.
 *
 * Reads in the same transaction see unflushed rows through
 * columnar_pending_stripes(), which seals the current chunk group and hands
 * out the state's chunks as an in-memory stripe.  A reader pins the state;
 * a pinned state that is flushed keeps its memory until the reader is done.
 *
 * When TRUNCATE gives a relation a new relfilenode, the states of the old
 * one are discarded if they belong to the current subtransaction, and set
 * aside as "dead" otherwise, to come back if the subtransaction aborts.
 *
 * A table with a sort key has the rows of its bulk loads (COPY, CREATE
 * TABLE AS, rewrites) sorted a stripe at a time: they wait in a sort
 * buffer, and go into a write state in key order when a stripe's worth has
 * come or the load ends.  Only where no one needs the TID an insert hands
 * back, as no index and no trigger does: the row's number is known only
 * once it is sorted.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/detoast.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "storage/predicate.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

/* the first reservation of a row-at-a-time writer; doubles per state */
#define FIRST_RESERVATION 1024

typedef struct ColumnBuilder
{
	/* the current chunk group, raw */
	StringInfoData values;
	uint8	   *bitmap;
	uint32		null_count;
	bool		has_bounds;
	uint32		min_off;		/* offsets of the bounds in values */
	uint32		max_off;

	/*
	 * The values and bitmap of the last finished group, which its chunk job
	 * reads until collected; then spare, for the group after the current.
	 */
	StringInfoData held_values;
	uint8	   *held_bitmap;

	/* the stored chunks of finished groups, back to back */
	StringInfoData stored;
} ColumnBuilder;

typedef struct WriteState
{
	Oid			relid;
	Oid			relfilenode;
	uint64		storage_id;
	SubTransactionId subxid;
	CommandId	cid;
	bool		dead;			/* truncated away in subtransaction dead_in */
	SubTransactionId dead_in;
	bool		flushed;		/* data written; kept only for a pinned reader */
	int			pins;

	uint64		first_row;
	uint64		reserved;
	uint64		run;			/* the sorted run of all its rows, or 0 */
	uint32		rows;
	uint32		group_rows;
	uint32		max_group_bytes;

	int			natts;
	TupleDesc	tupdesc;
	size_t	   *strides;		/* of fixed-length columns' values */
	ColumnarOptions options;
	FmgrInfo   *cmp;			/* btree comparison per column, or fn_oid 0 */
	bool	   *native;			/* integer-like: bounds compared without fmgr */
	bool	   *row_bounds;		/* bounds kept row by row (not varlena's) */
	ColumnBuilder *cols;

	/* finished chunk groups */
	uint32		ngroups;
	uint32		groups_cap;
	uint32	   *group_rows_arr;
	ColumnarChunkMeta *metas;	/* [column * groups_cap + group] */

	/* the chunks of the last finished group, being built */
	List	   *jobs;			/* of DeferredChunk */

	MemoryContext cxt;
	MemoryContext tmp;
} WriteState;

typedef struct DeferredChunk
{
	ColumnarChunkJob *job;
	int			column;
	uint32		group;
} DeferredChunk;

/* all write states of this transaction; lives in TopTransactionContext */
static List *write_states = NIL;

/* rows of a bulk load into a table with a sort key, waiting to be sorted */
typedef struct SortBuffer
{
	Oid			relid;
	Oid			relfilenode;
	SubTransactionId subxid;
	CommandId	cid;
	bool		sorts;			/* false: this load goes straight in */
	ColumnarOptions options;	/* the table's: sort key, rows a stripe */
	uint32		rows;
	Tuplesortstate *sort;		/* NULL until the first row */
} SortBuffer;

/* the sort buffers of this transaction's loads; in TopTransactionContext */
static List *sort_buffers = NIL;
/* how many states each relation has had this transaction: sizes reservations */
static HTAB *reservation_counts = NULL;

static void flush_state(WriteState *state, Relation rel);
static void free_state(WriteState *state);

static uint32
next_reservation(Oid relid, int stripe_limit)
{
	bool		found;
	uint32	   *count;
	uint64		size;

	if (reservation_counts == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(Oid) + sizeof(uint32);
		ctl.hcxt = TopTransactionContext;
		reservation_counts = hash_create("strata_columnar reservations", 16, &ctl,
										 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	count = (uint32 *) ((char *) hash_search(reservation_counts, &relid, HASH_ENTER, &found) + sizeof(Oid));
	if (!found)
		*count = 0;
	size = (uint64) FIRST_RESERVATION << Min(*count, 20);
	(*count)++;
	return (uint32) Min(size, (uint64) stripe_limit);
}

static WriteState *
create_state(Relation rel, CommandId cid, bool bulk)
{
	MemoryContext cxt = AllocSetContextCreate(TopTransactionContext,
											  "strata_columnar write state",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	WriteState *state = palloc0(sizeof(WriteState));
	int			i;

	state->cxt = cxt;
	state->tmp = AllocSetContextCreate(cxt, "strata_columnar chunk", ALLOCSET_DEFAULT_SIZES);
	state->relid = RelationGetRelid(rel);
	state->relfilenode = rel->rd_node.relNode;
	state->storage_id = columnar_storage_id(rel);
	state->subxid = GetCurrentSubTransactionId();
	state->cid = cid;
	columnar_get_options(columnar_options_relid(rel), &state->options);
	state->tupdesc = CreateTupleDescCopy(RelationGetDescr(rel));
	state->natts = state->tupdesc->natts;
	state->cols = palloc0(sizeof(ColumnBuilder) * Max(state->natts, 1));
	state->strides = palloc0(sizeof(size_t) * Max(state->natts, 1));
	state->cmp = palloc0(sizeof(FmgrInfo) * Max(state->natts, 1));
	state->native = palloc0(sizeof(bool) * Max(state->natts, 1));
	state->row_bounds = palloc0(sizeof(bool) * Max(state->natts, 1));
	for (i = 0; i < state->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(state->tupdesc, i);
		ColumnBuilder *col = &state->cols[i];

		initStringInfo(&col->values);
		initStringInfo(&col->held_values);
		initStringInfo(&col->stored);
		col->bitmap = palloc0((state->options.chunk_group_row_limit + 7) / 8 + 8);
		col->held_bitmap = palloc0((state->options.chunk_group_row_limit + 7) / 8 + 8);
		if (att->attlen > 0)
		{
			ColumnarTypeShape shape = {att->attlen, att->attalign};

			state->strides[i] = columnar_fixed_stride(&shape);
		}
		if (!att->attisdropped)
		{
			TypeCacheEntry *tc = lookup_type_cache(att->atttypid, TYPECACHE_CMP_PROC_FINFO);

			/*
			 * Chunk bounds skip groups for range and equality filters.  No
			 * one filters jsonb by its btree order, and comparing every
			 * document cost a load a tenth of its time: jsonb gets none.
			 */
			if (OidIsValid(tc->cmp_proc) && att->atttypid != JSONBOID)
				fmgr_info_cxt(tc->cmp_proc, &state->cmp[i], cxt);
			/* their btree order is that of the signed integer they hold */
			state->native[i] = att->atttypid == INT2OID || att->atttypid == INT4OID ||
				att->atttypid == INT8OID || att->atttypid == DATEOID ||
				att->atttypid == TIMESTAMPOID || att->atttypid == TIMESTAMPTZOID;
			state->row_bounds[i] = OidIsValid(state->cmp[i].fn_oid) && att->attlen != -1;
		}
	}
	state->groups_cap = 8;
	state->group_rows_arr = palloc(sizeof(uint32) * state->groups_cap);
	state->metas = palloc0(sizeof(ColumnarChunkMeta) * state->groups_cap * Max(state->natts, 1));
	MemoryContextSwitchTo(old);

	state->reserved = bulk ? (uint64) state->options.stripe_row_limit :
		next_reservation(state->relid, state->options.stripe_row_limit);
	state->first_row = columnar_reserve_rows(rel, state->reserved);
	columnar_reserve_stripe(rel, state->storage_id, state->first_row, state->reserved, cid);

	/*
	 * Plans cached before this transaction had unflushed rows here may scan
	 * the table in parallel workers, which cannot see them: make them
	 * replan (from the next command on) now that there are some.
	 */
	CacheInvalidateRelcache(rel);

	old = MemoryContextSwitchTo(TopTransactionContext);
	write_states = lappend(write_states, state);
	MemoryContextSwitchTo(old);
	return state;
}

static Datum
datum_at(Form_pg_attribute att, const char *p)
{
	if (att->attbyval)
		return fetch_att(p, true, att->attlen);
	return PointerGetDatum(p);
}

/* Append one present value to the column's raw values; returns its offset. */
static uint32
append_value(StringInfo buf, Form_pg_attribute att, size_t stride, Datum value, MemoryContext tmp)
{
	uint32		off;

	if (att->attlen > 0)
	{
		enlargeStringInfo(buf, (int) stride);
		off = buf->len;
		memset(buf->data + off, 0, stride);
		if (att->attbyval)
			store_att_byval(buf->data + off, value, att->attlen);
		else
			memcpy(buf->data + off, DatumGetPointer(value), att->attlen);
		buf->len += (int) stride;
	}
	else if (att->attlen == -1)
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(value);
		Size		len;

		/* one call per value was a twentieth of the writer's time */
		if (VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v))
		{
			MemoryContext old = MemoryContextSwitchTo(tmp);

			v = detoast_attr(v);
			MemoryContextSwitchTo(old);
		}
		len = VARSIZE_ANY_EXHDR(v);
		if (len + VARHDRSZ_SHORT <= VARATT_SHORT_MAX)
		{
			enlargeStringInfo(buf, (int) (len + VARHDRSZ_SHORT));
			off = buf->len;
			buf->data[off] = (char) (((len + VARHDRSZ_SHORT) << 1) | 1);
			memcpy(buf->data + off + VARHDRSZ_SHORT, VARDATA_ANY(v), len);
			buf->len += (int) (len + VARHDRSZ_SHORT);
		}
		else
		{
			uint32		hdr = (uint32) (len + VARHDRSZ) << 2;

			enlargeStringInfo(buf, (int) (len + VARHDRSZ + 3));
			while (buf->len % 4 != 0)
				buf->data[buf->len++] = '\0';
			off = buf->len;
			memcpy(buf->data + off, &hdr, sizeof(hdr));
			memcpy(buf->data + off + VARHDRSZ, VARDATA_ANY(v), len);
			buf->len += (int) (len + VARHDRSZ);
		}
		if ((Pointer) v != DatumGetPointer(value))
			pfree(v);
	}
	else
	{
		const char *s = DatumGetCString(value);

		off = buf->len;
		appendBinaryStringInfo(buf, s, (int) strlen(s) + 1);
	}
	return off;
}

static inline int64
int_bound(Form_pg_attribute att, const char *p)
{
	switch (att->attlen)
	{
		case 2:
			return *(const int16 *) p;
		case 4:
			return *(const int32 *) p;
		default:
			return *(const int64 *) p;
	}
}

/* Compare two values of column i, each where it sits in a chunk. */
static inline int
compare_values(WriteState *state, int i, const char *a, const char *b)
{
	Form_pg_attribute att = TupleDescAttr(state->tupdesc, i);

	return DatumGetInt32(FunctionCall2Coll(&state->cmp[i], att->attcollation,
										   datum_at(att, a), datum_at(att, b)));
}

static void
bound_value(WriteState *state, int i, uint32 off)
{
	ColumnBuilder *col = &state->cols[i];
	const char *v = col->values.data + off;

	if (!col->has_bounds)
	{
		col->has_bounds = true;
		col->min_off = col->max_off = off;
		return;
	}
	if (state->native[i])
	{
		Form_pg_attribute att = TupleDescAttr(state->tupdesc, i);
		int64		x = int_bound(att, v);

		if (x < int_bound(att, col->values.data + col->min_off))
			col->min_off = off;
		else if (x > int_bound(att, col->values.data + col->max_off))
			col->max_off = off;
		return;
	}
	if (compare_values(state, i, v, col->values.data + col->min_off) < 0)
		col->min_off = off;
	else if (compare_values(state, i, v, col->values.data + col->max_off) > 0)
		col->max_off = off;
}

/* The bytes that represent a bound: the value as it sits in the chunk. */
static uint32
bound_len(Form_pg_attribute att, const char *p)
{
	if (att->attlen > 0)
		return att->attlen;
	if (att->attlen == -1)
		return VARSIZE_ANY(p);
	return strlen(p) + 1;
}

/* Record min and max as a chunk's bounds, unless either is too long. */
static void
set_bounds(WriteState *state, int i, ColumnarChunkMeta *meta, const char *min, const char *max)
{
	Form_pg_attribute att = TupleDescAttr(state->tupdesc, i);
	uint32		min_len = bound_len(att, min);
	uint32		max_len = bound_len(att, max);

	meta->has_bounds = false;
	if (min_len > COLUMNAR_MAX_BOUND_LEN || max_len > COLUMNAR_MAX_BOUND_LEN)
		return;
	meta->has_bounds = true;
	meta->min_len = min_len;
	meta->max_len = max_len;
	meta->min = memcpy(MemoryContextAlloc(state->cxt, min_len), min, min_len);
	meta->max = memcpy(MemoryContextAlloc(state->cxt, max_len), max, max_len);
}

/* A varlena chunk's bounds, from the n values at base + offsets[which[k]]. */
static void
varlena_bounds(WriteState *state, int i, ColumnarChunkMeta *meta, const char *base,
			   const uint32 *offsets, const uint32 *which, uint32 n)
{
	const char *min = NULL;
	const char *max = NULL;
	uint32		k;

	for (k = 0; k < n; k++)
	{
		const char *v = base + offsets[which != NULL ? which[k] : k];

		if (min == NULL)
			min = max = v;
		else if (compare_values(state, i, v, min) < 0)
			min = v;
		else if (compare_values(state, i, v, max) > 0)
			max = v;
	}
	if (min != NULL)
		set_bounds(state, i, meta, min, max);
}

/*
 * Collect the chunks of the last finished group (keep), or give them up
 * (the state is going away).  Their values and bitmaps go back to their
 * columns as spares.
 */
static void
drain_jobs(WriteState *state, bool keep)
{
	while (state->jobs != NIL)
	{
		DeferredChunk *d = linitial(state->jobs);

		/*
		 * What can fail comes before what changes the state, and the job
		 * leaves the list only once it is stored: after an error the same
		 * job is collected again, or freed with the state.
		 */
		if (keep)
		{
			const ColumnarChunkOutput *out = columnar_chunk_result(d->job);
			ColumnBuilder *col = &state->cols[d->column];
			ColumnarChunkMeta *meta = &state->metas[d->column * state->groups_cap + d->group];
			Form_pg_attribute att = TupleDescAttr(state->tupdesc, d->column);

			if (att->attlen == -1 && !att->attisdropped && state->cmp[d->column].fn_oid != InvalidOid)
			{
				if (out->encoding == COLUMNAR_ENCODING_DICT)
					varlena_bounds(state, d->column, meta, col->held_values.data, out->offsets,
								   out->dict, out->ndict);
				else
					varlena_bounds(state, d->column, meta, col->held_values.data, out->offsets,
								   NULL, state->group_rows_arr[d->group] - meta->null_count);
			}
			enlargeStringInfo(&col->stored, (int) out->stored_len);
			meta->offset = col->stored.len;
			meta->stored_len = (uint32) out->stored_len;
			meta->raw_len = (uint32) out->raw_len;
			meta->crc = out->crc;
			meta->codec = (uint8) out->codec;
			meta->encoding = out->encoding;
			appendBinaryStringInfo(&col->stored, (const char *) out->stored, (int) out->stored_len);
		}
		columnar_chunk_free(d->job);
		state->jobs = list_delete_first(state->jobs);
		pfree(d);
	}
}

/* The raw bytes of the chunks being built: an upper bound of what they add. */
static size_t
pending_bytes(WriteState *state)
{
	size_t		total = 0;
	ListCell   *lc;

	foreach(lc, state->jobs)
	{
		DeferredChunk *d = lfirst(lc);

		total += state->cols[d->column].held_values.len +
			columnar_bitmap_size(state->group_rows_arr[d->group]);
	}
	return total;
}

/*
 * Close the current chunk group and start a new one: each column's values
 * go to a job that builds its chunk, on the helper thread when there is
 * one, while the writer reads the next group's rows.  The jobs are
 * collected when the next group closes, or now if the caller is about to
 * read the columns (collect).
 */
static void
finish_group(WriteState *state, bool collect)
{
	int			i;
	uint32		g = state->ngroups;

	drain_jobs(state, true);
	if (state->group_rows == 0)
		return;
	if (g == state->groups_cap)
	{
		uint32		newcap = state->groups_cap * 2;
		ColumnarChunkMeta *metas = MemoryContextAllocZero(state->cxt,
														  sizeof(ColumnarChunkMeta) * newcap * Max(state->natts, 1));

		for (i = 0; i < state->natts; i++)
			memcpy(&metas[i * newcap], &state->metas[i * state->groups_cap],
				   sizeof(ColumnarChunkMeta) * state->groups_cap);
		pfree(state->metas);
		state->metas = metas;
		state->group_rows_arr = repalloc(state->group_rows_arr, sizeof(uint32) * newcap);
		state->groups_cap = newcap;
	}
	state->group_rows_arr[g] = state->group_rows;

	for (i = 0; i < state->natts; i++)
	{
		ColumnBuilder *col = &state->cols[i];
		Form_pg_attribute att = TupleDescAttr(state->tupdesc, i);
		ColumnarChunkMeta *meta = &state->metas[i * state->groups_cap + g];
		ColumnarChunkInput in;
		DeferredChunk *d;
		StringInfoData values;
		uint8	   *bitmap;
		MemoryContext old;

		meta->null_count = col->null_count;
		meta->has_bounds = false;
		if (col->has_bounds)
			set_bounds(state, i, meta, col->values.data + col->min_off,
					   col->values.data + col->max_off);

		in.shape.typlen = att->attlen;
		in.shape.typalign = att->attalign;
		in.byval = att->attbyval;
		in.encode = !att->attisdropped;
		in.codec = state->options.codec;
		in.level = state->options.compression_level;
		in.rows = state->group_rows;
		in.null_count = col->null_count;
		in.bitmap = col->bitmap;
		in.values = (const uint8 *) col->values.data;
		in.values_len = col->values.len;
		old = MemoryContextSwitchTo(state->cxt);
		d = palloc(sizeof(DeferredChunk));
		d->column = i;
		d->group = g;
		d->job = columnar_chunk_submit(&in);
		state->jobs = lappend(state->jobs, d);
		MemoryContextSwitchTo(old);

		/* the job reads these until collected; the spares take their place */
		values = col->values;
		col->values = col->held_values;
		col->held_values = values;
		resetStringInfo(&col->values);
		bitmap = col->bitmap;
		col->bitmap = col->held_bitmap;
		col->held_bitmap = bitmap;
		memset(col->bitmap, 0, (state->options.chunk_group_row_limit + 7) / 8 + 8);
		col->null_count = 0;
		col->has_bounds = false;
	}
	state->ngroups++;
	state->group_rows = 0;
	state->max_group_bytes = 0;
	if (collect)
		drain_jobs(state, true);
}

static size_t
stored_bytes(WriteState *state)
{
	size_t		total = 0;
	int			i;

	for (i = 0; i < state->natts; i++)
		total += state->cols[i].stored.len;
	return total;
}

/* The state of (relation, current subtransaction, cid) to insert into. */
static WriteState *
current_state(Relation rel, bool bulk, CommandId cid)
{
	SubTransactionId subxid = GetCurrentSubTransactionId();
	ListCell   *lc;

	foreach(lc, write_states)
	{
		WriteState *state = lfirst(lc);

		if (state->relid != RelationGetRelid(rel) || state->subxid != subxid ||
			state->dead || state->flushed ||
			state->relfilenode != rel->rd_node.relNode)
			continue;
		if (state->cid == cid)
			return state;
		/* rows of an earlier command: flush them as their own stripe */
		flush_state(state, rel);
	}
	return create_state(rel, cid, bulk);
}

/*
 * The table whose options apply to rel: rel itself, or for the transient
 * table of VACUUM FULL and ALTER TABLE rewrites, which PostgreSQL names
 * pg_temp_<oid of the table being rewritten>, that table.
 */
Oid
columnar_options_relid(Relation rel)
{
	unsigned int oid;
	int			len = 0;

	if (sscanf(NameStr(rel->rd_rel->relname), "pg_temp_%u%n", &oid, &len) == 1 &&
		len == (int) strlen(NameStr(rel->rd_rel->relname)) &&
		get_rel_relkind((Oid) oid) == RELKIND_RELATION &&
		get_rel_namespace((Oid) oid) == RelationGetNamespace(rel))
		return (Oid) oid;
	return RelationGetRelid(rel);
}

/* A tuplesort in the table's sort key order (NULLs last), or NULL: none. */
Tuplesortstate *
columnar_begin_key_sort(Relation rel, const ColumnarOptions *options, int work_mem_kb)
{
	TupleDesc	desc = RelationGetDescr(rel);
	AttrNumber	attnums[COLUMNAR_MAX_SORT_KEYS];
	Oid			ops[COLUMNAR_MAX_SORT_KEYS];
	Oid			colls[COLUMNAR_MAX_SORT_KEYS];
	bool		nulls_first[COLUMNAR_MAX_SORT_KEYS];
	int			n = 0;
	int			i;

	for (i = 0; i < options->sort_nkeys; i++)
	{
		AttrNumber	attno = options->sort_attnums[i];
		Form_pg_attribute att;
		Oid			lt;

		if (attno <= 0 || attno > desc->natts)
			continue;
		att = TupleDescAttr(desc, attno - 1);
		if (att->attisdropped)
			continue;
		lt = lookup_type_cache(att->atttypid, TYPECACHE_LT_OPR)->lt_opr;
		if (!OidIsValid(lt))
			continue;			/* its type changed to one with no order */
		attnums[n] = attno;
		ops[n] = lt;
		colls[n] = att->attcollation;
		nulls_first[n] = false;
		n++;
	}
	if (n == 0)
		return NULL;
	return tuplesort_begin_heap(desc, n, attnums, ops, colls, nulls_first, work_mem_kb,
								NULL, TUPLESORT_NONE);
}

/*
 * A stripe is in key order when all its rows come from one sorted run: a
 * sort buffer's batch (numbered from 1), or a caller's (RUN_CALLER).
 */
#define RUN_CALLER PG_UINT64_MAX
static uint64 last_run = 0;

static void insert_row(Relation rel, TupleTableSlot *slot, bool bulk, CommandId cid,
					   uint64 run);

/* The sort buffer of rel's load in this command, made on its first row. */
static SortBuffer *
sort_buffer(Relation rel, CommandId cid)
{
	SubTransactionId subxid = GetCurrentSubTransactionId();
	ListCell   *lc;
	SortBuffer *buf;
	MemoryContext old;

	foreach(lc, sort_buffers)
	{
		buf = lfirst(lc);
		if (buf->relid == RelationGetRelid(rel) && buf->subxid == subxid && buf->cid == cid &&
			buf->relfilenode == rel->rd_node.relNode)
			return buf;
	}
	old = MemoryContextSwitchTo(TopTransactionContext);
	buf = palloc0(sizeof(SortBuffer));
	buf->relid = RelationGetRelid(rel);
	buf->relfilenode = rel->rd_node.relNode;
	buf->subxid = subxid;
	buf->cid = cid;
	columnar_get_options(columnar_options_relid(rel), &buf->options);
	/* an index or a trigger would take the TID the insert hands back */
	buf->sorts = buf->options.sort_nkeys > 0 && !rel->rd_rel->relhasindex && rel->trigdesc == NULL;
	sort_buffers = lappend(sort_buffers, buf);
	MemoryContextSwitchTo(old);
	return buf;
}

/*
 * Put a sort buffer's rows into a write state in key order, and flush it:
 * one sorted batch, one stripe (or more, past the byte limit).
 */
static void
drain_sort_buffer(SortBuffer *buf, Relation rel)
{
	TupleTableSlot *slot;
	uint64		run = ++last_run;

	if (buf->sort == NULL)
		return;
	tuplesort_performsort(buf->sort);
	slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	while (tuplesort_gettupleslot(buf->sort, true, false, slot, NULL))
	{
		CHECK_FOR_INTERRUPTS();
		insert_row(rel, slot, true, buf->cid, run);
	}
	ExecDropSingleTupleTableSlot(slot);
	tuplesort_end(buf->sort);
	buf->sort = NULL;
	buf->rows = 0;
}

static void
free_sort_buffer(SortBuffer *buf)
{
	if (buf->sort != NULL)
		tuplesort_end(buf->sort);
	sort_buffers = list_delete_ptr(sort_buffers, buf);
	pfree(buf);
}

void
columnar_insert_row(Relation rel, TupleTableSlot *slot, int flags)
{
	CommandId	cid = GetCurrentCommandId(true);

	/* SERIALIZABLE: readers hold relation-level predicate locks */
	CheckForSerializableConflictIn(rel, NULL, InvalidBlockNumber);
	if ((flags & COLUMNAR_WRITE_BULK) && !(flags & COLUMNAR_WRITE_ORDERED))
	{
		SortBuffer *buf = sort_buffer(rel, cid);

		if (buf->sorts)
		{
			if (buf->sort == NULL)
			{
				MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
				ResourceOwner owner = CurrentResourceOwner;

				/* its temporary files live as long as the subtransaction */
				CurrentResourceOwner = CurTransactionResourceOwner;
				buf->sort = columnar_begin_key_sort(rel, &buf->options, maintenance_work_mem);
				CurrentResourceOwner = owner;
				MemoryContextSwitchTo(old);
				if (buf->sort == NULL)
				{
					buf->sorts = false; /* every key column is gone */
					insert_row(rel, slot, true, cid, 0);
					return;
				}
			}
			tuplesort_puttupleslot(buf->sort, slot);
			slot->tts_tableOid = RelationGetRelid(rel);
			/* its row number comes when it is sorted; no one asks for it */
			ItemPointerSetInvalid(&slot->tts_tid);
			if (++buf->rows >= (uint32) buf->options.stripe_row_limit)
				drain_sort_buffer(buf, rel);
			return;
		}
	}
	insert_row(rel, slot, (flags & COLUMNAR_WRITE_BULK) != 0, cid,
			   (flags & COLUMNAR_WRITE_SORTED) ? RUN_CALLER : 0);
}

static void
insert_row(Relation rel, TupleTableSlot *slot, bool bulk, CommandId cid, uint64 run)
{
	WriteState *state;
	int			i;

	state = current_state(rel, bulk, cid);
	if (state->rows == 0)
		state->run = run;
	else if (state->run != run)
		state->run = 0;

	slot_getallattrs(slot);
	for (i = 0; i < state->natts; i++)
	{
		ColumnBuilder *col = &state->cols[i];
		Form_pg_attribute att = TupleDescAttr(state->tupdesc, i);

		if (att->attisdropped || slot->tts_isnull[i])
			col->null_count++;
		else
		{
			uint32		off = append_value(&col->values, att, state->strides[i],
										   slot->tts_values[i], state->tmp);

			col->bitmap[state->group_rows >> 3] |= (uint8) (1 << (state->group_rows & 7));
			/*
			 * A varlena column's bounds are found when its chunk is
			 * collected (varlena_bounds), from its distinct values where it
			 * is dictionary-encoded: comparing text row by row was a
			 * twentieth of a load.
			 */
			if (state->row_bounds[i])
				bound_value(state, i, off);
			state->max_group_bytes = Max(state->max_group_bytes, (uint32) col->values.len);
		}
	}
	slot->tts_tableOid = RelationGetRelid(rel);
	slot->tts_tid = columnar_row_to_tid(state->first_row + state->rows);
	state->rows++;
	state->group_rows++;

	if (state->group_rows >= (uint32) state->options.chunk_group_row_limit ||
		state->max_group_bytes >= (uint32) state->options.chunk_group_byte_limit)
	{
		finish_group(state, false);
		/* collect the chunks in flight only if they may fill the stripe */
		if (stored_bytes(state) + pending_bytes(state) >= (size_t) state->options.stripe_byte_limit)
			drain_jobs(state, true);
		if (stored_bytes(state) >= (size_t) state->options.stripe_byte_limit)
		{
			flush_state(state, rel);
			return;
		}
	}
	if (state->rows >= state->reserved || state->rows >= (uint32) state->options.stripe_row_limit)
		flush_state(state, rel);
}

/* Write a state's rows as a stripe; its memory goes unless a reader pins it. */
static void
flush_state(WriteState *state, Relation rel)
{
	ColumnarSkipList sl;
	StringInfoData data;
	ColumnarChunkMeta *chunks;
	bytea	   *skiplist;
	size_t		size;
	BlockNumber first_block;
	MemoryContext old;
	int			i;
	uint32		g;

	Assert(!state->flushed && state->subxid == GetCurrentSubTransactionId());
	finish_group(state, true);
	old = MemoryContextSwitchTo(state->tmp);

	/* the stripe's bytes: every column's chunks, column after column */
	initStringInfo(&data);
	chunks = palloc(sizeof(ColumnarChunkMeta) * Max(state->natts, 1) * Max(state->ngroups, 1));
	for (i = 0; i < state->natts; i++)
	{
		for (g = 0; g < state->ngroups; g++)
		{
			ColumnarChunkMeta *c = &chunks[i * state->ngroups + g];

			*c = state->metas[i * state->groups_cap + g];
			c->offset += data.len;
		}
		appendBinaryStringInfo(&data, state->cols[i].stored.data, state->cols[i].stored.len);
	}
	sl.column_count = state->natts;
	sl.group_count = state->ngroups;
	sl.group_rows = state->group_rows_arr;
	sl.chunks = chunks;
	size = columnar_skiplist_size(&sl);
	skiplist = palloc(VARHDRSZ + size);
	SET_VARSIZE(skiplist, VARHDRSZ + size);
	columnar_skiplist_write(&sl, (uint8 *) VARDATA(skiplist));

	first_block = state->rows > 0 ? columnar_write_data(rel, data.data, data.len) : InvalidBlockNumber;
	if (state->rows > 0)
		columnar_insert_stripe(rel, state->storage_id, state->first_row, state->rows,
								 first_block, data.len, skiplist, state->run != 0, state->cid);
	MemoryContextSwitchTo(old);
	MemoryContextReset(state->tmp);

	state->flushed = true;
	if (state->pins == 0)
		free_state(state);
}

static void
free_state(WriteState *state)
{
	drain_jobs(state, false);
	write_states = list_delete_ptr(write_states, state);
	MemoryContextDelete(state->cxt);
}

/* Flush every state of rel in the current subtransaction (end of a bulk insert). */
void
columnar_flush_relation(Relation rel)
{
	SubTransactionId subxid = GetCurrentSubTransactionId();
	ListCell   *lc;

	foreach(lc, sort_buffers)
	{
		SortBuffer *buf = lfirst(lc);

		if (buf->relid == RelationGetRelid(rel) && buf->subxid == subxid &&
			buf->relfilenode == rel->rd_node.relNode)
			drain_sort_buffer(buf, rel);
	}
restart:
	foreach(lc, write_states)
	{
		WriteState *state = lfirst(lc);

		if (state->relid == RelationGetRelid(rel) && state->subxid == subxid &&
			!state->dead && !state->flushed &&
			state->relfilenode == rel->rd_node.relNode)
		{
			flush_state(state, rel);
			goto restart;		/* flushing may have removed the cell */
		}
	}
}

/*
 * The unflushed rows of rel that snapshot may see, as in-memory stripes, by
 * first row.  Each returned state is pinned until columnar_release_pending.
 */
List *
columnar_pending_stripes(Relation rel, Snapshot snapshot)
{
	List	   *result = NIL;
	ListCell   *lc;

	/* rows an earlier command of a load left sorting (loads end drained) */
	foreach(lc, sort_buffers)
	{
		SortBuffer *buf = lfirst(lc);

		if (buf->relid == RelationGetRelid(rel) && buf->relfilenode == rel->rd_node.relNode &&
			buf->subxid == GetCurrentSubTransactionId() &&
			(snapshot == NULL || !IsMVCCSnapshot(snapshot) || buf->cid < snapshot->curcid))
			drain_sort_buffer(buf, rel);
	}

	foreach(lc, write_states)
	{
		WriteState *state = lfirst(lc);
		ColumnarStripe *stripe;
		int			i;
		uint32		g;

		if (state->relid != RelationGetRelid(rel) || state->dead || state->flushed ||
			state->relfilenode != rel->rd_node.relNode || state->rows == 0)
			continue;
		/* a statement does not see the rows it inserts itself */
		if (snapshot != NULL && IsMVCCSnapshot(snapshot) && state->cid >= snapshot->curcid)
			continue;

		finish_group(state, true);
		stripe = palloc0(sizeof(ColumnarStripe));
		stripe->first_row = state->first_row;
		stripe->row_count = state->rows;
		stripe->first_block = InvalidBlockNumber;
		stripe->pending = state;
		stripe->skiplist.column_count = state->natts;
		stripe->skiplist.group_count = state->ngroups;
		stripe->skiplist.group_rows = palloc(sizeof(uint32) * Max(state->ngroups, 1));
		memcpy(stripe->skiplist.group_rows, state->group_rows_arr, sizeof(uint32) * state->ngroups);
		stripe->skiplist.chunks = palloc(sizeof(ColumnarChunkMeta) * Max(state->natts, 1) * Max(state->ngroups, 1));
		stripe->memory_columns = palloc(sizeof(char *) * Max(state->natts, 1));
		for (i = 0; i < state->natts; i++)
		{
			stripe->memory_columns[i] = state->cols[i].stored.data;
			for (g = 0; g < state->ngroups; g++)
				stripe->skiplist.chunks[i * state->ngroups + g] = state->metas[i * state->groups_cap + g];
		}
		state->pins++;
		result = lappend(result, stripe);
	}
	return result;
}

/*
 * Is row one of this transaction's unflushed rows of rel?  Unlike
 * columnar_pending_stripes() it leaves the current chunk group open.
 */
bool
columnar_pending_covers(Relation rel, uint64 row)
{
	ListCell   *lc;

	foreach(lc, write_states)
	{
		WriteState *state = lfirst(lc);

		if (state->relid == RelationGetRelid(rel) && !state->dead && !state->flushed &&
			state->relfilenode == rel->rd_node.relNode &&
			row >= state->first_row && row < state->first_row + state->rows)
			return true;
	}
	return false;
}

/* The command that inserted row, one of this transaction's unflushed rows. */
bool
columnar_pending_row_cid(Relation rel, uint64 row, CommandId *cid)
{
	ListCell   *lc;

	foreach(lc, write_states)
	{
		WriteState *state = lfirst(lc);

		if (state->relid == RelationGetRelid(rel) && !state->dead &&
			state->relfilenode == rel->rd_node.relNode &&
			row >= state->first_row && row < state->first_row + state->rows)
		{
			*cid = state->cid;
			return true;
		}
	}
	return false;
}

/* Unpin what columnar_pending_stripes returned. */
void
columnar_release_pending(List *stripes)
{
	ListCell   *lc;

	foreach(lc, stripes)
	{
		ColumnarStripe *stripe = lfirst(lc);
		WriteState *state = stripe->pending;

		if (state == NULL || list_member_ptr(write_states, state) == false)
			continue;
		state->pins--;
		if (state->pins == 0 && state->flushed)
			free_state(state);
	}
}

/* Does this backend hold unflushed rows of relid, or unwritten deletions? */
bool
columnar_has_pending(Oid relid)
{
	ListCell   *lc;

	if (columnar_has_pending_deletes(relid))
		return true;

	foreach(lc, write_states)
	{
		WriteState *state = lfirst(lc);

		if (state->relid == relid && !state->dead && !state->flushed)
			return true;
	}
	return false;
}

/*
 * relid is getting a new relfilenode (TRUNCATE): its unflushed rows are gone,
 * but only for as long as the current subtransaction lives.
 */
void
columnar_discard_pending(Oid relid)
{
	SubTransactionId subxid = GetCurrentSubTransactionId();
	ListCell   *lc;

	/* loads drain when they end: only the current one can hold rows */
	foreach(lc, sort_buffers)
	{
		SortBuffer *buf = lfirst(lc);

		if (buf->relid == relid && buf->subxid == subxid && buf->sort != NULL)
		{
			tuplesort_end(buf->sort);
			buf->sort = NULL;
			buf->rows = 0;
		}
	}
restart:
	foreach(lc, write_states)
	{
		WriteState *state = lfirst(lc);

		if (state->relid != relid || state->dead || state->flushed)
			continue;
		if (state->subxid == subxid && state->pins == 0)
		{
			free_state(state);
			goto restart;
		}
		state->dead = true;
		state->dead_in = subxid;
	}
}

void
columnar_xact_callback(XactEvent event, void *arg)
{
	/* deletions first: an UPDATE's new versions may still be unflushed */
	columnar_deletes_xact_callback(event);
	columnar_rowlocks_xact_callback(event);
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			{
				ListCell   *lc;

				while (sort_buffers != NIL)
				{
					SortBuffer *buf = linitial(sort_buffers);
					Relation	rel = buf->sort == NULL ? NULL :
						try_relation_open(buf->relid, NoLock);

					if (rel != NULL && rel->rd_node.relNode == buf->relfilenode)
						drain_sort_buffer(buf, rel);
					if (rel != NULL)
						relation_close(rel, NoLock);
					free_sort_buffer(buf);
				}
		restart:
				foreach(lc, write_states)
				{
					WriteState *state = lfirst(lc);
					Relation	rel;

					if (state->flushed)
						continue;
					rel = state->dead ? NULL : try_relation_open(state->relid, NoLock);
					if (rel != NULL && rel->rd_node.relNode == state->relfilenode)
					{
						state->pins = 0;
						flush_state(state, rel);
						relation_close(rel, NoLock);
					}
					else
					{
						/* the relation was dropped or truncated since */
						if (rel != NULL)
							relation_close(rel, NoLock);
						free_state(state);
					}
					goto restart;
				}
				break;
			}
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* the memory goes with TopTransactionContext, files with the owner */
			write_states = NIL;
			sort_buffers = NIL;
			reservation_counts = NULL;
			columnar_chunk_free_all();	/* of states that went */
			columnar_fetch_cache_reset();
			columnar_speculative_end();	/* an insertion an error cut short */
			break;
	}
}

void
columnar_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	columnar_deletes_subxact_callback(event, mySubid, parentSubid);
	columnar_rowlocks_subxact_callback(event, mySubid, parentSubid);
	if (event == SUBXACT_EVENT_ABORT_SUB)
		columnar_speculative_end();
	switch (event)
	{
		case SUBXACT_EVENT_ABORT_SUB:
	restart_sort:
			foreach(lc, sort_buffers)
			{
				SortBuffer *buf = lfirst(lc);

				if (buf->subxid == mySubid)
				{
					free_sort_buffer(buf);
					goto restart_sort;
				}
			}
	restart:
			foreach(lc, write_states)
			{
				WriteState *state = lfirst(lc);

				if (state->subxid == mySubid)
				{
					free_state(state);
					goto restart;
				}
				if (state->dead && state->dead_in == mySubid)
					state->dead = false;
			}
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
			foreach(lc, sort_buffers)
			{
				SortBuffer *buf = lfirst(lc);

				if (buf->subxid == mySubid)
					buf->subxid = parentSubid;
			}
			foreach(lc, write_states)
			{
				WriteState *state = lfirst(lc);

				if (state->subxid == mySubid)
					state->subxid = parentSubid;
				if (state->dead && state->dead_in == mySubid)
					state->dead_in = parentSubid;
			}
			break;
		default:
			break;
	}
}
