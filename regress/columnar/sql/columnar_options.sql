-- Settings per table and by GUC: codecs, levels, stripe and chunk sizes.
SET client_min_messages = warning;
CREATE TABLE opt (a int, b text) USING strata_columnar;
SELECT * FROM strata_columnar.get_options('opt');

SELECT strata_columnar.set_options('opt', stripe_row_limit => 5000, chunk_group_row_limit => 1000,
                                   compression => 'lz4');
SELECT * FROM strata_columnar.get_options('opt');
INSERT INTO opt SELECT g, repeat('ab', g % 20) FROM generate_series(1, 12000) g;
SELECT stripes, chunk_groups, row_count FROM strata_columnar.stats('opt');
SELECT attname, codecs FROM strata_columnar.column_stats('opt');

SELECT strata_columnar.set_options('opt', compression => 'none');
INSERT INTO opt SELECT g, 'x' FROM generate_series(1, 10) g;
SELECT attname, codecs FROM strata_columnar.column_stats('opt');
SELECT strata_columnar.set_options('opt', compression => 'zstd', compression_level => 19);
SELECT * FROM strata_columnar.get_options('opt');
INSERT INTO opt SELECT g, 'y' FROM generate_series(1, 10) g;
SELECT count(*), sum(a) FROM opt;

-- bad values are refused with the valid range
SELECT strata_columnar.set_options('opt', stripe_row_limit => 10);
SELECT strata_columnar.set_options('opt', chunk_group_row_limit => 1000000);
SELECT strata_columnar.set_options('opt', compression => 'brotli');
SELECT strata_columnar.set_options('opt', compression => 'lz4', compression_level => 40);
SELECT strata_columnar.set_options(NULL);
CREATE TABLE plain_heap (a int);
SELECT strata_columnar.set_options('plain_heap', compression => 'lz4');
SELECT * FROM strata_columnar.stats('plain_heap');

-- GUCs are the defaults of tables without options
SET strata_columnar.compression = 'lz4';
SET strata_columnar.chunk_group_row_limit = 2000;
CREATE TABLE by_guc (a int, t text) USING strata_columnar;
INSERT INTO by_guc SELECT g, 'value ' || g % 10 FROM generate_series(1, 5000) g;
SELECT chunk_groups FROM strata_columnar.stats('by_guc');
SELECT attname, codecs FROM strata_columnar.column_stats('by_guc');
SET strata_columnar.compression = 'brotli';
SET strata_columnar.stripe_row_limit = 5;
SET strata_columnar.no_such_setting = 1;
RESET ALL;

-- only the owner changes options; readers need SELECT to see stats
CREATE ROLE columnar_other;
SET ROLE columnar_other;
SELECT strata_columnar.set_options('opt', compression => 'lz4');
SELECT * FROM strata_columnar.stats('opt');
SELECT * FROM strata_columnar.stripe LIMIT 1;
RESET ROLE;
GRANT SELECT ON opt TO columnar_other;
SET ROLE columnar_other;
SELECT row_count FROM strata_columnar.stats('opt');
RESET ROLE;
REVOKE SELECT ON opt FROM columnar_other;
DROP ROLE columnar_other;

-- the same settings in PostgreSQL's own syntax
CREATE TABLE syn (a int, b text) USING strata_columnar
  WITH (strata_columnar.compression = 'lz4', strata_columnar.chunk_group_row_limit = 2000);
SELECT * FROM strata_columnar.get_options('syn');
ALTER TABLE syn SET (strata_columnar.compression = 'zstd', strata_columnar.compression_level = 9,
                     strata_columnar.stripe_row_limit = 4000);
SELECT * FROM strata_columnar.get_options('syn');
INSERT INTO syn SELECT g, 'v' || g FROM generate_series(1, 10000) g;
SELECT stripes, chunk_groups FROM strata_columnar.stats('syn');
-- mixed with PostgreSQL's own options and commands, in one statement
ALTER TABLE syn SET (strata_columnar.compression = 'none', fillfactor = 90), ADD COLUMN c int;
SELECT compression FROM strata_columnar.get_options('syn');
SELECT reloptions FROM pg_class WHERE oid = 'syn'::regclass;
ALTER TABLE syn RESET (strata_columnar.compression, strata_columnar.chunk_group_row_limit);
SELECT * FROM strata_columnar.get_options('syn');
-- inside a transaction that rolls back, nothing changes
BEGIN;
ALTER TABLE syn SET (strata_columnar.compression = 'gzip');
ROLLBACK;
SELECT compression FROM strata_columnar.get_options('syn');
-- errors name the table and the setting
ALTER TABLE syn SET (strata_columnar.compression = 'brotli');
ALTER TABLE syn SET (strata_columnar.chunk_group_row_limit = 5);
ALTER TABLE syn SET (strata_columnar.compression_level = 99);
ALTER TABLE syn SET (strata_columnar.no_such_option = 1);
ALTER TABLE syn SET (strata_columnar.stripe_row_limit = 'many');
ALTER TABLE plain_heap SET (strata_columnar.compression = 'lz4');
CREATE TABLE heap_wants_it (a int) WITH (strata_columnar.compression = 'lz4');
SELECT count(*) FROM pg_class WHERE relname = 'heap_wants_it';
ALTER TABLE no_such_table SET (strata_columnar.compression = 'lz4');
ALTER TABLE IF EXISTS no_such_table SET (strata_columnar.compression = 'lz4');
CREATE TABLE IF NOT EXISTS syn (a int) USING strata_columnar WITH (strata_columnar.compression = 'gzip');
SELECT compression FROM strata_columnar.get_options('syn');
CREATE ROLE columnar_other;
GRANT ALL ON syn TO columnar_other;
SET ROLE columnar_other;
ALTER TABLE syn SET (strata_columnar.compression = 'lz4');
RESET ROLE;
REVOKE ALL ON syn FROM columnar_other;
DROP ROLE columnar_other;

-- wide values: byte limits close chunk groups and stripes before their
-- rows do, so a load of large values buffers a bounded amount
CREATE TABLE wide (id int, doc text) USING strata_columnar
  WITH (strata_columnar.compression = 'none', strata_columnar.chunk_group_byte_limit = 1048576,
        strata_columnar.stripe_byte_limit = 8388608);
SELECT stripe_byte_limit, chunk_group_byte_limit FROM strata_columnar.get_options('wide');
INSERT INTO wide SELECT g, repeat(md5(g::text), 4000) FROM generate_series(1, 100) g;
SELECT stripes, chunk_groups, row_count FROM strata_columnar.stats('wide');
SELECT count(*), sum(length(doc)) FROM wide;
ALTER TABLE wide SET (strata_columnar.chunk_group_byte_limit = 1000);
SELECT strata_columnar.set_options('wide', stripe_byte_limit => 2000000000);
SET strata_columnar.chunk_group_byte_limit = '2MB';
SHOW strata_columnar.chunk_group_byte_limit;
ALTER TABLE wide RESET (strata_columnar.chunk_group_byte_limit);
SELECT chunk_group_byte_limit FROM strata_columnar.get_options('wide');
RESET strata_columnar.chunk_group_byte_limit;

DROP TABLE opt, plain_heap, by_guc, syn, wide;
SELECT count(*) AS options_left FROM strata_columnar.options;
