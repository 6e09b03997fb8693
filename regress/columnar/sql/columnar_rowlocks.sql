-- Row locks over many rows: SELECT ... FOR UPDATE of a whole table and the
-- foreign key checks of a large load into a referencing table.  Past 256
-- tuple locks a transaction's row locks are kept as row_lock rows instead
-- of in the shared lock table, which would otherwise fill ("out of shared
-- memory"); other sessions' waits on them are in specs/columnar_rowlocks_concurrent.
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE parent (id int PRIMARY KEY, v int) USING strata_columnar;
INSERT INTO parent SELECT g, g FROM generate_series(1, 50000) g;
CREATE TABLE child (id int, pid int REFERENCES parent);
CREATE VIEW tuple_locks AS
    SELECT count(*) AS n FROM pg_locks
    WHERE pid = pg_backend_pid() AND locktype = 'tuple';
CREATE VIEW lock_rows AS
    SELECT l.lock_mode, count(*) AS row_locks
    FROM strata_columnar.row_lock l
    JOIN strata_columnar.storage s USING (storage_id)
    WHERE s.relid = 'parent'::regclass GROUP BY l.lock_mode ORDER BY l.lock_mode;

-- 40,000 foreign key checks (FOR KEY SHARE) in one statement
INSERT INTO child SELECT g, g FROM generate_series(1, 40000) g;
SELECT count(*), count(DISTINCT pid) FROM child;
-- ... and a key that is not there still fails
INSERT INTO child VALUES (0, 50001);

-- every row FOR UPDATE in one transaction: at most 256 tuple locks held
BEGIN;
SELECT count(*) FROM (SELECT id FROM parent FOR UPDATE) s;
SELECT n <= 256 AS bounded FROM tuple_locks;
SELECT * FROM lock_rows;
-- the transaction's own locks never stand in its way
UPDATE parent SET v = -v WHERE id % 1000 = 0;
DELETE FROM parent WHERE id = 49999;
SELECT count(*) FROM (SELECT id FROM parent FOR SHARE NOWAIT) s;
COMMIT;
SELECT count(*), sum(v) FROM parent;

-- locks taken in a rolled-back subtransaction, and in a released one
BEGIN;
SAVEPOINT a;
SELECT count(*) FROM (SELECT id FROM parent WHERE id <= 10000 FOR NO KEY UPDATE) s;
ROLLBACK TO SAVEPOINT a;
SAVEPOINT b;
SELECT count(*) FROM (SELECT id FROM parent WHERE id > 40000 FOR KEY SHARE) s;
RELEASE SAVEPOINT b;
SELECT n <= 256 AS bounded FROM tuple_locks;
COMMIT;

-- a cursor that locks as it goes, and updates through WHERE CURRENT OF
BEGIN;
DECLARE cur CURSOR FOR SELECT id FROM parent WHERE id BETWEEN 20000 AND 21000 ORDER BY id FOR UPDATE;
MOVE 600 FROM cur;
FETCH 1 FROM cur;
UPDATE parent SET v = 0 WHERE CURRENT OF cur;
CLOSE cur;
COMMIT;
SELECT id, v FROM parent WHERE id BETWEEN 20600 AND 20602 ORDER BY id;

-- a row_lock row means nothing once its transaction ended: VACUUM drops them
SELECT sum(row_locks) > 0 AS some_left FROM lock_rows;
VACUUM parent;
SELECT count(*) AS row_locks_left FROM lock_rows;

-- a damaged row_lock row is reported, naming the table, not followed
INSERT INTO strata_columnar.row_lock
    SELECT storage_id, span * 8192, 3, '\x07ff'::bytea
    FROM strata_columnar.storage, generate_series(0, 20) span
    WHERE relid = 'parent'::regclass;
SELECT id FROM parent WHERE id = 1 FOR UPDATE;
SELECT strata_columnar.verify('parent');
DELETE FROM strata_columnar.row_lock;
SELECT id FROM parent WHERE id = 1 FOR UPDATE;

SELECT strata_columnar.verify('parent');
DROP TABLE child, parent CASCADE;
