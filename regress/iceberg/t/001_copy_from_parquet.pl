# COPY ... FROM '<file>' WITH (FORMAT parquet), and the functions that show
# a Parquet footer.  DuckDB writes the files (make_parquet.js) and says what
# it reads from each; the rows COPY loads into heap and strata_columnar
# tables must be exactly those.  Then: codecs and page versions, column
# matching and defaults, type errors, privileges, corrupt and truncated
# files, triggers, constraints and partitions, the preload check, and the
# real Iceberg data files of $STRATA_ICEBERG_FIXTURES when it is set.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use File::Find;
use File::Spec;
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node strata_root);

my $root = strata_root();
my $node = strata_node('iceberg');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# The statement fails; its SQLSTATE and message match.
sub fails
{
    my ($statement, $pattern, $name) = @_;
    my ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$statement");
    isnt($ret, 0, "$name: fails");
    like($err, $pattern, "$name: error");
    return $err;
}

# The command tag of a statement ("COPY 3"): psql without -q.
sub command_tag
{
    my ($statement) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'psql', '-X', '-d', $node->connstr('postgres'), '-c', $statement ],
        '>', \$out, '2>', \$err)
      or die "psql failed: $err";
    chomp $out;
    return $out;
}

# --- the preload check ----------------------------------------------------

# A server where the library is not preloaded refuses the extension.
$node->append_conf('postgresql.conf', "shared_preload_libraries = ''");
$node->restart;
fails('CREATE EXTENSION strata_iceberg',
    qr/55000: strata_iceberg must be loaded at server start.*HINT:  Add strata_iceberg to shared_preload_libraries/s,
    'not preloaded');
is(sql(q{SELECT count(*) FROM pg_namespace WHERE nspname = 'strata_iceberg'}), '0',
    'the failed CREATE EXTENSION left nothing');

$node->append_conf('postgresql.conf', "shared_preload_libraries = 'strata_iceberg'");
$node->restart;
sql('CREATE EXTENSION strata_iceberg; CREATE EXTENSION strata_columnar');
pass('CREATE EXTENSION once preloaded');

# --- the files ------------------------------------------------------------

my $dir = PostgreSQL::Test::Utils::tempdir();
{
    local $ENV{NODE_PATH} = $ENV{NODE_PATH} // "$root/scripts/node/node_modules";
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'node', "$root/regress/iceberg/make_parquet.js", $dir ], '>', \$out, '2>', \$err)
      or BAIL_OUT("make_parquet.js failed: $err");
}

# The columns of the files, as loaded by default ...
my @columns = (
    [ id => 'bigint' ], [ b => 'boolean' ], [ i8 => 'smallint' ], [ i16 => 'smallint' ],
    [ i32 => 'integer' ], [ i64 => 'bigint' ], [ u8 => 'smallint' ], [ u16 => 'integer' ],
    [ u32 => 'bigint' ], [ u64 => 'numeric' ], [ f32 => 'real' ], [ f64 => 'double precision' ],
    [ d4 => 'numeric(4,2)' ], [ d18 => 'numeric(18,6)' ], [ d38 => 'numeric(38,10)' ],
    [ s => 'text' ], [ e => 'text' ], [ j => 'jsonb' ], [ bl => 'bytea' ], [ u => 'uuid' ],
    [ dt => 'date' ], [ t => 'time' ], [ t_ns => 'time' ], [ ts => 'timestamp' ],
    [ ts_ms => 'timestamp' ], [ ts_ns => 'timestamp' ], [ ts_s => 'timestamp' ],
    [ tstz => 'timestamptz' ], [ li => 'integer[]' ], [ ls => 'text[]' ],
    [ ld => 'double precision[]' ]);
my $ddl = join(', ', map { "$_->[0] $_->[1]" } @columns);
# ... and in a table that takes other types where the mapping allows them
my %other = (i8 => 'integer', s => 'varchar', e => 'mood', u32 => 'numeric',
    f32 => 'double precision', tstz => 'timestamptz', j => 'jsonb');
my $ddl_other = join(', ', map { "$_->[0] " . ($other{ $_->[0] } // $_->[1]) } @columns);
# the same values in the default types, for comparing
my $canonical = join(', ', map { "$_->[0]::$_->[1]" } @columns);

# What DuckDB read: its CSV into text columns, then into the default types
# (lists come as JSON arrays).
my $raw_ddl = join(', ', map { "$_->[0] text" } @columns);
my $expected = join(', ', map {
    my ($c, $type) = @$_;
    $type =~ /^(.*)\[\]$/
      ? "CASE WHEN $c IS NULL THEN NULL ELSE ARRAY(SELECT x::$1 FROM jsonb_array_elements_text(${c}::jsonb) WITH ORDINALITY a(x, n) ORDER BY n) END AS $c"
      : "${c}::$type AS $c"
} @columns);
sql(qq{
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE TABLE exp_raw ($raw_ddl);
    CREATE TABLE expected ($ddl);
});
my $expected_file = '';

# Load table from file (COPY's tag must say rows), then compare with what
# DuckDB reads from the file: the same rows, both ways.
sub load_and_compare
{
    my ($table, $file, $rows, $name) = @_;
    is(command_tag("COPY $table FROM '$dir/$file.parquet' WITH (FORMAT parquet)"), "COPY $rows",
        "$name: COPY reports $rows rows");
    if ($expected_file ne $file)
    {
        sql(qq{TRUNCATE exp_raw, expected;
               COPY exp_raw FROM '$dir/$file.csv' (FORMAT csv, HEADER, ENCODING 'UTF8');
               INSERT INTO expected SELECT $expected FROM exp_raw});
        $expected_file = $file;
    }
    my $diff = sql(qq{
        SELECT (SELECT count(*) FROM (SELECT $canonical FROM $table EXCEPT ALL SELECT * FROM expected) a),
               (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT $canonical FROM $table) b),
               (SELECT count(*) FROM exp_raw)});
    is($diff, "0|0|$rows", "$name: the rows DuckDB reads, exactly");
    if ($diff !~ /^0\|0\|/)
    {
        diag(sql("SET client_encoding = 'UTF8'; SELECT * FROM (SELECT $canonical FROM $table EXCEPT ALL SELECT * FROM expected) a LIMIT 3"));
        diag('expected: ' . sql("SET client_encoding = 'UTF8'; SELECT * FROM (SELECT * FROM expected EXCEPT ALL SELECT $canonical FROM $table) b LIMIT 3"));
    }
    return;
}

# --- every type, into heap and strata_columnar ----------------------------

is(sql(qq{SELECT num_rows, num_row_groups >= 4 FROM strata_iceberg.parquet_file_metadata('$dir/types.parquet')}),
    '120000|t', 'the big file has 120000 rows in several row groups');
sql("CREATE TABLE got_heap ($ddl)");
load_and_compare('got_heap', 'types', 120000, 'heap');
sql("CREATE TABLE got_col ($ddl_other) USING strata_columnar");
load_and_compare('got_col', 'types', 120000, 'strata_columnar');

# spot checks of the mapping, in the default types' text
is(sql(q{SELECT u64, f32, f64, dt, ts, bl FROM got_heap WHERE id = 19}),
    '18446744073709551615|6.3333335|-140.14285714285714|1917-03-03||\x1f0e3dad99908345f7439f8ffabdffc4',
    'values of one row');
is(sql(q{SELECT dt, ts FROM got_heap WHERE id IN (1, 2, 3, 4) ORDER BY id}),
    "infinity|infinity\n-infinity|-infinity\n0044-03-15 BC|0100-01-01 10:00:00 BC\n4713-11-24 BC|9999-12-31 23:59:59.999999",
    'infinities and BC dates');
is(sql(q{SELECT li, ls FROM got_heap WHERE id IN (0, 1, 2, 3) ORDER BY id}),
    qq{|{a,NULL,""}\n{}|\n{NULL}|{}\n{3,NULL,-3,2147483647}|{x3,"ü{,}\\"\\\\\t\n","NULL"}},
    'lists: null, empty, null elements, quoting');

# --- every codec DuckDB writes, page versions 1 and 2 ---------------------

sql("CREATE TABLE got_small ($ddl)");
for my $codec (qw(uncompressed snappy gzip zstd lz4 lz4_raw))
{
    for my $version (qw(v1 v2))
    {
        sql('TRUNCATE got_small');
        load_and_compare('got_small', "types_${codec}_$version", 5000, "$codec $version");
    }
}
# rendering does not depend on session settings
sql(q{ALTER DATABASE postgres SET timezone = 'Asia/Kolkata';
      ALTER DATABASE postgres SET datestyle = 'SQL, DMY';
      ALTER DATABASE postgres SET extra_float_digits = -3;
      ALTER DATABASE postgres SET client_encoding = 'LATIN1'});
sql('TRUNCATE got_small');
load_and_compare('got_small', 'types_zstd_v1', 5000, 'other TimeZone, DateStyle, client_encoding');
sql('ALTER DATABASE postgres RESET ALL');

fails("CREATE TABLE br (id int); COPY br FROM '$dir/brotli.parquet' WITH (FORMAT parquet)",
    qr/0A000: column "id" of Parquet file ".*brotli.parquet" is compressed with BROTLI, which is not supported/,
    'BROTLI');

# --- other targets --------------------------------------------------------

# json keeps the text DuckDB stored; varchar and enums take strings
sql("CREATE TABLE tj (id bigint, j json, s varchar(2000), e mood);
     COPY tj FROM '$dir/types_zstd_v2.parquet' WITH (FORMAT parquet);
     TRUNCATE exp_raw; COPY exp_raw FROM '$dir/types_zstd_v2.csv' (FORMAT csv, HEADER, ENCODING 'UTF8')");
$expected_file = '';
is(sql(q{SELECT count(*) FROM tj JOIN exp_raw r ON tj.id = r.id::bigint
          WHERE tj.j::text IS NOT DISTINCT FROM r.j AND tj.s::text IS NOT DISTINCT FROM r.s
            AND tj.e::text = r.e}), '5000', 'json, varchar and enum columns');

# --- columns matched by name; defaults; subsets ---------------------------

sql(q{CREATE TABLE sub (extra int DEFAULT 42, "ID" int, id bigint, s text,
                        stamp text NOT NULL DEFAULT 'd', dt date DEFAULT '2000-01-01')});
is(command_tag("COPY sub FROM '$dir/types_snappy_v1.parquet' WITH (FORMAT parquet)"), 'COPY 5000',
    'columns of the table found in the file');
is(sql(q{SELECT count(*), count(*) FILTER (WHERE extra = 42 AND "ID" IS NULL AND stamp = 'd'),
                count(s), count(dt) FROM sub}),
    '5000|5000|4444|4782', 'matched by name, case-sensitively; the others get their defaults');
sql('TRUNCATE sub');
is(command_tag(qq{COPY sub (id, s) FROM '$dir/types_snappy_v1.parquet' WITH (FORMAT parquet)}),
    'COPY 5000', 'a column list');
is(sql(q{SELECT count(*) FILTER (WHERE dt = '2000-01-01') FROM sub}), '5000',
    'a file column left out of the list gets the default');
fails(qq{COPY sub (id, extra) FROM '$dir/types_snappy_v1.parquet' WITH (FORMAT parquet)},
    qr/42703: column "extra" does not exist in Parquet file/, 'a listed column not in the file');
fails(qq{COPY sub ("ID") FROM '$dir/types_snappy_v1.parquet' WITH (FORMAT parquet)},
    qr/42703: column "ID" does not exist in Parquet file/, 'names are case-sensitive');
fails(qq{CREATE TABLE none (x int); COPY none FROM '$dir/known.parquet' WITH (FORMAT parquet)},
    qr/42703: no column of relation "none" is in Parquet file/, 'no column in common');
sql('TRUNCATE sub');
is(command_tag(qq{COPY sub (id) FROM '$dir/types_snappy_v1.parquet' WITH (FORMAT parquet) WHERE id % 10 = 0}),
    'COPY 500', 'WHERE');

# --- type errors ----------------------------------------------------------

fails(qq{CREATE TABLE bad1 (i32 boolean); COPY bad1 FROM '$dir/types_zstd_v1.parquet' WITH (FORMAT parquet)},
    qr/42804: cannot load Parquet column "i32" of type INT32 \(INT_32\) into column "i32" of type boolean.*HINT:  Parquet INT32 \(INT_32\) loads into smallint, integer, bigint or numeric/s,
    'incompatible type');
fails(qq{CREATE TABLE bad2 (li integer); COPY bad2 FROM '$dir/types_zstd_v1.parquet' WITH (FORMAT parquet)},
    qr/42804: cannot load Parquet column "li" of type LIST<INT32 \(INT_32\)> into column "li" of type integer.*HINT:  A Parquet LIST loads into an array column/s,
    'a list into a scalar');
fails(qq{CREATE TABLE bad3 (id int, i64 integer); COPY bad3 FROM '$dir/types_zstd_v1.parquet' WITH (FORMAT parquet)},
    qr/22003: value "-?\d+" is out of range for type integer.*CONTEXT:  COPY bad3, line 1, column i64/s,
    'range checked by the column type');
fails(qq{CREATE TABLE bad4 (u64 bigint); COPY bad4 FROM '$dir/types_zstd_v1.parquet' WITH (FORMAT parquet)},
    qr/22003: value "18446744073709551615" is out of range for type bigint/, 'UINT64 beyond bigint');
fails(qq{CREATE TABLE bad5 (d38 numeric(10,2)); COPY bad5 FROM '$dir/types_zstd_v1.parquet' WITH (FORMAT parquet)},
    qr/22003: numeric field overflow/, 'a decimal beyond the column');
fails(qq{CREATE TABLE bad6 (f64 real); COPY bad6 FROM '$dir/types_zstd_v1.parquet' WITH (FORMAT parquet)},
    qr/22003: cannot load a value of Parquet column "f64": value out of range: overflow.*CONTEXT:  COPY bad6, line 7, column f64/s,
    'a DOUBLE beyond real');
is(sql('SELECT (SELECT count(*) FROM bad3) + (SELECT count(*) FROM bad4) + (SELECT count(*) FROM bad5)
               + (SELECT count(*) FROM bad6)'),
    '0', 'failed COPYs inserted nothing');


# --- Parquet types that cannot be loaded ----------------------------------

for my $case ([ m => 'text', qr/0A000: Parquet column "m" of type group \(MAP\) is not supported.*DETAIL:  It is a MAP/s ],
    [ st => 'text', qr/0A000: Parquet column "st" of type group is not supported.*DETAIL:  It is a group \(struct\)/s ],
    [ ll => 'int[]', qr/0A000: Parquet column "ll" of type group \(LIST\) is not supported.*DETAIL:  It is a LIST of lists, maps or structs/s ])
{
    my ($col, $type, $pattern) = @$case;
    fails(qq{CREATE TABLE n_$col (id int, $col $type); COPY n_$col FROM '$dir/nested.parquet' WITH (FORMAT parquet)},
        $pattern, "not supported: $col");
}
sql('CREATE TABLE n_ok (id int, d real)');
is(command_tag(qq{COPY n_ok FROM '$dir/nested.parquet' WITH (FORMAT parquet)}),
    'COPY 10', 'unsupported columns absent from the table are ignored');
is(sql(q{SELECT count(*) FROM n_ok WHERE d = (id / 3.0)::float8::real}), '10',
    'DOUBLE into real rounds as the cast does');

# --- what DuckDB does not write (hyparquet-writer) -------------------------

my @legacy = ([ id => 'bigint' ], [ dba => 'numeric(38,5)' ], [ tm_ms => 'time' ],
    [ ts_ms_utc => 'timestamp' ], [ tsn_utc => 'timestamptz' ], [ t_us_utc => 'time' ],
    [ u8c => 'smallint' ], [ u64l => 'numeric' ], [ raw => 'text' ], [ ts96 => 'timestamp' ],
    [ nul => 'integer' ]);
sql('CREATE TABLE legacy (' . join(', ', map { "$_->[0] $_->[1]" } @legacy) . ');
     CREATE TABLE legacy_raw (' . join(', ', map { "$_->[0] text" } @legacy) . ')');
is(command_tag(qq{COPY legacy FROM '$dir/legacy.parquet' WITH (FORMAT parquet)}), 'COPY 3000',
    'legacy: COPY');
sql(qq{COPY legacy_raw FROM '$dir/legacy.csv' (FORMAT csv, HEADER, ENCODING 'UTF8')});
my $legacy_expected = join(', ', map { "$_->[0]::$_->[1]" } @legacy);
is(sql(qq{SELECT (SELECT count(*) FROM (SELECT * FROM legacy EXCEPT ALL SELECT $legacy_expected FROM legacy_raw) a),
                 (SELECT count(*) FROM (SELECT $legacy_expected FROM legacy_raw EXCEPT ALL SELECT * FROM legacy) b)}),
    '0|0', 'INT96, DECIMAL on BYTE_ARRAY, TIME_MILLIS, TIMESTAMP_MILLIS, TIMESTAMP(NANOS), UINT_64, raw bytes as text, UNKNOWN: as DuckDB reads them');
is(sql(qq{SELECT string_agg(name || ' ' || coalesce(pg_type, '-'), ', ' ORDER BY position)
          FROM strata_iceberg.parquet_schema('$dir/legacy.parquet') WHERE depth = 1}),
    'id bigint, dba numeric(38,5), tm_ms time, ts_ms_utc timestamptz, tsn_utc timestamptz, raw bytea, '
      . 't_us_utc time, u8c smallint, u64l numeric, ts96 timestamp, nul text',
    'the natural types of legacy.parquet');
sql(qq{CREATE TABLE raw_bytes (raw bytea); COPY raw_bytes FROM '$dir/bad_utf8.parquet' WITH (FORMAT parquet)});
is(sql('SELECT raw FROM raw_bytes'), '\x61ff62', 'bytes into bytea');
fails(qq{CREATE TABLE raw_text (raw text); COPY raw_text FROM '$dir/bad_utf8.parquet' WITH (FORMAT parquet)},
    qr/22021: cannot load a value of Parquet column "raw": the value is not valid UTF-8.*CONTEXT:  COPY raw_text, line 1, column raw: Parquet file ".*bad_utf8.parquet", row group 0/s,
    'bytes that are not UTF-8 into text');
fails(qq{CREATE TABLE half (h real); COPY half FROM '$dir/float16.parquet' WITH (FORMAT parquet)},
    qr/0A000: Parquet column "h" of type FIXED_LEN_BYTE_ARRAY\(2\) \(FLOAT16\) is not supported/, 'FLOAT16');

# --- privileges -----------------------------------------------------------

sql(q{
    CREATE ROLE nobody LOGIN;
    CREATE ROLE reader LOGIN IN ROLE pg_read_server_files;
    CREATE TABLE pt (id bigint, s text);
    GRANT INSERT ON pt TO nobody, reader;
    CREATE TABLE pt_closed (id bigint);
    CREATE TABLE pt_rls (id bigint);
    ALTER TABLE pt_rls ENABLE ROW LEVEL SECURITY;
    CREATE POLICY p ON pt_rls FOR ALL USING (id > 0);
    GRANT INSERT, SELECT ON pt_rls TO reader;
});
fails(qq{SET ROLE nobody; COPY pt FROM '$dir/known.parquet' WITH (FORMAT parquet)},
    qr/42501: must be superuser or have privileges of the pg_read_server_files role to COPY from a file.*HINT:  Anyone can COPY to stdout or from stdin/s,
    'without pg_read_server_files');
fails(qq{SET ROLE reader; COPY pt_closed FROM '$dir/known.parquet' WITH (FORMAT parquet)},
    qr/42501: permission denied for table pt_closed/, 'without INSERT');
fails(qq{SET ROLE reader; COPY pt_rls FROM '$dir/known.parquet' WITH (FORMAT parquet)},
    qr/0A000: COPY FROM not supported with row-level security/, 'row-level security is refused');
is(command_tag(qq{SET ROLE reader; COPY pt FROM '$dir/known.parquet' WITH (FORMAT parquet)}),
    "SET\nCOPY 3", 'with pg_read_server_files and INSERT');
fails(qq{SET ROLE nobody; SELECT * FROM strata_iceberg.parquet_schema('$dir/known.parquet')},
    qr/42501: must be superuser or have privileges of the pg_read_server_files role to read a Parquet file/,
    'parquet_schema needs pg_read_server_files too');
is(sql(qq{SET ROLE reader; SELECT count(*) FROM strata_iceberg.parquet_metadata('$dir/known.parquet')}),
    '5', 'parquet_metadata with pg_read_server_files');

# --- bad files ------------------------------------------------------------

sub write_file
{
    my ($name, $bytes) = @_;
    open(my $fh, '>:raw', "$dir/$name") or die "cannot write $dir/$name: $!";
    print $fh $bytes;
    close $fh;
    return "$dir/$name";
}
my $good = slurp_file("$dir/types_uncompressed_v1.parquet");
my $length = length($good);
my $footer_length = unpack('V', substr($good, $length - 8, 4));

sql("CREATE TABLE victim ($ddl)");
fails(qq{COPY victim FROM '$dir/missing.parquet' WITH (FORMAT parquet)},
    qr/58P01: could not open file ".*missing.parquet" for reading: No such file or directory/, 'missing file');
fails(qq{COPY victim FROM '$dir' WITH (FORMAT parquet)}, qr/42809: ".*" is a directory/, 'a directory');

my $truncated = write_file('truncated.parquet', substr($good, 0, int($length / 2)));
fails(qq{COPY victim FROM '$truncated' WITH (FORMAT parquet)},
    qr/XX001: invalid Parquet file ".*truncated.parquet" at byte offset \d+.*DETAIL:  missing PAR1 magic at the end of the file/s,
    'truncated file');

# the end kept, but a chunk cut out of the middle: offsets point past the data
my $gutted = write_file('gutted.parquet',
    substr($good, 0, 100000) . substr($good, $length - 8 - $footer_length));
fails(qq{COPY victim FROM '$gutted' WITH (FORMAT parquet)},
    qr/XX001: invalid Parquet file ".*gutted.parquet" at byte offset \d+/, 'data cut out of the middle');

# bytes flipped in the first page header of the first column
my $page = sql(qq{SELECT data_page_offset FROM strata_iceberg.parquet_metadata('$dir/types_uncompressed_v1.parquet')
                  WHERE row_group = 0 AND column_index = 0});
my $flipped = $good;
substr($flipped, $page, 8) = "\xff" x 8;
write_file('flipped_page.parquet', $flipped);
fails(qq{COPY victim FROM '$dir/flipped_page.parquet' WITH (FORMAT parquet)},
    qr/XX001: invalid Parquet file ".*flipped_page.parquet" at byte offset $page\b/, 'flipped bytes in a page header');

# and in the footer
$flipped = $good;
substr($flipped, $length - 8 - $footer_length, 4) = "\xff" x 4;
write_file('flipped_footer.parquet', $flipped);
my $footer_at = $length - 8 - $footer_length;
fails(qq{COPY victim FROM '$dir/flipped_footer.parquet' WITH (FORMAT parquet)},
    qr/XX001: invalid Parquet file ".*flipped_footer.parquet" at byte offset $footer_at\b/, 'flipped bytes in the footer');
fails(qq{SELECT * FROM strata_iceberg.parquet_schema('$dir/flipped_footer.parquet')},
    qr/XX001: invalid Parquet file/, 'parquet_schema of a corrupt file');

write_file('not_parquet.parquet', "just some text, not Parquet at all\n" x 10);
fails(qq{COPY victim FROM '$dir/not_parquet.parquet' WITH (FORMAT parquet)},
    qr/XX001: invalid Parquet file ".*not_parquet.parquet" at byte offset \d+/, 'not a Parquet file');

fails(qq{SET strata_iceberg.max_row_group_memory = '1MB'; COPY victim FROM '$dir/types.parquet' WITH (FORMAT parquet)},
    qr/54000: reading row group 0 of Parquet file ".*types.parquet" needs more memory than strata_iceberg.max_row_group_memory allows/,
    'the memory limit');
is(sql('SELECT count(*) FROM victim'), '0', 'nothing inserted by the failed COPYs');
is(sql('SELECT 1'), '1', 'the server is up');

# --- triggers, constraints, partitions ------------------------------------

sql(q{
    CREATE TABLE trig (id int, name text);
    CREATE TABLE trig_log (n int);
    CREATE FUNCTION trig_upper() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$;
    CREATE FUNCTION trig_count() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO trig_log SELECT count(*) FROM new_rows; RETURN NULL; END $$;
    CREATE TRIGGER b BEFORE INSERT ON trig FOR EACH ROW EXECUTE FUNCTION trig_upper();
    CREATE TRIGGER a AFTER INSERT ON trig REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION trig_count();
});
sql("COPY trig FROM '$dir/known.parquet' WITH (FORMAT parquet)");
is(sql(q{SELECT string_agg(coalesce(name, '-'), ',' ORDER BY id), (SELECT n FROM trig_log) FROM trig}),
    'ALPHA,-,GAMMA|3', 'row and statement triggers, transition tables');

# a COPY inside a trigger of a COPY, one failing inside an exception block:
# the outer one goes on reading its own file
(my $nest = q{
    CREATE TABLE nest_outer (id bigint, s text);
    CREATE TABLE nest_inner (id int, name text);
    CREATE FUNCTION nest() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        COPY nest_inner FROM 'DIR/known.parquet' WITH (FORMAT parquet);
        BEGIN
            COPY nest_inner FROM 'DIR/truncated.parquet' WITH (FORMAT parquet);
        EXCEPTION WHEN data_corrupted THEN NULL;
        END;
        RETURN NEW;
    END $$;
    CREATE TRIGGER nest BEFORE INSERT ON nest_outer FOR EACH ROW EXECUTE FUNCTION nest();
}) =~ s/DIR/$dir/g;
sql($nest);
is(command_tag(qq{COPY nest_outer FROM '$dir/types_snappy_v1.parquet' WITH (FORMAT parquet)
                  WHERE id IN (0, 1, 2, 4000, 4999)}), 'COPY 5', 'COPY inside a trigger of COPY');
is(sql(q{SELECT (SELECT count(*) FROM nest_inner),
                (SELECT count(*) FROM nest_outer o JOIN got_heap g USING (id) WHERE o.s IS NOT DISTINCT FROM g.s)}),
    '15|5', 'the inner and the outer COPY both loaded their rows');

fails(qq{CREATE TABLE chk (id int CHECK (id < 3), name text NOT NULL);
         COPY chk FROM '$dir/known.parquet' WITH (FORMAT parquet)},
    qr/23502: null value in column "name" of relation "chk" violates not-null constraint/, 'NOT NULL');
fails(qq{CREATE TABLE chk2 (id int CHECK (id < 3));
         COPY chk2 FROM '$dir/known.parquet' WITH (FORMAT parquet)},
    qr/23514: new row for relation "chk2" violates check constraint/, 'CHECK');
fails(qq{CREATE TABLE uq (id int PRIMARY KEY); INSERT INTO uq VALUES (2);
         COPY uq FROM '$dir/known.parquet' WITH (FORMAT parquet)},
    qr/23505: duplicate key value violates unique constraint/, 'unique index');

sql(q{
    CREATE TABLE parts (id int, name text, amount numeric) PARTITION BY RANGE (id);
    CREATE TABLE parts_low PARTITION OF parts FOR VALUES FROM (0) TO (2);
    CREATE TABLE parts_high PARTITION OF parts FOR VALUES FROM (2) TO (100) PARTITION BY LIST (name);
    CREATE TABLE parts_high_default PARTITION OF parts_high DEFAULT;
});
is(command_tag("COPY parts FROM '$dir/known.parquet' WITH (FORMAT parquet)"), 'COPY 3', 'a partitioned table');
is(sql(q{SELECT (SELECT count(*) FROM parts_low), (SELECT count(*) FROM parts_high_default), sum(amount) FROM parts}),
    '1|2|-0.75', 'rows routed to their partitions');

# --- parquet_schema, parquet_metadata -------------------------------------

my @schema = split /\n/, sql(qq{
    SELECT name, coalesce(path, '-'), depth, coalesce(physical_type, '-'), coalesce(logical_type, '-'),
           coalesce(converted_type, '-'), coalesce(repetition, '-'), coalesce(precision::text, '-'),
           coalesce(scale::text, '-'), coalesce(num_children::text, '-'), max_definition_level,
           max_repetition_level, coalesce(pg_type, '-')
    FROM strata_iceberg.parquet_schema('$dir/known.parquet') ORDER BY position});
is_deeply(\@schema, [
        'duckdb_schema|-|0|-|-|-|REQUIRED|-|-|5|0|0|-',
        'id|id|1|INT32|-|INT_32|OPTIONAL|-|-|-|1|0|integer',
        'name|name|1|BYTE_ARRAY|-|UTF8|OPTIONAL|-|-|-|1|0|text',
        'amount|amount|1|INT64|DECIMAL(precision=10, scale=2)|DECIMAL|OPTIONAL|10|2|-|1|0|numeric(10,2)',
        'day|day|1|INT32|-|DATE|OPTIONAL|-|-|-|1|0|date',
        'tags|tags|1|-|-|LIST|OPTIONAL|-|-|1|1|0|text[]',
        'list|tags.list|2|-|-|-|REPEATED|-|-|1|2|1|-',
        'element|tags.list.element|3|BYTE_ARRAY|-|UTF8|OPTIONAL|-|-|-|3|1|-',
    ], 'parquet_schema of a known file');

my @metadata = split /\n/, sql(qq{
    SELECT row_group, num_rows, column_index, path, physical_type, codec, num_values,
           coalesce(null_count::text, '-'), coalesce(min, '-'), coalesce(max, '-')
    FROM strata_iceberg.parquet_metadata('$dir/known.parquet') ORDER BY row_group, column_index});
is_deeply(\@metadata, [
        '0|3|0|id|INT32|SNAPPY|3|0|1|3',
        '0|3|1|name|BYTE_ARRAY|SNAPPY|3|1|alpha|gamma',
        '0|3|2|amount|INT64|SNAPPY|3|1|-2.25|1.50',
        '0|3|3|day|INT32|SNAPPY|3|1|2024-01-01|2024-12-31',
        '0|3|4|tags.list.element|BYTE_ARRAY|SNAPPY|4|3|x|x',
    ], 'parquet_metadata of a known file');

# sizes and offsets, against DuckDB's parquet_metadata(), for both files
sql(q{CREATE TABLE duck_meta (row_group_id int, path_in_schema text, type text, compression text,
        num_values bigint, total_compressed_size bigint, total_uncompressed_size bigint,
        data_page_offset bigint, dictionary_page_offset bigint, stats_null_count bigint)});
sql("COPY duck_meta FROM '$dir/types_metadata.csv' (FORMAT csv, HEADER)");
is(sql(qq{
    SELECT count(*) FROM (
        SELECT row_group_id, replace(path_in_schema, ', ', '.'), type, compression, num_values,
               total_compressed_size, total_uncompressed_size, data_page_offset,
               dictionary_page_offset, stats_null_count FROM duck_meta
        EXCEPT
        SELECT row_group, path, physical_type, codec, num_values, total_compressed_size,
               total_uncompressed_size, data_page_offset, dictionary_page_offset, null_count
        FROM strata_iceberg.parquet_metadata('$dir/types.parquet')) d}),
    '0', 'parquet_metadata agrees with DuckDB on every column chunk');
is(sql(qq{SELECT count(*), count(DISTINCT row_group) FROM strata_iceberg.parquet_metadata('$dir/types.parquet')}),
    sql(q{SELECT count(*), count(DISTINCT row_group_id) FROM duck_meta}), 'as many column chunks as DuckDB');
is(sql(qq{SELECT min, max FROM strata_iceberg.parquet_metadata('$dir/types.parquet')
          WHERE row_group = 0 AND path IN ('id', 'tstz', 'u') ORDER BY column_index}),
    sql(q{SELECT min(id), max(id) FROM got_heap WHERE id < 30720}) . "\n"
      . sql(q{SELECT min(u::text), max(u::text) FROM got_heap WHERE id < 30720}) . "\n"
      . sql(q{SET TimeZone = 'UTC'; SELECT min(tstz), max(tstz) FROM got_heap WHERE id < 30720}),
    'min and max rendered in the column type');

# --- COPY FROM that is not ours (COPY TO: t/002_copy_to_parquet.pl) -------

# COPY FROM STDIN (psql's \copy): the same rows as from the server's file
{
    sql("CREATE TABLE via_stdin ($ddl); CREATE TABLE via_file ($ddl);
         COPY via_file FROM '$dir/types_zstd_v2.parquet' WITH (FORMAT parquet)");
    my ($ret, $out, $err) = $node->psql('postgres',
        "\\copy via_stdin FROM '$dir/types_zstd_v2.parquet' WITH (FORMAT parquet)");
    is($ret, 0, 'COPY FROM STDIN through \\copy') or diag($err);
    is(sql(qq{SELECT (SELECT count(*) FROM via_stdin),
                     (SELECT count(*) FROM (SELECT * FROM via_stdin EXCEPT ALL SELECT * FROM via_file) a),
                     (SELECT count(*) FROM (SELECT * FROM via_file EXCEPT ALL SELECT * FROM via_stdin) b)}),
        '5000|0|0', 'the rows of the file, exactly');
}
fails(qq{COPY got_heap FROM PROGRAM 'cat $dir/known.parquet' WITH (FORMAT parquet)},
    qr/0A000: COPY FROM PROGRAM with FORMAT parquet is not supported/, 'COPY FROM PROGRAM');
fails(qq{BEGIN READ ONLY; COPY got_heap FROM '$dir/known.parquet' WITH (FORMAT parquet)},
    qr/25006: cannot execute COPY FROM in a read-only transaction/, 'a read-only transaction');
fails(qq{COPY got_heap FROM '$dir/known.parquet' WITH (FORMAT parquet, HEADER)},
    qr/42601: COPY option "header" is not valid with FORMAT parquet/, 'COPY options');
is(command_tag(qq{COPY (SELECT 1, 'x') TO '$dir/plain.csv' WITH (FORMAT csv)}), 'COPY 1',
    'other COPYs are left alone');
sql('CREATE DATABASE plain');
my ($ret, $out, $err) = $node->psql('plain',
    qq{CREATE TABLE t (id int); COPY t FROM '$dir/known.parquet' WITH (FORMAT parquet)});
like($err, qr/COPY format "parquet" not recognized/,
    'a database without the extension keeps COPY as it was');

# --- the real Iceberg data files of the fixtures --------------------------

SKIP:
{
    my $fixtures = $ENV{STRATA_ICEBERG_FIXTURES};
    skip('STRATA_ICEBERG_FIXTURES is not set: no Iceberg fixture files', 1)
      unless defined $fixtures && $fixtures ne '';
    skip("STRATA_ICEBERG_FIXTURES: no folder $fixtures", 1) unless -d $fixtures;
    my @files;
    find(sub { push @files, $File::Find::name if /\.parquet$/ && $File::Find::dir =~ m{/data(/|$)} },
        $fixtures);
    @files = sort @files;
    ok(@files > 0, scalar(@files) . " fixture data files");
    my $n = 0;
    for my $file (@files)
    {
        (my $literal = $file) =~ s/'/''/g;
        my $columns = sql(qq{
            SELECT string_agg(format('%I %s', name, pg_type), ', ' ORDER BY position)
            FROM strata_iceberg.parquet_schema('$literal') WHERE depth = 1 AND pg_type IS NOT NULL});
        if ($columns eq '')
        {
            note("$file: no column COPY can load");
            next;
        }
        $n++;
        my $result = sql(qq{
            CREATE TABLE fx_$n ($columns);
            COPY fx_$n FROM '$literal' WITH (FORMAT parquet);
            SELECT (SELECT count(*) FROM fx_$n) = num_rows, num_rows
            FROM strata_iceberg.parquet_file_metadata('$literal')});
        like($result, qr/^t\|\d+$/, 'fixture ' . File::Spec->abs2rel($file, $fixtures) . ': all its rows');
    }
}

done_testing();
