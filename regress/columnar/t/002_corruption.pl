# Damaged storage is reported, never crashes and never returns wrong rows:
# flipped bytes in a data page, a truncated file, a damaged metapage, a
# damaged row mask.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $node = strata_node('corrupt');
my $data = $node->data_dir;

# Overwrite len bytes at offset of a relation's file while the server is down.
sub damage
{
    my ($relpath, $offset, $bytes) = @_;
    open my $fh, '+<:raw', "$data/$relpath" or die "cannot open $relpath: $!";
    seek $fh, $offset, 0;
    print $fh $bytes;
    close $fh;
}

sub table_with_rows
{
    my ($name) = @_;
    $node->safe_psql('postgres', qq{
        CREATE TABLE $name (id int, v text) USING strata_columnar;
        INSERT INTO $name SELECT g, 'value ' || g FROM generate_series(1, 20000) g;
        CHECKPOINT;
    });
    return $node->safe_psql('postgres', qq{SELECT pg_relation_filepath('$name')});
}

$node->safe_psql('postgres', 'CREATE EXTENSION strata_columnar');
my $good = table_with_rows('good');
my $flipped = table_with_rows('flipped');
my $short = table_with_rows('short');
my $meta = table_with_rows('meta');
$node->stop;

# the start of the first stripe's data: the first chunks of both columns
# (an encoded chunk of serial ids is a few dozen bytes)
damage($flipped, 8192 + 24, "\xde\xad\xbe\xef" x 500);
truncate "$data/$short", 8192 * 2 or die "cannot truncate: $!";
damage($meta, 24, "XXXX");
$node->start;

my ($ret, $out, $err) = $node->psql('postgres', 'SELECT count(*), sum(id) FROM flipped');
isnt($ret, 0, 'reading flipped bytes fails');
like($err, qr/ERROR:  strata_columnar table "flipped" has a corrupt chunk of column "id"/,
     'the error names the table and the column');
like($err, qr/checksum mismatch/, 'the chunk checksum catches the damage');

($ret, $out, $err) = $node->psql('postgres', q{SELECT strata_columnar.verify('flipped')});
like($err, qr/corrupt chunk/, 'verify() reports the damaged chunk');

($ret, $out, $err) = $node->psql('postgres', 'SELECT count(v) FROM short');
like($err, qr/ERROR:  strata_columnar relation "short" has no data block \d+/,
     'a truncated file is reported with the missing block');

($ret, $out, $err) = $node->psql('postgres', 'SELECT count(*) FROM meta');
like($err, qr/ERROR:  strata_columnar relation "meta" has a corrupt metapage/,
     'a damaged metapage is reported');

# (count(*) alone would come from the metadata, never touching the damage)
($ret, $out, $err) = $node->psql('postgres', '\set VERBOSITY verbose' . "\n" . 'SELECT sum(id) FROM flipped');
like($err, qr/XX001/, 'errors carry ERRCODE_DATA_CORRUPTED (XX001)');

# row masks: damaged bytes, and a mask that deletes rows no stripe holds
$node->safe_psql('postgres', q{
    CREATE TABLE masked (id int, v text) USING strata_columnar;
    INSERT INTO masked SELECT g, 'v' || g FROM generate_series(1, 20000) g;
    DELETE FROM masked WHERE id % 3 = 0;
    CREATE TABLE strayed (id int) USING strata_columnar;
    INSERT INTO strayed SELECT g FROM generate_series(1, 100) g;
    DELETE FROM strayed WHERE id = 50;
    UPDATE strata_columnar.row_mask m SET deleted = '\x01ffff'
    FROM strata_columnar.storage s
    WHERE s.storage_id = m.storage_id AND s.relid = 'masked'::regclass;
    UPDATE strata_columnar.row_mask m SET first_row = first_row + 8192 * 1000
    FROM strata_columnar.storage s
    WHERE s.storage_id = m.storage_id AND s.relid = 'strayed'::regclass;
});
($ret, $out, $err) = $node->psql('postgres', '\set VERBOSITY verbose' . "\n" . 'SELECT count(*) FROM masked');
like($err, qr/XX001: strata_columnar table "masked" has a corrupt row mask for rows from \d+/,
     'a damaged row mask is reported as corrupt, naming the table');
($ret, $out, $err) = $node->psql('postgres', q{SELECT strata_columnar.verify('strayed')});
like($err, qr/table "strayed" is inconsistent.*\n.*row masks delete 1 rows, of which 0 are rows of its stripes/,
     'verify() reports a mask that deletes rows no stripe holds');

is($node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM good'), '20000|200010000',
   'an undamaged table beside them reads as before');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server is still up');

$node->stop;
done_testing();
