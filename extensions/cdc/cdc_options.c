/*-------------------------------------------------------------------------
 *
 * cdc_options.c
 *	  The options of the strata_cdc output plugin: one table describes
 *	  them, checks them, and answers strata_cdc.options().
 *
 * Options arrive as pg_logical_slot_get_changes(slot, NULL, NULL, name,
 * value, ...) pairs, pg_recvlogical -o name=value, or START_REPLICATION
 * ... (name 'value').  An unknown name or a bad value is an error naming
 * it, before anything is decoded.  Names and defaults are Debezium's
 * where Debezium has the setting.
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include "catalog/pg_collation.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "utils/builtins.h"

typedef struct CdcOptionInfo
{
	const char *name;
	const char *default_value;	/* NULL: none */
	const char *allowed;
	const char *description;
} CdcOptionInfo;

static const CdcOptionInfo cdc_option_info[] = {
	{"format", "json", "json, avro",
	"Encoding of each event: a JSON object, or a binary message of the topic and the Avro key and value in Confluent's wire format (schemas from strata_cdc.avro_schemas())."},
	{"topic.prefix", NULL, "any text",
	"First part of every topic name (<prefix>.<schema>.<table>) and source.name; the database name when absent."},
	{"table.include.list", NULL, "comma-separated regular expressions",
	"Only tables whose schema.table fully matches one of them are captured."},
	{"table.exclude.list", NULL, "comma-separated regular expressions",
	"Tables whose schema.table fully matches one of them are not captured."},
	{"include.transaction", "false", "true, false",
	"BEGIN and END events on <prefix>.transaction, and a transaction block in every data event."},
	{"tombstones", "true", "true, false",
	"A delete is followed by an event with the same key and a null value."},
	{"decimal.handling.mode", "precise", "precise, double, string",
	"How numeric and money values are written: base64 of the unscaled value, a number, or text."},
	{"skipped.operations", "t", "none, or a comma-separated list of c, u, d, t, m",
	"Operations that produce no event."},
	{"value.encoding", "debezium", "debezium, text",
	"How column values are written: Debezium's encodings, or each type's text output as a JSON string (session settings such as DateStyle apply), with unchanged TOASTed values and columns absent from a key-only old row left out."},
	{"schemas.enable", "false", "true, false",
	"Keys and values as Kafka Connect's JsonConverter writes them with schemas.enable: {\"schema\": ..., \"payload\": ...}."},
};

static void
bad_value(const char *name, const char *value, const char *allowed)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value \"%s\" for strata_cdc option \"%s\"", value, name),
			 errhint("Allowed: %s.", allowed)));
}

static bool
bool_option(const char *name, const char *value)
{
	bool		result;

	if (!parse_bool(value, &result))
		bad_value(name, value, "true, false");
	return result;
}

/* a comma-separated list of trimmed, non-empty items */
static List *
split_list(const char *name, const char *value)
{
	List	   *items = NIL;
	char	   *copy = pstrdup(value);
	char	   *item;
	char	   *save = NULL;

	for (item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save))
	{
		char	   *end;

		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*item != '\0')
			items = lappend(items, item);
	}
	if (items == NIL)
		bad_value(name, value, "a non-empty comma-separated list");
	return items;
}

/* Regular expressions, anchored, each compiled once here to check it. */
static List *
table_patterns(const char *name, const char *value)
{
	List	   *patterns = NIL;
	ListCell   *lc;

	foreach(lc, split_list(name, value))
	{
		char	   *p = psprintf("^(?:%s)$", (char *) lfirst(lc));
		text	   *re = cstring_to_text(p);

		/* a syntax error raises here, naming the pattern */
		(void) RE_compile_and_execute(re, "", 0, REG_ADVANCED, C_COLLATION_OID, 0, NULL);
		patterns = lappend(patterns, re);
	}
	return patterns;
}

void
cdc_parse_options(List *options, CdcOptions *opts)
{
	ListCell   *lc;

	memset(opts, 0, sizeof(*opts));
	opts->tombstones = true;
	opts->decimal_mode = CDC_DECIMAL_PRECISE;
	opts->skip_truncate = true;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const char *name = def->defname;
		const char *value;
		bool		known = false;
		int			i;

		for (i = 0; i < (int) lengthof(cdc_option_info); i++)
			if (strcmp(name, cdc_option_info[i].name) == 0)
				known = true;
		if (!known)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("strata_cdc has no option \"%s\"", name),
					 errhint("SELECT * FROM strata_cdc.options() lists them.")));
		if (def->arg == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("strata_cdc option \"%s\" needs a value", name)));
		value = strVal(def->arg);

		if (strcmp(name, "format") == 0)
		{
			if (strcmp(value, "avro") == 0)
				opts->avro = true;
			else if (strcmp(value, "json") == 0)
				opts->avro = false;
			else
				bad_value(name, value, "json, avro");
		}
		else if (strcmp(name, "topic.prefix") == 0)
		{
			if (value[0] == '\0')
				bad_value(name, value, "a non-empty name");
			opts->topic_prefix = pstrdup(value);
		}
		else if (strcmp(name, "table.include.list") == 0)
			opts->include_tables = table_patterns(name, value);
		else if (strcmp(name, "table.exclude.list") == 0)
			opts->exclude_tables = table_patterns(name, value);
		else if (strcmp(name, "include.transaction") == 0)
			opts->include_transaction = bool_option(name, value);
		else if (strcmp(name, "tombstones") == 0)
			opts->tombstones = bool_option(name, value);
		else if (strcmp(name, "decimal.handling.mode") == 0)
		{
			if (strcmp(value, "precise") == 0)
				opts->decimal_mode = CDC_DECIMAL_PRECISE;
			else if (strcmp(value, "double") == 0)
				opts->decimal_mode = CDC_DECIMAL_DOUBLE;
			else if (strcmp(value, "string") == 0)
				opts->decimal_mode = CDC_DECIMAL_STRING;
			else
				bad_value(name, value, "precise, double, string");
		}
		else if (strcmp(name, "skipped.operations") == 0)
		{
			opts->skip_create = opts->skip_update = opts->skip_delete = false;
			opts->skip_truncate = opts->skip_message = false;
			if (strcmp(value, "none") != 0)
			{
				ListCell   *op;

				foreach(op, split_list(name, value))
				{
					const char *o = lfirst(op);

					if (strcmp(o, "c") == 0)
						opts->skip_create = true;
					else if (strcmp(o, "u") == 0)
						opts->skip_update = true;
					else if (strcmp(o, "d") == 0)
						opts->skip_delete = true;
					else if (strcmp(o, "t") == 0)
						opts->skip_truncate = true;
					else if (strcmp(o, "m") == 0)
						opts->skip_message = true;
					else
						bad_value(name, value, "none, or a comma-separated list of c, u, d, t, m");
				}
			}
		}
		else if (strcmp(name, "schemas.enable") == 0)
			opts->schemas_enable = bool_option(name, value);
		else if (strcmp(name, "value.encoding") == 0)
		{
			if (strcmp(value, "debezium") == 0)
				opts->text_values = false;
			else if (strcmp(value, "text") == 0)
				opts->text_values = true;
			else
				bad_value(name, value, "debezium, text");
		}
	}
	if (opts->avro && (opts->schemas_enable || opts->text_values))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("strata_cdc format \"avro\" cannot be used with \"%s\"",
						opts->schemas_enable ? "schemas.enable" : "value.encoding"),
				 errhint("Avro values follow their schemas, which strata_cdc.avro_schemas() gives.")));
	if (opts->text_values && opts->schemas_enable)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("strata_cdc option \"schemas.enable\" cannot be used with \"value.encoding\" text"),
				 errhint("Connect schemas describe Debezium's encodings.")));
	if (opts->include_tables != NIL && opts->exclude_tables != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("strata_cdc options \"table.include.list\" and \"table.exclude.list\" cannot be used together")));
}

static bool
matches_any(List *patterns, const char *name)
{
	ListCell   *lc;

	foreach(lc, patterns)
	{
		if (RE_compile_and_execute((text *) lfirst(lc), (char *) name, strlen(name),
								   REG_ADVANCED, C_COLLATION_OID, 0, NULL))
			return true;
	}
	return false;
}

bool
cdc_table_selected(const CdcOptions *opts, const char *qualified_name)
{
	if (opts->include_tables != NIL)
		return matches_any(opts->include_tables, qualified_name);
	return !matches_any(opts->exclude_tables, qualified_name);
}

/*
 * strata_cdc.options(): every option with its default, the values it
 * takes and what it does.
 */
PG_FUNCTION_INFO_V1(cdc_options);
Datum
cdc_options(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < (int) lengthof(cdc_option_info); i++)
	{
		const CdcOptionInfo *o = &cdc_option_info[i];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(o->name);
		if (o->default_value)
			values[1] = CStringGetTextDatum(o->default_value);
		else
			nulls[1] = true;
		values[2] = CStringGetTextDatum(o->allowed);
		values[3] = CStringGetTextDatum(o->description);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
