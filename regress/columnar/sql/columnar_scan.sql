-- ColumnarScan: only the referenced columns are read, and chunk groups
-- whose bounds or null counts rule out the quals are skipped, with the
-- same results as without skipping.
SET client_min_messages = warning;
SET strata_columnar.chunk_group_row_limit = 1000;
-- the scan alone: aggregates over it would take ColumnarAgg (columnar_agg.sql)
SET strata_columnar.enable_vectorized_agg = off;
CREATE TABLE sc (id int, at date, kind text COLLATE "C", amount int8, note text, pad text)
    USING strata_columnar;
INSERT INTO sc SELECT g, '2026-01-01'::date + g / 1000, (ARRAY['a','b','c'])[g % 3 + 1], g % 100,
                      CASE WHEN g <= 2000 THEN NULL ELSE 'n' || g END, repeat('x', 20)
FROM generate_series(1, 20000) g;
RESET strata_columnar.chunk_group_row_limit;
CREATE TABLE sc_heap AS SELECT * FROM sc;

CREATE FUNCTION scan_info(q text) RETURNS TABLE (line text) LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF r."QUERY PLAN" ~ '(ColumnarScan|Columns read|Chunk group)' THEN
            line := trim(r."QUERY PLAN");
            RETURN NEXT;
        END IF;
    END LOOP;
END $$;

-- projection: only what the query names
SELECT * FROM scan_info('SELECT sum(amount) FROM sc');
SELECT * FROM scan_info('SELECT count(*) FROM sc');
SELECT * FROM scan_info('SELECT sc FROM sc WHERE id = 1');

-- every btree strategy, both operand orders, with a cross-type constant
SELECT * FROM scan_info('SELECT count(*) FROM sc WHERE id = 1500');
SELECT * FROM scan_info('SELECT count(*) FROM sc WHERE id < 1500');
SELECT * FROM scan_info('SELECT count(*) FROM sc WHERE 18500 <= id');
SELECT * FROM scan_info('SELECT count(*) FROM sc WHERE id > 19000::int8');
SELECT * FROM scan_info($q$SELECT count(*) FROM sc WHERE at = '2026-01-05'$q$);
SELECT * FROM scan_info($q$SELECT count(*) FROM sc WHERE at BETWEEN '2026-01-03' AND '2026-01-04'$q$);

-- NULL tests use the null counts; comparing with NULL reads nothing
SELECT * FROM scan_info('SELECT count(*) FROM sc WHERE note IS NULL');
SELECT * FROM scan_info('SELECT count(*) FROM sc WHERE note IS NOT NULL AND id < 3000');

-- text under its own collation; an expression on the column is not a filter
SELECT * FROM scan_info($q$SELECT count(*) FROM sc WHERE kind > 'b'$q$);
SELECT * FROM scan_info('SELECT count(*) FROM sc WHERE id + 0 = 5');

-- the same answers as the heap table, with and without ColumnarScan
CREATE FUNCTION same(q text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE a text; b text; c text;
BEGIN
    EXECUTE 'SELECT array_agg(x ORDER BY x)::text FROM (' || q || ') x' INTO a;
    EXECUTE 'SELECT array_agg(x ORDER BY x)::text FROM (' || replace(q, 'FROM sc', 'FROM sc_heap') || ') x' INTO b;
    SET LOCAL strata_columnar.enable_custom_scan = off;
    EXECUTE 'SELECT array_agg(x ORDER BY x)::text FROM (' || q || ') x' INTO c;
    RETURN a IS NOT DISTINCT FROM b AND a IS NOT DISTINCT FROM c;
END $$;
SELECT q, same(q) FROM (VALUES
    ('SELECT count(*), sum(id) FROM sc WHERE id = 1500'),
    ('SELECT count(*), sum(id) FROM sc WHERE id < 1500 OR id > 19990'),
    ('SELECT count(*), sum(id) FROM sc WHERE 18500 <= id AND id <= 18600'),
    ($q$SELECT kind, count(*) FROM sc WHERE kind >= 'b' GROUP BY kind$q$),
    ($q$SELECT count(*) FROM sc WHERE at = '2026-01-05' AND note IS NULL$q$),
    ('SELECT count(*) FROM sc WHERE note IS NOT NULL'),
    ('SELECT id, note FROM sc WHERE id BETWEEN 1998 AND 2002'),
    ('SELECT count(*) FROM sc WHERE id = NULL')) v(q);

-- parameters: a prepared statement, and a subquery rescanned per outer row
PREPARE p(int) AS SELECT count(*) FROM sc WHERE id > $1;
EXECUTE p(19990);
EXECUTE p(0);
SELECT g, (SELECT count(*) FROM sc WHERE id <= g * 1000) FROM generate_series(1, 3) g;

-- a column added later has no bounds in old stripes: never skipped wrongly
ALTER TABLE sc ADD COLUMN extra int DEFAULT 5;
SELECT count(*) FROM sc WHERE extra = 5;
SELECT count(*) FROM sc WHERE extra > 5;

-- TABLESAMPLE: blocks of rows by rank; never replaced by ColumnarScan
EXPLAIN (COSTS OFF) SELECT count(*) FROM sc TABLESAMPLE SYSTEM (10);
SELECT count(*) FROM sc TABLESAMPLE SYSTEM (100);
SELECT count(*) FROM sc TABLESAMPLE BERNOULLI (100);
SELECT count(*) FROM sc TABLESAMPLE BERNOULLI (0);
SELECT (SELECT array_agg(id ORDER BY id) FROM sc TABLESAMPLE SYSTEM (20) REPEATABLE (3)) =
       (SELECT array_agg(id ORDER BY id) FROM sc TABLESAMPLE SYSTEM (20) REPEATABLE (3)) AS system_repeatable,
       (SELECT array_agg(id ORDER BY id) FROM sc TABLESAMPLE BERNOULLI (20) REPEATABLE (3)) =
       (SELECT array_agg(id ORDER BY id) FROM sc TABLESAMPLE BERNOULLI (20) REPEATABLE (3)) AS bernoulli_repeatable;
SELECT count(*) BETWEEN 2000 AND 6000 AS about_a_fifth,
       count(*) = count(DISTINCT id) AS no_duplicates
FROM sc TABLESAMPLE BERNOULLI (20) REPEATABLE (5);
SELECT count(*) AS not_in_table FROM (
    SELECT id, note FROM sc TABLESAMPLE SYSTEM (30) REPEATABLE (9)
    EXCEPT ALL SELECT id, note FROM sc) x;

-- scroll cursors go through a Material node and move both ways
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT id FROM sc WHERE id <= 3;
FETCH NEXT FROM c;
FETCH NEXT FROM c;
FETCH PRIOR FROM c;
FETCH LAST FROM c;
ROLLBACK;

-- parallel plans never run a columnar scan in a worker, which could not
-- see this transaction's unflushed rows
CREATE TABLE big_heap AS SELECT g AS id FROM generate_series(1, 100000) g;
ANALYZE big_heap;
BEGIN;
INSERT INTO sc (id) VALUES (99999);
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT count(*) FROM big_heap b JOIN sc ON sc.id = b.id WHERE b.id > 19990;
ROLLBACK;

DROP TABLE sc, sc_heap, big_heap;
DROP FUNCTION scan_info(text), same(text);
