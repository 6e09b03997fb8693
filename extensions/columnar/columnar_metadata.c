/*-------------------------------------------------------------------------
 *
 * columnar_metadata.c
 *	  The catalog tables of strata_columnar: storage, stripe, options.
 *
 Stripe rows carry MVCC for the data: a stripe's rows are visible exactly
 * when its catalog row is.  The writer inserts the row when the stripe is
 * flushed, with the command id of the statement that inserted the rows
 * rather than the current one: a stripe flushed at commit, or when a later
 * statement of the same transaction starts inserting, is then visible to
 * exactly the statements that should see its rows.  (heap_insert takes any
 * command id; an update would refuse a row of the same command.)
 *
 * A reservation row, inserted when a writer takes row numbers, is what a
 * concurrent unique check finds while those rows exist only in the
 * writer's memory.
 *
 * A row_mask row holds the rows one transaction deleted in one span of
 * row numbers (columnar_deletes.c); like a stripe row it is stamped with
 * the deleting command's id, so its visibility is the deletion's.  A
 * row_lock row holds rows a running transaction keeps locked
 * (columnar_rowlocks.c).
 *
 * The tables are ordinary heap tables of the extension, so they are
 * WAL-logged, vacuumed and frozen like any other; this file reads and writes
 * them with heap and index calls directly, below permission checks (users
 * have no privileges on them).
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#define Natts_stripe 7
#define Anum_stripe_storage_id 1
#define Anum_stripe_first_row 2
#define Anum_stripe_row_count 3
#define Anum_stripe_first_block 4
#define Anum_stripe_data_bytes 5
#define Anum_stripe_skiplist 6
#define Anum_stripe_sorted 7

#define Natts_options 8

#define Natts_row_mask 5
#define Anum_row_mask_storage_id 1
#define Anum_row_mask_first_row 2
#define Anum_row_mask_command_id 3
#define Anum_row_mask_deleted 4
#define Anum_row_mask_moved_to 5

#define Natts_row_lock 4

/*
 * Storage 0 is what pg_upgrade's restore gives a new table (storage ids
 * start at 1): it has no catalog rows, and the catalog may be half made
 * then (its indexes come after the restored tables'), so the readers the
 * restore reaches (index builds, foreign key checks, the planner) see it
 * empty without opening the catalog.
 */
#define PLACEHOLDER_STORAGE 0

Oid
columnar_metadata_relid(const char *name)
{
	Oid			nsp = get_namespace_oid("strata_columnar", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(name, nsp) : InvalidOid;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("strata_columnar metadata table \"%s\" does not exist", name),
				 errhint("Is the extension strata_columnar installed in this database?")));
	return relid;
}

/* Insert a tuple with the given command id, and its index entries. */
static void
insert_with_cid(Relation rel, HeapTuple tup, CommandId cid)
{
	heap_insert(rel, tup, cid, 0, NULL);
	if (!HeapTupleIsHeapOnly(tup))
	{
		CatalogIndexState indstate = CatalogOpenIndexes(rel);
		TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);
		int			i;

		ExecStoreHeapTuple(tup, slot, false);
		for (i = 0; i < indstate->ri_NumIndices; i++)
		{
			IndexInfo  *info = indstate->ri_IndexRelationInfo[i];
			Datum		values[INDEX_MAX_KEYS];
			bool		isnull[INDEX_MAX_KEYS];

			FormIndexDatum(info, slot, NULL, values, isnull);
			index_insert(indstate->ri_IndexRelationDescs[i], values, isnull,
						 &tup->t_self, rel,
						 indstate->ri_IndexRelationDescs[i]->rd_index->indisunique ?
						 UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
						 false, info);
		}
		ExecDropSingleTupleTableSlot(slot);
		CatalogCloseIndexes(indstate);
	}
}

uint64
columnar_new_storage_id(void)
{
	return (uint64) nextval_internal(columnar_metadata_relid("storage_id_seq"), false);
}

/* Delete every stripe row of a storage, and the storage row itself. */
static void
delete_storage(uint64 storage_id)
{
	const char *tables[] = {"stripe", "reservation", "row_mask", "row_lock",
	"removed_range", "free_extent", "storage"};
	int			t;

	for (t = 0; t < lengthof(tables); t++)
	{
		Relation	rel = table_open(columnar_metadata_relid(tables[t]), RowExclusiveLock);
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	tup;

		ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(storage_id));
		scan = systable_beginscan(rel, InvalidOid, false, SnapshotSelf, 1, &key);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
			simple_heap_delete(rel, &tup->t_self);
		systable_endscan(scan);
		table_close(rel, RowExclusiveLock);
	}
}

/* Record that relfilenode of relation relid holds the data of storage_id. */
void
columnar_storage_created(Oid relid, Oid relfilenode, uint64 storage_id)
{
	Relation	rel = table_open(columnar_metadata_relid("storage"), RowExclusiveLock);
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = Int64GetDatum(storage_id);
	values[1] = ObjectIdGetDatum(relfilenode);
	values[2] = ObjectIdGetDatum(relid);
	insert_with_cid(rel, heap_form_tuple(RelationGetDescr(rel), values, nulls),
					GetCurrentCommandId(true));
	table_close(rel, RowExclusiveLock);
}

/*
 * Remove the metadata of a storage whose relfilenode is being replaced
 * (TRUNCATE); transactional, so an abort brings it back with the old file.
 */
/* The data of storage_id moved to another relfilenode (SET TABLESPACE). */
void
columnar_move_storage(uint64 storage_id, Oid relfilenode)
{
	Relation	rel = table_open(columnar_metadata_relid("storage"), RowExclusiveLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(storage_id));
	scan = systable_beginscan(rel, InvalidOid, false, SnapshotSelf, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Datum		values[3];
		bool		nulls[3];
		bool		replace[3] = {false, true, false};
		HeapTuple	newtup;

		values[1] = ObjectIdGetDatum(relfilenode);
		nulls[1] = false;
		newtup = heap_modify_tuple(tup, RelationGetDescr(rel), values, nulls, replace);
		simple_heap_update(rel, &tup->t_self, newtup);
		if (!HeapTupleIsHeapOnly(newtup))
		{
			CatalogIndexState indstate = CatalogOpenIndexes(rel);
			Datum		ivalues[1] = {Int64GetDatum(storage_id)};
			bool		inulls[1] = {false};

			index_insert(indstate->ri_IndexRelationDescs[0], ivalues, inulls,
						 &newtup->t_self, rel, UNIQUE_CHECK_NO, false,
						 indstate->ri_IndexRelationInfo[0]);
			CatalogCloseIndexes(indstate);
		}
	}
	systable_endscan(scan);
	table_close(rel, RowExclusiveLock);
}

/*
 * Rows of the flushed stripes the catalog snapshot sees, less those the
 * row masks snapshot sees delete (none without a snapshot).
 */
static uint64
stored_rows(Relation rel, uint64 storage_id, Snapshot snapshot)
{
	Relation	srel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	uint64		rows = 0;

	if (storage_id == PLACEHOLDER_STORAGE)
		return 0;
	srel = table_open(columnar_metadata_relid("stripe"), AccessShareLock);

	ScanKeyInit(&key, Anum_stripe_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(storage_id));
	scan = systable_beginscan(srel, columnar_metadata_relid("stripe_pkey"), true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;

		heap_getattr(tup, Anum_stripe_first_block, RelationGetDescr(srel), &isnull);
		if (!isnull)
			rows += DatumGetInt64(heap_getattr(tup, Anum_stripe_row_count,
											   RelationGetDescr(srel), &isnull));
	}
	systable_endscan(scan);
	table_close(srel, AccessShareLock);
	if (snapshot != NULL)
		rows -= Min(rows, columnar_stored_deleted(rel, snapshot));
	return rows;
}

/* the stored part of each storage's row count, as of its counter */
typedef struct RowEstimate
{
	uint64		storage_id;
	uint32		version;
	uint64		rows;
} RowEstimate;

static HTAB *row_estimates = NULL;	/* in TopMemoryContext */

/* An abort takes back changes the kept counts followed: count afresh. */
void
columnar_row_counts_forget(void)
{
	if (row_estimates != NULL)
		hash_destroy(row_estimates);
	row_estimates = NULL;
}

/*
 * This backend changed a storage by delta rows, moving its counter from
 * before: its kept count follows when nobody else changed the storage.
 */
void
columnar_row_count_moved(uint64 storage_id, uint32 before, int64 delta)
{
	RowEstimate *e;

	if (row_estimates == NULL)
		return;
	e = hash_search(row_estimates, &storage_id, HASH_FIND, NULL);
	if (e == NULL || e->version != before)
		return;
	e->rows = delta < 0 ? e->rows - Min(e->rows, (uint64) -delta) : e->rows + (uint64) delta;
	e->version = before + 1;
}

/*
 * The planner's row count: rows of the flushed stripes, plus this
 * backend's unflushed ones, less the deleted ones VACUUM has not rewritten
 * away yet.  Reads only the row_count column, never a skip list.  The
 * stored part is kept until the storage's shared counter moves (a stripe
 * or mask written or removed anywhere): planning a one-row UPDATE by key
 * read every stripe and mask row again, and they pile up until VACUUM.
 * A transaction that commits moves no counter, so the count may lag its
 * masks' commit by a while; it is an estimate.
 */
uint64
columnar_count_rows(Relation rel)
{
	uint64		storage_id = columnar_storage_id(rel);
	uint64		rows;
	uint32		version;
	List	   *pending;
	ListCell   *lc;

	if (!ActiveSnapshotSet())
		rows = stored_rows(rel, storage_id, NULL);
	else if (columnar_storage_version(storage_id, &version))
	{
		RowEstimate *e;

		if (row_estimates == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(uint64);
			ctl.entrysize = sizeof(RowEstimate);
			ctl.hcxt = TopMemoryContext;
			row_estimates = hash_create("strata_columnar row counts", 64, &ctl,
										HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		}
		e = hash_search(row_estimates, &storage_id, HASH_FIND, NULL);
		if (e != NULL && e->version == version)
			rows = e->rows;
		else
		{
			rows = stored_rows(rel, storage_id, GetActiveSnapshot());
			e = hash_search(row_estimates, &storage_id, HASH_ENTER, NULL);
			e->version = version;
			e->rows = rows;
		}
	}
	else
		rows = stored_rows(rel, storage_id, GetActiveSnapshot());

	pending = columnar_pending_stripes(rel, NULL);
	foreach(lc, pending)
		rows += ((ColumnarStripe *) lfirst(lc))->row_count;
	columnar_release_pending(pending);
	if (ActiveSnapshotSet())
		rows -= Min(rows, columnar_pending_deleted(storage_id, GetActiveSnapshot()));
	return rows;
}

/* Delete one stripe's row (VACUUM merged its rows into a new stripe). */
void
columnar_delete_stripe(uint64 storage_id, uint64 first_row)
{
	Relation	rel = table_open(columnar_metadata_relid("stripe"), RowExclusiveLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&keys[0], Anum_stripe_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(storage_id));
	ScanKeyInit(&keys[1], Anum_stripe_first_row, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(first_row));
	scan = systable_beginscan(rel, InvalidOid, false, SnapshotSelf, 2, keys);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		simple_heap_delete(rel, &tup->t_self);
	systable_endscan(scan);
	table_close(rel, RowExclusiveLock);
	columnar_storage_changed(storage_id, 0, false);
}

void
columnar_drop_storage(uint64 storage_id)
{
	delete_storage(storage_id);
}

/* Record that [first_row, first_row + row_count) is being written by us. */
void
columnar_reserve_stripe(Relation rel, uint64 storage_id, uint64 first_row,
						uint64 row_count, CommandId cid)
{
	Relation	srel = table_open(columnar_metadata_relid("reservation"), RowExclusiveLock);
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = Int64GetDatum(storage_id);
	values[1] = Int64GetDatum(first_row);
	values[2] = Int64GetDatum(row_count);
	insert_with_cid(srel, heap_form_tuple(RelationGetDescr(srel), values, nulls), cid);
	table_close(srel, RowExclusiveLock);
}

/* Insert the row of a flushed stripe, stamped with its rows' command id. */
void
columnar_insert_stripe(Relation rel, uint64 storage_id, uint64 first_row,
					   uint64 row_count, BlockNumber first_block,
					   uint64 data_bytes, bytea *skiplist, bool sorted, CommandId cid)
{
	Relation	srel = table_open(columnar_metadata_relid("stripe"), RowExclusiveLock);
	Datum		values[Natts_stripe];
	bool		nulls[Natts_stripe] = {false, false, false, false, false, false, false};

	values[0] = Int64GetDatum(storage_id);
	values[1] = Int64GetDatum(first_row);
	values[2] = Int64GetDatum(row_count);
	values[3] = Int64GetDatum(first_block);
	values[4] = Int64GetDatum(data_bytes);
	values[5] = PointerGetDatum(skiplist);
	values[6] = BoolGetDatum(sorted);
	insert_with_cid(srel, heap_form_tuple(RelationGetDescr(srel), values, nulls), cid);
	table_close(srel, RowExclusiveLock);
	/* the writer's rows (moved ones too: VACUUM's removals say unknown) */
	columnar_storage_changed(storage_id, (int64) row_count, true);
}

static ColumnarStripe *
stripe_from_tuple(Relation rel, Relation srel, HeapTuple tup)
{
	Datum		values[Natts_stripe];
	bool		nulls[Natts_stripe];
	ColumnarStripe *stripe;

	heap_deform_tuple(tup, RelationGetDescr(srel), values, nulls);
	stripe = palloc0(sizeof(ColumnarStripe));
	stripe->first_row = DatumGetInt64(values[1]);
	stripe->row_count = DatumGetInt64(values[2]);
	stripe->first_block = (BlockNumber) DatumGetInt64(values[3]);
	stripe->data_bytes = DatumGetInt64(values[4]);
	stripe->sorted = DatumGetBool(values[6]);
	columnar_stripe_skiplist(rel, RelationGetRelid(srel), tup, DatumGetInt64(values[0]),
							 values[5], stripe);
	return stripe;
}

/* Every flushed stripe of a storage that snapshot sees, by first row. */
List *
columnar_read_stripes(Relation rel, uint64 storage_id, Snapshot snapshot)
{
	Relation	srel;
	Relation	irel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *stripes = NIL;

	if (storage_id == PLACEHOLDER_STORAGE)
		return NIL;
	srel = table_open(columnar_metadata_relid("stripe"), AccessShareLock);
	irel = index_open(columnar_metadata_relid("stripe_pkey"), AccessShareLock);

	ScanKeyInit(&key, Anum_stripe_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(storage_id));
	scan = systable_beginscan_ordered(srel, irel, snapshot, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, ForwardScanDirection)))
		stripes = lappend(stripes, stripe_from_tuple(rel, srel, tup));
	systable_endscan_ordered(scan);
	index_close(irel, AccessShareLock);
	table_close(srel, AccessShareLock);
	return stripes;
}

/*
 * The row of the table meta ("stripe" or "reservation") whose range covers
 * row under snapshot, as its first_row, or -1.
 */
static int64
find_covering(const char *meta, uint64 storage_id, uint64 row, Snapshot snapshot,
			  HeapTuple *copy)
{
	Relation	srel = table_open(columnar_metadata_relid(meta), AccessShareLock);
	Relation	irel = index_open(columnar_metadata_relid(psprintf("%s_pkey", meta)), AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;
	int64		found = -1;

	ScanKeyInit(&keys[0], Anum_stripe_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(storage_id));
	ScanKeyInit(&keys[1], Anum_stripe_first_row, BTLessEqualStrategyNumber, F_INT8LE,
				Int64GetDatum(row));
	scan = systable_beginscan_ordered(srel, irel, snapshot, 2, keys);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, BackwardScanDirection)))
	{
		bool		isnull;
		int64		first = DatumGetInt64(heap_getattr(tup, Anum_stripe_first_row,
													   RelationGetDescr(srel), &isnull));
		int64		count = DatumGetInt64(heap_getattr(tup, Anum_stripe_row_count,
													   RelationGetDescr(srel), &isnull));

		if (row < (uint64) (first + count))
		{
			found = first;
			if (copy != NULL)
				*copy = heap_copytuple(tup);
		}
		break;
	}
	systable_endscan_ordered(scan);
	index_close(irel, AccessShareLock);
	table_close(srel, AccessShareLock);
	return found;
}

/* The flushed stripe holding row under snapshot, or NULL. */
ColumnarStripe *
columnar_find_stripe(Relation rel, uint64 storage_id, uint64 row, Snapshot snapshot)
{
	HeapTuple	tup;
	ColumnarStripe *stripe;
	Relation	srel;

	if (find_covering("stripe", storage_id, row, snapshot, &tup) < 0)
		return NULL;
	srel = table_open(columnar_metadata_relid("stripe"), AccessShareLock);
	stripe = stripe_from_tuple(rel, srel, tup);
	table_close(srel, AccessShareLock);
	return stripe;
}

/*
 * Is row reserved by a transaction that snapshot sees?  Under a dirty
 * snapshot, one still in progress leaves its xid in snapshot->xmin.
 */
bool
columnar_row_reserved(uint64 storage_id, uint64 row, Snapshot snapshot)
{
	return find_covering("reservation", storage_id, row, snapshot, NULL) >= 0;
}

/*
 * Scan the rows of a catalog table keyed by (storage_id, first_row) through
 * index: a storage's, or one span's when span >= 0.
 */
static SysScanDesc
span_scan(Relation rel, const char *index, uint64 storage_id, int64 span, Snapshot snapshot)
{
	ScanKeyData keys[2];

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(storage_id));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(span));
	return systable_beginscan(rel, columnar_metadata_relid(index), true, snapshot,
							  span >= 0 ? 2 : 1, keys);
}

/* ---- row masks ---- */

/*
 * Insert one row mask, stamped with the deleting command's id.  A killed
 * mask (an aborted speculative insertion) records command_id -1: its rows
 * never existed for anyone.
 */
void
columnar_insert_mask(uint64 storage_id, uint64 first_row, CommandId cid,
					 bytea *deleted, bytea *moved_to, bool killed)
{
	Relation	mrel = table_open(columnar_metadata_relid("row_mask"), RowExclusiveLock);
	Datum		values[Natts_row_mask];
	bool		nulls[Natts_row_mask] = {false, false, false, false, moved_to == NULL};

	values[0] = Int64GetDatum(storage_id);
	values[1] = Int64GetDatum(first_row);
	values[2] = Int64GetDatum(killed ? -1 : (int64) cid);
	values[3] = PointerGetDatum(deleted);
	values[4] = PointerGetDatum(moved_to);
	insert_with_cid(mrel, heap_form_tuple(RelationGetDescr(mrel), values, nulls), cid);
	table_close(mrel, RowExclusiveLock);
}

/*
 * Hand every row mask of a storage (of one span when span >= 0) that
 * snapshot sees to fn, which returns false to stop.  Under a dirty
 * snapshot, mask->in_progress is the inserter still running, if any.
 */
void
columnar_scan_masks(uint64 storage_id, int64 span, Snapshot snapshot,
					ColumnarMaskVisitor fn, void *arg)
{
	Relation	mrel;
	SysScanDesc scan;
	HeapTuple	tup;
	TupleDesc	desc;

	if (storage_id == PLACEHOLDER_STORAGE)
		return;
	mrel = table_open(columnar_metadata_relid("row_mask"), AccessShareLock);
	scan = span_scan(mrel, "row_mask_span", storage_id, span, snapshot);
	desc = RelationGetDescr(mrel);

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		ColumnarMaskRow m;
		Datum		values[Natts_row_mask];
		bool		nulls[Natts_row_mask];
		bytea	   *deleted;
		bool		more;

		heap_deform_tuple(tup, desc, values, nulls);
		m.first_row = DatumGetInt64(values[1]);
		/* -1, a killed mask, reads as InvalidCommandId */
		m.cid = (CommandId) DatumGetInt64(values[2]);
		deleted = DatumGetByteaPP(values[3]);
		m.deleted = (const uint8 *) VARDATA_ANY(deleted);
		m.deleted_len = VARSIZE_ANY_EXHDR(deleted);
		/* detoasted only when a visitor needs it (columnar_mask_row_moved) */
		m.moved_raw = nulls[4] ? (Datum) 0 : values[4];
		m.xmin = HeapTupleHeaderGetXmin(tup->t_data);
		m.xmax = InvalidTransactionId;
		if (!(tup->t_data->t_infomask & HEAP_XMAX_INVALID) &&
			!HEAP_XMAX_IS_LOCKED_ONLY(tup->t_data->t_infomask))
			m.xmax = HeapTupleHeaderGetUpdateXid(tup->t_data);
		m.cmin = TransactionIdIsCurrentTransactionId(m.xmin) ?
			HeapTupleHeaderGetCmin(tup->t_data) : InvalidCommandId;
		m.in_progress = snapshot != NULL && snapshot->snapshot_type == SNAPSHOT_DIRTY ?
			snapshot->xmin : InvalidTransactionId;
		m.tid = tup->t_self;
		more = fn(&m, arg);
		if (!more)
			break;
	}
	systable_endscan(scan);
	table_close(mrel, AccessShareLock);
}

/*
 * A mask row's moved_to, detoasted (it is compressed when large), or NULL
 * when no row of it moved.
 */
const uint8 *
columnar_mask_row_moved(const ColumnarMaskRow *m, size_t *len)
{
	bytea	   *moved;

	*len = 0;
	if (m->moved_raw == (Datum) 0)
		return NULL;
	moved = DatumGetByteaPP(m->moved_raw);
	*len = VARSIZE_ANY_EXHDR(moved);
	return (const uint8 *) VARDATA_ANY(moved);
}

/* Delete the row mask at tid (VACUUM replaced it). */
void
columnar_delete_mask(ItemPointer tid)
{
	Relation	mrel = table_open(columnar_metadata_relid("row_mask"), RowExclusiveLock);

	simple_heap_delete(mrel, tid);
	table_close(mrel, RowExclusiveLock);
}

/* ---- row locks ---- */

/* Insert a row_lock row: rows of one span locked in mode. */
void
columnar_insert_row_lock(uint64 storage_id, uint64 first_row, LockTupleMode mode, bytea *locked)
{
	Relation	lrel = table_open(columnar_metadata_relid("row_lock"), RowExclusiveLock);
	Datum		values[Natts_row_lock];
	bool		nulls[Natts_row_lock] = {false, false, false, false};

	values[0] = Int64GetDatum(storage_id);
	values[1] = Int64GetDatum(first_row);
	values[2] = Int16GetDatum((int16) mode);
	values[3] = PointerGetDatum(locked);
	insert_with_cid(lrel, heap_form_tuple(RelationGetDescr(lrel), values, nulls),
					GetCurrentCommandId(true));
	table_close(lrel, RowExclusiveLock);
}

/*
 * Hand every row_lock row of a storage (of one span when span >= 0) that a
 * dirty snapshot sees, aborted writers' left out, to fn.
 */
void
columnar_scan_row_locks(uint64 storage_id, int64 span, ColumnarLockVisitor fn, void *arg)
{
	Relation	lrel = table_open(columnar_metadata_relid("row_lock"), AccessShareLock);
	SysScanDesc scan;
	HeapTuple	tup;
	SnapshotData dirty;

	InitDirtySnapshot(dirty);
	scan = span_scan(lrel, "row_lock_span", storage_id, span, &dirty);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		ColumnarLockRow l;
		Datum		values[Natts_row_lock];
		bool		nulls[Natts_row_lock];
		bytea	   *locked;

		heap_deform_tuple(tup, RelationGetDescr(lrel), values, nulls);
		l.first_row = DatumGetInt64(values[1]);
		l.mode = DatumGetInt16(values[2]);
		locked = DatumGetByteaPP(values[3]);
		l.locked = (const uint8 *) VARDATA_ANY(locked);
		l.locked_len = VARSIZE_ANY_EXHDR(locked);
		l.xmin = HeapTupleHeaderGetXmin(tup->t_data);
		l.tid = tup->t_self;
		fn(&l, arg);
	}
	systable_endscan(scan);
	table_close(lrel, AccessShareLock);
}

/*
 * Delete the row_lock row at tid, whose transaction has ended, unless
 * another transaction is deleting it too (that one will).
 */
void
columnar_delete_row_lock(ItemPointer tid)
{
	Relation	lrel = table_open(columnar_metadata_relid("row_lock"), RowExclusiveLock);
	TM_FailureData tmfd;

	(void) heap_delete(lrel, tid, GetCurrentCommandId(true), InvalidSnapshot, false, &tmfd,
					   false);
	table_close(lrel, RowExclusiveLock);
}

/*
 * The first row and row count of the stripe holding row that snapshot
 * sees, without reading its skip list; false when there is none.
 */
bool
columnar_stripe_range(uint64 storage_id, uint64 row, Snapshot snapshot,
					  uint64 *first_row, uint64 *row_count)
{
	HeapTuple	tup;
	bool		isnull;
	TupleDesc	desc;
	Relation	srel;
	int64		first = find_covering("stripe", storage_id, row, snapshot, &tup);

	if (first < 0)
		return false;
	srel = table_open(columnar_metadata_relid("stripe"), AccessShareLock);
	desc = RelationGetDescr(srel);
	*first_row = (uint64) first;
	*row_count = DatumGetInt64(heap_getattr(tup, Anum_stripe_row_count, desc, &isnull));
	table_close(srel, AccessShareLock);
	heap_freetuple(tup);
	return true;
}

/* ---- ranges VACUUM removed ---- */

/* Rows [first_row, first_row + row_count) are in no stripe any more. */
void
columnar_insert_removed(uint64 storage_id, uint64 first_row, uint64 row_count)
{
	Relation	rel = table_open(columnar_metadata_relid("removed_range"), RowExclusiveLock);
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = Int64GetDatum(storage_id);
	values[1] = Int64GetDatum(first_row);
	values[2] = Int64GetDatum(row_count);
	insert_with_cid(rel, heap_form_tuple(RelationGetDescr(rel), values, nulls),
					GetCurrentCommandId(true));
	table_close(rel, RowExclusiveLock);
}

/*
 * The removed ranges of a storage that every snapshot sees removed (their
 * VACUUM committed before oldest_xmin), as ColumnarRange entries sorted by
 * first row; each is deleted from the catalog as it is returned, since its
 * index entries are about to go.
 */
List *
columnar_take_removed(uint64 storage_id, TransactionId oldest_xmin)
{
	Relation	rel = table_open(columnar_metadata_relid("removed_range"), RowExclusiveLock);
	Relation	irel = index_open(columnar_metadata_relid("removed_range_pkey"), AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *ranges = NIL;
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(storage_id));
	scan = systable_beginscan_ordered(rel, irel, snapshot, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, ForwardScanDirection)))
	{
		TransactionId xmin = HeapTupleHeaderGetXmin(tup->t_data);
		ColumnarRange *r;
		bool		isnull;

		/*
		 * Visible, so committed or ours; old enough that no snapshot
		 * predates it.  A VACUUM's own ranges never are, though its xid may
		 * precede the horizon: the horizon leaves VACUUMs out.
		 */
		if (TransactionIdIsCurrentTransactionId(xmin) ||
			!TransactionIdPrecedes(xmin, oldest_xmin))
			continue;
		r = palloc(sizeof(ColumnarRange));
		r->first_row = DatumGetInt64(heap_getattr(tup, 2, RelationGetDescr(rel), &isnull));
		r->row_count = DatumGetInt64(heap_getattr(tup, 3, RelationGetDescr(rel), &isnull));
		ranges = lappend(ranges, r);
		simple_heap_delete(rel, &tup->t_self);
	}
	systable_endscan_ordered(scan);
	UnregisterSnapshot(snapshot);
	index_close(irel, AccessShareLock);
	table_close(rel, RowExclusiveLock);
	return ranges;
}

/* ---- options ---- */

static bool
read_options_row(Oid relid, ColumnarOptions *options)
{
	Relation	rel = table_open(columnar_metadata_relid("options"), AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	/* a catalog made by an older build of this version: refuse, not misread */
	if (RelationGetDescr(rel)->natts != Natts_options)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("strata_columnar's catalog \"%s\" has %d columns, this library expects %d",
						RelationGetRelationName(rel), RelationGetDescr(rel)->natts, Natts_options),
				 errhint("Recreate the extension strata_columnar.")));
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Datum		values[Natts_options];
		bool		nulls[Natts_options];
		char	   *codec;

		heap_deform_tuple(tup, RelationGetDescr(rel), values, nulls);
		options->stripe_row_limit = DatumGetInt32(values[1]);
		options->chunk_group_row_limit = DatumGetInt32(values[2]);
		codec = TextDatumGetCString(values[3]);
		if (!strata_codec_from_name(codec, &options->codec))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("strata_columnar options of relation %u name unknown codec \"%s\"",
							relid, codec)));
		options->compression_level = DatumGetInt32(values[4]);
		options->stripe_byte_limit = DatumGetInt32(values[5]);
		options->chunk_group_byte_limit = DatumGetInt32(values[6]);
		options->sort_nkeys = 0;
		if (!nulls[7])
		{
			Datum	   *names;
			int			n;
			int			i;

			deconstruct_array(DatumGetArrayTypeP(values[7]), TEXTOID, -1, false, TYPALIGN_INT,
							  &names, NULL, &n);
			/* by name, so that a dump restores it; a dropped column drops out */
			for (i = 0; i < n && options->sort_nkeys < COLUMNAR_MAX_SORT_KEYS; i++)
			{
				char	   *name = TextDatumGetCString(names[i]);
				AttrNumber	attno = get_attnum(relid, name);

				if (attno > 0)
					options->sort_attnums[options->sort_nkeys++] = attno;
			}
		}
		found = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* The options row of relid, if it has one. */
bool
columnar_read_options(Oid relid, ColumnarOptions *options)
{
	return read_options_row(relid, options);
}

void
columnar_get_options(Oid relid, ColumnarOptions *options)
{
	if (read_options_row(relid, options))
		return;
	options->sort_nkeys = 0;
	options->stripe_row_limit = columnar_stripe_row_limit;
	options->chunk_group_row_limit = columnar_chunk_group_row_limit;
	options->codec = (StrataCodec) columnar_compression;
	options->compression_level = columnar_compression_level;
	options->stripe_byte_limit = columnar_stripe_byte_limit;
	options->chunk_group_byte_limit = columnar_chunk_group_byte_limit;
	{
		int			minl,
					maxl,
					dflt;

		/* the level GUC covers every codec; one a codec lacks means its default */
		strata_codec_level_range(options->codec, &minl, &maxl, &dflt);
		if (options->compression_level < minl || options->compression_level > maxl)
			options->compression_level = dflt;
	}
}

/* Insert or replace a table's options row. */
void
columnar_store_options(Oid relid, const ColumnarOptions *options)
{
	Relation	rel = table_open(columnar_metadata_relid("options"), RowExclusiveLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Datum		values[Natts_options];
	bool		nulls[Natts_options] = {false, false, false, false, false, false, false, false};

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, SnapshotSelf, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		simple_heap_delete(rel, &tup->t_self);
	systable_endscan(scan);

	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int32GetDatum(options->stripe_row_limit);
	values[2] = Int32GetDatum(options->chunk_group_row_limit);
	values[3] = CStringGetTextDatum(strata_codec_name(options->codec));
	values[4] = Int32GetDatum(options->compression_level);
	values[5] = Int32GetDatum(options->stripe_byte_limit);
	values[6] = Int32GetDatum(options->chunk_group_byte_limit);
	if (options->sort_nkeys > 0)
	{
		Datum		names[COLUMNAR_MAX_SORT_KEYS];
		int			i;

		for (i = 0; i < options->sort_nkeys; i++)
			names[i] = CStringGetTextDatum(get_attname(relid, options->sort_attnums[i], false));
		values[7] = PointerGetDatum(construct_array(names, options->sort_nkeys, TEXTOID, -1,
													 false, TYPALIGN_INT));
	}
	else
		nulls[7] = true;
	insert_with_cid(rel, heap_form_tuple(RelationGetDescr(rel), values, nulls),
					GetCurrentCommandId(true));
	table_close(rel, RowExclusiveLock);
	CommandCounterIncrement();
}
