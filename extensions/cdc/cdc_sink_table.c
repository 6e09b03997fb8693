/*-------------------------------------------------------------------------
 *
 * cdc_sink_table.c
 *	  Applying a stream's events to tables: the table sink.
 *
 * The worker decodes a table sink's changes with value.encoding text, so
 * every value is its type's text output (json and jsonb as JSON) and
 * jsonb_populate_record() turns a row back into the target's types by
 * column name.  Per event:
 *
 *	c, r	INSERT the row
 *	u		UPDATE the row with the event's key, setting the columns the
 *			event has (an unchanged TOASTed value is absent, and kept);
 *			INSERT it when the target lacks it
 *	d		DELETE the row with the event's key
 *	t		TRUNCATE the target
 *
 * A key change arrives as d then c, and the c lacks the TOASTed values
 * the change left alone: so a d is held back, and when a c of the same
 * table follows it becomes an UPDATE of the deleted key's row (the same
 * end state when the c is whole).  Values are taken from the event by
 * the statements themselves (jsonb), never through a C JSON library,
 * whose doubles would round jsonb's numbers.  Events of other topics (messages,
 * transaction markers) and tombstones are not rows, and are passed over.
 * The target has to have the source's key columns; it may have fewer or
 * more other columns (those absent from the source are left null on
 * insert and unchanged on update).
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include <cjson/cJSON.h>

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/varlena.h"

typedef struct Target
{
	char		source[2 * NAMEDATALEN + 2];	/* hash key: schema.table */
	char	   *name;			/* the target, quoted */
	char	  **columns;		/* the target's columns, quoted */
	char	  **column_names;
	int			ncolumns;
	bool		keyed;			/* the statements below are built */
	SPIPlanPtr	insert;
	SPIPlanPtr	update;
	SPIPlanPtr	delete;
	char	   *truncate;
} Target;

struct CdcTableSink
{
	char	   *pattern;
	HTAB	   *targets;
	/* a delete held back: is a create of the same table next? */
	Target	   *pending_target;
	Datum		pending_event;
};

CdcTableSink *
cdc_table_sink_create(const char *pattern)
{
	CdcTableSink *sink = palloc0(sizeof(CdcTableSink));
	HASHCTL		ctl;

	sink->pattern = pstrdup(pattern);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(((Target *) NULL)->source);
	ctl.entrysize = sizeof(Target);
	ctl.hcxt = CurrentMemoryContext;
	sink->targets = hash_create("strata_cdc table sink", 16, &ctl,
								HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	return sink;
}

/* the target's columns, from its relation */
static void
open_target(Target *t, const char *pattern, const char *schema, const char *table)
{
	char	   *qualified = cdc_table_target(pattern, schema, table);
	List	   *names;
	RangeVar   *rv;
	Relation	rel;
	TupleDesc	desc;
	int			i;

	if (!SplitIdentifierString(pstrdup(qualified), '.', &names) ||
		list_length(names) < 1 || list_length(names) > 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid sink table name \"%s\"", qualified)));
	rv = list_length(names) == 2 ?
		makeRangeVar(linitial(names), lsecond(names), -1) :
		makeRangeVar(NULL, linitial(names), -1);
	rel = table_openrv(rv, RowExclusiveLock);
	t->name = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
										 RelationGetRelationName(rel));
	desc = RelationGetDescr(rel);
	t->columns = palloc(sizeof(char *) * desc->natts);
	t->column_names = palloc(sizeof(char *) * desc->natts);
	t->ncolumns = 0;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped || a->attgenerated)
			continue;
		t->column_names[t->ncolumns] = pstrdup(NameStr(a->attname));
		t->columns[t->ncolumns++] = pstrdup(quote_identifier(NameStr(a->attname)));
	}
	table_close(rel, NoLock);
	t->truncate = psprintf("TRUNCATE %s", t->name);
}

static SPIPlanPtr
prepare(const char *sql, int nargs)
{
	Oid			types[2] = {JSONBOID, JSONBOID};
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "could not prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	return plan;
}

/* the statements, once the key's columns are known from an event */
static void
build_statements(Target *t, cJSON *key)
{
	StringInfoData ins,
				upd,
				del,
				match;
	cJSON	   *k;
	int			i;
	bool		first = true;

	initStringInfo(&match);
	cJSON_ArrayForEach(k, key)
	{
		bool		found = false;

		for (i = 0; i < t->ncolumns; i++)
			if (strcmp(t->column_names[i], k->string) == 0)
				found = true;
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("sink table %s has no column \"%s\" of the source's key", t->name, k->string)));
		appendStringInfo(&match, "%st.%s = k.%s", first ? "" : " AND ",
						 quote_identifier(k->string), quote_identifier(k->string));
		first = false;
	}

	initStringInfo(&ins);
	appendStringInfo(&ins, "INSERT INTO %s (", t->name);
	for (i = 0; i < t->ncolumns; i++)
		appendStringInfo(&ins, "%s%s", i ? ", " : "", t->columns[i]);
	appendStringInfoString(&ins, ") SELECT ");
	for (i = 0; i < t->ncolumns; i++)
		appendStringInfo(&ins, "%sr.%s", i ? ", " : "", t->columns[i]);
	appendStringInfo(&ins, " FROM pg_catalog.jsonb_populate_record(NULL::%s, $1->'value'->'after') r", t->name);

	/* $1 the event, $2 the event whose key names the row */
	initStringInfo(&upd);
	appendStringInfo(&upd, "UPDATE %s t SET ", t->name);
	for (i = 0; i < t->ncolumns; i++)
		appendStringInfo(&upd, "%s%s = CASE WHEN ($1->'value'->'after') ? %s THEN r.%s ELSE t.%s END",
						 i ? ", " : "", t->columns[i], quote_literal_cstr(t->column_names[i]),
						 t->columns[i], t->columns[i]);
	appendStringInfo(&upd, " FROM pg_catalog.jsonb_populate_record(NULL::%s, $1->'value'->'after') r, "
					 "pg_catalog.jsonb_populate_record(NULL::%s, $2->'key') k WHERE %s",
					 t->name, t->name, match.data);

	initStringInfo(&del);
	appendStringInfo(&del, "DELETE FROM %s t USING pg_catalog.jsonb_populate_record(NULL::%s, $1->'key') k WHERE %s",
					 t->name, t->name, match.data);

	t->insert = prepare(ins.data, 1);
	t->update = prepare(upd.data, 2);
	t->delete = prepare(del.data, 1);
	t->keyed = true;
}

static const char *
string_item(cJSON *obj, const char *name)
{
	cJSON	   *item = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static void
run(SPIPlanPtr plan, Datum *args, int expected)
{
	int			rc = SPI_execute_plan(plan, args, NULL, false, 0);

	if (rc != expected)
		elog(ERROR, "table sink statement failed: %s", SPI_result_code_string(rc));
}

/* the delete held back, done */
static void
flush_pending(CdcTableSink *sink)
{
	Datum		args[1];

	if (sink->pending_target == NULL)
		return;
	args[0] = sink->pending_event;
	run(sink->pending_target->delete, args, SPI_OK_DELETE);
	sink->pending_target = NULL;
	pfree(DatumGetPointer(sink->pending_event));
}

static void
apply(CdcTableSink *sink, cJSON *root, const char *event)
{
	cJSON	   *value = cJSON_GetObjectItemCaseSensitive(root, "value");
	cJSON	   *key = cJSON_GetObjectItemCaseSensitive(root, "key");
	cJSON	   *source;
	const char *op;
	const char *schema;
	const char *table;
	char		qualified[2 * NAMEDATALEN + 2];
	Target	   *t;
	bool		found;
	Datum		args[2];

	if (!cJSON_IsObject(value))
		return;					/* a tombstone */
	op = string_item(value, "op");
	source = cJSON_GetObjectItemCaseSensitive(value, "source");
	if (op == NULL || op[0] == '\0' || op[1] != '\0' || strchr("crudt", op[0]) == NULL)
		return;					/* transaction markers, messages */
	schema = string_item(source, "schema");
	table = string_item(source, "table");
	if (schema == NULL || table == NULL ||
		strlen(schema) >= NAMEDATALEN || strlen(table) >= NAMEDATALEN)
		elog(ERROR, "unexpected event from the strata_cdc plugin: no source table");
	snprintf(qualified, sizeof(qualified), "%s.%s", schema, table);
	t = hash_search(sink->targets, qualified, HASH_ENTER, &found);
	if (!found)
	{
		memset(((char *) t) + sizeof(t->source), 0, sizeof(Target) - sizeof(t->source));
		open_target(t, sink->pattern, schema, table);
	}
	if (op[0] != 't')
	{
		if (!cJSON_IsObject(key))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table %s has no key, so its changes cannot be applied to %s", qualified, t->name)));
		if (!t->keyed)
			build_statements(t, key);
	}
	args[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(event));

	/* a key change: the deleted key's row takes the new key and values */
	if (sink->pending_target != NULL)
	{
		if (op[0] == 'c' && sink->pending_target == t)
		{
			args[1] = sink->pending_event;
			run(t->update, args, SPI_OK_UPDATE);
			if (SPI_processed == 0)
				run(t->insert, args, SPI_OK_INSERT);
			sink->pending_target = NULL;
			return;
		}
		flush_pending(sink);
	}

	switch (op[0])
	{
		case 't':
			if (SPI_execute(t->truncate, false, 0) != SPI_OK_UTILITY)
				elog(ERROR, "could not truncate %s", t->name);
			break;
		case 'c':
		case 'r':
			run(t->insert, args, SPI_OK_INSERT);
			break;
		case 'u':
			args[1] = args[0];
			run(t->update, args, SPI_OK_UPDATE);
			if (SPI_processed == 0)
				run(t->insert, args, SPI_OK_INSERT);
			break;
		case 'd':
			sink->pending_target = t;
			sink->pending_event = args[0];
			break;
	}
}

void
cdc_table_sink_apply(CdcTableSink *sink, const char *event)
{
	cJSON	   *root = cJSON_Parse(event);

	if (root == NULL)
		elog(ERROR, "unexpected event from the strata_cdc plugin: %.40s", event);
	PG_TRY();
	{
		apply(sink, root, event);
	}
	PG_FINALLY();
	{
		cJSON_Delete(root);
	}
	PG_END_TRY();
}

/* the end of a batch: nothing is held back past it */
void
cdc_table_sink_finish(CdcTableSink *sink)
{
	flush_pending(sink);
}
