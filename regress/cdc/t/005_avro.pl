# format 'avro': every event of a mixed workload (all the types, NULLs,
# updates, deletes and tombstones, a key change, TOASTed values, messages,
# BEGIN and END) is decoded by Apache Avro's own Python library with the
# schemas strata_cdc.avro_schemas() gives, from the Confluent framing, and
# equals the same event in format 'json'.  pg_recvlogical receives the
# binary messages over the replication protocol too.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $python = '/usr/bin/python3';
plan skip_all => 'python3-avro is not installed'
  unless system($python, '-c', 'import avro.io') == 0;

my $node = strata_node('cdc_avro');
sub sql { return $node->safe_psql('postgres', $_[0]); }
my $dir = PostgreSQL::Test::Utils::tempdir();

sql(q{
CREATE EXTENSION strata_cdc;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE every (
  id int PRIMARY KEY,
  i2 smallint, i8 bigint NOT NULL DEFAULT 0, f8 float8, ok boolean,
  n numeric(12,3), nv numeric, m money, t text, vc varchar(10), bp char(3), b bytea,
  d date, tm time, tm3 time(3), tt timetz, ts timestamp, ts3 timestamp(3), tz timestamptz, iv interval,
  u uuid, j json, jb jsonb, x xml, mo mood, bits bit(4), vb varbit, pt point,
  ai int[], at text[], an numeric(5,2)[], big text
);
ALTER TABLE every ALTER big SET STORAGE EXTERNAL;
CREATE TABLE plain_t (k text PRIMARY KEY, v int);
SELECT 'init' FROM pg_create_logical_replication_slot('av', 'strata_cdc');
INSERT INTO every VALUES
  (1, -32768, 9223372036854775807, 1.5e300, true, -123456789.125, 3.14159265358979323846, 12.34,
   'tëxt "q" \ end', 'short', 'ab', '\x00ff10', '2024-02-29', '23:59:59.999999', '01:02:03.456', '10:00+02',
   '2001-02-03 04:05:06.789012', '2001-02-03 04:05:06.789', '2024-01-01 12:00:00+05', '1 year 2 mons 3 days 04:05:06.5',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": {"c": null}}', '<x>1</x>', 'happy',
   B'1010', B'110', '(1.5,-2)', '{1,NULL,3}', '{"a",NULL,"b c"}', '{1.50,NULL}', repeat('big', 2000)),
  (2, NULL, 0, 'NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'infinity', NULL, NULL, NULL,
   '-infinity', NULL, 'infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL),
  (3, 1, -1, '-Infinity', false, 0, -0.000001, -5, '', '', '', '', '1970-01-01', '00:00', '00:00', '00:00Z',
   '1970-01-01', '1970-01-01', '1970-01-01 00:00Z', '-1 day', NULL, 'null', '[]', NULL, 'sad', B'0000', B'',
   '(0,0)', '{{1,2},{3,4}}', '{}', '{}', NULL);
UPDATE every SET t = 'changed' WHERE id = 1;
UPDATE every SET id = 10 WHERE id = 3;
DELETE FROM every WHERE id = 2;
INSERT INTO plain_t VALUES ('k1', 1);
SELECT 'm' FROM pg_logical_emit_message(true, 'audit', 'transactional');
SELECT 'm' FROM pg_logical_emit_message(false, 'audit', '\x00010203'::bytea);
BEGIN;
INSERT INTO plain_t SELECT 'g' || g, g FROM generate_series(1, 50) g;
UPDATE plain_t SET v = v + 1;
COMMIT;
});

my @opts = ("'include.transaction', 'true'", "'topic.prefix', 'av'");
my $opt = join(', ', @opts);
# the same events, as JSON and as Avro
my @json = map { decode_json($_) } split /\n/,
  sql("SELECT data FROM pg_logical_slot_peek_changes('av', NULL, NULL, $opt)");
my $hex = sql("SELECT encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('av', NULL, NULL, 'format', 'avro', $opt)");
ok(scalar(@json) > 100, 'the workload made events (' . scalar(@json) . ')');

# the schemas, as a registry would take them
my $schemas = sql(q{SELECT schema_id || E'\t' || schema
                    FROM strata_cdc.avro_schemas('{every,plain_t}', '{topic.prefix,av}')});
is(scalar(split /\n/, $schemas), 8, 'key and value schemas of two tables, the transaction and message topics');
is(sql(q{SELECT count(DISTINCT schema_id) FROM strata_cdc.avro_schemas('{every,plain_t}', '{topic.prefix,av}')}), 8,
    'each schema its own id');
is(sql(q{SELECT count(*) FROM strata_cdc.avro_schemas('{every}', '{topic.prefix,av}') a
         JOIN strata_cdc.avro_schemas('{every}', '{topic.prefix,av,decimal.handling.mode,precise}') b USING (subject, schema_id)}),
    6, 'ids are the same for the same schema');
append_to_file("$dir/schemas.tsv", "$schemas\n");
append_to_file("$dir/messages.hex", "$hex\n");

my ($out, $err) = ('', '');
my $ok = IPC::Run::run([ $python, "$FindBin::RealBin/../read_avro.py", "$dir/schemas.tsv", "$dir/messages.hex" ],
    '>', \$out, '2>', \$err);
ok($ok, 'Apache Avro decodes every message') or diag($err);
my @avro = map { decode_json($_) } split /\n/, $out;
is(scalar(@avro), scalar(@json), 'one Avro message per JSON event');

# ts_ms, ts_us, ts_ns of the envelope say when the event was made: the two
# readings were made apart.  A multi-dimensional array is nested in JSON
# and flat in Avro, whose schema (the type's) has one level.
sub flat
{
    my ($x) = @_;
    return [ map { ref $_ eq 'ARRAY' ? @{ flat($_) } : $_ } @$x ] if ref $x eq 'ARRAY';
    return { map { ($_ => flat($x->{$_})) } keys %$x } if ref $x eq 'HASH';
    return $x;
}
sub strip
{
    my ($e) = @_;
    return flat($e) unless ref $e->{value} eq 'HASH';
    my %v = %{ $e->{value} };
    delete @v{qw(ts_ms ts_us ts_ns)} if exists $v{op};
    # a message outside a transaction has no commit: its source time is its reading's
    $v{source} = { %{ $v{source} } } if ref $v{source} eq 'HASH';
    delete @{ $v{source} }{qw(ts_ms ts_us ts_ns)} if ref $v{source} eq 'HASH' && !defined $v{source}{txId};
    return flat({ %$e, value => \%v });
}
my $differ = 0;
for my $i (0 .. $#json)
{
    my ($j, $a) = (strip($json[$i]), strip($avro[$i]));
    next if JSON::PP->new->canonical->encode($j) eq JSON::PP->new->canonical->encode($a);
    $differ++;
    if ($differ <= 3)
    {
        diag('json: ' . JSON::PP->new->canonical->encode($j));
        diag('avro: ' . JSON::PP->new->canonical->encode($a));
    }
}
is($differ, 0, 'every Avro event equals its JSON event');
my %ops;
$ops{ ref $_->{value} eq 'HASH' ? ($_->{value}{op} // $_->{value}{status}) : 'tombstone' }++ for @avro;
is(join(',', map { "$_=$ops{$_}" } sort keys %ops), 'BEGIN=6,END=6,c=55,d=2,m=2,tombstone=2,u=52',
    'creates, updates, deletes, tombstones, messages, BEGIN and END all went through');
is($avro[1]{value}{after}{big}, 'big' x 2000, 'a TOASTed value');
my ($moved) = grep { ref $_->{value} eq 'HASH' && ($_->{value}{op} // '') eq 'c' && $_->{key}{id} == 10 } @avro;
is(join(',', @{ $moved->{value}{after}{ai} }), '1,2,3,4', 'a two-dimensional array, flattened');

# the binary messages over the replication protocol
my $endpos = sql('SELECT pg_current_wal_lsn()');
unlink "$dir/recv.bin";
$ok = IPC::Run::run([ 'pg_recvlogical', '-d', $node->connstr('postgres'), '-S', 'av', '--start',
        '--endpos', $endpos, '--no-loop', '-f', "$dir/recv.bin", '-o', 'format=avro', '-o', 'topic.prefix=av' ],
    '>', \$out, '2>', \$err, IPC::Run::timeout(120));
ok($ok, 'pg_recvlogical receives format avro') or diag($err);
my $bin = slurp_file("$dir/recv.bin");
like($bin, qr/\A\x00\x0fav\.public\.every\x00\x00/, 'the first message starts with its topic, framed');

# options that cannot go with avro, and places that take only text
my ($ret, $stdout, $stderr) = $node->psql('postgres',
    q{SELECT data FROM pg_logical_slot_peek_changes('av', NULL, NULL, 'format', 'avro')});
like($stderr, qr/binary output/, 'the text interface refuses binary output');
($ret, $stdout, $stderr) = $node->psql('postgres',
    q{SELECT data FROM pg_logical_slot_peek_binary_changes('av', NULL, NULL, 'format', 'avro', 'schemas.enable', 'true')});
like($stderr, qr/format "avro" cannot be used with "schemas.enable"/, 'schemas.enable is refused with avro');
($ret, $stdout, $stderr) = $node->psql('postgres',
    q{SELECT * FROM strata_cdc.snapshot('av2', '{plain_t}', '{format,avro}')});
like($stderr, qr/format "avro" is not supported there/, 'the snapshot function returns text only');

done_testing();
