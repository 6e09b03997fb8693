-- strata_cdc: the extension, and helpers the other tests share
CREATE EXTENSION strata_cdc;
SELECT name, default_value, allowed FROM strata_cdc.options() ORDER BY name;

SET synchronous_commit = on;

-- An event with what differs from run to run taken out: commit and
-- processing times, LSNs, transaction ids.  cdc_events checks those fields
-- on their own.
CREATE FUNCTION cdc_mask(e jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN jsonb_typeof(e->'value') IS DISTINCT FROM 'object' THEN e
    WHEN e->>'topic' LIKE '%.transaction' THEN
      (e - 'key') || jsonb_build_object('value', (e->'value') - '{id,ts_ms}'::text[])
    ELSE jsonb_set(e, '{value}',
      ((e->'value') - '{ts_ms,ts_us,ts_ns}'::text[])
      || jsonb_build_object('source', (e->'value'->'source') - '{ts_ms,ts_us,ts_ns,txId,lsn,sequence}'::text[])
      || CASE WHEN jsonb_typeof(e->'value'->'transaction') = 'object'
              THEN jsonb_build_object('transaction', (e->'value'->'transaction') - 'id')
              ELSE '{}' END)
  END
$$;

-- The events of a slot since the last call, masked, one per row.
CREATE FUNCTION cdc_get(slot name, VARIADIC options text[] DEFAULT '{}')
RETURNS SETOF jsonb LANGUAGE sql AS $$
  SELECT cdc_mask(data::jsonb)
  FROM pg_logical_slot_get_changes(slot, NULL, NULL, VARIADIC options)
$$;

-- Only the after (or before, for deletes) image of each data event.
CREATE FUNCTION cdc_rows(slot name, VARIADIC options text[] DEFAULT '{}')
RETURNS SETOF jsonb LANGUAGE sql AS $$
  SELECT CASE WHEN e->'value'->>'op' = 'd' THEN e->'value'->'before' ELSE e->'value'->'after' END
  FROM pg_logical_slot_get_changes(slot, NULL, NULL, VARIADIC options) c,
       LATERAL (SELECT c.data::jsonb AS e) x
  WHERE jsonb_typeof(e->'value') = 'object'
$$;
