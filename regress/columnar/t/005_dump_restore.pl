# pg_dump and pg_restore carry strata_columnar tables, their indexes and
# their settings into another database: the data goes out through a scan
# and comes back through COPY, never as metadata rows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $node = strata_node('dump');
$node->safe_psql('postgres', q{
    CREATE EXTENSION strata_columnar;
    CREATE TABLE t (id int PRIMARY KEY, v text, at date, j jsonb) USING strata_columnar;
    SELECT strata_columnar.set_options('t', compression => 'lz4', chunk_group_row_limit => 2000,
                                       sort_key => 'at, v');
    INSERT INTO t SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'v' || g % 7 END,
                         '2026-01-01'::date + g % 300, jsonb_build_object('g', g)
    FROM generate_series(1, 20000) g;
    CREATE TABLE heap_side (a int);
    INSERT INTO heap_side VALUES (1), (2);
});
my $dump = $node->basedir . '/dump.pgc';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('postgres') ],
    'pg_dump of a database with a strata_columnar table');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $dump ],
    'pg_restore into a new database');

my $summary = q{SELECT count(*), count(v), sum(id), min(at), max(at), sum((j->>'g')::int) FROM t};
is($node->safe_psql('restored', $summary), $node->safe_psql('postgres', $summary),
   'the restored table holds the same rows');
is($node->safe_psql('restored', q{SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE relname = 't'}),
   'strata_columnar', 'and is a strata_columnar table');
is($node->safe_psql('restored', q{SELECT compression, chunk_group_row_limit, sort_key FROM strata_columnar.get_options('t')}),
   'lz4|2000|at, v', 'its settings came along, the sort key by column names');
is($node->safe_psql('restored', q{SET enable_seqscan = off; SELECT v FROM t WHERE id = 1234}), 'v2',
   'its primary key index works');
like($node->safe_psql('restored', q{SELECT strata_columnar.verify('t')}), qr/^ok: /, 'verify() after restore');
is($node->safe_psql('restored', q{SELECT count(*) FROM strata_columnar.stripe s JOIN strata_columnar.storage st USING (storage_id) WHERE st.relid <> 't'::regclass}),
   '0', 'no metadata of the old database came along');

$node->stop;
done_testing();
