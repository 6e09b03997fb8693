# COPY ... TO ... WITH (FORMAT parquet): tables of every mapped type, with
# NULLs, empty strings, extreme values, NaN, unicode and TOAST-sized values,
# written by strata_iceberg and read back by DuckDB and hyparquet
# (read_parquet.js) and by COPY FROM; every codec; row group sizes; COPY
# (query) TO, views, partitions, DML with RETURNING; psql's \copy through
# STDOUT; the type mapping and its errors; unmapped types as text; options;
# privileges, column privileges and row-level security; an error midway;
# a LATIN1 database.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node strata_root);

my $root = strata_root();
my $node = strata_node('iceberg_to');
my $dir = PostgreSQL::Test::Utils::tempdir();
chmod 0777, $dir;

sub sql { return $node->safe_psql($_[1] // 'postgres', $_[0]); }

sub fails
{
    my ($statement, $pattern, $name, %opts) = @_;
    my ($ret, $out, $err) = $node->psql($opts{db} // 'postgres',
        "\\set VERBOSITY verbose\n$statement", extra_params => $opts{extra} // []);
    isnt($ret, 0, "$name: fails");
    like($err, $pattern, "$name: error");
    return $err;
}

# The command tag of a statement ("COPY 3"): psql without -q.
sub command_tag
{
    my ($statement, $db) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'psql', '-X', '-d', $node->connstr($db // 'postgres'), '-c', $statement ],
        '>', \$out, '2>', \$err)
      or die "psql failed: $err";
    chomp $out;
    return $out;
}

# DuckDB and hyparquet read a file: the summary, and DuckDB's rows as CSV.
sub read_with_peers
{
    my ($file) = @_;
    local $ENV{NODE_PATH} = $ENV{NODE_PATH} // "$root/scripts/node/node_modules";
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'node', "$root/regress/iceberg/read_parquet.js", $file, "$file.csv" ],
        '>', \$out, '2>', \$err)
      or die "read_parquet.js failed on $file: $err";
    chmod 0644, "$file.csv";
    return decode_json($out);
}

sql('CREATE EXTENSION strata CASCADE');

# --- the source table: every type of the mapping -----------------------------

my @columns = (
    [ id => 'bigint' ], [ b => 'boolean' ], [ i2 => 'smallint' ], [ i4 => 'integer' ],
    [ i8 => 'bigint' ], [ f4 => 'real' ], [ f8 => 'double precision' ],
    [ n4 => 'numeric(4,2)' ], [ n18 => 'numeric(18,6)' ], [ n38 => 'numeric(38,10)' ],
    [ nneg => 'numeric(5,-2)' ], [ nfrac => 'numeric(3,5)' ],
    [ t => 'text' ], [ vc => 'varchar(20)' ], [ ch => 'char(4)' ], [ e => 'mood' ],
    [ dom => 'posint' ], [ j => 'json' ], [ jb => 'jsonb' ], [ by => 'bytea' ], [ u => 'uuid' ],
    [ dt => 'date' ], [ tm => 'time' ], [ ts => 'timestamp' ], [ tz => 'timestamptz' ],
    [ ai => 'integer[]' ], [ at => 'text[]' ], [ af => 'double precision[]' ],
    [ ad => 'date[]' ], [ an => 'numeric(10,2)[]' ]);
my $ddl = join(', ', map { "$_->[0] $_->[1]" } @columns);

sql(qq{
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
    CREATE TABLE src ($ddl);
    INSERT INTO src
    SELECT i,
           CASE WHEN i % 7 = 3 THEN NULL ELSE i % 2 = 0 END,
           CASE i % 11 WHEN 1 THEN NULL WHEN 2 THEN 32767 WHEN 3 THEN -32768 ELSE (i * 37) % 65536 - 32768 END,
           CASE i % 13 WHEN 1 THEN 2147483647 WHEN 2 THEN -2147483648 WHEN 3 THEN NULL
                ELSE (hashint8(i)::bigint % 2147483647)::int END,
           CASE i % 13 WHEN 5 THEN NULL WHEN 6 THEN 9223372036854775807 WHEN 7 THEN -9223372036854775808
                ELSE hashint8(i)::bigint * 4294967296 + i END,
           CASE i % 50 WHEN 1 THEN 'Infinity' WHEN 2 THEN '-Infinity' WHEN 3 THEN '-0' WHEN 4 THEN 'NaN'
                WHEN 5 THEN NULL WHEN 6 THEN 3.4028235e38 WHEN 7 THEN 1e-45 ELSE i::real / 3 END,
           CASE i % 40 WHEN 1 THEN 'Infinity' WHEN 2 THEN '-Infinity' WHEN 3 THEN '-0' WHEN 4 THEN 'NaN'
                WHEN 5 THEN NULL WHEN 6 THEN 1.7976931348623157e308 WHEN 7 THEN 5e-324
                ELSE (i - 1000)::float8 / 7 END,
           CASE i % 9 WHEN 0 THEN NULL WHEN 1 THEN 99.99 WHEN 2 THEN -99.99 ELSE ((i % 19999) - 9999) / 100.0 END,
           CASE i % 11 WHEN 0 THEN NULL WHEN 1 THEN 999999999999.999999 WHEN 2 THEN -999999999999.999999
                ELSE (hashint8(i) % 1999999999999) / 1000.0 - 999999999.5 END,
           CASE i % 13 WHEN 0 THEN NULL WHEN 1 THEN 9999999999999999999999999999.9999999999
                WHEN 2 THEN -9999999999999999999999999999.9999999999
                ELSE (hashint8(i)::numeric * 1000000000000 + i) / 9999999.0 END,
           CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 99999) * 100 - 4999900 END,
           CASE WHEN i % 6 = 0 THEN NULL ELSE (i % 999) / 100000.0 - 0.00499 END,
           CASE i % 9 WHEN 0 THEN '' WHEN 1 THEN NULL WHEN 2 THEN 'héllo wörld ✓ 日本語 😀 ' || i
                WHEN 3 THEN E'tab\\tnl\\ncr\\rbs\\\\N' WHEN 4 THEN '\\N' WHEN 5 THEN 'quote"comma,brace{}'
                WHEN 6 THEN repeat('long', 300) || i ELSE 'v' || (i % 100) END,
           CASE WHEN i % 4 = 0 THEN NULL ELSE 'vc' || i END,
           CASE WHEN i % 3 = 0 THEN NULL WHEN i % 3 = 1 THEN 'ab' ELSE 'abcd' END,
           (ARRAY['sad', 'ok', 'happy'])[i % 3 + 1]::mood,
           CASE WHEN i % 10 = 0 THEN NULL ELSE i % 1000 + 1 END,
           CASE WHEN i % 8 = 0 THEN NULL ELSE ('{"n": ' || i || ', "s": "é\\"q",  "a": [1, 2.5, null]}')::json END,
           CASE WHEN i % 8 = 1 THEN NULL ELSE ('{"n": ' || i || ', "k": {"x": [true, null]}}')::jsonb END,
           CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN ''::bytea ELSE decode(md5(i::text), 'hex') END,
           CASE WHEN i % 9 = 0 THEN NULL ELSE md5(i::text)::uuid END,
           CASE i % 23 WHEN 0 THEN NULL WHEN 1 THEN 'infinity'::date WHEN 2 THEN '-infinity'::date
                WHEN 3 THEN '0044-03-15 BC'::date WHEN 4 THEN '4713-11-24 BC'::date
                WHEN 5 THEN '9999-12-31'::date ELSE '1970-01-01'::date + ((i * 37) % 40000 - 20000) END,
           CASE i % 17 WHEN 0 THEN NULL WHEN 1 THEN '23:59:59.999999'::time WHEN 2 THEN '00:00:00'::time
                WHEN 3 THEN '24:00:00'::time ELSE '00:00'::time + ((i::bigint * 1234567891) % 86400000000) * interval '1 microsecond' END,
           CASE i % 19 WHEN 0 THEN NULL WHEN 1 THEN 'infinity'::timestamp WHEN 2 THEN '-infinity'::timestamp
                WHEN 3 THEN '0100-01-01 10:00:00 BC'::timestamp WHEN 4 THEN '9999-12-31 23:59:59.999999'::timestamp
                ELSE '1900-01-01'::timestamp + (i * 987654321987) * interval '1 microsecond' END,
           CASE i % 10 WHEN 0 THEN NULL WHEN 1 THEN 'infinity'::timestamptz
                ELSE '2000-01-01 00:00:00+00'::timestamptz + (i::bigint * 1000003 * 7919) * interval '1 microsecond' END,
           CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN '{}'::int[] WHEN 2 THEN '{NULL}'::int[]
                ELSE ARRAY[i::int, NULL, -i::int, 2147483647] END,
           CASE i % 5 WHEN 0 THEN ARRAY['a', NULL, ''] WHEN 1 THEN NULL WHEN 2 THEN '{}'::text[]
                WHEN 3 THEN ARRAY['x' || i, E'ü{,}"\\\\\\t\\n', 'NULL'] ELSE ARRAY['plain'] END,
           CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN ARRAY[1.5, -0.25, 1e300]::float8[]
                ELSE ARRAY[i / 7.0, NULL]::float8[] END,
           CASE WHEN i % 3 = 0 THEN NULL ELSE ARRAY['2024-02-29'::date + i, NULL] END,
           CASE WHEN i % 4 = 0 THEN NULL ELSE ARRAY[i / 100.0, -99999999.99, NULL]::numeric(10,2)[] END
    FROM generate_series(0, 119999) i;
    -- TOAST-sized values, compressed and not
    INSERT INTO src (id, t, by, jb, at)
    VALUES (200000, repeat('x', 300000), decode(repeat('00ff', 200000), 'hex'),
            jsonb_build_object('big', repeat('y', 100000)), ARRAY[repeat('z', 70000)]),
           (200001, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 20000) g), NULL, NULL, NULL);
});
my $rows = 120002;

# What a reader got back, in the source's types: DuckDB's CSV through text
# columns (lists come as JSON arrays), or a table COPY FROM loaded.
my $raw_ddl = join(', ', map { "$_->[0] text" } @columns);
my $from_raw = join(', ', map {
    my ($c, $type) = @$_;
    $type =~ /^(.*)\[\]$/
      ? "CASE WHEN $c IS NULL THEN NULL ELSE ARRAY(SELECT x::$1 FROM jsonb_array_elements_text(${c}::jsonb) WITH ORDINALITY a(x, n) ORDER BY n) END AS $c"
      : "${c}::$type AS $c"
} @columns);
# json has no equality: compare its text
my $cmp = join(', ', map { $_->[1] eq 'json' ? "$_->[0]::text" : $_->[0] } @columns);
sql(qq{CREATE TABLE raw ($raw_ddl); CREATE TABLE back ($ddl)});

# The rows of table $got against src (or the query $of): both ways, and the count.
sub same_rows
{
    my ($got, $name, $of) = @_;
    $of //= 'src';
    my $diff = sql(qq{
        SELECT (SELECT count(*) FROM (SELECT $cmp FROM $of EXCEPT ALL SELECT $cmp FROM $got) a),
               (SELECT count(*) FROM (SELECT $cmp FROM $got EXCEPT ALL SELECT $cmp FROM $of) b),
               (SELECT count(*) FROM $got)});
    my $want = sql("SELECT count(*) FROM $of");
    is($diff, "0|0|$want", "$name: the same rows");
    if ($diff !~ /^0\|0\|/)
    {
        diag('missing: ' . sql("SELECT * FROM (SELECT $cmp FROM $of EXCEPT ALL SELECT $cmp FROM $got) a ORDER BY id LIMIT 2"));
        diag('extra: ' . sql("SELECT * FROM (SELECT $cmp FROM $got EXCEPT ALL SELECT $cmp FROM $of) a ORDER BY id LIMIT 2"));
    }
    return;
}

# DuckDB's and hyparquet's reading of $file, against src (or $of).
sub peers_read
{
    my ($file, $name, $of) = @_;
    my $r = read_with_peers($file);
    my $want = sql('SELECT count(*) FROM ' . ($of // 'src'));
    is($r->{rows}, $want, "$name: DuckDB reads $want rows");
    is($r->{hyparquet_rows}, $want, "$name: hyparquet reads $want rows");
    is($r->{mismatches}, 0, "$name: hyparquet's values are DuckDB's")
      or diag(encode_json($r->{examples}));
    sql(qq{TRUNCATE raw, back;
           COPY raw FROM '$file.csv' (FORMAT csv, HEADER, ENCODING 'UTF8');
           INSERT INTO back SELECT $from_raw FROM raw});
    same_rows('back', "$name: DuckDB", $of);
    return $r;
}

# --- every type, default options ----------------------------------------------

is(command_tag("COPY src TO '$dir/src.parquet' WITH (FORMAT parquet)"), "COPY $rows",
    'COPY TO reports the rows written');
my $r = peers_read("$dir/src.parquet", 'default');
is_deeply($r->{codecs}, ['ZSTD'], 'ZSTD by default');
is(join(',', @{ $r->{row_groups} }), $rows, 'one row group: DuckDB\'s default size is 122880 rows');
is_deeply([ @{ $r->{types} }{qw(b i2 i4 i8 f4 f8 n4 n18 n38 nneg nfrac t ch e dom j jb by u dt tm ts tz ai an)} ],
    [ 'BOOLEAN', 'SMALLINT', 'INTEGER', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL(4,2)', 'DECIMAL(18,6)',
      'DECIMAL(38,10)', 'DECIMAL(7,0)', 'DECIMAL(5,5)', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'INTEGER',
      'JSON', 'JSON', 'BLOB', 'UUID', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE',
      'INTEGER[]', 'DECIMAL(10,2)[]' ],
    'the types DuckDB sees');
is(sql(qq{SELECT string_agg(name || ':' || physical_type || ':' || coalesce(logical_type, ''), ' ' ORDER BY position)
          FROM strata_iceberg.parquet_schema('$dir/src.parquet') WHERE name IN ('i2', 'n38', 'u', 'tz', 'e')}),
    'i2:INT32:INTEGER(bits=16, signed=true) n38:FIXED_LEN_BYTE_ARRAY:DECIMAL(precision=38, scale=10) '
      . 'e:BYTE_ARRAY:STRING u:FIXED_LEN_BYTE_ARRAY:UUID tz:INT64:TIMESTAMP(unit=MICROS, utc=true)',
    'physical and logical types');

# back through COPY FROM, into heap and strata_columnar
sql(qq{CREATE TABLE again ($ddl); CREATE TABLE again_col ($ddl) USING strata_columnar});
is(command_tag("COPY again FROM '$dir/src.parquet' WITH (FORMAT parquet)"), "COPY $rows",
    'COPY FROM reads it back');
same_rows('again', 'round trip into heap');
sql("COPY again_col FROM '$dir/src.parquet' WITH (FORMAT parquet)");
same_rows('again_col', 'round trip into strata_columnar');

# values do not depend on session settings
sql(q{ALTER DATABASE postgres SET timezone = 'Asia/Kolkata';
      ALTER DATABASE postgres SET datestyle = 'SQL, DMY';
      ALTER DATABASE postgres SET extra_float_digits = -3;
      ALTER DATABASE postgres SET client_encoding = 'LATIN1'});
sql("COPY src TO '$dir/settings.parquet' WITH (FORMAT parquet)");
sql('ALTER DATABASE postgres RESET ALL');
is(`cmp '$dir/src.parquet' '$dir/settings.parquet' && echo same`, "same\n",
    'TimeZone, DateStyle, extra_float_digits and client_encoding change no byte');

# --- codecs, levels, row groups -------------------------------------------------

sql('CREATE VIEW small AS SELECT * FROM src WHERE id < 5000');
for my $codec (qw(uncompressed snappy gzip zstd lz4 lz4_raw))
{
    sql("COPY small TO '$dir/c_$codec.parquet' WITH (FORMAT parquet, compression '$codec', row_group_size 2048)");
    my $c = peers_read("$dir/c_$codec.parquet", "codec $codec", 'small');
    my $want = $codec eq 'lz4' ? 'LZ4_RAW' : uc $codec;
    is_deeply($c->{codecs}, [$want], "codec $codec: every chunk is $want");
    is(join(',', @{ $c->{row_groups} }), '2048,2048,904', "codec $codec: row groups of 2048 rows");
}
sql("COPY small TO '$dir/z1.parquet' WITH (FORMAT parquet, compression 'zstd', compression_level 1)");
sql("COPY small TO '$dir/z19.parquet' WITH (FORMAT parquet, compression 'zstd', compression_level 19)");
cmp_ok(-s "$dir/z19.parquet", '<', -s "$dir/z1.parquet", 'compression_level 19 writes a smaller file than 1');
peers_read("$dir/z19.parquet", 'zstd level 19', 'small');

# row groups bounded by bytes: 300 kB rows, 1 MB groups
sql(q{CREATE TABLE wide AS SELECT i AS id, repeat(md5(i::text), 10000) AS t FROM generate_series(1, 40) i});
sql("COPY wide TO '$dir/wide.parquet' WITH (FORMAT parquet, row_group_size_bytes 1048576)");
is(sql(qq{SELECT count(*), sum(num_rows), max(num_rows)
          FROM (SELECT DISTINCT row_group, num_rows FROM strata_iceberg.parquet_metadata('$dir/wide.parquet')) g}),
    '10|40|4', 'row_group_size_bytes closes a row group past 1 MB of values');

# an empty result is a valid file without row groups
sql("COPY (SELECT * FROM src WHERE false) TO '$dir/empty.parquet' WITH (FORMAT parquet)");
is(sql(qq{SELECT num_rows, num_row_groups FROM strata_iceberg.parquet_file_metadata('$dir/empty.parquet')}),
    '0|0', 'no rows: a file with the schema and no row group');
is(read_with_peers("$dir/empty.parquet")->{rows}, 0, 'DuckDB reads the empty file');

# --- queries, views, partitions, DML --------------------------------------------

is(command_tag(qq{COPY (SELECT id, t AS "Mixed Case", i4 / 2 AS halved FROM src WHERE id % 1000 = 7 ORDER BY id DESC)
                  TO '$dir/query.parquet' WITH (FORMAT parquet)}), 'COPY 120', 'COPY (query) TO');
{
    my $q = read_with_peers("$dir/query.parquet");
    is(join(',', sort keys %{ $q->{types} }), 'Mixed Case,halved,id', 'the query\'s column names');
    open my $fh, '<', "$dir/query.parquet.csv" or die;
    my @lines = <$fh>;
    close $fh;
    like($lines[1], qr/^119007,/, 'in the query\'s order');
}
sql(qq{CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k);
       CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
       CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (10) TO (20);
       INSERT INTO parted SELECT i, 'v' || i FROM generate_series(0, 19) i;
       CREATE TABLE inh_parent (k int); CREATE TABLE inh_child () INHERITS (inh_parent);
       INSERT INTO inh_parent VALUES (1); INSERT INTO inh_child VALUES (2)});
is(command_tag("COPY parted TO '$dir/parted.parquet' WITH (FORMAT parquet)"), 'COPY 20',
    'a partitioned table: all its partitions');
is(command_tag("COPY inh_parent TO '$dir/inh.parquet' WITH (FORMAT parquet)"), 'COPY 1',
    'an inheritance parent: without its children, as COPY');
is(command_tag("COPY small (id, t) TO '$dir/view.parquet' WITH (FORMAT parquet)"), 'COPY 5000',
    'a view, with a column list');
sql('CREATE TABLE log (id serial, what text)');
is(command_tag(qq{COPY (INSERT INTO log (what) SELECT 'w' || g FROM generate_series(1, 5) g RETURNING *)
                  TO '$dir/dml.parquet' WITH (FORMAT parquet)}), 'COPY 5', 'COPY (INSERT ... RETURNING) TO');
is(sql('SELECT count(*) FROM log'), '5', 'the INSERT ran');
sql('CREATE TABLE again_log (id int, what text)');
sql("COPY again_log FROM '$dir/dml.parquet' WITH (FORMAT parquet)");
is(sql("SELECT string_agg(id || what, ',' ORDER BY id) FROM again_log"), '1w1,2w2,3w3,4w4,5w5',
    'the RETURNING rows were written');
fails("COPY (UPDATE log SET what = 'x') TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/0A000: COPY query must have a RETURNING clause/, 'DML without RETURNING');
fails("COPY (SELECT 1 AS a, 2 AS a) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/42701: column name "a" appears more than once/, 'duplicate column names');

# --- COPY FROM ... WHERE skips row groups by their statistics --------------------

sql(qq{CREATE TABLE pr_src AS
         SELECT i AS id, 'k' || lpad(i::text, 6, '0') AS k, date '2020-01-01' + i / 100 AS d,
                timestamptz '2020-01-01 00:00:00+00' + i * interval '1 minute' AS ts,
                (i / 7.0)::numeric(12,3) AS n, CASE WHEN i < 50000 THEN i END AS half,
                (i % 3)::smallint AS small
         FROM generate_series(0, 99999) i;
       COPY pr_src TO '$dir/sorted.parquet' WITH (FORMAT parquet, row_group_size 10000);
       CREATE TABLE pr (LIKE pr_src);
       CREATE TABLE pr2 (id int, n numeric(12,2))});
my @prune = (
    [ 'id >= 25000 AND id < 42000', 7, 'a range of integers' ],
    [ q{k = 'k031234' COLLATE "C"}, 9, 'text equality in the C collation' ],
    [ q{d < '2020-01-10'}, 9, 'dates' ],
    [ q{ts > '2020-03-01 00:00:00+00'}, 8, 'timestamptz' ],
    [ 'n = 1000.000', 9, 'numeric' ],
    [ 'half > 0', 5, 'row groups of NULLs only' ],
    [ '42000 > id', 5, 'the constant on the left' ],
    [ 'id + 0 > 95000', 0, 'an expression is not used, and the rows are right' ],
    [ 'small = 1 AND id > 99990', 9, 'one refuting condition is enough' ],
    [ 'id = 5000 OR id = 95000', 0, 'OR is not used' ],
);
for my $case (@prune)
{
    my ($where, $skipped, $name) = @$case;
    my ($ret, $out, $err) = $node->psql('postgres', qq{TRUNCATE pr; SET client_min_messages = debug1;
        COPY pr FROM '$dir/sorted.parquet' WITH (FORMAT parquet) WHERE $where});
    my $n = () = $err =~ /row group \d+ skipped: the statistics of column/g;
    is($n, $skipped, "WHERE $where: $skipped row groups skipped ($name)");
    is(sql(qq{SELECT (SELECT count(*) FROM (SELECT * FROM pr_src WHERE $where EXCEPT ALL SELECT * FROM pr) a),
                     (SELECT count(*) FROM (SELECT * FROM pr EXCEPT ALL SELECT * FROM pr_src WHERE $where) b),
                     (SELECT count(*) FROM pr) > 0}),
        '0|0|t', "WHERE $where: the rows the WHERE clause keeps");
}
# a bound compares as the loaded value will: rounded to the column's scale
# (row 9999 is 1428.429 in the file, 1428.43 in numeric(12,2))
sql(qq{COPY pr2 FROM '$dir/sorted.parquet' WITH (FORMAT parquet) WHERE n >= 1428.43 AND id < 10000});
is(sql(q{SELECT string_agg(id || ':' || n, ',') FROM pr2}), '9999:1428.43',
    'bounds are rounded to the column\'s scale before they refute');

# --- psql's \copy: COPY TO STDOUT -----------------------------------------------

{
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'psql', '-X', '-d', $node->connstr('postgres'), '-c',
            "\\copy (SELECT * FROM small) TO '$dir/stdout.parquet' WITH (FORMAT parquet, compression 'snappy')" ],
        '>', \$out, '2>', \$err);
    is($out, "COPY 5000\n", '\copy TO a client file') or diag($err);
    peers_read("$dir/stdout.parquet", '\copy', 'small');
}

# --- the mapping's edges ---------------------------------------------------------

fails("COPY (SELECT id, interval '1 day' AS iv FROM src) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/0A000: column "iv" has type interval, which has no Parquet mapping.*HINT:  Cast it to a type that has one, or write it as text with UNMAPPED_TYPES 'text'/s,
    'interval has no mapping');
ok(!-e "$dir/x.parquet", 'a mapping error creates no file');
fails("COPY (SELECT sum(i8) AS s FROM src) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/column "s" has type numeric, which has no Parquet mapping.*HINT:  Cast it to numeric\(p,s\) with p at most 38/s,
    'numeric without a precision');
fails("COPY (SELECT 1::numeric(39,0) AS big) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/column "big" has type numeric\(39,0\), which has no Parquet mapping/, 'numeric(39)');
fails("COPY (SELECT ARRAY[inet '1.2.3.4'] AS a) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/column "a" has type inet\[\], which has no Parquet mapping/, 'an array of an unmapped type');
fails("COPY (SELECT '{{1,2},{3,4}}'::int[] AS m) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/0A000: cannot write a 2-dimensional array to a Parquet LIST.*CONTEXT:  COPY TO Parquet ".*x.parquet", row 1, column m/s,
    'a two-dimensional array value');
fails("COPY (SELECT 'NaN'::numeric(10,2) AS n) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/22003: cannot write NaN to Parquet DECIMAL\(10,2\)/, 'numeric NaN');
fails("COPY (SELECT '294270-01-01'::timestamp AS ts) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/22008: a timestamp after year 294246 is out of range for Parquet/, 'a timestamp Parquet cannot hold');

sql(q{CREATE TYPE pair AS (a int, b text);
      CREATE TABLE odd (id int, iv interval, tt timetz, ip inet, p pair, r int4range, x xml, nn numeric,
                        m money, arr inet[], pt point)});
sql(q{INSERT INTO odd VALUES (1, '1 year 2 days 00:00:03.5', '10:00:00+02', '10.0.0.1/8', ROW(1, 'x y'),
                              '[1,5)', '<a>é</a>', 12345678901234567890.123456789, 12.5, '{1.2.3.4,NULL}', '(1,2)'),
                             (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)});
is(command_tag("COPY odd TO '$dir/odd.parquet' WITH (FORMAT parquet, unmapped_types 'text')"), 'COPY 2',
    'unmapped_types text');
{
    my $o = read_with_peers("$dir/odd.parquet");
    is(join(',', map { $o->{types}{$_} } qw(id iv tt ip p r x nn m arr pt)),
        'INTEGER,VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR',
        'unmapped types as STRING');
    open my $fh, '<', "$dir/odd.parquet.csv" or die;
    my @lines = <$fh>;
    close $fh;
    is($lines[1], qq{1,1 year 2 days 00:00:03.5,10:00:00+02,10.0.0.1/8,"(1,""x y"")","[1,5)",<a>é</a>,12345678901234567890.123456789,\$12.50,"{1.2.3.4,NULL}","(1,2)"\n},
        'each value is its type\'s text');
    is($lines[2], "2,,,,,,,,,,\n", 'NULLs stay NULL');
}

# --- options ----------------------------------------------------------------------

fails("COPY src TO '$dir/x.parquet' WITH (FORMAT parquet, compression 'brotli')",
    qr/22023: unknown Parquet compression "brotli".*HINT:  Valid values are zstd, snappy, gzip, lz4 \(LZ4_RAW\) and uncompressed/s,
    'unknown codec');
fails("COPY src TO '$dir/x.parquet' WITH (FORMAT parquet, compression 'zstd', compression_level 23)",
    qr/22023: compression_level 23 is out of range for zstd.*DETAIL:  Valid levels are/s, 'level out of range');
fails("COPY src TO '$dir/x.parquet' WITH (FORMAT parquet, compression 'snappy', compression_level 3)",
    qr/22023: Parquet compression "snappy" has no levels/, 'snappy has no levels');
fails("COPY src TO '$dir/x.parquet' WITH (FORMAT parquet, row_group_size 0)",
    qr/22023: row_group_size must be at least 1/, 'row_group_size 0');
fails("COPY src TO '$dir/x.parquet' WITH (FORMAT parquet, row_group_size_bytes 1000)",
    qr/22023: row_group_size_bytes must be between 1048576 and/, 'row_group_size_bytes too small');
fails("COPY src TO '$dir/x.parquet' WITH (FORMAT parquet, unmapped_types 'json')",
    qr/22023: unmapped_types must be "error" or "text"/, 'unmapped_types value');
fails("COPY src TO '$dir/x.parquet' WITH (FORMAT parquet, delimiter ',')",
    qr/42601: COPY option "delimiter" is not valid with FORMAT parquet.*HINT:  Valid options for COPY TO are/s,
    'a CSV option');
fails("COPY src TO '$dir/x.parquet' WITH (FORMAT parquet, compression 'zstd', compression 'gzip')",
    qr/42601: conflicting or redundant options/, 'an option twice');
fails("COPY src TO PROGRAM 'cat > /dev/null' WITH (FORMAT parquet)",
    qr/0A000: COPY TO PROGRAM with FORMAT parquet is not supported/, 'TO PROGRAM');
fails("COPY src TO 'relative.parquet' WITH (FORMAT parquet)",
    qr/42602: relative path not allowed for COPY to file/, 'a relative path');
fails("COPY src TO '$dir' WITH (FORMAT parquet)",
    qr/42809: could not open file "\Q$dir\E" for writing: Is a directory/, 'a directory');
fails("COPY src TO '/nonexistent/dir/x.parquet' WITH (FORMAT parquet)",
    qr/58P01: could not open file "\/nonexistent\/dir\/x.parquet" for writing: No such file or directory.*HINT:  COPY TO instructs/s,
    'a missing directory');
fails("COPY src TO '$dir/x.parquet' WITH (FORMAT parquet) WHERE id > 1",
    qr/WHERE clause not allowed with COPY TO/, 'WHERE');
fails("COPY nosuch TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/42P01: relation "nosuch" does not exist/, 'a missing table');
fails("COPY src (nosuch) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/42703: column "nosuch" does not exist/, 'a missing column');

# --- an error midway --------------------------------------------------------------

fails("COPY (SELECT id, 1 / (id - 100000) AS x FROM src ORDER BY id) TO '$dir/midway.parquet' WITH (FORMAT parquet, row_group_size 1000)",
    qr/22012: division by zero/, 'an error in the query after 100 row groups');
ok(-e "$dir/midway.parquet", 'the file was written in place, as COPY writes');
fails("CREATE TABLE mid (id bigint, x int); COPY mid FROM '$dir/midway.parquet' WITH (FORMAT parquet)",
    qr/XX001: invalid Parquet file/, 'it has no footer: no reader takes it for a file');

# --- privileges --------------------------------------------------------------------

sql(qq{CREATE ROLE alice LOGIN; CREATE ROLE writer LOGIN; GRANT pg_write_server_files TO writer;
       GRANT SELECT ON src TO writer; GRANT SELECT (id, t) ON src TO alice;
       CREATE TABLE secret (id int, owner text); INSERT INTO secret VALUES (1, 'alice'), (2, 'bob');
       ALTER TABLE secret ENABLE ROW LEVEL SECURITY;
       CREATE POLICY mine ON secret USING (owner = current_user);
       GRANT SELECT ON secret TO writer, alice;
       INSERT INTO secret VALUES (3, 'writer')});
fails("COPY src (id) TO '$dir/x.parquet' WITH (FORMAT parquet)",
    qr/42501: must be superuser or have privileges of the pg_write_server_files role to COPY to a file/,
    'a server file needs pg_write_server_files', extra => [ '-U', 'alice' ]);
{
    my ($ret, $out, $err) = $node->psql('postgres',
        "\\copy (SELECT id, t FROM src WHERE id < 10) TO '$dir/alice.parquet' WITH (FORMAT parquet)",
        extra_params => [ '-U', 'alice' ]);
    is($ret, 0, 'but \copy works for anyone') or diag($err);
}
# ... and \copy FROM, into a table she may insert into
sql(q{CREATE TABLE alice_in (id bigint, t text); GRANT INSERT, SELECT ON alice_in TO alice});
{
    my ($ret, $out, $err) = $node->psql('postgres',
        "\\copy alice_in FROM '$dir/alice.parquet' WITH (FORMAT parquet)", extra_params => [ '-U', 'alice' ]);
    is($ret, 0, '\copy FROM works for anyone too') or diag($err);
    is(sql(q{SELECT count(*), sum(id) FROM alice_in}), '10|45', 'the rows she wrote');
}
fails("\\copy alice_in FROM '$dir/midway.parquet' WITH (FORMAT parquet)",
    qr/XX001: invalid Parquet file "STDIN" at byte offset/, 'a damaged file through STDIN is named STDIN',
    extra => [ '-U', 'alice' ]);
fails("\\copy src TO '$dir/alice2.parquet' WITH (FORMAT parquet)",
    qr/42501: permission denied for table src/, 'column privileges: all columns', extra => [ '-U', 'alice' ]);
{
    my ($ret, $out, $err) = $node->psql('postgres',
        "\\copy src (id, t) TO '$dir/alice3.parquet' WITH (FORMAT parquet)", extra_params => [ '-U', 'alice' ]);
    is($ret, 0, 'column privileges: the granted columns') or diag($err);
}
is(command_tag_as('writer', "COPY src (id) TO '$dir/writer.parquet' WITH (FORMAT parquet)"), "COPY $rows",
    'pg_write_server_files may write server files');
is(command_tag_as('writer', "COPY secret TO '$dir/secret.parquet' WITH (FORMAT parquet)"), 'COPY 1',
    'row-level security applies: only the rows the policy shows');

sub command_tag_as
{
    my ($role, $statement) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'psql', '-X', '-U', $role, '-d', $node->connstr('postgres'), '-c', $statement ],
        '>', \$out, '2>', \$err);
    chomp $out;
    diag($err) if $err ne '';
    return $out;
}

# --- a database that is not UTF-8 ----------------------------------------------------

sql(q{CREATE DATABASE latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0});
sql(q{CREATE EXTENSION strata CASCADE; CREATE TABLE l (t text, a text[]);
      SET client_encoding = 'UTF8'; INSERT INTO l VALUES ('héllo wörld', ARRAY['ü', 'ß'])}, 'latin1');
sql("COPY l TO '$dir/latin1.parquet' WITH (FORMAT parquet)", 'latin1');
read_with_peers("$dir/latin1.parquet");
{
    open my $fh, '<', "$dir/latin1.parquet.csv" or die;
    my @lines = <$fh>;
    close $fh;
    is($lines[1], qq{héllo wörld,"[""ü"",""ß""]"\n}, 'LATIN1 text is written as UTF-8');
}

# ... and read back into it through the database encoding
sql(qq{CREATE TABLE l2 (LIKE l); COPY l2 FROM '$dir/latin1.parquet' WITH (FORMAT parquet)}, 'latin1');
is(sql(q{SELECT count(*) FROM (SELECT * FROM l EXCEPT SELECT * FROM l2) d}, 'latin1'), '0',
    'COPY FROM converts UTF-8 to LATIN1');
is(sql(q{SET client_encoding = 'UTF8'; SELECT t, a FROM l2}, 'latin1'), 'héllo wörld|{ü,ß}',
    'the LATIN1 values');

# COPY FROM hands values over in binary: the session's client_encoding is
# the same after it, whether it succeeded or failed
is(sql(qq{SET client_encoding = 'LATIN1';
          COPY again_log FROM '$dir/dml.parquet' WITH (FORMAT parquet);
          SHOW client_encoding}), 'LATIN1', 'client_encoding after COPY FROM');
{
    my ($ret, $out, $err) = $node->psql('postgres', qq{SET client_encoding = 'LATIN1';
        CREATE TABLE narrow (what varchar(1));
        COPY narrow FROM '$dir/dml.parquet' WITH (FORMAT parquet);
        SHOW client_encoding}, on_error_stop => 0);
    like($err, qr/value too long for type character varying\(1\)/, 'a typmod checked by the receive function');
    is($out, 'LATIN1', 'client_encoding after a failed COPY FROM');
}

# domains over arrays and arrays of domains, checked on the way in
sql(qq{CREATE DOMAIN shortarr AS int[] CHECK (cardinality(VALUE) < 5);
       CREATE TABLE doms (id bigint, ai shortarr, dom posint, arrdom posint[]);
       COPY (SELECT id, ai, dom, ARRAY[dom, dom + 1] AS arrdom FROM src WHERE id < 1000)
         TO '$dir/doms.parquet' WITH (FORMAT parquet);
       COPY doms FROM '$dir/doms.parquet' WITH (FORMAT parquet)});
is(sql(q{SELECT count(*) FROM doms d JOIN src s USING (id)
         WHERE d.ai IS NOT DISTINCT FROM s.ai AND d.dom IS NOT DISTINCT FROM s.dom
           AND d.arrdom::int[] IS NOT DISTINCT FROM ARRAY[s.dom, s.dom + 1]::int[]}), '1000',
    'domains over arrays and arrays of domains round-trip');
fails(qq{COPY (SELECT ARRAY[1, 0] AS arrdom) TO '$dir/zero.parquet' WITH (FORMAT parquet);
         COPY doms (arrdom) FROM '$dir/zero.parquet' WITH (FORMAT parquet)},
    qr/23514: value for domain posint violates check constraint "posint_check"/,
    'an array element checked by its domain');

done_testing();
