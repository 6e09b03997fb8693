/*-------------------------------------------------------------------------
 *
 * cdc_worker.c
 *	  The workers that deliver streams: a launcher per cluster, and per
 *	  database a worker that runs the streams of strata_cdc.stream_config.
 *
 * The launcher starts a worker for every database that accepts
 * connections when the server starts; one without a stream to run (no
 * extension, none created, all paused or failed) makes its worker exit, and
 * is tried again only when a stream is created or resumed there (which
 * wakes the launcher at commit).  A worker takes its streams in turn, one step
 * each:
 *
 *	starting	the slot is created (left over from a crash, first dropped)
 *				and the tables read at its start, in one transaction; the
 *				rows go to the table sink, or to strata_cdc.snapshot_spool
 *				for an HTTP sink, and the stream becomes "streaming";
 *	streaming	an HTTP stream first delivers its spool; then every step
 *				peeks the slot's changes up to a point L (the WAL flushed
 *				at the step's start, at most strata_cdc.step_wal_size past
 *				the slot), delivers them and advances the slot to L.
 *
 * Why L is safe: peeking up to L decodes every record that starts before
 * L, so every transaction whose commit record starts before L was
 * delivered; a slot at L skips exactly those.  Nothing advances the slot
 * before the sink acknowledged (2xx), so a crash replays from the last
 * advance: at least once.  The table sink applies a step's changes in one
 * transaction that also records L (applied_lsn), and the slot is advanced
 * after that commits, or at the next step: exactly once.  An idle stream
 * advances its slot too, so WAL does not pile up behind it.
 *
 * Errors: what a retry may get over (the sink unreachable or timing out,
 * 429 and 5xx, a deadlock) is retried with exponential backoff and shown in
 * strata_cdc.streams; anything else (a 4xx, a privilege lost, a missing
 * slot) stops the stream with state "failed" until resume_stream().
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include <math.h>

#include <curl/curl.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/pg_prng.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "replication/slot.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#define CDC_MAX_DATABASES 64
#define CDC_MAX_STREAMS 128
#define LAUNCHER_NAPTIME_MS 10000L
/* a worker looks for new streams this often even when not woken */
#define WORKER_NAPTIME_MS 5000L

typedef struct CdcDatabase
{
	Oid			dboid;
	Latch	   *latch;			/* the worker's, while it runs */
	bool		idle;			/* its worker found no stream to run */
	bool		wake;			/* a stream was created: start a worker */
} CdcDatabase;

typedef struct CdcShared
{
	slock_t		mutex;
	Latch	   *launcher_latch;
	CdcDatabase dbs[CDC_MAX_DATABASES];
	CdcStreamActivity streams[CDC_MAX_STREAMS];
} CdcShared;

void		_PG_init(void);
PGDLLEXPORT void cdc_launcher_main(Datum arg);
PGDLLEXPORT void cdc_worker_main(Datum arg);

static CdcShared *cdc_shared = NULL;
static bool cdc_preloaded = false;
static int	cdc_step_wal_kb = 64 * 1024;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* ---------------------------------------------------------------------
 * shared state
 * ---------------------------------------------------------------------
 */

static void
cdc_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(CdcShared)));
}

static void
cdc_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	cdc_shared = ShmemInitStruct("strata_cdc workers", sizeof(CdcShared), &found);
	if (!found)
	{
		memset(cdc_shared, 0, sizeof(CdcShared));
		SpinLockInit(&cdc_shared->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

bool
cdc_workers_enabled(void)
{
	return cdc_preloaded && cdc_shared != NULL;
}

/* the entry of a database, made if absent; call with the mutex held */
static CdcDatabase *
database_entry(Oid dboid, bool create)
{
	int			i;
	CdcDatabase *free_entry = NULL;

	for (i = 0; i < CDC_MAX_DATABASES; i++)
	{
		if (cdc_shared->dbs[i].dboid == dboid)
			return &cdc_shared->dbs[i];
		if (free_entry == NULL && cdc_shared->dbs[i].dboid == InvalidOid)
			free_entry = &cdc_shared->dbs[i];
	}
	if (create && free_entry != NULL)
	{
		memset(free_entry, 0, sizeof(*free_entry));
		free_entry->dboid = dboid;
	}
	return create ? free_entry : NULL;
}

/* A stream of the database was created or resumed: get it going now. */
void
cdc_wake_database(Oid dboid)
{
	CdcDatabase *db;
	Latch	   *worker = NULL;
	Latch	   *launcher;

	if (!cdc_workers_enabled())
		return;
	SpinLockAcquire(&cdc_shared->mutex);
	db = database_entry(dboid, true);
	if (db != NULL)
	{
		db->wake = true;
		db->idle = false;
		worker = db->latch;
	}
	launcher = cdc_shared->launcher_latch;
	SpinLockRelease(&cdc_shared->mutex);
	if (worker)
		SetLatch(worker);
	if (launcher)
		SetLatch(launcher);
}

/* a copy of the activity entries of a database */
int
cdc_activity_snapshot(Oid dboid, CdcStreamActivity **entries)
{
	int			i,
				n = 0;

	*entries = palloc(sizeof(CdcStreamActivity) * CDC_MAX_STREAMS);
	if (!cdc_workers_enabled())
		return 0;
	SpinLockAcquire(&cdc_shared->mutex);
	for (i = 0; i < CDC_MAX_STREAMS; i++)
		if (cdc_shared->streams[i].dboid == dboid)
			(*entries)[n++] = cdc_shared->streams[i];
	SpinLockRelease(&cdc_shared->mutex);
	return n;
}

/* this worker's entry for a stream, made if absent; mutex held */
static CdcStreamActivity *
activity_entry(const char *name)
{
	int			i;
	CdcStreamActivity *free_entry = NULL;

	for (i = 0; i < CDC_MAX_STREAMS; i++)
	{
		CdcStreamActivity *a = &cdc_shared->streams[i];

		if (a->dboid == MyDatabaseId && strcmp(NameStr(a->name), name) == 0)
			return a;
		if (free_entry == NULL && a->dboid == InvalidOid)
			free_entry = a;
	}
	if (free_entry != NULL)
	{
		memset(free_entry, 0, sizeof(*free_entry));
		free_entry->dboid = MyDatabaseId;
		namestrcpy(&free_entry->name, name);
		free_entry->pid = MyProcPid;
	}
	return free_entry;
}

static void
report_activity(const char *name, bool caught_up, int retries, TimestampTz next_attempt,
				const char *error)
{
	CdcStreamActivity *a;

	SpinLockAcquire(&cdc_shared->mutex);
	a = activity_entry(name);
	if (a != NULL)
	{
		a->pid = MyProcPid;
		if (caught_up)
			a->caught_up_at = GetCurrentTimestamp();
		a->retries = retries;
		a->next_attempt = next_attempt;
		strlcpy(a->last_error, error ? error : "", CDC_ERROR_LEN);
	}
	SpinLockRelease(&cdc_shared->mutex);
}

/* forget the entries of streams no longer run here */
static void
prune_activity(List *names)
{
	int			i;

	SpinLockAcquire(&cdc_shared->mutex);
	for (i = 0; i < CDC_MAX_STREAMS; i++)
	{
		CdcStreamActivity *a = &cdc_shared->streams[i];
		ListCell   *lc;
		bool		keep = false;

		if (a->dboid != MyDatabaseId)
			continue;
		foreach(lc, names)
			if (strcmp(NameStr(a->name), (char *) lfirst(lc)) == 0)
				keep = true;
		if (!keep)
			a->dboid = InvalidOid;
	}
	SpinLockRelease(&cdc_shared->mutex);
}

static void
worker_exit(int code, Datum arg)
{
	CdcDatabase *db;

	SpinLockAcquire(&cdc_shared->mutex);
	db = database_entry(MyDatabaseId, false);
	if (db != NULL)
		db->latch = NULL;
	SpinLockRelease(&cdc_shared->mutex);
	prune_activity(NIL);
}

/* ---------------------------------------------------------------------
 * module load
 * ---------------------------------------------------------------------
 */

void
_PG_init(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("strata_cdc.step_wal_size",
							"WAL a stream's worker decodes at most per step.",
							"The slot advances after each step, so this bounds what a crash makes a sink receive again.",
							&cdc_step_wal_kb, 64 * 1024, 64, INT_MAX / 1024,
							PGC_SIGHUP, GUC_UNIT_KB, NULL, NULL, NULL);
	MarkGUCPrefixReserved("strata_cdc");
	cdc_preloaded = true;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = cdc_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = cdc_shmem_startup;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "strata_cdc");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "cdc_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "strata_cdc launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "strata_cdc launcher");
	RegisterBackgroundWorker(&worker);
}

/* ---------------------------------------------------------------------
 * the launcher
 * ---------------------------------------------------------------------
 */

typedef struct LaunchedWorker
{
	Oid			dboid;
	BackgroundWorkerHandle *handle; /* NULL once it ended */
	TimestampTz started;
} LaunchedWorker;

/* a worker that failed is started again after this, not in a tight loop */
#define RESTART_DELAY_MS 5000

static List *
connectable_databases(MemoryContext cxt)
{
	List	   *dbs = NIL;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database d = (Form_pg_database) GETSTRUCT(tup);
		MemoryContext old;

		if (!d->datallowconn || d->datistemplate)
			continue;
		old = MemoryContextSwitchTo(cxt);
		dbs = lappend_oid(dbs, d->oid);
		MemoryContextSwitchTo(old);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	return dbs;
}

static BackgroundWorkerHandle *
start_worker(Oid dboid)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "strata_cdc");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "cdc_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "strata_cdc worker for database %u", dboid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "strata_cdc worker");
	worker.bgw_main_arg = ObjectIdGetDatum(dboid);
	worker.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		ereport(WARNING,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start a strata_cdc worker for database %u", dboid),
				 errhint("Raise max_worker_processes.")));
		return NULL;
	}
	return handle;
}

void
cdc_launcher_main(Datum arg)
{
	MemoryContext cxt;
	List	   *launched = NIL;
	bool		first = true;

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	cxt = AllocSetContextCreate(TopMemoryContext, "strata_cdc launcher", ALLOCSET_DEFAULT_SIZES);

	SpinLockAcquire(&cdc_shared->mutex);
	cdc_shared->launcher_latch = MyLatch;
	SpinLockRelease(&cdc_shared->mutex);

	for (;;)
	{
		List	   *dbs;
		ListCell   *lc;
		long		next_wake = LAUNCHER_NAPTIME_MS;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		/* note the workers that ended */
		foreach(lc, launched)
		{
			LaunchedWorker *w = lfirst(lc);
			pid_t		pid;

			if (w->handle != NULL && GetBackgroundWorkerPid(w->handle, &pid) == BGWH_STOPPED)
			{
				pfree(w->handle);
				w->handle = NULL;
			}
		}

		dbs = connectable_databases(cxt);
		foreach(lc, dbs)
		{
			Oid			dboid = lfirst_oid(lc);
			CdcDatabase *db;
			bool		start;
			bool		woken;
			LaunchedWorker *w = NULL;
			ListCell   *l;

			foreach(l, launched)
				if (((LaunchedWorker *) lfirst(l))->dboid == dboid)
					w = lfirst(l);
			if (w != NULL && w->handle != NULL)
				continue;		/* running */
			SpinLockAcquire(&cdc_shared->mutex);
			db = database_entry(dboid, true);
			woken = db != NULL && db->wake;
			start = db == NULL || first || woken || !db->idle;
			SpinLockRelease(&cdc_shared->mutex);
			if (start && !woken && w != NULL &&
				!TimestampDifferenceExceeds(w->started, GetCurrentTimestamp(), RESTART_DELAY_MS))
			{
				next_wake = Min(next_wake, RESTART_DELAY_MS);
				continue;
			}
			if (start)
			{
				BackgroundWorkerHandle *h = start_worker(dboid);

				if (h != NULL)
				{
					MemoryContext old = MemoryContextSwitchTo(cxt);

					if (w == NULL)
					{
						w = palloc0(sizeof(LaunchedWorker));
						w->dboid = dboid;
						launched = lappend(launched, w);
					}
					w->handle = h;
					w->started = GetCurrentTimestamp();
					MemoryContextSwitchTo(old);
					SpinLockAcquire(&cdc_shared->mutex);
					if (db != NULL)
						db->wake = false;
					SpinLockRelease(&cdc_shared->mutex);
				}
			}
		}
		list_free(dbs);
		first = false;

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 next_wake, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* ---------------------------------------------------------------------
 * a stream's step
 * ---------------------------------------------------------------------
 */

/* what the worker keeps about a stream between steps */
typedef struct StreamState
{
	char		name[NAMEDATALEN];
	TimestampTz next_step;
	int			retries;
	CdcStreamOptions opts;
	bool		seen;
} StreamState;

/* the stream's row, as a step reads it */
typedef struct StreamRow
{
	char	   *name;
	char	   *slot;
	Oid		   *tables;
	int			ntables;
	char	   *sink;
	List	   *plugin_pairs;
	Oid			owner;
	char	   *state;
	XLogRecPtr	applied_lsn;
	XLogRecPtr	confirmed;		/* the slot's; Invalid: no slot */
	bool		spool;			/* snapshot rows are waiting */
	CdcStreamOptions opts;
} StreamRow;

static Oid	worker_user;
static int	worker_sec;
static bool step_applied;		/* a table sink's step committed changes */

static void
become_owner(StreamRow *row)
{
	SetUserIdAndSecContext(row->owner, worker_sec | SECURITY_LOCAL_USERID_CHANGE);
}

static void
become_worker(void)
{
	SetUserIdAndSecContext(worker_user, worker_sec);
}

static Datum
name_datum(const char *s)
{
	Name		n = palloc(NAMEDATALEN);

	namestrcpy(n, s);
	return NameGetDatum(n);
}

/* the row of a stream that is to run, locked when streaming; NULL if none */
static StreamRow *
read_stream(const char *name, bool lock)
{
	Oid			argtypes[1] = {NAMEOID};
	Datum		args[1];
	StreamRow  *row;
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			i;
	int			rc;

	args[0] = name_datum(name);
	rc = SPI_execute_with_args(psprintf("SELECT c.slot_name, c.tables, c.sink, c.plugin_options, c.sink_options, "
										"c.owner, c.state, c.applied_lsn, s.confirmed_flush_lsn, "
										"EXISTS (SELECT 1 FROM strata_cdc.snapshot_spool p WHERE p.stream = c.name) "
										"FROM strata_cdc.stream_config c "
										"LEFT JOIN pg_catalog.pg_replication_slots s ON s.slot_name = c.slot_name "
										"WHERE c.name = $1 AND NOT c.paused AND c.state <> 'failed' %s",
										lock ? "AND pg_catalog.pg_try_advisory_xact_lock(" CppAsString2(CDC_STREAM_LOCK) ", pg_catalog.hashtext(c.name::text))" : ""),
							   1, argtypes, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read strata_cdc.stream_config");
	if (SPI_processed == 0)
		return NULL;
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	row = palloc0(sizeof(StreamRow));
	row->name = pstrdup(name);
	row->slot = SPI_getvalue(tup, desc, 1);
	arr = DatumGetArrayTypeP(SPI_getbinval(tup, desc, 2, &isnull));
	deconstruct_array(arr, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT, &elems, &nulls, &row->ntables);
	row->tables = palloc(sizeof(Oid) * Max(row->ntables, 1));
	for (i = 0; i < row->ntables; i++)
		row->tables[i] = DatumGetObjectId(elems[i]);
	row->sink = SPI_getvalue(tup, desc, 3);
	row->plugin_pairs = cdc_text_pairs(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 4, &isnull)));
	cdc_stream_options(cdc_text_pairs(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 5, &isnull))),
					   &row->opts, name);
	row->owner = DatumGetObjectId(SPI_getbinval(tup, desc, 6, &isnull));
	row->state = SPI_getvalue(tup, desc, 7);
	d = SPI_getbinval(tup, desc, 8, &isnull);
	row->applied_lsn = isnull ? InvalidXLogRecPtr : DatumGetLSN(d);
	d = SPI_getbinval(tup, desc, 9, &isnull);
	row->confirmed = isnull ? InvalidXLogRecPtr : DatumGetLSN(d);
	row->spool = DatumGetBool(SPI_getbinval(tup, desc, 10, &isnull));
	return row;
}

static bool
is_table_sink(StreamRow *row)
{
	return strncmp(row->sink, "table:", 6) == 0;
}

/* a regular expression matching exactly schema.table */
static void
append_quoted_regex(StringInfo out, const char *s)
{
	for (; *s; s++)
	{
		if (strchr("^$.|?*+()[]{}\\", *s))
			appendStringInfoChar(out, '\\');
		appendStringInfoChar(out, *s);
	}
}

/* the plugin's options for the stream, as a text[] */
static Datum
plugin_options(StreamRow *row, bool with_tables)
{
	ArrayBuildState *astate = NULL;
	ListCell   *lc;
	bool		skipped_set = false;

#define ADD(s) (astate = accumArrayResult(astate, CStringGetTextDatum(s), false, TEXTOID, CurrentMemoryContext))
	foreach(lc, row->plugin_pairs)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		ADD(def->defname);
		ADD(strVal(def->arg));
		if (strcmp(def->defname, "skipped.operations") == 0)
			skipped_set = true;
	}
	if (is_table_sink(row))
	{
		ADD("value.encoding");
		ADD("text");
		ADD("tombstones");
		ADD("false");
		/* a mirror applies truncates too */
		if (!skipped_set)
		{
			ADD("skipped.operations");
			ADD("m");
		}
	}
	if (with_tables)
	{
		StringInfoData re;
		int			i;
		bool		any = false;

		initStringInfo(&re);
		for (i = 0; i < row->ntables; i++)
		{
			char	   *rel = get_rel_name(row->tables[i]);

			if (rel == NULL)
				continue;		/* dropped */
			if (any)
				appendStringInfoChar(&re, '|');
			append_quoted_regex(&re, get_namespace_name(get_rel_namespace(row->tables[i])));
			appendStringInfoString(&re, "\\.");
			append_quoted_regex(&re, rel);
			any = true;
		}
		if (!any)
			appendStringInfoString(&re, "(?!)");
		ADD("table.include.list");
		ADD(re.data);
	}
#undef ADD
	if (astate == NULL)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return makeArrayResult(astate, CurrentMemoryContext);
}

static Datum
tables_array(StreamRow *row)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(row->ntables, 1));
	int			i;

	for (i = 0; i < row->ntables; i++)
		elems[i] = ObjectIdGetDatum(row->tables[i]);
	return PointerGetDatum(construct_array(elems, row->ntables, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT));
}

static void
drop_slot(const char *slot)
{
	Oid			argtypes[1] = {NAMEOID};
	Datum		args[1];

	args[0] = name_datum(slot);
	if (SPI_execute_with_args("SELECT pg_catalog.pg_drop_replication_slot($1)",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not drop replication slot \"%s\"", slot);
}

static void
advance_slot(const char *slot, XLogRecPtr lsn)
{
	Oid			argtypes[2] = {NAMEOID, PG_LSNOID};
	Datum		args[2];

	args[0] = name_datum(slot);
	args[1] = LSNGetDatum(lsn);
	if (SPI_execute_with_args("SELECT pg_catalog.pg_replication_slot_advance($1, $2)",
							  2, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not advance replication slot \"%s\"", slot);
}

static void
record_delivery(const char *name, int64 events, XLogRecPtr applied)
{
	Oid			argtypes[3] = {NAMEOID, INT8OID, PG_LSNOID};
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};

	args[0] = name_datum(name);
	args[1] = Int64GetDatum(events);
	args[2] = LSNGetDatum(applied);
	if (XLogRecPtrIsInvalid(applied))
		nulls[2] = 'n';
	if (SPI_execute_with_args("UPDATE strata_cdc.stream_config SET "
							  "events_delivered = events_delivered + $2, last_delivery = now(), "
							  "applied_lsn = coalesce($3, applied_lsn) WHERE name = $1",
							  3, argtypes, args, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not update strata_cdc.stream_config");
}

/* "<lsn>:<n>", what follows the stream's name in an event's id */
static char *
id_suffix(XLogRecPtr lsn, const char *kind, int64 n)
{
	return psprintf("%X/%X:%s" INT64_FORMAT, LSN_FORMAT_ARGS(lsn), kind, n);
}

/* Where the events of a cursor go: one of the three. */
typedef struct Delivery
{
	CdcTableSink *table;		/* applied */
	CdcHttpSink *http;			/* POSTed in batches */
	SPIPlanPtr	spool;			/* snapshot rows kept for an HTTP sink */
} Delivery;

/*
 * Every (lsn, data) row of a cursor, to its destination; returns how many.
 * The cursor runs as the stream's owner (the slot and tables are read with
 * their rights), the spool is written as the worker.
 */
static int64
deliver_cursor(Portal portal, StreamRow *row, Delivery *d)
{
	XLogRecPtr	prev = InvalidXLogRecPtr;
	int64		same = 0;
	int64		n = 0;

	for (;;)
	{
		uint64		i,
					fetched;
		SPITupleTable *tt;

		become_owner(row);
		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		/* applying runs statements: keep what the fetch returned */
		tt = SPI_tuptable;
		fetched = SPI_processed;
		for (i = 0; i < fetched; i++)
		{
			bool		isnull;
			Datum		lsn_datum = SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull);
			XLogRecPtr	lsn = DatumGetLSN(lsn_datum);
			char	   *data = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);

			CHECK_FOR_INTERRUPTS();
			/* events of one WAL record share its LSN: number them */
			same = lsn == prev ? same + 1 : 0;
			prev = lsn;
			n++;
			if (d->table)
				cdc_table_sink_apply(d->table, data);
			else if (d->http)
			{
				char	   *suffix = id_suffix(lsn, "", same);

				cdc_http_sink_add(d->http, suffix, data, strlen(data));
				pfree(suffix);
			}
			else
			{
				Datum		v[4];

				become_worker();
				v[0] = name_datum(row->name);
				v[1] = Int64GetDatum(n);
				v[2] = lsn_datum;
				v[3] = CStringGetTextDatum(data);
				if (SPI_execute_plan(d->spool, v, NULL, false, 0) != SPI_OK_INSERT)
					elog(ERROR, "could not write strata_cdc.snapshot_spool");
			}
			pfree(data);
		}
		SPI_freetuptable(tt);
	}
	SPI_cursor_close(portal);
	if (d->table)
		cdc_table_sink_finish(d->table);
	become_worker();
	return n;
}

/*
 * starting: create the slot and read the tables at its start.  No write
 * may come before the slot in this transaction.
 */
static void
step_start(StreamRow *row)
{
	int64		n = 0;

	if (SearchNamedReplicationSlot(row->slot, true) != NULL)
		drop_slot(row->slot);	/* from a start a crash interrupted */
	if (row->opts.snapshot)
	{
		Oid			argtypes[3] = {NAMEOID, REGCLASSARRAYOID, TEXTARRAYOID};
		Datum		args[3];
		Portal		portal;
		Delivery	d = {NULL, NULL, NULL};

		args[0] = name_datum(row->slot);
		args[1] = tables_array(row);
		args[2] = plugin_options(row, false);
		if (is_table_sink(row))
			d.table = cdc_table_sink_create(row->sink + 6);
		else
		{
			Oid			types[4] = {NAMEOID, INT8OID, PG_LSNOID, TEXTOID};

			d.spool = SPI_prepare("INSERT INTO strata_cdc.snapshot_spool VALUES ($1, $2, $3, $4)", 4, types);
		}
		become_owner(row);
		portal = SPI_cursor_open_with_args(NULL, "SELECT lsn, data FROM strata_cdc.snapshot($1, $2, $3)",
										   3, argtypes, args, NULL, false, 0);
		n = deliver_cursor(portal, row, &d);
	}
	else
	{
		Oid			argtypes[1] = {NAMEOID};
		Datum		args[1];

		args[0] = name_datum(row->slot);
		if (SPI_execute_with_args("SELECT pg_catalog.pg_create_logical_replication_slot($1, 'strata_cdc')",
								  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not create replication slot \"%s\"", row->slot);
	}

	{
		Oid			argtypes[2] = {NAMEOID, INT8OID};
		Datum		args[2];

		args[0] = name_datum(row->name);
		args[1] = Int64GetDatum(is_table_sink(row) ? n : 0);
		if (SPI_execute_with_args("UPDATE strata_cdc.stream_config SET state = 'streaming', "
								  "events_delivered = events_delivered + $2 "
								  "WHERE name = $1 AND state = 'starting'",
								  2, argtypes, args, NULL, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not update strata_cdc.stream_config");
		if (SPI_processed == 0)
		{
			/* dropped meanwhile: the slot is not transactional, drop it */
			drop_slot(row->slot);
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("stream \"%s\" was dropped while it started", row->name)));
		}
	}
}

/* An HTTP stream's snapshot rows, a bounded number per step. */
static void
step_spool(StreamRow *row)
{
	Oid			argtypes[2] = {NAMEOID, INT8OID};
	Datum		args[2];
	CdcHttpSink *sink = cdc_http_sink_create(row->sink, row->name, &row->opts);
	uint64		i,
				n;
	int64		last = 0;

	args[0] = name_datum(row->name);
	args[1] = Int64GetDatum((int64) row->opts.batch_events * 20);
	if (SPI_execute_with_args("SELECT seq, lsn, data FROM strata_cdc.snapshot_spool "
							  "WHERE stream = $1 ORDER BY seq LIMIT $2",
							  2, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read strata_cdc.snapshot_spool");
	n = SPI_processed;
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		bool		isnull;
		char	   *data = SPI_getvalue(tup, SPI_tuptable->tupdesc, 3);

		last = DatumGetInt64(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &isnull));
		cdc_http_sink_add(sink,
						  id_suffix(DatumGetLSN(SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull)), "r", last),
						  data, strlen(data));
	}
	cdc_http_sink_flush(sink);
	cdc_http_sink_destroy(sink);
	args[1] = Int64GetDatum(last);
	if (SPI_execute_with_args("DELETE FROM strata_cdc.snapshot_spool WHERE stream = $1 AND seq <= $2",
							  2, argtypes, args, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete from strata_cdc.snapshot_spool");
	record_delivery(row->name, (int64) n, InvalidXLogRecPtr);
}

/*
 * streaming: the slot's changes up to a point, delivered, and the slot
 * advanced there.  Returns true when there is more to do at once.
 */
static bool
step_stream(StreamRow *row, bool *caught_up)
{
	XLogRecPtr	flushed = GetFlushRecPtr(NULL);
	XLogRecPtr	upto;
	Oid			argtypes[3] = {NAMEOID, PG_LSNOID, TEXTARRAYOID};
	Datum		args[3];
	Portal		portal;
	Delivery	d = {NULL, NULL, NULL};
	int64		n;

	*caught_up = false;
	if (XLogRecPtrIsInvalid(row->confirmed))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("replication slot \"%s\" of stream \"%s\" does not exist", row->slot, row->name),
				 errdetail("Changes since the stream's last delivery cannot be recovered."),
				 errhint("Drop the stream and create it again.")));
	/* a table sink applied up to here: the slot follows (after a crash) */
	if (!XLogRecPtrIsInvalid(row->applied_lsn) && row->applied_lsn > row->confirmed)
	{
		advance_slot(row->slot, row->applied_lsn);
		row->confirmed = row->applied_lsn;
	}
	if (row->spool)
	{
		step_spool(row);
		return true;
	}
	upto = flushed;
	if (upto - row->confirmed > (uint64) cdc_step_wal_kb * 1024)
		upto = row->confirmed + (uint64) cdc_step_wal_kb * 1024;
	if (upto <= row->confirmed)
	{
		*caught_up = true;
		return false;
	}

	if (is_table_sink(row))
		d.table = cdc_table_sink_create(row->sink + 6);
	else
		d.http = cdc_http_sink_create(row->sink, row->name, &row->opts);
	args[0] = name_datum(row->slot);
	args[1] = LSNGetDatum(upto);
	args[2] = plugin_options(row, true);
	become_owner(row);
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT lsn, data FROM pg_catalog.pg_logical_slot_peek_changes($1, $2, NULL, VARIADIC $3)",
									   3, argtypes, args, NULL, false, 0);
	n = deliver_cursor(portal, row, &d);

	if (d.http)
	{
		cdc_http_sink_flush(d.http);
		cdc_http_sink_destroy(d.http);
		/* every event acknowledged: the slot may pass them */
		advance_slot(row->slot, upto);
		if (n > 0)
			record_delivery(row->name, n, InvalidXLogRecPtr);
	}
	else if (n > 0)
	{
		record_delivery(row->name, n, upto);	/* the slot follows later */
		step_applied = true;
	}
	else
		advance_slot(row->slot, upto);
	*caught_up = upto == flushed;
	return !*caught_up || (d.table != NULL && n > 0);
}

/* one step of a stream, in transactions of its own */
static bool
run_step(StreamState *st, bool *caught_up)
{
	StreamRow  *row;
	bool		more = false;

	*caught_up = false;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	GetUserIdAndSecContext(&worker_user, &worker_sec);
	pgstat_report_activity(STATE_RUNNING, psprintf("strata_cdc stream %s", st->name));

	row = read_stream(st->name, true);
	if (row != NULL)
	{
		st->opts = row->opts;
		if (strcmp(row->state, "starting") == 0)
		{
			step_start(row);
			more = true;
		}
		else
			more = step_stream(row, caught_up);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	return more;
}

/* a table sink's step committed: the slot follows */
static void
follow_applied(const char *name)
{
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	{
		StreamRow  *row = read_stream(name, true);

		if (row != NULL && strcmp(row->state, "streaming") == 0 &&
			!XLogRecPtrIsInvalid(row->applied_lsn) && !XLogRecPtrIsInvalid(row->confirmed) &&
			row->applied_lsn > row->confirmed)
			advance_slot(row->slot, row->applied_lsn);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

static bool
retryable(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_CONNECTION_EXCEPTION:	/* the sink unreachable, 5xx */
		case ERRCODE_TRANSACTION_ROLLBACK:	/* deadlock, serialization */
		case ERRCODE_INSUFFICIENT_RESOURCES:
		case ERRCODE_OPERATOR_INTERVENTION:
		case ERRCODE_SYSTEM_ERROR:
		case ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE:	/* a slot in use */
			return true;
	}
	return sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
}

static void
mark_failed(const char *name, const char *message)
{
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	{
		Oid			argtypes[2] = {NAMEOID, TEXTOID};
		Datum		args[2];

		args[0] = name_datum(name);
		args[1] = CStringGetTextDatum(message);
		if (SPI_execute_with_args("UPDATE strata_cdc.stream_config SET state = 'failed', "
								  "last_error = $2, last_error_at = now() WHERE name = $1",
								  2, argtypes, args, NULL, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not update strata_cdc.stream_config");
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/*
 * A step, with its errors caught: returns the milliseconds until the
 * stream wants its next step.
 */
static long
guarded_step(StreamState *st, MemoryContext step_cxt)
{
	MemoryContext old = MemoryContextSwitchTo(step_cxt);
	volatile long wait = 0;
	ErrorData  *volatile edata = NULL;
	bool		caught_up = false;

	PG_TRY();
	{
		bool		more;

		step_applied = false;
		more = run_step(st, &caught_up);
		if (step_applied)
			follow_applied(st->name);
		st->retries = 0;
		report_activity(st->name, caught_up, 0, 0, NULL);
		wait = more ? 0 : st->opts.linger_ms;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(step_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		if (MyReplicationSlot != NULL)
			ReplicationSlotRelease();
	}
	PG_END_TRY();

	if (edata != NULL)
	{
		char	   *message = edata->detail ?
			psprintf("%s: %s", edata->message, edata->detail) : edata->message;

		if (retryable(edata->sqlerrcode))
		{
			double		backoff = (double) st->opts.backoff_ms * pow(2.0, Min(st->retries, 30));

			backoff = Min(backoff, (double) st->opts.backoff_max_ms);
			/* jitter: workers of many streams do not retry in step */
			backoff *= 0.8 + 0.4 * pg_prng_double(&pg_global_prng_state);
			wait = (long) backoff;
			st->retries++;
			ereport(WARNING,
					(errmsg("strata_cdc stream \"%s\" will retry in %ld ms: %s", st->name, wait, message)));
			report_activity(st->name, false, st->retries,
							TimestampTzPlusMilliseconds(GetCurrentTimestamp(), wait), message);
		}
		else
		{
			ereport(WARNING,
					(errmsg("strata_cdc stream \"%s\" stopped: %s", st->name, message)));
			report_activity(st->name, false, st->retries, 0, NULL);
			mark_failed(st->name, message);
			wait = 0;
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(step_cxt);
	return wait;
}

/* the names of the streams to run, or NIL with *installed false */
static List *
stream_names(MemoryContext cxt, bool *installed)
{
	List	   *names = NIL;
	uint64		i;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	/* the catalog too: a database can hold an older build's extension */
	*installed = OidIsValid(get_extension_oid("strata_cdc", true)) &&
		OidIsValid(get_namespace_oid("strata_cdc", true)) &&
		OidIsValid(get_relname_relid("stream_config", get_namespace_oid("strata_cdc", true)));
	if (*installed)
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		if (SPI_execute("SELECT name FROM strata_cdc.stream_config "
						"WHERE NOT paused AND state <> 'failed' ORDER BY name",
						true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not read strata_cdc.stream_config");
		for (i = 0; i < SPI_processed; i++)
		{
			char	   *n = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

			names = lappend(names, MemoryContextStrdup(cxt, n));
		}
		SPI_finish();
		PopActiveSnapshot();
	}
	CommitTransactionCommand();
	return names;
}

static emit_log_hook_type prev_emit_log_hook = NULL;

static void
quiet_decoding_log(ErrorData *edata)
{
	if (edata->elevel == LOG && edata->message_id != NULL &&
		(strncmp(edata->message_id, "starting logical decoding for slot", 34) == 0 ||
		 strncmp(edata->message_id, "logical decoding found consistent point", 39) == 0))
		edata->output_to_server = false;
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

void
cdc_worker_main(Datum arg)
{
	Oid			dboid = DatumGetObjectId(arg);
	MemoryContext cxt;
	MemoryContext step_cxt;
	HTAB	   *states;
	HASHCTL		ctl;

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dboid, BOOTSTRAP_SUPERUSERID, 0);
	pgstat_report_appname("strata_cdc worker");
	/* every step decodes, and decoding logs its start at LOG: not here */
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = quiet_decoding_log;
	/* a table sink's values go out and back in as text: exactly, whatever the server's defaults */
	SetConfigOption("extra_float_digits", "3", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("DateStyle", "ISO, YMD", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("IntervalStyle", "postgres", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("bytea_output", "hex", PGC_SUSET, PGC_S_OVERRIDE);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		ereport(ERROR, (errmsg("could not initialize libcurl")));

	cxt = AllocSetContextCreate(TopMemoryContext, "strata_cdc worker", ALLOCSET_DEFAULT_SIZES);
	step_cxt = AllocSetContextCreate(TopMemoryContext, "strata_cdc step", ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(StreamState);
	ctl.hcxt = cxt;
	states = hash_create("strata_cdc streams", 16, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	on_shmem_exit(worker_exit, (Datum) 0);
	SpinLockAcquire(&cdc_shared->mutex);
	{
		CdcDatabase *db = database_entry(dboid, true);

		if (db != NULL)
		{
			db->latch = MyLatch;
			db->idle = false;
		}
	}
	SpinLockRelease(&cdc_shared->mutex);

	for (;;)
	{
		List	   *names;
		bool		installed;
		ListCell   *lc;
		long		sleep_ms = WORKER_NAPTIME_MS;
		TimestampTz now;
		HASH_SEQ_STATUS seq;
		StreamState *st;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		MemoryContextReset(step_cxt);
		names = stream_names(step_cxt, &installed);
		/* nothing to run: no session lingers, so DROP DATABASE works */
		if (!installed || names == NIL)
		{
			SpinLockAcquire(&cdc_shared->mutex);
			{
				CdcDatabase *db = database_entry(dboid, false);

				if (db != NULL && !db->wake)
					db->idle = true;
			}
			SpinLockRelease(&cdc_shared->mutex);
			proc_exit(0);
		}
		{
			List	   *copy = NIL;

			foreach(lc, names)
				copy = lappend(copy, pstrdup(lfirst(lc)));
			names = copy;
		}
		prune_activity(names);

		/* forget the state of streams gone */
		hash_seq_init(&seq, states);
		while ((st = hash_seq_search(&seq)) != NULL)
			st->seen = false;
		foreach(lc, names)
		{
			bool		found;

			st = hash_search(states, lfirst(lc), HASH_ENTER, &found);
			if (!found)
			{
				st->next_step = 0;
				st->retries = 0;
				cdc_stream_options(NIL, &st->opts, st->name);
			}
			st->seen = true;
		}
		hash_seq_init(&seq, states);
		while ((st = hash_seq_search(&seq)) != NULL)
			if (!st->seen)
				hash_search(states, st->name, HASH_REMOVE, NULL);

		foreach(lc, names)
		{
			long		wait;

			st = hash_search(states, lfirst(lc), HASH_FIND, NULL);
			now = GetCurrentTimestamp();
			if (st->next_step > now)
			{
				sleep_ms = Min(sleep_ms, (long) ((st->next_step - now) / 1000) + 1);
				continue;
			}
			wait = guarded_step(st, step_cxt);
			st->next_step = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), wait);
			sleep_ms = Min(sleep_ms, wait);
			CHECK_FOR_INTERRUPTS();
		}
		list_free_deep(names);
		if (sleep_ms > 0)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 sleep_ms, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}
