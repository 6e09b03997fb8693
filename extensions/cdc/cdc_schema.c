/*-------------------------------------------------------------------------
 *
 * cdc_schema.c
 *	  The JSON "schema" sections of Kafka Connect's JsonConverter, for
 *	  schemas.enable: what a Debezium consumer reading with
 *	  schemas.enable=true expects beside each key and value, as
 *
 *		{"schema": {...}, "payload": <the key or value of the event>}
 *
 * A schema is written in JsonConverter's layout: "type", "optional", then
 * "name", "version", "parameters" and "doc" when set, then "field" for a
 * struct member.  The types and semantic names are those Debezium's
 * PostgreSQL connector gives each column type with its default settings,
 * as cdc_encode.c encodes the values: Decimal (or double or string, by
 * decimal.handling.mode), VariableScaleDecimal, io.debezium.time.*, Json,
 * Uuid, Xml, Enum with its labels, Bits, geometry Point, arrays.
 *
 * A table's key and envelope schemas are built once, when the relation is
 * first seen (cdc_relation.c), not for every event.
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "utils/catcache.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

/* io.debezium.connector.postgresql.Source, as the member "source" */
#define SOURCE_SCHEMA \
	"{\"type\":\"struct\",\"fields\":[" \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"version\"}," \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"}," \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"name\"}," \
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"}," \
	"{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1," \
	"\"parameters\":{\"allowed\":\"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental\"}," \
	"\"default\":\"false\",\"field\":\"snapshot\"}," \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"db\"}," \
	"{\"type\":\"string\",\"optional\":true,\"field\":\"sequence\"}," \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"}," \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"}," \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"schema\"}," \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"table\"}," \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"txId\"}," \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"}," \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"xmin\"}]," \
	"\"optional\":false,\"name\":\"io.debezium.connector.postgresql.Source\",\"field\":\"source\"}"

/* the event.block of data events */
#define TRANSACTION_SCHEMA \
	"{\"type\":\"struct\",\"fields\":[" \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"id\"}," \
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"total_order\"}," \
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"data_collection_order\"}]," \
	"\"optional\":true,\"name\":\"event.block\",\"version\":1,\"field\":\"transaction\"}"

#define TIMES_SCHEMA \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"}," \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"}," \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"}"

const char *const cdc_message_key_schema =
"{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":true,\"field\":\"prefix\"}],"
"\"optional\":false,\"name\":\"io.debezium.connector.postgresql.MessageKey\"}";

const char *const cdc_message_value_schema =
"{\"type\":\"struct\",\"fields\":[" SOURCE_SCHEMA ","
"{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}," TIMES_SCHEMA ","
"{\"type\":\"struct\",\"fields\":["
"{\"type\":\"string\",\"optional\":true,\"field\":\"prefix\"},"
"{\"type\":\"bytes\",\"optional\":true,\"field\":\"content\"}],"
"\"optional\":true,\"name\":\"io.debezium.connector.postgresql.Message\",\"field\":\"message\"}],"
"\"optional\":false,\"name\":\"io.debezium.connector.postgresql.MessageValue\"}";

const char *const cdc_transaction_key_schema =
"{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"id\"}],"
"\"optional\":false,\"name\":\"io.debezium.connector.common.TransactionMetadataKey\"}";

const char *const cdc_transaction_value_schema =
"{\"type\":\"struct\",\"fields\":["
"{\"type\":\"string\",\"optional\":false,\"field\":\"status\"},"
"{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
"{\"type\":\"int64\",\"optional\":true,\"field\":\"event_count\"},"
"{\"type\":\"array\",\"items\":{\"type\":\"struct\",\"fields\":["
"{\"type\":\"string\",\"optional\":false,\"field\":\"data_collection\"},"
"{\"type\":\"int64\",\"optional\":false,\"field\":\"event_count\"}],"
"\"optional\":false,\"name\":\"event.collection\",\"version\":1},"
"\"optional\":true,\"field\":\"data_collections\"},"
"{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"}],"
"\"optional\":false,\"name\":\"io.debezium.connector.common.TransactionMetadataValue\"}";

/* An enum's labels in their order, comma-separated: Enum's "allowed". */
static char *
enum_labels(Oid enumtypid)
{
	CatCList   *list = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(enumtypid));
	int			n = list->n_members;
	HeapTuple  *sorted = palloc(sizeof(HeapTuple) * Max(n, 1));
	StringInfoData buf;
	int			i,
				j;

	for (i = 0; i < n; i++)
		sorted[i] = &list->members[i]->tuple;
	/* by enumsortorder; enums are small */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 &&
			 ((Form_pg_enum) GETSTRUCT(sorted[j - 1]))->enumsortorder >
			 ((Form_pg_enum) GETSTRUCT(sorted[j]))->enumsortorder; j--)
		{
			HeapTuple	t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	initStringInfo(&buf);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(&buf, NameStr(((Form_pg_enum) GETSTRUCT(sorted[i]))->enumlabel));
	}
	ReleaseSysCacheList(list);
	return buf.data;
}

static void
simple(StringInfo out, const char *type, bool optional, const char *name)
{
	appendStringInfo(out, "{\"type\":\"%s\",\"optional\":%s", type, optional ? "true" : "false");
	if (name != NULL)
		appendStringInfo(out, ",\"name\":\"%s\",\"version\":1", name);
}

/* A decimal by decimal.handling.mode; precision < 0: none given. */
static void
decimal(StringInfo out, bool optional, int scale, int precision, CdcDecimalMode mode)
{
	if (mode == CDC_DECIMAL_DOUBLE)
		simple(out, "double", optional, NULL);
	else if (mode == CDC_DECIMAL_STRING)
		simple(out, "string", optional, NULL);
	else
	{
		simple(out, "bytes", optional, "org.apache.kafka.connect.data.Decimal");
		appendStringInfo(out, ",\"parameters\":{\"scale\":\"%d\"", scale);
		if (precision >= 0)
			appendStringInfo(out, ",\"connect.decimal.precision\":\"%d\"", precision);
		appendStringInfoChar(out, '}');
	}
}

/*
 * The schema of a value of this encoder; field_json, a JSON string or
 * NULL, names it as a struct member.
 */
void
cdc_append_schema(StringInfo out, const CdcEncoder *enc, bool optional, const char *field_json,
				  CdcDecimalMode mode)
{
	switch (enc->kind)
	{
		case CDC_BOOL:
		case CDC_BIT1:
			simple(out, "boolean", optional, NULL);
			break;
		case CDC_INT:
			simple(out, enc->typid == INT2OID ? "int16" : enc->typid == INT4OID ? "int32" : "int64",
				   optional, NULL);
			break;
		case CDC_FLOAT4:
			simple(out, "float", optional, NULL);
			break;
		case CDC_FLOAT8:
			simple(out, "double", optional, NULL);
			break;
		case CDC_NUMERIC:
			decimal(out, optional, Max(enc->scale, 0),
					((enc->typmod - VARHDRSZ) >> 16) & 0xffff, mode);
			break;
		case CDC_NUMERIC_VARIABLE:
			if (mode != CDC_DECIMAL_PRECISE)
				decimal(out, optional, 0, -1, mode);
			else
			{
				appendStringInfoString(out, "{\"type\":\"struct\",\"fields\":["
									   "{\"type\":\"int32\",\"optional\":false,\"field\":\"scale\"},"
									   "{\"type\":\"bytes\",\"optional\":false,\"field\":\"value\"}]");
				appendStringInfo(out, ",\"optional\":%s,\"name\":\"io.debezium.data.VariableScaleDecimal\","
								 "\"version\":1,\"doc\":\"Variable scaled decimal\"",
								 optional ? "true" : "false");
			}
			break;
		case CDC_MONEY:
			decimal(out, optional, 2, -1, mode);
			break;
		case CDC_BYTEA:
			simple(out, "bytes", optional, NULL);
			break;
		case CDC_BITS:
			simple(out, "bytes", optional, "io.debezium.data.Bits");
			if (enc->typmod > 0)
				appendStringInfo(out, ",\"parameters\":{\"length\":\"%d\"}", enc->typmod);
			break;
		case CDC_DATE:
			simple(out, "int32", optional, "io.debezium.time.Date");
			break;
		case CDC_TIME_MS:
			simple(out, "int32", optional, "io.debezium.time.Time");
			break;
		case CDC_TIME_US:
			simple(out, "int64", optional, "io.debezium.time.MicroTime");
			break;
		case CDC_TIMETZ:
			simple(out, "string", optional, "io.debezium.time.ZonedTime");
			break;
		case CDC_TIMESTAMP_MS:
			simple(out, "int64", optional, "io.debezium.time.Timestamp");
			break;
		case CDC_TIMESTAMP_US:
			simple(out, "int64", optional, "io.debezium.time.MicroTimestamp");
			break;
		case CDC_TIMESTAMPTZ:
			simple(out, "string", optional, "io.debezium.time.ZonedTimestamp");
			break;
		case CDC_INTERVAL:
			simple(out, "int64", optional, "io.debezium.time.MicroDuration");
			break;
		case CDC_POINT:
			appendStringInfo(out, "{\"type\":\"struct\",\"fields\":["
							 "{\"type\":\"double\",\"optional\":false,\"field\":\"x\"},"
							 "{\"type\":\"double\",\"optional\":false,\"field\":\"y\"}],"
							 "\"optional\":%s,\"name\":\"io.debezium.data.geometry.Point\","
							 "\"version\":1,\"doc\":\"Geometry (POINT)\"",
							 optional ? "true" : "false");
			break;
		case CDC_TEXT:
			simple(out, "string", optional, enc->typid == JSONOID ? "io.debezium.data.Json" : NULL);
			break;
		case CDC_STRING:
			if (enc->typid == JSONBOID)
				simple(out, "string", optional, "io.debezium.data.Json");
			else if (enc->typid == UUIDOID)
				simple(out, "string", optional, "io.debezium.data.Uuid");
			else if (enc->typid == XMLOID)
				simple(out, "string", optional, "io.debezium.data.Xml");
			else if (type_is_enum(enc->typid))
			{
				simple(out, "string", optional, "io.debezium.data.Enum");
				appendStringInfoString(out, ",\"parameters\":{\"allowed\":");
				{
					char	   *labels = enum_labels(enc->typid);

					cdc_append_json(out, labels, strlen(labels));
				}
				appendStringInfoChar(out, '}');
			}
			else
				simple(out, "string", optional, NULL);
			break;
		case CDC_ARRAY:
			appendStringInfoString(out, "{\"type\":\"array\",\"items\":");
			cdc_append_schema(out, enc->element, true, NULL, mode);
			appendStringInfo(out, ",\"optional\":%s", optional ? "true" : "false");
			break;
	}
	if (field_json != NULL)
		appendStringInfo(out, ",\"field\":%s", field_json);
	appendStringInfoChar(out, '}');
}

/*
 * The key and envelope schemas of a table, into rinfo (in the current
 * memory context).
 */
void
cdc_relation_schemas(CdcRelation *rinfo, TupleDesc desc, const char *topic,
					 CdcDecimalMode mode)
{
	StringInfoData fields;
	StringInfoData buf;
	int			i;
	bool		first = true;

	/* the columns, as the members of before and after */
	initStringInfo(&fields);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		char	   *name = rinfo->name_json[i];

		if (attr->attisdropped || attr->attgenerated)
			continue;
		if (!first)
			appendStringInfoChar(&fields, ',');
		first = false;
		/* name_json is "name": ; the member's field is the string alone */
		{
			char	   *field = pnstrdup(name, strlen(name) - 1);

			cdc_append_schema(&fields, &rinfo->encoders[i], !attr->attnotnull, field, mode);
		}
	}

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"type\":\"struct\",\"fields\":[");
	for (i = 0; i < 2; i++)
	{
		appendStringInfo(&buf, "{\"type\":\"struct\",\"fields\":[%s],\"optional\":true,\"name\":", fields.data);
		cdc_append_json(&buf, psprintf("%s.Value", topic), strlen(topic) + 6);
		appendStringInfo(&buf, ",\"field\":\"%s\"},", i == 0 ? "before" : "after");
	}
	appendStringInfoString(&buf, SOURCE_SCHEMA "," TRANSACTION_SCHEMA ","
						   "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}," TIMES_SCHEMA
						   "],\"optional\":false,\"name\":");
	cdc_append_json(&buf, psprintf("%s.Envelope", topic), strlen(topic) + 9);
	appendStringInfoString(&buf, ",\"version\":2}");
	rinfo->value_schema = buf.data;

	rinfo->key_schema = NULL;
	if (rinfo->num_key > 0)
	{
		initStringInfo(&buf);
		appendStringInfoString(&buf, "{\"type\":\"struct\",\"fields\":[");
		for (i = 0; i < rinfo->num_key; i++)
		{
			AttrNumber	attnum = rinfo->key[i];
			Form_pg_attribute attr = TupleDescAttr(desc, attnum - 1);
			char	   *name = rinfo->name_json[attnum - 1];

			if (i > 0)
				appendStringInfoChar(&buf, ',');
			cdc_append_schema(&buf, &rinfo->encoders[attnum - 1], !attr->attnotnull,
							  pnstrdup(name, strlen(name) - 1), mode);
		}
		appendStringInfoString(&buf, "],\"optional\":false,\"name\":");
		cdc_append_json(&buf, psprintf("%s.Key", topic), strlen(topic) + 4);
		appendStringInfoChar(&buf, '}');
		rinfo->key_schema = buf.data;
	}
}
