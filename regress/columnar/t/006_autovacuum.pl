# Autovacuum keeps a strata_columnar table compact on its own: the small
# stripes of many small transactions are merged, and mostly deleted stripes
# rewritten, without anyone running VACUUM.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $node = strata_node('autovacuum');
$node->append_conf('postgresql.conf', "autovacuum_naptime = '1s'");
$node->restart;
$node->safe_psql('postgres', q{
    CREATE EXTENSION strata_columnar;
    CREATE TABLE small (id int, v text) USING strata_columnar;
    CREATE INDEX ON small (id);
});

# 1200 one-row transactions: 1200 stripes of one row each
my $script = join('', map { "INSERT INTO small VALUES ($_, 'row $_');\n" } 1 .. 1200);
$node->safe_psql('postgres', $script);
ok($node->safe_psql('postgres', q{SELECT stripes FROM strata_columnar.stats('small')}) > 1000,
   'many small transactions leave many small stripes');
ok($node->poll_query_until('postgres', q{SELECT stripes <= 2 FROM strata_columnar.stats('small')}),
   'autovacuum merges them');
is($node->safe_psql('postgres', q{SELECT count(*), sum(id), count(DISTINCT v) FROM small}), '1200|720600|1200',
   'every row is still there once');
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SELECT v FROM small WHERE id = 777}), 'row 777',
   'and found through the index');

# deleting most rows: autovacuum rewrites the stripe without them
$node->safe_psql('postgres', q{DELETE FROM small WHERE id > 100});
ok($node->poll_query_until('postgres', q{SELECT deleted_rows = 0 AND row_count = 100 FROM strata_columnar.stats('small')}),
   'autovacuum reclaims the deleted rows');
is($node->safe_psql('postgres', q{SELECT count(*), sum(id) FROM small}), '100|5050', 'the live rows remain');
like($node->safe_psql('postgres', q{SELECT strata_columnar.verify('small')}), qr/^ok: /, 'verify()');

$node->stop;
done_testing();
