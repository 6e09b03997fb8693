/*-------------------------------------------------------------------------
 *
 * cdc_stream.c
 *	  Streams: create_stream(), drop_stream(), pause_stream(),
 *	  resume_stream() and stream_activity(), and the options of a stream.
 *
 * A stream is a row of strata_cdc.stream_config.  The functions only
 * check and write that row; the worker of the database creates the slot,
 * reads the tables and delivers (cdc_worker.c).  Creating the slot there
 * rather than here keeps create_stream() transactional: a slot is not, and
 * one created by a transaction that then aborts would hold WAL forever.
 * The worker is woken when the creating transaction commits.
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "replication/slot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

/* name, value pairs of a text[], as DefElems */
List *
cdc_text_pairs(ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	List	   *pairs = NIL;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("strata_cdc options must be name, value pairs")));
	for (i = 0; i < n; i += 2)
	{
		if (nulls[i] || nulls[i + 1])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("strata_cdc option names and values cannot be null")));
		pairs = lappend(pairs,
						makeDefElem(TextDatumGetCString(elems[i]),
									(Node *) makeString(TextDatumGetCString(elems[i + 1])), -1));
	}
	return pairs;
}

/* The stream's own options, and the sink's. */
static const char *const stream_option_names[] = {
	"snapshot", "batch.max.events", "batch.max.bytes", "batch.linger.ms",
	"http.format", "http.timeout.ms", "retry.backoff.ms", "retry.backoff.max.ms"
};

static bool
is_stream_option(const char *name)
{
	int			i;

	for (i = 0; i < (int) lengthof(stream_option_names); i++)
		if (strcmp(name, stream_option_names[i]) == 0)
			return true;
	return false;
}

static int
int_option(const char *stream, const char *name, const char *value, int min, int max)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for option \"%s\" of stream \"%s\"", value, name, stream),
				 errhint("An integer from %d to %d.", min, max)));
	return (int) v;
}

void
cdc_stream_options(List *pairs, CdcStreamOptions *opts, const char *stream)
{
	ListCell   *lc;

	opts->snapshot = true;
	opts->batch_events = 500;
	opts->batch_bytes = 1024 * 1024;
	opts->linger_ms = 200;
	opts->kafka_rest = false;
	opts->timeout_ms = 30000;
	opts->backoff_ms = 500;
	opts->backoff_max_ms = 60000;
	foreach(lc, pairs)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const char *name = def->defname;
		const char *value = strVal(def->arg);

		if (strcmp(name, "snapshot") == 0)
		{
			if (strcmp(value, "initial") == 0)
				opts->snapshot = true;
			else if (strcmp(value, "never") == 0)
				opts->snapshot = false;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid value \"%s\" for option \"snapshot\" of stream \"%s\"", value, stream),
						 errhint("Allowed: initial, never.")));
		}
		else if (strcmp(name, "batch.max.events") == 0)
			opts->batch_events = int_option(stream, name, value, 1, 1000000);
		else if (strcmp(name, "batch.max.bytes") == 0)
			opts->batch_bytes = int_option(stream, name, value, 1024, 256 * 1024 * 1024);
		else if (strcmp(name, "batch.linger.ms") == 0)
			opts->linger_ms = int_option(stream, name, value, 0, 3600 * 1000);
		else if (strcmp(name, "http.format") == 0)
		{
			if (strcmp(value, "json") == 0)
				opts->kafka_rest = false;
			else if (strcmp(value, "kafka-rest-v2") == 0)
				opts->kafka_rest = true;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid value \"%s\" for option \"http.format\" of stream \"%s\"", value, stream),
						 errhint("Allowed: json, kafka-rest-v2.")));
		}
		else if (strcmp(name, "http.timeout.ms") == 0)
			opts->timeout_ms = int_option(stream, name, value, 10, 3600 * 1000);
		else if (strcmp(name, "retry.backoff.ms") == 0)
			opts->backoff_ms = int_option(stream, name, value, 1, 3600 * 1000);
		else if (strcmp(name, "retry.backoff.max.ms") == 0)
			opts->backoff_max_ms = int_option(stream, name, value, 1, 24 * 3600 * 1000);
		else
			elog(ERROR, "unknown stream option \"%s\"", name);
	}
	if (opts->backoff_max_ms < opts->backoff_ms)
		opts->backoff_max_ms = opts->backoff_ms;
}

/*
 * The table a table sink writes a source table's changes to: the pattern
 * with ${schema} and ${table} replaced.
 */
char *
cdc_table_target(const char *pattern, const char *schema, const char *table)
{
	StringInfoData out;
	const char *p = pattern;

	initStringInfo(&out);
	while (*p)
	{
		if (strncmp(p, "${schema}", 9) == 0)
		{
			appendStringInfoString(&out, schema);
			p += 9;
		}
		else if (strncmp(p, "${table}", 8) == 0)
		{
			appendStringInfoString(&out, table);
			p += 8;
		}
		else
			appendStringInfoChar(&out, *p++);
	}
	return out.data;
}

/* the target of a table sink, resolved: an error naming it if absent */
static Oid
target_relid(const char *qualified, const char *stream)
{
	List	   *names;
	RangeVar   *rv;
	Oid			relid;

	if (!SplitIdentifierString(pstrdup(qualified), '.', &names) ||
		list_length(names) < 1 || list_length(names) > 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid table name \"%s\" in the sink of stream \"%s\"", qualified, stream)));
	rv = list_length(names) == 2 ?
		makeRangeVar(linitial(names), lsecond(names), -1) :
		makeRangeVar(NULL, linitial(names), -1);
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" of the sink of stream \"%s\" does not exist", qualified, stream),
				 errhint("Create the target table first, with the source's columns.")));
	return relid;
}

/* the source's key columns: its primary key, else its replica identity index */
static bool
has_key(Relation rel)
{
	return OidIsValid(RelationGetReplicaIndex(rel)) ||
		OidIsValid(RelationGetPrimaryKeyIndex(rel));
}

static bool
stream_exists(const char *name)
{
	Oid			argtypes[1] = {NAMEOID};
	Datum		args[1];
	NameData	n;

	namestrcpy(&n, name);
	args[0] = NameGetDatum(&n);
	if (SPI_execute_with_args("SELECT 1 FROM strata_cdc.stream_config WHERE name = $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read strata_cdc.stream_config");
	return SPI_processed > 0;
}

/* wake the worker once the transaction that changed a stream commits */
static bool wake_registered = false;
static bool wake_pending = false;

static void
wake_at_commit(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT && wake_pending)
		cdc_wake_database(MyDatabaseId);
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		wake_pending = false;
}

static void
wake_worker_at_commit(void)
{
	if (!wake_registered)
	{
		RegisterXactCallback(wake_at_commit, NULL);
		wake_registered = true;
	}
	wake_pending = true;
}

/* catalog writes run as the bootstrap superuser: the table is not public */
static void
as_superuser(Oid *saved_user, int *saved_sec)
{
	GetUserIdAndSecContext(saved_user, saved_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, *saved_sec | SECURITY_LOCAL_USERID_CHANGE);
}

PG_FUNCTION_INFO_V1(cdc_create_stream);
Datum
cdc_create_stream(PG_FUNCTION_ARGS)
{
	char	   *name = NameStr(*PG_GETARG_NAME(0));
	ArrayType  *tables = PG_GETARG_ARRAYTYPE_P(1);
	char	   *sink = text_to_cstring(PG_GETARG_TEXT_PP(2));
	List	   *pairs = cdc_text_pairs(PG_GETARG_ARRAYTYPE_P(3));
	List	   *plugin_pairs = NIL;
	List	   *stream_pairs = NIL;
	List	   *targets = NIL;
	CdcOptions popts;
	CdcStreamOptions sopts;
	Datum	   *relids;
	bool	   *relnulls;
	int			ntables,
				i;
	bool		table_sink;
	ListCell   *lc;
	ArrayBuildState *plugin_arr = NULL;
	ArrayBuildState *stream_arr = NULL;
	Oid			saved_user;
	int			saved_sec;

	if (!cdc_workers_enabled())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("strata_cdc streams need strata_cdc in shared_preload_libraries"),
				 errhint("Add strata_cdc to shared_preload_libraries and restart the server.")));
	if (!superuser() && !has_rolreplication(GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to create stream \"%s\"", name),
				 errdetail("Only roles with the REPLICATION attribute may create streams: a stream is a replication slot.")));
	CheckSlotRequirements();
	ReplicationSlotValidateName(name, ERROR);

	/* options: the plugin's are checked by the plugin's own parser */
	foreach(lc, pairs)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "table.include.list") == 0 ||
			strcmp(def->defname, "table.exclude.list") == 0 ||
			strcmp(def->defname, "value.encoding") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" cannot be set for stream \"%s\"", def->defname, name),
					 errdetail("A stream sets it: its tables are the ones it captures, and a table sink reads values as text.")));
		if (is_stream_option(def->defname))
			stream_pairs = lappend(stream_pairs, def);
		else
			plugin_pairs = lappend(plugin_pairs, def);
	}
	cdc_parse_options(plugin_pairs, &popts);
	if (popts.avro)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("format \"avro\" is not supported for stream \"%s\"", name),
				 errdetail("Sinks deliver JSON: POSTed batches and a table's rows.")));
	cdc_stream_options(stream_pairs, &sopts, name);

	if (strncmp(sink, "http://", 7) == 0 || strncmp(sink, "https://", 8) == 0)
		table_sink = false;
	else if (strncmp(sink, "table:", 6) == 0 && sink[6] != '\0')
	{
		table_sink = true;
		if (popts.schemas_enable)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"schemas.enable\" does not apply to the table sink of stream \"%s\"", name)));
		foreach(lc, stream_pairs)
		{
			DefElem    *def = lfirst_node(DefElem, lc);

			if (strncmp(def->defname, "http.", 5) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"%s\" does not apply to the table sink of stream \"%s\"", def->defname, name)));
		}
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid sink \"%s\" for stream \"%s\"", sink, name),
				 errhint("A sink is an http:// or https:// URL, or table:<table name>, where ${schema} and ${table} stand for the source table's.")));

	deconstruct_array(tables, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT,
					  &relids, &relnulls, &ntables);
	if (ntables == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stream \"%s\" needs at least one table", name)));
	for (i = 0; i < ntables; i++)
	{
		Oid			relid;
		Relation	rel;

		if (relnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the tables of stream \"%s\" cannot be null", name)));
		relid = DatumGetObjectId(relids[i]);
		rel = table_open(relid, AccessShareLock);
		if (rel->rd_rel->relkind != RELKIND_RELATION)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a table", RelationGetRelationName(rel)),
					 errhint("A stream captures tables; the changes of a partitioned table are those of its partitions.")));
		if (rel->rd_rel->relpersistence != RELPERSISTENCE_PERMANENT)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("table \"%s\" is not logged, so it has no changes to stream", RelationGetRelationName(rel))));
		if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
		if (table_sink)
		{
			char	   *schema = get_namespace_name(RelationGetNamespace(rel));
			char	   *target = cdc_table_target(sink + 6, schema, RelationGetRelationName(rel));
			Oid			target_id = target_relid(target, name);
			ListCell   *t;
			int			j;

			if (!has_key(rel))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("table \"%s\" has no primary key, so a table sink cannot apply its updates and deletes",
								RelationGetRelationName(rel)),
						 errhint("Add a primary key, or set REPLICA IDENTITY USING INDEX.")));
			for (j = 0; j < ntables; j++)
				if (DatumGetObjectId(relids[j]) == target_id)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("table \"%s\" of stream \"%s\" would be its own sink", target, name)));
			foreach(t, targets)
				if (lfirst_oid(t) == target_id)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("two tables of stream \"%s\" have the same sink table \"%s\"", name, target),
							 errhint("Use ${table} in the sink's table name.")));
			targets = lappend_oid(targets, target_id);
			if (pg_class_aclcheck(target_id, GetUserId(),
								  ACL_INSERT | ACL_UPDATE | ACL_DELETE | ACL_SELECT) != ACLCHECK_OK)
				aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, target);
		}
		table_close(rel, AccessShareLock);
	}

	foreach(lc, plugin_pairs)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		plugin_arr = accumArrayResult(plugin_arr, CStringGetTextDatum(def->defname), false, TEXTOID, CurrentMemoryContext);
		plugin_arr = accumArrayResult(plugin_arr, CStringGetTextDatum(strVal(def->arg)), false, TEXTOID, CurrentMemoryContext);
	}
	foreach(lc, stream_pairs)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		stream_arr = accumArrayResult(stream_arr, CStringGetTextDatum(def->defname), false, TEXTOID, CurrentMemoryContext);
		stream_arr = accumArrayResult(stream_arr, CStringGetTextDatum(strVal(def->arg)), false, TEXTOID, CurrentMemoryContext);
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	as_superuser(&saved_user, &saved_sec);
	if (stream_exists(name))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("stream \"%s\" already exists", name)));
	if (SearchNamedReplicationSlot(name, true) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("replication slot \"%s\" already exists", name),
				 errdetail("A stream's slot has the stream's name.")));
	{
		Oid			argtypes[6] = {NAMEOID, REGCLASSARRAYOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID, OIDOID};
		Datum		args[6];
		NameData	n;

		namestrcpy(&n, name);
		args[0] = NameGetDatum(&n);
		args[1] = PointerGetDatum(tables);
		args[2] = CStringGetTextDatum(sink);
		args[3] = plugin_arr ? makeArrayResult(plugin_arr, CurrentMemoryContext) :
			PointerGetDatum(construct_empty_array(TEXTOID));
		args[4] = stream_arr ? makeArrayResult(stream_arr, CurrentMemoryContext) :
			PointerGetDatum(construct_empty_array(TEXTOID));
		args[5] = ObjectIdGetDatum(saved_user);
		if (SPI_execute_with_args("INSERT INTO strata_cdc.stream_config "
								  "(name, slot_name, tables, sink, plugin_options, sink_options, owner, state) "
								  "VALUES ($1, $1, $2, $3, $4, $5, $6, 'starting')",
								  6, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not insert into strata_cdc.stream_config");
	}
	SetUserIdAndSecContext(saved_user, saved_sec);
	SPI_finish();
	wake_worker_at_commit();
	PG_RETURN_VOID();
}

/*
 * The stream's row, locked, after the lock its worker holds during a step
 * (so a change waits for the batch in flight), checked to be the caller's.
 * Runs as the bootstrap superuser; caller is the user to check.  Returns
 * the slot's name.
 */
static char *
lock_own_stream(const char *name, Oid caller)
{
	Oid			argtypes[1] = {NAMEOID};
	Datum		args[1];
	NameData	n;
	bool		isnull;
	Oid			owner;

	namestrcpy(&n, name);
	args[0] = NameGetDatum(&n);
	if (SPI_execute_with_args("SELECT pg_catalog.pg_advisory_xact_lock(" CppAsString2(CDC_STREAM_LOCK) ", pg_catalog.hashtext($1::text))",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not lock stream \"%s\"", name);
	if (SPI_execute_with_args("SELECT slot_name, owner FROM strata_cdc.stream_config WHERE name = $1 FOR UPDATE",
							  1, argtypes, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read strata_cdc.stream_config");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("stream \"%s\" does not exist", name)));
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (!has_privs_of_role(caller, owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of stream \"%s\"", name)));
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

static void
update_stream(const char *name, const char *sql)
{
	Oid			argtypes[1] = {NAMEOID};
	Datum		args[1];
	NameData	n;
	Oid			saved_user;
	int			saved_sec;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	as_superuser(&saved_user, &saved_sec);
	(void) lock_own_stream(name, saved_user);
	namestrcpy(&n, name);
	args[0] = NameGetDatum(&n);
	if (SPI_execute_with_args(sql, 1, argtypes, args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not update strata_cdc.stream_config");
	SetUserIdAndSecContext(saved_user, saved_sec);
	SPI_finish();
}

PG_FUNCTION_INFO_V1(cdc_pause_stream);
Datum
cdc_pause_stream(PG_FUNCTION_ARGS)
{
	update_stream(NameStr(*PG_GETARG_NAME(0)),
				  "UPDATE strata_cdc.stream_config SET paused = true WHERE name = $1");
	/* a worker left with nothing to run exits */
	wake_worker_at_commit();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(cdc_resume_stream);
Datum
cdc_resume_stream(PG_FUNCTION_ARGS)
{
	update_stream(NameStr(*PG_GETARG_NAME(0)),
				  "UPDATE strata_cdc.stream_config SET paused = false, "
				  "state = CASE WHEN state = 'failed' THEN 'streaming' ELSE state END, "
				  "last_error = NULL, last_error_at = NULL WHERE name = $1");
	wake_worker_at_commit();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(cdc_drop_stream);
Datum
cdc_drop_stream(PG_FUNCTION_ARGS)
{
	char	   *name = NameStr(*PG_GETARG_NAME(0));
	char	   *slot;
	Oid			argtypes[1] = {NAMEOID};
	Datum		args[1];
	NameData	n;
	Oid			saved_user;
	int			saved_sec;

	/* the slot is dropped at once, and that cannot be rolled back */
	PreventInTransactionBlock(true, "strata_cdc.drop_stream()");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	as_superuser(&saved_user, &saved_sec);
	/* waits for a batch in flight: the worker then lets go of the slot */
	slot = lock_own_stream(name, saved_user);
	namestrcpy(&n, name);
	args[0] = NameGetDatum(&n);
	if (SPI_execute_with_args("DELETE FROM strata_cdc.stream_config WHERE name = $1",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete from strata_cdc.stream_config");
	SetUserIdAndSecContext(saved_user, saved_sec);
	if (SearchNamedReplicationSlot(slot, true) != NULL)
	{
		namestrcpy(&n, slot);
		args[0] = NameGetDatum(&n);
		if (SPI_execute_with_args("SELECT pg_catalog.pg_drop_replication_slot($1)",
								  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not drop replication slot \"%s\"", slot);
	}
	SPI_finish();
	wake_worker_at_commit();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(cdc_stream_activity);
Datum
cdc_stream_activity(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CdcStreamActivity *entries;
	int			n,
				i;

	InitMaterializedSRF(fcinfo, 0);
	n = cdc_activity_snapshot(MyDatabaseId, &entries);
	for (i = 0; i < n; i++)
	{
		CdcStreamActivity *a = &entries[i];
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = NameGetDatum(&a->name);
		values[1] = Int32GetDatum(a->pid);
		nulls[1] = a->pid == 0;
		values[2] = TimestampTzGetDatum(a->caught_up_at);
		nulls[2] = a->caught_up_at == 0;
		values[3] = Int32GetDatum(a->retries);
		values[4] = TimestampTzGetDatum(a->next_attempt);
		nulls[4] = a->next_attempt == 0;
		values[5] = CStringGetTextDatum(a->last_error);
		nulls[5] = a->last_error[0] == '\0';
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
