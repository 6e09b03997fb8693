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
CREATE TABLE by_guc (a int) USING strata_columnar;
INSERT INTO by_guc SELECT generate_series(1, 5000);
SELECT chunk_groups FROM strata_columnar.stats('by_guc');
SELECT codecs FROM strata_columnar.column_stats('by_guc');
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

DROP TABLE opt, plain_heap, by_guc;
SELECT count(*) AS options_left FROM strata_columnar.options;
