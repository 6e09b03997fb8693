-- strata_cdc: a transaction far larger than logical_decoding_work_mem is
-- spilled by the reorder buffer and comes out as one event per change, in
-- order; memory does not grow with it.
SET synchronous_commit = on;
CREATE TABLE big (id int PRIMARY KEY, pad text);
SELECT 'init' FROM pg_create_logical_replication_slot('lg', 'strata_cdc');
INSERT INTO big SELECT g, repeat('p', 200) FROM generate_series(1, 20000) g;
UPDATE big SET pad = 'q' WHERE id % 2 = 0;
SET logical_decoding_work_mem = '64kB';
SELECT count(*) AS events,
       count(*) FILTER (WHERE e->'value'->>'op' = 'c') AS creates,
       count(*) FILTER (WHERE e->'value'->>'op' = 'u') AS updates,
       bool_and((e->'key'->>'id')::int = CASE WHEN n <= 20000 THEN n ELSE (n - 20000) * 2 END) AS in_order,
       max(octet_length(e::text)) < 2000 AS one_change_per_event
FROM pg_logical_slot_get_changes('lg', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n),
     LATERAL (SELECT c.data::jsonb AS e) x;
SELECT spill_txns > 0 AS spilled FROM pg_stat_replication_slots WHERE slot_name = 'lg';
SELECT 'dropped' FROM pg_drop_replication_slot('lg');
