-- What this version does not do says so, naming the table; nothing changes.
SET client_min_messages = warning;
CREATE TABLE nope (a int PRIMARY KEY, b text) USING strata_columnar;
INSERT INTO nope VALUES (1, 'one'), (2, 'two');
CREATE UNLOGGED TABLE nope_unlogged (a int) USING strata_columnar;
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
DROP TABLE nope;
