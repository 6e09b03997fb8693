-- strata_cdc streams: create_stream() and its checks, a table sink keeping
-- a mirror, pause, resume, a stream stopped by an error, drop.
SET synchronous_commit = on;

-- until the stream has delivered what was committed before the call
CREATE FUNCTION cdc_wait_stream(stream name) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  target pg_lsn := pg_current_wal_lsn();
  s record;
BEGIN
  FOR i IN 1..1200 LOOP
    SELECT * INTO s FROM strata_cdc.streams WHERE name = stream;
    IF s.state = 'streaming' AND s.delivered_lsn >= target THEN
      RETURN 'caught up';
    END IF;
    IF s.state = 'failed' THEN
      RETURN 'failed: ' || s.last_error;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RETURN format('not caught up: %s %s', s.state, s.last_error);
END $$;

-- until the stream's state is the one given
CREATE FUNCTION cdc_wait_state(stream name, wanted text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  s record;
BEGIN
  FOR i IN 1..1200 LOOP
    SELECT * INTO s FROM strata_cdc.streams WHERE name = stream;
    IF s.state = wanted THEN
      RETURN wanted;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RETURN format('still %s: %s', s.state, s.last_error);
END $$;

-- rows in one table and not the other, both ways
CREATE FUNCTION cdc_diff(a regclass, b regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((TABLE %s EXCEPT ALL TABLE %s) UNION ALL (TABLE %s EXCEPT ALL TABLE %s)) d',
                 a, b, b, a) INTO n;
  RETURN n;
END $$;

CREATE TABLE st_orders (
  id int PRIMARY KEY,
  customer text NOT NULL,
  amount numeric(12,2),
  tags text[],
  doc jsonb,
  placed date,
  at timestamptz,
  span interval,
  raw bytea,
  note text
);
CREATE TABLE st_orders_mirror (LIKE st_orders INCLUDING ALL);
INSERT INTO st_orders
SELECT g, 'c' || g % 7, g * 1.25, ARRAY['a' || g, NULL, 'with "quote"'],
       jsonb_build_object('g', g, 'nested', jsonb_build_array(g, 'x', NULL)),
       date '2024-01-01' + g, timestamptz '2024-05-06 07:08:09.123456+02' + g * interval '1 hour',
       g * interval '1 minute 3 seconds', decode(md5(g::text), 'hex'), NULL
FROM generate_series(1, 200) g;

-- bad definitions: each is an error that names what is wrong
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'ftp://example.com/');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'table:no_such_table');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'table:a.b.c');
SELECT strata_cdc.create_stream('bad', '{}', 'table:st_orders_mirror');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'table:st_orders');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/', '{nope,1}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/', '{batch.max.events,0}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/', '{batch.linger.ms,soon}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/', '{snapshot,sometimes}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/', '{http.format,avro}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/', '{table.include.list,x}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/', '{value.encoding,text}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/', '{decimal.handling.mode,exact}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/', '{tombstones}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'table:st_orders_mirror', '{http.timeout.ms,100}');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'table:st_orders_mirror', '{schemas.enable,true}');
SELECT strata_cdc.create_stream('bad name!', '{st_orders}', 'http://127.0.0.1:9/');
CREATE TABLE st_nokey (v text);
CREATE TABLE st_nokey_m (v text);
SELECT strata_cdc.create_stream('bad', '{st_nokey}', 'table:st_nokey_m');
CREATE VIEW st_view AS SELECT * FROM st_orders;
SELECT strata_cdc.create_stream('bad', '{st_view}', 'http://127.0.0.1:9/');
CREATE UNLOGGED TABLE st_unlogged (id int PRIMARY KEY);
SELECT strata_cdc.create_stream('bad', '{st_unlogged}', 'http://127.0.0.1:9/');
CREATE TABLE st_a (id int PRIMARY KEY);
CREATE TABLE st_b (id int PRIMARY KEY);
CREATE TABLE st_ab (id int PRIMARY KEY);
SELECT strata_cdc.create_stream('bad', '{st_a,st_b}', 'table:st_ab');
-- privileges: a stream is a slot, so REPLICATION is needed, and SELECT
-- on the tables and the sink's rights on the targets
CREATE ROLE st_plain;
CREATE ROLE st_repl REPLICATION;
GRANT SELECT ON st_orders TO st_repl;
SET ROLE st_plain;
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'http://127.0.0.1:9/');
SELECT * FROM strata_cdc.stream_config;
SET ROLE st_repl;
SELECT strata_cdc.create_stream('bad', '{st_a}', 'http://127.0.0.1:9/');
SELECT strata_cdc.create_stream('bad', '{st_orders}', 'table:st_orders_mirror');
RESET ROLE;
SELECT count(*) AS streams FROM strata_cdc.stream_config;

-- a mirror: the rows at the start, then every change in commit order
SELECT strata_cdc.create_stream('orders_mirror', '{st_orders}', 'table:st_orders_mirror');
SELECT strata_cdc.create_stream('orders_mirror', '{st_orders}', 'table:st_orders_mirror');
SELECT cdc_wait_stream('orders_mirror');
SELECT count(*) AS mirrored, cdc_diff('st_orders', 'st_orders_mirror') AS differences FROM st_orders_mirror;
SELECT name, tables, sink, state, slot_name, lag_bytes, events_delivered, last_error, options, owner
FROM strata_cdc.streams;
SELECT slot_name, plugin FROM pg_replication_slots WHERE slot_name = 'orders_mirror';

-- inserts, updates (a TOASTed value, then a change beside it that leaves
-- it out of the WAL), deletes, a key change, an aborted transaction
BEGIN;
UPDATE st_orders SET amount = amount * 2, tags = NULL WHERE id % 3 = 0;
UPDATE st_orders SET note = (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i) WHERE id = 5;
INSERT INTO st_orders (id, customer) VALUES (1000, 'new');
COMMIT;
UPDATE st_orders SET customer = 'toast kept' WHERE id = 5;
DELETE FROM st_orders WHERE id BETWEEN 100 AND 120;
UPDATE st_orders SET id = id + 5000 WHERE id IN (7, 8);
BEGIN;
DELETE FROM st_orders;
ROLLBACK;
INSERT INTO st_orders (id, customer, doc) VALUES (2000, 'unicode ✓ "q" \ end', '{"a": [1, 2.50, null, true]}');
SELECT cdc_wait_stream('orders_mirror');
SELECT cdc_diff('st_orders', 'st_orders_mirror') AS differences;
SELECT length(note) AS toasted_note, customer FROM st_orders_mirror WHERE id = 5;
SELECT id, customer, doc FROM st_orders_mirror WHERE id IN (2000, 5007, 5008, 7) ORDER BY id;

-- paused: the slot keeps the changes; resumed: they arrive
SELECT strata_cdc.pause_stream('orders_mirror');
SELECT cdc_wait_state('orders_mirror', 'paused');
INSERT INTO st_orders (id, customer) VALUES (3000, 'while paused');
SELECT pg_sleep(0.5);
SELECT count(*) AS arrived_while_paused FROM st_orders_mirror WHERE id = 3000;
SELECT lag_bytes > 0 AS lagging FROM strata_cdc.streams WHERE name = 'orders_mirror';
SELECT strata_cdc.resume_stream('orders_mirror');
SELECT cdc_wait_stream('orders_mirror');
SELECT count(*) AS arrived_after_resume FROM st_orders_mirror WHERE id = 3000;

-- truncate is applied too
TRUNCATE st_orders;
INSERT INTO st_orders (id, customer) VALUES (1, 'after truncate');
SELECT cdc_wait_stream('orders_mirror');
SELECT id, customer FROM st_orders_mirror;

-- a row the mirror refuses stops the stream, with the error in the view;
-- nothing is skipped: once the mirror is fixed, resume delivers it
INSERT INTO st_orders_mirror (id, customer) VALUES (2, 'in the way');
INSERT INTO st_orders (id, customer) VALUES (2, 'blocked'), (3, 'behind it');
SELECT cdc_wait_state('orders_mirror', 'failed');
SELECT state, last_error FROM strata_cdc.streams WHERE name = 'orders_mirror';
DELETE FROM st_orders_mirror WHERE id = 2;
SELECT strata_cdc.resume_stream('orders_mirror');
SELECT cdc_wait_stream('orders_mirror');
SELECT id, customer FROM st_orders_mirror ORDER BY id;

-- a target without the source's key columns: stopped, with the reason
CREATE TABLE st_a_m (other int);
SELECT strata_cdc.create_stream('a_stream', '{st_a}', 'table:st_a_m', '{snapshot,never}');
SELECT cdc_wait_state('a_stream', 'streaming');
INSERT INTO st_a VALUES (1);
SELECT cdc_wait_state('a_stream', 'failed');
SELECT state, last_error FROM strata_cdc.streams WHERE name = 'a_stream';

-- an unreachable HTTP sink: retried, never failed, the error shown; the
-- snapshot waits in the spool
INSERT INTO st_b SELECT generate_series(1, 5);
SELECT strata_cdc.create_stream('nowhere', '{st_b}', 'http://127.0.0.1:9/x',
                                '{retry.backoff.ms,20,retry.backoff.max.ms,50}');
DO $$
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN (SELECT retries >= 2 FROM strata_cdc.streams WHERE name = 'nowhere');
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT state, retries >= 2 AS retried, last_error LIKE 'stream "nowhere" could not deliver to "http://127.0.0.1:9/x"%' AS error_shown
FROM strata_cdc.streams WHERE name = 'nowhere';
SELECT count(*) AS spooled FROM strata_cdc.snapshot_spool WHERE stream = 'nowhere';

-- drop: not inside a transaction block, only by the owner
BEGIN;
SELECT strata_cdc.drop_stream('nowhere');
ROLLBACK;
SET ROLE st_repl;
SELECT strata_cdc.drop_stream('nowhere');
SELECT strata_cdc.pause_stream('nowhere');
SELECT name FROM strata_cdc.streams;
RESET ROLE;
SELECT strata_cdc.drop_stream('no_such_stream');
SELECT strata_cdc.pause_stream('no_such_stream');
SELECT strata_cdc.drop_stream('nowhere');
SELECT strata_cdc.drop_stream('a_stream');
SELECT strata_cdc.drop_stream('orders_mirror');
SELECT count(*) AS streams FROM strata_cdc.stream_config;
SELECT count(*) AS spooled FROM strata_cdc.snapshot_spool;
SELECT count(*) AS slots FROM pg_replication_slots WHERE slot_name IN ('orders_mirror', 'a_stream', 'nowhere');

DROP TABLE st_orders, st_orders_mirror, st_nokey, st_nokey_m, st_a, st_b, st_ab, st_a_m, st_unlogged CASCADE;
DROP ROLE st_plain;
DROP ROLE st_repl;
