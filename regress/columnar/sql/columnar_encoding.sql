-- Type-aware encodings before compression: frame of reference and delta
-- with bit-packing for 2-, 4- and 8-byte values (integers, dates,
-- timestamps, any fixed-width by-value type), run-length for runs of any
-- fixed-length type, dictionary for low-cardinality text; the writer
-- keeps whichever is shortest.
-- Every value reads back exactly, through tuples and the batch path.
SET strata_columnar.compression = 'none';
CREATE TABLE enc (
  id int4, i2 int2, i8 int8, d date, ts timestamp, tz timestamptz, f8 float8, o oid,
  b bool, n int4, t text
) USING strata_columnar;
INSERT INTO enc
SELECT g, (g % 100)::int2, g * 1000003::int8, date '2024-01-01' + g / 100,
       timestamp '2024-01-01' + g * interval '1 second',
       timestamptz '2024-01-01 00:00+00' + g * interval '1 millisecond',
       g / 7.0, g::oid, g % 2 = 0, CASE WHEN g % 3 = 0 THEN NULL ELSE g END, 'k' || g % 5
FROM generate_series(1, 30000) g;
-- extremes, in a stripe of their own: they need every bit
INSERT INTO enc VALUES
  (-1, -32768, -9223372036854775808, '-infinity', '-infinity', 'infinity', 'NaN', 0, NULL, NULL, NULL),
  (-2, 32767, 9223372036854775807, 'infinity', 'infinity', '-infinity', '-Infinity', 4294967295, true, 2147483647, '');
CREATE TABLE enc_heap AS SELECT * FROM enc;

SELECT attname, encodings, null_count FROM strata_columnar.column_stats('enc');
-- before compression, bit-packed values take a fraction of their width
SELECT s.attname, s.raw_bytes < (30002 - s.null_count) * a.attlen * 0.6 AS under_60_percent
FROM strata_columnar.column_stats('enc') s
JOIN pg_attribute a ON a.attrelid = 'enc'::regclass AND a.attname = s.attname
WHERE s.attname IN ('id', 'i2', 'i8', 'd', 'ts', 'n') ORDER BY a.attnum;

-- every row reads back as it was written
SELECT count(*) AS differences
FROM ((TABLE enc EXCEPT ALL TABLE enc_heap) UNION ALL (TABLE enc_heap EXCEPT ALL TABLE enc)) x;
SELECT * FROM enc WHERE id < 0 ORDER BY id;
SELECT id, i2, i8, d, ts, n FROM enc WHERE id IN (1, 2, 3, 29999, 30000) ORDER BY id;

-- aggregates and filters over encoded chunks agree with heap
SELECT (SELECT (sum(id), sum(i2), min(i8), max(i8), count(n), sum(n), min(ts), max(d)) FROM enc) =
       (SELECT (sum(id), sum(i2), min(i8), max(i8), count(n), sum(n), min(ts), max(d)) FROM enc_heap) AS same_aggregates;
SELECT (SELECT count(*) FROM enc WHERE i8 BETWEEN 1000003 AND 5000015 AND n IS NOT NULL) =
       (SELECT count(*) FROM enc_heap WHERE i8 BETWEEN 1000003 AND 5000015 AND n IS NOT NULL) AS same_filtered,
       (SELECT count(*) FROM enc WHERE ts >= '2024-01-01 05:00' AND i2 = 42) =
       (SELECT count(*) FROM enc_heap WHERE ts >= '2024-01-01 05:00' AND i2 = 42) AS same_filtered_2;
SELECT strata_columnar.verify('enc');

-- with compression the encoded chunks are compressed as well
SET strata_columnar.compression = 'zstd';
CREATE TABLE enc_z USING strata_columnar AS SELECT * FROM enc;
SELECT attname, encodings, codecs FROM strata_columnar.column_stats('enc_z') WHERE attname IN ('id', 'ts');
SELECT count(*) AS differences
FROM ((TABLE enc_z EXCEPT ALL TABLE enc_heap) UNION ALL (TABLE enc_heap EXCEPT ALL TABLE enc_z)) x;

DROP TABLE enc, enc_heap, enc_z;

-- run-length: long runs of equal values, by value or not (uuid, macaddr,
-- interval, float8), with NULLs between them, under every codec
SET strata_columnar.compression = 'none';
CREATE TABLE rle (id int4, status int2, u uuid, m macaddr, iv interval, f float8, ts timestamptz, c char(3))
    USING strata_columnar;
INSERT INTO rle
SELECT g, (g / 2000)::int2,
       CASE WHEN g % 997 = 0 THEN NULL ELSE ('00000000-0000-0000-0000-' || lpad((g / 3000)::text, 12, '0'))::uuid END,
       ('08:00:2b:01:02:' || lpad(to_hex(g / 5000), 2, '0'))::macaddr,
       (g / 4000) * interval '1 hour', (g / 1500) / 3.0,
       timestamptz '2026-01-01 00:00+00' + (g / 2500) * interval '1 day', chr(65 + g / 6000) || 'xy'
FROM generate_series(0, 29999) g;
CREATE TABLE rle_heap AS SELECT * FROM rle;
SELECT attname, encodings, null_count FROM strata_columnar.column_stats('rle') ORDER BY attname;
-- runs of thousands of values take a small part of their plain width
SELECT s.attname, s.raw_bytes * 10 < (30000 - s.null_count) * a.attlen AS under_a_tenth
FROM strata_columnar.column_stats('rle') s
JOIN pg_attribute a ON a.attrelid = 'rle'::regclass AND a.attname = s.attname
WHERE s.attname IN ('status', 'u', 'm', 'iv') ORDER BY a.attnum;
SELECT count(*) AS differences
FROM ((TABLE rle EXCEPT ALL TABLE rle_heap) UNION ALL (TABLE rle_heap EXCEPT ALL TABLE rle)) x;
SELECT (SELECT (sum(status), count(u), min(m::text), max(iv), sum(f), max(ts), min(c), count(DISTINCT u)) FROM rle) =
       (SELECT (sum(status), count(u), min(m::text), max(iv), sum(f), max(ts), min(c), count(DISTINCT u)) FROM rle_heap)
       AS same_aggregates;
SELECT status, count(*), min(id), max(id) FROM rle WHERE status BETWEEN 3 AND 5 GROUP BY status ORDER BY status;
SELECT id, status, u, m, iv, f, ts, c FROM rle WHERE id IN (0, 996, 997, 14999, 29999) ORDER BY id;
SELECT strata_columnar.verify('rle');
SET strata_columnar.compression = 'lz4';
CREATE TABLE rle_lz4 USING strata_columnar AS SELECT * FROM rle;
RESET strata_columnar.compression;
CREATE TABLE rle_z USING strata_columnar AS SELECT * FROM rle;
-- the stored form is the smaller of the compressed encoding and plain
SELECT z.attname, z.stored_bytes <= n.stored_bytes AS no_larger
FROM strata_columnar.column_stats('rle_z') z JOIN strata_columnar.column_stats('rle') n USING (attname)
ORDER BY 1;
SELECT count(*) AS differences
FROM ((TABLE rle_lz4 EXCEPT ALL TABLE rle_heap) UNION ALL (TABLE rle_heap EXCEPT ALL TABLE rle_lz4)
      UNION ALL (TABLE rle_z EXCEPT ALL TABLE rle_heap) UNION ALL (TABLE rle_heap EXCEPT ALL TABLE rle_z)) x;
DROP TABLE rle, rle_heap, rle_lz4, rle_z;
RESET strata_columnar.compression;

-- Chunks are encoded and compressed on a helper thread while the writer
-- reads on (strata_columnar.background_compression); it stores the same
-- bytes as building them in line.
CREATE TABLE bg_on (id int, v text) USING strata_columnar;
CREATE TABLE bg_off (id int, v text) USING strata_columnar;
INSERT INTO bg_on SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 50000) g;
SET strata_columnar.background_compression = off;
INSERT INTO bg_off SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 50000) g;
RESET strata_columnar.background_compression;
SELECT a.attname, a.chunks, a.stored_bytes < a.raw_bytes / 2 AS compressed, a.codecs,
       (a.stored_bytes, a.raw_bytes, a.encodings) = (b.stored_bytes, b.raw_bytes, b.encodings) AS same_as_in_line
FROM strata_columnar.column_stats('bg_on') a JOIN strata_columnar.column_stats('bg_off') b USING (attname)
ORDER BY 1;
-- every encoding and the chunk bounds, built on the helper thread and in line
CREATE TABLE mix_heap (t timestamp, amount int8, kind text, note text, f float8, n numeric, u uuid,
                       hour text, seq text);
INSERT INTO mix_heap
SELECT '2026-01-01'::timestamp + g * interval '7 seconds', g % 1000,
       CASE WHEN g % 13 = 0 THEN NULL ELSE (ARRAY['view', 'click', 'buy'])[g % 3 + 1] END,
       md5(g::text), g / 7.0, (g % 97)::numeric, md5((g % 50)::text)::uuid,
       to_char('2026-01-01'::timestamp + g * interval '7 seconds', 'YYYY-MM-DD HH24'), lpad(g::text, 8, '0')
FROM generate_series(1, 30000) g;
CREATE TABLE mix_on USING strata_columnar AS SELECT * FROM mix_heap;
SET strata_columnar.background_compression = off;
CREATE TABLE mix_off USING strata_columnar AS SELECT * FROM mix_heap;
RESET strata_columnar.background_compression;
SELECT a.attname, a.encodings, a.codecs,
       (a.stored_bytes, a.raw_bytes, a.encodings) = (b.stored_bytes, b.raw_bytes, b.encodings) AS same_as_in_line
FROM strata_columnar.column_stats('mix_on') a JOIN strata_columnar.column_stats('mix_off') b USING (attname)
ORDER BY 1;
-- filters the chunk bounds answer: the same rows as heap's
SELECT (SELECT count(*) FROM mix_on WHERE note < '01') = (SELECT count(*) FROM mix_heap WHERE note < '01') AS text_range,
       (SELECT count(*) FROM mix_on WHERE kind = 'buy') = (SELECT count(*) FROM mix_heap WHERE kind = 'buy') AS dictionary,
       (SELECT count(*) FROM mix_on WHERE n > 95) = (SELECT count(*) FROM mix_heap WHERE n > 95) AS numeric,
       (SELECT count(*) FROM mix_on WHERE t < '2026-01-01 01:00') = (SELECT count(*) FROM mix_heap WHERE t < '2026-01-01 01:00') AS delta,
       (SELECT sum(amount) FROM mix_on WHERE u = md5('7')::uuid) = (SELECT sum(amount) FROM mix_heap WHERE u = md5('7')::uuid) AS uuid;
-- bounds of integers (kept row by row), of dictionary and of plain text
-- (found from the chunk the thread built)
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM mix_on WHERE t < '2026-01-01 01:00';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM mix_on WHERE hour = '2026-01-02 23';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM mix_on WHERE seq >= '00025000';
SELECT (SELECT count(*) FROM mix_on WHERE hour = '2026-01-02 23') = (SELECT count(*) FROM mix_heap WHERE hour = '2026-01-02 23') AS hour,
       (SELECT count(*) FROM mix_on WHERE seq >= '00025000') = (SELECT count(*) FROM mix_heap WHERE seq >= '00025000') AS seq;
DROP TABLE mix_heap, mix_on, mix_off;
-- chunks in flight when a statement fails, a subtransaction rolls back, a
-- transaction reads its own unflushed rows or aborts
BEGIN;
INSERT INTO bg_on SELECT g, repeat(md5(g::text), 3) FROM generate_series(100001, 125000) g;
SAVEPOINT s;
INSERT INTO bg_on SELECT g, CASE WHEN g = 160000 THEN (1 / 0)::text ELSE repeat(md5(g::text), 3) END
FROM generate_series(130001, 170000) g;
ROLLBACK TO s;
SELECT count(*), count(DISTINCT v), sum(length(v)) FROM bg_on;
COMMIT;
BEGIN;
INSERT INTO bg_on SELECT g, repeat(md5(g::text), 3) FROM generate_series(200001, 235000) g;
ROLLBACK;
INSERT INTO bg_on SELECT g, repeat(md5(g::text), 3) FROM generate_series(300001, 300100) g;
SELECT count(*), count(DISTINCT v), sum(length(v)) FROM bg_on;
SELECT strata_columnar.verify('bg_on') LIKE 'ok: %' AS verified;
DROP TABLE bg_on, bg_off;
