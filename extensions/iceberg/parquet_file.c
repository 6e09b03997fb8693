/*-------------------------------------------------------------------------
 *
 * parquet_file.c
 *	  Opening a Parquet file on the server and reading it row group by row
 *	  group, within a memory limit.
 *
 * The column-chunk reader (strata_parquet_read.h) takes the whole file as
 * one buffer and file offsets into it.  Rather than reading the whole file
 * into memory, or mapping it (a file truncated under a mapping kills the
 * backend with SIGBUS), this file reserves address space for the whole
 * file, inaccessible and backed by nothing:
 *
 *	window:  [ PROT_NONE ........ | chunk a | ... | chunk b | ....... ]
 *	         0                  offsets of the row group's chunks    file_len
 *
 * and, for each row group, makes the pages of the column chunks COPY needs
 * readable and pread()s those chunks into them, at their own offsets.
 * After the row group the pages are given back (MADV_DONTNEED) and made
 * inaccessible again.  The reader only touches a chunk's bytes after
 * checking its range against the metadata, the same range computed here,
 * so it never meets an unloaded page.
 *
 * Memory.  strata_iceberg.max_row_group_memory bounds what one row group
 * takes: the column chunks as stored plus what the reader decodes them
 * into (its arena, whose blocks come from a memory context through a
 * budget that refuses past the limit).  The footer and decoded metadata
 * are bounded by the same limit.  A file that claims more fails with
 * ERRCODE_PROGRAM_LIMIT_EXCEEDED before the memory is taken.
 *
 * Errors.  Bytes that do not parse are ERRCODE_DATA_CORRUPTED naming the
 * file and the byte offset the decoder reports.  The descriptor comes from
 * OpenTransientFile, closed at transaction end on error; the window is
 * released by a reset callback of the memory context that owns this state.
 *
 *-------------------------------------------------------------------------
 */
#include "iceberg.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/memutils.h"

/* Gives an arena memory from a context, refusing past a limit. */
typedef struct ArenaBudget
{
	MemoryContext cxt;
	size_t		used;
	size_t		limit;
	bool		refused;		/* an allocation hit the limit */
} ArenaBudget;

struct IcebergParquetFile
{
	char	   *path;
	int			fd;
	uint64		file_len;
	MemoryContext cxt;			/* owns this struct and everything below */
	MemoryContextCallback cleanup;

	StrataArena meta_arena;
	ArenaBudget meta_budget;
	StrataParquetFileMetaData md;
	StrataParquetLeaf *leaves;
	int32		num_leaves;

	/* reading row groups */
	uint8	   *window;			/* file_len bytes of reserved address space */
	size_t		window_len;		/* mapped: file_len rounded up to pages */
	size_t		loaded_lo;		/* pages made readable, [lo, hi) */
	size_t		loaded_hi;
	StrataArena row_arena;
	ArenaBudget row_budget;
};

static void *
budget_alloc(void *ctx, size_t size)
{
	ArenaBudget *budget = (ArenaBudget *) ctx;
	void	   *p;

	if (size > budget->limit || budget->used > budget->limit - size)
	{
		budget->refused = true;
		return NULL;
	}
	p = MemoryContextAllocExtended(budget->cxt, size,
								   MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (p != NULL)
		budget->used += size;
	return p;
}

static void
budget_free(void *ctx, void *ptr)
{
	pfree(ptr);
}

static void
arena_init(StrataArena *arena, ArenaBudget *budget, MemoryContext cxt, size_t limit)
{
	budget->cxt = cxt;
	budget->used = 0;
	budget->limit = limit;
	budget->refused = false;
	strata_arena_init(arena, 0);
	arena->block_alloc = budget_alloc;
	arena->block_free = budget_free;
	arena->ctx = budget;
}

static size_t
memory_limit(void)
{
	return (size_t) iceberg_max_row_group_memory * 1024;
}

/* Bytes for messages: "12 MB", "512 kB". */
static char *
pretty_bytes(uint64 n)
{
	if (n >= 10 * 1024 * 1024)
		return psprintf(UINT64_FORMAT " MB", n / (1024 * 1024));
	return psprintf(UINT64_FORMAT " kB", (n + 1023) / 1024);
}

static void
limit_exceeded(IcebergParquetFile *file, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("reading %s of Parquet file \"%s\" needs more memory than strata_iceberg.max_row_group_memory allows",
					what, file->path),
			 errdetail("The limit is %s.", pretty_bytes(memory_limit())),
			 errhint("A superuser can raise strata_iceberg.max_row_group_memory.")));
}

static void
corrupted(IcebergParquetFile *file, const StrataParquetStatus *status, uint64 base)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid Parquet file \"%s\" at byte offset " UINT64_FORMAT,
					file->path, base + (uint64) status->error_offset),
			 errdetail_internal("%s", status->error)));
}

/* Reset callback: give back the window, however the context goes away. */
static void
release_window(void *arg)
{
	IcebergParquetFile *file = (IcebergParquetFile *) arg;

	if (file->window != NULL)
	{
		munmap(file->window, file->window_len);
		file->window = NULL;
	}
}

/* Read len bytes at offset; a short read means the file shrank. */
static void
read_exact(IcebergParquetFile *file, void *buf, size_t len, uint64 offset)
{
	size_t		done = 0;

	while (done < len)
	{
		ssize_t		n = pg_pread(file->fd, (char *) buf + done, len - done,
								 (off_t) (offset + done));

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", file->path)));
		}
		if (n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("invalid Parquet file \"%s\" at byte offset " UINT64_FORMAT,
							file->path, offset + done),
					 errdetail("The file ends there: it was " UINT64_FORMAT " bytes long when opened.",
							   file->file_len)));
		done += (size_t) n;
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * COPY's rule for reading files on the server: superuser, or the
 * privileges of pg_read_server_files.  "what" completes the message.
 */
void
iceberg_check_read_privilege(const char *what)
{
	if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser or have privileges of the pg_read_server_files role to %s",
						what)));
}

/*
 * Open a Parquet file and decode its footer.  The caller has checked the
 * privileges.  Everything lives in a new child of the current memory
 * context, deleted by iceberg_parquet_close or with its parent.
 */
IcebergParquetFile *
iceberg_parquet_open(const char *path)
{
	return iceberg_parquet_open_named(path, path);
}

/* The same, naming the file "name" in messages (STDIN for a spooled file). */
IcebergParquetFile *
iceberg_parquet_open_named(const char *path, const char *name)
{
	MemoryContext cxt;
	MemoryContext old;
	IcebergParquetFile *file;
	struct stat st;
	uint8		tail[8];
	uint8		head[4];
	uint32		footer_len;
	uint64		footer_offset;
	uint8	   *footer;
	StrataParquetStatus status;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "Parquet file",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	file = palloc0(sizeof(IcebergParquetFile));
	file->cxt = cxt;
	file->path = pstrdup(name);
	file->cleanup.func = release_window;
	file->cleanup.arg = file;
	MemoryContextRegisterResetCallback(cxt, &file->cleanup);

	file->fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (file->fd < 0)
	{
		int			save_errno = errno;

		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\" for reading: %m", name),
				 (save_errno == ENOENT || save_errno == EACCES) ?
				 errhint("The PostgreSQL server process reads the file: the path is on the database server.") : 0));
	}
	if (fstat(file->fd, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", name)));
	if (S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is a directory", name)));
	file->file_len = (uint64) st.st_size;

	/* the footer: "PAR1" | ... | FileMetaData | length (4, LE) | "PAR1" */
	if (file->file_len >= 8)
		read_exact(file, tail, 8, file->file_len - 8);
	if (!strata_parquet_footer_length(tail, file->file_len, &footer_len, &status))
	{
		if (file->file_len >= 8 && memcmp(tail + 4, "PARE", 4) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("Parquet file \"%s\" is encrypted, which is not supported", name)));
		corrupted(file, &status, 0);
	}
	read_exact(file, head, 4, 0);
	if (memcmp(head, "PAR1", 4) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid Parquet file \"%s\" at byte offset 0", name),
				 errdetail("The file does not start with the Parquet magic \"PAR1\".")));
	footer_offset = file->file_len - 8 - footer_len;
	if (footer_len > memory_limit())
		limit_exceeded(file, "the footer");

	footer = MemoryContextAllocHuge(cxt, footer_len);
	read_exact(file, footer, footer_len, footer_offset);
	arena_init(&file->meta_arena, &file->meta_budget, cxt, memory_limit());
	if (!strata_parquet_file_metadata_decode(footer, footer_len, &file->meta_arena,
											 &file->md, &status))
	{
		if (file->meta_budget.refused)
			limit_exceeded(file, "the footer");
		corrupted(file, &status, footer_offset);
	}
	pfree(footer);
	if (file->md.has_encryption_algorithm)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("Parquet file \"%s\" is encrypted, which is not supported", name)));
	if (!strata_parquet_schema_leaves(&file->md, &file->meta_arena, &file->leaves,
									  &file->num_leaves, &status))
	{
		if (file->meta_budget.refused)
			limit_exceeded(file, "the footer");
		/* a schema error has no offset of its own: name the footer's */
		status.error_offset = 0;
		corrupted(file, &status, footer_offset);
	}

	MemoryContextSwitchTo(old);
	return file;
}

void
iceberg_parquet_close(IcebergParquetFile *file)
{
	if (file->fd >= 0)
		CloseTransientFile(file->fd);
	file->fd = -1;
	MemoryContextDelete(file->cxt);
}

const StrataParquetFileMetaData *
iceberg_parquet_footer(IcebergParquetFile *file)
{
	return &file->md;
}

const StrataParquetLeaf *
iceberg_parquet_leaves(IcebergParquetFile *file, int32 *num_leaves)
{
	*num_leaves = file->num_leaves;
	return file->leaves;
}

/*
 * Where a column chunk lies, as strata_parquet_read_column computes it:
 * from the dictionary page when there is one before the data pages.
 * False when the metadata puts it outside the file; the reader reports
 * that, so nothing is loaded for it here.
 */
static bool
chunk_range(IcebergParquetFile *file, const StrataParquetColumnChunk *cc,
			uint64 *start, uint64 *size)
{
	const StrataParquetColumnMetaData *cmd = cc->meta_data;
	int64		s;

	if (cmd == NULL || cc->file_path != NULL)
		return false;
	s = cmd->data_page_offset;
	if (cmd->has_dictionary_page_offset && cmd->dictionary_page_offset > 0 &&
		cmd->dictionary_page_offset < s)
		s = cmd->dictionary_page_offset;
	if (s < 4 || (uint64) s > file->file_len || cmd->total_compressed_size < 0 ||
		(uint64) cmd->total_compressed_size > file->file_len - (uint64) s)
		return false;
	*start = (uint64) s;
	*size = (uint64) cmd->total_compressed_size;
	return true;
}

/* Give back the pages of the previous row group and its decoded data. */
static void
release_row_group(IcebergParquetFile *file)
{
	if (file->window != NULL && file->loaded_hi > file->loaded_lo)
	{
		(void) madvise(file->window + file->loaded_lo,
					   file->loaded_hi - file->loaded_lo, MADV_DONTNEED);
		(void) mprotect(file->window + file->loaded_lo,
						file->loaded_hi - file->loaded_lo, PROT_NONE);
	}
	file->loaded_lo = file->loaded_hi = 0;
	if (file->row_budget.cxt != NULL)
		strata_arena_free_all(&file->row_arena);
}

/*
 * Read the given leaf columns of one row group into out[] (one entry per
 * column).  What out[] points to stays valid until the next call or
 * iceberg_parquet_close.
 */
void
iceberg_parquet_read_row_group(IcebergParquetFile *file, int32 row_group,
							   const int32 *columns, int num_columns,
							   StrataParquetColumnData *out)
{
	const StrataParquetRowGroup *rg;
	size_t		page = (size_t) sysconf(_SC_PAGESIZE);
	uint64		total = 0;
	uint64		start,
				size;
	char	   *what;
	int			i;

	Assert(row_group >= 0 && row_group < file->md.num_row_groups);
	rg = &file->md.row_groups[row_group];
	release_row_group(file);
	what = psprintf("row group %d", row_group);

	/* refuse what cannot be read before reading anything */
	for (i = 0; i < num_columns; i++)
	{
		const StrataParquetColumnChunk *cc;
		int32		codec;

		if (columns[i] < 0 || columns[i] >= rg->num_columns)
			continue;			/* the reader says what is wrong */
		cc = &rg->columns[columns[i]];
		if (cc->meta_data == NULL)
			continue;
		codec = cc->meta_data->codec;
		if (codec == STRATA_PARQUET_LZO || codec == STRATA_PARQUET_BROTLI)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column \"%s\" of Parquet file \"%s\" is compressed with %s, which is not supported",
							file->leaves[columns[i]].dotted_path, file->path,
							iceberg_parquet_codec_name(codec)),
					 errhint("Supported codecs: UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4 and LZ4_RAW.")));
		if (chunk_range(file, cc, &start, &size))
			total += size;
	}
	if (total > memory_limit())
		limit_exceeded(file, what);

	if (file->window == NULL)
	{
		size_t		len;
		void	   *p;

		if (file->file_len > (uint64) SIZE_MAX - page)
			elog(ERROR, "Parquet file \"%s\" has an impossible size", file->path);
		len = (size_t) ((file->file_len + page - 1) / page * page);
		p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not reserve address space for Parquet file \"%s\": %m",
							file->path)));
		file->window = p;
		file->window_len = len;
		arena_init(&file->row_arena, &file->row_budget, file->cxt, 0);
	}

	/* load the chunks at their own offsets */
	for (i = 0; i < num_columns; i++)
	{
		size_t		lo,
					hi;

		if (columns[i] < 0 || columns[i] >= rg->num_columns ||
			!chunk_range(file, &rg->columns[columns[i]], &start, &size) || size == 0)
			continue;
		lo = (size_t) start / page * page;
		hi = Min(((size_t) (start + size) + page - 1) / page * page, file->window_len);
		if (mprotect(file->window + lo, hi - lo, PROT_READ | PROT_WRITE) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not make room for %s of Parquet file \"%s\": %m",
							what, file->path)));
		if (file->loaded_hi == file->loaded_lo)
		{
			file->loaded_lo = lo;
			file->loaded_hi = hi;
		}
		else
		{
			file->loaded_lo = Min(file->loaded_lo, lo);
			file->loaded_hi = Max(file->loaded_hi, hi);
		}
		read_exact(file, file->window + start, (size_t) size, start);
	}

	/* decode them, within what the stored chunks left of the limit */
	file->row_budget.limit = memory_limit() - (size_t) total;
	file->row_budget.used = 0;
	file->row_budget.refused = false;
	for (i = 0; i < num_columns; i++)
	{
		StrataParquetStatus status;

		memset(&status, 0, sizeof(status));
		if (!strata_parquet_read_column(file->window, (size_t) file->file_len, &file->md,
										file->leaves, file->num_leaves, row_group,
										columns[i], &file->row_arena, &out[i], &status))
		{
			if (file->row_budget.refused)
				limit_exceeded(file, what);
			corrupted(file, &status, 0);
		}
		CHECK_FOR_INTERRUPTS();
	}
	pfree(what);
}
