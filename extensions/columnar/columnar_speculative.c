/*-------------------------------------------------------------------------
 *
 * columnar_speculative.c
 *	  Which row each backend is inserting speculatively (INSERT ... ON
 *	  CONFLICT), for other backends' unique checks.
 *
 * Heap stores a speculative insertion's token in the tuple, so a
 * concurrent inserter of the same key waits only for that insertion to be
 * confirmed or killed (SpeculativeInsertionWait), not for the whole
 * transaction.  A columnar row lives in its writer's memory until the
 * stripe is flushed, so the token is published here instead: one slot per
 * backend, in shared memory when strata_columnar is preloaded.  Without it
 * a concurrent inserter waits for the transaction, and two upserts racing
 * for one key while holding other rows can deadlock (PostgreSQL detects it
 * and cancels one).
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "miscadmin.h"
#include "storage/backendid.h"
#include "storage/shmem.h"
#include "storage/spin.h"

typedef struct SpeculativeSlot
{
	slock_t		mutex;
	bool		valid;
	Oid			dbid;
	uint64		storage_id;
	uint64		row;
	TransactionId xid;
	uint32		token;
} SpeculativeSlot;

typedef struct SpeculativeShared
{
	pg_atomic_uint32 active;	/* slots valid: 0 spares every check a scan */
	SpeculativeSlot slots[FLEXIBLE_ARRAY_MEMBER];
} SpeculativeShared;

static SpeculativeShared *shared = NULL;
static SpeculativeSlot *slots = NULL;

Size
columnar_speculative_shmem_size(void)
{
	return add_size(offsetof(SpeculativeShared, slots),
					mul_size(sizeof(SpeculativeSlot), MaxBackends + 1));
}

void
columnar_speculative_shmem_init(void)
{
	bool		found;
	int			i;

	shared = ShmemInitStruct("strata_columnar speculative insertions",
							 columnar_speculative_shmem_size(), &found);
	slots = shared->slots;
	if (!found)
		pg_atomic_init_u32(&shared->active, 0);
	if (!found)
		for (i = 0; i <= MaxBackends; i++)
		{
			SpinLockInit(&slots[i].mutex);
			slots[i].valid = false;
		}
}

/* This backend is inserting row speculatively, under token. */
void
columnar_speculative_begin(uint64 storage_id, uint64 row, TransactionId xid, uint32 token)
{
	SpeculativeSlot *s;

	if (slots == NULL || MyBackendId <= 0 || MyBackendId > MaxBackends)
		return;
	s = &slots[MyBackendId];
	SpinLockAcquire(&s->mutex);
	s->dbid = MyDatabaseId;
	s->storage_id = storage_id;
	s->row = row;
	s->xid = xid;
	s->token = token;
	if (!s->valid)
		pg_atomic_fetch_add_u32(&shared->active, 1);
	s->valid = true;
	SpinLockRelease(&s->mutex);
}

/* The insertion was confirmed or killed. */
void
columnar_speculative_end(void)
{
	SpeculativeSlot *s;

	if (slots == NULL || MyBackendId <= 0 || MyBackendId > MaxBackends)
		return;
	s = &slots[MyBackendId];
	SpinLockAcquire(&s->mutex);
	if (s->valid)
		pg_atomic_fetch_sub_u32(&shared->active, 1);
	s->valid = false;
	SpinLockRelease(&s->mutex);
}

/*
 * Is row being inserted speculatively?  Then its token, and the inserting
 * transaction in *xid; else 0.  A unique check asks this before it looks
 * for a kill of the row: the inserter writes the kill, then clears its
 * slot, so a check that finds the slot empty is sure to see the kill.
 */
uint32
columnar_speculative_token(uint64 storage_id, uint64 row, TransactionId *xid)
{
	int			i;
	uint32		token = 0;

	*xid = InvalidTransactionId;
	/* no insertion anywhere (the usual case): nothing to scan */
	if (slots == NULL || pg_atomic_read_u32(&shared->active) == 0)
		return 0;
	for (i = 1; i <= MaxBackends && token == 0; i++)
	{
		SpeculativeSlot *s = &slots[i];

		SpinLockAcquire(&s->mutex);
		if (s->valid && s->dbid == MyDatabaseId && s->storage_id == storage_id && s->row == row)
		{
			token = s->token;
			*xid = s->xid;
		}
		SpinLockRelease(&s->mutex);
	}
	return token;
}
