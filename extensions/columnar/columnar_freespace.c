/*-------------------------------------------------------------------------
 *
 * columnar_freespace.c
 *	  Reusing the pages of the stripes VACUUM dropped.
 *
 * strata_columnar.free_extent lists runs of a storage's pages that no
 * stripe uses.  VACUUM adds the pages of every stripe it drops, tagged
 * with the stripe's first row: the run is pending until no snapshot
 * anywhere can read that stripe.  No snapshot on this server being older
 * than the VACUUM is not enough: a hot standby would replay a new stripe's
 * pages under queries that still read the old one, and generic WAL carries
 * no recovery conflict.  So a run is freed only once the dropped stripe's
 * catalog row has been pruned away.  Heap pruning removes the row only when
 * it is dead to every snapshot here (and on standbys that send feedback),
 * and replaying its WAL record cancels the standby queries that could still
 * see it, before any later record reuses the pages.  Each VACUUM frees the
 * pending runs whose rows are gone, pruning the catalog page itself when
 * it can, and joins adjacent free runs.
 *
 * A writer takes the best-fitting free run by deleting its row without
 * waiting: a run another transaction is taking is skipped, and a writer
 * that aborts gives its run back with the deletion.  The pages it does not
 * need go back as a new free run; a run this transaction inserted is
 * invisible to others, so it is shrunk in place instead (a transaction
 * cannot delete a row of its own current command).
 *
 * A writer that aborts (or crashes) leaves the pages it filled unreachable:
 * its stripe row never commits.  VACUUM finds such pages when it holds the
 * table's ExclusiveLock, which no writer holds at the same time, as the
 * pages that no stripe row and no free run covers, and frees them.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "access/transam.h"
#include "storage/bufmgr.h"
#include "storage/procarray.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#define Natts_free_extent 4
#define Anum_free_extent_storage_id 1
#define Anum_free_extent_first_block 2
#define Anum_free_extent_block_count 3
#define Anum_free_extent_stripe 4

typedef struct FreeRun
{
	uint64		first;
	uint64		count;
	int64		stripe;			/* first row of the dropped stripe; -1: free */
	bool		own;			/* inserted by this transaction */
	bool		claimed;		/* deleted by us, to be joined */
	ItemPointerData tid;
} FreeRun;

static void
insert_run(Relation frel, uint64 storage_id, uint64 first, uint64 count, int64 stripe)
{
	Datum		values[Natts_free_extent];
	bool		nulls[Natts_free_extent] = {false, false, false, false};

	values[0] = Int64GetDatum(storage_id);
	values[1] = Int64GetDatum(first);
	values[2] = Int64GetDatum(count);
	values[3] = Int64GetDatum(stripe);
	nulls[3] = stripe < 0;
	CatalogTupleInsert(frel, heap_form_tuple(RelationGetDescr(frel), values, nulls));
}

/*
 * Did the transaction that inserted tup abort (or crash)?  Every other
 * row, committed, in progress or dead to everyone since, still counts.
 */
static bool
inserter_aborted(HeapTuple tup)
{
	HeapTupleHeader h = tup->t_data;
	TransactionId xmin;

	if (HeapTupleHeaderXminCommitted(h))
		return false;
	if (HeapTupleHeaderXminInvalid(h))
		return true;
	xmin = HeapTupleHeaderGetRawXmin(h);
	if (TransactionIdIsCurrentTransactionId(xmin) || TransactionIdIsInProgress(xmin))
		return false;
	return !TransactionIdDidCommit(xmin);
}

/*
 * The runs of a storage that snapshot sees.  Those who take or join runs
 * read with SnapshotSelf: runs not deleted, or being deleted by a
 * transaction still running (taking those fails without waiting).  They
 * hold a registered snapshot, so no run read here can be pruned, and its
 * TID reused, before they delete it.  With SnapshotAny: every version
 * whose inserter did not abort.
 */
static int
read_runs(Relation frel, uint64 storage_id, Snapshot snapshot, FreeRun **out)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	int			n = 0,
				cap = 16;
	FreeRun    *runs = palloc(sizeof(FreeRun) * cap);

	ScanKeyInit(&key, Anum_free_extent_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(storage_id));
	scan = systable_beginscan(frel, columnar_metadata_relid("free_extent_storage"), true,
							  snapshot, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Datum		values[Natts_free_extent];
		bool		nulls[Natts_free_extent];

		if (snapshot == SnapshotAny && inserter_aborted(tup))
			continue;
		heap_deform_tuple(tup, RelationGetDescr(frel), values, nulls);
		if (n == cap)
			runs = repalloc(runs, sizeof(FreeRun) * (cap *= 2));
		runs[n].first = DatumGetInt64(values[1]);
		runs[n].count = DatumGetInt64(values[2]);
		runs[n].stripe = nulls[3] ? -1 : DatumGetInt64(values[3]);
		runs[n].own = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tup->t_data));
		runs[n].claimed = false;
		runs[n].tid = tup->t_self;
		n++;
	}
	systable_endscan(scan);
	*out = runs;
	return n;
}

/* Delete a run's row unless another transaction is deleting or has deleted it. */
static bool
claim_run(Relation frel, FreeRun *run)
{
	TM_FailureData tmfd;

	return heap_delete(frel, &run->tid, GetCurrentCommandId(true), InvalidSnapshot,
					   false, &tmfd, false) == TM_Ok;
}

/*
 * Shrink a run this transaction inserted, which no one else can see yet:
 * in place, since it may be a row of the current command.  If the
 * subtransaction that wrote into the pages aborts, VACUUM frees them.
 */
static bool
shrink_own_run(Relation frel, FreeRun *run, uint64 nblocks)
{
	Datum		values[Natts_free_extent];
	bool		nulls[Natts_free_extent] = {false, false, false, false};
	bool		replace[Natts_free_extent] = {false, true, true, false};
	HeapTupleData oldtup;
	HeapTuple	newtup;
	Buffer		buf;

	oldtup.t_self = run->tid;
	if (!heap_fetch(frel, SnapshotSelf, &oldtup, &buf, false))
		return false;
	values[Anum_free_extent_first_block - 1] = Int64GetDatum(run->first + nblocks);
	values[Anum_free_extent_block_count - 1] = Int64GetDatum(run->count - nblocks);
	newtup = heap_modify_tuple(&oldtup, RelationGetDescr(frel), values, nulls, replace);
	ReleaseBuffer(buf);
	newtup->t_self = run->tid;
	heap_inplace_update(frel, newtup);
	return true;
}

static int
compare_fit(const void *a, const void *b)
{
	const FreeRun *x = a;
	const FreeRun *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * Take nblocks free pages in one run, the smallest run they fit; returns
 * the first, or InvalidBlockNumber if no free run is large enough.
 */
BlockNumber
columnar_take_free_pages(uint64 storage_id, uint64 nblocks)
{
	Relation	frel = table_open(columnar_metadata_relid("free_extent"), RowExclusiveLock);
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	FreeRun    *runs;
	int			n = read_runs(frel, storage_id, SnapshotSelf, &runs);
	int			nfit = 0;
	int			i;
	BlockNumber taken = InvalidBlockNumber;

	for (i = 0; i < n; i++)
		if (runs[i].stripe < 0 && runs[i].count >= nblocks)
			runs[nfit++] = runs[i];
	qsort(runs, nfit, sizeof(FreeRun), compare_fit);
	for (i = 0; i < nfit && taken == InvalidBlockNumber; i++)
	{
		if (runs[i].own)
		{
			if (shrink_own_run(frel, &runs[i], nblocks))
				taken = (BlockNumber) runs[i].first;
		}
		else if (claim_run(frel, &runs[i]))
		{
			if (runs[i].count > nblocks)
				insert_run(frel, storage_id, runs[i].first + nblocks,
						   runs[i].count - nblocks, -1);
			taken = (BlockNumber) runs[i].first;
		}
	}
	UnregisterSnapshot(snapshot);
	table_close(frel, RowExclusiveLock);
	return taken;
}

/* VACUUM dropped the stripe at first_row, whose data filled these pages. */
void
columnar_free_stripe_pages(uint64 storage_id, uint64 first_row, BlockNumber first_block,
						   uint64 nblocks)
{
	Relation	frel = table_open(columnar_metadata_relid("free_extent"), RowExclusiveLock);

	insert_run(frel, storage_id, first_block, nblocks, (int64) first_row);
	table_close(frel, RowExclusiveLock);
}

/* The TID of any version of the stripe's catalog row still on its page. */
static bool
stripe_row_exists(Relation srel, uint64 storage_id, uint64 first_row, ItemPointer tid)
{
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(storage_id));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(first_row));
	scan = systable_beginscan(srel, columnar_metadata_relid("stripe_pkey"), true,
							  SnapshotAny, 2, keys);
	tup = systable_getnext(scan);
	found = HeapTupleIsValid(tup);
	if (found)
		*tid = tup->t_self;
	systable_endscan(scan);
	return found;
}

/*
 * Is the dropped stripe's row gone from the catalog?  If its page can be
 * pruned now, prune it: that removes the row if it is dead to everyone.
 */
static bool
stripe_row_gone(Relation srel, uint64 storage_id, uint64 first_row)
{
	ItemPointerData tid;
	Buffer		buf;

	if (!stripe_row_exists(srel, storage_id, first_row, &tid))
		return true;
	buf = ReadBuffer(srel, ItemPointerGetBlockNumber(&tid));
	if (ConditionalLockBufferForCleanup(buf))
	{
		int			nnewlpdead;

		(void) heap_page_prune(srel, buf, InvalidTransactionId, GlobalVisTestFor(srel),
							   InvalidTransactionId, 0, &nnewlpdead, NULL);
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	}
	ReleaseBuffer(buf);
	return !stripe_row_exists(srel, storage_id, first_row, &tid);
}

static int
compare_first(const void *a, const void *b)
{
	const FreeRun *x = a;
	const FreeRun *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * VACUUM: free the pending runs whose stripe rows are gone, and join
 * adjacent free runs.  Returns the number of pages freed.
 */
uint64
columnar_release_free_pages(uint64 storage_id)
{
	Relation	frel = table_open(columnar_metadata_relid("free_extent"), RowExclusiveLock);
	Relation	srel = table_open(columnar_metadata_relid("stripe"), AccessShareLock);
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	FreeRun    *runs;
	int			n = read_runs(frel, storage_id, SnapshotSelf, &runs);
	int			nfree = 0;
	uint64		freed = 0;
	int			i,
				j,
				k,
				m;

	/* only VACUUM touches pending runs, and one VACUUM runs at a time */
	for (i = 0; i < n; i++)
	{
		if (runs[i].stripe >= 0 && !runs[i].own &&
			stripe_row_gone(srel, storage_id, (uint64) runs[i].stripe))
		{
			simple_heap_delete(frel, &runs[i].tid);
			runs[i].claimed = true;
			runs[i].stripe = -1;
			freed += runs[i].count;
		}
		if (runs[i].stripe < 0 && runs[i].count > 0)
			runs[nfree++] = runs[i];
		else if (runs[i].stripe < 0 && !runs[i].own)
			(void) claim_run(frel, &runs[i]);	/* used up */
	}
	qsort(runs, nfree, sizeof(FreeRun), compare_first);

	/*
	 * Join each stretch of adjacent runs into one run; a run another
	 * transaction is taking splits the stretch.
	 */
	for (i = 0; i < nfree; i = j + 1)
	{
		for (j = i; j + 1 < nfree && runs[j + 1].first == runs[j].first + runs[j].count;)
			j++;
		for (k = i; k <= j && j > i; k++)
			if (!runs[k].claimed && !runs[k].own)
				runs[k].claimed = claim_run(frel, &runs[k]);
		for (k = i; k <= j; k = m + 1)
		{
			m = k;
			if (!runs[k].claimed)
				continue;
			while (m + 1 <= j && runs[m + 1].claimed)
				m++;
			insert_run(frel, storage_id, runs[k].first,
					   runs[m].first + runs[m].count - runs[k].first, -1);
		}
	}
	UnregisterSnapshot(snapshot);
	table_close(srel, AccessShareLock);
	table_close(frel, RowExclusiveLock);
	return freed;
}

/*
 * VACUUM, holding the table's ExclusiveLock: free the pages of rel that no
 * stripe row and no free run covers, in any version whose inserter did not
 * abort.  No transaction that wrote into rel can be running (it would hold
 * a RowExclusiveLock until its end), so those pages were written by
 * transactions that aborted or crashed, and no snapshot, here or on a
 * standby, has a stripe row that reads them.  Returns the pages freed.
 */
uint64
columnar_reclaim_unused_pages(Relation rel, uint64 storage_id)
{
	Relation	srel = table_open(columnar_metadata_relid("stripe"), AccessShareLock);
	Relation	frel = table_open(columnar_metadata_relid("free_extent"), RowExclusiveLock);
	BlockNumber nblocks = RelationGetNumberOfBlocks(rel);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	FreeRun    *uses;
	int			n = read_runs(frel, storage_id, SnapshotAny, &uses);
	int			cap = n;
	uint64		next = 1;		/* block 0 is the metapage */
	uint64		freed = 0;
	int			i;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(storage_id));
	scan = systable_beginscan(srel, columnar_metadata_relid("stripe_pkey"), true,
							  SnapshotAny, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		first = heap_getattr(tup, 4, RelationGetDescr(srel), &isnull);

		if (isnull || inserter_aborted(tup))
			continue;			/* a reservation, or never committed */
		if (n == cap)
			uses = repalloc(uses, sizeof(FreeRun) * (cap = Max(cap * 2, 16)));
		uses[n].first = DatumGetInt64(first);
		uses[n].count = columnar_block_count(DatumGetInt64(heap_getattr(tup, 5, RelationGetDescr(srel),
																		 &isnull)));
		n++;
	}
	systable_endscan(scan);

	/* the gaps between what is covered, up to the relation's end */
	qsort(uses, n, sizeof(FreeRun), compare_first);
	for (i = 0; i <= n; i++)
	{
		uint64		start = i < n ? uses[i].first : nblocks;

		if (start > next && next < nblocks)
		{
			uint64		count = Min(start, nblocks) - next;

			insert_run(frel, storage_id, next, count, -1);
			freed += count;
		}
		if (i < n)
			next = Max(next, uses[i].first + uses[i].count);
	}
	table_close(frel, RowExclusiveLock);
	table_close(srel, AccessShareLock);
	return freed;
}

/* The free and pending runs snapshot sees, sorted by first block. */
List *
columnar_free_runs(uint64 storage_id, Snapshot snapshot)
{
	Relation	frel = table_open(columnar_metadata_relid("free_extent"), AccessShareLock);
	FreeRun    *runs;
	int			n = read_runs(frel, storage_id, snapshot, &runs);
	List	   *list = NIL;
	int			i;

	table_close(frel, AccessShareLock);
	qsort(runs, n, sizeof(FreeRun), compare_first);
	for (i = 0; i < n; i++)
	{
		ColumnarFreeRun *r;

		if (runs[i].count == 0)
			continue;			/* a run its taker used up */
		r = palloc(sizeof(ColumnarFreeRun));
		r->first_block = runs[i].first;
		r->block_count = runs[i].count;
		r->pending = runs[i].stripe >= 0;
		list = lappend(list, r);
	}
	return list;
}
