# A physical streaming replica sees strata_columnar tables as the primary
# does: the data pages, the metadata and the row masks all travel in the
# WAL.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $primary = strata_node('primary', allows_streaming => 1);
$primary->safe_psql('postgres', q{
    CREATE EXTENSION strata_columnar;
    CREATE TABLE t (id int, v text) USING strata_columnar;
    INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 50000) g;
});
$primary->backup('base');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

$primary->safe_psql('postgres', q{
    INSERT INTO t SELECT g, 'after backup' FROM generate_series(50001, 80000) g;
    CREATE INDEX t_id ON t (id);
    CREATE TABLE t2 USING strata_columnar AS SELECT * FROM t WHERE id % 2 = 0;
});
$primary->wait_for_catchup($standby);

my $query = q{SELECT count(*), sum(id), count(DISTINCT v) FROM t};
is($standby->safe_psql('postgres', $query), $primary->safe_psql('postgres', $query),
   'the standby reads the same rows as the primary');
is($standby->safe_psql('postgres', q{SELECT count(*) FROM t2}), '40000',
   'a table created after the base backup arrives through WAL');
is($standby->safe_psql('postgres', q{SET enable_seqscan = off; SELECT v FROM t WHERE id = 70000}),
   'after backup', 'index lookups work on the standby');
like($standby->safe_psql('postgres', q{SELECT strata_columnar.verify('t')}), qr/^ok: /,
     'verify() on the standby');

# deletes, updates and a VACUUM that rewrites stripes travel the same way
$primary->safe_psql('postgres', q{
    DELETE FROM t WHERE id % 3 = 0;
    UPDATE t SET v = 'updated' WHERE id % 5 = 0;
    VACUUM t;
    DELETE FROM t WHERE id > 79000;
});
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $query), $primary->safe_psql('postgres', $query),
   'the standby sees the deletes, updates and VACUUM');
is($standby->safe_psql('postgres', q{SET enable_seqscan = off; SELECT v FROM t WHERE id IN (70000, 70001, 70002) ORDER BY id}),
   "updated\nafter backup", 'index lookups find updated and moved rows on the standby');
like($standby->safe_psql('postgres', q{SELECT strata_columnar.verify('t')}), qr/^ok: /,
     'verify() on the standby after the changes');

my ($ret, $out, $err) = $standby->psql('postgres', q{INSERT INTO t VALUES (1, 'x')});
like($err, qr/read-only transaction/, 'the standby refuses writes as usual');
($ret, $out, $err) = $standby->psql('postgres', q{DELETE FROM t WHERE id = 1});
like($err, qr/read-only transaction/, 'and deletes');

$standby->stop;
$primary->stop;
done_testing();
