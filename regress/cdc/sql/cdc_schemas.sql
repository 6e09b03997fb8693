-- strata_cdc: schemas.enable, keys and values as Kafka Connect's
-- JsonConverter writes them: {"schema": ..., "payload": ...}.
SET synchronous_commit = on;
CREATE TYPE color AS ENUM ('red', 'green', 'blue');
ALTER TYPE color ADD VALUE 'amber' BEFORE 'green';
CREATE TABLE sch (
    id int PRIMARY KEY, name text NOT NULL, amount numeric(10,2), nv numeric, m money,
    i2 int2, i8 int8, f4 real, f8 float8, flag bool,
    d date, t3 time(3), t6 time, ttz timetz, ts3 timestamp(3), ts6 timestamp, tz timestamptz, iv interval,
    c color, tags text[], nums numeric(5,1)[], j json, jb jsonb, x xml, u uuid,
    b bytea, bits bit(4), vb varbit, p point, ip inet);
CREATE TABLE nokey_s (a int);
SELECT 'init' FROM pg_create_logical_replication_slot('sc', 'strata_cdc');
INSERT INTO sch VALUES (1, 'n', 1.5, 2.25, 3, 4, 5, 6.5, 7.5, true,
    '2020-01-01', '01:02:03.456', '01:02:03.456789', '01:02:03+00', '2020-01-01 00:00:00.123',
    '2020-01-01 00:00:00.123456', '2020-01-01 00:00:00+00', '1 day', 'amber', '{a,NULL}', '{1.5}',
    '{"a": 1}', '{"b": 2}', '<x/>', 'e7082e96-45a3-4ef6-9d43-c56a1be6fd2d', '\x01', B'1010', B'1', '(1,2)',
    '10.0.0.1');
DELETE FROM sch;
INSERT INTO nokey_s VALUES (1);
SELECT 'm' FROM pg_logical_emit_message(true, 'pfx', 'hello');

-- every message is JSON; payloads are exactly the events without schemas
SELECT count(*) AS events,
       bool_and(cdc_mask(jsonb_build_object('topic', w->'topic', 'key', coalesce(w->'key'->'payload', w->'key'),
                                            'value', coalesce(w->'value'->'payload', w->'value')))
                = cdc_mask(p)) AS payloads_are_the_events
FROM (SELECT n, data::jsonb AS w
      FROM pg_logical_slot_peek_changes('sc', NULL, NULL, 'schemas.enable', 'true')
           WITH ORDINALITY AS c(lsn, xid, data, n)) a
JOIN (SELECT n, data::jsonb AS p
      FROM pg_logical_slot_peek_changes('sc', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n)) b
USING (n);

-- the column schemas of the table's Value struct
SELECT f->>'field' AS field, f->>'type' AS type, f->>'optional' AS optional, f->>'name' AS name,
       f->'parameters' AS parameters, f->'items'->>'type' AS items, f->'fields' AS fields
FROM (SELECT data::jsonb AS e FROM pg_logical_slot_peek_changes('sc', NULL, NULL, 'schemas.enable', 'true')
      LIMIT 1) x,
     jsonb_array_elements(e->'value'->'schema'->'fields'->1->'fields') f;
-- the envelope, the key, the source
SELECT e->'value'->'schema'->>'name' AS envelope, e->'value'->'schema'->>'version' AS version,
       jsonb_path_query_array(e->'value'->'schema', '$.fields[*].field') AS members,
       e->'value'->'schema'->'fields'->0->>'name' AS before_struct,
       e->'key'->'schema' AS key_schema,
       e->'value'->'schema'->'fields'->2->>'name' AS source,
       jsonb_path_query_array(e->'value'->'schema'->'fields'->2, '$.fields[*].field') AS source_fields
FROM (SELECT data::jsonb AS e FROM pg_logical_slot_peek_changes('sc', NULL, NULL, 'schemas.enable', 'true')
      LIMIT 1) x;
-- decimal.handling.mode changes the decimal schemas
SELECT f->>'field' AS field, f->>'type' AS type, f->>'name' AS name
FROM (SELECT data::jsonb AS e FROM pg_logical_slot_peek_changes('sc', NULL, NULL, 'schemas.enable', 'true',
                                                                 'decimal.handling.mode', 'string')
      LIMIT 1) x,
     jsonb_array_elements(e->'value'->'schema'->'fields'->1->'fields') f
WHERE f->>'field' IN ('amount', 'nv', 'm', 'nums');
-- tombstones keep a null value; a table without a key has a null key;
-- messages and transaction events carry their own schemas
SELECT e->>'topic' AS topic, e->'key'->'schema'->>'name' AS key_schema,
       CASE WHEN jsonb_typeof(e->'value') = 'null' THEN 'null' ELSE e->'value'->'schema'->>'name' END AS value_schema,
       jsonb_typeof(e->'key') AS key
FROM (SELECT data::jsonb AS e FROM pg_logical_slot_get_changes('sc', NULL, NULL, 'schemas.enable', 'true',
                                                                'include.transaction', 'true')) x;
SELECT 'dropped' FROM pg_drop_replication_slot('sc');
