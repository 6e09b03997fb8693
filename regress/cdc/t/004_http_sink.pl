# The HTTP sink delivers at least once, in commit order per table, to a
# receiver on loopback that fails on purpose (HTTP 500, 429, no answer,
# connection closed), through kill -9 of the postmaster mid-stream and
# SIGTERM of the worker: every committed change arrives, none of an
# aborted transaction, and an event delivered twice has the same id and
# content.  Then: a 4xx stops the stream until resume_stream(), the Kafka
# REST Proxy v2 body, a receiver answering garbage, an unreachable sink,
# and an idle stream still advancing its slot.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node crash_restart);

my $node = strata_node('cdc_http_sink');
sub sql { return $node->safe_psql('postgres', $_[0]); }
my $dir = PostgreSQL::Test::Utils::tempdir();
my $receiver_js = "$FindBin::RealBin/../http_receiver.js";

# a receiver: node http_receiver.js on a free port; returns (harness, port, file)
my $receivers = 0;
sub start_receiver
{
    my ($mode, $seed, $port) = @_;
    my $file = "$dir/received" . (++$receivers) . '.jsonl';
    unlink "$file.port";
    my $h = IPC::Run::start([ 'node', $receiver_js, $port // 0, $file, $mode, $seed // 1 ],
        '>', "$file.stdout", '2>', "$file.stderr");
    for (my $i = 0; $i < 200 && !-s "$file.port"; $i++) { select(undef, undef, undef, 0.05); }
    die "receiver did not start: " . slurp_file("$file.stderr") unless -s "$file.port";
    return ($h, slurp_file("$file.port") + 0, $file);
}

sub stop_receiver
{
    my ($h) = @_;
    $h->signal('TERM');
    eval { $h->finish; };
    return;
}

# every event a receiver acknowledged, in order: (path, event) pairs
sub received
{
    my ($file) = @_;
    my @got;
    return () unless -e $file;
    open my $fh, '<', $file or die $!;
    while (my $line = <$fh>)
    {
        chomp $line;
        next if $line eq '';
        my $req = decode_json($line);
        my $events = ref $req->{body} eq 'ARRAY' ? $req->{body} : $req->{body}{records};
        push @got, map { [ $req->{path}, $_ ] } @$events;
    }
    close $fh;
    return @got;
}

sub wait_delivered
{
    my ($stream) = @_;
    my $target = sql('SELECT pg_current_wal_lsn()');
    return $node->poll_query_until('postgres',
        qq{SELECT delivered_lsn >= '$target' FROM strata_cdc.streams WHERE name = '$stream'});
}

sql(q{
CREATE EXTENSION strata_cdc;
-- every change is logged, in the same transaction, with a number in commit order
CREATE SEQUENCE change_no;
CREATE TABLE changes (no bigint PRIMARY KEY, tbl text, op text, id int);
CREATE TABLE items (id int PRIMARY KEY, no bigint, payload text);
CREATE TABLE notes (id int PRIMARY KEY, no bigint, body text);
ALTER TABLE notes REPLICA IDENTITY FULL;
CREATE FUNCTION log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint := nextval('change_no');
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO changes VALUES (n, TG_TABLE_NAME, 'd', OLD.id);
    RETURN OLD;
  END IF;
  NEW.no := n;
  INSERT INTO changes VALUES (n, TG_TABLE_NAME, CASE TG_OP WHEN 'INSERT' THEN 'c' ELSE 'u' END, NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER items_log BEFORE INSERT OR UPDATE OR DELETE ON items FOR EACH ROW EXECUTE FUNCTION log_change();
CREATE TRIGGER notes_log BEFORE INSERT OR UPDATE OR DELETE ON notes FOR EACH ROW EXECUTE FUNCTION log_change();
CREATE PROCEDURE workload(seed float8, n int) LANGUAGE plpgsql AS $$
DECLARE k int;
BEGIN
  PERFORM setseed(seed);
  FOR t IN 1..n LOOP
    FOR c IN 1..(1 + floor(random() * 8))::int LOOP
      k := 1 + floor(random() * 300)::int;
      -- no ON CONFLICT: its BEFORE INSERT trigger fires for rows it skips
      CASE floor(random() * 6)::int
        WHEN 0, 1 THEN
          IF NOT EXISTS (SELECT 1 FROM items WHERE id = k) THEN
            INSERT INTO items VALUES (k, 0, md5(random()::text));
          END IF;
        WHEN 2 THEN UPDATE items SET payload = md5(random()::text) WHERE id = k;
        WHEN 3 THEN DELETE FROM items WHERE id = k;
        WHEN 4 THEN
          IF EXISTS (SELECT 1 FROM notes WHERE id = k) THEN
            UPDATE notes SET body = 'again' WHERE id = k;
          ELSE
            INSERT INTO notes VALUES (k, 0, repeat('n', k));
          END IF;
        ELSE DELETE FROM notes WHERE id = k;
      END CASE;
    END LOOP;
    IF random() < 0.15 THEN ROLLBACK; ELSE COMMIT; END IF;
  END LOOP;
END $$;
INSERT INTO items SELECT g, 0, 'start' FROM generate_series(1, 50) g;
-- those 50 rows come as the snapshot's read events
TRUNCATE changes;
});

# --- at least once, in order, through failures and kill -9 ----------------

my ($recv, $port, $file) = start_receiver('flaky', 42);
sql(qq{SELECT strata_cdc.create_stream('web', '{items,notes}', 'http://127.0.0.1:$port/ingest',
        '{batch.max.events,40,http.timeout.ms,300,retry.backoff.ms,10,retry.backoff.max.ms,100,topic.prefix,shop}')});
# the snapshot first: then every change of the workload is a stream event
$node->poll_query_until('postgres', q{SELECT state = 'streaming' FROM strata_cdc.streams WHERE name = 'web'});
sql('CALL workload(0.1, 100)');
is(sql(q{SELECT delivered_lsn < pg_current_wal_lsn() FROM strata_cdc.streams WHERE name = 'web'}), 't',
    'kill -9 comes while changes are still on their way');
crash_restart($node);
my $pid;
sql('CALL workload(0.2, 100)');
$node->poll_query_until('postgres', q{SELECT worker_pid IS NOT NULL FROM strata_cdc.streams WHERE name = 'web'});
$pid = sql(q{SELECT worker_pid FROM strata_cdc.streams WHERE name = 'web'});
kill 'TERM', $pid;
sql('CALL workload(0.3, 100)');
ok(wait_delivered('web'), 'the stream delivered everything committed');
stop_receiver($recv);

my @got = received($file);
my %by_id;
my $inconsistent = 0;
for my $g (@got)
{
    my $e = $g->[1];
    # the event's own ts_* say when it was made: a delivery made again is later
    my %copy = %$e;
    $copy{value} = { %{ $e->{value} } } if ref $e->{value};
    delete @{ $copy{value} }{qw(ts_ms ts_us ts_ns)} if ref $e->{value};
    my $text = JSON::PP->new->canonical->encode(\%copy);
    $inconsistent++ if exists $by_id{ $e->{id} } && $by_id{ $e->{id} } ne $text;
    $by_id{ $e->{id} } //= $text;
}
is($inconsistent, 0, 'an event delivered again has the same id and content (but for when it was made)');
note(sprintf('%d events acknowledged, %d of them more than once', scalar(@got), scalar(@got) - scalar(keys %by_id)));
is(scalar(grep { $_->[0] ne '/ingest' } @got), 0, 'every batch went to the URL');

# the first delivery of each event, in delivery order
my %seen;
my @events = grep { !$seen{ $_->{id} }++ } map { $_->[1] } @got;
my @snapshot = grep { $_->{value} && $_->{value}{op} eq 'r' } @events;
is(scalar(@snapshot), 50, 'the snapshot: one read event per row');
is($snapshot[-1]{value}{source}{snapshot}, 'last', 'the last read event says so');

my %expected;    # tbl => [ "op:id:no" in commit order ]
for my $row (split /\n/, sql(q{SELECT tbl, op, id, no FROM changes ORDER BY no}))
{
    my ($tbl, $op, $id, $no) = split /\|/, $row;
    push @{ $expected{$tbl} }, $op eq 'd' ? "d:$id" : "$op:$id:$no";
}
my %delivered;
my $tombstones_ok = 1;
for (my $i = 0; $i < @events; $i++)
{
    my $e = $events[$i];
    next unless $e->{value} && $e->{value}{op} =~ /^[cud]$/;
    my $tbl = $e->{value}{source}{table};
    my $op = $e->{value}{op};
    if ($op eq 'd')
    {
        push @{ $delivered{$tbl} }, "d:$e->{key}{id}";
        my $next = $events[ $i + 1 ];
        $tombstones_ok = 0 unless $next && !defined $next->{value} && $next->{key}{id} == $e->{key}{id};
    }
    else
    {
        push @{ $delivered{$tbl} }, "$op:$e->{key}{id}:$e->{value}{after}{no}";
    }
}
for my $tbl ('items', 'notes')
{
    ok(scalar(@{ $expected{$tbl} }) > 100, "the workload changed $tbl");
    is_deeply($delivered{$tbl}, $expected{$tbl},
        "$tbl: every committed change, in commit order, none of the aborted ones");
}
ok($tombstones_ok, 'each delete is followed by its tombstone');
is((grep { $_->{topic} eq 'shop.public.items' } @events) > 0 ? 1 : 0, 1, 'topics carry the prefix');
is(sql(q{SELECT last_error IS NULL FROM strata_cdc.streams WHERE name = 'web'}), 't',
    'no error left once delivered');
sql(q{SELECT strata_cdc.drop_stream('web')});

# --- a 4xx stops the stream; resume delivers from where it stopped -------

($recv, $port, $file) = start_receiver('reject');
sql(qq{SELECT strata_cdc.create_stream('strict', '{items}', 'http://127.0.0.1:$port/in', '{snapshot,never}')});
$node->poll_query_until('postgres', q{SELECT state = 'streaming' FROM strata_cdc.streams WHERE name = 'strict'});
sql(q{INSERT INTO items VALUES (1001, 0, 'refused')});
ok($node->poll_query_until('postgres', q{SELECT state = 'failed' FROM strata_cdc.streams WHERE name = 'strict'}),
    'a 400 answer stops the stream');
like(sql(q{SELECT last_error FROM strata_cdc.streams WHERE name = 'strict'}),
    qr/answered HTTP 400.*rejected on purpose/, 'with the answer in last_error');
stop_receiver($recv);
($recv, undef, $file) = start_receiver('ok', 1, $port);
sql(q{INSERT INTO items VALUES (1002, 0, 'after the fix')});
sql(q{SELECT strata_cdc.resume_stream('strict')});
ok(wait_delivered('strict'), 'resumed, the stream delivers');
is(join(',', map { $_->[1]{key}{id} } grep { $_->[1]{value} } received($file)), '1001,1002',
    'the refused change first: nothing was skipped');
stop_receiver($recv);
sql(q{SELECT strata_cdc.drop_stream('strict')});

# --- Kafka REST Proxy v2 ---------------------------------------------------

($recv, $port, $file) = start_receiver('kafka');
sql(qq{SELECT strata_cdc.create_stream('rest', '{items,notes}', 'http://127.0.0.1:$port',
        '{snapshot,never,http.format,kafka-rest-v2,topic.prefix,k}')});
$node->poll_query_until('postgres', q{SELECT state = 'streaming' FROM strata_cdc.streams WHERE name = 'rest'});
sql(q{BEGIN; INSERT INTO items VALUES (2001, 0, 'a'); INSERT INTO notes VALUES (2001, 0, 'b');
       DELETE FROM items WHERE id = 2001; COMMIT});
ok(wait_delivered('rest'), 'delivered to the REST Proxy');
stop_receiver($recv);
my @rest = received($file);
is(join(' ', map { $_->[0] } @rest), '/topics/k.public.items /topics/k.public.items /topics/k.public.items /topics/k.public.notes',
    'one produce request per topic, records in order');
is(join(',', sort keys %{ $rest[0][1] }), 'key,value', 'records are {key, value}');
is($rest[2][1]{value}, undef, 'the tombstone has a null value');
sql(q{SELECT strata_cdc.drop_stream('rest')});

# a receiver answering 200 with something that is not a produce response
($recv, $port, $file) = start_receiver('garbage');
sql(qq{SELECT strata_cdc.create_stream('junk', '{items}', 'http://127.0.0.1:$port',
        '{snapshot,never,http.format,kafka-rest-v2,retry.backoff.ms,10,retry.backoff.max.ms,50}')});
$node->poll_query_until('postgres', q{SELECT state = 'streaming' FROM strata_cdc.streams WHERE name = 'junk'});
sql(q{INSERT INTO items VALUES (3001, 0, 'x')});
ok($node->poll_query_until('postgres', q{SELECT retries >= 2 FROM strata_cdc.streams WHERE name = 'junk'}),
    'an answer that is not a produce response is retried');
like(sql(q{SELECT last_error FROM strata_cdc.streams WHERE name = 'junk'}),
    qr/not a Kafka REST Proxy produce response/, 'and shown');
is(sql(q{SELECT state FROM strata_cdc.streams WHERE name = 'junk'}), 'streaming', 'the stream keeps trying');
stop_receiver($recv);
sql(q{SELECT strata_cdc.drop_stream('junk')});

# --- an idle stream advances its slot past WAL others wrote ---------------

($recv, $port, $file) = start_receiver('ok');
sql(qq{SELECT strata_cdc.create_stream('idle', '{items}', 'http://127.0.0.1:$port', '{snapshot,never}')});
$node->poll_query_until('postgres', q{SELECT state = 'streaming' FROM strata_cdc.streams WHERE name = 'idle'});
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', q{CREATE TABLE big AS SELECT g, md5(g::text) FROM generate_series(1, 100000) g});
my $other_lsn = sql('SELECT pg_current_wal_lsn()');
ok($node->poll_query_until('postgres',
        qq{SELECT confirmed_flush_lsn >= '$other_lsn' FROM pg_replication_slots WHERE slot_name = 'idle'}),
    'the slot advanced past WAL of another database');
is(scalar(received($file)), 0, 'with nothing to deliver');
stop_receiver($recv);
sql(q{SELECT strata_cdc.drop_stream('idle')});
$node->safe_psql('postgres', 'DROP DATABASE other');

done_testing();
