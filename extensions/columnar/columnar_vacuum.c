/*-------------------------------------------------------------------------
 *
 * columnar_vacuum.c
 *	  VACUUM of a strata_columnar table: rewrite stripes that are mostly
 *	  deleted or small, merge row masks, drop dead index entries.
 *
 * Stripes are immutable, so VACUUM reclaims deleted rows by rewriting: the
 * live rows of every stripe with at least REWRITE_DELETED_FRACTION of its
 * rows deleted, and of the small stripes (fewer rows than a chunk group
 * or a full stripe, when there are two or more), go into new full stripes under new row
 * numbers, each with new index entries; a stripe with no live row is simply
 * dropped.  A table with a sort key also gets up to
 * strata_columnar.sort_stripes_per_vacuum (8) of its full stripes that are
 * not in key order (loads into a table with an index or a row trigger keep
 * arrival order) rewritten sorted, together with the others, so that every
 * VACUUM, autovacuum's too, orders a little more of it.  The old stripe
 * rows are deleted in VACUUM's transaction, so
 * snapshots taken before it commits keep reading the old stripes and later
 * ones read the new: no row is seen twice or missed.  The old stripes'
 * pages are reused once no snapshot anywhere can read them: a later VACUUM
 * frees them (columnar_freespace.c).  Under the same lock VACUUM frees the
 * pages writers that aborted or crashed filled.
 *
 * A row that moves must not be deleted or updated concurrently, or the
 * change would stay with the old copy.  So the rewrite runs only when
 * VACUUM gets an ExclusiveLock on the table without waiting (no writer
 * holds it; readers do not conflict), as heap's truncation does; a writer
 * whose older snapshot still sees a moved row gets a serialization failure
 * (columnar_deletes.c).  With writers about, VACUUM leaves the stripes for
 * next time and says so.
 *
 * The row masks are merged to one per span, without the rows of the
 * stripes that went.  The ranges of row numbers that went are recorded in
 * strata_columnar.removed_range: their index entries are still needed by
 * older snapshots, and a later VACUUM, once no snapshot is older than this
 * one, deletes them from every index (ambulkdelete) with the range.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/genam.h"
#include "access/multixact.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "commands/vacuum.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/procarray.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

/* a stripe with this share of its rows deleted is rewritten */
#define REWRITE_DELETED_FRACTION 0.2

/*
 * Full stripes out of key order one VACUUM sorts, at most: the rewrite
 * holds off writers while it runs.
 */
static int	sort_stripes_per_vacuum = 8;

void
columnar_vacuum_init(void)
{
	DefineCustomIntVariable("strata_columnar.sort_stripes_per_vacuum",
							"Full stripes out of sort key order that one VACUUM rewrites sorted.",
							"Writers of the table wait while VACUUM rewrites; 0 leaves such stripes alone.",
							&sort_stripes_per_vacuum, 8, 0, INT_MAX / 2, PGC_USERSET, 0,
							NULL, NULL, NULL);
}

typedef struct IndexSet
{
	int			count;
	Relation   *rels;
	IndexInfo **infos;
	ExprState **predicates;
	EState	   *estate;
	ExprContext *econtext;
} IndexSet;

static void
open_indexes(Relation rel, IndexSet *set, TupleTableSlot *slot)
{
	List	   *oids = RelationGetIndexList(rel);
	ListCell   *lc;
	int			i = 0;

	set->count = list_length(oids);
	set->rels = palloc0(sizeof(Relation) * Max(set->count, 1));
	set->infos = palloc0(sizeof(IndexInfo *) * Max(set->count, 1));
	set->predicates = palloc0(sizeof(ExprState *) * Max(set->count, 1));
	set->estate = CreateExecutorState();
	set->econtext = GetPerTupleExprContext(set->estate);
	set->econtext->ecxt_scantuple = slot;
	foreach(lc, oids)
	{
		set->rels[i] = index_open(lfirst_oid(lc), RowExclusiveLock);
		set->infos[i] = BuildIndexInfo(set->rels[i]);
		set->predicates[i] = ExecPrepareQual(set->infos[i]->ii_Predicate, set->estate);
		i++;
	}
}

static void
close_indexes(IndexSet *set)
{
	int			i;

	for (i = 0; i < set->count; i++)
		index_close(set->rels[i], RowExclusiveLock);
	FreeExecutorState(set->estate);
}

/* ---- merging row masks ---- */

typedef struct SpanAccum
{
	uint64		span;
	uint8		bits[COLUMNAR_MASK_BYTES];
	uint32		count;
	uint32		nrecords;
	uint64	   *moved;			/* per offset, allocated on the first move */
} SpanAccum;

typedef struct MergeState
{
	Relation	rel;
	HTAB	   *spans;
	List	   *tids;			/* of every mask read, to delete */
	ColumnarRange *kept;		/* the stripes that stay, sorted */
	int			nkept;
	bool		any_dropped;	/* a mask row lost rows of a stripe that went */
} MergeState;

/* Is row in one of n sorted, disjoint ranges? */
static bool
ranges_contain(const ColumnarRange *ranges, int n, uint64 row)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (row < ranges[mid].first_row)
			hi = mid;
		else if (row >= ranges[mid].first_row + ranges[mid].row_count)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool
merge_visitor(const ColumnarMaskRow *m, void *arg)
{
	MergeState *ms = arg;
	uint8		bits[COLUMNAR_MASK_BYTES];
	uint32		count;
	uint32		off;
	uint32		rank = 0;
	SpanAccum  *acc;
	bool		found;
	ItemPointer tid;
	size_t		moved_len;
	const uint8 *moved_bytes = columnar_mask_row_moved(m, &moved_len);

	memset(bits, 0, sizeof(bits));
	columnar_parse_mask_row(ms->rel, m, bits, &count);
	acc = hash_search(ms->spans, &m->first_row, HASH_ENTER, &found);
	if (!found)
	{
		memset(acc->bits, 0, sizeof(acc->bits));
		acc->count = 0;
		acc->nrecords = 0;
		acc->moved = NULL;
	}
	acc->nrecords++;
	for (off = 0; off < COLUMNAR_MASK_SPAN; off++)
	{
		uint64		moved;

		if (!((bits[off >> 3] >> (off & 7)) & 1))
			continue;
		moved = columnar_mask_moved(moved_bytes, moved_len, rank++);
		if (!ranges_contain(ms->kept, ms->nkept, m->first_row + off))
		{
			ms->any_dropped = true;
			continue;
		}
		if (!((acc->bits[off >> 3] >> (off & 7)) & 1))
		{
			acc->bits[off >> 3] |= (uint8) (1 << (off & 7));
			acc->count++;
		}
		if (moved != 0)
		{
			if (acc->moved == NULL)
				acc->moved = palloc0(sizeof(uint64) * COLUMNAR_MASK_SPAN);
			acc->moved[off] = moved;
		}
	}
	tid = palloc(sizeof(ItemPointerData));
	*tid = m->tid;
	ms->tids = lappend(ms->tids, tid);
	return true;
}

/*
 * Replace the row masks of rel by one per span, keeping only rows of the
 * kept stripes and where each of them moved.  Returns the mask rows read.
 */
static int
merge_masks(Relation rel, Snapshot snapshot, ColumnarRange *kept, int nkept)
{
	MergeState	ms;
	HASHCTL		ctl;
	HASH_SEQ_STATUS seq;
	SpanAccum  *acc;
	bool		needed = false;
	ListCell   *lc;
	uint64		storage_id = columnar_storage_id(rel);

	memset(&ms, 0, sizeof(ms));
	ms.rel = rel;
	ms.kept = kept;
	ms.nkept = nkept;
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(SpanAccum);
	ctl.hcxt = CurrentMemoryContext;
	ms.spans = hash_create("strata_columnar mask merge", 64, &ctl,
						   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	columnar_scan_masks(storage_id, -1, snapshot, merge_visitor, &ms);

	hash_seq_init(&seq, ms.spans);
	while ((acc = hash_seq_search(&seq)) != NULL)
		if (acc->nrecords > 1)
			needed = true;
	if (!needed && !ms.any_dropped)
		return 0;

	foreach(lc, ms.tids)
		columnar_delete_mask((ItemPointer) lfirst(lc));
	/* every span read changes: its masks went, or merged into one */
	hash_seq_init(&seq, ms.spans);
	while ((acc = hash_seq_search(&seq)) != NULL)
	{
		if (acc->count > 0)
			columnar_write_mask(storage_id, acc->span, GetCurrentCommandId(true), acc->bits,
								acc->count, acc->moved, false);
		else
			columnar_span_changed(storage_id, acc->span);
	}
	CommandCounterIncrement();
	return list_length(ms.tids);
}

/* ---- rewriting stripes ---- */

typedef struct RewriteResult
{
	int			rewritten;
	int			dropped;
	uint64		moved_rows;
	uint64		removed_rows;
	int			masks_merged;
	int			sorted;			/* of rewritten: full stripes out of key order */
} RewriteResult;

static int
compare_range(const void *a, const void *b)
{
	uint64		x = ((const ColumnarRange *) a)->first_row;
	uint64		y = ((const ColumnarRange *) b)->first_row;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Write a row again under a new row number, with its index entries; sorted:
 * it comes in key order.
 */
static void
move_row(Relation rel, IndexSet *set, TupleTableSlot *slot, bool sorted)
{
	int			i;

	MemoryContextReset(set->econtext->ecxt_per_tuple_memory);
	columnar_insert_row(rel, slot, COLUMNAR_WRITE_BULK | COLUMNAR_WRITE_ORDERED |
						(sorted ? COLUMNAR_WRITE_SORTED : 0));
	for (i = 0; i < set->count; i++)
	{
		Datum		values[INDEX_MAX_KEYS];
		bool		isnull[INDEX_MAX_KEYS];

		if (set->predicates[i] != NULL && !ExecQual(set->predicates[i], set->econtext))
			continue;
		FormIndexDatum(set->infos[i], slot, set->estate, values, isnull);
		/* the row is only moving: its uniqueness was checked when it came */
		index_insert(set->rels[i], values, isnull, &slot->tts_tid, rel,
					 UNIQUE_CHECK_NO, false, set->infos[i]);
	}
}

static void
rewrite_stripes(Relation rel, RewriteResult *res)
{
	ColumnarOptions options;
	Snapshot	snapshot;
	ColumnarReadState *read;
	List	   *rewrite = NIL;
	List	   *small = NIL;
	List	   *dropped = NIL;
	ColumnarRange *kept;
	int			nkept = 0;
	int			nunsorted = 0;
	uint64		small_rows;
	ListCell   *lc;
	uint64		storage_id = columnar_storage_id(rel);
	Tuplesortstate *sort;

	columnar_get_options(RelationGetRelid(rel), &options);
	/* a stripe of stripe_row_limit rows is full, however small the limit */
	small_rows = (uint64) Min(options.chunk_group_row_limit, options.stripe_row_limit);
	/* rows move in sort key order, when the table has one */
	sort = columnar_begin_key_sort(rel, &options, maintenance_work_mem);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	read = columnar_begin_read(rel, snapshot, NULL);
	kept = palloc(sizeof(ColumnarRange) * (list_length(columnar_read_stripes_all(read)) + 1));
	foreach(lc, columnar_read_stripes_all(read))
	{
		ColumnarStripe *stripe = lfirst(lc);
		uint64		live;

		if (stripe->first_block == InvalidBlockNumber)
			continue;			/* this transaction's: none in VACUUM */
		live = columnar_stripe_live_rows(read, stripe);
		if (live == 0)
			dropped = lappend(dropped, stripe);
		else if ((double) (stripe->row_count - live) >= REWRITE_DELETED_FRACTION * stripe->row_count)
			rewrite = lappend(rewrite, stripe);
		else if (stripe->row_count < small_rows)
			small = lappend(small, stripe);
		else if (sort != NULL && !stripe->sorted && nunsorted < sort_stripes_per_vacuum)
		{
			/*
			 * Loaded in arrival order (an index or trigger took each row's
			 * TID at once): sorted here, as MergeTree merges its parts.
			 */
			rewrite = lappend(rewrite, stripe);
			nunsorted++;
		}
		else
		{
			kept[nkept].first_row = stripe->first_row;
			kept[nkept].row_count = stripe->row_count;
			nkept++;
		}
	}
	/* small stripes are worth merging with each other or a rewrite */
	if (list_length(small) >= 2 || (small != NIL && rewrite != NIL))
		rewrite = list_concat(rewrite, small);
	else
		foreach(lc, small)
		{
			ColumnarStripe *stripe = lfirst(lc);

			kept[nkept].first_row = stripe->first_row;
			kept[nkept].row_count = stripe->row_count;
			nkept++;
		}

	if (rewrite != NIL)
	{
		TupleTableSlot *slot = table_slot_create(rel, NULL);
		IndexSet	set;

		open_indexes(rel, &set, slot);
		columnar_restrict_stripes(read, rewrite);
		while (columnar_read_next(read, slot))
		{
			CHECK_FOR_INTERRUPTS();
			if (sort != NULL)
				tuplesort_puttupleslot(sort, slot);
			else
				move_row(rel, &set, slot, false);
			res->moved_rows++;
		}
		if (sort != NULL)
		{
			TupleTableSlot *sorted = MakeSingleTupleTableSlot(RelationGetDescr(rel),
															  &TTSOpsMinimalTuple);

			tuplesort_performsort(sort);
			while (tuplesort_gettupleslot(sort, true, false, sorted, NULL))
			{
				CHECK_FOR_INTERRUPTS();
				ExecCopySlot(slot, sorted);
				move_row(rel, &set, slot, true);
			}
			ExecDropSingleTupleTableSlot(sorted);
		}
		columnar_flush_relation(rel);
		close_indexes(&set);
		ExecDropSingleTupleTableSlot(slot);
	}
	if (sort != NULL)
		tuplesort_end(sort);
	foreach(lc, list_concat(list_copy(rewrite), dropped))
	{
		ColumnarStripe *stripe = lfirst(lc);

		columnar_delete_stripe(storage_id, stripe->first_row);
		columnar_insert_removed(storage_id, stripe->first_row, stripe->row_count);
		columnar_free_stripe_pages(storage_id, stripe->first_row, stripe->first_block,
								   columnar_block_count(stripe->data_bytes));
		res->removed_rows += stripe->row_count;
	}
	res->rewritten = list_length(rewrite);
	res->sorted = nunsorted;
	res->dropped = list_length(dropped);
	CommandCounterIncrement();

	/* the new stripes have no deleted rows: masks are only of the kept */
	qsort(kept, nkept, sizeof(ColumnarRange), compare_range);
	res->masks_merged = merge_masks(rel, snapshot, kept, nkept);

	columnar_end_read(read);
	UnregisterSnapshot(snapshot);
}

/* ---- index entries of removed rows ---- */

typedef struct DeadRanges
{
	ColumnarRange *ranges;
	int			count;
} DeadRanges;

static bool
row_dead(ItemPointer tid, void *arg)
{
	DeadRanges *dead = arg;

	return ranges_contain(dead->ranges, dead->count, columnar_tid_to_row(tid));
}

/* Delete index entries of rows removed by VACUUMs no snapshot predates. */
static int64
clean_indexes(Relation rel, BufferAccessStrategy bstrategy, int elevel, double live_rows)
{
	List	   *ranges = columnar_take_removed(columnar_storage_id(rel),
											   GetOldestNonRemovableTransactionId(rel));
	DeadRanges dead;
	ListCell   *lc;
	List	   *oids;
	int64		removed = 0;
	int			i = 0;

	if (ranges == NIL)
		return 0;
	dead.count = list_length(ranges);
	dead.ranges = palloc(sizeof(ColumnarRange) * dead.count);
	foreach(lc, ranges)
		dead.ranges[i++] = *(ColumnarRange *) lfirst(lc);
	qsort(dead.ranges, dead.count, sizeof(ColumnarRange), compare_range);

	oids = RelationGetIndexList(rel);
	foreach(lc, oids)
	{
		Relation	irel = index_open(lfirst_oid(lc), RowExclusiveLock);
		IndexVacuumInfo info;
		IndexBulkDeleteResult *stats;

		memset(&info, 0, sizeof(info));
		info.index = irel;
		info.analyze_only = false;
		info.report_progress = false;
		info.estimated_count = true;
		info.message_level = elevel;
		info.num_heap_tuples = live_rows;
		info.strategy = bstrategy;
		stats = index_bulk_delete(&info, NULL, row_dead, &dead);
		stats = index_vacuum_cleanup(&info, stats);
		if (stats != NULL)
		{
			removed += (int64) stats->tuples_removed;
			pfree(stats);
		}
		index_close(irel, RowExclusiveLock);
	}
	return removed;
}

void
columnar_vacuum_rel(Relation rel, VacuumParams *params, BufferAccessStrategy bstrategy)
{
	int			elevel = (params->options & VACOPT_VERBOSE) ? INFO : DEBUG2;
	RewriteResult res;
	int64		index_removed;
	uint64		freed_pages;
	uint64		locks_removed;
	Snapshot	snapshot;
	ColumnarReadState *read;
	uint64		live,
				total = 0;
	ListCell   *lc;

	memset(&res, 0, sizeof(res));
	if (columnar_has_pending(RelationGetRelid(rel)))
		return;

	/* row locks of transactions that have ended */
	locks_removed = columnar_remove_ended_locks(columnar_storage_id(rel));
	if (locks_removed > 0)
		ereport(elevel,
				(errmsg("strata_columnar: removed %llu row locks of ended transactions from \"%s\"",
						(unsigned long long) locks_removed, RelationGetRelationName(rel))));

	/* the pages of stripes earlier VACUUMs dropped, for the rewrite too */
	freed_pages = columnar_release_free_pages(columnar_storage_id(rel));
	CommandCounterIncrement();

	if (ConditionalLockRelation(rel, ExclusiveLock))
	{
		/* no writer now: the pages aborted ones left, for the rewrite too */
		freed_pages += columnar_reclaim_unused_pages(rel, columnar_storage_id(rel));
		CommandCounterIncrement();
		rewrite_stripes(rel, &res);
		if (res.sorted > 0)
			ereport(elevel,
					(errmsg("strata_columnar: sorted %d stripes of \"%s\" by its sort key",
							res.sorted, RelationGetRelationName(rel))));
	}
	else
		ereport(elevel,
				(errmsg("strata_columnar: \"%s\" has writers, its stripes are left for the next VACUUM",
						RelationGetRelationName(rel))));

	snapshot = RegisterSnapshot(GetLatestSnapshot());
	read = columnar_begin_read(rel, snapshot, NULL);
	live = columnar_total_rows(read);
	foreach(lc, columnar_read_stripes_all(read))
		total += ((ColumnarStripe *) lfirst(lc))->row_count;
	columnar_end_read(read);
	UnregisterSnapshot(snapshot);

	index_removed = clean_indexes(rel, bstrategy, elevel, (double) live);

	/* what the planner and autovacuum go by */
	vac_update_relstats(rel, RelationGetNumberOfBlocks(rel), (double) live, 0,
						RelationGetIndexList(rel) != NIL, InvalidTransactionId,
						InvalidMultiXactId, NULL, NULL, false);
	pgstat_report_vacuum(RelationGetRelid(rel), rel->rd_rel->relisshared,
						 (PgStat_Counter) live, (PgStat_Counter) (total - live));

	ereport(elevel,
			(errmsg("strata_columnar: vacuumed \"%s\": %d stripes rewritten (%llu live rows moved), %d dropped, %llu row numbers removed, %d row masks merged, %lld index entries removed, %llu pages freed for reuse; %llu live and %llu deleted rows remain",
					RelationGetRelationName(rel), res.rewritten,
					(unsigned long long) res.moved_rows, res.dropped,
					(unsigned long long) res.removed_rows, res.masks_merged,
					(long long) index_removed, (unsigned long long) freed_pages,
					(unsigned long long) live, (unsigned long long) (total - live))));
}
