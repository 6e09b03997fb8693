-- Schema changes and rewrites keep every row.
SET client_min_messages = warning;
CREATE TABLE ddl (a int, b text) USING strata_columnar;
INSERT INTO ddl SELECT g, 'b' || g FROM generate_series(1, 1000) g;

-- ADD COLUMN: old stripes read the default (or NULL) without a rewrite
ALTER TABLE ddl ADD COLUMN c int DEFAULT 42;
ALTER TABLE ddl ADD COLUMN d text;
INSERT INTO ddl VALUES (1001, 'new', 7, 'dd');
SELECT count(*), count(c), sum(c), count(d) FROM ddl;
SELECT * FROM ddl WHERE a IN (1, 1001) ORDER BY a;

-- DROP COLUMN: the dropped column's data is ignored, later rows lack it
ALTER TABLE ddl DROP COLUMN b;
INSERT INTO ddl VALUES (1002, 8, 'ee');
SELECT * FROM ddl WHERE a IN (1, 1001, 1002) ORDER BY a;

-- ALTER COLUMN TYPE rewrites the table through the access method
ALTER TABLE ddl ALTER COLUMN a TYPE int8;
SELECT pg_typeof(a), count(*), sum(a) FROM ddl GROUP BY 1;

-- heap to columnar and back, with ALTER TABLE ... SET ACCESS METHOD
CREATE TABLE moving (a int, b text);
INSERT INTO moving SELECT g, repeat('x', g % 10) FROM generate_series(1, 5000) g;
ALTER TABLE moving SET ACCESS METHOD strata_columnar;
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.relname = 'moving';
SELECT count(*), sum(a), sum(length(b)) FROM moving;
SELECT strata_columnar.verify('moving') LIKE 'ok: %' AS verified;
ALTER TABLE moving SET ACCESS METHOD heap;
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.relname = 'moving';
SELECT count(*), sum(a), sum(length(b)) FROM moving;

-- VACUUM FULL rewrites into full stripes; plain VACUUM and ANALYZE work
CREATE TABLE small_stripes (a int) USING strata_columnar;
INSERT INTO small_stripes VALUES (1);
INSERT INTO small_stripes VALUES (2);
INSERT INTO small_stripes VALUES (3);
SELECT stripes FROM strata_columnar.stats('small_stripes');
VACUUM FULL small_stripes;
SELECT stripes, row_count FROM strata_columnar.stats('small_stripes');
SELECT * FROM small_stripes ORDER BY a;
-- plain VACUUM merges stripes smaller than a chunk group, indexes follow
INSERT INTO small_stripes VALUES (4);
INSERT INTO small_stripes VALUES (5);
CREATE UNIQUE INDEX small_stripes_a ON small_stripes (a);
SELECT stripes FROM strata_columnar.stats('small_stripes');
VACUUM small_stripes;
SELECT stripes, row_count FROM strata_columnar.stats('small_stripes');
SET enable_seqscan = off;
SELECT a FROM small_stripes WHERE a = 5;
RESET enable_seqscan;
INSERT INTO small_stripes VALUES (5);
SELECT strata_columnar.verify('small_stripes') LIKE 'ok: %' AS verified;
ANALYZE ddl;
SELECT reltuples FROM pg_class WHERE relname = 'ddl';
SELECT attname, n_distinct FROM pg_stats WHERE tablename = 'ddl' AND attname = 'a';

-- the planner's row estimate comes from the metadata
CREATE FUNCTION plan_rows(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE j json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j;
    RETURN (j -> 0 -> 'Plan' ->> 'Plan Rows')::int;
END $$;
SELECT plan_rows('SELECT * FROM small_stripes');

-- partitioned tables with columnar partitions, beside a heap one
CREATE TABLE parted (at date, v int) PARTITION BY RANGE (at);
CREATE TABLE parted_2025 PARTITION OF parted FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') USING strata_columnar;
CREATE TABLE parted_2026 PARTITION OF parted FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO parted SELECT '2025-06-01'::date + g, g FROM generate_series(0, 400) g;
SELECT tableoid::regclass, count(*), sum(v) FROM parted GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM parted WHERE at < '2025-07-01';

-- inheritance
CREATE TABLE parent (a int);
CREATE TABLE child (b int) INHERITS (parent) USING strata_columnar;
INSERT INTO child VALUES (1, 2), (3, 4);
INSERT INTO parent VALUES (5);
SELECT * FROM parent ORDER BY a;

-- triggers: row and statement level, with a transition table
CREATE TABLE audit (what text, n int);
CREATE FUNCTION note_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit VALUES ('row', NEW.a); RETURN NEW; END $$;
CREATE FUNCTION note_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit SELECT 'statement', count(*) FROM new_rows; RETURN NULL; END $$;
CREATE TABLE trig (a int) USING strata_columnar;
CREATE TRIGGER r BEFORE INSERT ON trig FOR EACH ROW EXECUTE FUNCTION note_row();
CREATE TRIGGER a AFTER INSERT ON trig FOR EACH ROW EXECUTE FUNCTION note_row();
CREATE TRIGGER s AFTER INSERT ON trig REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION note_statement();
INSERT INTO trig VALUES (1), (2);
SELECT * FROM audit ORDER BY what, n;

-- CHECK, NOT NULL and foreign keys from a columnar table to a heap table
CREATE TABLE dim (id int PRIMARY KEY);
INSERT INTO dim VALUES (1), (2);
CREATE TABLE fact (dim_id int NOT NULL REFERENCES dim, v int CHECK (v > 0)) USING strata_columnar;
INSERT INTO fact VALUES (1, 10), (2, 20);
INSERT INTO fact VALUES (3, 30);
INSERT INTO fact VALUES (1, -1);
INSERT INTO fact VALUES (NULL, 1);
SELECT * FROM fact ORDER BY dim_id;

-- CTEs with DML, and a materialized view stored columnar
WITH moved AS (INSERT INTO fact VALUES (2, 5) RETURNING *)
SELECT count(*) FROM moved;
CREATE MATERIALIZED VIEW fact_sum USING strata_columnar AS
    SELECT dim_id, sum(v) AS total FROM fact GROUP BY dim_id;
INSERT INTO fact VALUES (1, 1);
REFRESH MATERIALIZED VIEW fact_sum;
SELECT * FROM fact_sum ORDER BY dim_id;

DROP MATERIALIZED VIEW fact_sum;
DROP TABLE ddl, moving, small_stripes, parted, parent, child, audit, trig, fact, dim;
DROP FUNCTION note_row(), note_statement(), plan_rows(text);
