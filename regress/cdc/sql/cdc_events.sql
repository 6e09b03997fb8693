-- strata_cdc: the events of inserts, updates, deletes, truncates and
-- messages; keys, tombstones, primary key changes; the source block;
-- transaction metadata.
SET synchronous_commit = on;
CREATE TABLE customers (
    id int PRIMARY KEY,
    email text NOT NULL,
    balance numeric(10,2),
    created_at timestamptz NOT NULL,
    note text);
CREATE TABLE nokey (a int, b text);
SELECT 'init' FROM pg_create_logical_replication_slot('ev', 'strata_cdc');

INSERT INTO customers VALUES (1, 'a@x.io', 1234.50, '2024-05-01 10:15:30.123456+00', 'hello');
UPDATE customers SET email = 'b@x.io' WHERE id = 1;
DELETE FROM customers WHERE id = 1;
INSERT INTO nokey VALUES (1, 'x');
UPDATE nokey SET b = 'y';
DELETE FROM nokey;
SELECT * FROM cdc_get('ev', 'topic.prefix', 'dbserver1');

-- the envelope's fields, in Debezium 3.0's order, as one line of text
INSERT INTO customers VALUES (2, 'c@x.io', NULL, '2024-05-01 00:00:00+00', NULL);
SELECT regexp_replace(regexp_replace(data, '(ts_ms|ts_us|ts_ns|txId|lsn)":\d+', '\1":N', 'g'),
                      '\\"\d+\\"', '\\"N\\"', 'g') AS event
FROM pg_logical_slot_peek_changes('ev', NULL, NULL);
-- lsn and txId are the change's; sequence holds the LSN; source.ts_ms is
-- the commit time, the top-level ts_ms the time of decoding
SELECT (e->'value'->'source'->>'lsn')::numeric = (c.lsn - '0/0'::pg_lsn) AS lsn_is_the_change,
       (e->'value'->'source'->>'txId')::xid = c.xid AS txid_is_the_transaction,
       (e->'value'->'source'->>'sequence')::jsonb->>1 = e->'value'->'source'->>'lsn' AS sequence_ends_with_lsn,
       abs((e->'value'->'source'->>'ts_ms')::bigint - extract(epoch from now()) * 1000) < 600000 AS commit_time_is_recent,
       (e->'value'->>'ts_ms')::bigint >= (e->'value'->'source'->>'ts_ms')::bigint AS decoded_after_commit,
       (e->'value'->'source'->>'ts_us')::bigint / 1000 = (e->'value'->'source'->>'ts_ms')::bigint AS us_agree,
       (e->'value'->'source'->>'ts_ns')::bigint = (e->'value'->'source'->>'ts_us')::bigint * 1000 AS ns_agree
FROM pg_logical_slot_get_changes('ev', NULL, NULL) c, LATERAL (SELECT c.data::jsonb AS e) x;

-- a second transaction's sequence starts with the first one's commit LSN
INSERT INTO customers VALUES (3, 'd@x.io', 1, '2024-01-01 00:00:00+00', NULL);
INSERT INTO customers VALUES (4, 'e@x.io', 1, '2024-01-01 00:00:00+00', NULL);
SELECT (e->'value'->'source'->>'sequence')::jsonb->>0 IS NOT NULL AS has_previous_commit,
       ((e->'value'->'source'->>'sequence')::jsonb->>0)::numeric < (e->'value'->'source'->>'lsn')::numeric AS before_the_change
FROM pg_logical_slot_get_changes('ev', NULL, NULL) c, LATERAL (SELECT c.data::jsonb AS e) x
OFFSET 1;

-- a new primary key: delete of the old key, its tombstone, create
UPDATE customers SET id = 30 WHERE id = 3;
SELECT * FROM cdc_get('ev');
-- without tombstones
DELETE FROM customers WHERE id = 4;
SELECT * FROM cdc_get('ev', 'tombstones', 'false');

-- truncates are skipped by default, as in Debezium
TRUNCATE customers, nokey;
SELECT count(*) FROM cdc_get('ev');
INSERT INTO customers VALUES (5, 'f@x.io', 1, '2024-01-01 00:00:00+00', NULL);
TRUNCATE customers, nokey;
SELECT * FROM cdc_get('ev', 'skipped.operations', 'none', 'topic.prefix', 'p');

-- messages: transactional or not, any bytes
SELECT 'm' FROM pg_logical_emit_message(true, 'audit', 'hello');
SELECT 'm' FROM pg_logical_emit_message(false, 'heartbeat', '\x00ff'::bytea);
-- PostgreSQL 15 does not flush a non-transactional message: a WAL switch does
SELECT pg_switch_wal() IS NOT NULL AS flushed;
SELECT * FROM cdc_get('ev');
SELECT 'm' FROM pg_logical_emit_message(false, 'heartbeat', 'x');
SELECT pg_switch_wal() IS NOT NULL AS flushed;
SELECT jsonb_typeof(data::jsonb->'value'->'source'->'txId') AS non_transactional_txid
FROM pg_logical_slot_get_changes('ev', NULL, NULL);
BEGIN;
SELECT 'm' FROM pg_logical_emit_message(true, 'audit', 'rolled back');
ROLLBACK;
SELECT count(*) AS rolled_back_messages FROM cdc_get('ev');

-- skipped operations
INSERT INTO customers VALUES (6, 'g@x.io', 1, '2024-01-01 00:00:00+00', NULL);
UPDATE customers SET note = 'n' WHERE id = 6;
DELETE FROM customers WHERE id = 6;
SELECT 'm' FROM pg_logical_emit_message(true, 'audit', 'x');
SELECT e->'value'->>'op' AS op FROM cdc_get('ev', 'skipped.operations', 'c, m') e;

-- transaction metadata: BEGIN before the first event, END with the counts
BEGIN;
INSERT INTO customers VALUES (7, 'h@x.io', 1, '2024-01-01 00:00:00+00', NULL);
INSERT INTO nokey VALUES (7, 'h');
UPDATE customers SET note = 'x' WHERE id = 7;
COMMIT;
INSERT INTO customers VALUES (8, 'i@x.io', 1, '2024-01-01 00:00:00+00', NULL);
SELECT * FROM cdc_get('ev', 'include.transaction', 'true');
-- the ids of BEGIN, END and the events agree: <xid>:<commit lsn>
BEGIN;
INSERT INTO nokey VALUES (9, 'j');
INSERT INTO nokey VALUES (10, 'k');
COMMIT;
SELECT count(DISTINCT coalesce(e->'value'->'transaction'->>'id', e->'value'->>'id')) AS distinct_ids,
       bool_and(coalesce(e->'value'->'transaction'->>'id', e->'value'->>'id') ~ ('^' || c.xid || ':\d+$')) AS xid_and_lsn
FROM pg_logical_slot_get_changes('ev', NULL, NULL, 'include.transaction', 'true') c,
     LATERAL (SELECT c.data::jsonb AS e) x;
-- a transaction whose events are all filtered out has no BEGIN or END
INSERT INTO nokey VALUES (11, 'l');
SELECT count(*) FROM cdc_get('ev', 'include.transaction', 'true', 'table.include.list', 'public.customers');

-- changes of aborted transactions and rolled back savepoints never appear
BEGIN;
INSERT INTO customers VALUES (12, 'x', 1, '2024-01-01 00:00:00+00', NULL);
SAVEPOINT s;
INSERT INTO customers VALUES (13, 'y', 1, '2024-01-01 00:00:00+00', NULL);
ROLLBACK TO s;
INSERT INTO customers VALUES (14, 'z', 1, '2024-01-01 00:00:00+00', NULL);
COMMIT;
BEGIN;
INSERT INTO customers VALUES (15, 'w', 1, '2024-01-01 00:00:00+00', NULL);
ROLLBACK;
SELECT e->'key' AS key FROM cdc_get('ev') e;

SELECT 'dropped' FROM pg_drop_replication_slot('ev');
