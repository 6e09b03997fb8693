/*-------------------------------------------------------------------------
 *
 * cdc_plugin.c
 *	  The strata_cdc logical-decoding output plugin: Debezium change events
 *	  for pg_logical_slot_get_changes(), pg_recvlogical and the streaming
 *	  replication protocol.
 *
 * Every event is one output message, a JSON object a sink maps 1:1 to a
 * Kafka record:
 *
 *	{"topic": "<prefix>.<schema>.<table>", "key": {...} | null, "value": {...} | null}
 *
 * value is the envelope of Debezium's PostgreSQL connector, 3.0 layout:
 *
 *	{"before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns"}
 *	source: {"version", "connector": "postgresql", "name": <prefix>,
 *	         "ts_ms" (commit time), "snapshot": "false", "db", "sequence":
 *	         "[\"<previous commit lsn>\",\"<lsn>\"]", "ts_us", "ts_ns",
 *	         "schema", "table", "txId", "lsn", "xmin": null}
 *
 * ops: c (insert), u (update), d (delete, then a tombstone: the same key
 * and a null value, unless tombstones is off or there is no key),
 * t (truncate, one per table, skipped by default as in Debezium),
 * m (pg_logical_emit_message, on <prefix>.message, keyed by its prefix).
 * An update that changes the primary key under REPLICA IDENTITY DEFAULT
 * is, as in Debezium, a delete of the old key, its tombstone and a create.
 * "before" is null for inserts; for updates and deletes it is the old
 * tuple logical decoding has: every column under REPLICA IDENTITY FULL,
 * else the identity's columns, the others null or, for NOT NULL columns,
 * their type's zero (Debezium's fallback).  An unchanged TOASTed value is
 * not in the WAL: it is taken from a full old tuple, else it is Debezium's
 * placeholder "__debezium_unavailable_value".  Generated columns are left
 * out, as pgoutput leaves them out.
 *
 * With include.transaction, a transaction's first event is preceded by a
 * BEGIN event and its commit followed by an END event with the event
 * counts, on <prefix>.transaction, and data events carry {"id",
 * "total_order", "data_collection_order"}; the id is "<xid>:<commit lsn>"
 * (Debezium uses the last LSN it saw, which differs between BEGIN and END).
 *
 * Memory stays bounded whatever the transaction's size: one event is built
 * at a time in a context reset after it, and written out at once; the
 * reorder buffer spills to disk past logical_decoding_work_mem.  Changes
 * that produce no event still report progress every 100 changes, so a
 * walsender decoding a long filtered transaction is not taken for dead
 * (PostgreSQL 15 leaves this to the plugin).
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include "access/detoast.h"
#include "access/heapam.h"
#include "access/heaptoast.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "replication/logical.h"
#include "replication/output_plugin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_MODULE_MAGIC;

#define CDC_VERSION "strata-0.1.0"
#define PROGRESS_EVERY 100

extern void _PG_output_plugin_init(OutputPluginCallbacks *cb);

/* events of one data collection (schema.table) in the current transaction */
typedef struct CollectionCount
{
	char	   *name;
	int64		count;
} CollectionCount;

typedef struct CdcState
{
	CdcOptions	opts;
	MemoryContext cxt;			/* the decoding context's */
	MemoryContext event_cxt;	/* one event; reset after it */
	MemoryContext txn_cxt;		/* the current transaction's counts */
	char	   *db;
	/* the constant parts of the source block, as JSON */
	char	   *source_head;	/* {"version":..,"name":..,"ts_ms": */
	char	   *source_mid;		/* ,"db":..,"sequence": */
	char	   *transaction_topic;	/* "<prefix>.transaction", as JSON */
	char	   *message_topic;	/* "<prefix>.message", as JSON */
	StringInfoData key;			/* the current event's key */
	/* format avro: where the event's JSON starts in ctx->out, its schemas */
	int			event_start;
	CdcAvroSchema *avro_key;
	CdcAvroSchema *avro_value;
	XLogRecPtr	last_commit;	/* of the previous transaction decoded */
	int			unreported;		/* changes since the last progress report */

	/* the current transaction */
	bool		begin_sent;
	bool		wrote;
	int64		total_order;
	List	   *collections;	/* of CollectionCount */
} CdcState;

/*
 * The database's name, the default topic prefix.  A walsender calls the
 * startup callback outside any transaction: the catalog is read in one of
 * our own then.
 */
static void
resolve_names(CdcState *state)
{
	MemoryContext old = CurrentMemoryContext;
	bool		own = !IsTransactionState();
	char	   *name;

	if (own)
		StartTransactionCommand();
	name = get_database_name(MyDatabaseId);
	MemoryContextSwitchTo(state->cxt);
	state->db = name != NULL ? pstrdup(name) : psprintf("%u", MyDatabaseId);
	if (state->opts.topic_prefix == NULL)
		state->opts.topic_prefix = state->db;
	{
		StringInfoData b;

		initStringInfo(&b);
		appendStringInfoString(&b, "{\"version\":\"" CDC_VERSION "\",\"connector\":\"postgresql\",\"name\":");
		cdc_append_json(&b, state->opts.topic_prefix, strlen(state->opts.topic_prefix));
		appendStringInfoString(&b, ",\"ts_ms\":");
		state->source_head = b.data;
		initStringInfo(&b);
		appendStringInfoString(&b, ",\"db\":");
		cdc_append_json(&b, state->db, strlen(state->db));
		appendStringInfoString(&b, ",\"sequence\":");
		state->source_mid = b.data;
		state->transaction_topic =
			cdc_json_string(psprintf("%s.transaction", state->opts.topic_prefix));
		state->message_topic = cdc_json_string(psprintf("%s.message", state->opts.topic_prefix));
		initStringInfo(&state->key);
	}
	if (own)
		CommitTransactionCommand();
	MemoryContextSwitchTo(old);
}

static void
cdc_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	CdcState   *state = MemoryContextAllocZero(ctx->context, sizeof(CdcState));
	MemoryContext old = MemoryContextSwitchTo(ctx->context);

	cdc_parse_options(ctx->output_plugin_options, &state->opts);
	MemoryContextSwitchTo(old);
	state->cxt = ctx->context;
	resolve_names(state);
	state->event_cxt = AllocSetContextCreate(ctx->context, "strata_cdc event",
											 ALLOCSET_DEFAULT_SIZES);
	state->txn_cxt = AllocSetContextCreate(ctx->context, "strata_cdc transaction",
										   ALLOCSET_SMALL_SIZES);
	state->last_commit = InvalidXLogRecPtr;
	ctx->output_plugin_private = state;
	/* Avro is binary: pg_logical_slot_get_binary_changes, pg_recvlogical */
	opt->output_type = state->opts.avro ? OUTPUT_PLUGIN_BINARY_OUTPUT : OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;
	/* no stream callbacks: changes are decoded once committed, as Debezium wants */
	ctx->streaming = false;
	cdc_relation_reset();
}

static void
cdc_shutdown(LogicalDecodingContext *ctx)
{
}

static void
cdc_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	CdcState   *state = ctx->output_plugin_private;

	MemoryContextReset(state->txn_cxt);
	state->begin_sent = false;
	state->wrote = false;
	state->total_order = 0;
	state->collections = NIL;
}

/* ---------------------------------------------------------------------
 * Pieces of events
 * ---------------------------------------------------------------------
 */

static int64
unix_micros(TimestampTz ts)
{
	return ts + CDC_EPOCH_SHIFT_USECS;
}

static void
append_json_cstring(StringInfo out, const char *s)
{
	cdc_append_json(out, s, strlen(s));
}

/* LSNs stay below 2^63 in practice; the cast keeps them exact */
static void
append_lsn(StringInfo out, XLogRecPtr lsn)
{
	cdc_append_int64(out, (int64) lsn);
}

/* "ts_ms": .., "ts_us": .., "ts_ns": .. of a time in microseconds */
static void
append_times(StringInfo out, int64 us)
{
	appendStringInfoString(out, "\"ts_ms\":");
	cdc_append_int64(out, us / 1000);
	appendStringInfoString(out, ",\"ts_us\":");
	cdc_append_int64(out, us);
	appendStringInfoString(out, ",\"ts_ns\":");
	cdc_append_int64(out, us * 1000);
}

static char *
transaction_id(ReorderBufferTXN *txn)
{
	return psprintf("%u:" UINT64_FORMAT, txn->xid, (uint64) txn->final_lsn);
}

/* schema_json and table_json are JSON strings already */
static void
append_source(StringInfo out, CdcState *state, ReorderBufferTXN *txn, const char *schema_json,
			  const char *table_json, XLogRecPtr lsn, const char *snapshot)
{
	int64		us = txn != NULL ? unix_micros(txn->xact_time.commit_time) :
		unix_micros(GetCurrentTimestamp());

	appendStringInfoString(out, state->source_head);
	cdc_append_int64(out, us / 1000);
	appendStringInfoString(out, ",\"snapshot\":\"");
	appendStringInfoString(out, snapshot);
	appendStringInfoChar(out, '"');
	appendStringInfoString(out, state->source_mid);
	/* sequence is a string holding a JSON array of two decimal LSNs */
	if (XLogRecPtrIsInvalid(state->last_commit))
		appendStringInfoString(out, "\"[null,\\\"");
	else
	{
		appendStringInfoString(out, "\"[\\\"");
		append_lsn(out, state->last_commit);
		appendStringInfoString(out, "\\\",\\\"");
	}
	append_lsn(out, lsn);
	appendStringInfoString(out, "\\\"]\",\"ts_us\":");
	cdc_append_int64(out, us);
	appendStringInfoString(out, ",\"ts_ns\":");
	cdc_append_int64(out, us * 1000);
	appendStringInfoString(out, ",\"schema\":");
	appendStringInfoString(out, schema_json);
	appendStringInfoString(out, ",\"table\":");
	appendStringInfoString(out, table_json);
	if (txn != NULL)
	{
		appendStringInfoString(out, ",\"txId\":");
		cdc_append_int64(out, txn->xid);
	}
	else
		appendStringInfoString(out, ",\"txId\":null");
	appendStringInfoString(out, ",\"lsn\":");
	append_lsn(out, lsn);
	appendStringInfoString(out, ",\"xmin\":null}");
}

/*
 * A row as a JSON object.  key_only: the tuple is an old key tuple, whose
 * columns outside the replica identity are absent rather than null.
 * full_old: a whole old tuple to take unchanged TOASTed values from.
 */
static void
append_row(StringInfo out, CdcState *state, CdcRelation *rinfo, TupleDesc desc,
		   HeapTuple tuple, bool key_only, HeapTuple full_old)
{
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	Datum	   *old_values = NULL;
	bool	   *old_nulls = NULL;
	bool		first = true;
	int			i;

	heap_deform_tuple(tuple, desc, values, nulls);
	if (full_old != NULL)
	{
		old_values = palloc(sizeof(Datum) * desc->natts);
		old_nulls = palloc(sizeof(bool) * desc->natts);
		heap_deform_tuple(full_old, desc, old_values, old_nulls);
	}
	appendStringInfoChar(out, '{');
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		CdcEncoder *enc = &rinfo->encoders[i];

		if (attr->attisdropped || attr->attgenerated)
			continue;
		/* text values name only what the row holds */
		if (state->opts.text_values &&
			((key_only && !rinfo->identity[i]) ||
			 (!nulls[i] && attr->attlen == -1 &&
			  VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(values[i])) &&
			  (old_values == NULL || old_nulls[i] ||
			   VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(old_values[i]))))))
			continue;
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		appendStringInfoString(out, rinfo->name_json[i]);

		if (key_only && !rinfo->identity[i])
		{
			if (attr->attnotnull)
				cdc_encode_fallback(out, enc, state->opts.decimal_mode);
			else
				appendStringInfoString(out, "null");
		}
		else if (nulls[i])
			appendStringInfoString(out, "null");
		else if (attr->attlen == -1 &&
				 VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(values[i])))
		{
			/* unchanged and TOASTed: not in the WAL */
			if (old_values != NULL && !old_nulls[i] &&
				!VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(old_values[i])))
				cdc_encode_value(out, enc, old_values[i], state->opts.decimal_mode);
			else
				cdc_encode_unavailable(out, enc);
		}
		else
			cdc_encode_value(out, enc, values[i], state->opts.decimal_mode);
	}
	appendStringInfoChar(out, '}');
}

/* The event key: the key columns of the tuple, or null (then false). */
static bool
append_key(StringInfo out, CdcState *state, CdcRelation *rinfo, TupleDesc desc, HeapTuple tuple)
{
	int			i;

	if (rinfo->num_key == 0 || tuple == NULL)
	{
		appendStringInfoString(out, "null");
		return false;
	}
	appendStringInfoChar(out, '{');
	for (i = 0; i < rinfo->num_key; i++)
	{
		AttrNumber	attnum = rinfo->key[i];
		bool		isnull;
		Datum		v = heap_getattr(tuple, attnum, desc, &isnull);

		if (i > 0)
			appendStringInfoChar(out, ',');
		appendStringInfoString(out, rinfo->name_json[attnum - 1]);
		if (isnull)
			appendStringInfoString(out, "null");
		else
			cdc_encode_value(out, &rinfo->encoders[attnum - 1], v, state->opts.decimal_mode);
	}
	appendStringInfoChar(out, '}');
	return true;
}

/* Report progress now and then while changes produce nothing. */
static void
note_skipped(LogicalDecodingContext *ctx, CdcState *state)
{
	if (++state->unreported >= PROGRESS_EVERY)
	{
		OutputPluginUpdateProgress(ctx, false);
		state->unreported = 0;
	}
}

/* A key or value with its schema, when schemas.enable asks for them. */
static void
wrap_begin(StringInfo out, CdcState *state, const char *schema)
{
	if (state->opts.schemas_enable)
	{
		appendStringInfoString(out, "{\"schema\":");
		appendStringInfoString(out, schema);
		appendStringInfoString(out, ",\"payload\":");
	}
}

static void
wrap_end(StringInfo out, CdcState *state)
{
	if (state->opts.schemas_enable)
		appendStringInfoChar(out, '}');
}

/* Send the event built in ctx->out; format avro turns it into Avro first. */
static void
write_event(LogicalDecodingContext *ctx, CdcState *state)
{
	if (state->opts.avro)
		cdc_avro_event(ctx->out, state->event_start, state->avro_key, state->avro_value);
	OutputPluginWrite(ctx, true);
}

/*
 * The start of a transaction or message event: its topic, a key of one
 * string field, and the value's opening, with their fixed schemas when
 * schemas.enable asks for them.
 */
static void
fixed_event_head(StringInfo out, CdcState *state, const char *topic_json, const char *key_schema,
				 const char *key_field, const char *key_value, const char *value_schema)
{
	if (state->opts.avro)
	{
		state->avro_key = cdc_avro_schema(key_schema);
		state->avro_value = cdc_avro_schema(value_schema);
	}
	appendStringInfoString(out, "{\"topic\":");
	appendStringInfoString(out, topic_json);
	appendStringInfoString(out, ",\"key\":");
	wrap_begin(out, state, key_schema);
	appendStringInfo(out, "{\"%s\":", key_field);
	append_json_cstring(out, key_value);
	appendStringInfoChar(out, '}');
	wrap_end(out, state);
	appendStringInfoString(out, ",\"value\":");
	wrap_begin(out, state, value_schema);
}

static void
send_transaction_event(LogicalDecodingContext *ctx, CdcState *state, ReorderBufferTXN *txn,
					   bool end)
{
	StringInfo	out;
	char	   *id = transaction_id(txn);
	ListCell   *lc;

	OutputPluginPrepareWrite(ctx, true);
	out = ctx->out;
	state->event_start = out->len;
	fixed_event_head(out, state, state->transaction_topic, cdc_transaction_key_schema,
					 "id", id, cdc_transaction_value_schema);
	appendStringInfo(out, "{\"status\":\"%s\",\"id\":", end ? "END" : "BEGIN");
	append_json_cstring(out, id);
	if (!end)
		appendStringInfoString(out, ",\"event_count\":null,\"data_collections\":null");
	else
	{
		appendStringInfo(out, ",\"event_count\":" INT64_FORMAT ",\"data_collections\":[",
						 state->total_order);
		foreach(lc, state->collections)
		{
			CollectionCount *c = lfirst(lc);

			if (foreach_current_index(lc) > 0)
				appendStringInfoChar(out, ',');
			appendStringInfoString(out, "{\"data_collection\":");
			append_json_cstring(out, c->name);
			appendStringInfo(out, ",\"event_count\":" INT64_FORMAT "}", c->count);
		}
		appendStringInfoChar(out, ']');
	}
	appendStringInfo(out, ",\"ts_ms\":" INT64_FORMAT "}",
					 unix_micros(txn->xact_time.commit_time) / 1000);
	wrap_end(out, state);
	appendStringInfoChar(out, '}');
	write_event(ctx, state);
	state->wrote = true;
}

/* Count a data event of the transaction; its order within the collection. */
static int64
count_event(CdcState *state, CdcRelation *rinfo)
{
	ListCell   *lc;
	CollectionCount *c;
	MemoryContext old;

	state->total_order++;
	foreach(lc, state->collections)
	{
		c = lfirst(lc);
		if (strcmp(c->name, rinfo->data_collection) == 0)
			return ++c->count;
	}
	old = MemoryContextSwitchTo(state->txn_cxt);
	c = palloc(sizeof(CollectionCount));
	c->name = pstrdup(rinfo->data_collection);
	c->count = 1;
	state->collections = lappend(state->collections, c);
	MemoryContextSwitchTo(old);
	return 1;
}

/*
 * Start an event's message: its topic and key, up to its value.  With
 * schemas.enable the key, and the value unless it is a tombstone, are
 * wrapped in {"schema", "payload"}: end_event closes the value's.
 */
static void
event_head(StringInfo out, CdcState *state, CdcRelation *rinfo, StringInfo key, bool has_key,
		   bool tombstone)
{
	state->avro_key = has_key ? rinfo->avro_key : NULL;
	state->avro_value = tombstone ? NULL : rinfo->avro_value;
	appendStringInfoString(out, "{\"topic\":");
	appendStringInfoString(out, rinfo->topic_json);
	appendStringInfoString(out, ",\"key\":");
	if (state->opts.schemas_enable && has_key)
	{
		appendStringInfoString(out, "{\"schema\":");
		appendStringInfoString(out, rinfo->key_schema);
		appendStringInfoString(out, ",\"payload\":");
		appendBinaryStringInfo(out, key->data, key->len);
		appendStringInfoChar(out, '}');
	}
	else
		appendBinaryStringInfo(out, key->data, key->len);
	appendStringInfoString(out, ",\"value\":");
	if (state->opts.schemas_enable && !tombstone)
	{
		appendStringInfoString(out, "{\"schema\":");
		appendStringInfoString(out, rinfo->value_schema);
		appendStringInfoString(out, ",\"payload\":");
	}
}

static StringInfo
begin_event(LogicalDecodingContext *ctx, CdcState *state, CdcRelation *rinfo, StringInfo key,
			bool has_key, bool tombstone)
{
	OutputPluginPrepareWrite(ctx, true);
	state->event_start = ctx->out->len;
	event_head(ctx->out, state, rinfo, key, has_key, tombstone);
	return ctx->out;
}

/* Close the message begin_event started, with its value written. */
static void
end_event(LogicalDecodingContext *ctx, CdcState *state, bool tombstone)
{
	if (state->opts.schemas_enable && !tombstone)
		appendStringInfoChar(ctx->out, '}');
	appendStringInfoChar(ctx->out, '}');
	write_event(ctx, state);
}


/*
 * One data event.  before / after are tuples or NULL; before_key_only
 * says before is a key tuple; key_tuple gives the key.
 */
static void
send_data_event(LogicalDecodingContext *ctx, CdcState *state, ReorderBufferTXN *txn,
				CdcRelation *rinfo, TupleDesc desc, char op, XLogRecPtr lsn,
				HeapTuple before, bool before_key_only, HeapTuple after, HeapTuple key_tuple)
{
	StringInfo	out;
	int64		collection_order = 0;
	StringInfo	key;
	bool		has_key;

	if (state->opts.include_transaction)
	{
		if (!state->begin_sent)
		{
			send_transaction_event(ctx, state, txn, false);
			state->begin_sent = true;
		}
		collection_order = count_event(state, rinfo);
	}

	key = &state->key;
	resetStringInfo(key);
	has_key = append_key(key, state, rinfo, desc, key_tuple);

	out = begin_event(ctx, state, rinfo, key, has_key, false);
	appendStringInfoString(out, "{\"before\":");
	if (before != NULL)
		append_row(out, state, rinfo, desc, before, before_key_only, NULL);
	else
		appendStringInfoString(out, "null");
	appendStringInfoString(out, ",\"after\":");
	if (after != NULL)
		append_row(out, state, rinfo, desc, after, false,
				   before != NULL && !before_key_only ? before : NULL);
	else
		appendStringInfoString(out, "null");
	appendStringInfoString(out, ",\"source\":");
	append_source(out, state, txn, rinfo->schema_json, rinfo->table_json, lsn, "false");
	appendStringInfoString(out, ",\"transaction\":");
	if (state->opts.include_transaction)
	{
		appendStringInfoString(out, "{\"id\":");
		append_json_cstring(out, transaction_id(txn));
		appendStringInfo(out, ",\"total_order\":" INT64_FORMAT ",\"data_collection_order\":" INT64_FORMAT "}",
						 state->total_order, collection_order);
	}
	else
		appendStringInfoString(out, "null");
	appendStringInfo(out, ",\"op\":\"%c\",", op);
	append_times(out, unix_micros(GetCurrentTimestamp()));
	appendStringInfoChar(out, '}');
	end_event(ctx, state, false);
	state->wrote = true;

	if (op == 'd' && state->opts.tombstones && has_key)
	{
		out = begin_event(ctx, state, rinfo, key, true, true);
		appendStringInfoString(out, "null");
		end_event(ctx, state, true);
	}
}

/* Do the key columns differ between two tuples? */
static bool
key_changed(CdcRelation *rinfo, TupleDesc desc, HeapTuple a, HeapTuple b)
{
	int			i;

	for (i = 0; i < rinfo->num_key; i++)
	{
		AttrNumber	attnum = rinfo->key[i];
		Form_pg_attribute attr = TupleDescAttr(desc, attnum - 1);
		bool		null_a,
					null_b;
		Datum		va = heap_getattr(a, attnum, desc, &null_a);
		Datum		vb = heap_getattr(b, attnum, desc, &null_b);

		if (null_a != null_b)
			return true;
		if (!null_a && !datumIsEqual(va, vb, attr->attbyval, attr->attlen))
			return true;
	}
	return false;
}

static void
cdc_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation,
		   ReorderBufferChange *change)
{
	CdcState   *state = ctx->output_plugin_private;
	CdcRelation *rinfo;
	TupleDesc	desc = RelationGetDescr(relation);
	MemoryContext old;
	HeapTuple	oldtuple = NULL;
	HeapTuple	newtuple = NULL;
	bool		old_key_only;

	rinfo = cdc_relation_get(relation, &state->opts);
	if (!rinfo->selected)
	{
		note_skipped(ctx, state);
		return;
	}
	if (change->data.tp.oldtuple != NULL)
		oldtuple = &change->data.tp.oldtuple->tuple;
	if (change->data.tp.newtuple != NULL)
		newtuple = &change->data.tp.newtuple->tuple;
	old_key_only = !rinfo->full_identity;

	old = MemoryContextSwitchTo(state->event_cxt);
	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			if (state->opts.skip_create || newtuple == NULL)
				note_skipped(ctx, state);
			else
				send_data_event(ctx, state, txn, rinfo, desc, 'c', change->lsn,
								NULL, false, newtuple, newtuple);
			break;
		case REORDER_BUFFER_CHANGE_UPDATE:
			if (newtuple == NULL)
				note_skipped(ctx, state);
			else if (oldtuple != NULL && old_key_only && rinfo->num_key > 0 &&
					 key_changed(rinfo, desc, oldtuple, newtuple))
			{
				/* a new primary key: delete, tombstone, create */
				if (!state->opts.skip_delete)
					send_data_event(ctx, state, txn, rinfo, desc, 'd', change->lsn,
									oldtuple, true, NULL, oldtuple);
				if (!state->opts.skip_create)
					send_data_event(ctx, state, txn, rinfo, desc, 'c', change->lsn,
									NULL, false, newtuple, newtuple);
			}
			else if (state->opts.skip_update)
				note_skipped(ctx, state);
			else
				send_data_event(ctx, state, txn, rinfo, desc, 'u', change->lsn,
								oldtuple, old_key_only, newtuple, newtuple);
			break;
		case REORDER_BUFFER_CHANGE_DELETE:
			if (state->opts.skip_delete)
				note_skipped(ctx, state);
			else
				send_data_event(ctx, state, txn, rinfo, desc, 'd', change->lsn,
								oldtuple, old_key_only, NULL, oldtuple);
			break;
		default:
			note_skipped(ctx, state);
			break;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(state->event_cxt);
}

static void
cdc_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations,
			 Relation relations[], ReorderBufferChange *change)
{
	CdcState   *state = ctx->output_plugin_private;
	MemoryContext old;
	int			i;

	if (state->opts.skip_truncate)
	{
		note_skipped(ctx, state);
		return;
	}
	old = MemoryContextSwitchTo(state->event_cxt);
	for (i = 0; i < nrelations; i++)
	{
		CdcRelation *rinfo = cdc_relation_get(relations[i], &state->opts);

		if (!rinfo->selected)
			continue;
		send_data_event(ctx, state, txn, rinfo, RelationGetDescr(relations[i]), 't',
						change->lsn, NULL, false, NULL, NULL);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(state->event_cxt);
}

static void
cdc_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn,
			bool transactional, const char *prefix, Size size, const char *message)
{
	CdcState   *state = ctx->output_plugin_private;
	MemoryContext old;
	StringInfo	out;
	ReorderBufferTXN *in_txn = transactional ? txn : NULL;

	if (state->opts.skip_message)
		return;
	old = MemoryContextSwitchTo(state->event_cxt);
	OutputPluginPrepareWrite(ctx, true);
	out = ctx->out;
	state->event_start = out->len;
	fixed_event_head(out, state, state->message_topic, cdc_message_key_schema,
					 "prefix", prefix, cdc_message_value_schema);
	appendStringInfoString(out, "{\"source\":");
	append_source(out, state, in_txn, "\"\"", "\"\"", lsn, "false");
	appendStringInfoString(out, ",\"op\":\"m\",");
	append_times(out, unix_micros(GetCurrentTimestamp()));
	appendStringInfoString(out, ",\"message\":{\"prefix\":");
	append_json_cstring(out, prefix);
	appendStringInfoString(out, ",\"content\":");
	cdc_append_base64(out, message, (int) size);
	appendStringInfoString(out, "}}");
	wrap_end(out, state);
	appendStringInfoChar(out, '}');
	write_event(ctx, state);
	if (transactional)
		state->wrote = true;
	MemoryContextSwitchTo(old);
	MemoryContextReset(state->event_cxt);
}

static void
cdc_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	CdcState   *state = ctx->output_plugin_private;

	if (state->begin_sent)
	{
		MemoryContext old = MemoryContextSwitchTo(state->event_cxt);

		send_transaction_event(ctx, state, txn, true);
		MemoryContextSwitchTo(old);
		MemoryContextReset(state->event_cxt);
	}
	state->last_commit = commit_lsn;
	/* a transaction that produced nothing still moves the slot along */
	OutputPluginUpdateProgress(ctx, !state->wrote);
	state->unreported = 0;
}

/* ---------------------------------------------------------------------
 * Read (op "r") events, for strata_cdc.snapshot(): the same rendering as
 * the plugin's, outside logical decoding.
 * ---------------------------------------------------------------------
 */
CdcReader *
cdc_reader_create(List *options, MemoryContext cxt)
{
	CdcState   *state = MemoryContextAllocZero(cxt, sizeof(CdcState));
	MemoryContext old = MemoryContextSwitchTo(cxt);

	cdc_parse_options(options, &state->opts);
	MemoryContextSwitchTo(old);
	state->cxt = cxt;
	state->last_commit = InvalidXLogRecPtr;
	resolve_names(state);
	cdc_relation_reset();
	return (CdcReader *) state;
}

/*
 * One read event of a row of rel into out: "after" is the row, the source
 * is the snapshot's (snapshot "true", or "last" for the final row), lsn
 * the slot's start.
 */
void
cdc_reader_event(CdcReader *reader, StringInfo out, Relation rel, HeapTuple tuple,
				 XLogRecPtr lsn, bool last)
{
	CdcState   *state = (CdcState *) reader;
	CdcRelation *rinfo = cdc_relation_get(rel, &state->opts);
	TupleDesc	desc = RelationGetDescr(rel);

	/* a table's row points to its TOASTed values: a read event has them all */
	if (HeapTupleHasExternal(tuple))
		tuple = toast_flatten_tuple(tuple, desc);
	resetStringInfo(&state->key);
	event_head(out, state, rinfo, &state->key,
			   append_key(&state->key, state, rinfo, desc, tuple), false);
	appendStringInfoString(out, "{\"before\":null,\"after\":");
	append_row(out, state, rinfo, desc, tuple, false, NULL);
	appendStringInfoString(out, ",\"source\":");
	append_source(out, state, NULL, rinfo->schema_json, rinfo->table_json, lsn,
				  last ? "last" : "true");
	appendStringInfoString(out, ",\"transaction\":null,\"op\":\"r\",");
	append_times(out, unix_micros(GetCurrentTimestamp()));
	appendStringInfoChar(out, '}');
	if (state->opts.schemas_enable)
		appendStringInfoChar(out, '}');
	appendStringInfoChar(out, '}');
}

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	cb->startup_cb = cdc_startup;
	cb->begin_cb = cdc_begin;
	cb->change_cb = cdc_change;
	cb->truncate_cb = cdc_truncate;
	cb->message_cb = cdc_message;
	cb->commit_cb = cdc_commit;
	cb->shutdown_cb = cdc_shutdown;
}

/* A table's topic and the Connect schemas of its key (NULL: none) and value. */
void
cdc_reader_topics(CdcReader *reader, Relation rel, char **topic,
				  const char **key_schema, const char **value_schema)
{
	CdcState   *state = (CdcState *) reader;
	CdcRelation *rinfo = cdc_relation_get(rel, &state->opts);

	*topic = rinfo->topic;
	*key_schema = rinfo->key_schema;
	*value_schema = rinfo->value_schema;
}

char *
cdc_reader_prefix(CdcReader *reader)
{
	return ((CdcState *) reader)->opts.topic_prefix;
}
