/*-------------------------------------------------------------------------
 *
 * columnar.h
 *	  What the files of strata_columnar share.
 *
 * Glossary:
 *	stripe		the rows one write state flushed at once; its data is a
 *				run of whole pages, its metadata one row of
 *				strata_columnar.stripe
 *	chunk group	a slice of a stripe's rows (chunk_group_row_limit at most)
 *	chunk		one column of one chunk group, compressed on its own
 *	row number	a row's position in the table, fixed when it is inserted;
 *				it is the row's TID (see columnar_row_to_tid)
 *	storage id	names one relfilenode's data; it keys the metadata
 *	write state	rows a transaction has inserted but not flushed yet
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_H
#define COLUMNAR_H

#include "postgres.h"

#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "lib/stringinfo.h"
#include "nodes/bitmapset.h"
#include "port/atomics.h"
#include "storage/itemptr.h"
#include "utils/rel.h"
#include "storage/smgr.h"
#include "utils/hsearch.h"
#include "utils/snapshot.h"
#include "utils/tuplesort.h"

#include "columnar_crc.h"
#include "columnar_format.h"
#include "strata_compress.h"
#include "columnar_chunk.h"

/* ---- settings (columnar.c) ---- */

#define COLUMNAR_MAX_SORT_KEYS 8

typedef struct ColumnarOptions
{
	int			stripe_row_limit;
	int			chunk_group_row_limit;
	StrataCodec codec;
	int			compression_level;
	/* a stripe closes past this many stored bytes */
	int			stripe_byte_limit;
	/* a chunk group closes when one of its columns buffers this many bytes */
	int			chunk_group_byte_limit;
	/* the sort key: columns the writer orders bulk loads and rewrites by */
	int			sort_nkeys;
	AttrNumber	sort_attnums[COLUMNAR_MAX_SORT_KEYS];
} ColumnarOptions;

extern int	columnar_stripe_row_limit;
extern int	columnar_chunk_group_row_limit;
extern int	columnar_compression;
extern int	columnar_compression_level;
extern int	columnar_stripe_byte_limit;
extern int	columnar_chunk_group_byte_limit;

/* ---- row numbers and TIDs ---- */

/*
 * Row numbers start at 1 and map to TIDs the way a heap of full pages would
 * (MaxHeapTuplesPerPage items a block), so bitmap scans and tidbitmap work.
 */
#define COLUMNAR_ROWS_PER_BLOCK MaxHeapTuplesPerPage
#define COLUMNAR_FIRST_ROW 1
#define COLUMNAR_MAX_ROW ((uint64) MaxBlockNumber * COLUMNAR_ROWS_PER_BLOCK)

static inline ItemPointerData
columnar_row_to_tid(uint64 row)
{
	ItemPointerData tid;

	ItemPointerSet(&tid, (BlockNumber) (row / COLUMNAR_ROWS_PER_BLOCK),
				   (OffsetNumber) (row % COLUMNAR_ROWS_PER_BLOCK + 1));
	return tid;
}

static inline uint64
columnar_tid_to_row(ItemPointer tid)
{
	return (uint64) ItemPointerGetBlockNumber(tid) * COLUMNAR_ROWS_PER_BLOCK +
		ItemPointerGetOffsetNumber(tid) - 1;
}

/* ---- building chunks on a helper thread (columnar_compressor.c) ---- */

typedef struct ColumnarChunkJob ColumnarChunkJob;

extern void columnar_compressor_init(void);
extern ColumnarChunkJob *columnar_chunk_submit(const ColumnarChunkInput *in);
extern const ColumnarChunkOutput *columnar_chunk_result(ColumnarChunkJob *job);
extern void columnar_chunk_free(ColumnarChunkJob *job);
extern void columnar_chunk_free_all(void);

/* ---- storage (columnar_storage.c) ---- */

extern void columnar_init_storage(Relation rel, SMgrRelation srel, uint64 storage_id,
								  char persistence);
extern uint64 columnar_storage_id(Relation rel);
extern void columnar_forget_storage_id(Relation rel);
extern uint64 columnar_reserve_rows(Relation rel, uint64 count);
extern BlockNumber columnar_write_data(Relation rel, const char *data, uint64 len);
extern void columnar_read_data(Relation rel, BlockNumber first_block,
							   uint64 offset, char *dst, uint64 len);
extern uint64 columnar_block_count(uint64 bytes);

/* ---- metadata (columnar_metadata.c) ---- */

/* A stripe as the scan sees it: flushed, or still a write state in memory. */
typedef struct ColumnarStripe
{
	uint64		first_row;
	uint64		row_count;
	BlockNumber first_block;	/* InvalidBlockNumber: in memory */
	uint64		data_bytes;
	bool		sorted;			/* in key (or CLUSTER) order: VACUUM keeps it */
	ColumnarSkipList skiplist;
	/* for unflushed rows: each column's stored chunks, and the write state */
	const char **memory_columns;
	void	   *pending;
} ColumnarStripe;

extern Oid	columnar_metadata_relid(const char *name);
extern uint64 columnar_new_storage_id(void);
extern void columnar_storage_created(Oid relid, Oid relfilenode, uint64 storage_id);
extern void columnar_drop_storage(uint64 storage_id);
extern void columnar_move_storage(uint64 storage_id, Oid relfilenode);
extern void columnar_delete_stripe(uint64 storage_id, uint64 first_row);
extern uint64 columnar_count_rows(Relation rel);
extern void columnar_reserve_stripe(Relation rel, uint64 storage_id, uint64 first_row,
									uint64 row_count, CommandId cid);
extern void columnar_insert_stripe(Relation rel, uint64 storage_id, uint64 first_row,
								   uint64 row_count, BlockNumber first_block,
								   uint64 data_bytes, bytea *skiplist, bool sorted,
								   CommandId cid);
extern bool columnar_row_reserved(uint64 storage_id, uint64 row, Snapshot snapshot);
extern List *columnar_read_stripes(Relation rel, uint64 storage_id, Snapshot snapshot);
extern ColumnarStripe *columnar_find_stripe(Relation rel, uint64 storage_id, uint64 row,
											Snapshot snapshot);
extern void columnar_cache_init(void);
extern void columnar_stripe_skiplist(Relation rel, Oid catalog, HeapTuple tup,
									 uint64 storage_id, Datum datum, ColumnarStripe *stripe);
extern bool columnar_stripe_range(uint64 storage_id, uint64 row, Snapshot snapshot,
								  uint64 *first_row, uint64 *row_count);

/* one row of strata_columnar.row_mask, as columnar_scan_masks hands it out */
typedef struct ColumnarMaskRow
{
	uint64		first_row;		/* of the span */
	CommandId	cid;			/* InvalidCommandId: killed */
	const uint8 *deleted;
	size_t		deleted_len;
	Datum		moved_raw;		/* 0: no row moved; else columnar_mask_row_moved */
	TransactionId xmin;
	TransactionId xmax;			/* its deleter (a VACUUM), or invalid */
	CommandId	cmin;			/* when xmin is this transaction's */
	TransactionId in_progress;	/* dirty snapshots: the running inserter */
	ItemPointerData tid;
} ColumnarMaskRow;

typedef bool (*ColumnarMaskVisitor) (const ColumnarMaskRow *mask, void *arg);

extern void columnar_insert_mask(uint64 storage_id, uint64 first_row, CommandId cid,
								 bytea *deleted, bytea *moved_to, bool killed);
extern void columnar_scan_masks(uint64 storage_id, int64 span, Snapshot snapshot,
								ColumnarMaskVisitor fn, void *arg);
extern void columnar_delete_mask(ItemPointer tid);
extern const uint8 *columnar_mask_row_moved(const ColumnarMaskRow *m, size_t *len);
extern void columnar_parse_mask_row(Relation rel, const ColumnarMaskRow *m, uint8 *bits,
									uint32 *count);
/* one row of strata_columnar.row_lock, as columnar_scan_row_locks hands it out */
typedef struct ColumnarLockRow
{
	uint64		first_row;		/* of the span */
	int			mode;			/* a LockTupleMode, unchecked */
	const uint8 *locked;		/* a row mask */
	size_t		locked_len;
	TransactionId xmin;
	ItemPointerData tid;
} ColumnarLockRow;

typedef void (*ColumnarLockVisitor) (const ColumnarLockRow *lock, void *arg);

extern void columnar_insert_row_lock(uint64 storage_id, uint64 first_row, LockTupleMode mode,
									 bytea *locked);
extern void columnar_scan_row_locks(uint64 storage_id, int64 span, ColumnarLockVisitor fn,
									void *arg);
extern void columnar_delete_row_lock(ItemPointer tid);
/* a range of row numbers */
typedef struct ColumnarRange
{
	uint64		first_row;
	uint64		row_count;
} ColumnarRange;

extern void columnar_insert_removed(uint64 storage_id, uint64 first_row, uint64 row_count);

/* ---- pages of dropped stripes (columnar_freespace.c) ---- */

/* a run of pages no stripe uses */
typedef struct ColumnarFreeRun
{
	uint64		first_block;
	uint64		block_count;
	bool		pending;		/* a dropped stripe's, until nothing can read it */
} ColumnarFreeRun;

extern BlockNumber columnar_take_free_pages(uint64 storage_id, uint64 nblocks);
extern void columnar_free_stripe_pages(uint64 storage_id, uint64 first_row,
									   BlockNumber first_block, uint64 nblocks);
extern uint64 columnar_release_free_pages(uint64 storage_id);
extern uint64 columnar_reclaim_unused_pages(Relation rel, uint64 storage_id);
extern List *columnar_free_runs(uint64 storage_id, Snapshot snapshot);

extern List *columnar_take_removed(uint64 storage_id, TransactionId oldest_xmin);
extern void columnar_get_options(Oid relid, ColumnarOptions *options);
extern bool columnar_read_options(Oid relid, ColumnarOptions *options);
extern Oid	columnar_options_relid(Relation rel);
extern void columnar_store_options(Oid relid, const ColumnarOptions *options);
extern void columnar_apply_options(Relation rel, List *defs);

/* columnar_alter.c: strata_columnar.* options in CREATE and ALTER TABLE */
extern void columnar_alter_init(void);

/* ---- writer (columnar_writer.c) ---- */

/* how a row comes (columnar_insert_row's flags) */
#define COLUMNAR_WRITE_BULK 1		/* a bulk load: fills whole stripes */
#define COLUMNAR_WRITE_ORDERED 2	/* never re-sort: the caller needs the TID */
#define COLUMNAR_WRITE_SORTED 4		/* one run in an order VACUUM is to keep */

extern void columnar_insert_row(Relation rel, TupleTableSlot *slot, int flags);
extern Tuplesortstate *columnar_begin_key_sort(Relation rel, const ColumnarOptions *options,
											   int work_mem_kb);
extern void columnar_flush_relation(Relation rel);
extern List *columnar_pending_stripes(Relation rel, Snapshot snapshot);
extern void columnar_release_pending(List *stripes);
extern bool columnar_pending_covers(Relation rel, uint64 row);
extern bool columnar_pending_row_cid(Relation rel, uint64 row, CommandId *cid);
extern bool columnar_has_pending(Oid relid);
extern void columnar_discard_pending(Oid relid);
extern void columnar_xact_callback(XactEvent event, void *arg);
extern void columnar_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
									  SubTransactionId parentSubid, void *arg);

/* ---- deleted rows (columnar_deletes.c) ---- */

typedef enum ColumnarRowState
{
	COLUMNAR_ROW_LIVE,
	COLUMNAR_ROW_DELETED_BY_US,
	COLUMNAR_ROW_DELETE_IN_PROGRESS,
	COLUMNAR_ROW_DELETED		/* by a committed transaction */
} ColumnarRowState;

typedef struct ColumnarDeleter
{
	TransactionId xid;
	CommandId	cid;			/* this transaction's deleting command */
	uint64		moved_to;		/* an UPDATE's new version, or 0 */
} ColumnarDeleter;

typedef struct ColumnarMasks ColumnarMasks;

extern ColumnarRowState columnar_row_state(Relation rel, uint64 row, ColumnarDeleter *who);
extern TM_Result columnar_delete_row(Relation rel, ItemPointer tid, CommandId cid,
									 Snapshot snapshot, Snapshot crosscheck, bool wait,
									 TM_FailureData *tmfd, TupleTableSlot *newslot);
extern TM_Result columnar_lock_row(Relation rel, ItemPointer tid, Snapshot snapshot,
								   TupleTableSlot *slot, CommandId cid, LockTupleMode mode,
								   LockWaitPolicy wait_policy, uint8 flags,
								   TM_FailureData *tmfd);
extern void columnar_latest_tid(Relation rel, ItemPointer tid);
extern void columnar_kill_row(Relation rel, uint64 row);
extern void columnar_write_mask(uint64 storage_id, uint64 span, CommandId cid, const uint8 *bits,
								uint32 count, const uint64 *moved, bool killed);
extern void columnar_flush_deletes(void);
extern void columnar_forget_lock_fetch(void);
extern Size columnar_deletes_shmem_size(void);
extern void columnar_deletes_shmem_init(void);
extern uint32 columnar_span_changed(uint64 storage_id, uint64 span);
extern uint32 columnar_span_locks_changed(uint64 storage_id, uint64 span);
extern void columnar_storage_changed(uint64 storage_id, int64 delta, bool known);
extern void columnar_row_count_moved(uint64 storage_id, uint32 before, int64 delta);
extern void columnar_row_counts_forget(void);
extern bool columnar_storage_version(uint64 storage_id, uint32 *version);
extern bool columnar_span_version(uint64 storage_id, uint64 span, uint32 *version);

/* the key of a backend's caches of what the catalog holds about a span */
typedef struct ColumnarSpanKey
{
	uint64		storage_id;
	uint64		span;
} ColumnarSpanKey;

extern HTAB *columnar_span_cache_create(const char *name, Size entrysize);
extern void *columnar_span_cache_find(HTAB *cache, uint64 storage_id, uint64 span,
									  HASHACTION action, bool *found);
extern bytea *columnar_mask_bytea(const uint8 *bits, uint32 count, uint16 *offsets);
extern bool columnar_has_pending_deletes(Oid relid);
extern void columnar_deletes_xact_callback(XactEvent event);
extern void columnar_deletes_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
											  SubTransactionId parentSubid);
extern ColumnarMasks *columnar_masks_begin(Relation rel, Snapshot snapshot, bool all,
										   MemoryContext cxt);
extern const uint8 *columnar_masks_span(ColumnarMasks *masks, uint64 span);
extern bool columnar_masks_deleted(ColumnarMasks *masks, uint64 row);
extern uint32 columnar_masks_range(ColumnarMasks *masks, uint64 first_row, uint32 rows,
								   bool *deleted);
extern uint64 columnar_deleted_count(Relation rel, Snapshot snapshot);
extern uint64 columnar_stored_deleted(Relation rel, Snapshot snapshot);
extern uint64 columnar_pending_deleted(uint64 storage_id, Snapshot snapshot);
extern bool columnar_has_recent_deletes(Relation rel, Snapshot snapshot, TransactionId horizon);

/* ---- row locks kept past the lock manager (columnar_rowlocks.c) ---- */

extern void columnar_note_row_lock(Relation rel, uint64 row, LockTupleMode mode);
extern void columnar_write_row_locks(void);
extern TransactionId columnar_row_locker(Relation rel, uint64 row, LockTupleMode mode);
extern uint64 columnar_remove_ended_locks(uint64 storage_id);
extern void columnar_verify_row_locks(Relation rel);
extern void columnar_rowlocks_xact_callback(XactEvent event);
extern void columnar_rowlocks_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
											   SubTransactionId parentSubid);

/* ---- speculative insertions (columnar_speculative.c) ---- */

extern Size columnar_speculative_shmem_size(void);
extern void columnar_speculative_shmem_init(void);
extern void columnar_speculative_begin(uint64 storage_id, uint64 row, TransactionId xid,
									   uint32 token);
extern void columnar_speculative_end(void);
extern uint32 columnar_speculative_token(uint64 storage_id, uint64 row, TransactionId *xid);

/* ---- reader (columnar_reader.c) ---- */

typedef struct ColumnarReadState ColumnarReadState;

extern ColumnarReadState *columnar_begin_read(Relation rel, Snapshot snapshot,
											  Bitmapset *attrs);
extern ColumnarReadState *columnar_begin_fetch(Relation rel, Snapshot snapshot);
extern bool columnar_read_next(ColumnarReadState *state, TupleTableSlot *slot);
extern bool columnar_fetch_row(ColumnarReadState *state, uint64 row,
							   TupleTableSlot *slot);
extern void columnar_rescan(ColumnarReadState *state);
extern void columnar_fetch_rebind(ColumnarReadState *state, Relation rel);
extern void columnar_end_read(ColumnarReadState *state);
extern uint64 columnar_total_rows(ColumnarReadState *state);
extern bool columnar_read_nth(ColumnarReadState *state, uint64 n, TupleTableSlot *slot);
extern List *columnar_read_stripes_all(ColumnarReadState *state);
extern uint64 columnar_stripe_live_rows(ColumnarReadState *state, const ColumnarStripe *stripe);
extern void columnar_set_parallel(ColumnarReadState *state, pg_atomic_uint64 *next_stripe);

/*
 * The shared memory of a parallel ColumnarScan or ColumnarAgg: the stripe
 * counter the participants claim stripes from, and the chunk groups the
 * workers read, skipped and answered from metadata, which each adds in
 * when its part is done, for the leader's EXPLAIN ANALYZE.
 */
typedef struct ColumnarParallelShared
{
	pg_atomic_uint64 next_stripe;
	pg_atomic_uint64 groups[3];
} ColumnarParallelShared;

/* A parallel node's side of it: the shared memory while it runs, and in
 * the leader, what the workers read, skipped and answered from metadata. */
typedef struct ColumnarParallelPart
{
	ColumnarParallelShared *shared;
	uint64		worker_groups[3];
} ColumnarParallelPart;

/* the node's DSM callbacks, each one of these */
extern void columnar_parallel_initialize(ColumnarParallelPart *part, ColumnarReadState *read,
										 void *coordinate);
extern void columnar_parallel_reinitialize(ColumnarParallelPart *part, void *coordinate);
extern void columnar_parallel_attach(ColumnarParallelPart *part, ColumnarReadState *read,
									 void *coordinate);
extern void columnar_parallel_report(ColumnarParallelPart *part, ColumnarReadState *read,
									 uint64 from_metadata);
extern void columnar_parallel_shutdown(ColumnarParallelPart *part);
extern void columnar_check_parallel(Relation rel);
extern void columnar_restrict_stripes(ColumnarReadState *state, List *stripes);

/*
 * A qual the reader checks against each chunk group's bounds and null
 * count before decoding it: "column <strategy> value", or a NULL test.
 */
typedef enum ColumnarFilterKind
{
	COLUMNAR_FILTER_COMPARE,
	COLUMNAR_FILTER_IS_NULL,
	COLUMNAR_FILTER_IS_NOT_NULL
} ColumnarFilterKind;

typedef struct ColumnarFilter
{
	ColumnarFilterKind kind;
	int			column;			/* 0-based */
	int			strategy;		/* BTLessStrategyNumber .. BTGreaterStrategyNumber */
	Datum		value;
	bool		value_isnull;
	FmgrInfo	cmp;			/* cmp(bound of the column's type, value) */
	Oid			collation;
	/* the qual's own operator, for evaluating it exactly on values */
	FmgrInfo	opfn;
	Oid			inputcollid;
	bool		var_left;
	/* top-N's bound under NULLS FIRST: a group with NULLs is never refuted */
	bool		keep_nulls;
} ColumnarFilter;

extern void columnar_set_filters(ColumnarReadState *state, ColumnarFilter *filters, int nfilters);
extern void columnar_order_stripes(ColumnarReadState *state, const ColumnarFilter *bound);
extern bool columnar_filter_holds(ColumnarReadState *state, const ColumnarStripe *stripe,
								  uint32 g, const ColumnarFilter *f);
extern double columnar_groups_fraction(Relation rel, Snapshot snapshot,
									   ColumnarFilter *filters, int nfilters);
extern uint64 columnar_groups_read(ColumnarReadState *state);
extern uint64 columnar_groups_skipped(ColumnarReadState *state);

/*
 * Group at a time, for the batch path: columnar_next_group() steps to the
 * next chunk group the filters do not refute, without decoding anything;
 * columnar_group_raw() then decodes one column of it on demand.  A raw
 * fixed-width chunk is its present values back to back (stride of the
 * type) and, when it has NULLs, its bitmap (1 = present).
 */
typedef struct ColumnarRawChunk
{
	uint32		rows;
	uint32		null_count;
	const uint8 *bitmap;		/* NULL when the chunk has no NULLs */
	const char *values;			/* fixed width: the present values */
	bool		missing;		/* the column is not in this stripe */
	Datum		missing_value;
	bool		missing_isnull;

	/* varlena: either a dictionary and a code per present value ... */
	const char *base;
	uint32		ndict;
	const uint32 *dict_offsets;
	const uint8 *codes;
	uint32		code_width;
	/* ... or, without a dictionary, the offset of each present value */
	const uint32 *value_offsets;
} ColumnarRawChunk;

extern bool columnar_next_group(ColumnarReadState *state, const ColumnarStripe **stripe,
								uint32 *group, uint32 *rows);
extern void columnar_group_raw(ColumnarReadState *state, int column, ColumnarRawChunk *out);
extern const bool *columnar_group_deleted(ColumnarReadState *state);

/* ---- custom scan (columnar_customscan.c) and batch aggregate (columnar_agg.c) ---- */

extern bool make_columnar_filter(Relation rel, Node *qual, Index scanrelid,
								 ColumnarFilter *f, Expr **value_expr);
extern void columnar_evaluate_filters(List *values, ColumnarFilter *filters,
									  struct ExprContext *econtext);
extern bool columnar_enable_vectorized_agg;
extern void columnar_agg_init(void);

extern bool columnar_enable_custom_scan;
extern void columnar_customscan_init(void);

/* decode one chunk into values and nulls arrays of the group's rows */
extern void columnar_decode_chunk(Relation rel, const ColumnarStripe *stripe,
								  int column, uint32 group, Form_pg_attribute att,
								  Datum *values, bool *nulls);

/* ---- VACUUM (columnar_vacuum.c) ---- */

extern void columnar_vacuum_init(void);
extern void columnar_vacuum_rel(Relation rel, struct VacuumParams *params,
								BufferAccessStrategy bstrategy);

/* ---- the table access method (columnar_tableam.c) ---- */

extern const TableAmRoutine *columnar_tableam(void);
extern void columnar_fetch_cache_reset(void);

#endif							/* COLUMNAR_H */
