/*-------------------------------------------------------------------------
 *
 * columnar_rowlocks.c
 *	  Row locks kept beyond the lock manager: SELECT ... FOR UPDATE/SHARE
 *	  and foreign key checks' FOR KEY SHARE over many rows.
 *
 * Heap keeps a row's lockers in its tuple header (xmax, or a multixact of
 * them); a columnar row is never written again.  A locker here holds the
 * row's tuple lock in the lock manager, kept past its statement
 * (columnar_deletes.c), so a transaction that locks few rows writes
 * nothing.  The lock table is shared and small, though: a foreign key
 * check per row of a large load into a referencing table would fill it.
 * So once a transaction holds MAX_HELD_LOCKS tuple locks, the rows it
 * locked in each span become a row_lock row carrying the lock's strength,
 * and their tuple locks go.  A deleter or locker that finds such a row,
 * of a transaction still running and in a conflicting strength, waits for
 * that transaction, as heap waits for a locker in xmax.
 *
 * A row_lock row's inserter is the subtransaction that took the lock: when
 * it aborts, the lock is gone, as heap's is.  A row_lock row means nothing
 * once its transaction has ended, and keeping it would slow every later
 * look at its span: whoever writes one deletes the span's ended ones, and
 * VACUUM deletes the rest.  Lockers hold a lock on the table that VACUUM's
 * rewrite (which renumbers rows) waits for, so no row_lock row it could
 * mislead is running then.
 *
 * What is read of a span is cached per backend until the span's shared
 * counter moves, as for row masks.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/transam.h"
#include "storage/procarray.h"
#include "utils/memutils.h"

/*
 * Does a lock held in mode h conflict with one wanted in mode w?  Heap's
 * table (the four LockTupleModes, weakest first); deleters take the
 * strongest.
 */
static const bool lock_conflicts[4][4] = {
	/* held key share */ {false, false, false, true},
	/* held share */ {false, false, true, true},
	/* held no key exclusive */ {false, true, true, true},
	/* held exclusive */ {true, true, true, true}
};

/* rows this transaction locked in one span, not written yet */
typedef struct PendingLock
{
	uint64		storage_id;
	uint64		span;
	SubTransactionId subxid;
	LockTupleMode mode;
	uint32		count;
	uint8		bits[COLUMNAR_MASK_BYTES];
} PendingLock;

static List *pending_locks = NIL;	/* in TopTransactionContext */

/* a row_lock row as cached: who locked which rows, how */
typedef struct CachedLock
{
	TransactionId xmin;
	LockTupleMode mode;
	uint8	   *locked;
	size_t		locked_len;
} CachedLock;

typedef struct LockCacheEntry
{
	ColumnarSpanKey key;
	uint32		version;		/* the span's counter when read */
	int			nlocks;
	CachedLock *locks;
} LockCacheEntry;

static HTAB *lock_cache = NULL; /* in TopTransactionContext */

static inline uint64
span_of(uint64 row)
{
	return row - row % COLUMNAR_MASK_SPAN;
}

/* Note that this transaction locked row in mode; the caller holds its tuple lock. */
void
columnar_note_row_lock(Relation rel, uint64 row, LockTupleMode mode)
{
	uint64		storage_id = columnar_storage_id(rel);
	uint64		span = span_of(row);
	uint32		off = (uint32) (row - span);
	SubTransactionId subxid = GetCurrentSubTransactionId();
	PendingLock *p = NULL;
	ListCell   *lc;
	MemoryContext old;
	uint8		bit = (uint8) (1 << (off & 7));

	foreach(lc, pending_locks)
	{
		PendingLock *q = lfirst(lc);

		if (q->storage_id == storage_id && q->span == span && q->subxid == subxid &&
			q->mode == mode)
		{
			p = q;
			break;
		}
	}
	if (p == NULL)
	{
		p = MemoryContextAllocZero(TopTransactionContext, sizeof(PendingLock));
		p->storage_id = storage_id;
		p->span = span;
		p->subxid = subxid;
		p->mode = mode;
		/* the newest first: the next row is most likely in its span */
		old = MemoryContextSwitchTo(TopTransactionContext);
		pending_locks = lcons(p, pending_locks);
		MemoryContextSwitchTo(old);
	}
	if ((p->bits[off >> 3] & bit) == 0)
	{
		p->bits[off >> 3] |= bit;
		p->count++;
	}
}

/* Collect (in the List * at arg) the tids of row_lock rows whose transaction ended. */
static void
ended_visitor(const ColumnarLockRow *l, void *arg)
{
	List	  **ended = arg;

	if (!TransactionIdIsCurrentTransactionId(l->xmin) && !TransactionIdIsInProgress(l->xmin))
	{
		ItemPointer tid = palloc(sizeof(ItemPointerData));

		*tid = l->tid;
		*ended = lappend(*ended, tid);
	}
}

/* Delete the row_lock rows of a storage (of one span, span >= 0) whose transaction ended. */
static uint64
remove_ended(uint64 storage_id, int64 span)
{
	List	   *ended = NIL;
	uint64		removed;
	ListCell   *lc;

	columnar_scan_row_locks(storage_id, span, ended_visitor, &ended);
	foreach(lc, ended)
		columnar_delete_row_lock((ItemPointer) lfirst(lc));
	removed = (uint64) list_length(ended);
	list_free_deep(ended);
	return removed;
}

/*
 * Write the current subtransaction's pending row locks as row_lock rows.
 * Each span changes for every backend's cache before the caller releases
 * the tuple locks: a deleter that gets one must see the row_lock row.
 */
void
columnar_write_row_locks(void)
{
	SubTransactionId subxid = GetCurrentSubTransactionId();
	ListCell   *lc;

	foreach(lc, pending_locks)
	{
		PendingLock *p = lfirst(lc);
		uint16	   *offsets;
		bytea	   *locked;

		if (p->subxid != subxid)
			continue;
		remove_ended(p->storage_id, (int64) p->span);
		offsets = palloc(sizeof(uint16) * p->count);
		locked = columnar_mask_bytea(p->bits, p->count, offsets);
		columnar_insert_row_lock(p->storage_id, p->span, p->mode, locked);
		columnar_span_locks_changed(p->storage_id, p->span);
		pfree(offsets);
		pfree(locked);
		pending_locks = foreach_delete_current(pending_locks, lc);
		pfree(p);
	}
}

typedef struct LoadState
{
	Relation	rel;
	LockCacheEntry *entry;
} LoadState;

static void
load_visitor(const ColumnarLockRow *l, void *arg)
{
	LoadState  *ls = arg;
	LockCacheEntry *e = ls->entry;
	ColumnarFormatError err;
	uint32		count;
	CachedLock *c;

	if (l->mode < LockTupleKeyShare || l->mode > LockTupleExclusive)
	{
		strlcpy(err.message, "unknown lock mode", sizeof(err.message));
		err.offset = 0;
		goto corrupt;
	}
	if (l->first_row % COLUMNAR_MASK_SPAN != 0)
	{
		strlcpy(err.message, "span does not start at a multiple of the span length",
				sizeof(err.message));
		err.offset = 0;
		goto corrupt;
	}
	if (!columnar_mask_parse(l->locked, l->locked_len, NULL, &count, &err))
		goto corrupt;
	if (e->nlocks % 8 == 0)
		e->locks = e->locks == NULL ? palloc(sizeof(CachedLock) * 8) :
			repalloc(e->locks, sizeof(CachedLock) * (e->nlocks + 8));
	c = &e->locks[e->nlocks++];
	c->xmin = l->xmin;
	c->mode = (LockTupleMode) l->mode;
	c->locked = palloc(l->locked_len);
	memcpy(c->locked, l->locked, l->locked_len);
	c->locked_len = l->locked_len;
	return;

corrupt:
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("strata_columnar table \"%s\" has a corrupt row lock for rows from %llu",
					RelationGetRelationName(ls->rel), (unsigned long long) l->first_row),
			 errdetail("%s, at byte %zu.", err.message, err.offset)));
}

/* Read the row_lock rows of a span into e, in the current memory context. */
static void
load_span(Relation rel, uint64 storage_id, uint64 span, LockCacheEntry *e)
{
	LoadState	ls = {rel, e};

	e->nlocks = 0;
	e->locks = NULL;
	columnar_scan_row_locks(storage_id, (int64) span, load_visitor, &ls);
}

static void
free_locks(LockCacheEntry *e)
{
	int			i;

	for (i = 0; i < e->nlocks; i++)
		pfree(e->locks[i].locked);
	if (e->locks != NULL)
		pfree(e->locks);
}

/*
 * The row_lock rows of a span, from this backend's cache when it is
 * current; else read into *scratch, which the caller frees (free_locks).
 */
static LockCacheEntry *
span_locks(Relation rel, uint64 storage_id, uint64 span, LockCacheEntry *scratch)
{
	LockCacheEntry *e;
	LockCacheEntry fresh;
	uint32		version;
	MemoryContext old;

	memset(scratch, 0, sizeof(*scratch));
	if (!columnar_span_version(storage_id, span, &version))
	{
		/* not preloaded: nothing tells when a cache goes stale */
		load_span(rel, storage_id, span, scratch);
		return scratch;
	}
	if (lock_cache == NULL)
		lock_cache = columnar_span_cache_create("strata_columnar span row locks",
												sizeof(LockCacheEntry));
	e = columnar_span_cache_find(lock_cache, storage_id, span, HASH_FIND, NULL);
	if (e != NULL && e->version == version)
		return e;
	/* read whole before it enters the cache: a corrupt row leaves none */
	old = MemoryContextSwitchTo(TopTransactionContext);
	load_span(rel, storage_id, span, &fresh);
	MemoryContextSwitchTo(old);
	if (e == NULL)
		e = columnar_span_cache_find(lock_cache, storage_id, span, HASH_ENTER, NULL);
	else
		free_locks(e);
	e->version = version;
	e->nlocks = fresh.nlocks;
	e->locks = fresh.locks;
	return e;
}

/*
 * A transaction other than ours, still running, that holds row locked in a
 * mode conflicting with mode, through a row_lock row; InvalidTransactionId
 * when there is none.  The caller holds the row's tuple lock, so no new
 * one can appear for it.
 */
TransactionId
columnar_row_locker(Relation rel, uint64 row, LockTupleMode mode)
{
	uint64		storage_id = columnar_storage_id(rel);
	uint64		span = span_of(row);
	uint32		off = (uint32) (row - span);
	LockCacheEntry scratch;
	LockCacheEntry *e = span_locks(rel, storage_id, span, &scratch);
	TransactionId locker = InvalidTransactionId;
	int			i;

	for (i = 0; i < e->nlocks; i++)
	{
		CachedLock *c = &e->locks[i];
		uint32		rank;

		if (!lock_conflicts[c->mode][mode] ||
			!columnar_mask_find(c->locked, c->locked_len, off, &rank))
			continue;
		/* the lock's fate, as of now */
		if (!TransactionIdIsCurrentTransactionId(c->xmin) && TransactionIdIsInProgress(c->xmin))
		{
			locker = c->xmin;
			break;
		}
	}
	if (e == &scratch)
		free_locks(&scratch);
	return locker;
}

/* verify(): every row_lock row of rel parses, or ERRCODE_DATA_CORRUPTED. */
void
columnar_verify_row_locks(Relation rel)
{
	LockCacheEntry e;
	LoadState	ls = {rel, &e};

	memset(&e, 0, sizeof(e));
	columnar_scan_row_locks(columnar_storage_id(rel), -1, load_visitor, &ls);
	free_locks(&e);
}

/* VACUUM: delete the row_lock rows of ended transactions; returns how many. */
uint64
columnar_remove_ended_locks(uint64 storage_id)
{
	return remove_ended(storage_id, -1);
}

void
columnar_rowlocks_xact_callback(XactEvent event)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/*
			 * Locks not written end with the transaction's tuple locks (a
			 * prepared one keeps those); memory goes with
			 * TopTransactionContext.
			 */
			pending_locks = NIL;
			lock_cache = NULL;
			break;
		default:
			break;
	}
}

void
columnar_rowlocks_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								   SubTransactionId parentSubid)
{
	ListCell   *lc;

	switch (event)
	{
		case SUBXACT_EVENT_ABORT_SUB:
			/* its locks are void, their tuple locks already released */
			foreach(lc, pending_locks)
				if (((PendingLock *) lfirst(lc))->subxid == mySubid)
					pending_locks = foreach_delete_current(pending_locks, lc);
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
			/* the parent holds them now (a span may then have two entries) */
			foreach(lc, pending_locks)
				if (((PendingLock *) lfirst(lc))->subxid == mySubid)
					((PendingLock *) lfirst(lc))->subxid = parentSubid;
			break;
		default:
			break;
	}
}
