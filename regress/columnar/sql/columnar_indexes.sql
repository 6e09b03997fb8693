-- B-tree indexes: built over stripes and unflushed rows, used for point
-- lookups, ranges and bitmap scans, enforcing uniqueness.
SET client_min_messages = warning;
CREATE TABLE ix (id int, grp int, label text) USING strata_columnar;
INSERT INTO ix SELECT g, g % 100, 'label ' || g FROM generate_series(1, 30000) g;
CREATE UNIQUE INDEX ix_id ON ix (id);
CREATE INDEX ix_grp ON ix (grp);
CREATE INDEX ix_label_lower ON ix (lower(label));
CREATE INDEX ix_partial ON ix (grp) WHERE id > 29990;

SET enable_seqscan = off;
EXPLAIN (costs off) SELECT * FROM ix WHERE id = 12345;
SELECT * FROM ix WHERE id = 12345;
SELECT count(*), min(id), max(id) FROM ix WHERE grp = 42;
SELECT id FROM ix WHERE lower(label) = 'label 777';
EXPLAIN (costs off) SELECT id FROM ix WHERE id > 29990 AND grp = 95;
SELECT id FROM ix WHERE id > 29990 AND grp = 95;
SELECT count(*) FROM ix WHERE id BETWEEN 100 AND 200;

-- index entries of rows inserted later, flushed or not
BEGIN;
INSERT INTO ix VALUES (40000, 1, 'pending');
SELECT * FROM ix WHERE id = 40000;
COMMIT;
SELECT * FROM ix WHERE id = 40000;

-- uniqueness, within a statement, a transaction, and after commit
INSERT INTO ix VALUES (12345, 0, 'duplicate');
BEGIN;
INSERT INTO ix VALUES (50000, 0, 'once');
INSERT INTO ix VALUES (50000, 0, 'twice');
ROLLBACK;
INSERT INTO ix VALUES (50001, 0, 'a'), (50001, 0, 'b');
SELECT count(*) FROM ix WHERE id >= 50000;

-- a primary key, and an index-only-shaped query (rows are fetched anyway)
CREATE TABLE pk (id int PRIMARY KEY, v text) USING strata_columnar;
INSERT INTO pk SELECT g, g::text FROM generate_series(1, 1000) g;
INSERT INTO pk VALUES (5, 'again');
SELECT id FROM pk WHERE id < 4 ORDER BY id;

-- TID scans
SELECT id FROM ix WHERE ctid = (SELECT ctid FROM ix WHERE id = 10);
RESET enable_seqscan;

-- REINDEX and an index over an empty table
REINDEX TABLE ix;
SELECT label FROM ix WHERE id = 29999;
CREATE TABLE empty_ix (a int) USING strata_columnar;
CREATE INDEX ON empty_ix (a);
INSERT INTO empty_ix VALUES (1);
SET enable_seqscan = off;
SELECT * FROM empty_ix WHERE a = 1;
RESET enable_seqscan;

-- CREATE INDEX and REINDEX CONCURRENTLY (concurrent writers in
-- t/009_index_concurrently.pl): unique, partial and expression indexes over
-- a table with deleted and updated rows
DELETE FROM ix WHERE id % 10 = 3;
UPDATE ix SET label = 'moved ' || id WHERE id % 10 = 4;
CREATE INDEX CONCURRENTLY ix_label ON ix (label);
CREATE UNIQUE INDEX CONCURRENTLY ix_id_unique ON ix (id) WHERE id < 50000;
CREATE INDEX CONCURRENTLY ix_lower ON ix (lower(label)) WHERE grp = 4;
SELECT indexrelid::regclass, indisvalid, indisready FROM pg_index
WHERE indexrelid::regclass::text IN ('ix_label', 'ix_id_unique', 'ix_lower') ORDER BY 1::text;
SET enable_seqscan = off;
SELECT id, label FROM ix WHERE label IN ('moved 24', 'label 25', 'label 23') ORDER BY id;
SELECT count(*) FROM ix WHERE lower(label) LIKE 'moved%' AND grp = 4;
RESET enable_seqscan;
SELECT count(*) FROM ix WHERE lower(label) LIKE 'moved%' AND grp = 4;
CREATE UNIQUE INDEX CONCURRENTLY ix_grp_unique ON ix (grp);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_grp_unique'::regclass;
DROP INDEX ix_grp_unique;
REINDEX INDEX CONCURRENTLY ix_label;
REINDEX TABLE CONCURRENTLY ix;
SET enable_seqscan = off;
SELECT id, label FROM ix WHERE label = 'moved 1234';
SELECT count(*) FROM ix WHERE id < 50000;
RESET enable_seqscan;
SELECT count(*) FROM ix WHERE id < 50000;

DROP TABLE ix, pk, empty_ix;
