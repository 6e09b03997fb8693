-- Parallel scans: workers and the leader claim whole stripes; the results
-- are those of a serial scan.  Never while this transaction has unflushed
-- rows in the table, which a worker could not see.
SET client_min_messages = warning;
SET strata_columnar.stripe_row_limit = 5000;
CREATE TABLE par (id int, kind text, amount int8) USING strata_columnar;
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
