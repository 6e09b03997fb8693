-- ORDER BY ... LIMIT over a columnar table ranks rows by their sort keys
-- alone and fetches the whole rows of the winners; every answer is
-- compared with a heap twin's.
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE tc (id int, t text COLLATE "C", n int8, d date, payload text) USING strata_columnar;
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
DROP FUNCTION same_top(text);
