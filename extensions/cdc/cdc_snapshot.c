/*-------------------------------------------------------------------------
 *
 * cdc_snapshot.c
 *	  strata_cdc.snapshot(slot, tables, options): a new strata_cdc slot and
 *	  the read ("r") events of the tables as they are at exactly the slot's
 *	  start, so that snapshot plus stream hold every row once.
 *
 * A SQL function cannot adopt the snapshot a slot is created at (the
 * walsender's USE_SNAPSHOT needs a transaction that has taken none), so
 * the tables are made to hold still instead:
 *
 *	1. each table is locked IN SHARE MODE, which waits for the transactions
 *	   writing it and keeps new writers out until this transaction ends;
 *	2. the slot is created: it streams what commits after its start;
 *	3. each table is read with a snapshot taken now, after both: nothing
 *	   committed to the table between the slot's start and the snapshot,
 *	   so the rows read are its state at the slot's start.
 *
 * Every row is an event as the plugin renders it (same options: topic
 * prefix, decimal mode, schemas), with op "r", before null,
 * source.snapshot "true" ("last" for the last row), source.lsn the slot's
 * start.  Writers of the tables wait until the calling transaction ends;
 * their changes then come through the slot.  A writer that began before
 * step 1 and waits on the lock while step 2 waits on it is a deadlock,
 * reported as such: call again.
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/pg_lsn.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(cdc_snapshot);
Datum
cdc_snapshot(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Name		slot = PG_GETARG_NAME(0);
	ArrayType  *tables = PG_GETARG_ARRAYTYPE_P(1);
	List	   *options = cdc_text_pairs(PG_GETARG_ARRAYTYPE_P(2));
	Datum	   *relids;
	bool	   *relnulls;
	int			ntables,
				i;
	CdcReader  *reader;
	XLogRecPtr	start;
	Snapshot	snapshot;
	StringInfoData event;
	HeapTuple	pending = NULL;
	Relation	pending_rel = NULL;
	Relation   *rels;
	MemoryContext row_cxt;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	InitMaterializedSRF(fcinfo, 0);
	deconstruct_array(tables, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT,
					  &relids, &relnulls, &ntables);
	if (ntables == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("strata_cdc.snapshot() needs at least one table")));
	/* the options are checked before anything is locked or created */
	reader = cdc_reader_create(options, CurrentMemoryContext);
	{
		ListCell   *lc;

		foreach(lc, options)
			if (strcmp(lfirst_node(DefElem, lc)->defname, "format") == 0 &&
				strcmp(strVal(lfirst_node(DefElem, lc)->arg), "avro") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("strata_cdc.snapshot() returns text: format \"avro\" is not supported there"),
						 errhint("Read the snapshot as JSON; strata_cdc.avro_schemas() gives the Avro schemas of the same events.")));
	}

	/* 1. the tables hold still */
	for (i = 0; i < ntables; i++)
	{
		Oid			relid = DatumGetObjectId(relids[i]);
		char		relkind;

		if (relnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("strata_cdc.snapshot() tables cannot be null")));
		relkind = get_rel_relkind(relid);
		if (relkind != RELKIND_RELATION)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a table", get_rel_name(relid)),
					 errhint("strata_cdc.snapshot() reads tables: the slot streams their changes, not a partitioned table's or a view's.")));
		if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, get_rel_name(relid));
		LockRelationOid(relid, ShareLock);
	}

	/* 2. the slot */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	{
		Oid			argtypes[1] = {NAMEOID};
		Datum		args[1] = {NameGetDatum(slot)};
		bool		isnull;

		if (SPI_execute_with_args("SELECT lsn FROM pg_catalog.pg_create_logical_replication_slot($1, 'strata_cdc')",
								  1, argtypes, args, NULL, false, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "could not create replication slot \"%s\"", NameStr(*slot));
		start = DatumGetLSN(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();

	/* 3. the rows, as of now */
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	initStringInfo(&event);
	row_cxt = AllocSetContextCreate(CurrentMemoryContext, "strata_cdc snapshot row",
									ALLOCSET_DEFAULT_SIZES);
	values[0] = LSNGetDatum(start);
	/* every table stays open until the end: the last row read is kept */
	rels = palloc(sizeof(Relation) * ntables);
	for (i = 0; i < ntables; i++)
		rels[i] = table_open(DatumGetObjectId(relids[i]), NoLock);
	for (i = 0; i < ntables; i++)
	{
		Relation	rel = rels[i];
		TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
		TupleTableSlot *tslot = table_slot_create(rel, NULL);

		while (table_scan_getnextslot(scan, ForwardScanDirection, tslot))
		{
			MemoryContext old;

			CHECK_FOR_INTERRUPTS();
			/* a row is written once the next one shows it is not the last */
			if (pending != NULL)
			{
				resetStringInfo(&event);
				cdc_reader_event(reader, &event, pending_rel, pending, start, false);
				values[1] = CStringGetTextDatum(event.data);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
				MemoryContextReset(row_cxt);
			}
			old = MemoryContextSwitchTo(row_cxt);
			pending = ExecCopySlotHeapTuple(tslot);
			pending_rel = rel;
			MemoryContextSwitchTo(old);
		}
		ExecDropSingleTupleTableSlot(tslot);
		table_endscan(scan);
	}
	if (pending != NULL)
	{
		resetStringInfo(&event);
		cdc_reader_event(reader, &event, pending_rel, pending, start, true);
		values[1] = CStringGetTextDatum(event.data);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	for (i = 0; i < ntables; i++)
		table_close(rels[i], NoLock);
	UnregisterSnapshot(snapshot);
	return (Datum) 0;
}
