/*-------------------------------------------------------------------------
 *
 * cdc.h
 *	  strata_cdc: a logical-decoding output plugin that emits change events
 *	  a Debezium consumer accepts unchanged.
 *
 * Files:
 *	cdc_plugin.c	the output plugin: callbacks, events, transactions
 *	cdc_options.c	the plugin's options, checked, and strata_cdc.options()
 *	cdc_relation.c	what each decoded table needs, cached per relation:
 *					names, topic, key columns, value encoders
 *	cdc_encode.c	column values in Debezium's JSON encodings
 *	cdc_schema.c	their Kafka Connect schemas, for schemas.enable
 *	cdc_avro.c		format avro: those schemas in Avro, events in Avro binary
 *	cdc_snapshot.c	strata_cdc.snapshot(): a slot and the read events of
 *					tables at exactly its start
 *	cdc_stream.c	streams: create_stream() and the rest of their SQL
 *	cdc_worker.c	the launcher, and the worker that runs the streams of
 *					one database
 *	cdc_sink_http.c	delivering batches of events over HTTP
 *	cdc_sink_table.c applying events to a table
 *
 *-------------------------------------------------------------------------
 */
#ifndef CDC_H
#define CDC_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "access/xlogdefs.h"
#include "datatype/timestamp.h"
#include "utils/array.h"
#include "utils/rel.h"

/* ---------------------------------------------------------------------
 * cdc_options.c
 * ---------------------------------------------------------------------
 */

typedef enum CdcDecimalMode
{
	CDC_DECIMAL_PRECISE,		/* Connect Decimal: base64 of the unscaled value */
	CDC_DECIMAL_DOUBLE,
	CDC_DECIMAL_STRING
} CdcDecimalMode;

typedef struct CdcOptions
{
	char	   *topic_prefix;
	bool		include_transaction;
	bool		tombstones;
	bool		schemas_enable; /* JsonConverter's {"schema", "payload"} */
	bool		text_values;	/* value.encoding text: each type's output */
	bool		avro;			/* format avro */
	CdcDecimalMode decimal_mode;
	/* skipped.operations: c, u, d, t, m */
	bool		skip_create;
	bool		skip_update;
	bool		skip_delete;
	bool		skip_truncate;
	bool		skip_message;
	/* table.include.list / table.exclude.list: anchored regexes */
	List	   *include_tables;	/* of text * */
	List	   *exclude_tables;
} CdcOptions;

extern void cdc_parse_options(List *options, CdcOptions *opts);
extern bool cdc_table_selected(const CdcOptions *opts, const char *qualified_name);

/* ---------------------------------------------------------------------
 * cdc_encode.c
 * ---------------------------------------------------------------------
 */

/* How a column's values are encoded, from its type. */
typedef enum CdcKind
{
	CDC_BOOL,
	CDC_INT,					/* int2, int4, int8, oid: a JSON number */
	CDC_FLOAT4,
	CDC_FLOAT8,
	CDC_NUMERIC,				/* numeric(p,s): Connect Decimal */
	CDC_NUMERIC_VARIABLE,		/* numeric: VariableScaleDecimal */
	CDC_MONEY,					/* Decimal, scale 2 */
	CDC_BYTEA,					/* base64 */
	CDC_BITS,					/* bit(n > 1), varbit: little-endian bytes */
	CDC_BIT1,					/* bit(1): boolean */
	CDC_DATE,					/* days since the epoch */
	CDC_TIME_MS,				/* time(0..3): ms past midnight */
	CDC_TIME_US,				/* time(4..6): us past midnight */
	CDC_TIMETZ,					/* ISO time in UTC */
	CDC_TIMESTAMP_MS,			/* timestamp(0..3): ms since the epoch */
	CDC_TIMESTAMP_US,
	CDC_TIMESTAMPTZ,			/* ISO-8601 in UTC */
	CDC_INTERVAL,				/* MicroDuration */
	CDC_POINT,					/* {"x":..,"y":..} */
	CDC_TEXT,					/* text, varchar, char(n), json: the stored text */
	CDC_STRING,					/* the type's output function, as a string */
	CDC_ARRAY					/* a JSON array of the element's encoding */
} CdcKind;

typedef struct CdcEncoder
{
	CdcKind		kind;
	Oid			typid;			/* the base type */
	int32		typmod;
	int32		scale;			/* CDC_NUMERIC */
	FmgrInfo	out;			/* CDC_STRING */
	bool		raw_json;		/* CDC_STRING of json or jsonb, as JSON */
	/* CDC_ARRAY */
	struct CdcEncoder *element;
	int16		elem_len;
	bool		elem_byval;
	char		elem_align;
} CdcEncoder;

extern void cdc_encoder_init(CdcEncoder *enc, Oid typid, int32 typmod, MemoryContext cxt);
extern void cdc_encoder_init_text(CdcEncoder *enc, Oid typid, MemoryContext cxt);
extern void cdc_encode_value(StringInfo out, CdcEncoder *enc, Datum value,
							 CdcDecimalMode decimal_mode);
extern void cdc_encode_fallback(StringInfo out, const CdcEncoder *enc,
								CdcDecimalMode decimal_mode);
extern void cdc_encode_unavailable(StringInfo out, const CdcEncoder *enc);
extern void cdc_append_base64(StringInfo out, const char *data, int len);
extern void cdc_append_json(StringInfo out, const char *s, int len);
extern char *cdc_json_string(const char *s);
extern void cdc_append_int64(StringInfo out, int64 v);
extern void cdc_append_iso_timestamp(StringInfo out, TimestampTz ts);

/* from PostgreSQL's epoch (2000-01-01) to Unix's, which events count from */
#define CDC_EPOCH_SHIFT_DAYS (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)
#define CDC_EPOCH_SHIFT_USECS ((int64) CDC_EPOCH_SHIFT_DAYS * USECS_PER_DAY)

/* the value Debezium puts in place of an unchanged TOASTed value */
#define CDC_UNAVAILABLE "__debezium_unavailable_value"

/* ---------------------------------------------------------------------
 * cdc_relation.c
 * ---------------------------------------------------------------------
 */

typedef struct CdcRelation
{
	Oid			relid;			/* hash key */
	bool		valid;
	bool		selected;		/* by table.include.list / exclude.list */
	char	   *schema;
	char	   *table;
	char	   *topic;			/* <prefix>.<schema>.<table> */
	/* the same, and each column's name followed by a colon, as JSON */
	char	   *topic_json;
	char	   *schema_json;
	char	   *table_json;
	char	  **name_json;		/* per attribute: "name": */
	/* with schemas.enable: the Connect schemas of key and value, as JSON */
	char	   *key_schema;		/* NULL when the key is null */
	char	   *value_schema;
	/* with format avro: those schemas in Avro, resolved once */
	struct CdcAvroSchema *avro_key;
	struct CdcAvroSchema *avro_value;
	char	   *data_collection;	/* <schema>.<table> */
	bool		full_identity;	/* REPLICA IDENTITY FULL: old tuples are whole */
	int			natts;
	CdcEncoder *encoders;		/* per attribute; kind unused when dropped */
	bool	   *identity;		/* attribute is in the replica identity key */
	int			num_key;
	AttrNumber *key;			/* the event key's columns, in table order */
} CdcRelation;

extern CdcRelation *cdc_relation_get(Relation rel, const CdcOptions *opts);
extern void cdc_relation_reset(void);

/* ---------------------------------------------------------------------
 * cdc_plugin.c: read events for cdc_snapshot.c
 * ---------------------------------------------------------------------
 */
typedef struct CdcReader CdcReader;

extern CdcReader *cdc_reader_create(List *options, MemoryContext cxt);
extern void cdc_reader_event(CdcReader *reader, StringInfo out, Relation rel, HeapTuple tuple,
							 XLogRecPtr lsn, bool last);

extern void cdc_reader_topics(CdcReader *reader, Relation rel, char **topic,
							  const char **key_schema, const char **value_schema);
extern char *cdc_reader_prefix(CdcReader *reader);

/* ---------------------------------------------------------------------
 * cdc_avro.c
 * ---------------------------------------------------------------------
 */
typedef struct CdcAvroSchema CdcAvroSchema;

extern CdcAvroSchema *cdc_avro_schema(const char *connect);
extern void cdc_avro_event(StringInfo buf, int start, CdcAvroSchema *key, CdcAvroSchema *value);
extern char *cdc_avro_schema_json(const char *connect, uint32 *id);

/* ---------------------------------------------------------------------
 * cdc_schema.c
 * ---------------------------------------------------------------------
 */
extern const char *const cdc_message_key_schema;
extern const char *const cdc_message_value_schema;
extern const char *const cdc_transaction_key_schema;
extern const char *const cdc_transaction_value_schema;
extern void cdc_append_schema(StringInfo out, const CdcEncoder *enc, bool optional,
							  const char *field_json, CdcDecimalMode mode);
extern void cdc_relation_schemas(CdcRelation *rinfo, TupleDesc desc, const char *topic,
								 CdcDecimalMode mode);

/* ---------------------------------------------------------------------
 * cdc_worker.c: the workers' shared state
 * ---------------------------------------------------------------------
 */
#define CDC_ERROR_LEN 512

/* what a worker reports about one stream, for strata_cdc.streams */
typedef struct CdcStreamActivity
{
	Oid			dboid;			/* InvalidOid: a free entry */
	NameData	name;
	int			pid;
	TimestampTz caught_up_at;	/* 0: never */
	int			retries;
	TimestampTz next_attempt;	/* 0: none planned */
	char		last_error[CDC_ERROR_LEN];	/* empty: none */
} CdcStreamActivity;

/*
 * The advisory lock (this, hashtext(name)) a worker holds on a stream
 * during a step; drop_stream() and the others wait for it.  Not a row lock:
 * that would make every idle step write WAL.
 */
#define CDC_STREAM_LOCK 21315

extern bool cdc_workers_enabled(void);
extern void cdc_wake_database(Oid dboid);
extern int	cdc_activity_snapshot(Oid dboid, CdcStreamActivity **entries);

/* ---------------------------------------------------------------------
 * cdc_stream.c
 * ---------------------------------------------------------------------
 */

/* a stream's settings beyond the plugin's, parsed from its sink_options */
typedef struct CdcStreamOptions
{
	bool		snapshot;		/* snapshot 'initial' (else 'never') */
	int			batch_events;	/* batch.max.events */
	int			batch_bytes;	/* batch.max.bytes */
	int			linger_ms;		/* batch.linger.ms */
	bool		kafka_rest;		/* http.format 'kafka-rest-v2' */
	int			timeout_ms;		/* http.timeout.ms */
	int			backoff_ms;		/* retry.backoff.ms */
	int			backoff_max_ms; /* retry.backoff.max.ms */
} CdcStreamOptions;

extern void cdc_stream_options(List *pairs, CdcStreamOptions *opts, const char *stream);
extern List *cdc_text_pairs(ArrayType *arr);
extern char *cdc_table_target(const char *pattern, const char *schema, const char *table);

/* ---------------------------------------------------------------------
 * cdc_sink_http.c and cdc_sink_table.c
 * ---------------------------------------------------------------------
 */

/*
 * Sinks raise ERRCODE_CONNECTION_FAILURE for what a retry may get over
 * (unreachable, timeout, 429, 5xx) and ERRCODE_DATA_EXCEPTION for a
 * rejection (other 4xx), which stops the stream.
 */
typedef struct CdcHttpSink CdcHttpSink;

extern CdcHttpSink *cdc_http_sink_create(const char *url, const char *stream,
										 const CdcStreamOptions *opts);
extern void cdc_http_sink_add(CdcHttpSink *sink, const char *id_suffix,
							  const char *event, int len);
extern void cdc_http_sink_flush(CdcHttpSink *sink);
extern void cdc_http_sink_destroy(CdcHttpSink *sink);

typedef struct CdcTableSink CdcTableSink;

extern CdcTableSink *cdc_table_sink_create(const char *pattern);
extern void cdc_table_sink_apply(CdcTableSink *sink, const char *event);
extern void cdc_table_sink_finish(CdcTableSink *sink);

#endif							/* CDC_H */
