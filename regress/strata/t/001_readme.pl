# Every SQL example in README.md runs, in order, without an error.
#
# The README is the user's first contact; this test keeps it from drifting.
# Each ```sql block runs as one psql script in a fresh database, with
# ON_ERROR_STOP, so a failing statement fails the test and names the block.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_root strata_node);

my $readme = strata_root() . '/README.md';
open my $fh, '<', $readme or die "cannot open $readme: $!";
my (@blocks, $cur, $start);
while (my $line = <$fh>)
{
    if (!defined $cur && $line =~ /^```sql\s*$/) { $cur = ''; $start = $.; next; }
    if (defined $cur && $line =~ /^```\s*$/) { push @blocks, [$start, $cur]; undef $cur; next; }
    $cur .= $line if defined $cur;
}
close $fh;
ok(@blocks > 0, 'README.md has SQL examples (' . scalar(@blocks) . ' blocks)');

# The Parquet examples read a file; DuckDB writes it, as a user's file would be.
my $root = strata_root();
local $ENV{NODE_PATH} = "$root/scripts/node/node_modules";
my $example = '/tmp/strata_example.parquet';
unlink $example;
system('node', '-e', q{
    const { DuckDBInstance } = require('@duckdb/node-api');
    (async () => {
        const conn = await (await DuckDBInstance.create(':memory:')).connect();
        await conn.run(`COPY (SELECT range AS id, 'item ' || range AS name,
                                     (range * 1.5)::DECIMAL(10,2) AS price,
                                     DATE '2026-01-01' + range::INTEGER AS day
                              FROM range(1000)) TO '${process.argv[1]}' (FORMAT parquet)`);
    })().catch((e) => { console.error(e); process.exit(1); });
}, $example) == 0 or die "DuckDB could not write $example";

my $node = strata_node('readme');
$node->safe_psql('postgres', 'CREATE DATABASE readme');
for my $b (@blocks)
{
    my ($line, $sql) = @$b;
    my ($ret, $out, $err) = $node->psql('readme', $sql, on_error_stop => 1);
    is($ret, 0, "README.md SQL block at line $line runs")
      or diag("stdout:\n$out\nstderr:\n$err");
}
$node->stop;
done_testing();
