/*-------------------------------------------------------------------------
 *
 * columnar_storage.c
 *	  The pages of a strata_columnar relation's main fork.
 *
 *	block 0				metapage
 *	block 1 ...			stripe data, each stripe a run of whole pages
 *
 *	metapage:	[PageHeader][magic "SCOL" u32][version u32][storage id u64]
 *				[next row u64]
 *	data page:	[PageHeader][up to BLCKSZ - SizeOfPageHeaderData bytes of
 *				the stripe's byte stream]; pd_lower ends the bytes, so a
 *				full-page image leaves out the unused tail.
 *
 * A stripe's byte stream is the concatenation of its stored chunks, column
 * by column; its catalog row gives the first block and the length.  Data
 * pages are written by the transaction that flushes the stripe, into
 * pages it has just added to the relation under the relation extension
 * lock, or into the pages of stripes VACUUM dropped once nothing can read
 * those any more (columnar_freespace.c), and WAL-logged as full-page
 * images: crash recovery, physical replicas and point-in-time recovery all
 * see them.  They become reachable only when the stripe's catalog row
 * commits, so an aborted or crashed writer leaves unreachable pages and
 * nothing a reader can see.
 *
 * "next row" hands out row numbers (see columnar.h).  Reservations are not
 * transactional: a range reserved by a transaction that aborts is never
 * used again.  Each reservation is WAL-logged (generic WAL) before the rows
 * are handed out, so a row number is never given out twice, even after a
 * crash.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/generic_xlog.h"
#include "access/xloginsert.h"
#include "catalog/storage.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/smgr.h"
#include "utils/memutils.h"

#define COLUMNAR_META_MAGIC 0x4C4F4353	/* "SCOL" */
#define COLUMNAR_META_VERSION 1
#define COLUMNAR_META_BLOCK 0
#define DATA_PER_PAGE (BLCKSZ - SizeOfPageHeaderData)

typedef struct ColumnarMetapage
{
	uint32		magic;
	uint32		version;
	uint64		storage_id;
	uint64		next_row;
} ColumnarMetapage;

/* what rd_amcache keeps: the storage id of one relfilenode */
typedef struct ColumnarAmCache
{
	Oid			relfilenode;
	uint64		storage_id;
} ColumnarAmCache;

static void
init_metapage(Page page, uint64 storage_id)
{
	ColumnarMetapage *meta;

	PageInit(page, BLCKSZ, 0);
	meta = (ColumnarMetapage *) PageGetContents(page);
	meta->magic = COLUMNAR_META_MAGIC;
	meta->version = COLUMNAR_META_VERSION;
	meta->storage_id = storage_id;
	meta->next_row = COLUMNAR_FIRST_ROW;
	((PageHeader) page)->pd_lower = ((char *) meta + sizeof(ColumnarMetapage)) - (char *) page;
}

/*
 * Write the metapage of a new relfilenode.  Called while the relation still
 * has its old relfilenode, so the page goes straight to smgr, as index AMs
 * build their metapages; a pending sync covers wal_level = minimal.
 */
void
columnar_init_storage(Relation rel, SMgrRelation srel, uint64 storage_id, char persistence)
{
	PGAlignedBlock page;
	bool		needs_wal = persistence == RELPERSISTENCE_PERMANENT && XLogIsNeeded();

	init_metapage(page.data, storage_id);
	if (needs_wal)
		log_newpage(&srel->smgr_rnode.node, MAIN_FORKNUM, COLUMNAR_META_BLOCK,
					page.data, true);
	PageSetChecksumInplace(page.data, COLUMNAR_META_BLOCK);
	smgrextend(srel, MAIN_FORKNUM, COLUMNAR_META_BLOCK, page.data, true);
}

/* Check the metapage; every caller holds at least a share lock on buf. */
static ColumnarMetapage *
metapage(Relation rel, Buffer buf)
{
	Page		page = BufferGetPage(buf);
	ColumnarMetapage *meta = (ColumnarMetapage *) PageGetContents(page);

	if (PageIsNew(page) || meta->magic != COLUMNAR_META_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("strata_columnar relation \"%s\" has a corrupt metapage",
						RelationGetRelationName(rel)),
				 errdetail("Block 0 does not start with the strata_columnar magic number.")));
	if (meta->version != COLUMNAR_META_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("strata_columnar relation \"%s\" has storage version %u, expected %u",
						RelationGetRelationName(rel), meta->version, COLUMNAR_META_VERSION)));
	return meta;
}

static Buffer
read_metapage(Relation rel, int mode)
{
	Buffer		buf;

	if (RelationGetNumberOfBlocks(rel) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("strata_columnar relation \"%s\" has no metapage",
						RelationGetRelationName(rel))));
	buf = ReadBuffer(rel, COLUMNAR_META_BLOCK);
	LockBuffer(buf, mode);
	return buf;
}

uint64
columnar_storage_id(Relation rel)
{
	ColumnarAmCache *cache = (ColumnarAmCache *) rel->rd_amcache;
	Buffer		buf;
	uint64		storage_id;

	if (cache != NULL && cache->relfilenode == rel->rd_node.relNode)
		return cache->storage_id;

	buf = read_metapage(rel, BUFFER_LOCK_SHARE);
	storage_id = metapage(rel, buf)->storage_id;
	UnlockReleaseBuffer(buf);

	if (cache == NULL)
		rel->rd_amcache = cache = MemoryContextAlloc(CacheMemoryContext, sizeof(ColumnarAmCache));
	cache->relfilenode = rel->rd_node.relNode;
	cache->storage_id = storage_id;
	return storage_id;
}

/* The relfilenode kept its number but got new contents (in-place truncate). */
void
columnar_forget_storage_id(Relation rel)
{
	if (rel->rd_amcache != NULL)
		pfree(rel->rd_amcache);
	rel->rd_amcache = NULL;
}

/* Reserve count consecutive row numbers; returns the first. */
uint64
columnar_reserve_rows(Relation rel, uint64 count)
{
	Buffer		buf = read_metapage(rel, BUFFER_LOCK_EXCLUSIVE);
	GenericXLogState *xlog;
	ColumnarMetapage *meta;
	uint64		first;

	metapage(rel, buf);
	xlog = GenericXLogStart(rel);
	meta = (ColumnarMetapage *) PageGetContents(GenericXLogRegisterBuffer(xlog, buf, 0));
	first = meta->next_row;
	if (first > COLUMNAR_MAX_ROW || count > COLUMNAR_MAX_ROW - first)
	{
		GenericXLogAbort(xlog);
		UnlockReleaseBuffer(buf);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("strata_columnar table \"%s\" has run out of row numbers",
						RelationGetRelationName(rel)),
				 errhint("VACUUM FULL rewrites the table and numbers its rows afresh.")));
	}
	meta->next_row = first + count;
	GenericXLogFinish(xlog);
	UnlockReleaseBuffer(buf);
	return first;
}

uint64
columnar_block_count(uint64 bytes)
{
	return (bytes + DATA_PER_PAGE - 1) / DATA_PER_PAGE;
}

/*
 * Write len bytes as a run of whole pages; returns the first block.  The
 * pages are those of dropped stripes when a free run is large enough
 * (columnar_freespace.c), else new pages at the end of the relation, which
 * are consecutive because the relation extension lock is held while they
 * are added.  Either way each page is written whole and WAL-logged as a
 * full-page image.
 */
BlockNumber
columnar_write_data(Relation rel, const char *data, uint64 len)
{
	uint64		nblocks = columnar_block_count(len);
	BlockNumber first = columnar_take_free_pages(columnar_storage_id(rel), nblocks);
	bool		reuse = first != InvalidBlockNumber;
	BlockNumber size = RelationGetNumberOfBlocks(rel);
	uint64		i;
	bool		needs_wal = RelationNeedsWAL(rel);

	if (reuse && (first == COLUMNAR_META_BLOCK || first + nblocks > size))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("strata_columnar relation \"%s\" lists free blocks %u to %llu past its end",
						RelationGetRelationName(rel), first,
						(unsigned long long) (first + nblocks - 1)),
				 errdetail("The relation has %u blocks.", size)));
	if (!reuse && (uint64) size + nblocks >= MaxBlockNumber)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("strata_columnar table \"%s\" cannot grow past %u blocks",
						RelationGetRelationName(rel), MaxBlockNumber)));

	if (!reuse)
		LockRelationForExtension(rel, ExclusiveLock);
	for (i = 0; i < nblocks; i++)
	{
		uint64		n = Min(DATA_PER_PAGE, len - i * DATA_PER_PAGE);
		Buffer		buf;
		Page		page;

		if (reuse)
			buf = ReadBufferExtended(rel, MAIN_FORKNUM, first + i, RBM_ZERO_AND_LOCK, NULL);
		else
		{
			buf = ReadBufferExtended(rel, MAIN_FORKNUM, P_NEW, RBM_NORMAL, NULL);
			if (i == 0)
				first = BufferGetBlockNumber(buf);
			Assert(BufferGetBlockNumber(buf) == first + i);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		}
		page = BufferGetPage(buf);

		START_CRIT_SECTION();
		PageInit(page, BLCKSZ, 0);
		memcpy(page + SizeOfPageHeaderData, data + i * DATA_PER_PAGE, n);
		((PageHeader) page)->pd_lower = SizeOfPageHeaderData + n;
		MarkBufferDirty(buf);
		if (needs_wal)
			log_newpage_buffer(buf, true);
		END_CRIT_SECTION();

		UnlockReleaseBuffer(buf);
	}
	if (!reuse)
		UnlockRelationForExtension(rel, ExclusiveLock);
	return first;
}

/*
 * Copy len bytes at offset of the stripe whose data starts at first_block.
 * Pages that do not hold those bytes mean the metadata and the data
 * disagree: that is corruption, reported with the block.
 */
void
columnar_read_data(Relation rel, BlockNumber first_block, uint64 offset,
				   char *dst, uint64 len)
{
	/*
	 * The size this backend last saw the file grow to, if any: asking the
	 * kernel (an lseek) for every chunk read was a tenth of a scan's
	 * system time.  Files of a relation only grow in place (rewrites get
	 * a new file), and a block past the real end still fails in
	 * ReadBuffer, only with a less helpful message.
	 */
	BlockNumber nblocks = RelationGetSmgr(rel)->smgr_cached_nblocks[MAIN_FORKNUM];
	uint64		last = len > 0 ? first_block + (offset + len - 1) / DATA_PER_PAGE : first_block;

	if (nblocks == InvalidBlockNumber || last >= nblocks)
		nblocks = RelationGetNumberOfBlocks(rel);
	while (len > 0)
	{
		uint64		blockno = first_block + offset / DATA_PER_PAGE;
		uint64		in_page = offset % DATA_PER_PAGE;
		uint64		n = Min(len, DATA_PER_PAGE - in_page);
		Buffer		buf;
		Page		page;

		if (first_block == COLUMNAR_META_BLOCK || blockno >= nblocks)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("strata_columnar relation \"%s\" has no data block %llu",
							RelationGetRelationName(rel), (unsigned long long) blockno),
					 errdetail("The relation has %u blocks.", nblocks)));
		buf = ReadBuffer(rel, (BlockNumber) blockno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (PageIsNew(page) ||
			((PageHeader) page)->pd_lower < SizeOfPageHeaderData + in_page + n)
		{
			UnlockReleaseBuffer(buf);
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("strata_columnar relation \"%s\" has a corrupt data block %llu",
							RelationGetRelationName(rel), (unsigned long long) blockno),
					 errdetail("The block holds fewer bytes than the stripe metadata says.")));
		}
		memcpy(dst, page + SizeOfPageHeaderData + in_page, n);
		UnlockReleaseBuffer(buf);
		dst += n;
		offset += n;
		len -= n;
	}
}
