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
use IPC::Run;
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


# Pages of the stripes VACUUM dropped are reused only once no query can
# read them, on the standby too.  The primary frees them when the dropped
# stripe's catalog row is pruned; replaying that pruning (if no earlier
# pruning did) cancels a standby query whose snapshot still sees the
# stripe, before the new stripe's pages arrive.  (Without
# hot_standby_feedback the primary does not wait for the standby's
# queries; with max_standby_streaming_delay = 0 the standby cancels them
# at once.)
$standby->append_conf('postgresql.conf', 'max_standby_streaming_delay = 0');
$standby->reload;
$primary->safe_psql('postgres', q{
    CREATE TABLE r (id int, v text) USING strata_columnar WITH (autovacuum_enabled = off);
    INSERT INTO r SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 20000) g;
});
$primary->wait_for_catchup($standby);
my $script = q{
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT 'before', count(*), sum(length(v)) FROM r;
SELECT pg_sleep(150);
SELECT 'after', count(*), sum(length(v)) FROM r;
COMMIT;
};
my $script_file = PostgreSQL::Test::Utils::tempdir() . '/reader.sql';
PostgreSQL::Test::Utils::append_to_file($script_file, $script);
my ($out, $err) = ('', '');
# (IPC::Run feeds a scalar stdin only while pumped: psql reads a file)
my $reader = IPC::Run::start([ 'psql', '-XAtq', '-d', $standby->connstr('postgres'), '-f', $script_file ],
    '>', \$out, '2>', \$err, IPC::Run::timeout(300));
$standby->poll_query_until('postgres',
    q{SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(150)%'})
  or die 'the standby reader did not start';
my $size = $primary->safe_psql('postgres', q{
    UPDATE r SET v = upper(v);
    VACUUM r;
    SELECT pg_relation_size('r');
});
my $freed = $primary->safe_psql('postgres', q{
    VACUUM r;
    SELECT free_pages FROM strata_columnar.stats('r');
});
ok($freed > 0, "the second VACUUM freed the dropped stripes' pages ($freed)");
$primary->safe_psql('postgres', q{UPDATE r SET v = lower(v) WHERE id <= 10000});
is($primary->safe_psql('postgres', q{SELECT pg_relation_size('r')}), $size,
   'the update wrote its stripes into them');
$primary->wait_for_catchup($standby);
$reader->finish;
like($out, qr/^before\|20000\|2560000$/m, 'the standby reader saw the rows before');
like($err, qr/canceling statement due to conflict with recovery/,
     'and was cancelled before the pages it could read were reused');
unlike($out, qr/^after/m, 'it never read the reused pages');
is($standby->safe_psql('postgres', q{SELECT count(*), sum(length(v)), count(*) FILTER (WHERE v = lower(v)) FROM r}),
   '20000|2560000|10000', 'a new query on the standby reads the new stripes');
like($standby->safe_psql('postgres', q{SELECT strata_columnar.verify('r')}), qr/^ok: /,
     'verify() on the standby after the reuse');

# With hot_standby_feedback, the primary keeps the pages pending for as
# long as a standby query can read them, and the query reads its rows.
$standby->append_conf('postgresql.conf', "hot_standby_feedback = on\nwal_receiver_status_interval = 1");
$standby->reload;
my $go = $standby->data_dir . '/go';
$script = qq{
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT 'before', count(*), sum(length(v)) FROM r;
DO \$\$ BEGIN
    WHILE NOT EXISTS (SELECT 1 FROM pg_ls_dir('.') f WHERE f = 'go') LOOP
        PERFORM pg_sleep(0.1);
    END LOOP;
END \$\$;
SELECT 'after', count(*), sum(length(v)) FROM r;
COMMIT;
};
$script_file = PostgreSQL::Test::Utils::tempdir() . '/held.sql';
PostgreSQL::Test::Utils::append_to_file($script_file, $script);
($out, $err) = ('', '');
$reader = IPC::Run::start([ 'psql', '-XAtq', '-d', $standby->connstr('postgres'), '-f', $script_file ],
    '>', \$out, '2>', \$err, IPC::Run::timeout(300));
$standby->poll_query_until('postgres',
    q{SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE 'DO %'})
  or die 'the standby reader did not start';
$primary->poll_query_until('postgres',
    q{SELECT bool_or(backend_xmin IS NOT NULL) FROM pg_stat_replication})
  or die 'no feedback from the standby';
$primary->safe_psql('postgres', q{UPDATE r SET v = upper(v); VACUUM r});
my $verbose;
$primary->psql('postgres', q{SET client_min_messages = info; VACUUM (VERBOSE) r}, stderr => \$verbose);
like($verbose, qr/ 0 pages freed for reuse/,
     "the standby query's snapshot keeps the dropped stripes' pages pending");
$size = $primary->safe_psql('postgres', q{SELECT pg_relation_size('r')});
$primary->safe_psql('postgres', q{UPDATE r SET v = lower(v)});
ok($primary->safe_psql('postgres', q{SELECT pg_relation_size('r')}) > $size,
   'so new stripes go to new pages');
$primary->wait_for_catchup($standby);
PostgreSQL::Test::Utils::append_to_file($go, '');
$reader->finish;
like($out, qr/^before\|20000\|2560000\nafter\|20000\|2560000$/m,
     'the standby query read the same rows before and after');
is($err, '', 'and was not cancelled');

my $ret;
($ret, $out, $err) = $standby->psql('postgres', q{INSERT INTO t VALUES (1, 'x')});
like($err, qr/read-only transaction/, 'the standby refuses writes as usual');
($ret, $out, $err) = $standby->psql('postgres', q{DELETE FROM t WHERE id = 1});
like($err, qr/read-only transaction/, 'and deletes');

$standby->stop;
$primary->stop;
done_testing();
