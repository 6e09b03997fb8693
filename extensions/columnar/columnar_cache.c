/*-------------------------------------------------------------------------
 *
 * columnar_cache.c
 *	  A backend's cache of parsed stripe skip lists.
 *
 * Every scan reads the catalog rows of its table's stripes, and every
 * index fetch the row of one stripe.  Detoasting and parsing their skip
 * lists cost more than the rest of a count(*) or min/max answered from
 * metadata, and grow with the table: 12 ms of a count(*) over 100 million
 * rows.
 *
 * A stripe row is never updated (a rewrite deletes it and inserts others),
 * so the tuple version it came from, named by (catalog relation, TID, raw
 * xmin), always holds the same skip list.  No TID is reused while a tuple
 * of the same xmin could still be read, so the key needs no invalidation;
 * the stripe's other columns are compared as well, for safety.
 *
 * Entries are shared by every scan of the backend, which keep pointers
 * into them, so nothing is freed while a transaction runs: a stripe that
 * would push the cache past strata_columnar.metadata_cache_size is parsed
 * into the caller's memory instead.  At the end of such a transaction the
 * entries it did not use are dropped, making room for the next one; a
 * cache found over its size (it was lowered) starts again empty.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

typedef struct StripeKey
{
	Oid			catalog;
	TransactionId xmin;
	ItemPointerData tid;
} StripeKey;

typedef struct StripeEntry
{
	StripeKey	key;
	uint64		storage_id;
	uint64		first_row;
	uint64		row_count;
	uint64		data_bytes;
	Size		stored_size;	/* of the skip list datum, toasted or not */
	uint64		last_used;		/* transaction counter, below */
	bool		valid;			/* false if filling it failed */
	uint8	   *buf;			/* the skip list's bytes (bounds point here) */
	ColumnarSkipList skiplist;
} StripeEntry;

static int	metadata_cache_kb = 64 * 1024;
static MemoryContext cache_cxt = NULL;
static HTAB *cache = NULL;
static uint64 xact_counter = 1;
static bool refused = false;	/* a stripe did not fit in this transaction */

static void *
cache_alloc(size_t size)
{
	return MemoryContextAlloc(cache_cxt, size);
}

static void *
caller_alloc(size_t size)
{
	return palloc(size);
}

static void
corrupt(Relation rel, uint64 first_row, const ColumnarFormatError *err)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("strata_columnar table \"%s\" has corrupt metadata for the stripe at row %llu",
					RelationGetRelationName(rel), (unsigned long long) first_row),
			 errdetail("%s, at byte %zu of the skip list.", err->message, err->offset)));
}

/* Parse a skip list into the caller's memory, naming the table if corrupt. */
static void
columnar_parse_skiplist(Relation rel, ColumnarStripe *stripe,
						const char *buf, size_t len)
{
	ColumnarFormatError err;

	if (!columnar_skiplist_parse((const uint8_t *) buf, len, stripe->row_count,
								 stripe->data_bytes, caller_alloc, &stripe->skiplist, &err))
		corrupt(rel, stripe->first_row, &err);
}

static void
free_entry(StripeEntry *e)
{
	if (e->buf != NULL)
		pfree(e->buf);
	if (e->skiplist.group_rows != NULL)
		pfree(e->skiplist.group_rows);
	if (e->skiplist.chunks != NULL)
		pfree(e->skiplist.chunks);
	e->buf = NULL;
	e->skiplist.group_rows = NULL;
	e->skiplist.chunks = NULL;
}

/*
 * At the end of a transaction that found the cache full, drop what it did
 * not use: the stripes of tables no longer read, of rows since rewritten.
 */
static void
cache_xact_callback(XactEvent event, void *arg)
{
	HASH_SEQ_STATUS seq;
	StripeEntry *e;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PREPARE && event != XACT_EVENT_PARALLEL_COMMIT &&
		event != XACT_EVENT_PARALLEL_ABORT)
		return;
	if (cache != NULL && refused)
	{
		hash_seq_init(&seq, cache);
		while ((e = hash_seq_search(&seq)) != NULL)
		{
			if (e->valid && e->last_used == xact_counter)
				continue;
			free_entry(e);
			hash_search(cache, &e->key, HASH_REMOVE, NULL);
		}
	}

	/* over its size (which may have been lowered): start again */
	if (cache != NULL &&
		MemoryContextMemAllocated(cache_cxt, true) > (Size) metadata_cache_kb * 1024)
	{
		MemoryContextDelete(cache_cxt);
		cache_cxt = NULL;
		cache = NULL;
	}
	refused = false;
	xact_counter++;
}

void
columnar_cache_init(void)
{
	DefineCustomIntVariable("strata_columnar.metadata_cache_size",
							"Memory a backend keeps parsed stripe metadata of strata_columnar tables in.",
							"Scans and index fetches reuse it instead of reading each stripe's skip list again. 0 turns the cache off.",
							&metadata_cache_kb, 64 * 1024, 0, MAX_KILOBYTES, PGC_USERSET,
							GUC_UNIT_KB, NULL, NULL, NULL);
	RegisterXactCallback(cache_xact_callback, NULL);
}

/* The size of a skip list datum as stored, without detoasting it. */
static Size
stored_size(Datum d)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	if (VARATT_IS_EXTERNAL_ONDISK(v))
	{
		struct varatt_external ext;

		VARATT_EXTERNAL_GET_POINTER(ext, v);
		return ((Size) ext.va_valueid << 32) | (Size) ext.va_rawsize;
	}
	return VARSIZE_ANY(v);
}

/*
 * Fill stripe->skiplist from the skip list datum of the stripe row tup of
 * catalog, from the cache when it holds this tuple version.  The caller
 * has set the stripe's other fields; the arrays it gets are read-only.
 */
void
columnar_stripe_skiplist(Relation rel, Oid catalog, HeapTuple tup, uint64 storage_id,
						 Datum datum, ColumnarStripe *stripe)
{
	StripeKey	key;
	StripeEntry *e = NULL;
	bytea	   *skiplist;
	Size		len;
	Size		size = stored_size(datum);
	ColumnarFormatError err;
	bool		was_refused;

	memset(&key, 0, sizeof(key));
	key.catalog = catalog;
	key.xmin = HeapTupleHeaderGetRawXmin(tup->t_data);
	key.tid = tup->t_self;
	if (cache != NULL)
		e = hash_search(cache, &key, HASH_FIND, NULL);
	if (e != NULL && e->valid && e->storage_id == storage_id &&
		e->first_row == stripe->first_row && e->row_count == stripe->row_count &&
		e->data_bytes == stripe->data_bytes && e->stored_size == size)
	{
		e->last_used = xact_counter;
		stripe->skiplist = e->skiplist;
		return;
	}

	skiplist = DatumGetByteaPP(datum);
	len = VARSIZE_ANY_EXHDR(skiplist);

	/*
	 * Parsed, a skip list takes at most about twice its bytes (a chunk's
	 * entry is 28 bytes, its ColumnarChunkMeta 56), beside the bytes kept;
	 * the context may add a block of 64 kB for them.  An entry found but
	 * not matching is left alone: a scan may use it.
	 */
	if (metadata_cache_kb == 0 || e != NULL ||
		(cache_cxt != NULL ? MemoryContextMemAllocated(cache_cxt, true) : 0) +
		3 * len + 64 * 1024 > (Size) metadata_cache_kb * 1024)
	{
		if (metadata_cache_kb > 0 && e == NULL)
			refused = true;
		columnar_parse_skiplist(rel, stripe, VARDATA_ANY(skiplist), len);
		return;
	}

	if (cache == NULL)
	{
		HASHCTL		ctl;

		/* small blocks keep its size close to what it holds */
		cache_cxt = AllocSetContextCreate(CacheMemoryContext,
										  "strata_columnar stripe cache",
										  0, 8 * 1024, 64 * 1024);
		ctl.keysize = sizeof(StripeKey);
		ctl.entrysize = sizeof(StripeEntry);
		ctl.hcxt = cache_cxt;
		cache = hash_create("strata_columnar stripe entries", 256, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	/* if filling the entry fails, the end of the transaction sweeps it */
	was_refused = refused;
	refused = true;
	e = hash_search(cache, &key, HASH_ENTER, NULL);
	memset((char *) e + sizeof(StripeKey), 0, sizeof(StripeEntry) - sizeof(StripeKey));
	e->storage_id = storage_id;
	e->first_row = stripe->first_row;
	e->row_count = stripe->row_count;
	e->data_bytes = stripe->data_bytes;
	e->stored_size = size;
	e->last_used = xact_counter;
	e->buf = MemoryContextAlloc(cache_cxt, Max(len, 1));
	memcpy(e->buf, VARDATA_ANY(skiplist), len);
	if (!columnar_skiplist_parse(e->buf, len, stripe->row_count, stripe->data_bytes,
								 cache_alloc, &e->skiplist, &err))
	{
		free_entry(e);
		hash_search(cache, &key, HASH_REMOVE, NULL);
		corrupt(rel, stripe->first_row, &err);
	}
	e->valid = true;
	refused = was_refused;
	stripe->skiplist = e->skiplist;
}
