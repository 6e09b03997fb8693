/*-------------------------------------------------------------------------
 *
 * cdc_relation.c
 *	  What the output plugin needs of each decoded table, computed once and
 *	  kept until the relation changes: its names and topic, whether the
 *	  options select it, its replica identity, the columns of the event key
 *	  and an encoder per column.
 *
 * The key is the primary key's columns, else those of the replica identity
 * index (REPLICA IDENTITY USING INDEX), else there is none and the key is
 * null, as in Debezium.  A relcache invalidation (ALTER TABLE, a new
 * index, REPLICA IDENTITY) marks the entry stale; it is rebuilt from the
 * catalog as of the change being decoded.
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include "access/sysattr.h"
#include "nodes/bitmapset.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/relcache.h"

static HTAB *cdc_relations = NULL;
static MemoryContext cdc_relation_cxt = NULL;

static void
cdc_relation_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS seq;
	CdcRelation *entry;

	if (cdc_relations == NULL)
		return;
	if (OidIsValid(relid))
	{
		entry = hash_search(cdc_relations, &relid, HASH_FIND, NULL);
		if (entry != NULL)
			entry->valid = false;
		return;
	}
	hash_seq_init(&seq, cdc_relations);
	while ((entry = hash_seq_search(&seq)) != NULL)
		entry->valid = false;
}

/* Forget every entry: a new decoding session may have other options. */
void
cdc_relation_reset(void)
{
	cdc_relation_invalidate((Datum) 0, InvalidOid);
}

/* A sorted list of the attnums in an index bitmap. */
static int
bitmap_attnums(Bitmapset *bms, AttrNumber **out, MemoryContext cxt)
{
	int			n = bms_num_members(bms);
	int			i = 0;
	int			m = -1;

	*out = MemoryContextAlloc(cxt, sizeof(AttrNumber) * Max(n, 1));
	while ((m = bms_next_member(bms, m)) >= 0)
		(*out)[i++] = m + FirstLowInvalidHeapAttributeNumber;
	return n;
}

CdcRelation *
cdc_relation_get(Relation rel, const CdcOptions *opts)
{
	Oid			relid = RelationGetRelid(rel);
	CdcRelation *entry;
	bool		found;
	MemoryContext cxt;
	MemoryContext old;
	TupleDesc	desc = RelationGetDescr(rel);
	Bitmapset  *key_bms;
	Bitmapset  *identity_bms;
	int			i;

	if (cdc_relations == NULL)
	{
		HASHCTL		ctl;

		cdc_relation_cxt = AllocSetContextCreate(CacheMemoryContext, "strata_cdc relations",
												 ALLOCSET_DEFAULT_SIZES);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(CdcRelation);
		ctl.hcxt = cdc_relation_cxt;
		cdc_relations = hash_create("strata_cdc relations", 64, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(cdc_relation_invalidate, (Datum) 0);
	}

	entry = hash_search(cdc_relations, &relid, HASH_ENTER, &found);
	if (found && entry->valid)
		return entry;

	/* each entry's parts live in a context of their own, freed when rebuilt */
	if (found && entry->schema != NULL)
		MemoryContextDelete(GetMemoryChunkContext(entry->schema));
	memset(((char *) entry) + sizeof(Oid), 0, sizeof(CdcRelation) - sizeof(Oid));
	cxt = AllocSetContextCreate(cdc_relation_cxt, "strata_cdc relation", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);

	entry->schema = get_namespace_name(RelationGetNamespace(rel));
	entry->table = pstrdup(RelationGetRelationName(rel));
	entry->data_collection = psprintf("%s.%s", entry->schema, entry->table);
	entry->topic = psprintf("%s.%s.%s", opts->topic_prefix, entry->schema, entry->table);
	entry->topic_json = cdc_json_string(entry->topic);
	entry->schema_json = cdc_json_string(entry->schema);
	entry->table_json = cdc_json_string(entry->table);
	entry->selected = cdc_table_selected(opts, entry->data_collection);
	entry->full_identity = rel->rd_rel->relreplident == REPLICA_IDENTITY_FULL;
	entry->natts = desc->natts;
	entry->encoders = palloc0(sizeof(CdcEncoder) * Max(desc->natts, 1));
	entry->identity = palloc0(sizeof(bool) * Max(desc->natts, 1));
	entry->name_json = palloc0(sizeof(char *) * Max(desc->natts, 1));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (attr->attisdropped)
			continue;
		if (opts->text_values)
			cdc_encoder_init_text(&entry->encoders[i], attr->atttypid, cxt);
		else
			cdc_encoder_init(&entry->encoders[i], attr->atttypid, attr->atttypmod, cxt);
		entry->name_json[i] = psprintf("%s:", cdc_json_string(NameStr(attr->attname)));
	}

	identity_bms = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_IDENTITY_KEY);
	{
		int			m = -1;

		while ((m = bms_next_member(identity_bms, m)) >= 0)
		{
			AttrNumber	attnum = m + FirstLowInvalidHeapAttributeNumber;

			if (attnum > 0 && attnum <= desc->natts)
				entry->identity[attnum - 1] = true;
		}
	}
	key_bms = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	if (bms_is_empty(key_bms) && rel->rd_rel->relreplident == REPLICA_IDENTITY_INDEX)
		key_bms = identity_bms;
	entry->num_key = bitmap_attnums(key_bms, &entry->key, cxt);
	if (opts->schemas_enable || opts->avro)
		cdc_relation_schemas(entry, desc, entry->topic, opts->decimal_mode);
	if (opts->avro)
	{
		entry->avro_key = entry->key_schema ? cdc_avro_schema(entry->key_schema) : NULL;
		entry->avro_value = cdc_avro_schema(entry->value_schema);
	}

	MemoryContextSwitchTo(old);
	entry->valid = true;
	return entry;
}
