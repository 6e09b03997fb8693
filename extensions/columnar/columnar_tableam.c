/*-------------------------------------------------------------------------
 *
 * columnar_tableam.c
 *	  The table access method strata_columnar: PostgreSQL's callbacks.
 *
 * Rows are stored by columnar_writer.c and read by columnar_reader.c; this
 * file maps the TableAmRoutine contract onto them; deletes, updates and row
 * locks are columnar_deletes.c's.  What this version does not do (CREATE
 * INDEX CONCURRENTLY, unlogged tables) raises
 * ERRCODE_FEATURE_NOT_SUPPORTED naming the table.  Parallel scans claim
 * whole stripes; they are planned only when this backend has no unflushed
 * rows in the table (columnar.c, columnar_customscan.c).
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/heapam.h"
#include "access/multixact.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "storage/procarray.h"
#include "catalog/pg_am.h"
#include "catalog/storage.h"
#include "catalog/storage_xlog.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "access/genam.h"
#include "access/tsmapi.h"
#include "nodes/tidbitmap.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/smgr.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/tuplesort.h"

typedef struct ColumnarScanDescData
{
	TableScanDescData base;
	ColumnarReadState *read;
	Bitmapset  *attrs;
	bool		own_snapshot;	/* registered here, to unregister at the end */

	/* ANALYZE: the row slice of the current block */
	uint64		sample_next;
	uint64		sample_end;
	BlockNumber nblocks;

	/* TABLESAMPLE: virtual blocks of COLUMNAR_ROWS_PER_BLOCK rows by rank */
	BlockNumber sample_block;
	BlockNumber sample_blocks;
	BlockNumber sample_seq_next;

	/* bitmap scans: the current block's offsets */
	BlockNumber bitmap_block;
	int			bitmap_ntuples;	/* -1: lossy, all offsets */
	OffsetNumber bitmap_offsets[MaxHeapTuplesPerPage];
	int			bitmap_next;
} ColumnarScanDescData;

typedef ColumnarScanDescData *ColumnarScanDesc;

/* what the participants of a parallel scan share */
typedef struct ColumnarParallelScanDescData
{
	ParallelTableScanDescData base;
	pg_atomic_uint64 next_stripe;
} ColumnarParallelScanDescData;

typedef struct ColumnarIndexFetchData
{
	IndexFetchTableData base;
	ColumnarReadState *read;
	Snapshot	snapshot;
} ColumnarIndexFetchData;

static void
not_supported(Relation rel, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not supported on strata_columnar table \"%s\"",
					what, RelationGetRelationName(rel))));
}

/*
 * Rows live in virtual slots, whose copies as heap tuples leave t_self
 * unset.  ANALYZE orders its sample by t_self: without it the sample stays
 * in reservoir order and every column's correlation reads as about zero
 * (which misprices index scans and top-N scans).  So the slot is a virtual
 * one whose heap copies keep the row's TID.
 */
static TupleTableSlotOps columnar_slot_ops;

static HeapTuple
columnar_copy_heap_tuple(TupleTableSlot *slot)
{
	HeapTuple	tuple = TTSOpsVirtual.copy_heap_tuple(slot);

	tuple->t_self = slot->tts_tid;
	return tuple;
}

static const TupleTableSlotOps *
columnarSlotCallbacks(Relation rel)
{
	if (columnar_slot_ops.copy_heap_tuple == NULL)
	{
		columnar_slot_ops = TTSOpsVirtual;
		columnar_slot_ops.copy_heap_tuple = columnar_copy_heap_tuple;
	}
	return &columnar_slot_ops;
}

/* ---- sequential scans ---- */

static TableScanDesc
columnar_beginscan_attrs(Relation rel, Snapshot snapshot, int nkeys,
						 ScanKey key, ParallelTableScanDesc pscan,
						 uint32 flags, Bitmapset *attrs)
{
	ColumnarScanDesc scan = palloc0(sizeof(ColumnarScanDescData));

	RelationIncrementReferenceCount(rel);
	scan->base.rs_rd = rel;
	scan->base.rs_nkeys = nkeys;
	scan->base.rs_key = key;
	scan->base.rs_flags = flags;
	scan->base.rs_parallel = NULL;
	if (snapshot == NULL || !IsMVCCSnapshot(snapshot))
	{
		if (snapshot == NULL || snapshot == SnapshotAny)
		{
			/* ANALYZE, or a caller that wants every live row */
			snapshot = RegisterSnapshot(GetTransactionSnapshot());
			scan->own_snapshot = true;
		}
	}
	scan->base.rs_snapshot = snapshot;
	scan->base.rs_parallel = pscan;
	scan->attrs = attrs;
	/* (a plain scan starts at its first row, by then in parallel mode) */
	if (pscan != NULL || IsInParallelMode())
		columnar_check_parallel(rel);
	scan->read = columnar_begin_read(rel, snapshot, attrs);
	if (pscan != NULL)
		columnar_set_parallel(scan->read, &((ColumnarParallelScanDescData *) pscan)->next_stripe);
	return &scan->base;
}

static TableScanDesc
columnarBeginScan(Relation rel, Snapshot snapshot, int nkeys, ScanKey key,
				  ParallelTableScanDesc pscan, uint32 flags)
{
	return columnar_beginscan_attrs(rel, snapshot, nkeys, key, pscan, flags, NULL);
}

static void
columnarEndScan(TableScanDesc sscan)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	columnar_end_read(scan->read);
	if (scan->own_snapshot)
		UnregisterSnapshot(scan->base.rs_snapshot);
	else if (scan->base.rs_flags & SO_TEMP_SNAPSHOT)
		UnregisterSnapshot(scan->base.rs_snapshot);
	RelationDecrementReferenceCount(scan->base.rs_rd);
	pfree(scan);
}

static void
columnarRescan(TableScanDesc sscan, ScanKey key, bool set_params,
			   bool allow_strat, bool allow_sync, bool allow_pagemode)
{
	columnar_rescan(((ColumnarScanDesc) sscan)->read);
}

static bool
columnarGetNextSlot(TableScanDesc sscan, ScanDirection direction, TupleTableSlot *slot)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	if (ScanDirectionIsBackward(direction))
		not_supported(sscan->rs_rd, "a backward scan");
	if (!columnar_read_next(scan->read, slot))
		return false;
	pgstat_count_heap_getnext(scan->base.rs_rd);
	return true;
}

/* Parallel scans: the participants claim whole stripes, one at a time. */
static Size
columnarParallelScanEstimate(Relation rel)
{
	return sizeof(ColumnarParallelScanDescData);
}

static Size
columnarParallelScanInitialize(Relation rel, ParallelTableScanDesc pscan)
{
	ColumnarParallelScanDescData *p = (ColumnarParallelScanDescData *) pscan;

	p->base.phs_relid = RelationGetRelid(rel);
	p->base.phs_syncscan = false;
	pg_atomic_init_u64(&p->next_stripe, 0);
	return sizeof(ColumnarParallelScanDescData);
}

static void
columnarParallelScanReinitialize(Relation rel, ParallelTableScanDesc pscan)
{
	pg_atomic_write_u64(&((ColumnarParallelScanDescData *) pscan)->next_stripe, 0);
}

/* ---- fetching rows by TID (indexes, TID scans, triggers) ---- */

static IndexFetchTableData *
columnarIndexFetchBegin(Relation rel)
{
	ColumnarIndexFetchData *fetch = palloc0(sizeof(ColumnarIndexFetchData));

	fetch->base.rel = rel;
	return &fetch->base;
}

static void
columnarIndexFetchReset(IndexFetchTableData *data)
{
}

static void
columnarIndexFetchEnd(IndexFetchTableData *data)
{
	ColumnarIndexFetchData *fetch = (ColumnarIndexFetchData *) data;

	if (fetch->read != NULL)
		columnar_end_read(fetch->read);
	pfree(fetch);
}

static ColumnarReadState *
fetch_state(ColumnarIndexFetchData *fetch, Snapshot snapshot)
{
	/* a read state is good for one snapshot: it caches what that one sees */
	if (fetch->read != NULL && fetch->snapshot != snapshot)
	{
		columnar_end_read(fetch->read);
		fetch->read = NULL;
	}
	if (fetch->read == NULL)
	{
		fetch->read = columnar_begin_fetch(fetch->base.rel, snapshot);
		fetch->snapshot = snapshot;
	}
	return fetch->read;
}

static bool
columnarIndexFetchTuple(IndexFetchTableData *data, ItemPointer tid,
						Snapshot snapshot, TupleTableSlot *slot,
						bool *call_again, bool *all_dead)
{
	ColumnarIndexFetchData *fetch = (ColumnarIndexFetchData *) data;

	*call_again = false;
	if (all_dead)
		*all_dead = false;
	return columnar_fetch_row(fetch_state(fetch, snapshot), columnar_tid_to_row(tid), slot);
}

/*
 * UPDATE fetches every old row under SnapshotAny (to build the new one from
 * it), and consecutive rows share a chunk group: one read state per
 * transaction keeps the group decoded.  What it caches never changes (a
 * written stripe is immutable, and SnapshotAny hides no row), and the
 * slot gets its own copy of the values.
 */
static ColumnarReadState *any_fetch = NULL;
static Oid	any_fetch_relid = InvalidOid;
static Oid	any_fetch_relfilenode = InvalidOid;

void
columnar_fetch_cache_reset(void)
{
	/* its memory goes with TopTransactionContext */
	any_fetch = NULL;
	any_fetch_relid = InvalidOid;
}

static bool
columnarFetchRowVersion(Relation rel, ItemPointer tid, Snapshot snapshot,
						TupleTableSlot *slot)
{
	ColumnarReadState *read;
	bool		found;

	if (snapshot == SnapshotAny)
	{
		if (any_fetch == NULL || any_fetch_relid != RelationGetRelid(rel) ||
			any_fetch_relfilenode != rel->rd_node.relNode)
		{
			MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

			if (any_fetch != NULL)
				columnar_end_read(any_fetch);
			any_fetch = columnar_begin_fetch(rel, snapshot);
			any_fetch_relid = RelationGetRelid(rel);
			any_fetch_relfilenode = rel->rd_node.relNode;
			MemoryContextSwitchTo(old);
		}
		columnar_fetch_rebind(any_fetch, rel);
		found = columnar_fetch_row(any_fetch, columnar_tid_to_row(tid), slot);
		if (found)
			ExecMaterializeSlot(slot);
		return found;
	}
	read = columnar_begin_fetch(rel, snapshot);
	found = columnar_fetch_row(read, columnar_tid_to_row(tid), slot);
	if (found)
		ExecMaterializeSlot(slot);
	columnar_end_read(read);
	return found;
}

static bool
columnarTidValid(TableScanDesc scan, ItemPointer tid)
{
	return ItemPointerIsValid(tid) && columnar_tid_to_row(tid) >= COLUMNAR_FIRST_ROW;
}

static void
columnarGetLatestTid(TableScanDesc scan, ItemPointer tid)
{
	columnar_latest_tid(scan->rs_rd, tid);
}

static bool
columnarSatisfiesSnapshot(Relation rel, TupleTableSlot *slot, Snapshot snapshot)
{
	ColumnarReadState *read = columnar_begin_fetch(rel, snapshot);
	TupleTableSlot *tmp = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsVirtual);
	bool		visible = columnar_fetch_row(read, columnar_tid_to_row(&slot->tts_tid), tmp);

	ExecDropSingleTupleTableSlot(tmp);
	columnar_end_read(read);
	return visible;
}

static TransactionId
columnarIndexDeleteTuples(Relation rel, TM_IndexDeleteOp *delstate)
{
	/*
	 * Claim no index entry dead: deleted rows' entries go when VACUUM
	 * rewrites their stripes and no snapshot can see them any more.
	 */
	return InvalidTransactionId;
}

/* ---- writing ---- */

/*
 * Inserts are counted as heap counts them, so that autovacuum comes to
 * merge the small stripes of many small transactions.
 */
static void
columnarTupleInsert(Relation rel, TupleTableSlot *slot, CommandId cid,
					int options, BulkInsertState bistate)
{
	columnar_insert_row(rel, slot, bistate != NULL ? COLUMNAR_WRITE_BULK : 0);
	pgstat_count_heap_insert(rel, 1);
}

/*
 * INSERT ... ON CONFLICT: the row goes in like any other; when its index
 * entries find a conflict after all, it is killed (columnar_kill_row) and
 * the executor tries again.
 */
static void
columnarTupleInsertSpeculative(Relation rel, TupleTableSlot *slot, CommandId cid,
							   int options, BulkInsertState bistate, uint32 specToken)
{
	columnar_insert_row(rel, slot, 0);
	pgstat_count_heap_insert(rel, 1);
	/* what heap keeps in the tuple: concurrent inserters wait on the token */
	columnar_speculative_begin(columnar_storage_id(rel), columnar_tid_to_row(&slot->tts_tid),
							   GetCurrentTransactionId(), specToken);
}

static void
columnarTupleCompleteSpeculative(Relation rel, TupleTableSlot *slot,
								 uint32 specToken, bool succeeded)
{
	if (!succeeded)
		columnar_kill_row(rel, columnar_tid_to_row(&slot->tts_tid));
	columnar_speculative_end();
}

static void
columnarMultiInsert(Relation rel, TupleTableSlot **slots, int nslots,
					CommandId cid, int options, BulkInsertState bistate)
{
	int			i;

	for (i = 0; i < nslots; i++)
		columnar_insert_row(rel, slots[i], COLUMNAR_WRITE_BULK);
	pgstat_count_heap_insert(rel, nslots);
}

static TM_Result
columnarTupleDelete(Relation rel, ItemPointer tid, CommandId cid,
					Snapshot snapshot, Snapshot crosscheck, bool wait,
					TM_FailureData *tmfd, bool changingPart)
{
	return columnar_delete_row(rel, tid, cid, snapshot, crosscheck, wait, tmfd, NULL);
}

/*
 * An UPDATE deletes the old row and inserts the new version under a new
 * row number, which the old row's mask records for EvalPlanQual to follow.
 */
static TM_Result
columnarTupleUpdate(Relation rel, ItemPointer otid, TupleTableSlot *slot,
					CommandId cid, Snapshot snapshot, Snapshot crosscheck,
					bool wait, TM_FailureData *tmfd, LockTupleMode *lockmode,
					bool *update_indexes)
{
	TM_Result	result;

	/* the old version is gone for every lock strength, key or not */
	*lockmode = LockTupleExclusive;
	result = columnar_delete_row(rel, otid, cid, snapshot, crosscheck, wait, tmfd, slot);
	/* the new version has a new TID: every index needs an entry for it */
	*update_indexes = (result == TM_Ok);
	return result;
}

static TM_Result
columnarTupleLock(Relation rel, ItemPointer tid, Snapshot snapshot,
				  TupleTableSlot *slot, CommandId cid, LockTupleMode mode,
				  LockWaitPolicy wait_policy, uint8 flags, TM_FailureData *tmfd)
{
	return columnar_lock_row(rel, tid, snapshot, slot, cid, mode, wait_policy, flags, tmfd);
}

static void
columnarFinishBulkInsert(Relation rel, int options)
{
	/* the relation may be swapped or dropped before commit (rewrites) */
	columnar_flush_relation(rel);
}

/* ---- storage ---- */

static void
columnarSetNewFilenode(Relation rel, const RelFileNode *newrnode, char persistence,
					   TransactionId *freezeXid, MultiXactId *minmulti)
{
	SMgrRelation srel;
	uint64		storage_id;

	if (persistence == RELPERSISTENCE_UNLOGGED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unlogged strata_columnar tables are not supported"),
				 errdetail("Table \"%s\" would be unlogged.", RelationGetRelationName(rel))));

	/* no transaction ids are stored in the data: nothing to freeze */
	*freezeXid = InvalidTransactionId;
	*minmulti = InvalidMultiXactId;

	/* TRUNCATE: the old relfilenode's rows and metadata go (transactionally) */
	if (rel->rd_node.relNode != newrnode->relNode &&
		smgrexists(RelationGetSmgr(rel), MAIN_FORKNUM) &&
		RelationGetNumberOfBlocks(rel) > 0)
	{
		columnar_discard_pending(RelationGetRelid(rel));
		columnar_drop_storage(columnar_storage_id(rel));
	}

	srel = RelationCreateStorage(*newrnode, persistence, true);
	if (IsBinaryUpgrade)
	{
		/*
		 * pg_upgrade creates the table empty, then puts the old cluster's
		 * file, and our catalog tables' files, in place of the new ones:
		 * metadata made now would be lost, and the catalog may not exist
		 * yet.  Storage 0 has no catalog rows (columnar_metadata.c): what
		 * the restore itself reads (index builds, foreign key checks) is an
		 * empty table.
		 */
		columnar_init_storage(rel, srel, 0, persistence);
		smgrclose(srel);
		return;
	}
	storage_id = columnar_new_storage_id();
	columnar_init_storage(rel, srel, storage_id, persistence);
	columnar_storage_created(RelationGetRelid(rel), newrnode->relNode, storage_id);
	smgrclose(srel);
}

static void
columnarNontransactionalTruncate(Relation rel)
{
	uint64		storage_id;

	columnar_discard_pending(RelationGetRelid(rel));
	columnar_drop_storage(columnar_storage_id(rel));
	RelationTruncate(rel, 0);

	/* a fresh storage id: nothing of the old rows can resurface */
	storage_id = columnar_new_storage_id();
	columnar_init_storage(rel, RelationGetSmgr(rel), storage_id, rel->rd_rel->relpersistence);
	columnar_storage_created(RelationGetRelid(rel), rel->rd_node.relNode, storage_id);
	columnar_forget_storage_id(rel);
}

/* ALTER TABLE ... SET TABLESPACE: copy the file, keep the storage id. */
static void
columnarCopyData(Relation rel, const RelFileNode *newrnode)
{
	SMgrRelation dstrel;

	columnar_flush_relation(rel);
	if (columnar_has_pending(RelationGetRelid(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot move strata_columnar table \"%s\" while an outer subtransaction has unflushed rows in it",
						RelationGetRelationName(rel)),
				 errhint("Commit the transaction first.")));

	FlushRelationBuffers(rel);
	dstrel = RelationCreateStorage(*newrnode, rel->rd_rel->relpersistence, true);
	RelationCopyStorage(RelationGetSmgr(rel), dstrel, MAIN_FORKNUM,
						rel->rd_rel->relpersistence);
	columnar_move_storage(columnar_storage_id(rel), newrnode->relNode);
	RelationDropStorage(rel);
	smgrclose(dstrel);
}

/*
 * VACUUM FULL and CLUSTER: copy every visible row into the new relation,
 * in row order, or sorted: by the index for CLUSTER, by the sort key for
 * VACUUM FULL of a table that has one (the whole table, not a stripe at a
 * time as a load is).
 */
static void
columnarCopyForCluster(Relation OldTable, Relation NewTable, Relation OldIndex,
					   bool use_sort, TransactionId OldestXmin,
					   TransactionId *xid_cutoff, MultiXactId *multi_cutoff,
					   double *num_tuples, double *tups_vacuumed,
					   double *tups_recently_dead)
{
	Snapshot	snapshot;
	ColumnarReadState *read;
	TupleTableSlot *slot;
	Tuplesortstate *sort = NULL;
	bool		by_index = OldIndex != NULL;
	ColumnarOptions options;

	*xid_cutoff = InvalidTransactionId;
	*multi_cutoff = InvalidMultiXactId;
	*num_tuples = *tups_vacuumed = *tups_recently_dead = 0;

	if (by_index)
		sort = tuplesort_begin_cluster(RelationGetDescr(OldTable), OldIndex,
									   maintenance_work_mem, NULL, TUPLESORT_NONE);
	else
	{
		columnar_get_options(RelationGetRelid(OldTable), &options);
		sort = columnar_begin_key_sort(OldTable, &options, maintenance_work_mem);
	}

	snapshot = RegisterSnapshot(GetLatestSnapshot());
	read = columnar_begin_read(OldTable, snapshot, NULL);
	slot = MakeSingleTupleTableSlot(RelationGetDescr(OldTable), &TTSOpsVirtual);
	while (columnar_read_next(read, slot))
	{
		CHECK_FOR_INTERRUPTS();
		if (by_index)
		{
			HeapTuple	tuple = ExecCopySlotHeapTuple(slot);

			tuplesort_putheaptuple(sort, tuple);
			heap_freetuple(tuple);
		}
		else if (sort != NULL)
			tuplesort_puttupleslot(sort, slot);
		else
			columnar_insert_row(NewTable, slot, COLUMNAR_WRITE_BULK | COLUMNAR_WRITE_ORDERED);
		*num_tuples += 1;
	}
	if (sort != NULL)
	{
		TupleTableSlot *sorted = MakeSingleTupleTableSlot(RelationGetDescr(OldTable),
														  &TTSOpsMinimalTuple);

		tuplesort_performsort(sort);
		for (;;)
		{
			CHECK_FOR_INTERRUPTS();
			if (by_index)
			{
				HeapTuple	tuple = tuplesort_getheaptuple(sort, true);

				if (tuple == NULL)
					break;
				ExecForceStoreHeapTuple(tuple, slot, false);
				columnar_insert_row(NewTable, slot,
									COLUMNAR_WRITE_BULK | COLUMNAR_WRITE_ORDERED | COLUMNAR_WRITE_SORTED);
				continue;
			}
			if (!tuplesort_gettupleslot(sort, true, false, sorted, NULL))
				break;
			columnar_insert_row(NewTable, sorted,
								COLUMNAR_WRITE_BULK | COLUMNAR_WRITE_ORDERED | COLUMNAR_WRITE_SORTED);
		}
		tuplesort_end(sort);
		ExecDropSingleTupleTableSlot(sorted);
	}
	columnar_flush_relation(NewTable);
	ExecDropSingleTupleTableSlot(slot);
	columnar_end_read(read);
	UnregisterSnapshot(snapshot);
}

static void
columnarVacuum(Relation rel, VacuumParams *params, BufferAccessStrategy bstrategy)
{
	columnar_vacuum_rel(rel, params, bstrategy);
}

/* ---- ANALYZE: each physical block stands for an equal slice of the rows ---- */

static bool
columnarAnalyzeNextBlock(TableScanDesc sscan, BlockNumber blockno,
						 BufferAccessStrategy bstrategy)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;
	uint64		total = columnar_total_rows(scan->read);

	if (scan->nblocks == 0)
		scan->nblocks = Max(RelationGetNumberOfBlocks(sscan->rs_rd), 1);
	scan->sample_next = total * blockno / scan->nblocks;
	scan->sample_end = total * (blockno + 1) / scan->nblocks;
	return true;
}

static bool
columnarAnalyzeNextTuple(TableScanDesc sscan, TransactionId OldestXmin,
						 double *liverows, double *deadrows, TupleTableSlot *slot)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	if (scan->sample_next >= scan->sample_end ||
		!columnar_read_nth(scan->read, scan->sample_next, slot))
		return false;
	scan->sample_next++;
	*liverows += 1;
	return true;
}

/* ---- index builds ---- */

/* What forming a row's index entry needs: its slot, and the index's predicate. */
typedef struct IndexRowState
{
	TupleTableSlot *slot;
	EState	   *estate;
	ExprContext *econtext;
	ExprState  *predicate;
} IndexRowState;

static void
index_rows_begin(IndexRowState *ir, Relation table_rel, IndexInfo *index_info)
{
	ir->slot = table_slot_create(table_rel, NULL);
	ir->estate = CreateExecutorState();
	ir->econtext = GetPerTupleExprContext(ir->estate);
	ir->econtext->ecxt_scantuple = ir->slot;
	ir->predicate = ExecPrepareQual(index_info->ii_Predicate, ir->estate);
}

/* The index entry of the row in ir->slot, or false when the predicate skips it. */
static bool
index_row_values(IndexRowState *ir, IndexInfo *index_info, Datum *values, bool *isnull)
{
	MemoryContextReset(ir->econtext->ecxt_per_tuple_memory);
	if (ir->predicate != NULL && !ExecQual(ir->predicate, ir->econtext))
		return false;
	FormIndexDatum(index_info, ir->slot, ir->estate, values, isnull);
	return true;
}

static void
index_rows_end(IndexRowState *ir, IndexInfo *index_info)
{
	ExecDropSingleTupleTableSlot(ir->slot);
	FreeExecutorState(ir->estate);
	index_info->ii_ExpressionsState = NIL;
	index_info->ii_PredicateState = NULL;
}

/*
 * Index every row the transaction's snapshot sees.  CREATE INDEX holds off
 * writers; CREATE INDEX CONCURRENTLY has waited for those that began before
 * the index existed, and its validation adds the rows committed since.
 */
static double
columnarIndexBuildRangeScan(Relation table_rel, Relation index_rel,
							IndexInfo *index_info, bool allow_sync,
							bool anyvisible, bool progress,
							BlockNumber start_blockno, BlockNumber numblocks,
							IndexBuildCallback callback, void *callback_state,
							TableScanDesc sscan)
{
	Snapshot	snapshot;
	ColumnarReadState *read;
	IndexRowState ir;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	double		reltuples = 0;

	if (sscan != NULL && sscan->rs_parallel != NULL)
		not_supported(table_rel, "a parallel index build");

	/* a caller's scan (amcheck's) brings its snapshot, and is ours to end */
	snapshot = sscan != NULL ? sscan->rs_snapshot : RegisterSnapshot(GetTransactionSnapshot());
	read = columnar_begin_read(table_rel, snapshot, NULL);
	index_rows_begin(&ir, table_rel, index_info);
	while (columnar_read_next(read, ir.slot))
	{
		BlockNumber block = ItemPointerGetBlockNumber(&ir.slot->tts_tid);

		CHECK_FOR_INTERRUPTS();
		if (numblocks != InvalidBlockNumber &&
			(block < start_blockno || block >= start_blockno + numblocks))
			continue;
		if (!index_row_values(&ir, index_info, values, isnull))
			continue;
		callback(index_rel, &ir.slot->tts_tid, values, isnull, true, callback_state);
		reltuples += 1;
	}
	index_rows_end(&ir, index_info);
	columnar_end_read(read);

	/*
	 * Deleted rows are left out, though a transaction with an older
	 * snapshot may still see some (heap indexes such rows): as for heap's
	 * broken HOT chains, the index is then kept from transactions older
	 * than this one (indcheckxmin).
	 */
	if (!index_info->ii_Concurrent &&
		columnar_has_recent_deletes(table_rel, snapshot,
									GetOldestNonRemovableTransactionId(table_rel)))
		index_info->ii_BrokenHotChain = true;
	if (sscan != NULL)
		table_endscan(sscan);
	else
		UnregisterSnapshot(snapshot);
	return reltuples;
}

/*
 * CREATE INDEX CONCURRENTLY's second pass: index the rows snapshot sees
 * that the index lacks (committed while the first pass ran).  The scan
 * yields rows in TID order, and state->tuplesort holds the index's TIDs in
 * order: a merge of the two, as heap does it, without HOT chains.
 */
static void
columnarIndexValidateScan(Relation table_rel, Relation index_rel,
						  IndexInfo *index_info, Snapshot snapshot,
						  ValidateIndexState *state)
{
	ColumnarReadState *read = columnar_begin_read(table_rel, snapshot, NULL);
	IndexRowState ir;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	ItemPointerData indexed;
	ItemPointerData last;
	bool		index_done = false;

	ItemPointerSetInvalid(&indexed);
	ItemPointerSetInvalid(&last);
	index_rows_begin(&ir, table_rel, index_info);
	while (columnar_read_next(read, ir.slot))
	{
		ItemPointer tid = &ir.slot->tts_tid;

		CHECK_FOR_INTERRUPTS();
		state->htups += 1;
		if (ItemPointerIsValid(&last) && ItemPointerCompare(tid, &last) <= 0)
			elog(ERROR, "strata_columnar scan of \"%s\" went back from (%u,%u) to (%u,%u)",
				 RelationGetRelationName(table_rel),
				 ItemPointerGetBlockNumber(&last), ItemPointerGetOffsetNumber(&last),
				 ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
		last = *tid;
		while (!index_done &&
			   (!ItemPointerIsValid(&indexed) || ItemPointerCompare(&indexed, tid) < 0))
		{
			Datum		encoded;
			bool		encoded_null;

			if (tuplesort_getdatum(state->tuplesort, true, &encoded, &encoded_null, NULL))
			{
				itemptr_decode(&indexed, DatumGetInt64(encoded));
				state->itups += 1;
			}
			else
				index_done = true;
		}
		if (!index_done && ItemPointerEquals(&indexed, tid))
			continue;			/* the first pass indexed it */
		if (!index_row_values(&ir, index_info, values, isnull))
			continue;
		index_insert(index_rel, values, isnull, tid, table_rel,
					 index_info->ii_Unique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, index_info);
		state->tups_inserted += 1;
	}
	index_rows_end(&ir, index_info);
	columnar_end_read(read);
}

/* ---- sizes ---- */

static uint64
columnarRelationSize(Relation rel, ForkNumber forkNumber)
{
	return table_block_relation_size(rel, forkNumber);
}

static bool
columnarNeedsToastTable(Relation rel)
{
	/* values are detoasted and stored in chunks, however large */
	return false;
}

static Oid
columnarToastAm(Relation rel)
{
	return HEAP_TABLE_AM_OID;
}

static void
columnarFetchToastSlice(Relation toastrel, Oid valueid, int32 attrsize,
						int32 sliceoffset, int32 slicelength, struct varlena *result)
{
	not_supported(toastrel, "a TOAST table");
}

static void
columnarEstimateSize(Relation rel, int32 *attr_widths, BlockNumber *pages,
					 double *tuples, double *allvisfrac)
{
	*pages = RelationGetNumberOfBlocks(rel);
	*tuples = (double) columnar_count_rows(rel);
	*allvisfrac = 0;
}

/* ---- bitmap scans ---- */

static bool
columnarBitmapNextBlock(TableScanDesc sscan, TBMIterateResult *tbmres)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	scan->bitmap_block = tbmres->blockno;
	scan->bitmap_next = 0;
	if (tbmres->ntuples < 0)
		scan->bitmap_ntuples = -1;
	else
	{
		scan->bitmap_ntuples = tbmres->ntuples;
		memcpy(scan->bitmap_offsets, tbmres->offsets, sizeof(OffsetNumber) * tbmres->ntuples);
	}
	return true;
}

static bool
columnarBitmapNextTuple(TableScanDesc sscan, TBMIterateResult *tbmres,
						TupleTableSlot *slot)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	for (;;)
	{
		OffsetNumber off;
		ItemPointerData tid;

		if (scan->bitmap_ntuples >= 0)
		{
			if (scan->bitmap_next >= scan->bitmap_ntuples)
				return false;
			off = scan->bitmap_offsets[scan->bitmap_next++];
		}
		else
		{
			if (scan->bitmap_next >= COLUMNAR_ROWS_PER_BLOCK)
				return false;
			off = (OffsetNumber) (++scan->bitmap_next);
		}
		ItemPointerSet(&tid, scan->bitmap_block, off);
		if (columnar_fetch_row(scan->read, columnar_tid_to_row(&tid), slot))
			return true;
	}
}

/*
 * TABLESAMPLE.  Physical pages hold compressed columns, not rows, so the
 * sampling methods see virtual blocks instead: block b is the visible rows
 * ranked b * COLUMNAR_ROWS_PER_BLOCK onwards, in row-number order.  SYSTEM
 * then samples whole blocks of rows and BERNOULLI single rows, and
 * REPEATABLE gives the same rows again for the same data.
 */
static bool
columnarSampleNextBlock(TableScanDesc sscan, SampleScanState *scanstate)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;
	TsmRoutine *tsm = scanstate->tsmroutine;
	uint64		total = columnar_total_rows(scan->read);
	BlockNumber block;

	scan->sample_blocks = (BlockNumber) ((total + COLUMNAR_ROWS_PER_BLOCK - 1) / COLUMNAR_ROWS_PER_BLOCK);
	if (scan->sample_blocks == 0)
		return false;
	if (tsm->NextSampleBlock)
		block = tsm->NextSampleBlock(scanstate, scan->sample_blocks);
	else
		block = scan->sample_seq_next < scan->sample_blocks ? scan->sample_seq_next++ : InvalidBlockNumber;
	if (!BlockNumberIsValid(block))
		return false;
	scan->sample_block = block;
	scan->sample_next = (uint64) block * COLUMNAR_ROWS_PER_BLOCK;
	scan->sample_end = Min(total, scan->sample_next + COLUMNAR_ROWS_PER_BLOCK);
	return true;
}

static bool
columnarSampleNextTuple(TableScanDesc sscan, SampleScanState *scanstate,
						TupleTableSlot *slot)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;
	TsmRoutine *tsm = scanstate->tsmroutine;
	uint64		first = (uint64) scan->sample_block * COLUMNAR_ROWS_PER_BLOCK;
	OffsetNumber maxoffset = (OffsetNumber) (scan->sample_end - first);
	uint64		rank;

	if (tsm->NextSampleTuple)
	{
		OffsetNumber off = tsm->NextSampleTuple(scanstate, scan->sample_block, maxoffset);

		if (!OffsetNumberIsValid(off))
			return false;
		rank = first + off - 1;
	}
	else
	{
		if (scan->sample_next >= scan->sample_end)
			return false;
		rank = scan->sample_next++;
	}
	if (!columnar_read_nth(scan->read, rank, slot))
		return false;
	pgstat_count_heap_getnext(sscan->rs_rd);
	return true;
}

static const TableAmRoutine columnar_routine = {
	.type = T_TableAmRoutine,

	.slot_callbacks = columnarSlotCallbacks,

	.scan_begin = columnarBeginScan,
	.scan_end = columnarEndScan,
	.scan_rescan = columnarRescan,
	.scan_getnextslot = columnarGetNextSlot,

	.parallelscan_estimate = columnarParallelScanEstimate,
	.parallelscan_initialize = columnarParallelScanInitialize,
	.parallelscan_reinitialize = columnarParallelScanReinitialize,

	.index_fetch_begin = columnarIndexFetchBegin,
	.index_fetch_reset = columnarIndexFetchReset,
	.index_fetch_end = columnarIndexFetchEnd,
	.index_fetch_tuple = columnarIndexFetchTuple,

	.tuple_fetch_row_version = columnarFetchRowVersion,
	.tuple_tid_valid = columnarTidValid,
	.tuple_get_latest_tid = columnarGetLatestTid,
	.tuple_satisfies_snapshot = columnarSatisfiesSnapshot,
	.index_delete_tuples = columnarIndexDeleteTuples,

	.tuple_insert = columnarTupleInsert,
	.tuple_insert_speculative = columnarTupleInsertSpeculative,
	.tuple_complete_speculative = columnarTupleCompleteSpeculative,
	.multi_insert = columnarMultiInsert,
	.tuple_delete = columnarTupleDelete,
	.tuple_update = columnarTupleUpdate,
	.tuple_lock = columnarTupleLock,
	.finish_bulk_insert = columnarFinishBulkInsert,

	.relation_set_new_filenode = columnarSetNewFilenode,
	.relation_nontransactional_truncate = columnarNontransactionalTruncate,
	.relation_copy_data = columnarCopyData,
	.relation_copy_for_cluster = columnarCopyForCluster,
	.relation_vacuum = columnarVacuum,
	.scan_analyze_next_block = columnarAnalyzeNextBlock,
	.scan_analyze_next_tuple = columnarAnalyzeNextTuple,
	.index_build_range_scan = columnarIndexBuildRangeScan,
	.index_validate_scan = columnarIndexValidateScan,

	.relation_size = columnarRelationSize,
	.relation_needs_toast_table = columnarNeedsToastTable,
	.relation_toast_am = columnarToastAm,
	.relation_fetch_toast_slice = columnarFetchToastSlice,

	.relation_estimate_size = columnarEstimateSize,

	.scan_bitmap_next_block = columnarBitmapNextBlock,
	.scan_bitmap_next_tuple = columnarBitmapNextTuple,
	.scan_sample_next_block = columnarSampleNextBlock,
	.scan_sample_next_tuple = columnarSampleNextTuple,
};

const TableAmRoutine *
columnar_tableam(void)
{
	return &columnar_routine;
}
