# kill -9 of the postmaster in the middle of a bulk load, a VACUUM FULL, an
# UPDATE, a VACUUM, a load into reused pages and a transaction holding many
# row locks: after crash recovery every committed row is there, no change
# of the interrupted transactions is, no lock of theirs is held, and
# verify() finds the table consistent.  The pages interrupted loads filled
# are freed by the next VACUUM.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node crash_restart);

my $node = strata_node('crash');
$node->safe_psql('postgres', q{
    CREATE EXTENSION strata_columnar;
    CREATE TABLE t (id int8, v text, at timestamptz) USING strata_columnar;
    SELECT strata_columnar.set_options('t', stripe_row_limit => 5000);
    INSERT INTO t SELECT g, md5(g::text), now() FROM generate_series(1, 100000) g;
    CREATE INDEX t_id ON t (id);
});

# A bulk load that flushes stripes and never commits.
my ($out, $err) = ('', '');
my $load = IPC::Run::start(
    [ 'psql', '-X', '-d', $node->connstr('postgres'), '-c',
      q{BEGIN; INSERT INTO t SELECT g, 'uncommitted', now() FROM generate_series(1000001, 3000000) g; SELECT pg_sleep(600);} ],
    '>', \$out, '2>', \$err);

# Wait until it has written pages, then commit more rows beside it.
my $size0 = $node->safe_psql('postgres', q{SELECT pg_relation_size('t')});
ok($node->poll_query_until('postgres', qq{SELECT pg_relation_size('t') > $size0 + 1000000}),
    'the uncommitted load has flushed stripes');
$node->safe_psql('postgres', q{INSERT INTO t SELECT g, 'committed', now() FROM generate_series(200001, 201000) g});

crash_restart($node);
$load->kill_kill;

is($node->safe_psql('postgres', q{SELECT count(*), count(*) FILTER (WHERE v = 'committed') FROM t}),
   '101000|1000', 'committed rows survive the crash, uncommitted ones are gone');
is($node->safe_psql('postgres', q{SELECT count(*) FROM t WHERE v = 'uncommitted'}), '0',
   'no row of the interrupted load is visible');
like($node->safe_psql('postgres', q{SELECT strata_columnar.verify('t')}), qr/^ok: /,
     'verify() finds the table consistent after recovery');
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SELECT v FROM t WHERE id = 200500}),
   'committed', 'the index finds a row committed just before the crash');

# The pages the interrupted load filled are reachable from no stripe:
# VACUUM frees them, and the next load is written there.
my $tsize = $node->safe_psql('postgres', q{SELECT pg_relation_size('t')});
$node->safe_psql('postgres', q{VACUUM t});
my $tfree = $node->safe_psql('postgres', q{SELECT free_pages FROM strata_columnar.stats('t')});
ok($tfree * 8192 > 1000000, "VACUUM frees the pages of the interrupted load ($tfree)");
like($node->safe_psql('postgres', q{SELECT strata_columnar.verify('t')}), qr/^ok: /,
     'verify() after VACUUM freed them');

# Writing goes on; row numbers reserved before the crash are never reused.
$node->safe_psql('postgres', q{INSERT INTO t SELECT g, 'after', now() FROM generate_series(300001, 310000) g});
is($node->safe_psql('postgres', q{SELECT count(*), count(DISTINCT ctid) FROM t}), '111000|111000',
   'inserts after recovery work and every row has its own TID');
is($node->safe_psql('postgres', q{SELECT pg_relation_size('t')}), $tsize,
   'they went into the freed pages');

# kill -9 during VACUUM FULL: the table is the old one or the new one, whole.
my $vac = IPC::Run::start(
    [ 'psql', '-X', '-d', $node->connstr('postgres'), '-c', q{VACUUM FULL t} ],
    '>', \$out, '2>', \$err);
$node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query = 'VACUUM FULL t'});
crash_restart($node);
$vac->kill_kill;
is($node->safe_psql('postgres', q{SELECT count(*), sum(id) FROM t}),
   $node->safe_psql('postgres', q{SELECT 111000, (SELECT sum(g) FROM generate_series(1, 100000) g) + (SELECT sum(g) FROM generate_series(200001, 201000) g) + (SELECT sum(g) FROM generate_series(300001, 310000) g)}),
   'VACUUM FULL interrupted by a crash leaves every row');
like($node->safe_psql('postgres', q{SELECT strata_columnar.verify('t')}), qr/^ok: /,
     'verify() after the interrupted VACUUM FULL');

# A committed transaction right before the crash is durable.
$node->safe_psql('postgres', q{INSERT INTO t VALUES (-1, 'last', now())});
crash_restart($node);
is($node->safe_psql('postgres', q{SELECT v FROM t WHERE id = -1}), 'last',
   'the last committed row before kill -9 is there');

# Deletes and updates: committed ones survive, an interrupted one is gone.
$node->safe_psql('postgres', q{
    CREATE TABLE u (id int PRIMARY KEY, n int8) USING strata_columnar;
    ALTER TABLE u SET (autovacuum_enabled = off);
    INSERT INTO u SELECT g, g FROM generate_series(1, 1000000) g;
    DELETE FROM u WHERE id % 2 = 0;
    UPDATE u SET n = -n WHERE id % 10 = 1;
});
my $expect = q{SELECT count(*), sum(n) FROM (SELECT g AS id, CASE WHEN g % 10 = 1 THEN -g ELSE g END AS n
               FROM generate_series(1, 1000000) g WHERE g % 2 = 1) x};
my $want = $node->safe_psql('postgres', $expect);
my $upd = IPC::Run::start(
    [ 'psql', '-X', '-d', $node->connstr('postgres'), '-c',
      q{BEGIN; UPDATE u SET n = 0; DELETE FROM u WHERE id < 1000; SELECT pg_sleep(600);} ],
    '>', \$out, '2>', \$err);
ok($node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND wait_event = 'PgSleep'}),
   'the interrupted UPDATE and DELETE are done and uncommitted');
crash_restart($node);
$upd->kill_kill;
is($node->safe_psql('postgres', q{SELECT count(*), sum(n) FROM u}), $want,
   'after a crash, committed deletes and updates hold and the uncommitted ones are gone');
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SELECT n FROM u WHERE id = 11}), '-11',
   'the index finds the committed new version');

# kill -9 during a VACUUM that rewrites half-deleted stripes.
my $vac2 = IPC::Run::start(
    [ 'psql', '-X', '-d', $node->connstr('postgres'), '-c', q{VACUUM u} ],
    '>', \$out, '2>', \$err);
$node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query = 'VACUUM u'});
crash_restart($node);
$vac2->kill_kill;
is($node->safe_psql('postgres', q{SELECT count(*), sum(n) FROM u}), $want,
   'a VACUUM interrupted by a crash loses and duplicates nothing');
like($node->safe_psql('postgres', q{SELECT strata_columnar.verify('u')}), qr/^ok: /,
     'verify() after the interrupted VACUUM');
$node->safe_psql('postgres', q{VACUUM u});
is($node->safe_psql('postgres', q{SELECT count(*), sum(n), (SELECT deleted_rows FROM strata_columnar.stats('u')) FROM u}),
   "$want|0", 'VACUUM after recovery rewrites the table, no row lost');
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SELECT n FROM u WHERE id = 999999}), '999999',
   'the index finds a moved row');

# kill -9 while a load writes into the pages of dropped stripes: the pages
# it took are free again after recovery, and no committed row is touched.
$node->safe_psql('postgres', q{DELETE FROM u WHERE id > 500000; VACUUM u});
$node->safe_psql('postgres', q{VACUUM u});
$want = $node->safe_psql('postgres', q{SELECT count(*), sum(n) FROM u});
my ($free, $size) = split /\|/, $node->safe_psql('postgres',
    q{SELECT free_pages, pg_relation_size('u') FROM strata_columnar.stats('u')});
ok($free > 0, "VACUUM freed the pages of the dropped stripes ($free)");
my $reuse = IPC::Run::start(
    [ 'psql', '-X', '-d', $node->connstr('postgres'), '-c',
      q{BEGIN; INSERT INTO u SELECT g, g FROM generate_series(2000001, 2200000) g; SELECT pg_sleep(600);} ],
    '>', \$out, '2>', \$err);
ok($node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND wait_event = 'PgSleep'}),
   'the load into reused pages is written and uncommitted');
is($node->safe_psql('postgres', q{SELECT pg_relation_size('u')}), $size, 'it wrote into free pages');
crash_restart($node);
$reuse->kill_kill;
is($node->safe_psql('postgres', q{SELECT count(*), sum(n) FROM u}), $want,
   'after the crash, none of its rows are there and every committed one is');
is($node->safe_psql('postgres', q{SELECT free_pages FROM strata_columnar.stats('u')}), $free,
   'the pages it took are free again');
$node->safe_psql('postgres', q{INSERT INTO u SELECT g, g FROM generate_series(2000001, 2200000) g});
is($node->safe_psql('postgres', q{SELECT pg_relation_size('u'), count(*) FROM u WHERE id > 2000000}), "$size|200000",
   'a committed load takes them');
like($node->safe_psql('postgres', q{SELECT strata_columnar.verify('u')}), qr/^ok: /,
     'verify() after the load into reused pages');

# kill -9 while a transaction holds 100,000 rows locked, most of them as
# row_lock rows: after recovery nobody waits for them.
my $locker = IPC::Run::start(
    [ 'psql', '-X', '-d', $node->connstr('postgres'), '-c',
      q{BEGIN; SELECT count(*) FROM (SELECT id FROM u WHERE id <= 200000 FOR UPDATE) s; SELECT pg_sleep(600);} ],
    '>', \$out, '2>', \$err);
ok($node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND wait_event = 'PgSleep'}),
   'the locker holds its rows');
is($node->safe_psql('postgres', q{SELECT count(*) <= 256, pg_relation_size('strata_columnar.row_lock') > 0 FROM pg_locks WHERE locktype = 'tuple'}),
   't|t', 'it holds at most 256 tuple locks, the rest are row_lock rows');
crash_restart($node);
$locker->kill_kill;
is($node->safe_psql('postgres', q{SET lock_timeout = '5s'; SELECT count(*) FROM (SELECT id FROM u WHERE id <= 200000 FOR UPDATE NOWAIT) s}),
   '100000', 'after the crash every row it locked can be locked without waiting');
like($node->safe_psql('postgres', q{SELECT strata_columnar.verify('u')}), qr/^ok: /,
     'verify() reads the row locks the crash left');

$node->stop;
done_testing();
