# strata_cdc over the streaming replication protocol: pg_recvlogical
# receives the events with options, a bad option fails the walsender with
# the plugin's message, a long transaction of filtered changes does not
# get the walsender killed by wal_sender_timeout, and after kill -9 of the
# postmaster every committed change is delivered again (at least once),
# uncommitted ones never.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node crash_restart);

my $node = strata_node('cdc_stream');
$node->append_conf('postgresql.conf', "wal_sender_timeout = '1s'\nlogical_decoding_work_mem = '64kB'");
$node->restart;
my $dir = PostgreSQL::Test::Utils::tempdir();

sub sql { return $node->safe_psql('postgres', $_[0]); }

# Events of a file pg_recvlogical wrote, decoded.
sub events_of
{
    my ($file) = @_;
    my @events;
    open my $fh, '<', $file or die "cannot open $file: $!";
    while (my $line = <$fh>)
    {
        chomp $line;
        next if $line eq '';
        push @events, decode_json($line);
    }
    close $fh;
    return @events;
}

# pg_recvlogical from the slot up to endpos, with options; returns its exit
# status, stderr and the events.
sub recvlogical
{
    my ($slot, $endpos, $file, @options) = @_;
    my ($out, $err) = ('', '');
    unlink $file;
    my @cmd = ('pg_recvlogical', '-d', $node->connstr('postgres'), '-S', $slot, '--start',
        '--endpos', $endpos, '--no-loop', '-s', '1', '-f', $file, map { ('-o', $_) } @options);
    my $ok = IPC::Run::run(\@cmd, '>', \$out, '2>', \$err, IPC::Run::timeout(180));
    return ($ok, $err, -e $file ? events_of($file) : ());
}

sql(q{CREATE TABLE t (id int PRIMARY KEY, v text);
      CREATE TABLE noise (id int, pad text);
      SELECT 'init' FROM pg_create_logical_replication_slot('st', 'strata_cdc')});

# --- pg_recvlogical, with options -----------------------------------------

sql(q{INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 1000) g});
my $endpos = sql('SELECT pg_current_wal_lsn()');
my ($ok, $err, @events) = recvlogical('st', $endpos, "$dir/first.json",
    'topic.prefix=tap', 'include.transaction=true');
ok($ok, 'pg_recvlogical ran') or diag($err);
is(scalar(@events), 1002, 'BEGIN, 1000 events and END');
is($events[0]{value}{status}, 'BEGIN', 'BEGIN first');
is($events[-1]{value}{status}, 'END', 'END last');
is($events[-1]{value}{event_count}, 1000, 'END counts the events');
my @data = @events[ 1 .. 1000 ];
is(scalar(grep { $_->{topic} eq 'tap.public.t' && $_->{value}{op} eq 'c' } @data), 1000,
    'every change is a create on tap.public.t');
is(join(',', map { $_->{key}{id} } @data[ 0 .. 4 ]), '1,2,3,4,5', 'in commit order');
is(join(',', map { $_->{value}{transaction}{total_order} } @data[ 997 .. 999 ]), '998,999,1000',
    'numbered within the transaction');
is(sql(q{SELECT confirmed_flush_lsn >= '} . $endpos . q{' FROM pg_replication_slots WHERE slot_name = 'st'}),
    't', 'the slot confirmed what pg_recvlogical received');

# --- a bad option fails the walsender with the plugin's message -----------

sql(q{INSERT INTO t VALUES (1001, 'x')});
$endpos = sql('SELECT pg_current_wal_lsn()');
($ok, $err) = recvlogical('st', $endpos, "$dir/bad.json", 'no.such=1');
ok(!$ok, 'pg_recvlogical fails on an unknown option');
like($err, qr/strata_cdc has no option "no.such"/, 'with the plugin\'s error');
($ok, $err) = recvlogical('st', $endpos, "$dir/bad.json", 'tombstones=maybe');
like($err, qr/invalid value "maybe" for strata_cdc option "tombstones"/, 'a bad value too');

# --- a long filtered transaction: progress keeps the walsender alive ------

# a million changes nobody asked for, decoded from spill files, take longer than
# wal_sender_timeout; then one change that is asked for
sql(q{INSERT INTO noise SELECT g, repeat('n', 100) FROM generate_series(1, 1000000) g});
sql(q{INSERT INTO t VALUES (1002, 'after the noise')});
$endpos = sql('SELECT pg_current_wal_lsn()');
my $started = time;
($ok, $err, @events) = recvlogical('st', $endpos, "$dir/filtered.json",
    'table.include.list=public\.t');
ok($ok, 'the walsender was not terminated for replication timeout') or diag($err);
unlike($err, qr/replication timeout|terminating walsender/, 'no timeout');
is(join(',', map { $_->{key}{id} } @events), '1001,1002', 'the changes asked for, and only those');
note('decoding the filtered transaction took about ' . (time - $started) . ' s; wal_sender_timeout is 1 s');

# --- kill -9: committed changes come again, uncommitted ones never --------

sql(q{INSERT INTO t SELECT g, 'c' || g FROM generate_series(2001, 2500) g});
# a transaction still open when the server dies
my $open = $node->background_psql('postgres');
$open->query_safe(q{BEGIN; INSERT INTO t SELECT g, 'u' || g FROM generate_series(3001, 3010) g});
# read without confirming: these events must come again after the crash
my $peeked = sql(q{SELECT count(*) FROM pg_logical_slot_peek_changes('st', NULL, NULL)});
is($peeked, 500, 'the committed changes are there before the crash');
crash_restart($node);
eval { $open->quit; };
my $ids = sql(q{SELECT string_agg(data::jsonb->'key'->>'id', ',' ORDER BY lsn)
                FROM pg_logical_slot_get_changes('st', NULL, NULL)
                WHERE data::jsonb->'value'->>'op' = 'c'});
my %got = map { $_ => 1 } split /,/, $ids;
is(scalar(grep { $got{$_} } 2001 .. 2500), 500, 'after the crash every committed change is delivered');
is(scalar(grep { $got{$_} } 3001 .. 3010), 0, 'no change of the transaction the crash aborted');

done_testing();
