-- Transactions: only committed rows are visible, a statement does not see
-- its own rows, and savepoints undo exactly what they should.
SET client_min_messages = warning;
CREATE TABLE tx (a int, b text) USING strata_columnar;

-- aborted inserts leave nothing behind
BEGIN;
INSERT INTO tx SELECT g, 'aborted' FROM generate_series(1, 20000) g;
SELECT count(*) FROM tx;
ROLLBACK;
SELECT count(*) FROM tx;

-- a transaction sees its own rows at once, statement by statement
BEGIN;
INSERT INTO tx VALUES (1, 'first');
SELECT * FROM tx;
INSERT INTO tx VALUES (2, 'second');
SELECT count(*) FROM tx;
-- a statement reading its own table does not see the rows it inserts
INSERT INTO tx SELECT a + 10, b || ' again' FROM tx;
SELECT * FROM tx ORDER BY a;
COMMIT;
SELECT * FROM tx ORDER BY a;

-- savepoints: rows of a rolled-back savepoint go, the rest stay
BEGIN;
INSERT INTO tx VALUES (100, 'kept');
SAVEPOINT s1;
INSERT INTO tx VALUES (101, 'rolled back');
SAVEPOINT s2;
INSERT INTO tx VALUES (102, 'rolled back too');
SELECT count(*) FROM tx WHERE a >= 100;
ROLLBACK TO s1;
SELECT a, b FROM tx WHERE a >= 100;
SAVEPOINT s3;
INSERT INTO tx VALUES (103, 'kept too');
RELEASE s3;
COMMIT;
SELECT a, b FROM tx WHERE a >= 100 ORDER BY a;

-- an error inside a PL/pgSQL block undoes only that block's rows
DO $$
BEGIN
    INSERT INTO tx VALUES (200, 'outer');
    BEGIN
        INSERT INTO tx VALUES (201, 'inner');
        PERFORM 1 / 0;
    EXCEPTION WHEN division_by_zero THEN
        NULL;
    END;
END $$;
SELECT a, b FROM tx WHERE a >= 200 ORDER BY a;

-- TRUNCATE in a transaction, undone with the transaction or a savepoint
BEGIN;
INSERT INTO tx VALUES (300, 'pending');
TRUNCATE tx;
SELECT count(*) FROM tx;
ROLLBACK;
SELECT count(*) FROM tx WHERE a = 300;
SELECT count(*) AS before FROM tx;
BEGIN;
INSERT INTO tx VALUES (301, 'pending before truncate');
SAVEPOINT s;
TRUNCATE tx;
SELECT count(*) FROM tx;
ROLLBACK TO s;
SELECT count(*) FROM tx WHERE a = 301;
COMMIT;
SELECT count(*) AS after FROM tx;
BEGIN;
TRUNCATE tx;
INSERT INTO tx VALUES (400, 'after truncate');
COMMIT;
SELECT * FROM tx;

-- a table created, filled and truncated in one transaction
BEGIN;
CREATE TABLE tx2 (a int) USING strata_columnar;
INSERT INTO tx2 SELECT generate_series(1, 100);
TRUNCATE tx2;
INSERT INTO tx2 VALUES (7);
COMMIT;
SELECT * FROM tx2;

-- many statements, each one stripe: all their rows are there
BEGIN;
INSERT INTO tx2 SELECT generate_series(1, 10);
INSERT INTO tx2 SELECT generate_series(11, 20);
INSERT INTO tx2 SELECT generate_series(21, 30);
SELECT count(*), sum(a) FROM tx2;
COMMIT;
SELECT count(*), sum(a) FROM tx2;

-- cursors read forward through pending and flushed rows alike
BEGIN;
INSERT INTO tx2 SELECT generate_series(100, 110);
DECLARE c CURSOR FOR SELECT a FROM tx2 ORDER BY a DESC;
FETCH 3 FROM c;
FETCH 2 FROM c;
CLOSE c;
COMMIT;

-- prepared statements and REPEATABLE READ snapshots
PREPARE q AS SELECT count(*) FROM tx2 WHERE a > $1;
EXECUTE q(100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM tx2;
SELECT count(*) FROM tx2;
COMMIT;
DEALLOCATE q;

DROP TABLE tx, tx2;
