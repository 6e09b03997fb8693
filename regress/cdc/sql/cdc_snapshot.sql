-- strata_cdc.snapshot(): a slot and the read events of tables at exactly
-- its start; the stream carries on from there.
SET synchronous_commit = on;
CREATE TABLE snap_a (id int PRIMARY KEY, v text, n numeric(5,2));
CREATE TABLE snap_b (k text PRIMARY KEY);
CREATE VIEW snap_view AS SELECT * FROM snap_a;
INSERT INTO snap_a SELECT g, 'a' || g, g / 4.0 FROM generate_series(1, 4) g;
INSERT INTO snap_b VALUES ('x'), ('y');

SELECT lsn = (SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'snap') AS at_slot_start,
       cdc_mask(data::jsonb) AS event
FROM strata_cdc.snapshot('snap', ARRAY['snap_a', 'snap_b']::regclass[], ARRAY['topic.prefix', 'shop']);
-- what commits afterwards comes through the slot, and nothing before
INSERT INTO snap_a VALUES (5, 'after', 1);
SELECT data::jsonb->'key' AS key, data::jsonb->'value'->>'op' AS op FROM pg_logical_slot_get_changes('snap', NULL, NULL);

-- the plugin's options apply
SELECT data::jsonb->'value'->'payload'->'after' AS after, data::jsonb->'value'->'schema'->>'name' AS schema
FROM strata_cdc.snapshot('snap2', ARRAY['snap_a']::regclass[],
                         ARRAY['decimal.handling.mode', 'string', 'schemas.enable', 'true']);
-- an empty table gives no event
TRUNCATE snap_b;
SELECT count(*) FROM strata_cdc.snapshot('snap3', ARRAY['snap_b']::regclass[]);

-- errors, before anything is created
SELECT * FROM strata_cdc.snapshot('bad', ARRAY['snap_a']::regclass[], ARRAY['topic.prefix']);
SELECT * FROM strata_cdc.snapshot('bad', ARRAY['snap_a']::regclass[], ARRAY['no.such', 'x']);
SELECT * FROM strata_cdc.snapshot('bad', ARRAY['snap_view']::regclass[]);
SELECT * FROM strata_cdc.snapshot('bad', ARRAY[]::regclass[]);
SELECT * FROM strata_cdc.snapshot('snap', ARRAY['snap_a']::regclass[]);
CREATE ROLE cdc_reader LOGIN REPLICATION;
SET ROLE cdc_reader;
SELECT * FROM strata_cdc.snapshot('bad', ARRAY['snap_a']::regclass[]);
RESET ROLE;
SELECT count(*) AS no_slot_left_behind FROM pg_replication_slots WHERE slot_name = 'bad';

SELECT 'dropped' FROM pg_drop_replication_slot('snap');
SELECT 'dropped' FROM pg_drop_replication_slot('snap2');
SELECT 'dropped' FROM pg_drop_replication_slot('snap3');
DROP ROLE cdc_reader;

-- a row's TOASTed values are read in full, not as the placeholder of an
-- unchanged value
CREATE TABLE snap_toast (id int PRIMARY KEY, big text, nums int[]);
ALTER TABLE snap_toast ALTER big SET STORAGE EXTERNAL, ALTER nums SET STORAGE EXTERNAL;
INSERT INTO snap_toast VALUES (1, repeat('t', 5000), (SELECT array_agg(g) FROM generate_series(1, 2000) g));
SELECT length(data::jsonb->'value'->'after'->>'big') AS big,
       jsonb_array_length(data::jsonb->'value'->'after'->'nums') AS nums
FROM strata_cdc.snapshot('snap4', ARRAY['snap_toast']::regclass[]);
SELECT 'dropped' FROM pg_drop_replication_slot('snap4');
DROP TABLE snap_toast;
