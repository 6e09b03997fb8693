# Autovacuum keeps a strata_columnar table compact on its own: the small
# stripes of many small transactions are merged, mostly deleted stripes
# rewritten, and stripes a load into an indexed table left out of sort key
# order sorted, without anyone running VACUUM.
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

# a load into a table with a primary key keeps arrival order; the
# autovacuum the load sets off sorts up to sort_stripes_per_vacuum stripes
$node->safe_psql('postgres', q{
    CREATE TABLE keyed (id int PRIMARY KEY, ts timestamptz) USING strata_columnar
        WITH (strata_columnar.sort_key = 'ts', strata_columnar.stripe_row_limit = 5000);
    INSERT INTO keyed SELECT g, '2026-01-01'::timestamptz + ((g * 7919) % 60011) * interval '1 minute'
    FROM generate_series(1, 60000) g;
});
my $unsorted = q{SELECT count(*) FILTER (WHERE NOT sorted) FROM strata_columnar.stripe
                 JOIN strata_columnar.storage USING (storage_id) WHERE relid = 'keyed'::regclass};
ok($node->safe_psql('postgres', $unsorted) >= 12, 'the load left its stripes unsorted');
ok($node->poll_query_until('postgres', "SELECT ($unsorted) <= 4"), 'autovacuum sorts eight of them');
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SELECT count(*), sum(id) FROM keyed WHERE id > 0}),
   '60000|1800030000', 'every row is still there, through the index');

$node->stop;
done_testing();
