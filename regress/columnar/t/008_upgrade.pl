# pg_upgrade carries strata_columnar tables over as they are: the tables'
# files and the extension's catalog tables (stripes, row masks, free pages,
# settings) are transferred, with relfilenodes and OIDs kept, so the new
# cluster reads the same rows through the same indexes and goes on
# writing.  Only PostgreSQL 15 is installed here, so the upgrade is from
# 15 to 15, as pg_upgrade's own tests do it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $old = strata_node('old');
$old->safe_psql('postgres', q{
    CREATE EXTENSION strata_columnar;
    CREATE TABLE t (id int PRIMARY KEY, v text, at date, n numeric) USING strata_columnar;
    SELECT strata_columnar.set_options('t', compression => 'lz4', stripe_row_limit => 20000,
                                       sort_key => 'at');
    INSERT INTO t SELECT g, 'v' || g % 7, '2026-01-01'::date + g % 300, g / 3.0
    FROM generate_series(1, 100000) g;
    DELETE FROM t WHERE id % 5 = 0;
    UPDATE t SET v = 'updated' WHERE id % 7 = 0;
    VACUUM t;
    DELETE FROM t WHERE id > 90000;
    CREATE INDEX t_v ON t (v);
    CREATE TABLE untouched (a int) USING strata_columnar;
    INSERT INTO untouched SELECT generate_series(1, 1000);
    CREATE TABLE ref (pid int REFERENCES t) USING strata_columnar;
    INSERT INTO ref SELECT id FROM t WHERE id < 100 AND id % 3 = 1;
});
my $summary = q{SELECT count(*), count(DISTINCT v), sum(id), min(at), max(at), sum(n) FROM t};
my $stats = q{SELECT stripes, row_count, deleted_rows, free_pages FROM strata_columnar.stats('t')};
my $want = $old->safe_psql('postgres', $summary);
my $want_stats = $old->safe_psql('postgres', $stats);
my $bindir = $old->config_data('--bindir');
$old->stop;

my $new = strata_node('new');
$new->stop;
# pg_upgrade writes its logs where it runs
chdir $PostgreSQL::Test::Utils::tmp_check;
command_ok(
    [ 'pg_upgrade', '--no-sync', '-d', $old->data_dir, '-D', $new->data_dir,
      '-b', $bindir, '-B', $bindir, '-s', $new->host, '-p', $old->port, '-P', $new->port ],
    'pg_upgrade of a cluster with strata_columnar tables');
$new->start;

is($new->safe_psql('postgres', $summary), $want, 'the upgraded table holds the same rows');
is($new->safe_psql('postgres', $stats), $want_stats,
   'the same stripes, deleted rows and free pages');
is($new->safe_psql('postgres', q{SELECT compression, stripe_row_limit, sort_key FROM strata_columnar.get_options('t')}),
   'lz4|20000|at', 'its settings came along');
is($new->safe_psql('postgres', q{SET enable_seqscan = off; SELECT v, n FROM t WHERE id = 1234}),
   'v2|411.3333333333333333', 'the primary key index finds a row');
is($new->safe_psql('postgres', q{SET enable_seqscan = off; SELECT count(*) FROM t WHERE v = 'updated'}),
   $new->safe_psql('postgres', q{SELECT count(*) FROM t WHERE v || '' = 'updated'}),
   'and the index built before the upgrade finds the updated rows');
like($new->safe_psql('postgres', q{SELECT strata_columnar.verify('t')}), qr/^ok: /,
     'verify() after the upgrade');
is($new->safe_psql('postgres', q{SELECT count(*) FROM ref JOIN t ON t.id = ref.pid}), '27',
   'a foreign key between columnar tables came along');
my ($ok, $stdout, $stderr) = $new->psql('postgres', q{INSERT INTO ref VALUES (100000)});
like($stderr, qr/violates foreign key constraint/, 'and is checked');

# writing goes on: new rows, deletes, VACUUM, a new table's storage
$new->safe_psql('postgres', q{
    INSERT INTO t SELECT g, 'new', '2027-01-01', 0 FROM generate_series(200001, 210000) g;
    DELETE FROM t WHERE id % 3 = 0;
    VACUUM t;
    CREATE TABLE after_upgrade (a int) USING strata_columnar;
    INSERT INTO after_upgrade SELECT generate_series(1, 10);
    TRUNCATE untouched;
    INSERT INTO untouched VALUES (1);
});
is($new->safe_psql('postgres', q{SELECT count(*) FILTER (WHERE v = 'new'), count(*) FILTER (WHERE id % 3 = 0) FROM t}),
   '6666|0', 'inserts, deletes and VACUUM work after the upgrade');
is($new->safe_psql('postgres', q{SELECT count(*) = count(DISTINCT storage_id) FROM strata_columnar.storage}),
   't', 'new storage ids do not collide with the upgraded ones');
is($new->safe_psql('postgres', q{SELECT (SELECT count(*) FROM after_upgrade), (SELECT count(*) FROM untouched)}),
   '10|1', 'new and truncated tables hold their rows');
like($new->safe_psql('postgres', q{SELECT strata_columnar.verify('t')}), qr/^ok: /,
     'verify() after writing to the upgraded table');

$new->stop;
done_testing();
