-- ColumnarAgg: ungrouped aggregates a chunk group at a time, with exactly
-- the results of PostgreSQL's own Aggregate, or not used at all.
SET client_min_messages = warning;
SET strata_columnar.chunk_group_row_limit = 1000;
CREATE TABLE ag (i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, d date, ts timestamp,
                 tz timestamptz, t text, n numeric, k text) USING strata_columnar;
-- an autovacuum merging its stripes would change the chunk groups counted
ALTER TABLE ag SET (autovacuum_enabled = off);
INSERT INTO ag
SELECT CASE WHEN g % 7 = 0 THEN NULL ELSE (g % 30000)::int2 END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE g - 5000 END,
       CASE WHEN g % 13 = 0 THEN NULL ELSE g::int8 * 1000000007 END,
       CASE WHEN g % 17 = 0 THEN NULL ELSE g / 3.0 END,
       CASE WHEN g % 19 = 0 THEN NULL ELSE g / 7.0 END,
       '2026-01-01'::date + g / 500, '2026-01-01'::timestamp + g * interval '1 minute',
       '2026-01-01 00:00+00'::timestamptz + g * interval '1 minute', 't' || g, g / 3.0,
       CASE WHEN g % 23 = 0 THEN NULL ELSE 'kind' || g % 4 END
FROM generate_series(1, 20000) g;
RESET strata_columnar.chunk_group_row_limit;
CREATE TABLE ag_heap AS SELECT * FROM ag;

CREATE FUNCTION plan_of(q text) RETURNS TABLE (line text) LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF r."QUERY PLAN" ~ '(Columnar|Aggregate|Columns read|Group keys|filters|Chunk groups)' THEN
            line := trim(r."QUERY PLAN");
            RETURN NEXT;
        END IF;
    END LOOP;
END $$;

-- the shapes it takes, what it reads, and what it answers from metadata
SELECT * FROM plan_of('SELECT count(*) FROM ag');
SELECT * FROM plan_of('SELECT count(i4), min(i8), max(d), min(ts) FROM ag');
SELECT * FROM plan_of('SELECT sum(i8), avg(i4) FROM ag WHERE d >= ''2026-01-20''');
SELECT * FROM plan_of('SELECT sum(i8) / 100 AS scaled, count(*) * 2 FROM ag WHERE i4 < 0');
-- and what it leaves to the ordinary plan
SELECT * FROM plan_of('SELECT count(*) FROM ag GROUP BY i2 % 3');
SELECT * FROM plan_of('SELECT f8, count(*) FROM ag GROUP BY f8');
SELECT * FROM plan_of('SELECT k, count(*) FROM ag GROUP BY k HAVING count(*) > 1');
SELECT * FROM plan_of('SELECT sum(n) FROM ag');
SELECT * FROM plan_of('SELECT count(DISTINCT f8) FROM ag');
SELECT * FROM plan_of('SELECT sum(DISTINCT i4) FROM ag');
SELECT * FROM plan_of('SELECT count(*) FROM ag WHERE i4 % 2 = 0');
SELECT * FROM plan_of('SELECT count(*) FROM ag WHERE f8 > 10');
SELECT * FROM plan_of('SELECT count(*) FILTER (WHERE i4 > 0) FROM ag');

-- every supported aggregate, against the ordinary plan and the heap table
CREATE FUNCTION same(q text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE a text; b text; c text;
BEGIN
    EXECUTE 'SELECT row(x.*)::text FROM (' || q || ') x' INTO a;
    EXECUTE 'SELECT row(x.*)::text FROM (' || replace(q, 'FROM ag', 'FROM ag_heap') || ') x' INTO b;
    SET LOCAL strata_columnar.enable_vectorized_agg = off;
    EXECUTE 'SELECT row(x.*)::text FROM (' || q || ') x' INTO c;
    IF a IS DISTINCT FROM b OR a IS DISTINCT FROM c THEN
        RAISE NOTICE 'ColumnarAgg % / heap % / ordinary %', a, b, c;
    END IF;
    RETURN a IS NOT DISTINCT FROM b AND a IS NOT DISTINCT FROM c;
END $$;
SELECT q, same(q) FROM (VALUES
    ('SELECT count(*), count(i2), count(i4), count(i8), count(f4), count(f8), count(t) FROM ag'),
    ('SELECT sum(i2), sum(i4), sum(i8), sum(f4), sum(f8) FROM ag'),
    ('SELECT avg(i2), avg(i4), avg(i8), avg(f4), avg(f8) FROM ag'),
    ('SELECT min(i2), max(i2), min(i4), max(i4), min(i8), max(i8) FROM ag'),
    ('SELECT min(f4), max(f4), min(f8), max(f8) FROM ag'),
    ('SELECT min(d), max(d), min(ts), max(ts), min(tz), max(tz) FROM ag'),
    ('SELECT count(*), sum(i8), avg(i4) FROM ag WHERE d >= ''2026-01-20'' AND d < ''2026-01-25'''),
    ('SELECT count(*), sum(i4), min(f8) FROM ag WHERE i4 < 0 AND i8 IS NOT NULL'),
    ('SELECT count(*), max(i8) FROM ag WHERE i2 IS NULL'),
    ('SELECT count(*), sum(i2) FROM ag WHERE 100 >= i2'),
    ('SELECT count(*), sum(i8) FROM ag WHERE ts > ''2026-01-10 12:00'' AND i4 <= 1000::int8'),
    ('SELECT count(*), sum(i8) FROM ag WHERE tz = ''2026-01-02 00:00+00'''),
    ('SELECT count(*), sum(i4) FROM ag WHERE i4 > 100000'),
    ('SELECT count(*), sum(i4) FROM ag WHERE i4 = NULL'),
    ('SELECT sum(i8) / 100 AS scaled, count(*) * 2 AS doubled FROM ag'),
    ('SELECT count(*), sum(i4) FROM ag WHERE k = ''kind2'''),
    ('SELECT count(*), max(i8) FROM ag WHERE k >= ''kind2'' AND k IS NOT NULL'),
    ('SELECT count(*), sum(i2) FROM ag WHERE t < ''t200'''),
    ('SELECT count(*) FROM ag WHERE ''kind1'' = k AND d < ''2026-01-10'''),
    ('SELECT count(*) FROM ag WHERE k IS NULL')) v(q);
SELECT * FROM plan_of('SELECT count(*) FROM ag WHERE k = ''kind2''');
SELECT attname, encodings FROM strata_columnar.column_stats('ag') WHERE attname IN ('k', 't') ORDER BY attname;

-- GROUP BY: text keys (dictionary-encoded), integers, dates, two keys, NULLs
SELECT * FROM plan_of('SELECT k, count(*), sum(i4) FROM ag GROUP BY k');
CREATE FUNCTION same_rows(q text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE a text; b text; c text;
BEGIN
    EXECUTE 'SELECT array_agg(x::text ORDER BY x::text) FROM (' || q || ') x' INTO a;
    EXECUTE 'SELECT array_agg(x::text ORDER BY x::text) FROM (' || replace(q, 'FROM ag', 'FROM ag_heap') || ') x' INTO b;
    SET LOCAL strata_columnar.enable_vectorized_agg = off;
    EXECUTE 'SELECT array_agg(x::text ORDER BY x::text) FROM (' || q || ') x' INTO c;
    RETURN a IS NOT DISTINCT FROM b AND a IS NOT DISTINCT FROM c;
END $$;
SELECT q, same_rows(q) FROM (VALUES
    ('SELECT k, count(*), sum(i4), avg(i8), min(d), max(ts) FROM ag GROUP BY k'),
    ('SELECT i2 % 7 AS m, count(*) FROM ag GROUP BY i2'),
    ('SELECT d, count(*), sum(f8), min(f4) FROM ag GROUP BY d'),
    ('SELECT k, d, count(*), max(i8) FROM ag WHERE i4 > 0 GROUP BY k, d'),
    ('SELECT t, count(*) FROM ag WHERE i4 < -4000 GROUP BY t'),
    ('SELECT k || ''!'' AS shout, count(*) * 2 FROM ag GROUP BY k'),
    ('SELECT k, count(i4) FROM ag WHERE k IS NULL GROUP BY k'),
    ('SELECT i8, count(*) FROM ag WHERE i4 > 100000 GROUP BY i8')) v(q);
SELECT k, count(*), sum(i4) FROM ag GROUP BY k ORDER BY count(*) DESC, k LIMIT 3;
SELECT g, (SELECT count(*) FROM (SELECT k FROM ag WHERE i4 < g * 1000 GROUP BY k) s)
FROM generate_series(1, 2) g;

-- an empty table, an all-NULL column, unflushed rows, added columns
CREATE TABLE ag_empty (a int8) USING strata_columnar;
SELECT count(*), sum(a), min(a), avg(a) FROM ag_empty;
BEGIN;
INSERT INTO ag (i4, i8) VALUES (1000000, 9), (NULL, 10);
INSERT INTO ag_heap (i4, i8) VALUES (1000000, 9), (NULL, 10);
SELECT same('SELECT count(*), sum(i4), max(i4), sum(i8) FROM ag');
SELECT count(*), max(i4) FROM ag;
ROLLBACK;
ALTER TABLE ag ADD COLUMN added int8 DEFAULT 3;
ALTER TABLE ag_heap ADD COLUMN added int8 DEFAULT 3;
SELECT same('SELECT count(added), sum(added), min(added), avg(added) FROM ag');
SELECT same('SELECT count(*) FROM ag WHERE added = 3');

-- overflow behaves as PostgreSQL's aggregates do
CREATE TABLE ag_big (x int4, y float8) USING strata_columnar;
INSERT INTO ag_big VALUES (2147483647, 1e308), (2147483647, 1e308);
SELECT sum(x) FROM ag_big;
SELECT sum(y) FROM ag_big;
SET strata_columnar.enable_vectorized_agg = off;
SELECT sum(y) FROM ag_big;
RESET strata_columnar.enable_vectorized_agg;

-- chunk groups with no NULLs take the batch path (group ids first, then
-- each aggregate column-wise): many integer groups, so the open-addressing
-- table grows; keys in runs; text keys by dictionary code; two keys; and a
-- NULL in one chunk group of the same table sends just that one row by row
CREATE TABLE agd (u int8, r int4, t text, s int2, x int4, y int8, f4 float4, f8 float8) USING strata_columnar;
ALTER TABLE agd SET (autovacuum_enabled = off);
INSERT INTO agd SELECT (g * 7919) % 20011, g / 1000, 'c' || (g % 23), (g % 300)::int2, g % 1000, g * 3,
                       (g % 97) / 4.0, g / 8.0
FROM generate_series(1, 60000) g;
INSERT INTO agd VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (5, 1, 'c1', 1, 1, 1, 1, 1);
CREATE TABLE agd_heap AS SELECT * FROM agd;
CREATE FUNCTION same_d(q text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE a text; b text;
BEGIN
    EXECUTE 'SELECT array_agg(x::text ORDER BY x::text) FROM (' || q || ') x' INTO a;
    EXECUTE 'SELECT array_agg(x::text ORDER BY x::text) FROM (' || replace(q, 'FROM agd', 'FROM agd_heap') || ') x' INTO b;
    RETURN a IS NOT DISTINCT FROM b;
END $$;
SELECT q, same_d(q) FROM (VALUES
    ('SELECT u, count(*), sum(x), min(y), max(s), avg(r), sum(f8), max(f4) FROM agd GROUP BY u'),
    ('SELECT u, count(*), sum(y) FROM agd WHERE x > 500 GROUP BY u'),
    ('SELECT r, count(*), sum(u), min(f8), count(s) FROM agd GROUP BY r'),
    ('SELECT t, count(*), sum(x), avg(y) FROM agd WHERE r < 30 GROUP BY t'),
    ('SELECT t, s, count(*), max(u) FROM agd GROUP BY t, s'),
    ('SELECT s, count(*) FROM agd WHERE u BETWEEN 100 AND 9000 GROUP BY s'),
    -- few groups, rows mixed: local sums per group
    ('SELECT t, count(*), sum(y), avg(s), sum(x), count(u) FROM agd GROUP BY t'),
    ('SELECT t, count(*), sum(u) FROM agd WHERE y > 30000 GROUP BY t'),
    ('SELECT s, count(*), sum(y), avg(u) FROM agd WHERE s < 200 GROUP BY s'),
    -- comparisons in the column's own width, against values of wider types
    ('SELECT count(*), sum(x) FROM agd WHERE s = 7'),
    ('SELECT count(*), sum(x) FROM agd WHERE s >= 150::int8 AND x < 600::int8'),
    ('SELECT count(*), sum(s) FROM agd WHERE x > -1 AND x <= 2 AND u > 10000'),
    ('SELECT count(*), sum(s) FROM agd WHERE y < 90000 AND s > 10::int2'),
    -- text filters over dictionary codes: one code, several, none, all
    ('SELECT count(*), sum(x) FROM agd WHERE t = ''c5'''),
    ('SELECT count(*), sum(x) FROM agd WHERE t < ''c3'' AND x > 100'),
    ('SELECT count(*) FROM agd WHERE t = ''zz'''),
    ('SELECT count(*), max(u) FROM agd WHERE t >= '''''),
    ('SELECT t, count(*) FROM agd WHERE t <> ''c1'' GROUP BY t')) v(q);
SELECT plan_of('SELECT u, count(*) FROM agd GROUP BY u');
-- keys in runs of every width: one lookup a run, run sums vectorized
CREATE TABLE agr (b bool, s int2, i int4, l int8, d date, ts timestamp, v int8, w int4) USING strata_columnar;
INSERT INTO agr SELECT (g / 700) % 2 = 0, (g / 300)::int2, g / 1000, (g / 50)::int8 * 1000000007,
       '2026-01-01'::date + g / 2000, '2026-01-01'::timestamp + (g / 900) * interval '1 hour',
       g::int8 * 7919 - 50000000, g % 1000 - 500
FROM generate_series(1, 30000) g;
-- and a chunk group whose first rows are in runs but whose tail is not
INSERT INTO agr SELECT g < 256, CASE WHEN g < 256 THEN 1 ELSE g END::int2, CASE WHEN g < 256 THEN 1 ELSE g END,
       CASE WHEN g < 256 THEN 1 ELSE g END, '2026-06-01'::date + CASE WHEN g < 256 THEN 0 ELSE g END,
       '2026-06-01'::timestamp, g, g
FROM generate_series(1, 3000) g;
CREATE TABLE agr_heap AS SELECT * FROM agr;
CREATE FUNCTION same_r(k text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE a text; b text; q text;
BEGIN
    q := format('SELECT %I, count(*), sum(v), avg(w), min(v), max(w), sum(w) FROM %%I GROUP BY %I', k, k);
    EXECUTE format('SELECT array_agg(x::text ORDER BY x::text) FROM (' || q || ') x', 'agr') INTO a;
    EXECUTE format('SELECT array_agg(x::text ORDER BY x::text) FROM (' || q || ') x', 'agr_heap') INTO b;
    RETURN a IS NOT DISTINCT FROM b AND a IS NOT NULL;
END $$;
SELECT k, same_r(k) FROM unnest(ARRAY['b', 's', 'i', 'l', 'd', 'ts']) k;
SELECT plan_of('SELECT i, sum(v) FROM agr GROUP BY i') LIMIT 1;
DROP FUNCTION same_r(text);
DROP TABLE agr, agr_heap;
-- min and max skip the chunk groups whose bounds cannot improve them
-- (bounds cover deleted rows too; a group of only NULLs adds nothing)
CREATE TABLE agm (k int8, v int4, d date, f int4) USING strata_columnar;
INSERT INTO agm SELECT (g::int8 * 7919 * 104729) % 1000003, CASE WHEN g <= 12000 THEN NULL ELSE g % 997 END,
       '2026-01-01'::date + (g * 37) % 400, g % 100
FROM generate_series(1, 50000) g;
CREATE TABLE agm_heap AS SELECT * FROM agm;
DELETE FROM agm WHERE k = (SELECT min(k) FROM agm WHERE f < 3);
DELETE FROM agm_heap WHERE k = (SELECT min(k) FROM agm_heap WHERE f < 3);
SELECT (SELECT row(min(k), max(k), min(v), max(v), min(d), max(d)) FROM agm WHERE f < 3) IS NOT DISTINCT FROM
       (SELECT row(min(k), max(k), min(v), max(v), min(d), max(d)) FROM agm_heap WHERE f < 3) AS filtered,
       (SELECT row(min(k), max(v), count(*)) FROM agm WHERE f = 99 AND v IS NULL) IS NOT DISTINCT FROM
       (SELECT row(min(k), max(v), count(*)) FROM agm_heap WHERE f = 99 AND v IS NULL) AS nulls,
       (SELECT row(min(k), max(d)) FROM agm WHERE k > 1000) IS NOT DISTINCT FROM
       (SELECT row(min(k), max(d)) FROM agm_heap WHERE k > 1000) AS same_column;
DROP TABLE agm, agm_heap;
-- integer sums split into 32-bit halves: the extremes of every width
CREATE TABLE agx (a int8, b int4, c int2, k int4) USING strata_columnar;
INSERT INTO agx SELECT CASE WHEN g % 3 = 0 THEN -9223372036854775808 WHEN g % 3 = 1 THEN 9223372036854775807
                            ELSE -(g::int8 << 31) END,
                       CASE WHEN g % 2 = 0 THEN -2147483648 ELSE 2147483647 END,
                       CASE WHEN g % 2 = 0 THEN -32768 ELSE 32767 END::int2, g % 5
FROM generate_series(1, 30000) g;
CREATE TABLE agx_heap AS SELECT * FROM agx;
SELECT (SELECT row(sum(a), sum(b), sum(c), avg(a), avg(b)) FROM agx) IS NOT DISTINCT FROM
       (SELECT row(sum(a), sum(b), sum(c), avg(a), avg(b)) FROM agx_heap) AS all_rows,
       (SELECT row(sum(a), sum(b), sum(c)) FROM agx WHERE k < 3) IS NOT DISTINCT FROM
       (SELECT row(sum(a), sum(b), sum(c)) FROM agx_heap WHERE k < 3) AS selected,
       (SELECT sum(a) FROM agx WHERE a = -9223372036854775808) AS most_negative,
       (SELECT array_agg(x::text ORDER BY x::text) FROM (SELECT k, sum(a), avg(a), count(*), sum(b), sum(c), avg(c) FROM agx GROUP BY k) x) =
       (SELECT array_agg(x::text ORDER BY x::text) FROM (SELECT k, sum(a), avg(a), count(*), sum(b), sum(c), avg(c) FROM agx_heap GROUP BY k) x) AS few_groups,
       (SELECT array_agg(x::text ORDER BY x::text) FROM (SELECT k, sum(a), count(b) FROM agx WHERE c > 0 GROUP BY k) x) =
       (SELECT array_agg(x::text ORDER BY x::text) FROM (SELECT k, sum(a), count(b) FROM agx_heap WHERE c > 0 GROUP BY k) x) AS few_groups_selected;
DROP TABLE agx, agx_heap;
-- dictionaries past 256 values: two-byte codes
CREATE TABLE agw (w text, x int4) USING strata_columnar;
INSERT INTO agw SELECT 'w' || (g * 31) % 700, g FROM generate_series(1, 20000) g;
CREATE TABLE agw_heap AS SELECT * FROM agw;
SELECT attname, encodings FROM strata_columnar.column_stats('agw') WHERE attname = 'w';
SELECT (SELECT count(*) FROM agw WHERE w = 'w613') = (SELECT count(*) FROM agw_heap WHERE w = 'w613') AS one,
       (SELECT sum(x) FROM agw WHERE w > 'w50') = (SELECT sum(x) FROM agw_heap WHERE w > 'w50') AS several,
       (SELECT count(*) FROM agw WHERE w = 'w9999') AS none,
       (SELECT count(*) FROM agw WHERE w < 'x') AS every;
DROP TABLE agw, agw_heap;
-- count(DISTINCT) of integers, dates and timestamps: one set of (group, value)
SELECT q, same_d(q) FROM (VALUES
    ('SELECT count(DISTINCT u), count(DISTINCT x), count(*), sum(s) FROM agd'),
    ('SELECT count(DISTINCT u) FROM agd WHERE r BETWEEN 5 AND 9'),
    ('SELECT r, count(DISTINCT u), count(DISTINCT s), max(y) FROM agd GROUP BY r'),
    ('SELECT t, count(DISTINCT x) FROM agd WHERE u > 1000 GROUP BY t'),
    ('SELECT s, count(DISTINCT r) FROM agd GROUP BY s')) v(q);
SELECT plan_of('SELECT count(DISTINCT u) FROM agd WHERE r = 7');
-- floats are not distinct bytewise (-0 and 0, NaNs): PostgreSQL counts them
SELECT plan_of('SELECT count(DISTINCT f8) FROM agd') LIMIT 1;
INSERT INTO agd (u, f8) VALUES (1, '0'), (1, '-0'), (2, 'NaN'), (2, '-NaN');
INSERT INTO agd_heap (u, f8) VALUES (1, '0'), (1, '-0'), (2, 'NaN'), (2, '-NaN');
SELECT same_d('SELECT u, count(DISTINCT f8) FROM agd WHERE u < 3 GROUP BY u');
-- deleted rows are not counted; a rescan starts a new set
DELETE FROM agd WHERE u % 3 = 0;
DELETE FROM agd_heap WHERE u % 3 = 0;
SELECT same_d('SELECT r, count(DISTINCT u) FROM agd GROUP BY r');
SELECT g, (SELECT count(DISTINCT u) FROM agd WHERE r = g) FROM generate_series(1, 3) g;
SELECT g, (SELECT count(DISTINCT u) FROM agd_heap WHERE r = g) FROM generate_series(1, 3) g;
SELECT count(*) FROM (SELECT u FROM agd GROUP BY u) x;
DROP TABLE agd, agd_heap;
DROP FUNCTION same_d(text);

-- a filter the bounds show every row of a chunk group to pass is neither
-- decoded nor evaluated there: a range's inner groups count from metadata
SELECT * FROM plan_of('SELECT count(*), min(ts), max(d) FROM ag WHERE ts >= ''2026-01-03'' AND ts < ''2026-01-08''');
SELECT q, same(q) FROM (VALUES
    ('SELECT count(*), min(ts), max(d) FROM ag WHERE ts >= ''2026-01-03'' AND ts < ''2026-01-08'''),
    ('SELECT count(*), sum(i4), avg(i8) FROM ag WHERE ts <= ''2026-01-03 02:00'''),
    ('SELECT count(*), sum(i4), avg(i8) FROM ag WHERE ts < ''2026-01-03 02:00'''),
    ('SELECT count(*), sum(i4), max(i2) FROM ag WHERE ts > ''2026-01-01 16:40'''),
    ('SELECT count(*), sum(i4), max(i2) FROM ag WHERE ts >= ''2026-01-01 16:41'''),
    ('SELECT count(*), count(i4), sum(i8) FROM ag WHERE d >= ''2026-01-01'' AND ts IS NOT NULL'),
    ('SELECT count(*), sum(i4) FROM ag WHERE i4 IS NOT NULL AND ts < ''2026-01-05'''),
    ('SELECT count(*), sum(i8) FROM ag WHERE k IS NULL AND ts > ''2026-01-02'''),
    ('SELECT count(*), min(i8) FROM ag WHERE tz = ''2026-01-02 00:00+00'' AND ts < ''2026-01-09''')) v(q);
BEGIN;
DELETE FROM ag WHERE i4 BETWEEN 3000 AND 3100;
DELETE FROM ag_heap WHERE i4 BETWEEN 3000 AND 3100;
SELECT same('SELECT count(*), min(ts), sum(i4) FROM ag WHERE ts >= ''2026-01-03'' AND ts < ''2026-01-08''');
SELECT same_rows('SELECT k, count(*), sum(i4) FROM ag WHERE ts >= ''2026-01-03'' AND ts < ''2026-01-08'' GROUP BY k');
ROLLBACK;

-- prepared statements and rescans with new parameter values
PREPARE p(int) AS SELECT count(*), sum(i8) FROM ag WHERE i4 > $1;
EXECUTE p(10000);
EXECUTE p(-10000);
SELECT g, (SELECT count(*) FROM ag WHERE i4 < g * 1000) FROM generate_series(1, 3) g;

DROP TABLE ag, ag_heap, ag_empty, ag_big;
DROP FUNCTION plan_of(text), same(text), same_rows(text);
