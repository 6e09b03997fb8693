# strata_cdc against wal2json: a mixed workload (many types, NULLs,
# updates with and without REPLICA IDENTITY FULL, TOASTed values,
# deletes, truncates, messages, a 2-million-row transaction) decoded by
# both plugins from slots made at the same point.  Every event must match
# the corresponding wal2json (format 2) change: same order, same operation
# and table, and every value the same once Debezium's encoding is read
# back (base64 decimals, epoch days and microseconds, ISO timestamps,
# base64 bytes, JSON arrays).  Unchanged TOASTed values, which wal2json
# leaves out, must be Debezium's placeholder, or the old value when the
# table is REPLICA IDENTITY FULL.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $node = strata_node('cdc_w2j');
sub sql { return $node->safe_psql('postgres', $_[0]); }

sql(q{
CREATE TABLE typed (id int PRIMARY KEY, i2 smallint, i8 bigint, b bool, n numeric(12,3), nv numeric,
                    f float8, t text, vc varchar(20), d date, ts timestamp, tz timestamptz, by bytea,
                    ai int[], at text[], j jsonb, u uuid);
CREATE TABLE wide (id int PRIMARY KEY, small text, big text);
ALTER TABLE wide ALTER big SET STORAGE EXTERNAL;
CREATE TABLE wide_full (id int PRIMARY KEY, small text, big text);
ALTER TABLE wide_full ALTER big SET STORAGE EXTERNAL, REPLICA IDENTITY FULL;
CREATE TABLE bulk (id int PRIMARY KEY, v text);
SELECT 'a' FROM pg_create_logical_replication_slot('ours', 'strata_cdc');
SELECT 'b' FROM pg_create_logical_replication_slot('theirs', 'wal2json');
});

# --- the workload -----------------------------------------------------------

sql(q{
INSERT INTO typed
SELECT g, (g % 200 - 100)::smallint, g::bigint * 1000003 - 5000000000, g % 3 = 0,
       CASE WHEN g % 7 = 0 THEN NULL ELSE (g * 7.319 - 500)::numeric(12,3) END,
       CASE WHEN g % 5 = 0 THEN NULL ELSE g / 7.0 END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE g / 3.0 - 17 END,
       CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'tab	"q" \ é ✓' ELSE 'text ' || g END,
       'vc' || g, date '2000-01-01' + (g * 37 % 20000 - 10000),
       timestamp '1990-01-01' + g * interval '1 hour 1 second',
       timestamptz '2020-01-01 00:00:00+00' + g * interval '17 minutes 3.000123 seconds',
       CASE WHEN g % 6 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END,
       CASE WHEN g % 8 = 0 THEN '{}' ELSE ARRAY[g, -g, NULL] END, ARRAY['x' || g, NULL, 'y,"z"'],
       jsonb_build_object('g', g, 's', 'v' || g), md5(g::text)::uuid
FROM generate_series(1, 2000) g;
UPDATE typed SET t = 'updated ' || id, n = n + 1 WHERE id % 10 = 0;
DELETE FROM typed WHERE id % 25 = 0;
INSERT INTO wide SELECT g, 's' || g, repeat('big' || g, 3000) FROM generate_series(1, 20) g;
INSERT INTO wide_full SELECT g, 's' || g, repeat('big' || g, 3000) FROM generate_series(1, 20) g;
UPDATE wide SET small = 'changed' WHERE id <= 10;
UPDATE wide_full SET small = 'changed' WHERE id <= 10;
UPDATE wide SET big = repeat('new', 4000) WHERE id = 11;
DELETE FROM wide WHERE id > 15;
DELETE FROM wide_full WHERE id > 15;
SELECT 'm' FROM pg_logical_emit_message(true, 'audit', 'a message ✓');
TRUNCATE typed;
});
my $upto = sql('SELECT pg_current_wal_lsn()');

# --- both plugins decode it, up to the same point ------------------------------

sql(qq{
CREATE TABLE ours AS
SELECT n, data::jsonb AS e
FROM pg_logical_slot_get_changes('ours', '$upto', NULL, 'skipped.operations', 'none', 'tombstones', 'false')
     WITH ORDINALITY AS c(lsn, xid, data, n);
CREATE TABLE theirs AS
SELECT n, data::jsonb AS e
FROM pg_logical_slot_get_changes('theirs', '$upto', NULL, 'format-version', '2', 'include-transaction', 'false')
     WITH ORDINALITY AS c(lsn, xid, data, n);
});
my $expected = 2000 + 200 + 80 + 20 + 20 + 10 + 10 + 1 + 5 + 5 + 1 + 1;
is(sql('SELECT count(*) FROM ours'), $expected, 'strata_cdc: one event per change');
is(sql('SELECT count(*) FROM theirs'), $expected, 'wal2json: the same number of changes');

# --- compared event by event ---------------------------------------------------

sql(q{
-- a big-endian two's complement integer
CREATE FUNCTION twos(b bytea) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT sum(get_byte(b, i)::numeric * 256::numeric ^ (length(b) - 1 - i))
         - CASE WHEN get_byte(b, 0) >= 128 THEN 256::numeric ^ length(b) ELSE 0 END
  FROM generate_series(0, length(b) - 1) i
$$;
-- does our encoding of a value mean wal2json's text of it?
CREATE FUNCTION same(type text, o jsonb, w jsonb) RETURNS bool LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN o IS NULL OR w IS NULL THEN false
    WHEN jsonb_typeof(o) = 'null' OR jsonb_typeof(w) = 'null' THEN jsonb_typeof(o) = jsonb_typeof(w)
    WHEN type IN ('integer', 'smallint', 'bigint', 'boolean') THEN o::text = w::text
    WHEN type = 'double precision' THEN (o #>> '{}')::float8 = (w #>> '{}')::float8
    WHEN type = 'numeric(12,3)' THEN twos(decode(o #>> '{}', 'base64')) / 1000 = (w #>> '{}')::numeric
    WHEN type = 'numeric' THEN twos(decode(o ->> 'value', 'base64')) / 10::numeric ^ (o ->> 'scale')::int
                               = (w #>> '{}')::numeric
    WHEN type = 'date' THEN date '1970-01-01' + (o #>> '{}')::int = (w #>> '{}')::date
    WHEN type = 'timestamp without time zone' THEN
      timestamp '1970-01-01' + (o #>> '{}')::bigint * interval '1 microsecond' = (w #>> '{}')::timestamp
    WHEN type = 'timestamp with time zone' THEN (o #>> '{}')::timestamptz = (w #>> '{}')::timestamptz
    WHEN type = 'bytea' THEN decode(o #>> '{}', 'base64') = decode(w #>> '{}', 'hex')
    WHEN type = 'integer[]' THEN ARRAY(SELECT x::int FROM jsonb_array_elements_text(o) x) = (w #>> '{}')::int[]
    WHEN type = 'text[]' THEN ARRAY(SELECT x FROM jsonb_array_elements_text(o) x) = (w #>> '{}')::text[]
    WHEN type = 'jsonb' THEN (o #>> '{}')::jsonb = (w #>> '{}')::jsonb
    ELSE o #>> '{}' = w #>> '{}'
  END
$$;
CREATE TABLE pairs AS
SELECT o.n, o.e AS o, t.e AS w FROM ours o JOIN theirs t USING (n);
});

is(sql(q{SELECT count(*) FROM pairs
         WHERE w->>'action' <> CASE o->'value'->>'op' WHEN 'c' THEN 'I' WHEN 'u' THEN 'U' WHEN 'd' THEN 'D'
                                                        WHEN 't' THEN 'T' WHEN 'm' THEN 'M' END
            OR (w->>'action' <> 'M' AND (o->'value'->'source'->>'table' <> w->>'table'
                                         OR o->'value'->'source'->>'schema' <> w->>'schema'))}),
    '0', 'same order, operations and tables');

# every column wal2json gives for inserts and updates, against our after
my $mismatch = sql(q{
SELECT count(*), min(p.n), string_agg(DISTINCT c->>'type', ',')
FROM pairs p, jsonb_array_elements(p.w->'columns') c
WHERE p.w->>'action' IN ('I', 'U')
  AND NOT same(c->>'type', p.o->'value'->'after'->(c->>'name'), c->'value')});
is($mismatch, '0||', 'every value wal2json shows is the value we encode');
is(sql(q{SELECT count(*) FROM pairs p, jsonb_array_elements(p.w->'columns') c
         WHERE p.w->>'action' IN ('I', 'U')}), (2000 + 200) * 17 + (20 + 20 + 1) * 3 + 10 * 2 + 10 * 2,
    'values compared: all of them');

# deletes: wal2json's identity is our before's key (or whole row, under FULL)
is(sql(q{SELECT count(*) FROM pairs p, jsonb_array_elements(p.w->'identity') c
         WHERE p.w->>'action' = 'D'
           AND NOT same(c->>'type', p.o->'value'->'before'->(c->>'name'), c->'value')}),
    '0', 'deletes: the identity wal2json shows is in our before');
# updates of the FULL table: the old row is our before
is(sql(q{SELECT count(*) FROM pairs p, jsonb_array_elements(p.w->'identity') c
         WHERE p.w->>'action' = 'U' AND p.w->>'table' = 'wide_full'
           AND NOT same(c->>'type', p.o->'value'->'before'->(c->>'name'), c->'value')}),
    '0', 'REPLICA IDENTITY FULL: the old row is our before');

# the columns wal2json leaves out: unchanged TOASTed values
is(sql(q{SELECT string_agg(DISTINCT p.w->>'table' || ':' || k, ',')
         FROM pairs p, jsonb_object_keys(p.o->'value'->'after') k
         WHERE p.w->>'action' IN ('I', 'U')
           AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(p.w->'columns') c WHERE c->>'name' = k)}),
    'wide:big,wide_full:big', 'only unchanged TOASTed columns are missing from wal2json');
is(sql(q{SELECT count(*) FROM pairs p
         WHERE p.w->>'table' = 'wide' AND p.w->>'action' = 'U'
           AND NOT (p.w->'columns' @> '[{"name": "big"}]')
           AND p.o->'value'->'after'->>'big' = '__debezium_unavailable_value'}),
    '10', 'REPLICA IDENTITY DEFAULT: Debezium\'s placeholder');
is(sql(q{SELECT count(*) FROM pairs p, jsonb_array_elements(p.w->'identity') c
         WHERE p.w->>'table' = 'wide_full' AND p.w->>'action' = 'U' AND c->>'name' = 'big'
           AND p.o->'value'->'after'->'big' = c->'value'}),
    '10', 'REPLICA IDENTITY FULL: the old value');

# messages
is(sql(q{SELECT count(*) FROM pairs p
         WHERE p.w->>'action' = 'M'
           AND convert_from(decode(p.o->'value'->'message'->>'content', 'base64'), 'UTF8') = p.w->>'content'
           AND p.o->'value'->'message'->>'prefix' = p.w->>'prefix'}),
    '1', 'the message, its prefix and content');
# --- a transaction of two million changes -------------------------------------

# streamed through both plugins without keeping the events: the same count,
# the same keys and the same order (a position-weighted sum)
sql(q{INSERT INTO bulk SELECT g, 'v' || g FROM generate_series(1, 2000000) g});
$upto = sql('SELECT pg_current_wal_lsn()');
# (the keys and values are cut out of the text: parsing four million JSON
# documents, or matching regular expressions, would take minutes)
my $ours = sql(qq~
    SELECT count(*), sum(id), sum(n * id), count(*) FILTER (WHERE v = 'v' || id)
    FROM (SELECT n, split_part(split_part(data, '"key":{"id":', 2), '}', 1)::bigint AS id,
                 split_part(split_part(data, ',"v":"', 2), '"', 1) AS v
          FROM pg_logical_slot_get_changes('ours', '$upto', NULL, 'table.include.list', 'public\\.bulk')
               WITH ORDINALITY AS c(lsn, xid, data, n)) x~);
my $theirs = sql(qq~
    SELECT count(*), sum(id), sum(n * id), count(*) FILTER (WHERE v = 'v' || id)
    FROM (SELECT n, split_part(split_part(data, '"name":"id","type":"integer","value":', 2), '}', 1)::bigint AS id,
                 split_part(split_part(data, '"name":"v","type":"text","value":"', 2), '"', 1) AS v
          FROM pg_logical_slot_get_changes('theirs', '$upto', NULL, 'format-version', '2',
                                           'include-transaction', 'false', 'add-tables', 'public.bulk')
               WITH ORDINALITY AS c(lsn, xid, data, n)) x~);
is($ours, '2000000|2000001000000|' . (2000000 * 2000001 * 4000001 / 6) . '|2000000',
    'two million events, in order, with their values');
is($ours, $theirs, 'the same as wal2json\'s');

done_testing();
