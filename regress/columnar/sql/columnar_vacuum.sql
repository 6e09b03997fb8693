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

-- Pages of the stripes VACUUM drops are reused.  Each round updates every
-- row (the old stripes end up all deleted) and vacuums: the VACUUM drops
-- the old stripes, their pages wait (pending) until no snapshot can read
-- them, and the next VACUUM frees them for the stripes of the next update.
-- Without reuse, the file grows by the whole table every round.
CREATE TABLE churn (id int, grp int, v text) USING strata_columnar
    WITH (autovacuum_enabled = off);
SELECT strata_columnar.set_options('churn', stripe_row_limit => 10000);
CREATE TABLE churn_ref (id int, grp int, v text);
INSERT INTO churn SELECT g, g % 13, repeat(md5(g::text), 3) FROM generate_series(1, 30000) g;
INSERT INTO churn_ref SELECT * FROM churn;
CREATE TEMP TABLE churn_size (round int, blocks bigint);
INSERT INTO churn_size VALUES (0, pg_relation_size('churn') / 8192);
UPDATE churn SET grp = grp + 1;
VACUUM churn;
INSERT INTO churn_size VALUES (1, pg_relation_size('churn') / 8192);
SELECT free_pages, pending_pages > 0 AS pending FROM strata_columnar.stats('churn');
UPDATE churn SET grp = grp + 1;
VACUUM churn;
INSERT INTO churn_size VALUES (2, pg_relation_size('churn') / 8192);
UPDATE churn SET grp = grp + 1;
VACUUM churn;
INSERT INTO churn_size VALUES (3, pg_relation_size('churn') / 8192);
UPDATE churn SET grp = grp + 1, v = upper(v) WHERE id % 2 = 0;
VACUUM churn;
UPDATE churn SET grp = grp + 1, v = lower(v) WHERE id % 2 = 0;
VACUUM churn;
UPDATE churn SET grp = grp + 1;
VACUUM churn;
INSERT INTO churn_size VALUES (6, pg_relation_size('churn') / 8192);
UPDATE churn_ref SET grp = grp + 4;
UPDATE churn_ref SET grp = grp + 2 WHERE id % 2 = 0;
-- rounds 3 to 6 ran in the pages of earlier rounds: the file stopped growing
SELECT (SELECT blocks FROM churn_size WHERE round = 6) =
       (SELECT blocks FROM churn_size WHERE round = 3) AS stopped_growing,
       (SELECT blocks FROM churn_size WHERE round = 6) <
       (SELECT blocks FROM churn_size WHERE round = 0) * 4 AS bounded;
SELECT (SELECT count(*) FROM (SELECT * FROM churn EXCEPT ALL SELECT * FROM churn_ref) a) +
       (SELECT count(*) FROM (SELECT * FROM churn_ref EXCEPT ALL SELECT * FROM churn) b) AS differences;
SELECT strata_columnar.verify('churn') LIKE 'ok: %' AS verified;

-- a writer that aborts gives back the pages it took
SELECT free_pages AS free_before FROM strata_columnar.stats('churn') \gset
BEGIN;
INSERT INTO churn SELECT g, 0, 'aborted' FROM generate_series(1, 10000) g;
SELECT free_pages < :free_before AS took_pages FROM strata_columnar.stats('churn');
ROLLBACK;
SELECT free_pages = :free_before AS given_back FROM strata_columnar.stats('churn');
-- one that commits keeps them, and the rest of the run stays free
INSERT INTO churn SELECT g, 0, 'kept' FROM generate_series(1, 10000) g;
SELECT free_pages < :free_before AS kept FROM strata_columnar.stats('churn');
SELECT (SELECT blocks FROM churn_size WHERE round = 6) = pg_relation_size('churn') / 8192 AS same_size;
SELECT count(*) FROM churn WHERE v = 'kept';
SELECT strata_columnar.verify('churn') LIKE 'ok: %' AS verified;
-- the pages of loads that rolled back, failed or lost a subtransaction are
-- freed by the next VACUUM that locks out writers, and loaded again
CREATE TABLE lost (id int, v text) USING strata_columnar WITH (autovacuum_enabled = off);
SELECT strata_columnar.set_options('lost', stripe_row_limit => 10000);
INSERT INTO lost SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
-- merge the small stripes of the row-at-a-time insert, free their pages
VACUUM lost;
VACUUM lost;
SELECT pg_relation_size('lost') / 8192 AS lost_blocks, free_pages AS lost_free
FROM strata_columnar.stats('lost') \gset
BEGIN;
INSERT INTO lost SELECT g, md5(g::text) FROM generate_series(1, 30000) g;
ROLLBACK;
INSERT INTO lost SELECT g, CASE WHEN g = 25000 THEN (1 / 0)::text ELSE md5(g::text) END
FROM generate_series(1, 30000) g;
BEGIN;
SAVEPOINT s;
INSERT INTO lost SELECT g, md5(g::text) FROM generate_series(1, 30000) g;
ROLLBACK TO s;
COMMIT;
SELECT pg_relation_size('lost') / 8192 - :lost_blocks AS lost_grew_by \gset
SELECT :lost_grew_by > 50 AS grew, free_pages = :lost_free AS none_freed_yet
FROM strata_columnar.stats('lost');
VACUUM lost;
SELECT free_pages = :lost_free + :lost_grew_by AS freed, pending_pages FROM strata_columnar.stats('lost');
SELECT strata_columnar.verify('lost') LIKE 'ok: %' AS verified;
VACUUM lost;
SELECT free_pages = :lost_free + :lost_grew_by AS freed_once FROM strata_columnar.stats('lost');
INSERT INTO lost SELECT g, md5(g::text) FROM generate_series(20001, 50000) g;
SELECT pg_relation_size('lost') / 8192 = :lost_blocks + :lost_grew_by AS same_size,
       count(*), count(DISTINCT id), sum(id)
FROM lost;
SELECT strata_columnar.verify('lost') LIKE 'ok: %' AS verified;
DROP TABLE lost;
-- TRUNCATE and DROP take the free pages with the storage
SELECT storage_id AS churn_storage FROM strata_columnar.storage WHERE relid = 'churn'::regclass \gset
SELECT count(*) > 0 AS had_runs FROM strata_columnar.free_extent WHERE storage_id = :churn_storage;
TRUNCATE churn;
SELECT free_pages, pending_pages FROM strata_columnar.stats('churn');
SELECT count(*) AS old_runs FROM strata_columnar.free_extent WHERE storage_id = :churn_storage;
INSERT INTO churn SELECT g, 0, 'again' FROM generate_series(1, 30000) g;
UPDATE churn SET grp = 1;
VACUUM churn;
VACUUM churn;
SELECT free_pages > 0 AS has_free FROM strata_columnar.stats('churn');
SELECT storage_id AS churn_storage FROM strata_columnar.storage WHERE relid = 'churn'::regclass \gset
SELECT count(*) > 0 AS had_runs FROM strata_columnar.free_extent WHERE storage_id = :churn_storage;
DROP TABLE churn, churn_ref;
SELECT count(*) AS dropped_runs FROM strata_columnar.free_extent WHERE storage_id = :churn_storage;
