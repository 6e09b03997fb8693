-- ORDER BY ... LIMIT over a columnar table ranks rows by their sort keys
-- alone and fetches the whole rows of the winners; every answer is
-- compared with a heap twin's.
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE tc (id int, t text COLLATE "C", n int8, d date, payload text) USING strata_columnar;
ALTER TABLE tc SET (autovacuum_enabled = off);
CREATE TABLE th (id int, t text COLLATE "C", n int8, d date, payload text);
INSERT INTO tc SELECT g, 'k' || (g * 7919) % 1000, CASE WHEN g % 11 = 0 THEN NULL ELSE (g::int8 * 104729) % 5000 END,
       '2026-01-01'::date + g % 300, repeat('x', g % 50)
FROM generate_series(1, 50000) g;
INSERT INTO th SELECT * FROM tc;
DELETE FROM tc WHERE id % 5 = 0;
DELETE FROM th WHERE id % 5 = 0;
UPDATE tc SET n = -n WHERE id % 13 = 0;
UPDATE th SET n = -n WHERE id % 13 = 0;
ANALYZE tc;
ANALYZE th;

-- the plan: a ColumnarScan that reads only the keys, under the Limit
EXPLAIN (COSTS OFF) SELECT * FROM tc ORDER BY n, id LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id, payload FROM tc WHERE d > '2026-06-01' ORDER BY t DESC, id LIMIT 5;
-- not for a LIMIT the planner does not know, or over a join
EXPLAIN (COSTS OFF) SELECT * FROM tc ORDER BY n LIMIT (SELECT 3);

CREATE FUNCTION same_top(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c text;
    h text;
BEGIN
    EXECUTE format('SELECT string_agg(x::text, %L) FROM (%s) x', E'\n', replace(q, '{T}', 'tc')) INTO c;
    EXECUTE format('SELECT string_agg(x::text, %L) FROM (%s) x', E'\n', replace(q, '{T}', 'th')) INTO h;
    RETURN CASE WHEN c IS NOT DISTINCT FROM h THEN 'same' ELSE 'DIFFERENT: ' || coalesce(c, '<null>') || ' / ' || coalesce(h, '<null>') END;
END
$$;
SELECT same_top('SELECT * FROM {T} ORDER BY n, id LIMIT 10');
SELECT same_top('SELECT * FROM {T} ORDER BY n DESC, id LIMIT 10');
SELECT same_top('SELECT * FROM {T} ORDER BY n NULLS FIRST, id LIMIT 10');
SELECT same_top('SELECT * FROM {T} ORDER BY n DESC NULLS LAST, id DESC LIMIT 7');
SELECT same_top('SELECT id, t, payload FROM {T} WHERE d > ''2026-06-01'' ORDER BY t DESC, id LIMIT 5');
SELECT same_top('SELECT id, length(payload) FROM {T} WHERE n BETWEEN 100 AND 200 ORDER BY d, id LIMIT 20 OFFSET 3');
SELECT same_top('SELECT * FROM {T} ORDER BY id LIMIT 0');
SELECT same_top('SELECT * FROM {T} WHERE id < 100 ORDER BY n, id LIMIT 5000');
SELECT same_top('SELECT * FROM {T} WHERE payload LIKE ''xxxx%'' AND n > 0 ORDER BY t, n, id LIMIT 12');
SELECT * FROM tc ORDER BY n, id LIMIT 3;

-- a filter whose value an initPlan computes (it has none when the scan
-- starts): the batch aggregate, the scan and the top-N all wait for it
SELECT count(*) FROM tc WHERE n = (SELECT min(n) FROM tc WHERE id > 0);
SELECT count(*) FROM th WHERE n = (SELECT min(n) FROM th WHERE id > 0);
SELECT id, n FROM tc WHERE n <= (SELECT min(n) + 1 FROM tc) ORDER BY id;
SELECT same_top('SELECT id, n FROM {T} WHERE n > (SELECT max(n) - 3 FROM {T}) ORDER BY n, id LIMIT 5');

-- rows of this transaction, deleted and not yet flushed, are ranked as well
BEGIN;
INSERT INTO tc VALUES (-1, 'a', -999999, '2026-01-01', 'mine');
INSERT INTO th VALUES (-1, 'a', -999999, '2026-01-01', 'mine');
DELETE FROM tc WHERE n = (SELECT min(n) FROM tc WHERE id > 0);
DELETE FROM th WHERE n = (SELECT min(n) FROM th WHERE id > 0);
SELECT same_top('SELECT * FROM {T} ORDER BY n, id LIMIT 4');
SELECT id, n, payload FROM tc ORDER BY n, id LIMIT 2;
COMMIT;

-- a cursor, and a rescan under a nested loop
BEGIN;
DECLARE cur CURSOR FOR SELECT id, n FROM tc ORDER BY n DESC NULLS LAST, id LIMIT 4;
FETCH 2 FROM cur;
FETCH 2 FROM cur;
COMMIT;
SELECT v.k, (SELECT id FROM tc WHERE n > v.k ORDER BY n, id LIMIT 1) FROM (VALUES (10), (4000)) v(k);
SELECT v.k, (SELECT id FROM th WHERE n > v.k ORDER BY n, id LIMIT 1) FROM (VALUES (10), (4000)) v(k);
DROP TABLE tc, th;

-- once the kept rows are all better than a chunk group's bounds on the
-- first key, the group is skipped; stripes are read best bounds first
CREATE TABLE tc (id int, ts timestamp, u text COLLATE "C", v int) USING strata_columnar
    WITH (strata_columnar.chunk_group_row_limit = 1000, strata_columnar.stripe_row_limit = 5000,
          autovacuum_enabled = off);
CREATE TABLE th (id int, ts timestamp, u text COLLATE "C", v int);
INSERT INTO tc SELECT g, CASE WHEN g % 2500 = 7 THEN NULL ELSE '2026-01-01'::timestamp + g * interval '1 minute' END,
       'u' || lpad((g % 977)::text, 4, '0'), g % 100
FROM generate_series(1, 40000) g;
INSERT INTO th SELECT * FROM tc;
DELETE FROM tc WHERE id IN (2, 39999);
DELETE FROM th WHERE id IN (2, 39999);
CREATE FUNCTION topn_groups(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    r text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF line ~ 'Chunk groups' THEN
            r := r || btrim(line) || '; ';
        END IF;
    END LOOP;
    RETURN r;
END
$$;
SELECT topn_groups('SELECT * FROM tc ORDER BY ts LIMIT 5');
SELECT topn_groups('SELECT * FROM tc ORDER BY ts DESC NULLS LAST LIMIT 5');
SELECT topn_groups('SELECT * FROM tc ORDER BY ts DESC NULLS LAST, id LIMIT 300');
-- NULLs first: the 16 groups with NULLs are always read, of the others
-- only those with the best values
SELECT topn_groups('SELECT * FROM tc ORDER BY ts NULLS FIRST LIMIT 20');
SELECT topn_groups('SELECT * FROM tc ORDER BY ts DESC LIMIT 20');
SELECT topn_groups('SELECT * FROM tc ORDER BY ts DESC LIMIT 5');
-- an order the bounds do not know (another collation) reads every group
SELECT topn_groups('SELECT * FROM tc ORDER BY u COLLATE "en-x-icu" LIMIT 3') ~ 'skipped: 0;' AS other_collation
WHERE EXISTS (SELECT FROM pg_collation WHERE collname = 'en-x-icu')
UNION ALL SELECT true WHERE NOT EXISTS (SELECT FROM pg_collation WHERE collname = 'en-x-icu');
SELECT same_top('SELECT * FROM {T} ORDER BY ts LIMIT 5');
SELECT same_top('SELECT * FROM {T} ORDER BY ts DESC NULLS LAST LIMIT 5');
SELECT same_top('SELECT * FROM {T} ORDER BY ts DESC NULLS LAST, id LIMIT 1500');
SELECT same_top('SELECT * FROM {T} ORDER BY ts NULLS FIRST, id LIMIT 20');
SELECT same_top('SELECT * FROM {T} ORDER BY ts DESC, id LIMIT 20');
SELECT same_top('SELECT * FROM {T} ORDER BY ts DESC, id LIMIT 5');
SELECT same_top('SELECT * FROM {T} ORDER BY u COLLATE "C" DESC, id LIMIT 5');
SELECT same_top('SELECT * FROM {T} ORDER BY v, id LIMIT 30');
SELECT same_top('SELECT * FROM {T} ORDER BY v DESC, id LIMIT 3');
SELECT same_top('SELECT * FROM {T} ORDER BY v DESC NULLS LAST, id LIMIT 3');
SELECT same_top('SELECT * FROM {T} ORDER BY u DESC, id LIMIT 8');
SELECT same_top('SELECT * FROM {T} WHERE v > 50 ORDER BY ts DESC LIMIT 8');
-- rows of this transaction, not yet flushed, hold the best keys
BEGIN;
INSERT INTO tc VALUES (0, '2025-12-31', 'a', 1), (40001, '2027-01-01', 'z', 2), (40002, NULL, 'y', 3);
INSERT INTO th VALUES (0, '2025-12-31', 'a', 1), (40001, '2027-01-01', 'z', 2), (40002, NULL, 'y', 3);
SELECT same_top('SELECT * FROM {T} ORDER BY ts LIMIT 2');
SELECT same_top('SELECT * FROM {T} ORDER BY ts DESC NULLS LAST LIMIT 2');
SELECT same_top('SELECT * FROM {T} ORDER BY ts NULLS FIRST, id LIMIT 20');
COMMIT;
-- a rescan starts from no bound
SELECT p.k, (SELECT id FROM tc WHERE v > p.k ORDER BY ts DESC NULLS LAST LIMIT 1) FROM (VALUES (10), (98), (99)) p(k);
SELECT p.k, (SELECT id FROM th WHERE v > p.k ORDER BY ts DESC NULLS LAST LIMIT 1) FROM (VALUES (10), (98), (99)) p(k);

-- with parallel workers: the top-N scan must still win over a Gather Merge
-- of sorted parallel scans when the bound skips most groups.  ANALYZE
-- sees the order rows are stored in (a columnar sample keeps its TIDs).
CREATE TABLE tp (id int, ts timestamp, a int8, b int8, c text, d text, e float8, pad text)
USING strata_columnar WITH (autovacuum_enabled = off);
INSERT INTO tp SELECT g, '2026-01-01'::timestamp + g * interval '1 second', g, g * 2, 'c' || g,
       'd' || g % 77, g / 3.0, repeat('p', 40)
FROM generate_series(1, 300000) g;
ANALYZE tp;
SELECT attname, CASE WHEN correlation > 0.99 THEN 'in order' WHEN abs(correlation) < 0.1 THEN 'no order'
       ELSE correlation::text END FROM pg_stats WHERE tablename = 'tp' AND attname IN ('id', 'ts', 'd') ORDER BY 1;
-- (six workers make the parallel sort cheap enough to compete here)
ALTER TABLE tp SET (parallel_workers = 6);
SET max_parallel_workers_per_gather = 6;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
-- ascending, the bound skips every group after the first: top-N wins
EXPLAIN (COSTS OFF) SELECT * FROM tp ORDER BY ts LIMIT 10;
-- descending, every group beats the one before: the parallel sort wins
EXPLAIN (COSTS OFF) SELECT * FROM tp ORDER BY ts DESC LIMIT 10;
SELECT topn_groups('SELECT * FROM tp ORDER BY ts LIMIT 10');
SELECT id FROM tp ORDER BY ts DESC LIMIT 3;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DROP TABLE tc, th, tp;
DROP FUNCTION same_top(text);
DROP FUNCTION topn_groups(text);
