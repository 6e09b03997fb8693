-- A backend keeps parsed stripe metadata (strata_columnar.metadata_cache_size):
-- every way a table's stripes change must read back the same as heap, with the
-- cache at its default, too small to hold the table, and off.
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET strata_columnar.stripe_row_limit = 1000;
SET strata_columnar.chunk_group_row_limit = 1000;
SHOW strata_columnar.metadata_cache_size;
CREATE TABLE mc (id int PRIMARY KEY, k int, t text) USING strata_columnar;
CREATE TABLE mc_ref (id int PRIMARY KEY, k int, t text);
ALTER TABLE mc SET (autovacuum_enabled = off);
INSERT INTO mc SELECT i, i % 97, 't' || i FROM generate_series(1, 60000) i;
INSERT INTO mc_ref SELECT * FROM mc;

-- the same answers from a scan, from metadata, from the batch path and by index
CREATE FUNCTION mc_check() RETURNS TABLE (what text, same boolean) LANGUAGE sql AS $$
    SELECT 'count', (SELECT count(*) FROM mc) = (SELECT count(*) FROM mc_ref)
    UNION ALL
    SELECT 'min/max', (SELECT (min(id), max(id)) FROM mc) IS NOT DISTINCT FROM (SELECT (min(id), max(id)) FROM mc_ref)
    UNION ALL
    SELECT 'sums', (SELECT (sum(k), count(t), sum(length(t))) FROM mc WHERE k < 50) IS NOT DISTINCT FROM
                   (SELECT (sum(k), count(t), sum(length(t))) FROM mc_ref WHERE k < 50)
    UNION ALL
    SELECT 'rows', NOT EXISTS ((TABLE mc EXCEPT ALL TABLE mc_ref) UNION ALL (TABLE mc_ref EXCEPT ALL TABLE mc))
    UNION ALL
    SELECT 'index', (SELECT array_agg(t ORDER BY id) FROM mc WHERE id IN (1, 999, 1000, 1001, 30000, 59999, 60000, 60001))
                    IS NOT DISTINCT FROM
                    (SELECT array_agg(t ORDER BY id) FROM mc_ref WHERE id IN (1, 999, 1000, 1001, 30000, 59999, 60000, 60001))
$$;
CREATE FUNCTION mc_all_same() RETURNS boolean LANGUAGE sql AS $$
    SELECT bool_and(same) FROM mc_check()
$$;

CREATE FUNCTION mc_workload(base int) RETURNS SETOF boolean LANGUAGE plpgsql AS $$
BEGIN
    RETURN NEXT mc_all_same();
    DELETE FROM mc WHERE id % 10 = 0;
    DELETE FROM mc_ref WHERE id % 10 = 0;
    RETURN NEXT mc_all_same();
    UPDATE mc SET t = t || 'u' WHERE id % 7 = 0;
    UPDATE mc_ref SET t = t || 'u' WHERE id % 7 = 0;
    RETURN NEXT mc_all_same();
    INSERT INTO mc SELECT i, i % 97, 'n' || i FROM generate_series(base + 1, base + 2500) i;
    INSERT INTO mc_ref SELECT i, i % 97, 'n' || i FROM generate_series(base + 1, base + 2500) i;
    RETURN NEXT mc_all_same();
END
$$;

-- the cache fills on the first read; later statements reuse it
SELECT * FROM mc_workload(100000);
SELECT * FROM mc_check();
SELECT sum(total_bytes) > 64 * 1024 AS holds_the_table FROM pg_backend_memory_contexts
    WHERE name LIKE 'strata_columnar stripe %';

-- stripes merged, rewritten, truncated, aborted
VACUUM mc;
SELECT mc_all_same();
DELETE FROM mc WHERE id BETWEEN 20000 AND 29999;
DELETE FROM mc_ref WHERE id BETWEEN 20000 AND 29999;
VACUUM mc;
SELECT mc_all_same();
VACUUM FULL mc;
SELECT mc_all_same();
ALTER TABLE mc ALTER COLUMN k TYPE bigint;
ALTER TABLE mc_ref ALTER COLUMN k TYPE bigint;
SELECT mc_all_same();
BEGIN;
INSERT INTO mc SELECT i, 1, 'aborted' FROM generate_series(70001, 75000) i;
SELECT count(*) FROM mc WHERE t = 'aborted';
ROLLBACK;
SELECT mc_all_same();
BEGIN;
SAVEPOINT s;
INSERT INTO mc SELECT i, 1, 'sub' FROM generate_series(70001, 75000) i;
SELECT count(*) FROM mc WHERE t = 'sub';
ROLLBACK TO s;
INSERT INTO mc SELECT i, 2, 'kept' FROM generate_series(80001, 83000) i;
INSERT INTO mc_ref SELECT i, 2, 'kept' FROM generate_series(80001, 83000) i;
SELECT mc_all_same();
COMMIT;
SELECT mc_all_same();
TRUNCATE mc;
TRUNCATE mc_ref;
SELECT mc_all_same();
INSERT INTO mc SELECT i, i % 97, 't' || i FROM generate_series(1, 60000) i;
INSERT INTO mc_ref SELECT * FROM mc;
SELECT mc_all_same();

-- too small for the table: what does not fit is read as without a cache, and
-- the cache stays within its size
SET strata_columnar.metadata_cache_size = '100kB';
SELECT * FROM mc_workload(200000);
SELECT mc_all_same();
SELECT sum(total_bytes) BETWEEN 1 AND 100 * 1024 AS within_its_size FROM pg_backend_memory_contexts
    WHERE name LIKE 'strata_columnar stripe %';
VACUUM FULL mc;
SELECT mc_all_same();

-- off
SET strata_columnar.metadata_cache_size = 0;
SELECT * FROM mc_workload(300000);
VACUUM mc;
SELECT mc_all_same();
RESET strata_columnar.metadata_cache_size;
SELECT mc_all_same();

DROP TABLE mc, mc_ref;
DROP FUNCTION mc_workload(int), mc_all_same(), mc_check();
