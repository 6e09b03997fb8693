-- The basics: create, load, read, and what the metadata says.
CREATE EXTENSION strata_columnar;
SET client_min_messages = warning;

CREATE TABLE events (id int8, kind text, amount numeric(12,2), at timestamptz, flag bool)
    USING strata_columnar;
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.relname = 'events';

-- an empty table
SELECT count(*) FROM events;
SELECT * FROM strata_columnar.stats('events');

-- single rows, NULLs in every column
INSERT INTO events VALUES (1, 'view', 1.50, '2026-01-01 10:00+00', true);
INSERT INTO events VALUES (2, NULL, NULL, NULL, NULL);
INSERT INTO events (id) VALUES (3);
SELECT * FROM events ORDER BY id;

-- a bulk load through INSERT ... SELECT and through COPY
INSERT INTO events
SELECT g, (ARRAY['view','click','purchase'])[g % 3 + 1], g % 1000 / 10.0,
       '2026-01-01 00:00+00'::timestamptz + g * interval '1 minute', g % 2 = 0
FROM generate_series(4, 50000) g;
COPY events (id) FROM PROGRAM 'seq 50001 60000' WITH (FORMAT csv);
SELECT count(*), count(kind), sum(id), min(at), max(at), sum(amount) FROM events;

-- the same rows in a heap table read back identically
CREATE TABLE events_heap AS SELECT * FROM events;
SELECT count(*) AS differ FROM (
    (SELECT * FROM events EXCEPT ALL SELECT * FROM events_heap)
    UNION ALL
    (SELECT * FROM events_heap EXCEPT ALL SELECT * FROM events)) d;

-- metadata: stripes, chunk groups, every row accounted for, compression used
SELECT stripes > 0 AS has_stripes, chunk_groups >= stripes AS groups_ok,
       row_count, data_bytes < raw_bytes AS compressed
FROM strata_columnar.stats('events');
SELECT attname, chunks > 0 AS has_chunks, null_count, codecs
FROM strata_columnar.column_stats('events');
SELECT strata_columnar.verify('events') LIKE 'ok: %' AS verified;

-- smaller than the same rows in a heap table
SELECT pg_relation_size('events') < pg_relation_size('events_heap') / 2 AS smaller;

-- a filter and an aggregate over one column
SELECT sum(id) FROM events WHERE id % 1000 = 0;

-- CREATE TABLE AS and SELECT INTO build columnar tables too
CREATE TABLE events_copy USING strata_columnar AS SELECT * FROM events WHERE id <= 100;
SELECT count(*), sum(id) FROM events_copy;
SET default_table_access_method = strata_columnar;
CREATE TABLE by_default (x int);
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.relname = 'by_default';
RESET default_table_access_method;

-- DROP TABLE takes the metadata with it (the sql_drop event trigger)
SELECT count(*) > 0 AS has_metadata FROM strata_columnar.storage;
DROP TABLE events, events_copy, by_default;
SELECT count(*) AS storages_left FROM strata_columnar.storage s
WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relfilenode = s.relfilenode);
SELECT count(*) AS stripes_left FROM strata_columnar.stripe s
WHERE NOT EXISTS (SELECT 1 FROM strata_columnar.storage st WHERE st.storage_id = s.storage_id);
DROP TABLE events_heap;
