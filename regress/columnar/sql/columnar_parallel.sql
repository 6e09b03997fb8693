-- Parallel scans: workers and the leader claim whole stripes; the results
-- are those of a serial scan.  Never while this transaction has unflushed
-- rows in the table, which a worker could not see.
SET client_min_messages = warning;
SET strata_columnar.stripe_row_limit = 5000;
CREATE TABLE par (id int, kind text, amount int8) USING strata_columnar WITH (autovacuum_enabled = off);
INSERT INTO par SELECT g, (ARRAY['a','b','c'])[g % 3 + 1], g % 97 FROM generate_series(1, 60000) g;
RESET strata_columnar.stripe_row_limit;
ANALYZE par;
SELECT stripes FROM strata_columnar.stats('par');

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET strata_columnar.enable_vectorized_agg = off;

EXPLAIN (COSTS OFF) SELECT kind, count(*), sum(amount) FROM par GROUP BY kind;
SELECT kind, count(*), sum(amount) FROM par GROUP BY kind ORDER BY kind;
SELECT count(*), sum(id) FROM par WHERE id > 30000;
SET strata_columnar.enable_custom_scan = off;
EXPLAIN (COSTS OFF) SELECT count(*), sum(id) FROM par;
SELECT count(*), sum(id) FROM par;
RESET strata_columnar.enable_custom_scan;

-- the same answers without parallel workers
SET max_parallel_workers_per_gather = 0;
SELECT kind, count(*), sum(amount) FROM par GROUP BY kind ORDER BY kind;
SELECT count(*), sum(id) FROM par WHERE id > 30000;
SET max_parallel_workers_per_gather = 2;

-- unflushed rows: no parallel plan, every row counted
BEGIN;
INSERT INTO par VALUES (-1, 'z', 0);
EXPLAIN (COSTS OFF) SELECT count(*) FROM par;
SELECT count(*), sum(id) FROM par;
ROLLBACK;

-- a cached parallel plan is planned again once there are unflushed rows
SET plan_cache_mode = force_generic_plan;
PREPARE cached AS SELECT count(*), sum(id) FROM par WHERE id > $1;
EXPLAIN (COSTS OFF) EXECUTE cached(0);
EXECUTE cached(0);
BEGIN;
INSERT INTO par VALUES (-1, 'z', 0);
EXPLAIN (COSTS OFF) EXECUTE cached(-10);
EXECUTE cached(-10);
ROLLBACK;
RESET plan_cache_mode;
DEALLOCATE cached;

DROP TABLE par;

-- ColumnarAgg in parallel: every participant aggregates the stripes it
-- claims and hands PostgreSQL's Finalize Aggregate the transition states
-- its own aggregates would have made; answers equal the serial node's and
-- heap's.  Without the leader, the workers alone do the work.
SET strata_columnar.stripe_row_limit = 4000;
CREATE TABLE pa (id int, k int2, kind text, n int4, big int8, f4 float4, f8 float8, d date, ts timestamp)
USING strata_columnar WITH (autovacuum_enabled = off);
INSERT INTO pa SELECT g, (g % 7)::int2, (ARRAY['x','y','z'])[g % 3 + 1],
       CASE WHEN g % 10 = 0 THEN NULL ELSE g % 1000 - 300 END,
       CASE WHEN g % 2 = 0 THEN 9000000000000000000 - g ELSE -(g::int8 * 1000003) END,
       (g % 64) / 4.0, CASE WHEN g % 9 = 0 THEN NULL ELSE (g % 512) * 0.25 END,
       '2026-01-01'::date + g % 365, '2026-01-01'::timestamp + g * interval '1 minute'
FROM generate_series(1, 40000) g;
RESET strata_columnar.stripe_row_limit;
CREATE TABLE pa_heap AS SELECT * FROM pa;
ANALYZE pa;
ANALYZE pa_heap;
SET strata_columnar.enable_vectorized_agg = on;

CREATE FUNCTION same_agg(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    par text;
    ser text;
    hp text;
BEGIN
    EXECUTE format('SELECT string_agg(x::text, %L ORDER BY x::text) FROM (%s) x', E'\n', replace(q, '{T}', 'pa')) INTO par;
    SET LOCAL max_parallel_workers_per_gather = 0;
    EXECUTE format('SELECT string_agg(x::text, %L ORDER BY x::text) FROM (%s) x', E'\n', replace(q, '{T}', 'pa')) INTO ser;
    EXECUTE format('SELECT string_agg(x::text, %L ORDER BY x::text) FROM (%s) x', E'\n', replace(q, '{T}', 'pa_heap')) INTO hp;
    SET LOCAL max_parallel_workers_per_gather = 2;
    RETURN CASE WHEN par IS NOT DISTINCT FROM ser AND ser IS NOT DISTINCT FROM hp THEN 'same'
                ELSE 'DIFFERENT: ' || coalesce(par, '<null>') || ' / ' || coalesce(ser, '<null>') || ' / ' || coalesce(hp, '<null>') END;
END
$$;

EXPLAIN (COSTS OFF) SELECT sum(big), avg(n), count(*) FROM pa;
EXPLAIN (COSTS OFF, VERBOSE) SELECT kind, sum(n), min(ts) FROM pa WHERE d > '2026-03-01' GROUP BY kind HAVING count(*) > 10;
-- count, min and max of whole groups come from metadata: no workers
EXPLAIN (COSTS OFF) SELECT count(*), min(ts), max(id) FROM pa;
-- count(DISTINCT) and avg(float) have no partial state here: serial
EXPLAIN (COSTS OFF) SELECT count(DISTINCT n) FROM pa WHERE id > 5;
EXPLAIN (COSTS OFF) SELECT avg(f8) FROM pa;

SELECT sum(big), avg(big), sum(n), avg(n), count(n), count(*) FROM pa;
-- EXPLAIN ANALYZE counts the chunk groups of every participant
CREATE FUNCTION groups_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    r text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF line ~ 'Chunk groups|Parallel Custom Scan' THEN
            r := r || regexp_replace(btrim(line), ' \(actual.*', '') || '; ';
        END IF;
    END LOOP;
    RETURN r;
END
$$;
SELECT chunk_groups FROM strata_columnar.stats('pa');
SELECT groups_of('SELECT sum(big), avg(n) FROM pa');
SELECT groups_of('SELECT kind, sum(n) FROM pa WHERE ts < ''2026-01-10'' GROUP BY kind');
SET parallel_leader_participation = off;
SELECT groups_of('SELECT sum(big), avg(n) FROM pa');
RESET parallel_leader_participation;
-- and so does the parallel ColumnarScan's
SET strata_columnar.enable_vectorized_agg = off;
SELECT groups_of('SELECT count(*) FROM pa WHERE ts < ''2026-01-10''');
RESET strata_columnar.enable_vectorized_agg;
DROP FUNCTION groups_of(text);
SELECT same_agg('SELECT sum(big), avg(big), sum(n), avg(n), count(n), count(*) FROM {T}');
SELECT same_agg('SELECT sum(k), avg(k), min(k), max(k), sum(f4), sum(f8), min(f8), max(f4) FROM {T}');
SELECT same_agg('SELECT min(d), max(d), min(ts), max(ts), count(f8) FROM {T} WHERE id % 2 = 0 OR id > 0');
SELECT same_agg('SELECT kind, sum(big), avg(n), count(*), min(ts) FROM {T} GROUP BY kind');
SELECT same_agg('SELECT k, sum(n), avg(big), max(f8), count(f8) FROM {T} WHERE ts < ''2026-01-20'' GROUP BY k');
SELECT same_agg('SELECT d, sum(big), count(*) FROM {T} WHERE n > 100 GROUP BY d');
SELECT same_agg('SELECT kind, k, sum(n) FROM {T} WHERE big > 0 GROUP BY kind, k');
SELECT same_agg('SELECT kind, sum(n) FROM {T} GROUP BY kind HAVING sum(n) > 0 AND count(*) > 100');
-- a filter whose value an initPlan computes reaches the workers
EXPLAIN (COSTS OFF) SELECT count(*), sum(big) FROM pa WHERE id > (SELECT max(id) - 5000 FROM pa_heap);
SELECT same_agg('SELECT count(*), sum(big), min(ts) FROM {T} WHERE id > (SELECT max(id) / 2 FROM {T})');
-- only NULLs, or no rows at all, in some participants' states
SELECT same_agg('SELECT sum(n), avg(n), sum(big), avg(big), min(f8), sum(f4), count(*) FROM {T} WHERE id < 0');
SELECT same_agg('SELECT sum(n), avg(n), sum(f8), count(n) FROM {T} WHERE id % 10 = 0 OR id < 0');
SELECT same_agg('SELECT sum(n), avg(n), sum(f8) FROM {T} WHERE id > 39990');
SELECT same_agg('SELECT k, sum(n), avg(n) FROM {T} WHERE n IS NULL GROUP BY k');
-- sums past the int8 range, of either sign, zero, and round ten-thousands
SELECT same_agg('SELECT sum(big), avg(big) FROM {T} WHERE big > 0');
SELECT same_agg('SELECT sum(big) FROM {T} WHERE big < 0');
SELECT same_agg('SELECT kind, sum(big) FROM {T} GROUP BY kind');

SET parallel_leader_participation = off;
SELECT same_agg('SELECT sum(big), avg(big), sum(n), avg(n), count(n), count(*) FROM {T}');
SELECT same_agg('SELECT kind, sum(big), avg(n), count(*), min(ts) FROM {T} GROUP BY kind');
SELECT same_agg('SELECT k, sum(k), avg(k) FROM {T} WHERE d BETWEEN ''2026-02-01'' AND ''2026-02-10'' GROUP BY k');
RESET parallel_leader_participation;

CREATE TABLE pz (v int8) USING strata_columnar;
CREATE TABLE pz_heap (v int8);
INSERT INTO pz VALUES (50000000), (-50000000), (100000000000000), (0);
INSERT INTO pz_heap SELECT * FROM pz;
ANALYZE pz;
EXPLAIN (COSTS OFF) SELECT sum(v), avg(v) FROM pz WHERE v < 100000000000000;
SELECT sum(v), avg(v) FROM pz WHERE v < 100000000000000;
SELECT sum(v), avg(v) FROM pz_heap WHERE v < 100000000000000;
SELECT sum(v), avg(v) FROM pz WHERE v <> 0;
SELECT sum(v), avg(v) FROM pz_heap WHERE v <> 0;
DROP TABLE pz, pz_heap;

-- unflushed rows: the whole aggregation stays in this backend
BEGIN;
INSERT INTO pa VALUES (-1, 1, 'x', 5, 7, 0, 0, '2026-01-01', '2026-01-01');
EXPLAIN (COSTS OFF) SELECT sum(big), avg(n) FROM pa;
SELECT sum(big), avg(n), count(*) FROM pa;
ROLLBACK;
-- a cached parallel aggregation meets unflushed rows
SET plan_cache_mode = force_generic_plan;
PREPARE cached_agg AS SELECT sum(big), count(*) FROM pa WHERE id > $1;
EXPLAIN (COSTS OFF) EXECUTE cached_agg(0);
EXECUTE cached_agg(0);
BEGIN;
INSERT INTO pa VALUES (-1, 1, 'x', 5, 7, 0, 0, '2026-01-01', '2026-01-01');
EXPLAIN (COSTS OFF) EXECUTE cached_agg(-10);
EXECUTE cached_agg(-10);
ROLLBACK;
RESET plan_cache_mode;
DEALLOCATE cached_agg;
DROP FUNCTION same_agg(text);
DROP TABLE pa, pa_heap;
