# A table sink keeps mirrors identical to their sources through a seeded
# random workload (inserts, updates of TOASTed and plain values, deletes,
# key changes, truncates, aborted transactions), through kill -9 of the
# postmaster, kill -9 and SIGTERM of the stream's worker, and a pause: after
# each, the mirror equals the source (EXCEPT ALL both ways is empty).  Both
# mirrors are strata_columnar tables, so its updates, deletes and unique
# checks are what the stream goes through.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node crash_restart);

my $node = strata_node('cdc_table_sink');
# kill -9 of a worker alone makes the postmaster restart everything
$node->append_conf('postgresql.conf', 'restart_after_crash = on');
$node->restart;
sub sql { return $node->safe_psql('postgres', $_[0]); }

sql(q{
CREATE EXTENSION strata_cdc;
CREATE EXTENSION strata_columnar;
CREATE TABLE acct (
  id int PRIMARY KEY,
  owner text NOT NULL,
  balance numeric(14,2),
  rate float8,
  tags text[],
  doc jsonb,
  opened date,
  updated timestamptz,
  blob text
);
CREATE TABLE ledger (id bigserial PRIMARY KEY, acct int, delta numeric(14,2), at timestamptz, note text);
CREATE SCHEMA mirror;
CREATE TABLE mirror.acct (LIKE acct INCLUDING ALL) USING strata_columnar;
CREATE TABLE mirror.ledger (id bigint, acct int, delta numeric(14,2), at timestamptz, note text)
  USING strata_columnar;
ALTER TABLE acct ALTER blob SET STORAGE EXTERNAL;
INSERT INTO acct
SELECT g, 'owner' || g, g * 10.5, g / 7.0, ARRAY['t' || g % 5], jsonb_build_object('g', g),
       date '2020-01-01' + g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
       CASE WHEN g % 200 = 0 OR g = 1 THEN (SELECT string_agg(md5(i::text || g), '') FROM generate_series(1, 200) i) END
FROM generate_series(1, 500) g;

-- a seeded random workload: n transactions, some rolled back
CREATE PROCEDURE workload(seed float8, n int) LANGUAGE plpgsql AS $$
DECLARE
  r float8;
  k int;
BEGIN
  PERFORM setseed(seed);
  FOR t IN 1..n LOOP
    FOR c IN 1..(1 + floor(random() * 12))::int LOOP
      r := random();
      k := 1 + floor(random() * 800)::int;
      IF r < 0.30 THEN
        INSERT INTO acct VALUES (k + 1000 * (1 + floor(random() * 9))::int, 'new' || k, random() * 1000,
                                 random(), ARRAY['n', NULL], jsonb_build_object('k', k, 'r', random()),
                                 date '2024-01-01' + k, clock_timestamp(), NULL)
        ON CONFLICT (id) DO NOTHING;
      ELSIF r < 0.50 THEN
        UPDATE acct SET balance = balance + 1.25, updated = clock_timestamp(), rate = random() WHERE id = k;
      ELSIF r < 0.58 THEN
        -- a value stored out of line: later updates leave it out of the WAL
        UPDATE acct SET blob = (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 200))
        WHERE id = k;
      ELSIF r < 0.68 THEN
        DELETE FROM acct WHERE id = k;
      ELSIF r < 0.72 THEN
        UPDATE acct SET id = id + 100000 WHERE id = k;
      ELSIF r < 0.76 THEN
        UPDATE acct SET tags = tags || ARRAY['x' || k], doc = doc || jsonb_build_object('u', k) WHERE id = k;
      ELSE
        INSERT INTO ledger (acct, delta, at, note) VALUES (k, random() * 100 - 50, clock_timestamp(),
                                                          CASE WHEN random() < 0.1 THEN NULL ELSE 'n' || k END);
      END IF;
    END LOOP;
    IF random() < 0.1 THEN
      ROLLBACK;
    ELSE
      COMMIT;
    END IF;
  END LOOP;
END $$;

CREATE FUNCTION diff(a regclass, b regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((TABLE %s EXCEPT ALL TABLE %s) UNION ALL (TABLE %s EXCEPT ALL TABLE %s)) d',
                 a, b, b, a) INTO n;
  RETURN n;
END $$;
});

sql(q{SELECT strata_cdc.create_stream('mirror', '{acct,ledger}', 'table:mirror.${table}')});

# until the stream delivered everything committed so far
sub wait_caught_up
{
    my ($what) = @_;
    my $target = sql('SELECT pg_current_wal_lsn()');
    my $ok = $node->poll_query_until('postgres',
        qq{SELECT state = 'failed' OR (state = 'streaming' AND delivered_lsn >= '$target')
           FROM strata_cdc.streams WHERE name = 'mirror'});
    is(sql(q{SELECT state || coalesce(': ' || last_error, '') FROM strata_cdc.streams WHERE name = 'mirror'}),
        'streaming', "$what: the stream is streaming");
    return $ok;
}

sub check_mirrors
{
    my ($what) = @_;
    wait_caught_up($what);
    is(sql(q{SELECT diff('acct', 'mirror.acct')}), 0, "$what: the columnar mirror.acct equals acct");
    is(sql(q{SELECT diff('ledger', 'mirror.ledger')}), 0, "$what: the columnar mirror.ledger equals ledger");
}

check_mirrors('initial snapshot');
$node->poll_query_until('postgres', q{SELECT state = 'streaming' FROM strata_cdc.streams WHERE name = 'mirror'});
is(sql(q{SELECT count(*) FROM mirror.acct WHERE length(blob) = 6400}), 3, 'with its TOASTed values');
is(sql('SELECT count(*) FROM mirror.acct'), 500, 'the snapshot copied every row');

sql('CALL workload(0.11, 150)');
check_mirrors('random workload');
ok(sql(q{SELECT count(*) FROM acct WHERE blob IS NOT NULL}) > 0, 'the workload made TOASTed values');
ok(sql('SELECT count(*) FROM ledger') > 100, 'and ledger rows');

# kill -9 of the postmaster while the worker applies a workload
sql('CALL workload(0.22, 150)');
crash_restart($node);
sql('CALL workload(0.33, 100)');
check_mirrors('after kill -9 of the postmaster');

# kill -9 of the worker alone: the postmaster restarts everything
my $pid = sql(q{SELECT worker_pid FROM strata_cdc.streams WHERE name = 'mirror'});
ok($pid > 0, 'the stream has a worker');
sql('CALL workload(0.44, 150)');
kill 'KILL', $pid;
$node->poll_query_until('postgres', 'SELECT true') or die 'server did not come back';
sql('CALL workload(0.55, 100)');
check_mirrors('after kill -9 of the worker');

# SIGTERM of the worker: the launcher starts another
$pid = sql(q{SELECT worker_pid FROM strata_cdc.streams WHERE name = 'mirror'});
sql('CALL workload(0.66, 100)');
kill 'TERM', $pid;
ok($node->poll_query_until('postgres',
        qq{SELECT worker_pid IS NOT NULL AND worker_pid <> $pid FROM strata_cdc.streams WHERE name = 'mirror'}),
    'a new worker took over');
check_mirrors('after SIGTERM of the worker');

# paused across a workload, a truncate included
sql(q{SELECT strata_cdc.pause_stream('mirror')});
sql('CALL workload(0.77, 100)');
sql('TRUNCATE acct');
sql('CALL workload(0.88, 100)');
sql(q{SELECT strata_cdc.resume_stream('mirror')});
check_mirrors('after pause, truncate and resume');

# pause_stream() waits for the step in flight, which holds the slot
sql(q{SELECT strata_cdc.pause_stream('mirror')});
is(sql(q{SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'mirror' AND active}), 0,
    'the slot is not held between steps');
sql(q{SELECT strata_cdc.drop_stream('mirror')});
is(sql(q{SELECT count(*) FROM pg_replication_slots}), 0, 'drop_stream dropped the slot');

done_testing();
