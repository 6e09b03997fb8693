# CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY while other sessions
# insert, update and delete: the index ends up valid with exactly the rows
# a sequential scan returns, and amcheck finds every row of the table in it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $node = strata_node('cic');
$node->safe_psql('postgres', q{
    CREATE EXTENSION strata_columnar;
    CREATE EXTENSION amcheck;
    CREATE TABLE t (id int, v text) USING strata_columnar;
    INSERT INTO t SELECT g, 'v' || g % 1000 FROM generate_series(1, 200000) g;
    CREATE PROCEDURE churn(n int) LANGUAGE plpgsql AS $$
    BEGIN
        FOR i IN 1 .. n LOOP
            INSERT INTO t SELECT g, 'new ' || g FROM generate_series(1000000 + i * 100, 1000000 + i * 100 + 99) g;
            UPDATE t SET v = 'updated ' || i WHERE id = i * 7;
            DELETE FROM t WHERE id = i * 11;
            COMMIT;
        END LOOP;
    END $$;
});

# writers in two sessions, committing all along
my ($out1, $err1, $out2, $err2) = ('', '', '', '');
my @writers = map {
    my ($o, $e) = ('', '');
    IPC::Run::start([ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
                      '-c', 'CALL churn(1500)' ], '>', \$o, '2>', \$e)
} 1 .. 2;
ok($node->poll_query_until('postgres', q{SELECT count(*) = 2 FROM pg_stat_activity WHERE query = 'CALL churn(1500)'}),
   'two writers are running');

$node->safe_psql('postgres', q{CREATE INDEX CONCURRENTLY t_v ON t (v)});
$node->safe_psql('postgres', q{CREATE INDEX CONCURRENTLY t_id ON t (id) WHERE id % 2 = 0});
$node->safe_psql('postgres', q{REINDEX INDEX CONCURRENTLY t_v});
ok($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE query = 'CALL churn(1500)'}) > 0,
   'the writers were still running after the builds');
$_->finish for @writers;
is($node->safe_psql('postgres', q{SELECT bool_and(indisvalid AND indisready) FROM pg_index WHERE indrelid = 't'::regclass}),
   't', 'the indexes are valid');

my $seq = $node->safe_psql('postgres', q{SET enable_indexscan = off; SET enable_bitmapscan = off;
    SELECT count(*), count(DISTINCT v), sum(id) FROM t WHERE v >= ''});
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SELECT count(*), count(DISTINCT v), sum(id) FROM t WHERE v >= ''}),
   $seq, 'the index on v returns exactly the rows of a sequential scan');
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SELECT count(*), sum(id) FROM t WHERE id % 2 = 0 AND id > 0}),
   $node->safe_psql('postgres', q{SET enable_indexscan = off; SET enable_bitmapscan = off;
       SELECT count(*), sum(id) FROM t WHERE id % 2 = 0 AND id > 0}),
   'so does the partial index on id');
is($node->safe_psql('postgres', q{SELECT count(*) FROM t WHERE v LIKE 'new %'}), '300000',
   'every row the writers inserted is there');
$node->safe_psql('postgres', q{SELECT bt_index_check('t_v', true), bt_index_check('t_id', true)});
pass('amcheck finds every row of the table in both indexes');

$node->stop;
done_testing();
