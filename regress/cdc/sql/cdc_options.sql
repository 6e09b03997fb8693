-- strata_cdc: options, checked before anything is decoded; table filters.
SET synchronous_commit = on;
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id int PRIMARY KEY);
CREATE TABLE sales.order_lines (id int PRIMARY KEY);
CREATE TABLE public.orders (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('op', 'strata_cdc');
INSERT INTO sales.orders VALUES (1);
INSERT INTO sales.order_lines VALUES (1);
INSERT INTO public.orders VALUES (1);

-- bad options: named in the error; nothing is consumed
SELECT * FROM cdc_get('op', 'no.such.option', 'x');
SELECT * FROM cdc_get('op', 'tombstones', 'maybe');
SELECT * FROM cdc_get('op', 'tombstones');
SELECT * FROM cdc_get('op', 'decimal.handling.mode', 'exact');
SELECT * FROM cdc_get('op', 'skipped.operations', 'c,x');
SELECT * FROM cdc_get('op', 'skipped.operations', ' , ');
-- Avro is binary: the text functions refuse it (t/005_avro.pl reads it)
SELECT * FROM cdc_get('op', 'format', 'avro');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('op', NULL, NULL, 'format', 'avro');
SELECT * FROM pg_logical_slot_peek_binary_changes('op', NULL, NULL, 'format', 'avro', 'value.encoding', 'text');
SELECT * FROM cdc_get('op', 'format', 'xml');
SELECT * FROM cdc_get('op', 'schemas.enable', 'yes please');
SELECT * FROM cdc_get('op', 'topic.prefix', '');
SELECT * FROM cdc_get('op', 'table.include.list', 'sales\.(');
SELECT * FROM cdc_get('op', 'table.include.list', 'sales\..*', 'table.exclude.list', 'x');

-- filters match the whole schema.table
SELECT data::jsonb->>'topic' AS topic
FROM pg_logical_slot_peek_changes('op', NULL, NULL, 'table.include.list', 'sales\.orders');
SELECT data::jsonb->>'topic' AS topic
FROM pg_logical_slot_peek_changes('op', NULL, NULL, 'table.include.list', 'sales\..*', 'topic.prefix', 'shop');
SELECT data::jsonb->>'topic' AS topic
FROM pg_logical_slot_peek_changes('op', NULL, NULL, 'table.include.list', 'orders');
SELECT data::jsonb->>'topic' AS topic
FROM pg_logical_slot_peek_changes('op', NULL, NULL, 'table.exclude.list', 'sales\.order_lines, public\..*');
-- the default prefix is the database's name
SELECT data::jsonb->>'topic' = current_database() || '.public.orders' AS default_prefix
FROM pg_logical_slot_peek_changes('op', NULL, NULL, 'table.include.list', 'public\.orders');
-- every option at once
SELECT count(*) FROM pg_logical_slot_get_changes('op', NULL, NULL,
    'format', 'json', 'topic.prefix', 'x', 'table.exclude.list', 'none', 'include.transaction', 'on',
    'tombstones', 'off', 'decimal.handling.mode', 'string', 'skipped.operations', 'none',
    'schemas.enable', 'false');

-- value.encoding text: each type's text output, json staying JSON; an
-- unchanged TOASTed value and the columns a key-only old row lacks are
-- left out rather than given placeholders
CREATE TABLE enc (id int PRIMARY KEY, n numeric(8,3), d date, a int[], j jsonb, b bytea,
                  big text, note text);
ALTER TABLE enc ALTER big SET STORAGE EXTERNAL;
SELECT 'init' FROM pg_create_logical_replication_slot('enc', 'strata_cdc');
INSERT INTO enc VALUES (1, 12.5, '2024-02-29', '{1,NULL,3}', '{"k": [1, "x"]}', '\x00ff',
                        repeat('b', 3000), 'n');
UPDATE enc SET note = 'm' WHERE id = 1;
DELETE FROM enc;
SELECT data::jsonb->'value'->>'op' AS op, data::jsonb->'key' AS key,
       data::jsonb->'value'->'before' AS before,
       nullif(data::jsonb->'value'->'after', 'null') - 'big' AS after,
       length(data::jsonb->'value'->'after'->>'big') AS big
FROM pg_logical_slot_peek_changes('enc', NULL, NULL, 'value.encoding', 'text', 'tombstones', 'false');
SELECT data FROM pg_logical_slot_peek_changes('enc', NULL, NULL, 'value.encoding', 'binary');
SELECT data FROM pg_logical_slot_peek_changes('enc', NULL, NULL, 'value.encoding', 'text',
                                              'schemas.enable', 'true');
SELECT 'dropped' FROM pg_drop_replication_slot('enc');
DROP TABLE enc;

-- the plugin works in any database, without CREATE EXTENSION
SELECT current_database() AS home \gset
CREATE DATABASE cdc_other;
\c cdc_other
SET synchronous_commit = on;
CREATE TABLE t (id int PRIMARY KEY, v text);
SELECT 'init' FROM pg_create_logical_replication_slot('other', 'strata_cdc');
INSERT INTO t VALUES (1, 'x');
SELECT data::jsonb->>'topic' AS topic, data::jsonb->'value'->'after' AS after
FROM pg_logical_slot_get_changes('other', NULL, NULL);
SELECT 'dropped' FROM pg_drop_replication_slot('other');
\c :home
DROP DATABASE cdc_other;
SELECT 'dropped' FROM pg_drop_replication_slot('op');

-- Avro schemas: names Avro accepts, from any table and column name
CREATE TABLE "odd name" ("1st col" int PRIMARY KEY, "é" text);
SELECT subject, schema FROM strata_cdc.avro_schemas(ARRAY['"odd name"']::regclass[], '{topic.prefix,x}')
WHERE subject LIKE 'x.public.%';
SELECT count(*) FROM strata_cdc.avro_schemas(ARRAY['"odd name"']::regclass[], '{no.such,1}');
DROP TABLE "odd name";
