/*-------------------------------------------------------------------------
 *
 * columnar_deletes.c
 *	  Deleted rows: this transaction's deletions, the row masks they become,
 *	  and what a snapshot sees of them.
 *
 * Stripes are never written again, so a deleted row is recorded beside
 * them: a row_mask row (columnar_metadata.c) lists the rows one transaction
 * deleted in one span of COLUMNAR_MASK_SPAN row numbers, and for an UPDATE
 * where each row's new version went.  A reader sees a deletion exactly when
 * its snapshot sees the row_mask row, so MVCC for deletes is the catalog's
 * own, as it is for inserts through stripe rows.
 *
 * Deleting row r (columnar_delete_row):
 *	1. take r's tuple lock, a heavyweight lock on its TID, as heap does while
 *	   it waits for a row; concurrent deleters of other rows never meet;
 *	2. look r up: deleted by us, by a transaction still running (wait for it
 *	   and look again), or by a committed one (TM_Deleted, or TM_Updated with
 *	   the new version's TID for EvalPlanQual to follow);
 *	3. note r in this transaction's pending mask of r's span, keeping the lock.
 * Pending masks are written as row_mask rows at the end of each statement,
 * when a transaction holds MAX_HELD_LOCKS tuple locks, and before commit;
 * their locks are then released: the uncommitted row_mask row is what the
 * next deleter finds and waits for, as heap's xmax.  So a bulk DELETE holds
 * a bounded number of locks.  Row locks (SELECT ... FOR UPDATE, foreign key
 * checks) share that bound: their tuple locks are kept across statements
 * until there are too many, then become row_lock rows (columnar_rowlocks.c),
 * which deleters and lockers wait on in the same way.
 *
 * Looking a row up would read every row mask of its span from the catalog,
 * once per deleted row.  When strata_columnar is preloaded, a shared array
 * of counters, one per hash of (storage, span), is bumped whenever a mask of
 * the span is written or removed, before the writer releases its tuple
 * locks; a backend keeps the masks of a span it read, with the counter it
 * saw, and reads them again only when the counter moved.  Whether a cached
 * mask's transaction is ours, running, committed or aborted is asked anew
 * each time.
 *
 * A pending mask belongs to one subtransaction and one command; it is only
 * written in its own subtransaction (an aborted one takes it along, a
 * committed one hands it to its parent), and stamped with its command id,
 * so later commands of the transaction see it and its own command does not.
 * Until it is written, readers of this backend merge it in themselves.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/transam.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "storage/predicate.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

/* tuple locks a transaction holds for unwritten deletions, at most */
#define MAX_HELD_LOCKS 256

typedef struct PendingMask
{
	Oid			relid;
	uint64		storage_id;
	uint64		span;			/* first row of the span */
	SubTransactionId subxid;
	CommandId	cid;
	uint32		count;
	uint8		bits[COLUMNAR_MASK_BYTES];
	/* updates: the new row of each moved offset, in no order */
	uint16	   *moved_off;
	uint64	   *moved_row;
	uint32		nmoved;
	uint32		moved_cap;
} PendingMask;

typedef struct HeldLock
{
	LOCKTAG		tag;
	LOCKMODE	mode;
	SubTransactionId subxid;
	bool		row_lock;		/* guards a row lock, not a pending deletion */
} HeldLock;

/* both live in TopTransactionContext */
static List *pending_masks = NIL;
static HeldLock *held_locks = NULL;
static int	nheld = 0;

/* the stripes a deleter found alive while holding its table lock */
typedef struct CheckedStripe
{
	uint64		storage_id;
	uint64		first_row;
	uint64		row_count;
} CheckedStripe;
static List *checked_stripes = NIL;

/*
 * The fetch state that lock_row reads locked rows with, kept for the
 * statement: a SELECT ... FOR UPDATE locks rows in the order it scanned
 * them, and the chunk group decoded for one serves the next.  Forgotten
 * when any statement ends (columnar_forget_lock_fetch), so the snapshot
 * it was made for is still registered while it is used.
 */
typedef struct LockFetch
{
	Oid			relid;
	Snapshot	snapshot;
	CommandId	curcid;
	ColumnarReadState *read;	/* in TopTransactionContext */
} LockFetch;

static LockFetch lock_fetch;

/* ---- span counters (shared) and this backend's cache of masks ---- */

#define SPAN_COUNTERS 65536

static pg_atomic_uint32 *span_counters = NULL;

typedef struct CachedMask
{
	TransactionId xmin;
	TransactionId xmax;			/* its deleter (a VACUUM), or invalid */
	CommandId	cmin;			/* when xmin is this transaction's */
	CommandId	cid;
	uint8	   *deleted;
	size_t		deleted_len;
	uint8	   *moved;			/* NULL: none moved */
	size_t		moved_len;
} CachedMask;


typedef struct SpanCacheEntry
{
	ColumnarSpanKey key;
	uint32		counter;		/* the span's counter when read */
	int			nmasks;
	CachedMask *masks;
} SpanCacheEntry;

static HTAB *span_cache = NULL;	/* in TopTransactionContext */

Size
columnar_deletes_shmem_size(void)
{
	return sizeof(pg_atomic_uint32) * SPAN_COUNTERS;
}

void
columnar_deletes_shmem_init(void)
{
	bool		found;
	int			i;

	span_counters = ShmemInitStruct("strata_columnar span counters",
									columnar_deletes_shmem_size(), &found);
	if (!found)
		for (i = 0; i < SPAN_COUNTERS; i++)
			pg_atomic_init_u32(&span_counters[i], 0);
}

static inline pg_atomic_uint32 *
span_counter(uint64 storage_id, uint64 span)
{
	uint64		h = hash_combine64(hash_bytes_uint32((uint32) storage_id) ^ (storage_id >> 32), span / COLUMNAR_MASK_SPAN * UINT64CONST(0x9E3779B97F4A7C15));

	return &span_counters[h % SPAN_COUNTERS];
}

/*
 * The masks of a span changed: caches of it in every backend are stale.
 * Returns the counter as it was (0 without counters).
 */
uint32
columnar_span_changed(uint64 storage_id, uint64 span)
{
	columnar_storage_changed(storage_id, 0, false);
	return columnar_span_locks_changed(storage_id, span);
}

/* Only the row locks of a span changed: the row count did not. */
uint32
columnar_span_locks_changed(uint64 storage_id, uint64 span)
{
	if (span_counters == NULL)
		return 0;
	return pg_atomic_fetch_add_u32(span_counter(storage_id, span), 1);
}

/*
 * A storage's own counter, in a slot no span of it maps to, moves with any
 * change to its stripes or masks: the planner's row count is kept by it.
 * With known, the change added delta rows (a stripe flushed, rows
 * deleted), and this backend's count follows without reading the catalog.
 */
#define STORAGE_SPAN PG_UINT64_MAX

void
columnar_storage_changed(uint64 storage_id, int64 delta, bool known)
{
	uint32		before;

	if (span_counters == NULL)
		return;
	before = pg_atomic_fetch_add_u32(span_counter(storage_id, STORAGE_SPAN), 1);
	if (known)
		columnar_row_count_moved(storage_id, before, delta);
}

bool
columnar_storage_version(uint64 storage_id, uint32 *version)
{
	return columnar_span_version(storage_id, STORAGE_SPAN, version);
}

/*
 * The span's counter, for caches of what the catalog holds about it; false
 * when there are no counters (not preloaded) and nothing can be cached.
 * Read it before reading the catalog, so a change made meanwhile shows.
 */
bool
columnar_span_version(uint64 storage_id, uint64 span, uint32 *version)
{
	if (span_counters == NULL)
		return false;
	pg_memory_barrier();
	*version = pg_atomic_read_u32(span_counter(storage_id, span));
	return true;
}

/* A cache keyed by span (ColumnarSpanKey first in each entry), for the transaction. */
HTAB *
columnar_span_cache_create(const char *name, Size entrysize)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(ColumnarSpanKey);
	ctl.entrysize = entrysize;
	ctl.hcxt = TopTransactionContext;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

void *
columnar_span_cache_find(HTAB *cache, uint64 storage_id, uint64 span, HASHACTION action,
						 bool *found)
{
	ColumnarSpanKey key;

	memset(&key, 0, sizeof(key));
	key.storage_id = storage_id;
	key.span = span;
	return hash_search(cache, &key, action, found);
}

/* heap's mapping of row lock strength to lock manager modes */
static const LOCKMODE row_lock_modes[] = {
	AccessShareLock,			/* LockTupleKeyShare */
	RowShareLock,				/* LockTupleShare */
	ExclusiveLock,				/* LockTupleNoKeyExclusive */
	AccessExclusiveLock			/* LockTupleExclusive */
};

static inline uint64
span_of(uint64 row)
{
	return row - row % COLUMNAR_MASK_SPAN;
}

static inline bool
bit_set(const uint8 *bits, uint32 off)
{
	return (bits[off >> 3] >> (off & 7)) & 1;
}

static void
mask_corrupt(Relation rel, uint64 first_row, const ColumnarFormatError *err)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("strata_columnar table \"%s\" has a corrupt row mask for rows from %llu",
					rel != NULL ? RelationGetRelationName(rel) : "?",
					(unsigned long long) first_row),
			 errdetail("%s, at byte %zu.", err->message, err->offset)));
}

/* ---- tuple locks ---- */

/*
 * Take the tuple lock of tid in the current subtransaction's resource
 * owner, not the portal's: it must outlive the statement when FOR UPDATE
 * took it, and be releasable by a later statement that writes its mask.
 */
static bool
acquire_tuple_lock(Relation rel, ItemPointer tid, LOCKMODE mode, bool wait, LOCKTAG *tag)
{
	ResourceOwner save = CurrentResourceOwner;
	LockAcquireResult res;

	SET_LOCKTAG_TUPLE(*tag, MyDatabaseId, RelationGetRelid(rel),
					  ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
	CurrentResourceOwner = CurTransactionResourceOwner;
	PG_TRY();
	{
		res = LockAcquire(tag, mode, false, !wait);
	}
	PG_FINALLY();
	{
		CurrentResourceOwner = save;
	}
	PG_END_TRY();
	return res != LOCKACQUIRE_NOT_AVAIL;
}

static void
release_tuple_lock(const LOCKTAG *tag, LOCKMODE mode)
{
	ResourceOwner save = CurrentResourceOwner;

	CurrentResourceOwner = CurTransactionResourceOwner;
	LockRelease(tag, mode, false);
	CurrentResourceOwner = save;
}

/* ---- this transaction's pending masks ---- */

static PendingMask *
find_pending(uint64 storage_id, uint64 span, SubTransactionId subxid, CommandId cid)
{
	ListCell   *lc;

	foreach(lc, pending_masks)
	{
		PendingMask *p = lfirst(lc);

		if (p->storage_id == storage_id && p->span == span && p->subxid == subxid && p->cid == cid)
			return p;
	}
	return NULL;
}

/* Record that offset off of p's span moved to new_row (an UPDATE). */
static void
pending_add_moved(PendingMask *p, uint32 off, uint64 new_row)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	if (p->nmoved == p->moved_cap)
	{
		p->moved_cap = Max(16, p->moved_cap * 2);
		p->moved_off = p->moved_off ? repalloc(p->moved_off, sizeof(uint16) * p->moved_cap) :
			palloc(sizeof(uint16) * p->moved_cap);
		p->moved_row = p->moved_row ? repalloc(p->moved_row, sizeof(uint64) * p->moved_cap) :
			palloc(sizeof(uint64) * p->moved_cap);
	}
	p->moved_off[p->nmoved] = (uint16) off;
	p->moved_row[p->nmoved] = new_row;
	p->nmoved++;
	MemoryContextSwitchTo(old);
}

static void
note_deleted(Relation rel, uint64 storage_id, uint64 row, CommandId cid, uint64 new_row)
{
	uint64		span = span_of(row);
	uint32		off = (uint32) (row - span);
	SubTransactionId subxid = GetCurrentSubTransactionId();
	PendingMask *p = NIL != pending_masks ? llast(pending_masks) : NULL;
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	if (p == NULL || p->storage_id != storage_id || p->span != span ||
		p->subxid != subxid || p->cid != cid)
		p = find_pending(storage_id, span, subxid, cid);
	if (p == NULL)
	{
		p = palloc0(sizeof(PendingMask));
		p->relid = RelationGetRelid(rel);
		p->storage_id = storage_id;
		p->span = span;
		p->subxid = subxid;
		p->cid = cid;
		pending_masks = lappend(pending_masks, p);
	}
	else if (p != llast(pending_masks))
	{
		/* keep the one in use last: the next row is most likely its */
		pending_masks = list_delete_ptr(pending_masks, p);
		pending_masks = lappend(pending_masks, p);
	}
	Assert(!bit_set(p->bits, off));
	p->bits[off >> 3] |= (uint8) (1 << (off & 7));
	p->count++;
	MemoryContextSwitchTo(old);
	if (new_row != 0)
		pending_add_moved(p, off, new_row);
}

static uint64
pending_moved(const PendingMask *p, uint32 off)
{
	uint32		i;

	for (i = 0; i < p->nmoved; i++)
		if (p->moved_off[i] == off)
			return p->moved_row[i];
	return 0;
}

/*
 * The rows set in bits (count of them) as a row mask (columnar_format.c),
 * their offsets in ascending order left in offsets (count entries).
 */
bytea *
columnar_mask_bytea(const uint8 *bits, uint32 count, uint16 *offsets)
{
	bytea	   *out = palloc(VARHDRSZ + 1 + COLUMNAR_MASK_BYTES);
	uint32		n = 0;
	uint32		i;

	for (i = 0; i < COLUMNAR_MASK_BYTES; i++)
	{
		uint8		b = bits[i];

		while (b != 0)
		{
			offsets[n++] = (uint16) (i * 8 + __builtin_ctz(b));
			b &= (uint8) (b - 1);
		}
	}
	Assert(n == count);
	SET_VARSIZE(out, VARHDRSZ + columnar_mask_encode(offsets, n, (uint8 *) VARDATA(out)));
	return out;
}

static void cache_own_mask(uint64 storage_id, uint64 span, uint32 before, CommandId cid,
						   const bytea *deleted, const bytea *moved_to);

/*
 * Write a row_mask row for the rows set in bits (count of them), with, when
 * moved is not NULL, the new row of each deleted offset (0: none).  Its
 * span changes for every backend's cache before the caller's tuple locks
 * go: a deleter that gets one must see the mask.  own: a deletion of this
 * backend's, which its own cache of the span takes in without reading the
 * span again (a loop of one-row DELETEs would read it once per row).
 */
static void
write_mask_row(uint64 storage_id, uint64 span, CommandId cid, const uint8 *bits,
			   uint32 count, const uint64 *moved, bool killed, bool own)
{
	uint16	   *offsets = palloc(sizeof(uint16) * Max(count, 1));
	bytea	   *deleted = columnar_mask_bytea(bits, count, offsets);
	bytea	   *moved_to = NULL;
	uint32		before;
	uint32		i;

	if (moved != NULL)
	{
		moved_to = palloc(VARHDRSZ + sizeof(uint64) * count);
		SET_VARSIZE(moved_to, VARHDRSZ + sizeof(uint64) * count);
		for (i = 0; i < count; i++)
			memcpy(VARDATA(moved_to) + i * sizeof(uint64), &moved[offsets[i]], sizeof(uint64));
	}
	columnar_insert_mask(storage_id, span, cid, deleted, moved_to, killed);
	columnar_storage_changed(storage_id, -(int64) count, own);
	before = columnar_span_locks_changed(storage_id, span);
	if (own)
		cache_own_mask(storage_id, span, before, cid, deleted, moved_to);
	pfree(offsets);
	pfree(deleted);
	if (moved_to != NULL)
		pfree(moved_to);
}

/* Write a row_mask row (VACUUM's merges, killed rows). */
void
columnar_write_mask(uint64 storage_id, uint64 span, CommandId cid, const uint8 *bits,
					uint32 count, const uint64 *moved, bool killed)
{
	write_mask_row(storage_id, span, cid, bits, count, moved, killed, false);
}

/* Write one pending mask as a row_mask row. */
static void
write_mask(PendingMask *p)
{
	uint64	   *moved = NULL;
	uint32		i;

	if (p->nmoved > 0)
	{
		moved = palloc0(sizeof(uint64) * COLUMNAR_MASK_SPAN);
		for (i = 0; i < p->nmoved; i++)
			moved[p->moved_off[i]] = p->moved_row[i];
	}
	write_mask_row(p->storage_id, p->span, p->cid, p->bits, p->count, moved, false, true);
	if (moved != NULL)
		pfree(moved);
}

/* Release the current subtransaction's tuple locks of one kind. */
static void
release_held(SubTransactionId subxid, bool row_locks)
{
	int			i,
				kept = 0;

	for (i = 0; i < nheld; i++)
	{
		if (held_locks[i].subxid == subxid && held_locks[i].row_lock == row_locks)
			release_tuple_lock(&held_locks[i].tag, held_locks[i].mode);
		else
			held_locks[kept++] = held_locks[i];
	}
	nheld = kept;
}

/*
 * Write the current subtransaction's pending masks and release the tuple
 * locks that guarded them.  Needs a transaction that can write.
 */
void
columnar_flush_deletes(void)
{
	SubTransactionId subxid;
	ListCell   *lc;

	if (pending_masks == NIL && nheld == 0)
		return;
	subxid = GetCurrentSubTransactionId();
	foreach(lc, pending_masks)
	{
		PendingMask *p = lfirst(lc);

		if (p->subxid != subxid)
			continue;
		write_mask(p);
		pending_masks = foreach_delete_current(pending_masks, lc);
		if (p->moved_off)
		{
			pfree(p->moved_off);
			pfree(p->moved_row);
		}
		pfree(p);
	}
	/* the masks are in the catalog now: they are what a deleter waits on */
	release_held(subxid, false);
}

/*
 * Keep a tuple lock until what it guards is in the catalog: a deletion
 * until its statement ends, a row lock until the transaction does.  Past
 * MAX_HELD_LOCKS, pending deletions and then row locks are written out.
 */
static void
hold_tuple_lock(const LOCKTAG *tag, LOCKMODE mode, bool row_lock)
{
	SubTransactionId subxid = GetCurrentSubTransactionId();
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	if (held_locks == NULL)
		held_locks = palloc(sizeof(HeldLock) * MAX_HELD_LOCKS);
	MemoryContextSwitchTo(old);
	held_locks[nheld].tag = *tag;
	held_locks[nheld].mode = mode;
	held_locks[nheld].subxid = subxid;
	held_locks[nheld].row_lock = row_lock;
	nheld++;
	if (nheld < MAX_HELD_LOCKS)
		return;
	columnar_flush_deletes();
	if (nheld >= MAX_HELD_LOCKS)
	{
		columnar_write_row_locks();
		release_held(subxid, true);
	}
	if (nheld >= MAX_HELD_LOCKS)
	{
		/* outer subtransactions hold them all: keep them, grow */
		old = MemoryContextSwitchTo(TopTransactionContext);
		held_locks = repalloc(held_locks, sizeof(HeldLock) * (nheld + MAX_HELD_LOCKS));
		MemoryContextSwitchTo(old);
	}
}

bool
columnar_has_pending_deletes(Oid relid)
{
	ListCell   *lc;

	foreach(lc, pending_masks)
		if (((PendingMask *) lfirst(lc))->relid == relid)
			return true;
	return false;
}

void
columnar_deletes_xact_callback(XactEvent event)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			columnar_flush_deletes();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			columnar_row_counts_forget();
			/* FALLTHROUGH */
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			/* memory goes with TopTransactionContext, locks with the owner */
			pending_masks = NIL;
			held_locks = NULL;
			nheld = 0;
			memset(&lock_fetch, 0, sizeof(lock_fetch));
			checked_stripes = NIL;
			span_cache = NULL;
			break;
	}
}

void
columnar_deletes_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								  SubTransactionId parentSubid)
{
	ListCell   *lc;
	int			i,
				kept = 0;

	switch (event)
	{
		case SUBXACT_EVENT_ABORT_SUB:
			columnar_forget_lock_fetch();
			columnar_row_counts_forget();
			/* its masks are void, its locks already released */
			foreach(lc, pending_masks)
				if (((PendingMask *) lfirst(lc))->subxid == mySubid)
					pending_masks = foreach_delete_current(pending_masks, lc);
			for (i = 0; i < nheld; i++)
				if (held_locks[i].subxid != mySubid)
					held_locks[kept++] = held_locks[i];
			nheld = kept;
			/* a stripe checked in it may have been checked by it alone */
			checked_stripes = NIL;
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
			foreach(lc, pending_masks)
			{
				PendingMask *p = lfirst(lc);

				if (p->subxid == mySubid)
				{
					PendingMask *into = find_pending(p->storage_id, p->span, parentSubid, p->cid);

					p->subxid = parentSubid;
					if (into != NULL && into != p)
					{
						/* the parent deleted other rows of the span in the same command */
						int			b;
						uint32		m;

						for (b = 0; b < COLUMNAR_MASK_BYTES; b++)
							into->bits[b] |= p->bits[b];
						into->count += p->count;
						for (m = 0; m < p->nmoved; m++)
							pending_add_moved(into, p->moved_off[m], p->moved_row[m]);
						pending_masks = foreach_delete_current(pending_masks, lc);
					}
				}
			}
			for (i = 0; i < nheld; i++)
				if (held_locks[i].subxid == mySubid)
					held_locks[i].subxid = parentSubid;
			break;
		default:
			break;
	}
}

/* ---- what has happened to a row ---- */

typedef struct StateSearch
{
	Relation	rel;
	uint32		off;
	ColumnarRowState state;
	ColumnarDeleter *who;
} StateSearch;

static bool
state_visitor(const ColumnarMaskRow *m, void *arg)
{
	StateSearch *s = arg;
	uint32		rank;

	/* find checks its bounds; scans parse (and refuse) a corrupt mask */
	if (!columnar_mask_find(m->deleted, m->deleted_len, s->off, &rank))
		return true;
	if (m->cid == InvalidCommandId)
	{
		/* killed: the row never existed */
		s->who->xid = m->xmin;
		s->state = COLUMNAR_ROW_DELETED;
		return false;
	}
	{
		size_t		len;
		const uint8 *moved = columnar_mask_row_moved(m, &len);

		s->who->moved_to = columnar_mask_moved(moved, len, rank);
	}
	s->who->cid = m->cid;
	if (TransactionIdIsCurrentTransactionId(m->xmin))
	{
		s->who->xid = m->xmin;
		s->state = COLUMNAR_ROW_DELETED_BY_US;
	}
	else if (TransactionIdIsValid(m->in_progress))
	{
		s->who->xid = m->in_progress;
		s->state = COLUMNAR_ROW_DELETE_IN_PROGRESS;
	}
	else
	{
		s->who->xid = m->xmin;
		s->state = COLUMNAR_ROW_DELETED;
	}
	return false;
}

static void
cache_mask(SpanCacheEntry *e, TransactionId xmin, TransactionId xmax, CommandId cmin,
		   CommandId cid, const uint8 *deleted, size_t deleted_len, const uint8 *moved,
		   size_t moved_len)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	CachedMask *c;

	if (e->nmasks % 8 == 0)
		e->masks = e->masks == NULL ? palloc(sizeof(CachedMask) * 8) :
			repalloc(e->masks, sizeof(CachedMask) * (e->nmasks + 8));
	c = &e->masks[e->nmasks++];
	c->xmin = xmin;
	c->xmax = xmax;
	c->cmin = cmin;
	c->cid = cid;
	c->deleted = palloc(deleted_len);
	memcpy(c->deleted, deleted, deleted_len);
	c->deleted_len = deleted_len;
	c->moved = NULL;
	c->moved_len = moved_len;
	if (moved != NULL)
	{
		c->moved = palloc(moved_len);
		memcpy(c->moved, moved, moved_len);
	}
	MemoryContextSwitchTo(old);
}

static bool
cache_visitor(const ColumnarMaskRow *m, void *arg)
{
	size_t		moved_len = 0;
	const uint8 *moved = NULL;

	/*
	 * Where updated rows went matters only while the mask row counts for
	 * columnar_row_state: not once a committed VACUUM deleted it, nor when
	 * its inserter aborted.  Such a row's moved_to may be TOASTed, and its
	 * TOAST chunks vacuumed away already: it is not read.
	 */
	if (!(TransactionIdIsValid(m->xmax) && TransactionIdDidCommit(m->xmax)) &&
		(TransactionIdIsCurrentTransactionId(m->xmin) || TransactionIdIsInProgress(m->xmin) ||
		 TransactionIdDidCommit(m->xmin)))
		moved = columnar_mask_row_moved(m, &moved_len);
	cache_mask(arg, m->xmin, m->xmax, m->cmin, m->cid, m->deleted, m->deleted_len,
			   moved, moved_len);
	return true;
}

/*
 * This backend's copy of every row_mask row of a span, current as of the
 * span's counter.  Rows are read under SnapshotAny, with their inserter
 * and deleter, so that the copy answers both what has happened to a row
 * (columnar_row_state) and what an MVCC snapshot sees (span_bits).
 */
static SpanCacheEntry *
span_entry(uint64 storage_id, uint64 span)
{
	SpanCacheEntry *e;
	bool		found;
	uint32		counter;
	int			i;

	if (span_cache == NULL)
		span_cache = columnar_span_cache_create("strata_columnar span masks",
												sizeof(SpanCacheEntry));
	e = columnar_span_cache_find(span_cache, storage_id, span, HASH_ENTER, &found);
	(void) columnar_span_version(storage_id, span, &counter);
	if (found && e->counter == counter)
		return e;
	if (found)
	{
		for (i = 0; i < e->nmasks; i++)
		{
			pfree(e->masks[i].deleted);
			if (e->masks[i].moved)
				pfree(e->masks[i].moved);
		}
		if (e->masks)
			pfree(e->masks);
	}
	e->nmasks = 0;
	e->masks = NULL;
	e->counter = counter;
	columnar_scan_masks(storage_id, (int64) span, SnapshotAny, cache_visitor, e);
	return e;
}

/* A deletion of this backend's, just written: the cache takes it in. */
static void
cache_own_mask(uint64 storage_id, uint64 span, uint32 before, CommandId cid,
			   const bytea *deleted, const bytea *moved_to)
{
	SpanCacheEntry *e;

	if (span_cache == NULL)
		return;
	e = columnar_span_cache_find(span_cache, storage_id, span, HASH_FIND, NULL);
	/* anyone else's change since the cache read the span: read it again */
	if (e == NULL || e->counter != before)
		return;
	cache_mask(e, GetCurrentTransactionId(), InvalidTransactionId, cid, cid,
			   (const uint8 *) VARDATA_ANY(deleted), VARSIZE_ANY_EXHDR(deleted),
			   moved_to ? (const uint8 *) VARDATA_ANY(moved_to) : NULL,
			   moved_to ? VARSIZE_ANY_EXHDR(moved_to) : 0);
	e->counter = before + 1;
}

/* Has a committed VACUUM (or this transaction) deleted the mask row itself? */
static bool
mask_removed(const CachedMask *c)
{
	if (!TransactionIdIsValid(c->xmax))
		return false;
	if (TransactionIdIsCurrentTransactionId(c->xmax))
		return true;
	return !TransactionIdIsInProgress(c->xmax) && TransactionIdDidCommit(c->xmax);
}

/* Does MVCC snapshot see the mask row, as it would see the catalog tuple? */
static bool
mask_visible(const CachedMask *c, Snapshot snapshot)
{
	if (TransactionIdIsCurrentTransactionId(c->xmin))
	{
		if (c->cmin >= snapshot->curcid)
			return false;		/* written after the snapshot's command began */
	}
	else if (XidInMVCCSnapshot(c->xmin, snapshot) || !TransactionIdDidCommit(c->xmin))
		return false;
	if (!TransactionIdIsValid(c->xmax))
		return true;
	if (TransactionIdIsCurrentTransactionId(c->xmax))
		return false;
	return XidInMVCCSnapshot(c->xmax, snapshot) || !TransactionIdDidCommit(c->xmax);
}

/* columnar_row_state's catalog part, through the cache of span masks. */
static ColumnarRowState
cached_row_state(uint64 storage_id, uint64 span, uint32 off, ColumnarDeleter *who)
{
	SpanCacheEntry *e = span_entry(storage_id, span);
	int			i;

	for (i = 0; i < e->nmasks; i++)
	{
		CachedMask *c = &e->masks[i];
		uint32		rank;

		if (!columnar_mask_find(c->deleted, c->deleted_len, off, &rank) || mask_removed(c))
			continue;
		who->moved_to = columnar_mask_moved(c->moved, c->moved_len, rank);
		who->cid = c->cid;
		who->xid = c->xmin;
		if (c->cid == InvalidCommandId)
		{
			/* killed: it never existed, once the kill is not undone */
			if (TransactionIdIsCurrentTransactionId(c->xmin) || TransactionIdDidCommit(c->xmin) ||
				TransactionIdIsInProgress(c->xmin))
				return COLUMNAR_ROW_DELETED;
			continue;
		}
		/* the mask's fate, as of now (the order of heap's tests) */
		if (TransactionIdIsCurrentTransactionId(c->xmin))
			return COLUMNAR_ROW_DELETED_BY_US;
		if (TransactionIdIsInProgress(c->xmin))
			return COLUMNAR_ROW_DELETE_IN_PROGRESS;
		if (TransactionIdDidCommit(c->xmin))
			return COLUMNAR_ROW_DELETED;
		/* aborted: look on */
	}
	memset(who, 0, sizeof(*who));
	return COLUMNAR_ROW_LIVE;
}

/*
 * Has row been deleted, as of now: by this transaction, by one still
 * running, or by a committed one?  Aborted deletions do not count.
 */
ColumnarRowState
columnar_row_state(Relation rel, uint64 row, ColumnarDeleter *who)
{
	uint64		storage_id = columnar_storage_id(rel);
	uint64		span = span_of(row);
	uint32		off = (uint32) (row - span);
	SnapshotData dirty;
	StateSearch search;
	ListCell   *lc;

	memset(who, 0, sizeof(*who));
	foreach(lc, pending_masks)
	{
		PendingMask *p = lfirst(lc);

		if (p->storage_id == storage_id && p->span == span && bit_set(p->bits, off))
		{
			who->xid = GetCurrentTransactionIdIfAny();
			who->cid = p->cid;
			who->moved_to = pending_moved(p, off);
			return COLUMNAR_ROW_DELETED_BY_US;
		}
	}
	if (span_counters != NULL)
		return cached_row_state(storage_id, span, off, who);
	InitDirtySnapshot(dirty);
	search.rel = rel;
	search.off = off;
	search.state = COLUMNAR_ROW_LIVE;
	search.who = who;
	columnar_scan_masks(storage_id, (int64) span, &dirty, state_visitor, &search);
	return search.state;
}

/* ---- deleting and locking rows ---- */

/*
 * Is row in a stripe that still exists?  A VACUUM that rewrote its stripe
 * after our snapshot was taken gave the row a new number we cannot follow.
 * Once seen under our table lock, a stripe stays: VACUUM rewrites only
 * when no writer holds the table.
 */
static void
check_stripe_alive(Relation rel, uint64 storage_id, uint64 row)
{
	ListCell   *lc;
	SnapshotData dirty;
	uint64		first = 0,
				count = 0;
	bool		found = false;
	CheckedStripe *c;
	MemoryContext old;

	foreach(lc, checked_stripes)
	{
		c = lfirst(lc);
		if (c->storage_id == storage_id && row >= c->first_row && row < c->first_row + c->row_count)
			return;
	}
	InitDirtySnapshot(dirty);
	if (columnar_stripe_range(storage_id, row, &dirty, &first, &count) && row < first + count)
		found = true;
	else if (columnar_pending_covers(rel, row))
		return;					/* this transaction's unflushed rows */
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent VACUUM of strata_columnar table \"%s\"",
						RelationGetRelationName(rel)),
				 errdetail("VACUUM moved the row after this transaction's snapshot was taken.")));
	old = MemoryContextSwitchTo(TopTransactionContext);
	c = palloc(sizeof(CheckedStripe));
	c->storage_id = storage_id;
	c->first_row = first;
	c->row_count = count;
	checked_stripes = lcons(c, checked_stripes);
	MemoryContextSwitchTo(old);
}

static void
fill_failure(TM_FailureData *tmfd, ItemPointer tid, const ColumnarDeleter *who)
{
	tmfd->ctid = who->moved_to != 0 ? columnar_row_to_tid(who->moved_to) : *tid;
	tmfd->xmax = who->xid;
	tmfd->cmax = InvalidCommandId;
	tmfd->traversed = false;
}

/* Is row visible to snapshot (a crosscheck snapshot of RI checks)? */
static bool
row_visible(Relation rel, uint64 row, Snapshot snapshot)
{
	ColumnarReadState *read = columnar_begin_fetch(rel, snapshot);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsVirtual);
	bool		visible = columnar_fetch_row(read, row, slot);

	ExecDropSingleTupleTableSlot(slot);
	columnar_end_read(read);
	return visible;
}

static void
row_lock_unavailable(Relation rel)
{
	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("could not obtain lock on row in relation \"%s\"",
					RelationGetRelationName(rel))));
}

/*
 * Take the row's tuple lock in mode and wait out deleters and lockers in a
 * conflicting mode still running, as heap_delete and heap_lock_tuple do.
 * TM_Ok: the row is live, and locked.  Otherwise the lock is released,
 * tmfd says why, and *who who deleted it; a wait that is not allowed
 * returns TM_WouldBlock, or raises for NOWAIT.
 */
static TM_Result
lock_live_row(Relation rel, ItemPointer tid, CommandId cid, LockTupleMode mode,
			  LockWaitPolicy policy, XLTW_Oper oper, LOCKTAG *tag,
			  TM_FailureData *tmfd, ColumnarDeleter *who)
{
	uint64		row = columnar_tid_to_row(tid);
	LOCKMODE	lockmode = row_lock_modes[mode];

	memset(tmfd, 0, sizeof(*tmfd));
	memset(who, 0, sizeof(*who));
	tmfd->ctid = *tid;
	if (!acquire_tuple_lock(rel, tid, lockmode, policy == LockWaitBlock, tag))
	{
		if (policy == LockWaitError)
			row_lock_unavailable(rel);
		return TM_WouldBlock;
	}
	for (;;)
	{
		switch (columnar_row_state(rel, row, who))
		{
			case COLUMNAR_ROW_DELETED_BY_US:
				release_tuple_lock(tag, lockmode);
				fill_failure(tmfd, tid, who);
				tmfd->cmax = who->cid;
				return who->cid >= cid ? TM_SelfModified : TM_Invisible;
			case COLUMNAR_ROW_LIVE:
				who->xid = columnar_row_locker(rel, row, mode);
				if (!TransactionIdIsValid(who->xid))
					return TM_Ok;
				/* locked by a transaction still running, as heap's xmax a locker */
				/* FALLTHROUGH */
			case COLUMNAR_ROW_DELETE_IN_PROGRESS:
				if (policy != LockWaitBlock)
				{
					release_tuple_lock(tag, lockmode);
					if (policy == LockWaitError)
						row_lock_unavailable(rel);
					fill_failure(tmfd, tid, who);
					return TM_WouldBlock;
				}
				XactLockTableWait(who->xid, rel, tid, oper);
				continue;
			case COLUMNAR_ROW_DELETED:
				release_tuple_lock(tag, lockmode);
				fill_failure(tmfd, tid, who);
				return who->moved_to != 0 ? TM_Updated : TM_Deleted;
		}
	}
}

/*
 * Delete the row at tid, as heap_delete does; with newslot, insert that as
 * the row's new version first (UPDATE) and record where it went.
 */
TM_Result
columnar_delete_row(Relation rel, ItemPointer tid, CommandId cid, Snapshot snapshot,
					Snapshot crosscheck, bool wait, TM_FailureData *tmfd,
					TupleTableSlot *newslot)
{
	uint64		row = columnar_tid_to_row(tid);
	uint64		storage_id = columnar_storage_id(rel);
	uint64		new_row = 0;
	ColumnarDeleter who;
	LOCKTAG		tag;
	TM_Result	result;

	/* SERIALIZABLE: readers hold relation-level predicate locks */
	CheckForSerializableConflictIn(rel, NULL, InvalidBlockNumber);
	check_stripe_alive(rel, storage_id, row);
	result = lock_live_row(rel, tid, cid, LockTupleExclusive,
						   wait ? LockWaitBlock : LockWaitSkip,
						   newslot ? XLTW_Update : XLTW_Delete, &tag, tmfd, &who);
	if (result != TM_Ok)
		return result;
	if (crosscheck != InvalidSnapshot && !row_visible(rel, row, crosscheck))
	{
		release_tuple_lock(&tag, AccessExclusiveLock);
		memset(tmfd, 0, sizeof(*tmfd));
		tmfd->ctid = *tid;
		return TM_Updated;
	}

	if (newslot != NULL)
	{
		columnar_insert_row(rel, newslot, 0);
		new_row = columnar_tid_to_row(&newslot->tts_tid);
		pgstat_count_heap_update(rel, false);
	}
	else
		pgstat_count_heap_delete(rel);
	note_deleted(rel, storage_id, row, cid, new_row);
	hold_tuple_lock(&tag, AccessExclusiveLock, false);
	return TM_Ok;
}

void
columnar_forget_lock_fetch(void)
{
	if (lock_fetch.read != NULL)
		columnar_end_read(lock_fetch.read);	/* unpins what it read, frees it */
	memset(&lock_fetch, 0, sizeof(lock_fetch));
}

static ColumnarReadState *
lock_fetch_state(Relation rel, Snapshot snapshot)
{
	MemoryContext old;

	if (lock_fetch.read != NULL && lock_fetch.relid == RelationGetRelid(rel) &&
		lock_fetch.snapshot == snapshot && lock_fetch.curcid == snapshot->curcid)
	{
		columnar_fetch_rebind(lock_fetch.read, rel);
		return lock_fetch.read;
	}
	columnar_forget_lock_fetch();
	/* under TopTransactionContext, which the end of a transaction resets */
	old = MemoryContextSwitchTo(TopTransactionContext);
	lock_fetch.read = columnar_begin_fetch(rel, snapshot);
	MemoryContextSwitchTo(old);
	lock_fetch.relid = RelationGetRelid(rel);
	lock_fetch.snapshot = snapshot;
	lock_fetch.curcid = snapshot->curcid;
	return lock_fetch.read;
}

/*
 * Lock the row at tid in mode, as heap_lock_tuple does, to the end of the
 * transaction: its tuple lock is kept, or becomes a row_lock row when the
 * transaction holds too many (hold_tuple_lock).  With TUPLE_LOCK_FLAG_FIND_LAST_VERSION
 * an updated row is followed to its newest version, which is locked and
 * returned in slot with tmfd->traversed set and *tid moved to it.
 */
TM_Result
columnar_lock_row(Relation rel, ItemPointer tid, Snapshot snapshot, TupleTableSlot *slot,
				  CommandId cid, LockTupleMode mode, LockWaitPolicy wait_policy,
				  uint8 flags, TM_FailureData *tmfd)
{
	LOCKMODE	lockmode = row_lock_modes[mode];
	ColumnarDeleter who;
	LOCKTAG		tag;
	bool		traversed = false;

	for (;;)
	{
		uint64		row = columnar_tid_to_row(tid);
		TM_Result	result = lock_live_row(rel, tid, cid, mode, wait_policy,
										   XLTW_Lock, &tag, tmfd, &who);

		tmfd->traversed = traversed;
		if (result == TM_Updated && (flags & TUPLE_LOCK_FLAG_FIND_LAST_VERSION))
		{
			/* lock the newer version instead */
			*tid = columnar_row_to_tid(who.moved_to);
			traversed = true;
			continue;
		}
		if (result != TM_Ok)
			return result;

		/*
		 * The row is live and locked.  A newer version than the snapshot
		 * sees is read under a fresh one, as heap reads the latest tuple.
		 */
		{
			ColumnarReadState *read = lock_fetch_state(rel, snapshot);
			bool		found = columnar_fetch_row(read, row, slot);

			if (!found)
			{
				Snapshot	latest = RegisterSnapshot(GetLatestSnapshot());

				read = columnar_begin_fetch(rel, latest);
				found = columnar_fetch_row(read, row, slot);
				columnar_end_read(read);
				UnregisterSnapshot(latest);
			}
			if (!found)
			{
				CommandId	inserted_by;

				release_tuple_lock(&tag, lockmode);
				/*
				 * Only ON CONFLICT DO UPDATE asks to lock a row this very
				 * command inserted; heap's executor would find out from the
				 * row's xmin, which a columnar row does not carry.
				 */
				if (columnar_pending_row_cid(rel, row, &inserted_by) && inserted_by == cid)
					ereport(ERROR,
							(errcode(ERRCODE_CARDINALITY_VIOLATION),
							 errmsg("ON CONFLICT DO UPDATE command cannot affect row a second time"),
							 errhint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")));
				tmfd->ctid = *tid;
				return TM_Invisible;
			}
			ExecMaterializeSlot(slot);
			slot->tts_tableOid = RelationGetRelid(rel);
			slot->tts_tid = *tid;
		}
		columnar_note_row_lock(rel, row, mode);
		hold_tuple_lock(&tag, lockmode, true);
		return TM_Ok;
	}
}

/* The newest version of the row at tid that has been committed or is ours. */
void
columnar_latest_tid(Relation rel, ItemPointer tid)
{
	ColumnarDeleter who;

	for (;;)
	{
		ColumnarRowState st = columnar_row_state(rel, columnar_tid_to_row(tid), &who);

		/* new versions always get higher row numbers: this ends */
		if ((st != COLUMNAR_ROW_DELETED && st != COLUMNAR_ROW_DELETED_BY_US) ||
			who.moved_to <= columnar_tid_to_row(tid))
			return;
		*tid = columnar_row_to_tid(who.moved_to);
	}
}

/*
 * Make a speculatively inserted row of this transaction never have existed
 * (its insertion lost a race for a unique key): a killed mask, written at
 * once, so that concurrent inserters of the key do not wait for us.
 */
void
columnar_kill_row(Relation rel, uint64 row)
{
	uint64		span = span_of(row);
	uint32		off = (uint32) (row - span);
	uint8		bits[COLUMNAR_MASK_BYTES];

	memset(bits, 0, sizeof(bits));
	bits[off >> 3] = (uint8) (1 << (off & 7));
	columnar_write_mask(columnar_storage_id(rel), span, GetCurrentCommandId(true), bits, 1,
						NULL, true);
}

/* ---- deleted rows as a snapshot sees them ---- */

typedef struct SpanMask
{
	uint64		span;
	uint32		count;
	uint8		bits[COLUMNAR_MASK_BYTES];
} SpanMask;

struct ColumnarMasks
{
	Relation	rel;
	uint64		storage_id;
	Snapshot	snapshot;
	CommandId	curcid;			/* the snapshot's when the masks were read */
	bool		complete;		/* every span read: absent means none deleted */
	HTAB	   *spans;
	MemoryContext cxt;
	uint64		total;			/* rows deleted, when complete */
};

/*
 * Parse a row_mask row into bits (OR-ed in; COLUMNAR_MASK_BYTES) and its
 * count, raising ERRCODE_DATA_CORRUPTED, naming rel, when it is damaged.
 */
void
columnar_parse_mask_row(Relation rel, const ColumnarMaskRow *m, uint8 *bits, uint32 *count)
{
	ColumnarFormatError err;

	if (m->first_row % COLUMNAR_MASK_SPAN != 0)
	{
		strlcpy(err.message, "span does not start at a multiple of the span length", sizeof(err.message));
		err.offset = 0;
		mask_corrupt(rel, m->first_row, &err);
	}
	if (!columnar_mask_parse(m->deleted, m->deleted_len, bits, count, &err))
		mask_corrupt(rel, m->first_row, &err);
}

/* OR bits into the masks' entry for span. */
static void
add_to_span(ColumnarMasks *masks, uint64 span, const uint8 *bits)
{
	bool		found;
	SpanMask   *sm = hash_search(masks->spans, &span, HASH_ENTER, &found);
	int			i;

	if (!found)
	{
		memset(sm->bits, 0, sizeof(sm->bits));
		sm->count = 0;
	}
	for (i = 0; i < COLUMNAR_MASK_BYTES; i++)
	{
		/* two masks never share a row, unless one of them is corrupt */
		sm->count += (uint32) __builtin_popcount(bits[i] & ~sm->bits[i]);
		sm->bits[i] |= bits[i];
	}
}

static bool
mask_visitor(const ColumnarMaskRow *m, void *arg)
{
	ColumnarMasks *masks = arg;
	uint32		count;
	uint8		bits[COLUMNAR_MASK_BYTES];

	memset(bits, 0, sizeof(bits));
	columnar_parse_mask_row(masks->rel, m, bits, &count);
	add_to_span(masks, m->first_row, bits);
	return true;
}

/* The masks' span from the cached row_mask rows their MVCC snapshot sees. */
static void
cached_span_bits(ColumnarMasks *masks, uint64 span)
{
	SpanCacheEntry *e = span_entry(masks->storage_id, span);
	uint8		bits[COLUMNAR_MASK_BYTES];
	bool		any = false;
	int			i;

	memset(bits, 0, sizeof(bits));
	for (i = 0; i < e->nmasks; i++)
	{
		CachedMask *c = &e->masks[i];
		ColumnarFormatError err;
		uint32		count;

		if (!mask_visible(c, masks->snapshot))
			continue;
		if (!columnar_mask_parse(c->deleted, c->deleted_len, bits, &count, &err))
			mask_corrupt(masks->rel, span, &err);
		any = true;
	}
	if (any)
		add_to_span(masks, span, bits);
}

/* Merge this transaction's pending masks that the snapshot sees. */
static void
merge_pending(ColumnarMasks *masks, int64 span)
{
	ListCell   *lc;

	foreach(lc, pending_masks)
	{
		PendingMask *p = lfirst(lc);

		if (p->storage_id != masks->storage_id || (span >= 0 && p->span != (uint64) span))
			continue;
		if (IsMVCCSnapshot(masks->snapshot) && p->cid >= masks->snapshot->curcid)
			continue;			/* a statement does not see its own deletions */
		add_to_span(masks, p->span, p->bits);
	}
}

static void
read_masks(ColumnarMasks *masks)
{
	HASHCTL		ctl;
	HASH_SEQ_STATUS seq;
	SpanMask   *sm;

	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(SpanMask);
	ctl.hcxt = masks->cxt;
	masks->spans = hash_create("strata_columnar row masks", 64, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	masks->curcid = masks->snapshot->curcid;
	masks->total = 0;
	if (masks->complete)
	{
		columnar_scan_masks(masks->storage_id, -1, masks->snapshot, mask_visitor, masks);
		merge_pending(masks, -1);
		hash_seq_init(&seq, masks->spans);
		while ((sm = hash_seq_search(&seq)) != NULL)
			masks->total += sm->count;
	}
}

/*
 * The rows of rel that snapshot (MVCC, or SnapshotSelf) sees deleted.
 * With all, every mask is read at once (scans); otherwise each span is
 * read when it is first asked for (fetches by TID).
 */
ColumnarMasks *
columnar_masks_begin(Relation rel, Snapshot snapshot, bool all, MemoryContext cxt)
{
	ColumnarMasks *masks = MemoryContextAllocZero(cxt, sizeof(ColumnarMasks));

	masks->rel = rel;
	masks->storage_id = columnar_storage_id(rel);
	masks->snapshot = snapshot;
	masks->complete = all;
	masks->cxt = cxt;
	read_masks(masks);
	return masks;
}

/* The deleted-row bitmap of one span, or NULL when none is deleted. */
const uint8 *
columnar_masks_span(ColumnarMasks *masks, uint64 span)
{
	SpanMask   *sm;
	bool		found;

	if (masks->snapshot->curcid != masks->curcid)
		read_masks(masks);		/* the snapshot moved on to a later command */
	sm = hash_search(masks->spans, &span, HASH_FIND, NULL);
	if (sm == NULL && !masks->complete)
	{
		/* through this backend's copy of the span, when it can keep one */
		if (span_counters != NULL && IsMVCCSnapshot(masks->snapshot))
			cached_span_bits(masks, span);
		else
			columnar_scan_masks(masks->storage_id, (int64) span, masks->snapshot, mask_visitor,
								masks);
		merge_pending(masks, (int64) span);
		sm = hash_search(masks->spans, &span, HASH_ENTER, &found);
		if (!found)
		{
			memset(sm->bits, 0, sizeof(sm->bits));
			sm->count = 0;
		}
	}
	return sm != NULL && sm->count > 0 ? sm->bits : NULL;
}

/* Is row deleted, as the masks' snapshot sees it? */
bool
columnar_masks_deleted(ColumnarMasks *masks, uint64 row)
{
	const uint8 *bits = columnar_masks_span(masks, span_of(row));

	return bits != NULL && bit_set(bits, (uint32) (row % COLUMNAR_MASK_SPAN));
}

/*
 * Mark in deleted[] (one per row, from first_row on) the rows of
 * [first_row, first_row + rows) the masks say are deleted; returns how many.
 */
uint32
columnar_masks_range(ColumnarMasks *masks, uint64 first_row, uint32 rows, bool *deleted)
{
	uint64		row = first_row;
	uint64		end = first_row + rows;
	uint32		n = 0;

	if (masks->complete && masks->total == 0 && masks->snapshot->curcid == masks->curcid)
		return 0;
	while (row < end)
	{
		uint64		span = span_of(row);
		uint64		stop = Min(end, span + COLUMNAR_MASK_SPAN);
		const uint8 *bits = columnar_masks_span(masks, span);

		if (bits != NULL)
		{
			for (; row < stop; row++)
			{
				bool		d = bit_set(bits, (uint32) (row - span));

				if (deleted != NULL)
					deleted[row - first_row] = d;
				n += d;
			}
		}
		else
		{
			if (deleted != NULL)
				memset(deleted + (row - first_row), 0, sizeof(bool) * (stop - row));
			row = stop;
		}
	}
	return n;
}

typedef struct CountSearch
{
	Relation	rel;
	uint64		count;
} CountSearch;

static bool
count_visitor(const ColumnarMaskRow *m, void *arg)
{
	CountSearch *c = arg;
	uint32		count;

	columnar_parse_mask_row(c->rel, m, NULL, &count);
	c->count += count;
	return true;
}

/* How many of this transaction's unwritten deletions of a storage snapshot sees. */
uint64
columnar_pending_deleted(uint64 storage_id, Snapshot snapshot)
{
	uint64		count = 0;
	ListCell   *lc;

	foreach(lc, pending_masks)
	{
		PendingMask *p = lfirst(lc);

		if (p->storage_id == storage_id && p->cid < snapshot->curcid)
			count += p->count;
	}
	return count;
}

/* How many rows of rel the row_mask rows snapshot sees delete. */
uint64
columnar_stored_deleted(Relation rel, Snapshot snapshot)
{
	CountSearch c = {rel, 0};

	columnar_scan_masks(columnar_storage_id(rel), -1, snapshot, count_visitor, &c);
	return c.count;
}

/*
 * How many rows of rel snapshot sees deleted, counted without building
 * the masks.
 */
uint64
columnar_deleted_count(Relation rel, Snapshot snapshot)
{
	return columnar_stored_deleted(rel, snapshot) +
		columnar_pending_deleted(columnar_storage_id(rel), snapshot);
}

typedef struct RecentSearch
{
	TransactionId horizon;
	bool		found;
} RecentSearch;

static bool
recent_visitor(const ColumnarMaskRow *m, void *arg)
{
	RecentSearch *r = arg;

	/* a killed mask's rows never existed for anyone */
	if (m->cid != InvalidCommandId && !TransactionIdPrecedes(m->xmin, r->horizon))
		r->found = true;
	return !r->found;
}

/*
 * Does snapshot see rows of rel deleted by a transaction at or after
 * horizon, which older snapshots may still see alive?  This transaction's
 * unwritten deletions count.
 */
bool
columnar_has_recent_deletes(Relation rel, Snapshot snapshot, TransactionId horizon)
{
	uint64		storage_id = columnar_storage_id(rel);
	RecentSearch r = {horizon, false};
	ListCell   *lc;

	foreach(lc, pending_masks)
		if (((PendingMask *) lfirst(lc))->storage_id == storage_id)
			return true;
	columnar_scan_masks(storage_id, -1, snapshot, recent_visitor, &r);
	return r.found;
}
