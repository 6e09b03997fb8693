-- DELETE and UPDATE on strata_columnar, each checked against a heap twin
-- that went through the same statements.
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE c (id int PRIMARY KEY, grp int, v text, n int8, ts timestamptz)
    USING strata_columnar;
CREATE TABLE h (id int PRIMARY KEY, grp int, v text, n int8, ts timestamptz);
CREATE INDEX ON c (grp);
CREATE INDEX ON h (grp);
INSERT INTO c SELECT g, g % 7, 'v' || g, g * 10, '2026-01-01'::timestamptz + g * interval '1 min'
    FROM generate_series(1, 30000) g;
INSERT INTO h SELECT * FROM c;
CREATE FUNCTION same(label text) RETURNS text LANGUAGE sql AS $$
    SELECT label || ': ' ||
        CASE WHEN (SELECT count(*) FROM (SELECT * FROM c EXCEPT ALL SELECT * FROM h) x) = 0
              AND (SELECT count(*) FROM (SELECT * FROM h EXCEPT ALL SELECT * FROM c) x) = 0
        THEN 'same' ELSE 'DIFFERENT' END
$$;

-- a third of the rows, spread over every chunk group
DELETE FROM c WHERE id % 3 = 0;
DELETE FROM h WHERE id % 3 = 0;
SELECT same('delete');
SELECT count(*), sum(n), min(id), max(id) FROM c;
-- the batch aggregate must not take counts or bounds from metadata now
EXPLAIN (COSTS OFF) SELECT count(*), min(n), max(n) FROM c;
SELECT count(*), min(n), max(n) FROM c WHERE id > 29990;
SELECT grp, count(*), sum(n) FROM c GROUP BY grp ORDER BY grp;
SELECT deleted_rows, row_count FROM strata_columnar.stats('c');

-- RETURNING, updates through an index, a key change
WITH u AS (UPDATE c SET v = 'u' || id, n = n + 1 WHERE grp = 2 RETURNING id) SELECT count(*) FROM u;
UPDATE h SET v = 'u' || id, n = n + 1 WHERE grp = 2;
WITH d AS (DELETE FROM c WHERE id BETWEEN 100 AND 110 RETURNING id, v) SELECT * FROM d ORDER BY 1;
DELETE FROM h WHERE id BETWEEN 100 AND 110;
UPDATE c SET id = id + 100000 WHERE id < 20;
UPDATE h SET id = id + 100000 WHERE id < 20;
SELECT same('update');
SET enable_seqscan = off;
SELECT * FROM c WHERE id = 100001;
SELECT id, v FROM c WHERE id IN (1, 3, 4, 100, 112) ORDER BY id;
SELECT count(*) FROM c WHERE grp = 2 AND v LIKE 'u%';
RESET enable_seqscan;
-- a key that would collide is refused and changes nothing
UPDATE c SET id = 2 WHERE id = 4;
SELECT same('after a failed update');

-- the same row twice in one statement: updated once, as heap does
UPDATE c SET n = n + 1000 FROM (VALUES (1), (1)) v(x) WHERE c.id = v.x + 100000;
UPDATE h SET n = n + 1000 FROM (VALUES (1), (1)) v(x) WHERE h.id = v.x + 100000;
SELECT same('join duplicates');

-- transactions: rollback, savepoints, several commands on the same rows
BEGIN;
DELETE FROM c WHERE grp = 5;
SELECT count(*) FROM c WHERE grp = 5;
ROLLBACK;
SELECT same('rolled back');
BEGIN;
UPDATE c SET n = -1 WHERE id = 3007;
SAVEPOINT s1;
DELETE FROM c WHERE id = 3007;
UPDATE c SET n = -2 WHERE id = 3008;
ROLLBACK TO s1;
SAVEPOINT s2;
UPDATE c SET n = -3 WHERE id = 3007;
RELEASE s2;
UPDATE c SET n = n - 1 WHERE id = 3007;
SELECT id, n FROM c WHERE id IN (3007, 3008) ORDER BY id;
COMMIT;
UPDATE h SET n = -4 WHERE id = 3007;
SELECT same('savepoints');
-- rows inserted and changed in one transaction, before they are flushed
BEGIN;
INSERT INTO c VALUES (200001, 1, 'new', 1, now()), (200002, 1, 'new', 2, now());
UPDATE c SET n = n * 100 WHERE id > 200000;
DELETE FROM c WHERE id = 200001;
SELECT id, n FROM c WHERE id > 200000;
COMMIT;
INSERT INTO h VALUES (200002, 1, 'new', 200, (SELECT ts FROM c WHERE id = 200002));
SELECT same('own rows');
-- a plpgsql loop with exception blocks (subtransactions) over the same rows
DO $$
BEGIN
    FOR i IN 1..20 LOOP
        BEGIN
            UPDATE c SET n = n + 1 WHERE id = 1000 + i;
            IF i % 4 = 0 THEN
                RAISE EXCEPTION 'undo';
            END IF;
        EXCEPTION WHEN raise_exception THEN
            NULL;
        END;
    END LOOP;
END
$$;
UPDATE h SET n = n + 1 WHERE id BETWEEN 1001 AND 1020 AND id % 4 <> 0;
SELECT same('exception blocks');

-- cursors: WHERE CURRENT OF, and a cursor that keeps its snapshot
BEGIN;
DECLARE cur CURSOR FOR SELECT id FROM c WHERE id BETWEEN 2000 AND 2010 ORDER BY id FOR UPDATE;
FETCH 2 FROM cur;
UPDATE c SET v = 'current' WHERE CURRENT OF cur;
DELETE FROM c WHERE CURRENT OF cur;
FETCH 1 FROM cur;
COMMIT;
SELECT id, v FROM c WHERE id BETWEEN 2000 AND 2004 ORDER BY id;
UPDATE h SET v = 'current' WHERE id = 2002;
DELETE FROM h WHERE id = 2002;
SELECT same('where current of');

-- MERGE: matched rows updated or deleted, others inserted
MERGE INTO c USING (VALUES (5, 'm5'), (10, 'm10'), (300000, 'm3')) v(id, v) ON c.id = v.id
    WHEN MATCHED AND v.id = 5 THEN UPDATE SET v = v.v
    WHEN MATCHED THEN DELETE
    WHEN NOT MATCHED THEN INSERT (id, grp, v) VALUES (v.id, 0, v.v);
MERGE INTO h USING (VALUES (5, 'm5'), (10, 'm10'), (300000, 'm3')) v(id, v) ON h.id = v.id
    WHEN MATCHED AND v.id = 5 THEN UPDATE SET v = v.v
    WHEN MATCHED THEN DELETE
    WHEN NOT MATCHED THEN INSERT (id, grp, v) VALUES (v.id, 0, v.v);
SELECT same('merge');
-- INSERT ... ON CONFLICT: existing keys updated or left, new ones inserted
INSERT INTO c VALUES (5, 0, 'x') ON CONFLICT (id) DO UPDATE SET v = 'upserted';
INSERT INTO h VALUES (5, 0, 'x') ON CONFLICT (id) DO UPDATE SET v = 'upserted';
INSERT INTO c SELECT g, 9, 'up' || g FROM generate_series(29990, 30010) g
    ON CONFLICT (id) DO UPDATE SET v = excluded.v, grp = c.grp + 100;
INSERT INTO h SELECT g, 9, 'up' || g FROM generate_series(29990, 30010) g
    ON CONFLICT (id) DO UPDATE SET v = excluded.v, grp = h.grp + 100;
WITH i AS (INSERT INTO c VALUES (6, 0, 'y'), (400000, 0, 'new') ON CONFLICT DO NOTHING RETURNING id)
SELECT * FROM i;
INSERT INTO h VALUES (6, 0, 'y'), (400000, 0, 'new') ON CONFLICT DO NOTHING;
SELECT same('upsert');
-- the same key twice in one command
INSERT INTO c VALUES (500000, 0, 'a'), (500000, 0, 'b') ON CONFLICT (id) DO UPDATE SET v = excluded.v;
INSERT INTO c VALUES (500000, 0, 'a'), (500000, 0, 'b') ON CONFLICT DO NOTHING;
SELECT id, v FROM c WHERE id = 500000;
INSERT INTO h VALUES (500000, 0, 'a');
-- a conflict on a unique index that is not the arbiter still raises
CREATE UNIQUE INDEX c_v ON c (v) WHERE id >= 400000;
INSERT INTO c VALUES (600000, 0, 'new') ON CONFLICT (id) DO NOTHING;
DROP INDEX c_v;
SELECT same('upsert twice');

-- triggers: row and statement level, with transition tables
CREATE TABLE audit (op text, id int, old_n int8, new_n int8);
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit VALUES ('D', OLD.id, OLD.n, NULL);
        RETURN OLD;
    END IF;
    INSERT INTO audit VALUES ('U', NEW.id, OLD.n, NEW.n);
    NEW.n := NEW.n + 1;		-- BEFORE triggers change what is stored
    RETURN NEW;
END
$$;
CREATE FUNCTION audit_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit SELECT 'old', count(*), sum(n), NULL FROM old_rows;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO audit SELECT 'new', count(*), NULL, sum(n) FROM new_rows;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER c_row BEFORE UPDATE OR DELETE ON c FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER c_upd AFTER UPDATE ON c REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt();
CREATE TRIGGER c_del AFTER DELETE ON c REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt();
UPDATE c SET n = 0 WHERE id IN (20, 22);
DELETE FROM c WHERE id = 23;
SELECT * FROM audit ORDER BY op, id;
SELECT id, n FROM c WHERE id BETWEEN 20 AND 23 ORDER BY id;
DROP TRIGGER c_row ON c;
DROP TRIGGER c_upd ON c;
DROP TRIGGER c_del ON c;
UPDATE h SET n = 1 WHERE id IN (20, 22);
DELETE FROM h WHERE id = 23;
SELECT same('triggers');

-- foreign keys: a columnar table referenced and referencing
CREATE TABLE parent (id int PRIMARY KEY, name text) USING strata_columnar;
CREATE TABLE child (id int, pid int REFERENCES parent ON DELETE CASCADE) USING strata_columnar;
CREATE TABLE strict_child (pid int REFERENCES parent);
INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 10) g;
INSERT INTO child SELECT g, g % 10 + 1 FROM generate_series(1, 100) g;
INSERT INTO strict_child VALUES (1);
INSERT INTO child VALUES (0, 42);
DELETE FROM parent WHERE id = 1;
DELETE FROM parent WHERE id = 2;
SELECT count(*) FROM child WHERE pid = 2;
SELECT count(*) FROM child;
UPDATE parent SET name = 'renamed' WHERE id = 1;
SELECT * FROM parent WHERE id <= 3 ORDER BY id;

-- row locks
SELECT id FROM parent WHERE id = 3 FOR UPDATE;
SELECT id FROM parent WHERE id = 3 FOR NO KEY UPDATE NOWAIT;
SELECT id FROM parent WHERE id = 3 FOR SHARE SKIP LOCKED;
SELECT id FROM parent WHERE id = 3 FOR KEY SHARE;
BEGIN;
SELECT id FROM parent WHERE id = 4 FOR UPDATE;
DELETE FROM parent WHERE id = 4;
SELECT id FROM parent WHERE id = 4 FOR UPDATE;
COMMIT;

-- ADD COLUMN, then rows updated with the new column
ALTER TABLE c ADD COLUMN extra int DEFAULT 7;
ALTER TABLE h ADD COLUMN extra int DEFAULT 7;
UPDATE c SET extra = id WHERE id BETWEEN 30 AND 40;
UPDATE h SET extra = id WHERE id BETWEEN 30 AND 40;
SELECT same('add column');

-- sampling and planner estimates skip the deleted rows
ANALYZE c;
SELECT reltuples BETWEEN 19000 AND 21000 AS estimate_ok FROM pg_class WHERE relname = 'c';
SELECT count(*) BETWEEN 1 AND 20000 AS sampled FROM c TABLESAMPLE SYSTEM (50) REPEATABLE (3);
SELECT count(*) = (SELECT count(*) FROM c) AS all_sampled FROM c TABLESAMPLE BERNOULLI (100);

-- a parallel scan sees the same rows
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET strata_columnar.enable_vectorized_agg = off;
SELECT count(*), sum(n) FROM c WHERE v <> 'x';
RESET strata_columnar.enable_vectorized_agg;
RESET max_parallel_workers_per_gather;
SELECT count(*), sum(n) FROM h WHERE v <> 'x';

-- everything deleted, then TRUNCATE
DELETE FROM c;
SELECT count(*) FROM c;
SELECT deleted_rows = row_count AS all_deleted FROM strata_columnar.stats('c');
-- (the index builds of TRUNCATE are not planned parallel)
TRUNCATE c;
SELECT * FROM strata_columnar.stats('c');
SELECT strata_columnar.verify('parent') LIKE 'ok: %' AS verified;
DROP TABLE c, h, audit, strict_child, child, parent;
DROP FUNCTION same(text), audit_row(), audit_stmt();
