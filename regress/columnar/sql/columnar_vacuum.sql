-- VACUUM reclaims deleted rows: mostly deleted stripes are rewritten, empty
-- ones dropped, row masks merged, and the data stays the same.
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET strata_columnar.stripe_row_limit = 10000;
SET strata_columnar.chunk_group_row_limit = 1000;
CREATE TABLE vac (id int PRIMARY KEY, k int, v text) USING strata_columnar;
CREATE INDEX vac_k ON vac (k) WHERE k < 100;
COPY vac FROM PROGRAM 'seq 1 50000 | awk ''{print $1 "\t" $1 % 1000 "\tv" $1}''';
CREATE TABLE ref AS SELECT * FROM vac;
-- no autovacuum snapshot may hold back the index cleanup below
ALTER TABLE ref SET (autovacuum_enabled = off);
ALTER TABLE vac SET (autovacuum_enabled = off);
SELECT stripes, row_count, deleted_rows FROM strata_columnar.stats('vac');

-- stripe 1 loses 5% of its rows, stripe 2 half, stripe 3 all
DELETE FROM vac WHERE id <= 10000 AND id % 20 = 0;
DELETE FROM vac WHERE id > 10000 AND id <= 20000 AND id % 2 = 0;
DELETE FROM vac WHERE id > 20000 AND id <= 30000;
UPDATE vac SET v = 'u' || id WHERE id > 40000 AND id % 4 = 0;
DELETE FROM ref WHERE (id <= 10000 AND id % 20 = 0) OR (id > 10000 AND id <= 20000 AND id % 2 = 0)
    OR (id > 20000 AND id <= 30000);
UPDATE ref SET v = 'u' || id WHERE id > 40000 AND id % 4 = 0;
SELECT stripes, row_count, deleted_rows FROM strata_columnar.stats('vac');
SELECT count(*) > 1 AS several_masks FROM strata_columnar.row_mask m
    JOIN strata_columnar.storage s USING (storage_id) WHERE s.relid = 'vac'::regclass;

SET client_min_messages = info;
VACUUM (VERBOSE) vac;
SET client_min_messages = warning;
-- stripe 1 stays (5% deleted), its deletions in one mask per span; the
-- second (50%) and fifth (25%) are rewritten into two new stripes, the
-- third dropped; the fourth and the update's two stay
SELECT stripes, row_count, deleted_rows FROM strata_columnar.stats('vac');
SELECT count(*) AS masks FROM strata_columnar.row_mask m
    JOIN strata_columnar.storage s USING (storage_id) WHERE s.relid = 'vac'::regclass;
SELECT (SELECT count(*) FROM (SELECT * FROM vac EXCEPT ALL SELECT * FROM ref) a) +
       (SELECT count(*) FROM (SELECT * FROM ref EXCEPT ALL SELECT * FROM vac) b) AS differences;
-- the moved rows are found through both indexes
SET enable_seqscan = off;
SET strata_columnar.enable_custom_scan = off;
SELECT id, k, v FROM vac WHERE id IN (10, 20, 10001, 10002, 25000, 40004, 49999) ORDER BY id;
SELECT count(*) FROM vac WHERE k = 4;
SELECT count(*) FROM ref WHERE k = 4;
RESET enable_seqscan;
RESET strata_columnar.enable_custom_scan;

-- a second VACUUM has nothing to rewrite, and removes the index entries of
-- the rows the first one moved, now that no snapshot predates it
SET client_min_messages = info;
VACUUM (VERBOSE) vac;
SET client_min_messages = warning;
SELECT stripes, row_count, deleted_rows FROM strata_columnar.stats('vac');
SELECT strata_columnar.verify('vac') LIKE 'ok: %' AS verified;

-- the planner's row count follows
SELECT reltuples FROM pg_class WHERE relname = 'vac';

-- VACUUM FULL rewrites everything, without the deleted rows
DELETE FROM vac WHERE id % 7 = 0;
DELETE FROM ref WHERE id % 7 = 0;
VACUUM FULL vac;
SELECT stripes, row_count, deleted_rows FROM strata_columnar.stats('vac');
SELECT (SELECT count(*) FROM (SELECT * FROM vac EXCEPT ALL SELECT * FROM ref) a) +
       (SELECT count(*) FROM (SELECT * FROM ref EXCEPT ALL SELECT * FROM vac) b) AS differences;
DROP TABLE vac, ref;
