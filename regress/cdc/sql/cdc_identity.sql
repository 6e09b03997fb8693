-- strata_cdc: what "before" holds under each REPLICA IDENTITY, unchanged
-- TOASTed values, generated and dropped columns.
SET synchronous_commit = on;
CREATE TABLE rid_default (id int PRIMARY KEY, name text NOT NULL, n int NOT NULL, ts timestamptz NOT NULL,
                          b bool NOT NULL, nn numeric(5,2) NOT NULL, opt text);
CREATE TABLE rid_full (id int PRIMARY KEY, name text, big text);
ALTER TABLE rid_full REPLICA IDENTITY FULL;
CREATE TABLE rid_nothing (id int PRIMARY KEY, name text);
ALTER TABLE rid_nothing REPLICA IDENTITY NOTHING;
CREATE TABLE rid_index (id int NOT NULL, code text NOT NULL, name text);
CREATE UNIQUE INDEX rid_index_code ON rid_index (code);
ALTER TABLE rid_index REPLICA IDENTITY USING INDEX rid_index_code;
CREATE TABLE rid_compound (a int, b text, v text, PRIMARY KEY (b, a));
SELECT 'init' FROM pg_create_logical_replication_slot('id', 'strata_cdc');

-- DEFAULT: the key columns, the NOT NULL others as their type's zero
INSERT INTO rid_default VALUES (1, 'x', 5, '2024-01-01 00:00:00+00', true, 1.5, 'o');
UPDATE rid_default SET name = 'y';
DELETE FROM rid_default;
-- FULL: every column, before and after
INSERT INTO rid_full VALUES (1, 'x', 'small');
UPDATE rid_full SET name = 'y';
DELETE FROM rid_full;
-- NOTHING: no before at all
INSERT INTO rid_nothing VALUES (1, 'x');
UPDATE rid_nothing SET name = 'y';
DELETE FROM rid_nothing;
-- USING INDEX, no primary key: the index's columns are the key
INSERT INTO rid_index VALUES (1, 'c1', 'x');
UPDATE rid_index SET name = 'y';
DELETE FROM rid_index;
-- a compound key, in the table's column order
INSERT INTO rid_compound VALUES (1, 'k', 'v');
DELETE FROM rid_compound;
SELECT e->'key' AS key, e->'value'->>'op' AS op, e->'value'->'before' AS before, e->'value'->'after' AS after
FROM cdc_get('id') e;

-- unchanged TOASTed values: Debezium's placeholder, shaped by the type,
-- or the old value when REPLICA IDENTITY FULL logs it
CREATE TABLE toasty (id int PRIMARY KEY, small text, big text, bigb bytea, bigi int[], bigt text[]);
ALTER TABLE toasty ALTER big SET STORAGE EXTERNAL, ALTER bigb SET STORAGE EXTERNAL,
    ALTER bigi SET STORAGE EXTERNAL, ALTER bigt SET STORAGE EXTERNAL;
INSERT INTO toasty VALUES (1, 's', repeat('x', 10000), decode(repeat('ab', 5000), 'hex'),
                           (SELECT array_agg(g) FROM generate_series(1, 3000) g), ARRAY[repeat('t', 5000)]);
SELECT length(e->'value'->'after'->>'big') AS big, jsonb_array_length(e->'value'->'after'->'bigi') AS bigi
FROM cdc_get('id') e;
UPDATE toasty SET small = 't';
SELECT e->'value'->'after' AS after FROM cdc_get('id') e;
ALTER TABLE toasty REPLICA IDENTITY FULL;
UPDATE toasty SET small = 'u';
SELECT e->'value'->'after'->>'small' AS small, length(e->'value'->'after'->>'big') AS big,
       length(e->'value'->'after'->>'bigb') AS bigb, jsonb_array_length(e->'value'->'after'->'bigi') AS bigi,
       length(e->'value'->'before'->>'big') AS before_big
FROM cdc_get('id') e;
-- a changed TOASTed value is always there
UPDATE toasty SET big = repeat('z', 9000);
SELECT length(e->'value'->'after'->>'big') AS big, left(e->'value'->'after'->>'big', 3) AS starts
FROM cdc_get('id') e;

-- generated columns are left out, as pgoutput leaves them out; dropped
-- columns are gone; added columns appear
CREATE TABLE gen (id int PRIMARY KEY, a int, doubled int GENERATED ALWAYS AS (a * 2) STORED, gone text);
INSERT INTO gen (id, a, gone) VALUES (1, 1, 'g');
ALTER TABLE gen DROP COLUMN gone;
ALTER TABLE gen ADD COLUMN added text DEFAULT 'd';
INSERT INTO gen (id, a) VALUES (2, 2);
SELECT e->'value'->'after' AS after FROM cdc_get('id') e;

-- a column renamed between changes: each event has the names of its time
CREATE TABLE ren (id int PRIMARY KEY, old_name text);
INSERT INTO ren VALUES (1, 'a');
ALTER TABLE ren RENAME COLUMN old_name TO new_name;
INSERT INTO ren VALUES (2, 'b');
SELECT e->'value'->'after' AS after FROM cdc_get('id') e;

SELECT 'dropped' FROM pg_drop_replication_slot('id');
