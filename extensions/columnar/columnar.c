/*-------------------------------------------------------------------------
 *
 * columnar.c
 *	  strata_columnar: module start, settings and SQL functions.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "miscadmin.h"
#include "optimizer/plancat.h"
#include "storage/bufmgr.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"
#include "utils/varlena.h"

PG_MODULE_MAGIC;

int			columnar_stripe_row_limit = 150000;
int			columnar_chunk_group_row_limit = 10000;
int			columnar_compression = STRATA_CODEC_ZSTD;
int			columnar_compression_level = 3;
int			columnar_stripe_byte_limit = 256 * 1024 * 1024;
int			columnar_chunk_group_byte_limit = 64 * 1024 * 1024;

#define MIN_STRIPE_ROWS 1000
#define MAX_STRIPE_ROWS 10000000
#define MIN_CHUNK_ROWS 1000
#define MAX_CHUNK_ROWS 100000
/* bytes: wide values close chunk groups and stripes before their rows do */
#define MIN_STRIPE_BYTES (8 * 1024 * 1024)
#define MAX_STRIPE_BYTES (1024 * 1024 * 1024)
#define MIN_CHUNK_BYTES (1024 * 1024)
#define MAX_CHUNK_BYTES (1024 * 1024 * 1024)

static const struct config_enum_entry codec_options[] = {
	{"none", STRATA_CODEC_NONE, false},
	{"zstd", STRATA_CODEC_ZSTD, false},
	{"lz4", STRATA_CODEC_LZ4, false},
	{"snappy", STRATA_CODEC_SNAPPY, false},
	{"gzip", STRATA_CODEC_GZIP, false},
	{NULL, 0, false}
};

static get_relation_info_hook_type prev_get_relation_info_hook = NULL;
static ExecutorEnd_hook_type prev_executor_end_hook = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/*
 * Preloaded: shared counters that let backends cache row masks, and the
 * tokens of speculative insertions.
 */
static void
columnar_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(columnar_deletes_shmem_size());
	RequestAddinShmemSpace(columnar_speculative_shmem_size());
}

static void
columnar_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	columnar_deletes_shmem_init();
	columnar_speculative_shmem_init();
	LWLockRelease(AddinShmemInitLock);
}

void		_PG_init(void);

static bool
is_columnar(Relation rel)
{
	return rel->rd_rel->relkind == RELKIND_RELATION && rel->rd_tableam == columnar_tableam();
}

/*
 * A parallel worker cannot see this backend's unflushed rows: while there
 * are some in a table, the planner offers no parallel scan of it.  Index
 * builds (planned by plan_create_index_workers, the one caller with no
 * join tree) get no workers either: they read the table in one pass.
 */
static void
columnar_get_relation_info(PlannerInfo *root, Oid relid, bool inhparent, RelOptInfo *rel)
{
	Relation	relation;

	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relid, inhparent, rel);
	relation = table_open(relid, NoLock);
	if (is_columnar(relation) &&
		(columnar_has_pending(relid) || root->parse->jointree == NULL))
		rel->rel_parallel_workers = 0;
	table_close(relation, NoLock);
}

/*
 * A statement's deletions become row masks when it ends, releasing their
 * tuple locks (columnar_deletes.c); what it read rows to lock with goes.
 */
static void
columnar_executor_end(QueryDesc *queryDesc)
{
	if (prev_executor_end_hook)
		prev_executor_end_hook(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
	columnar_forget_lock_fetch();
	if (IsTransactionState() && !IsInParallelMode())
		columnar_flush_deletes();
}

void
_PG_init(void)
{
	DefineCustomIntVariable("strata_columnar.stripe_row_limit",
							"Rows of a stripe of new strata_columnar tables.",
							NULL, &columnar_stripe_row_limit, 150000,
							MIN_STRIPE_ROWS, MAX_STRIPE_ROWS, PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("strata_columnar.chunk_group_row_limit",
							"Rows of a chunk group of new strata_columnar tables.",
							NULL, &columnar_chunk_group_row_limit, 10000,
							MIN_CHUNK_ROWS, MAX_CHUNK_ROWS, PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomEnumVariable("strata_columnar.compression",
							 "Codec of new strata_columnar tables.",
							 NULL, &columnar_compression, STRATA_CODEC_ZSTD,
							 codec_options, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("strata_columnar.compression_level",
							"Compression level of new strata_columnar tables.",
							"Used when it is valid for the codec, else the codec's default.",
							&columnar_compression_level, 3, 1, 22, PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("strata_columnar.stripe_byte_limit",
							"Stored bytes at which a stripe of new strata_columnar tables closes.",
							NULL, &columnar_stripe_byte_limit, 256 * 1024 * 1024,
							MIN_STRIPE_BYTES, MAX_STRIPE_BYTES, PGC_USERSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomIntVariable("strata_columnar.chunk_group_byte_limit",
							"Bytes of one column at which a chunk group of new strata_columnar tables closes.",
							"Wide values close chunk groups before chunk_group_row_limit rows, bounding the memory a load buffers.",
							&columnar_chunk_group_byte_limit, 64 * 1024 * 1024,
							MIN_CHUNK_BYTES, MAX_CHUNK_BYTES, PGC_USERSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	columnar_cache_init();
	columnar_compressor_init();
	columnar_customscan_init();
	columnar_agg_init();
	columnar_alter_init();
	columnar_vacuum_init();
	MarkGUCPrefixReserved("strata_columnar");

	RegisterXactCallback(columnar_xact_callback, NULL);
	RegisterSubXactCallback(columnar_subxact_callback, NULL);

	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = columnar_get_relation_info;
	prev_executor_end_hook = ExecutorEnd_hook;
	ExecutorEnd_hook = columnar_executor_end;
	if (process_shared_preload_libraries_in_progress)
	{
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = columnar_shmem_request;
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = columnar_shmem_startup;
	}
}

PG_FUNCTION_INFO_V1(columnar_handler);
Datum
columnar_handler(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(columnar_tableam());
}

/* Open a relation the caller may read, and check that it is ours. */
static Relation
open_columnar(Oid relid, AclMode mode, bool owner)
{
	Relation	rel = relation_open(relid, AccessShareLock);

	if (!is_columnar(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a strata_columnar table", RelationGetRelationName(rel))));
	if (owner && !pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, RelationGetRelationName(rel));
	if (!owner && pg_class_aclcheck(relid, GetUserId(), mode) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
	return rel;
}

/* ---- options ---- */

/* the integer size settings: their field, the GUC that is their default, their range */
typedef struct SizeLimit
{
	const char *name;
	size_t		offset;
	int		   *guc;
	int			min;
	int			max;
} SizeLimit;

static const SizeLimit size_limits[] = {
	{"stripe_row_limit", offsetof(ColumnarOptions, stripe_row_limit),
	&columnar_stripe_row_limit, MIN_STRIPE_ROWS, MAX_STRIPE_ROWS},
	{"chunk_group_row_limit", offsetof(ColumnarOptions, chunk_group_row_limit),
	&columnar_chunk_group_row_limit, MIN_CHUNK_ROWS, MAX_CHUNK_ROWS},
	{"stripe_byte_limit", offsetof(ColumnarOptions, stripe_byte_limit),
	&columnar_stripe_byte_limit, MIN_STRIPE_BYTES, MAX_STRIPE_BYTES},
	{"chunk_group_byte_limit", offsetof(ColumnarOptions, chunk_group_byte_limit),
	&columnar_chunk_group_byte_limit, MIN_CHUNK_BYTES, MAX_CHUNK_BYTES},
};

static const SizeLimit *
size_limit(const char *name)
{
	int			i;

	for (i = 0; i < (int) lengthof(size_limits); i++)
		if (strcmp(size_limits[i].name, name) == 0)
			return &size_limits[i];
	return NULL;
}

/*
 * A sort key: column names separated by commas, as in an identifier list
 * (quoted names keep their case).  Each column needs a default btree
 * ordering; '' means none.
 */
static void
parse_sort_key(Relation rel, const char *value, ColumnarOptions *options)
{
	char	   *copy = pstrdup(value);
	List	   *names;
	ListCell   *lc;

	if (!SplitIdentifierString(copy, ',', &names))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid sort key \"%s\" for table \"%s\"", value, RelationGetRelationName(rel)),
				 errhint("List column names separated by commas.")));
	if (list_length(names) > COLUMNAR_MAX_SORT_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("sort key of table \"%s\" has %d columns, at most %d are allowed",
						RelationGetRelationName(rel), list_length(names), COLUMNAR_MAX_SORT_KEYS)));
	options->sort_nkeys = 0;
	foreach(lc, names)
	{
		const char *colname = lfirst(lc);
		AttrNumber	attno = get_attnum(RelationGetRelid(rel), colname);
		int			i;

		if (attno <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of sort key does not exist in table \"%s\"",
							colname, RelationGetRelationName(rel))));
		for (i = 0; i < options->sort_nkeys; i++)
			if (options->sort_attnums[i] == attno)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" appears twice in the sort key of table \"%s\"",
								colname, RelationGetRelationName(rel))));
		if (!OidIsValid(lookup_type_cache(TupleDescAttr(RelationGetDescr(rel), attno - 1)->atttypid,
										  TYPECACHE_LT_OPR)->lt_opr))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("column \"%s\" of table \"%s\" cannot be in a sort key",
							colname, RelationGetRelationName(rel)),
					 errdetail("Type %s has no default btree ordering.",
							   format_type_be(TupleDescAttr(RelationGetDescr(rel), attno - 1)->atttypid))));
		options->sort_attnums[options->sort_nkeys++] = attno;
	}
}

/*
 * Change a table's settings: each DefElem names one (stripe_row_limit,
 * chunk_group_row_limit, compression, compression_level) with its new
 * value, or with no value to go back to the default (the GUC's).  Shared
 * by set_options() and ALTER TABLE ... SET/RESET (strata_columnar.*).
 */
void
columnar_apply_options(Relation rel, List *defs)
{
	ColumnarOptions options;
	ListCell   *lc;
	bool		level_given = false;
	bool		codec_changed = false;
	int			minl,
				maxl,
				dflt;

	columnar_get_options(RelationGetRelid(rel), &options);
	foreach(lc, defs)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const char *name = def->defname;
		const SizeLimit *limit = size_limit(name);

		if (limit != NULL)
		{
			int			v = def->arg ? defGetInt32(def) : *limit->guc;

			if (v < limit->min || v > limit->max)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s %d is out of range for table \"%s\"",
								name, v, RelationGetRelationName(rel)),
						 errhint("Valid values are between %d and %d.", limit->min, limit->max)));
			*(int *) ((char *) &options + limit->offset) = v;
		}
		else if (strcmp(name, "compression") == 0)
		{
			StrataCodec codec = (StrataCodec) columnar_compression;

			if (def->arg)
			{
				char	   *value = defGetString(def);

				if (!strata_codec_from_name(value, &codec))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("unknown compression \"%s\" for table \"%s\"",
									value, RelationGetRelationName(rel)),
							 errhint("Valid values are: %s.", strata_codec_names())));
			}
			if (codec != options.codec)
				codec_changed = true;
			options.codec = codec;
		}
		else if (strcmp(name, "sort_key") == 0)
			parse_sort_key(rel, def->arg ? defGetString(def) : "", &options);
		else if (strcmp(name, "compression_level") == 0)
		{
			level_given = def->arg != NULL;
			if (def->arg)
				options.compression_level = defGetInt32(def);
			else
				options.compression_level = columnar_compression_level;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized strata_columnar option \"%s\" for table \"%s\"",
							name, RelationGetRelationName(rel)),
					 errhint("Valid options are stripe_row_limit, chunk_group_row_limit, stripe_byte_limit, chunk_group_byte_limit, compression, compression_level and sort_key.")));
	}
	strata_codec_level_range(options.codec, &minl, &maxl, &dflt);
	if (level_given)
	{
		if (options.compression_level < minl || options.compression_level > maxl)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("compression level %d is out of range for %s on table \"%s\"",
							options.compression_level, strata_codec_name(options.codec),
							RelationGetRelationName(rel)),
					 errhint("Valid levels for %s are between %d and %d.",
							 strata_codec_name(options.codec), minl, maxl)));
	}
	else if (codec_changed || options.compression_level < minl || options.compression_level > maxl)
		options.compression_level = dflt;
	columnar_store_options(RelationGetRelid(rel), &options);
}

PG_FUNCTION_INFO_V1(columnar_set_options);
Datum
columnar_set_options(PG_FUNCTION_ARGS)
{
	Relation	rel;
	List	   *defs = NIL;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table must not be NULL")));
	rel = open_columnar(PG_GETARG_OID(0), ACL_NO_RIGHTS, true);
	if (!PG_ARGISNULL(1))
		defs = lappend(defs, makeDefElem("stripe_row_limit", (Node *) makeInteger(PG_GETARG_INT32(1)), -1));
	if (!PG_ARGISNULL(2))
		defs = lappend(defs, makeDefElem("chunk_group_row_limit", (Node *) makeInteger(PG_GETARG_INT32(2)), -1));
	if (!PG_ARGISNULL(3))
		defs = lappend(defs, makeDefElem("compression",
										 (Node *) makeString(text_to_cstring(PG_GETARG_TEXT_PP(3))), -1));
	if (!PG_ARGISNULL(4))
		defs = lappend(defs, makeDefElem("compression_level", (Node *) makeInteger(PG_GETARG_INT32(4)), -1));
	if (!PG_ARGISNULL(5))
		defs = lappend(defs, makeDefElem("stripe_byte_limit", (Node *) makeInteger(PG_GETARG_INT32(5)), -1));
	if (!PG_ARGISNULL(6))
		defs = lappend(defs, makeDefElem("chunk_group_byte_limit", (Node *) makeInteger(PG_GETARG_INT32(6)), -1));
	if (!PG_ARGISNULL(7))
		defs = lappend(defs, makeDefElem("sort_key",
										 (Node *) makeString(text_to_cstring(PG_GETARG_TEXT_PP(7))), -1));
	columnar_apply_options(rel, defs);
	relation_close(rel, AccessShareLock);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(columnar_get_options_sql);
Datum
columnar_get_options_sql(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_columnar(relid, ACL_SELECT, false);
	ColumnarOptions options;
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false, false, false, false, false, false, false};
	StringInfoData key;
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	columnar_get_options(relid, &options);
	initStringInfo(&key);
	for (i = 0; i < options.sort_nkeys; i++)
		appendStringInfo(&key, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(get_attname(relid, options.sort_attnums[i], false)));
	values[6] = CStringGetTextDatum(key.data);
	nulls[6] = options.sort_nkeys == 0;
	values[0] = Int32GetDatum(options.stripe_row_limit);
	values[1] = Int32GetDatum(options.chunk_group_row_limit);
	values[2] = CStringGetTextDatum(strata_codec_name(options.codec));
	values[3] = Int32GetDatum(options.compression_level);
	values[4] = Int32GetDatum(options.stripe_byte_limit);
	values[5] = Int32GetDatum(options.chunk_group_byte_limit);
	relation_close(rel, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---- stats ---- */

PG_FUNCTION_INFO_V1(columnar_stats);
Datum
columnar_stats(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_columnar(relid, ACL_SELECT, false);
	ColumnarReadState *read = columnar_begin_read(rel, GetActiveSnapshot(), NULL);
	TupleDesc	tupdesc;
	Datum		values[9];
	bool		nulls[9] = {false, false, false, false, false, false, false, false, false};
	int64		deleted;
	int64		free_pages = 0,
				pending_pages = 0;
	int64		stripes = 0,
				groups = 0,
				rows = 0,
				data_bytes = 0,
				raw_bytes = 0,
				meta_bytes = 0;
	ListCell   *lc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	foreach(lc, columnar_read_stripes_all(read))
	{
		ColumnarStripe *stripe = lfirst(lc);
		uint32		n = stripe->skiplist.column_count * stripe->skiplist.group_count;
		uint32		i;

		stripes++;
		groups += stripe->skiplist.group_count;
		rows += stripe->row_count;
		meta_bytes += columnar_skiplist_size(&stripe->skiplist);
		for (i = 0; i < n; i++)
		{
			data_bytes += stripe->skiplist.chunks[i].stored_len;
			raw_bytes += stripe->skiplist.chunks[i].raw_len;
		}
	}
	deleted = rows - (int64) columnar_total_rows(read);
	foreach(lc, columnar_free_runs(columnar_storage_id(rel), GetActiveSnapshot()))
	{
		ColumnarFreeRun *run = lfirst(lc);

		if (run->pending)
			pending_pages += run->block_count;
		else
			free_pages += run->block_count;
	}
	columnar_end_read(read);
	relation_close(rel, AccessShareLock);
	values[0] = Int64GetDatum(stripes);
	values[1] = Int64GetDatum(groups);
	values[2] = Int64GetDatum(rows);
	values[3] = Int64GetDatum(data_bytes);
	values[4] = Int64GetDatum(raw_bytes);
	values[5] = Int64GetDatum(meta_bytes);
	values[6] = Int64GetDatum(deleted);
	values[7] = Int64GetDatum(free_pages);
	values[8] = Int64GetDatum(pending_pages);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(columnar_column_stats);
Datum
columnar_column_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_columnar(relid, ACL_SELECT, false);
	TupleDesc	desc = RelationGetDescr(rel);
	ColumnarReadState *read = columnar_begin_read(rel, GetActiveSnapshot(), NULL);
	List	   *stripes = columnar_read_stripes_all(read);
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Datum		values[7];
		bool		nulls[7] = {false, false, false, false, false, false, false};
		bool		enc_used[COLUMNAR_ENCODING_COUNT] = {0};
		Datum		encs[COLUMNAR_ENCODING_COUNT];
		int			nencs = 0;
		int64		chunks = 0,
					null_count = 0,
					stored = 0,
					raw = 0;
		bool		used[STRATA_CODEC_COUNT] = {false};
		Datum		codecs[STRATA_CODEC_COUNT];
		int			ncodecs = 0;
		int			c;
		ListCell   *lc;

		if (att->attisdropped)
			continue;
		foreach(lc, stripes)
		{
			ColumnarStripe *stripe = lfirst(lc);
			uint32		g;

			if ((uint32) i >= stripe->skiplist.column_count)
				continue;
			for (g = 0; g < stripe->skiplist.group_count; g++)
			{
				ColumnarChunkMeta *m = &stripe->skiplist.chunks[i * stripe->skiplist.group_count + g];

				chunks++;
				null_count += m->null_count;
				stored += m->stored_len;
				raw += m->raw_len;
				if (m->codec < STRATA_CODEC_COUNT)
					used[m->codec] = true;
				if (m->encoding < COLUMNAR_ENCODING_COUNT)
					enc_used[m->encoding] = true;
			}
		}
		for (c = 0; c < STRATA_CODEC_COUNT; c++)
			if (used[c])
				codecs[ncodecs++] = CStringGetTextDatum(strata_codec_name((StrataCodec) c));
		values[0] = NameGetDatum(&att->attname);
		values[1] = Int64GetDatum(chunks);
		values[2] = Int64GetDatum(null_count);
		values[3] = Int64GetDatum(stored);
		values[4] = Int64GetDatum(raw);
		values[5] = PointerGetDatum(construct_array(codecs, ncodecs, TEXTOID, -1, false, TYPALIGN_INT));
		if (enc_used[COLUMNAR_ENCODING_PLAIN])
			encs[nencs++] = CStringGetTextDatum("plain");
		if (enc_used[COLUMNAR_ENCODING_DICT])
			encs[nencs++] = CStringGetTextDatum("dictionary");
		if (enc_used[COLUMNAR_ENCODING_FOR])
			encs[nencs++] = CStringGetTextDatum("frame of reference");
		if (enc_used[COLUMNAR_ENCODING_DELTA])
			encs[nencs++] = CStringGetTextDatum("delta");
		if (enc_used[COLUMNAR_ENCODING_RLE])
			encs[nencs++] = CStringGetTextDatum("run-length");
		values[6] = PointerGetDatum(construct_array(encs, nencs, TEXTOID, -1, false, TYPALIGN_INT));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	columnar_end_read(read);
	relation_close(rel, AccessShareLock);
	return (Datum) 0;
}

/* ---- verify ---- */

static void
verify_failed(Relation rel, const ColumnarStripe *stripe, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("strata_columnar table \"%s\" is inconsistent", RelationGetRelationName(rel)),
			 errdetail_internal("Stripe at row %llu: %s.",
								(unsigned long long) stripe->first_row, what)));
}

typedef struct PageUse
{
	uint64		first;
	uint64		count;
	uint64		stripe;			/* first row, or PG_UINT64_MAX: a free run */
} PageUse;

static int
compare_page_use(const void *a, const void *b)
{
	const PageUse *x = a;
	const PageUse *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* No two stripes, nor a stripe and a free run, may share a page. */
static void
verify_pages(Relation rel, List *stripes, BlockNumber nblocks)
{
	List	   *runs = columnar_free_runs(columnar_storage_id(rel), GetActiveSnapshot());
	PageUse    *uses = palloc(sizeof(PageUse) * (list_length(stripes) + list_length(runs) + 1));
	int			n = 0;
	int			i;
	ListCell   *lc;

	foreach(lc, stripes)
	{
		ColumnarStripe *stripe = lfirst(lc);

		if (stripe->first_block == InvalidBlockNumber)
			continue;
		uses[n].first = stripe->first_block;
		uses[n].count = columnar_block_count(stripe->data_bytes);
		uses[n].stripe = stripe->first_row;
		n++;
	}
	foreach(lc, runs)
	{
		ColumnarFreeRun *run = lfirst(lc);

		if (run->first_block == 0 || run->first_block + run->block_count > nblocks)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("strata_columnar table \"%s\" is inconsistent", RelationGetRelationName(rel)),
					 errdetail_internal("Its free pages %llu to %llu lie outside the relation of %u blocks.",
										(unsigned long long) run->first_block,
										(unsigned long long) (run->first_block + run->block_count - 1),
										nblocks)));
		uses[n].first = run->first_block;
		uses[n].count = run->block_count;
		uses[n].stripe = PG_UINT64_MAX;
		n++;
	}
	qsort(uses, n, sizeof(PageUse), compare_page_use);
	for (i = 1; i < n; i++)
	{
		if (uses[i - 1].first + uses[i - 1].count <= uses[i].first)
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("strata_columnar table \"%s\" is inconsistent", RelationGetRelationName(rel)),
				 errdetail_internal("Block %llu holds %s and %s.",
									(unsigned long long) uses[i].first,
									uses[i - 1].stripe == PG_UINT64_MAX ? "free pages" :
									psprintf("the stripe at row %llu", (unsigned long long) uses[i - 1].stripe),
									uses[i].stripe == PG_UINT64_MAX ? "free pages" :
									psprintf("the stripe at row %llu", (unsigned long long) uses[i].stripe))));
	}
}

/*
 * Decode every chunk of every stripe the current snapshot sees, and check
 * what the metadata claims against the data: lengths, null counts, row
 * ranges that do not overlap, pages that no two stripes or free runs share,
 * every value inside its chunk's bounds, and row masks that delete only
 * rows of stripes.
 */
PG_FUNCTION_INFO_V1(columnar_verify);
Datum
columnar_verify(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_columnar(relid, ACL_SELECT, false);
	TupleDesc	desc = RelationGetDescr(rel);
	ColumnarReadState *read = columnar_begin_read(rel, GetActiveSnapshot(), NULL);
	List	   *stripes = columnar_read_stripes_all(read);
	BlockNumber nblocks = RelationGetNumberOfBlocks(rel);
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "verify", ALLOCSET_DEFAULT_SIZES);
	uint64		prev_end = 0;
	uint64		rows = 0;
	uint64		deleted;
	uint64		masked;
	int64		values_checked = 0;
	ListCell   *lc;

	foreach(lc, stripes)
	{
		ColumnarStripe *stripe = lfirst(lc);
		uint32		g;
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (stripe->first_row < prev_end)
			verify_failed(rel, stripe, "its rows overlap the previous stripe's");
		prev_end = stripe->first_row + stripe->row_count;
		rows += stripe->row_count;
		if (stripe->first_block != InvalidBlockNumber &&
			(stripe->first_block == 0 ||
			 stripe->first_block + columnar_block_count(stripe->data_bytes) > nblocks))
			verify_failed(rel, stripe, "its data lies outside the relation");
		if (stripe->skiplist.column_count > (uint32) desc->natts)
			verify_failed(rel, stripe, "it has more columns than the table");

		for (i = 0; i < (int) stripe->skiplist.column_count; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);
			TypeCacheEntry *tc = att->attisdropped ? NULL :
				lookup_type_cache(att->atttypid, TYPECACHE_CMP_PROC_FINFO);

			if (att->attisdropped)
				continue;
			for (g = 0; g < stripe->skiplist.group_count; g++)
			{
				ColumnarChunkMeta *m = &stripe->skiplist.chunks[i * stripe->skiplist.group_count + g];
				uint32		n = stripe->skiplist.group_rows[g];
				Datum	   *values;
				bool	   *isnull;
				uint32		r;
				MemoryContext old = MemoryContextSwitchTo(cxt);

				values = palloc(sizeof(Datum) * n);
				isnull = palloc(sizeof(bool) * n);
				columnar_decode_chunk(rel, stripe, i, g, att, values, isnull);
				if (m->has_bounds && tc != NULL && OidIsValid(tc->cmp_proc))
				{
					Datum		min = att->attbyval ? fetch_att(m->min, true, att->attlen) : PointerGetDatum(m->min);
					Datum		max = att->attbyval ? fetch_att(m->max, true, att->attlen) : PointerGetDatum(m->max);

					for (r = 0; r < n; r++)
					{
						if (isnull[r])
							continue;
						if (DatumGetInt32(FunctionCall2Coll(&tc->cmp_proc_finfo, att->attcollation, values[r], min)) < 0 ||
							DatumGetInt32(FunctionCall2Coll(&tc->cmp_proc_finfo, att->attcollation, values[r], max)) > 0)
							verify_failed(rel, stripe, psprintf("a value of column \"%s\" in chunk group %u lies outside its recorded bounds",
																NameStr(att->attname), g));
						values_checked++;
					}
				}
				MemoryContextSwitchTo(old);
				MemoryContextReset(cxt);
			}
		}
	}
	verify_pages(rel, stripes, nblocks);

	/* every row a mask deletes must be a row of a stripe */
	deleted = rows - columnar_total_rows(read);
	masked = columnar_deleted_count(rel, GetActiveSnapshot());
	if (masked != deleted)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("strata_columnar table \"%s\" is inconsistent", RelationGetRelationName(rel)),
				 errdetail_internal("Its row masks delete %llu rows, of which %llu are rows of its stripes.",
									(unsigned long long) masked, (unsigned long long) deleted)));
	columnar_verify_row_locks(rel);
	columnar_end_read(read);
	relation_close(rel, AccessShareLock);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("ok: %d stripes, %llu rows (%llu deleted), %lld values checked against their bounds",
											  list_length(stripes), (unsigned long long) rows,
											  (unsigned long long) deleted, (long long) values_checked)));
}
