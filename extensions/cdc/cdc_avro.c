/*-------------------------------------------------------------------------
 *
 * cdc_avro.c
 *	  format 'avro': events as Avro binary in Confluent's wire format.
 *
 * Every event is first rendered as JSON (cdc_plugin.c) with the Kafka
 * Connect schemas of its key and value known (cdc_schema.c); here each
 * Connect schema becomes the Avro schema Confluent's AvroConverter makes
 * of it (records named as the Connect structs, optional members as
 * ["null", T] unions defaulting to null, Decimal as bytes with the
 * decimal logical type, connect.name and connect.parameters kept), and
 * the payload is written as that schema's Avro binary with libavro-c.
 * Base64 strings in the JSON (bytes, decimals, bits) become their bytes.
 *
 * Each key or value is framed as Confluent's serializer frames it: a zero
 * byte, the schema id (4 bytes, big-endian), the Avro binary.  The id is
 * the schema's fingerprint (the top 31 bits of its CRC-64-AVRO), so it is
 * the same for the same schema everywhere; strata_cdc.avro_schemas()
 * lists the schemas with their ids, to register them (a registry in
 * IMPORT mode keeps the ids) or to look them up.  An event is one binary
 * message:
 *
 *	+---------+----------+---------+-----------+-----------+-------------+
 *	| uint16  | topic    | int32   | key       | int32     | value       |
 *	| topic   | (UTF-8)  | key     | (framed;  | value     | (framed;    |
 *	| length  |          | length  |  -1: null)| length    |  -1: null)  |
 *	+---------+----------+---------+-----------+-----------+-------------+
 *
 * all integers big-endian; a tombstone has a value length of -1.
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include <avro.h>
#include <cjson/cJSON.h>

#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

typedef enum AvroKind
{
	AK_RECORD,
	AK_ARRAY,
	AK_INT,
	AK_LONG,
	AK_FLOAT,
	AK_DOUBLE,
	AK_BOOLEAN,
	AK_STRING,
	AK_BYTES
} AvroKind;

/* a Connect schema, as needed to write values */
typedef struct AvroNode
{
	AvroKind	kind;
	bool		optional;
	int			nfields;
	char	  **names;			/* the members' names in the JSON */
	struct AvroNode **fields;
	struct AvroNode *items;
} AvroNode;

typedef struct AvroSchema
{
	const char *connect;		/* hash key: the Connect schema's text */
	char	   *json;			/* the Avro schema */
	uint32		id;
	AvroNode   *node;
	avro_schema_t schema;
	avro_value_iface_t *iface;
	avro_value_t value;
} AvroSchema;

static HTAB *avro_schemas = NULL;
static MemoryContext avro_cxt = NULL;

/* ---------------------------------------------------------------------
 * Connect schema to Avro schema
 * ---------------------------------------------------------------------
 */

/* a name Avro accepts: [A-Za-z_][A-Za-z0-9_]*, dot-separated when full */
static void
append_avro_name(StringInfo out, const char *name, bool dotted)
{
	const char *p;
	bool		start = true;

	for (p = name; *p; p++)
	{
		char		c = *p;

		/* one _ for a whole multibyte character: skip its continuation bytes */
		if ((c & 0xC0) == 0x80)
			continue;
		if (dotted && c == '.')
		{
			appendStringInfoChar(out, '.');
			start = true;
			continue;
		}
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
			(!start && c >= '0' && c <= '9'))
			appendStringInfoChar(out, c);
		else
		{
			if (start && c >= '0' && c <= '9')
				appendStringInfoChar(out, '_');
			appendStringInfoChar(out, (c >= '0' && c <= '9') ? c : '_');
		}
		start = false;
	}
	if (start)
		appendStringInfoChar(out, '_');
}

static const char *
item_string(cJSON *obj, const char *name)
{
	cJSON	   *item = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static void
append_connect_props(StringInfo out, cJSON *s)
{
	const char *name = item_string(s, "name");
	cJSON	   *params = cJSON_GetObjectItemCaseSensitive(s, "parameters");

	if (name == NULL)
		return;
	appendStringInfoString(out, ",\"connect.version\":1");
	if (cJSON_IsObject(params))
	{
		char	   *p = cJSON_PrintUnformatted(params);

		appendStringInfo(out, ",\"connect.parameters\":%s", p);
		free(p);
	}
	appendStringInfoString(out, ",\"connect.name\":");
	cdc_append_json(out, name, strlen(name));
}

/*
 * The Avro schema of a Connect schema, and its node; defined holds the
 * record names already defined (a name is defined once, then referred to).
 */
static AvroNode *
convert(StringInfo out, cJSON *s, List **defined, bool with_optional)
{
	AvroNode   *node = palloc0(sizeof(AvroNode));
	const char *type = item_string(s, "type");
	const char *name = item_string(s, "name");
	cJSON	   *opt = cJSON_GetObjectItemCaseSensitive(s, "optional");

	if (type == NULL)
		elog(ERROR, "a Connect schema without a type");
	node->optional = with_optional && cJSON_IsTrue(opt);
	if (node->optional)
		appendStringInfoString(out, "[\"null\",");

	if (strcmp(type, "struct") == 0)
	{
		StringInfoData full;
		ListCell   *lc;
		cJSON	   *fields = cJSON_GetObjectItemCaseSensitive(s, "fields");
		cJSON	   *f;
		int			i = 0;
		bool		seen = false;

		node->kind = AK_RECORD;
		initStringInfo(&full);
		append_avro_name(&full, name ? name : "ConnectDefault", true);
		foreach(lc, *defined)
			if (strcmp(lfirst(lc), full.data) == 0)
				seen = true;
		node->nfields = cJSON_GetArraySize(fields);
		node->names = palloc(sizeof(char *) * Max(node->nfields, 1));
		node->fields = palloc(sizeof(AvroNode *) * Max(node->nfields, 1));
		if (seen)
		{
			/* the same record again: its fields, not a second definition */
			StringInfoData ignore;

			initStringInfo(&ignore);
			cJSON_ArrayForEach(f, fields)
			{
				node->names[i] = pstrdup(item_string(f, "field"));
				node->fields[i++] = convert(&ignore, f, defined, true);
			}
			cdc_append_json(out, full.data, full.len);
		}
		else
		{
			*defined = lappend(*defined, full.data);
			appendStringInfoString(out, "{\"type\":\"record\",\"name\":");
			cdc_append_json(out, full.data, full.len);
			appendStringInfoString(out, ",\"fields\":[");
			cJSON_ArrayForEach(f, fields)
			{
				const char *field = item_string(f, "field");
				StringInfoData fname;

				if (field == NULL)
					elog(ERROR, "a Connect struct member without a name");
				initStringInfo(&fname);
				append_avro_name(&fname, field, false);
				if (i > 0)
					appendStringInfoChar(out, ',');
				appendStringInfoString(out, "{\"name\":");
				cdc_append_json(out, fname.data, fname.len);
				appendStringInfoString(out, ",\"type\":");
				node->names[i] = pstrdup(field);
				node->fields[i] = convert(out, f, defined, true);
				if (node->fields[i]->optional)
					appendStringInfoString(out, ",\"default\":null");
				appendStringInfoChar(out, '}');
				i++;
			}
			appendStringInfoChar(out, ']');
			append_connect_props(out, s);
			appendStringInfoChar(out, '}');
		}
	}
	else if (strcmp(type, "array") == 0)
	{
		node->kind = AK_ARRAY;
		appendStringInfoString(out, "{\"type\":\"array\",\"items\":");
		node->items = convert(out, cJSON_GetObjectItemCaseSensitive(s, "items"), defined, true);
		appendStringInfoChar(out, '}');
	}
	else
	{
		const char *avro;

		if (strcmp(type, "int8") == 0 || strcmp(type, "int16") == 0 || strcmp(type, "int32") == 0)
			node->kind = AK_INT, avro = "int";
		else if (strcmp(type, "int64") == 0)
			node->kind = AK_LONG, avro = "long";
		else if (strcmp(type, "float") == 0)
			node->kind = AK_FLOAT, avro = "float";
		else if (strcmp(type, "double") == 0)
			node->kind = AK_DOUBLE, avro = "double";
		else if (strcmp(type, "boolean") == 0)
			node->kind = AK_BOOLEAN, avro = "boolean";
		else if (strcmp(type, "string") == 0)
			node->kind = AK_STRING, avro = "string";
		else if (strcmp(type, "bytes") == 0)
			node->kind = AK_BYTES, avro = "bytes";
		else
			elog(ERROR, "unexpected Connect type \"%s\"", type);
		appendStringInfo(out, "{\"type\":\"%s\"", avro);
		if (strcmp(type, "int8") == 0 || strcmp(type, "int16") == 0)
			appendStringInfo(out, ",\"connect.type\":\"%s\"", type);
		if (name != NULL && strcmp(name, "org.apache.kafka.connect.data.Decimal") == 0)
		{
			cJSON	   *params = cJSON_GetObjectItemCaseSensitive(s, "parameters");
			const char *scale = item_string(params, "scale");
			const char *precision = item_string(params, "connect.decimal.precision");

			appendStringInfo(out, ",\"scale\":%d,\"precision\":%d,\"logicalType\":\"decimal\"",
							 scale ? atoi(scale) : 0, precision ? atoi(precision) : 64);
		}
		append_connect_props(out, s);
		appendStringInfoChar(out, '}');
	}
	if (node->optional)
		appendStringInfoChar(out, ']');
	return node;
}

/* CRC-64-AVRO, the fingerprint of Avro's specification */
static uint64
avro_fingerprint(const char *s, size_t len)
{
	static uint64 table[256];
	static bool ready = false;
	const uint64 empty = UINT64CONST(0xc15d213aa4d7a795);
	uint64		fp = empty;
	size_t		i;

	if (!ready)
	{
		int			b,
					j;

		for (b = 0; b < 256; b++)
		{
			uint64		f = b;

			for (j = 0; j < 8; j++)
				f = (f >> 1) ^ (empty & -(f & 1));
			table[b] = f;
		}
		ready = true;
	}
	for (i = 0; i < len; i++)
		fp = (fp >> 8) ^ table[(fp ^ (unsigned char) s[i]) & 0xff];
	return fp;
}

static uint32
schema_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
schema_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The Avro form of a Connect schema, made once per backend. */
static AvroSchema *
avro_schema_of(const char *connect)
{
	AvroSchema *entry;
	bool		found;

	if (avro_schemas == NULL)
	{
		HASHCTL		ctl;

		avro_cxt = AllocSetContextCreate(TopMemoryContext, "strata_cdc avro schemas",
										 ALLOCSET_DEFAULT_SIZES);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(char *);
		ctl.entrysize = sizeof(AvroSchema);
		ctl.hash = schema_hash;
		ctl.match = schema_match;
		ctl.hcxt = avro_cxt;
		avro_schemas = hash_create("strata_cdc avro schemas", 64, &ctl,
								   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	}
	entry = hash_search(avro_schemas, &connect, HASH_FIND, NULL);
	if (entry != NULL)
		return entry;

	{
		MemoryContext old = MemoryContextSwitchTo(avro_cxt);
		cJSON	   *parsed = cJSON_Parse(connect);
		StringInfoData json;
		List	   *defined = NIL;
		AvroNode   *volatile node = NULL;
		char	   *key = pstrdup(connect);
		avro_schema_t schema;

		if (parsed == NULL)
			elog(ERROR, "could not read a Connect schema");
		initStringInfo(&json);
		PG_TRY();
		{
			/* the top level is never a union: a key or value is the record */
			node = convert(&json, parsed, &defined, false);
		}
		PG_FINALLY();
		{
			cJSON_Delete(parsed);
		}
		PG_END_TRY();
		if (avro_schema_from_json_length(json.data, json.len, &schema) != 0)
			elog(ERROR, "libavro-c refused the Avro schema it was given: %s", avro_strerror());
		entry = hash_search(avro_schemas, &key, HASH_ENTER, &found);
		entry->connect = key;
		entry->json = json.data;
		entry->id = (uint32) (avro_fingerprint(json.data, json.len) >> 33);
		entry->node = node;
		entry->schema = schema;
		entry->iface = avro_generic_class_from_schema(schema);
		if (entry->iface == NULL || avro_generic_value_new(entry->iface, &entry->value) != 0)
			elog(ERROR, "libavro-c could not make a value of schema: %s", avro_strerror());
		MemoryContextSwitchTo(old);
	}
	return entry;
}

/* ---------------------------------------------------------------------
 * values
 * ---------------------------------------------------------------------
 */

#define CHECK_AVRO(call) \
	do { if ((call) != 0) elog(ERROR, "libavro-c: %s", avro_strerror()); } while (0)

static void set_value(avro_value_t *v, AvroNode *node, JsonbValue *jv);

/* the elements of a nested JSON array, appended to an Avro array */
static void
set_array_elements(avro_value_t *array, AvroNode *items, JsonbValue *jv)
{
	uint32		n = JsonContainerSize(jv->val.binary.data);
	uint32		i;

	for (i = 0; i < n; i++)
	{
		avro_value_t child;
		JsonbValue *elem = getIthJsonbValueFromContainer(jv->val.binary.data, i);

		if (elem->type == jbvBinary && JsonContainerIsArray(elem->val.binary.data))
			set_array_elements(array, items, elem);
		else
		{
			if (avro_value_append(array, &child, NULL) != 0)
				elog(ERROR, "libavro-c: %s", avro_strerror());
			set_value(&child, items, elem);
		}
	}
}

static char *
jv_cstring(JsonbValue *jv)
{
	return pnstrdup(jv->val.string.val, jv->val.string.len);
}

static double
jv_double(JsonbValue *jv)
{
	if (jv->type == jbvNumeric)
		return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
												  NumericGetDatum(jv->val.numeric)));
	if (jv->type == jbvString)
	{
		char	   *s = jv_cstring(jv);

		if (strcmp(s, "NaN") == 0)
			return get_float8_nan();
		if (strcmp(s, "Infinity") == 0)
			return get_float8_infinity();
		if (strcmp(s, "-Infinity") == 0)
			return -get_float8_infinity();
	}
	elog(ERROR, "a JSON value that is not a number where the schema has one");
	return 0;
}

static void
set_value(avro_value_t *v, AvroNode *node, JsonbValue *jv)
{
	avro_value_t branch;

	if (node->optional)
	{
		if (jv == NULL || jv->type == jbvNull)
		{
			CHECK_AVRO(avro_value_set_branch(v, 0, &branch));
			CHECK_AVRO(avro_value_set_null(&branch));
			return;
		}
		CHECK_AVRO(avro_value_set_branch(v, 1, &branch));
		v = &branch;
	}
	else if (jv == NULL || jv->type == jbvNull)
		elog(ERROR, "a null where the schema has a required value");

	switch (node->kind)
	{
		case AK_RECORD:
			{
				int			i;

				if (jv->type != jbvBinary || !JsonContainerIsObject(jv->val.binary.data))
					elog(ERROR, "a JSON value that is not an object where the schema has a struct");
				for (i = 0; i < node->nfields; i++)
				{
					avro_value_t child;
					JsonbValue	member;
					JsonbValue *found;

					CHECK_AVRO(avro_value_get_by_index(v, i, &child, NULL));
					found = getKeyJsonValueFromContainer(jv->val.binary.data, node->names[i],
														 strlen(node->names[i]), &member);
					set_value(&child, node->fields[i], found);
				}
			}
			break;
		case AK_ARRAY:
			{
				uint32		n,
							i;

				if (jv->type != jbvBinary || !JsonContainerIsArray(jv->val.binary.data))
					elog(ERROR, "a JSON value that is not an array where the schema has one");
				n = JsonContainerSize(jv->val.binary.data);
				for (i = 0; i < n; i++)
				{
					avro_value_t child;
					JsonbValue *elem = getIthJsonbValueFromContainer(jv->val.binary.data, i);

					/*
					 * A multi-dimensional array is nested in JSON; its schema
					 * (a type's, not a value's) has one level: its elements,
					 * in order, flattened.
					 */
					if (node->items->kind != AK_ARRAY && elem->type == jbvBinary &&
						JsonContainerIsArray(elem->val.binary.data))
					{
						set_array_elements(v, node->items, elem);
						continue;
					}
					CHECK_AVRO(avro_value_append(v, &child, NULL));
					set_value(&child, node->items, elem);
				}
			}
			break;
		case AK_INT:
			if (jv->type != jbvNumeric)
				elog(ERROR, "a JSON value that is not a number where the schema has one");
			CHECK_AVRO(avro_value_set_int(v, DatumGetInt32(DirectFunctionCall1(numeric_int4,
																			   NumericGetDatum(jv->val.numeric)))));
			break;
		case AK_LONG:
			if (jv->type != jbvNumeric)
				elog(ERROR, "a JSON value that is not a number where the schema has one");
			CHECK_AVRO(avro_value_set_long(v, DatumGetInt64(DirectFunctionCall1(numeric_int8,
																				NumericGetDatum(jv->val.numeric)))));
			break;
		case AK_FLOAT:
			CHECK_AVRO(avro_value_set_float(v, (float) jv_double(jv)));
			break;
		case AK_DOUBLE:
			CHECK_AVRO(avro_value_set_double(v, jv_double(jv)));
			break;
		case AK_BOOLEAN:
			if (jv->type != jbvBool)
				elog(ERROR, "a JSON value that is not a boolean where the schema has one");
			CHECK_AVRO(avro_value_set_boolean(v, jv->val.boolean));
			break;
		case AK_STRING:
			{
				char	   *s;

				if (jv->type != jbvString)
					elog(ERROR, "a JSON value that is not a string where the schema has one");
				s = jv_cstring(jv);
				CHECK_AVRO(avro_value_set_string_len(v, s, jv->val.string.len + 1));
				pfree(s);
			}
			break;
		case AK_BYTES:
			{
				int			len;
				char	   *buf;

				if (jv->type != jbvString)
					elog(ERROR, "a JSON value that is not a base64 string where the schema has bytes");
				buf = palloc(pg_b64_dec_len(jv->val.string.len) + 1);
				len = pg_b64_decode(jv->val.string.val, jv->val.string.len, buf,
									pg_b64_dec_len(jv->val.string.len) + 1);
				if (len < 0)
					elog(ERROR, "a JSON value that is not base64 where the schema has bytes");
				CHECK_AVRO(avro_value_set_bytes(v, buf, len));
				pfree(buf);
			}
			break;
	}
}

static void
append_uint32(StringInfo out, uint32 v)
{
	char		b[4];

	b[0] = (char) (v >> 24);
	b[1] = (char) (v >> 16);
	b[2] = (char) (v >> 8);
	b[3] = (char) v;
	appendBinaryStringInfo(out, b, 4);
}

/* a key or value, framed; a JSON null (or none) is length -1 */
static void
append_framed(StringInfo out, const char *connect, JsonbValue *payload)
{
	AvroSchema *s;
	size_t		size;
	avro_writer_t writer;
	int			at;

	if (payload == NULL || payload->type == jbvNull || connect == NULL)
	{
		append_uint32(out, 0xFFFFFFFF);
		return;
	}
	s = avro_schema_of(connect);
	CHECK_AVRO(avro_value_reset(&s->value));
	set_value(&s->value, s->node, payload);
	CHECK_AVRO(avro_value_sizeof(&s->value, &size));
	append_uint32(out, (uint32) (size + 5));
	appendStringInfoChar(out, 0);
	append_uint32(out, s->id);
	at = out->len;
	enlargeStringInfo(out, (int) size);
	writer = avro_writer_memory(out->data + at, (int64_t) size);
	if (avro_value_write(writer, &s->value) != 0)
	{
		avro_writer_free(writer);
		elog(ERROR, "libavro-c: %s", avro_strerror());
	}
	avro_writer_free(writer);
	out->len += (int) size;
	out->data[out->len] = '\0';
}

/*
 * The binary message of an event rendered as JSON (from offset start of
 * buf on), in place of it.  key_schema and value_schema are the Connect
 * schemas of its key and value.
 */
void
cdc_avro_event(StringInfo buf, int start, const char *key_schema, const char *value_schema)
{
	Jsonb	   *event;
	JsonbValue	topic,
				key,
				value;
	JsonbValue *k,
			   *v;
	StringInfoData out;

	event = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf->data + start)));
	if (getKeyJsonValueFromContainer(&event->root, "topic", 5, &topic) == NULL ||
		topic.type != jbvString || topic.val.string.len > PG_UINT16_MAX)
		elog(ERROR, "an event without a topic");
	k = getKeyJsonValueFromContainer(&event->root, "key", 3, &key);
	v = getKeyJsonValueFromContainer(&event->root, "value", 5, &value);

	initStringInfo(&out);
	appendStringInfoChar(&out, (char) (topic.val.string.len >> 8));
	appendStringInfoChar(&out, (char) topic.val.string.len);
	appendBinaryStringInfo(&out, topic.val.string.val, topic.val.string.len);
	append_framed(&out, key_schema, k);
	append_framed(&out, value_schema, v);

	buf->len = start;
	appendBinaryStringInfo(buf, out.data, out.len);
	pfree(out.data);
	pfree(event);
}

/* The Avro schema of a Connect schema, and its id. */
char *
cdc_avro_schema_json(const char *connect, uint32 *id)
{
	AvroSchema *s = avro_schema_of(connect);

	*id = s->id;
	return s->json;
}

/*
 * strata_cdc.avro_schemas(tables, options): the Avro schemas of the
 * events of the tables (and of the transaction and message topics), with
 * the ids their framed keys and values carry, for a schema registry: one
 * row per subject, named as Confluent's TopicNameStrategy names it.
 */
PG_FUNCTION_INFO_V1(cdc_avro_schemas);
Datum
cdc_avro_schemas(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *tables = PG_GETARG_ARRAYTYPE_P(0);
	List	   *options = cdc_text_pairs(PG_GETARG_ARRAYTYPE_P(1));
	CdcReader  *reader;
	Datum	   *relids;
	bool	   *relnulls;
	int			ntables,
				i;
	char	   *prefix;

	InitMaterializedSRF(fcinfo, 0);
	options = lappend(options, makeDefElem("format", (Node *) makeString("avro"), -1));
	reader = cdc_reader_create(options, CurrentMemoryContext);
	prefix = cdc_reader_prefix(reader);
	deconstruct_array(tables, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT,
					  &relids, &relnulls, &ntables);

#define EMIT(topic, suffix, connect) \
	do { \
		uint32		id_; \
		char	   *json_ = cdc_avro_schema_json((connect), &id_); \
		Datum		values_[4]; \
		bool		nulls_[4] = {false, false, false, false}; \
		values_[0] = CStringGetTextDatum(topic); \
		values_[1] = CStringGetTextDatum(psprintf("%s-%s", (topic), (suffix))); \
		values_[2] = Int32GetDatum((int32) id_); \
		values_[3] = CStringGetTextDatum(json_); \
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values_, nulls_); \
	} while (0)

	for (i = 0; i < ntables; i++)
	{
		Relation	rel;
		char	   *topic;
		const char *key_schema;
		const char *value_schema;

		if (relnulls[i])
			continue;
		rel = table_open(DatumGetObjectId(relids[i]), AccessShareLock);
		if (rel->rd_rel->relkind != RELKIND_RELATION)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a table", RelationGetRelationName(rel))));
		cdc_reader_topics(reader, rel, &topic, &key_schema, &value_schema);
		if (key_schema != NULL)
			EMIT(topic, "key", key_schema);
		EMIT(topic, "value", value_schema);
		table_close(rel, AccessShareLock);
	}
	EMIT(psprintf("%s.transaction", prefix), "key", cdc_transaction_key_schema);
	EMIT(psprintf("%s.transaction", prefix), "value", cdc_transaction_value_schema);
	EMIT(psprintf("%s.message", prefix), "key", cdc_message_key_schema);
	EMIT(psprintf("%s.message", prefix), "value", cdc_message_value_schema);
#undef EMIT
	return (Datum) 0;
}
