-- scripts/demo.sql: a walk through every layer of Strata that exists so far.
-- Run by scripts/demo with psql --echo-queries; :events_gen is the path of
-- the benchmark data generator, which it builds.
\pset footer off

-- One command installs the whole bundle: the umbrella and every part.
CREATE EXTENSION strata CASCADE;

-- The parts of the bundle, and which of them this server has.
SELECT part, layer, replaces, available_version, installed FROM strata.parts;

-- An OLTP-style table of clickstream events: 100,000 rows from the
-- benchmark generator (the same rows DuckDB gets in bench/run).
\ir ../bench/events.sql
\set gen_command :events_gen ' --rows 100000 --seed 42'
COPY events FROM PROGRAM :'gen_command' (FORMAT csv);
SELECT count(*) AS events, min(event_time), max(event_time) FROM events;

-- The seed's ClickHouse dashboard query, on plain PostgreSQL for now:
-- purchase revenue per country on one day.
SELECT country, round(sum(revenue_cents) / 100.0, 2) AS revenue_usd
FROM events
WHERE event_date = '2026-02-14' AND event_type = 'purchase'
GROUP BY country ORDER BY revenue_usd DESC LIMIT 5;

-- strata_columnar: the same rows in a columnar table, a fraction of the size.
CREATE TABLE events_columnar USING strata_columnar AS SELECT * FROM events;
SELECT pg_size_pretty(pg_total_relation_size('events')) AS heap,
       pg_size_pretty(pg_total_relation_size('events_columnar')) AS columnar;
SELECT attname, pg_size_pretty(raw_bytes) AS raw, pg_size_pretty(stored_bytes) AS stored, codecs
FROM strata_columnar.column_stats('events_columnar');

-- The same query, the same answer.
SELECT country, round(sum(revenue_cents) / 100.0, 2) AS revenue_usd
FROM events_columnar
WHERE event_date = '2026-02-14' AND event_type = 'purchase'
GROUP BY country ORDER BY revenue_usd DESC LIMIT 5;
SELECT strata_columnar.verify('events_columnar');

-- strata_iceberg: the same events as a Parquet file (DuckDB wrote it),
-- inspected and loaded with COPY.
SELECT num_rows, num_row_groups, num_columns, created_by
FROM strata_iceberg.parquet_file_metadata(:'parquet');
SELECT path, codec, encodings, null_count, min, max
FROM strata_iceberg.parquet_metadata(:'parquet') WHERE row_group = 0;
CREATE TABLE events_from_parquet (LIKE events) USING strata_columnar;
COPY events_from_parquet FROM :'parquet' WITH (FORMAT parquet);
SELECT count(*) AS loaded,
       (SELECT count(*) FROM (TABLE events EXCEPT ALL TABLE events_from_parquet) d) AS missing
FROM events_from_parquet;

-- ... and written back as Parquet: COPY (query) TO, zstd by default, each
-- column in the Parquet type DuckDB, Spark or Trino read it as (sum()
-- returns an unbounded numeric, which has no Parquet type: hence the cast).
COPY (SELECT event_date, country, count(*) AS events, sum(revenue_cents)::bigint AS revenue_cents
      FROM events_columnar GROUP BY event_date, country ORDER BY 1, 2)
  TO :'parquet_out' WITH (FORMAT parquet);
SELECT name, physical_type, logical_type FROM strata_iceberg.parquet_schema(:'parquet_out') WHERE depth = 1;

-- strata_cdc: every committed change as a Debezium event, from a logical
-- replication slot (here read with SQL; pg_recvlogical streams it too).
CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric(10,2), placed timestamptz);
SELECT 'created' AS slot FROM pg_create_logical_replication_slot('demo_cdc', 'strata_cdc');
INSERT INTO orders VALUES (1, 'ada', 12.50, '2026-02-14 09:30:00+00'), (2, 'bob', 99.00, '2026-02-14 10:00:00+00');
UPDATE orders SET total = 13.75 WHERE id = 1;
DELETE FROM orders WHERE id = 2;
SELECT data::jsonb->>'topic' AS topic, data::jsonb->'key' AS key, data::jsonb->'value'->>'op' AS op,
       data::jsonb->'value'->'after' AS after
FROM pg_logical_slot_peek_changes('demo_cdc', NULL, NULL, 'topic.prefix', 'shop');
-- one whole event, as a Kafka consumer of Debezium would receive it
SELECT data AS event
FROM pg_logical_slot_get_changes('demo_cdc', NULL, NULL, 'topic.prefix', 'shop') LIMIT 1;
SELECT pg_drop_replication_slot('demo_cdc');

-- a stream: a background worker keeps orders_mirror equal to orders,
-- applying every committed change in order (the table sink); an http://
-- sink would POST the same events as Debezium JSON
CREATE TABLE orders_mirror (LIKE orders INCLUDING ALL);
SELECT strata_cdc.create_stream('orders_mirror', '{orders}', 'table:orders_mirror');
INSERT INTO orders VALUES (3, 'cy', 42.00, '2026-02-14 11:00:00+00');
UPDATE orders SET total = total + 1;
DO $$
DECLARE target pg_lsn := pg_current_wal_lsn();
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN (SELECT delivered_lsn >= target FROM strata_cdc.streams WHERE name = 'orders_mirror');
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT name, state, lag_bytes, events_delivered, last_error FROM strata_cdc.streams;
SELECT * FROM orders_mirror ORDER BY id;
SELECT count(*) AS differences
FROM ((TABLE orders EXCEPT TABLE orders_mirror) UNION ALL (TABLE orders_mirror EXCEPT TABLE orders)) d;
SELECT strata_cdc.drop_stream('orders_mirror');
