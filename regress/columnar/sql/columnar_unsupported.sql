-- What this version does not do says so, naming the table; nothing changes
-- (MERGE's insert branch works and adds row 3).
SET client_min_messages = warning;
CREATE TABLE nope (a int PRIMARY KEY, b text) USING strata_columnar;
INSERT INTO nope VALUES (1, 'one'), (2, 'two');
UPDATE nope SET b = 'uno' WHERE a = 1;
DELETE FROM nope WHERE a = 2;
SELECT * FROM nope FOR UPDATE;
-- a conflict found by the index pre-check needs no speculative insertion
INSERT INTO nope VALUES (1, 'x') ON CONFLICT DO NOTHING;
INSERT INTO nope VALUES (3, 'x') ON CONFLICT DO NOTHING;
CREATE UNLOGGED TABLE nope_unlogged (a int) USING strata_columnar;
-- MERGE inserts rows it does not find, and refuses to change rows it does
MERGE INTO nope USING (VALUES (3, 'three')) v(a, b) ON nope.a = v.a
    WHEN NOT MATCHED THEN INSERT VALUES (v.a, v.b);
MERGE INTO nope USING (VALUES (3, 'tres')) v(a, b) ON nope.a = v.a
    WHEN MATCHED THEN UPDATE SET b = v.b;
MERGE INTO nope USING (VALUES (3)) v(a) ON nope.a = v.a
    WHEN MATCHED THEN DELETE;
CLUSTER nope USING nope_pkey;
CREATE INDEX CONCURRENTLY ON nope (b);
CREATE TABLE refers (a int REFERENCES nope);
INSERT INTO refers VALUES (1);
-- the plain table scan cannot go backwards (ColumnarScan gets a Material)
SET strata_columnar.enable_custom_scan = off;
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT a FROM nope;
FETCH NEXT FROM c;
FETCH PRIOR FROM c;
ROLLBACK;
RESET strata_columnar.enable_custom_scan;
SELECT * FROM nope ORDER BY a;
SELECT strata_columnar.verify('nope') LIKE 'ok: %' AS verified;
DROP TABLE refers, nope;
