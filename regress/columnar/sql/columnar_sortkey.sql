-- A sort key (strata_columnar.sort_key) orders each stripe of a bulk load
-- (COPY, table rewrites) of a table with no index or trigger, the whole
-- table at VACUUM FULL, the rows VACUUM merges, and the stripes other loads
-- left in arrival order, a few at each VACUUM.  CLUSTER orders a table by
-- an index.  Every table is compared with a heap twin.
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE src AS
SELECT g AS id, '2026-01-01'::timestamptz + ((g * 7919) % 30011) * interval '1 minute' AS ts,
       'k' || (g % 37) AS k, CASE WHEN g % 101 = 0 THEN NULL ELSE (g * 31) % 1000 END::int8 AS v
FROM generate_series(1, 30000) g;
-- a file in the server's data directory: COPY FROM a file is a bulk load
COPY (SELECT * FROM src ORDER BY id) TO PROGRAM 'cat > columnar_sortkey.data';

CREATE TABLE sk (id int, ts timestamptz, k text, v int8) USING strata_columnar
    WITH (strata_columnar.sort_key = 'ts, id', strata_columnar.stripe_row_limit = 10000,
          strata_columnar.chunk_group_row_limit = 1000);
CREATE TABLE plain (LIKE sk) USING strata_columnar
    WITH (strata_columnar.stripe_row_limit = 10000, strata_columnar.chunk_group_row_limit = 1000);
SELECT sort_key FROM strata_columnar.get_options('sk');
SELECT sort_key FROM strata_columnar.get_options('plain');
COPY sk FROM 'columnar_sortkey.data';
COPY plain FROM 'columnar_sortkey.data';

-- how often, in row order, ts goes down: at most once a stripe when sorted
CREATE FUNCTION descents(t regclass, col text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FILTER (WHERE x < p) FROM (SELECT %I AS x, lag(%I) OVER (ORDER BY ctid) AS p FROM %s) s',
                   col, col, t) INTO n;
    RETURN n;
END
$$;
CREATE FUNCTION groups_read(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF line ~ 'Chunk groups read' THEN
            RETURN btrim(line);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
SELECT (SELECT stripes FROM strata_columnar.stats('sk')) AS stripes,
       descents('sk', 'ts') AS sorted_descents, descents('plain', 'ts') > 5000 AS unsorted;
-- a time range reads one chunk group a stripe instead of every one
SELECT groups_read('SELECT count(*) FROM sk WHERE ts >= ''2026-01-10'' AND ts < ''2026-01-10 12:00''');
SELECT groups_read('SELECT count(*) FROM plain WHERE ts >= ''2026-01-10'' AND ts < ''2026-01-10 12:00''');
SELECT count(*) AS differences
FROM ((TABLE sk EXCEPT ALL TABLE src) UNION ALL (TABLE src EXCEPT ALL TABLE sk)) x;
SELECT strata_columnar.verify('sk');

-- in a transaction: the load's rows are there for the next statement, and
-- an aborted load (or subtransaction) leaves nothing
TRUNCATE sk;
BEGIN;
COPY sk FROM 'columnar_sortkey.data';
SELECT count(*), min(ts), max(id) FROM sk;
SAVEPOINT s;
COPY sk FROM 'columnar_sortkey.data';
ROLLBACK TO s;
SELECT count(*) FROM sk;
COMMIT;
SELECT count(*), descents('sk', 'ts') <= 2 AS sorted FROM sk;
BEGIN;
COPY sk FROM 'columnar_sortkey.data';
ROLLBACK;
SELECT count(*) FROM sk;

-- rows inserted one at a time are not sorted (their TIDs go out at once)
CREATE TABLE sk2 (id int, ts timestamptz, k text, v int8) USING strata_columnar;
SELECT strata_columnar.set_options('sk2', sort_key => 'k, v', stripe_row_limit => 10000);
INSERT INTO sk2 SELECT * FROM src;
SELECT descents('sk2', 'k') > 1000 AS unsorted;
-- a rewrite is a bulk load: sorted a stripe at a time, options kept
ALTER TABLE sk2 ALTER COLUMN v TYPE numeric;
SELECT sort_key, stripe_row_limit FROM strata_columnar.get_options('sk2');
SELECT descents('sk2', 'k') AS descents_after_rewrite;
SELECT count(*) AS differences
FROM ((TABLE sk2 EXCEPT ALL SELECT id, ts, k, v::numeric FROM src)
      UNION ALL (SELECT id, ts, k, v::numeric FROM src EXCEPT ALL TABLE sk2)) x;

-- VACUUM FULL sorts the whole table, and keeps its settings
CREATE TABLE ski (id int PRIMARY KEY, ts timestamptz, k text, v int8) USING strata_columnar
    WITH (strata_columnar.compression = 'lz4', strata_columnar.stripe_row_limit = 10000);
COPY ski FROM 'columnar_sortkey.data';
SELECT descents('ski', 'ts') > 5000 AS unsorted_with_an_index;
ALTER TABLE ski SET (strata_columnar.sort_key = 'ts');
VACUUM FULL ski;
SELECT descents('ski', 'ts') AS descents_after_vacuum_full,
       (SELECT stripes FROM strata_columnar.stats('ski')) AS stripes;
SELECT attname, codecs FROM strata_columnar.column_stats('ski') WHERE attname = 'ts';
SELECT * FROM ski WHERE id = 4242;
SELECT * FROM src WHERE id = 4242;
SELECT count(*) AS differences
FROM ((TABLE ski EXCEPT ALL TABLE src) UNION ALL (TABLE src EXCEPT ALL TABLE ski)) x;
SELECT strata_columnar.verify('ski');

-- VACUUM merges small stripes in key order and indexes the moved rows
INSERT INTO ski VALUES (-1, '2027-01-03', 'x', 1);
INSERT INTO ski VALUES (-2, '2027-01-01', 'x', 2);
INSERT INTO ski VALUES (-3, '2027-01-02', 'x', 3);
VACUUM ski;
SELECT id FROM ski WHERE ts >= '2027-01-01' ORDER BY ctid;
SET enable_seqscan = off;
SELECT id, ts FROM ski WHERE id IN (-1, -2, -3) ORDER BY id;
RESET enable_seqscan;

-- CLUSTER: by an index, once
CREATE INDEX ski_k ON ski (k, id);
CLUSTER ski USING ski_k;
SELECT descents('ski', 'k') AS descents_after_cluster;
-- VACUUM keeps the order CLUSTER chose
VACUUM ski;
SELECT descents('ski', 'k') AS descents_after_vacuum;
SET enable_seqscan = off;
SELECT * FROM ski WHERE id = 4242;
RESET enable_seqscan;
SELECT count(*) FROM ski;
SELECT strata_columnar.verify('ski');

-- A load into a table with an index keeps arrival order (the index takes
-- each row's TID at once): VACUUM sorts such stripes, eight at a time, as
-- autovacuum would, with new index entries, until all are in key order.
CREATE TABLE skp (id int PRIMARY KEY, ts timestamptz, k text, v int8) USING strata_columnar
    WITH (strata_columnar.sort_key = 'ts', strata_columnar.stripe_row_limit = 3000,
          strata_columnar.chunk_group_row_limit = 1000);
COPY skp FROM 'columnar_sortkey.data';
CREATE VIEW skp_stripes AS
    SELECT count(*) FILTER (WHERE sorted) AS sorted, count(*) FILTER (WHERE NOT sorted) AS unsorted
    FROM strata_columnar.stripe JOIN strata_columnar.storage USING (storage_id)
    WHERE relid = 'skp'::regclass;
SELECT * FROM skp_stripes;
SELECT groups_read('SELECT count(*) FROM skp WHERE ts >= ''2026-01-10'' AND ts < ''2026-01-10 12:00''');
VACUUM skp;
SELECT * FROM skp_stripes;
-- strata_columnar.sort_stripes_per_vacuum bounds it (0: none)
SET strata_columnar.sort_stripes_per_vacuum = 0;
VACUUM skp;
SELECT * FROM skp_stripes;
RESET strata_columnar.sort_stripes_per_vacuum;
VACUUM skp;
SELECT * FROM skp_stripes;
VACUUM skp;
SELECT * FROM skp_stripes;
SELECT descents('skp', 'ts') AS descents_after_vacuums;
SELECT groups_read('SELECT count(*) FROM skp WHERE ts >= ''2026-01-10'' AND ts < ''2026-01-10 12:00''');
SET enable_seqscan = off;
SELECT * FROM skp WHERE id = 4242;
RESET enable_seqscan;
SELECT count(*) AS differences
FROM ((TABLE skp EXCEPT ALL TABLE src) UNION ALL (TABLE src EXCEPT ALL TABLE skp)) x;
SELECT strata_columnar.verify('skp');
-- a larger bound sorts a whole load in one VACUUM
TRUNCATE skp;
COPY skp FROM 'columnar_sortkey.data';
SET strata_columnar.sort_stripes_per_vacuum = 100;
VACUUM skp;
RESET strata_columnar.sort_stripes_per_vacuum;
SELECT * FROM skp_stripes;
SELECT descents('skp', 'ts') AS descents_after_one_vacuum;

-- a trigger needs the TIDs of the loaded rows: that load is not sorted
CREATE FUNCTION note_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = 4242 THEN
        RAISE NOTICE 'row 4242 loaded with ts %', NEW.ts;
    END IF;
    RETURN NULL;
END
$$;
CREATE TABLE skt (id int, ts timestamptz, k text, v int8) USING strata_columnar
    WITH (strata_columnar.sort_key = 'ts');
CREATE TRIGGER skt_after AFTER INSERT ON skt FOR EACH ROW EXECUTE FUNCTION note_row();
SET client_min_messages = notice;
COPY skt FROM 'columnar_sortkey.data';
SET client_min_messages = warning;
SELECT count(*), descents('skt', 'ts') > 5000 AS unsorted FROM skt;

-- the key follows its columns
ALTER TABLE sk RENAME COLUMN ts TO event_time;
SELECT sort_key FROM strata_columnar.get_options('sk');
ALTER TABLE sk DROP COLUMN id;
SELECT sort_key FROM strata_columnar.get_options('sk');
ALTER TABLE sk ADD COLUMN id int;
SELECT sort_key FROM strata_columnar.get_options('sk');
ALTER TABLE sk RESET (strata_columnar.sort_key);
SELECT sort_key FROM strata_columnar.get_options('sk');
SELECT strata_columnar.set_options('sk', sort_key => '"k", event_time');
SELECT sort_key FROM strata_columnar.get_options('sk');
SELECT strata_columnar.set_options('sk', sort_key => '');
SELECT sort_key FROM strata_columnar.get_options('sk');

-- bad keys
ALTER TABLE sk SET (strata_columnar.sort_key = 'nope');
ALTER TABLE sk SET (strata_columnar.sort_key = 'k, k');
ALTER TABLE sk SET (strata_columnar.sort_key = 'k,');
ALTER TABLE sk ADD COLUMN p point;
ALTER TABLE sk SET (strata_columnar.sort_key = 'p');
ALTER TABLE sk SET (strata_columnar.sort_key = 'a,b,c,d,e,f,g,h,i');
ALTER TABLE sk SET (strata_columnar.sort_key = 'ctid');

COPY (SELECT) TO PROGRAM 'rm -f columnar_sortkey.data';
DROP TABLE src, sk, plain, sk2, ski, skt, skp CASCADE;
DROP FUNCTION descents(regclass, text);
DROP FUNCTION groups_read(text);
DROP FUNCTION note_row();
