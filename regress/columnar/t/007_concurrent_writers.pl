# Many sessions writing the same rows at once (pgbench): upserts of a small
# key space that race to insert the same new keys, transfers between
# accounts, and deletes with re-inserts.  Nothing may be lost or doubled,
# and no statement may fail but for deadlocks PostgreSQL detects (none are
# expected here: every transaction touches its rows in key order).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $node = strata_node('concurrent_writers');
$node->safe_psql('postgres', q{
    CREATE EXTENSION strata_columnar;
    CREATE TABLE counters (id int PRIMARY KEY, n int8 NOT NULL) USING strata_columnar;
    CREATE TABLE acct (id int PRIMARY KEY, balance int8 NOT NULL) USING strata_columnar;
    INSERT INTO acct SELECT g, 1000 FROM generate_series(1, 20) g;
});

sub pgbench_ok
{
    my ($name, $clients, $xacts, $script) = @_;
    $node->pgbench("--no-vacuum --client=$clients --transactions=$xacts", 0,
        [qr/processed: @{[$clients * $xacts]}\/@{[$clients * $xacts]}/], [qr/^$/],
        $name, { "$name.sql" => $script });
}

# upserts: the first of each key races to insert it
pgbench_ok('upserts', 6, 300, q{
\set k random(1, 40)
INSERT INTO counters VALUES (:k, 1) ON CONFLICT (id) DO UPDATE SET n = counters.n + 1;
});
is($node->safe_psql('postgres', q{SELECT sum(n), count(*) = count(DISTINCT id) FROM counters}), '1800|t',
   'every upsert counted once, no key twice');

# every session upserts the same new key (the clock's millisecond): the
# losers of the race to insert it kill their speculative row and update
$node->safe_psql('postgres', q{CREATE TABLE ticks (id bigint PRIMARY KEY, n int8 NOT NULL) USING strata_columnar});
pgbench_ok('racing upserts', 6, 500, q{
INSERT INTO ticks VALUES ((extract(epoch from clock_timestamp()) * 1000)::bigint, 1)
    ON CONFLICT (id) DO UPDATE SET n = ticks.n + 1;
});
is($node->safe_psql('postgres', q{SELECT sum(n), count(*) = count(DISTINCT id) FROM ticks}), '3000|t',
   'racing upserts: every one counted once, no key twice');
note('speculative insertions killed: ' . $node->safe_psql('postgres',
    q{SELECT count(*) FROM strata_columnar.row_mask WHERE command_id = -1}));

# the same race from subtransactions (a plpgsql exception block), where
# the speculative insertion's lock is the subtransaction's
$node->safe_psql('postgres', q{TRUNCATE ticks});
pgbench_ok('racing upserts in subtransactions', 6, 300, q{
DO $$ BEGIN
    BEGIN
        INSERT INTO ticks VALUES ((extract(epoch from clock_timestamp()) * 1000)::bigint, 1)
            ON CONFLICT (id) DO UPDATE SET n = ticks.n + 1;
    EXCEPTION WHEN division_by_zero THEN NULL;
    END;
END $$;
});
is($node->safe_psql('postgres', q{SELECT sum(n), count(*) = count(DISTINCT id) FROM ticks}), '1800|t',
   'racing upserts in subtransactions: every one counted once, no key twice');

# transfers in key order: the total stays
pgbench_ok('transfers', 6, 300, q{
\set a random(1, 20)
\set b random(1, 20)
BEGIN;
UPDATE acct SET balance = balance - 1 WHERE id = least(:a, :b);
UPDATE acct SET balance = balance + 1 WHERE id = greatest(:a, :b);
END;
});
is($node->safe_psql('postgres', q{SELECT sum(balance), count(*) FROM acct}), '20000|20',
   'concurrent transfers keep the total');

# delete and re-insert the same keys
pgbench_ok('churn', 4, 200, q{
\set k random(1, 40)
BEGIN;
DELETE FROM counters WHERE id = :k;
INSERT INTO counters VALUES (:k, 0) ON CONFLICT (id) DO UPDATE SET n = 0;
END;
});
is($node->safe_psql('postgres', q{SELECT count(*) = count(DISTINCT id), count(*) <= 40, sum(n) <= 1800 FROM counters}),
   't|t|t', 'deletes and re-inserts leave each key at most once');
$node->safe_psql('postgres', 'VACUUM counters; VACUUM acct');
like($node->safe_psql('postgres', q{SELECT strata_columnar.verify('counters')}), qr/^ok: /, 'verify() after the churn');
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SELECT count(*) FROM counters WHERE id BETWEEN 1 AND 40}),
   $node->safe_psql('postgres', q{SELECT count(*) FROM counters}), 'the index agrees with the table');

$node->stop;
done_testing();
