# The differential harness: one seeded random workload (inserts, COPY into
# a sort key, updates, deletes, aborts, savepoints, VACUUM, DDL) applied to
# a heap table and to a strata_columnar table, then hundreds of random
# queries (filters, aggregates, GROUP BY, joins, index lookups) that must
# return exactly the same rows from both.  The last phase runs with
# strata_columnar not preloaded, where deletes read row masks without the
# shared cache.  STRATA_DIFF_SEED picks another
# workload, STRATA_DIFF_SCALE makes it larger (the benchmark runs it big).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use PostgreSQL::Test::Utils;
use Test::More;
use StrataTest qw(strata_node);

my $seed = $ENV{STRATA_DIFF_SEED} // 20261127;
my $scale = $ENV{STRATA_DIFF_SCALE} // 1;
srand($seed);
note("seed $seed, scale $scale");

my $node = strata_node('differential');
$node->safe_psql('postgres', q{
    CREATE EXTENSION strata_columnar;
    CREATE TABLE dim (id int PRIMARY KEY, name text);
    INSERT INTO dim SELECT g, 'dim ' || g FROM generate_series(0, 9) g;
    CREATE TABLE h (a int, b text, c numeric, d date, e bool);
    CREATE TABLE col (a int, b text, c numeric, d date, e bool) USING strata_columnar;
    SELECT strata_columnar.set_options('col', stripe_row_limit => 2000, chunk_group_row_limit => 1000,
                                       sort_key => 'd, a');
    -- rows for COPY, a bulk load that sorts col's stripes by its key
    COPY (SELECT (g * 7919) % 1100 - 100, CASE WHEN g % 9 = 0 THEN NULL ELSE 'copy ' || (g % 11) END, g / 3.0,
                 '2026-01-01'::date + (g * 31) % 365, g % 2 = 0
          FROM generate_series(1, 2500) g) TO PROGRAM 'cat > differential_copy.data';
});

my @words = ('alpha', 'beta', 'gamma', 'delta', '', 'ünïcode', 'long ' . ('x' x 300));
sub rnd { return int(rand($_[0])); }
sub maybe_null { my ($v) = @_; return rand() < 0.15 ? 'NULL' : $v; }
sub random_row
{
    return '(' . join(', ',
        maybe_null(rnd(1000) - 100),
        maybe_null("'" . $words[rnd(@words)] . "'"),
        maybe_null(sprintf('%.2f', rand(1000) - 500)),
        maybe_null("'2026-01-01'::date + " . rnd(365)),
        maybe_null(rnd(2) ? 'true' : 'false')) . ')';
}

# Each workload step is SQL with {T} standing for the table's name.
sub random_step
{
    my $r = rand();
    my $values = join(', ', map { random_row() } 1 .. 1 + rnd(20));
    return "INSERT INTO {T} VALUES $values;" if $r < 0.35;
    return "INSERT INTO {T} SELECT g % 1000, 'gen ' || (g % 37), g / 7.0, '2026-01-01'::date + g % 365, g % 3 = 0 FROM generate_series(1, "
      . (500 + rnd(3000 * $scale)) . ") g;" if $r < 0.55;
    return "BEGIN; INSERT INTO {T} VALUES $values; ROLLBACK;" if $r < 0.65;
    return "BEGIN; INSERT INTO {T} VALUES " . random_row() . "; SAVEPOINT s; INSERT INTO {T} VALUES $values; ROLLBACK TO s; INSERT INTO {T} VALUES " . random_row() . "; COMMIT;" if $r < 0.75;
    return "BEGIN; INSERT INTO {T} VALUES $values; INSERT INTO {T} SELECT * FROM {T} WHERE a < 0; COMMIT;" if $r < 0.85;
    return "VACUUM FULL {T};" if $r < 0.87;
    return "COPY {T} (a, b, c, d, e) FROM 'differential_copy.data';" if $r < 0.9;
    return "BEGIN; TRUNCATE {T}; INSERT INTO {T} VALUES $values; COMMIT;" if $r < 0.92;
    return "ANALYZE {T};";
}

# Changes to existing rows; the same statements pick the same rows in both.
sub random_change
{
    my $r = rand();
    my $m = 2 + rnd(9);
    my $k = rnd($m);
    return "UPDATE {T} SET c = c + 1, b = 'upd ' || coalesce(b, '') WHERE a % $m = $k;" if $r < 0.2;
    return "DELETE FROM {T} WHERE a % $m = $k;" if $r < 0.35;
    return "UPDATE {T} SET a = a + 1000 WHERE " . random_predicate() . " AND a < 0;" if $r < 0.45;
    return "BEGIN; DELETE FROM {T} WHERE " . random_predicate() . "; ROLLBACK;" if $r < 0.55;
    return "BEGIN; UPDATE {T} SET e = NOT e WHERE a % $m = $k; SAVEPOINT s; DELETE FROM {T} WHERE e; "
      . "UPDATE {T} SET d = d + 1; ROLLBACK TO s; DELETE FROM {T} WHERE a % $m = " . rnd($m) . "; COMMIT;" if $r < 0.65;
    return "DO \$\$ BEGIN FOR i IN 0..4 LOOP BEGIN UPDATE {T} SET c = c * 2 WHERE a % 5 = i; "
      . "IF i % 2 = 1 THEN RAISE EXCEPTION 'undo'; END IF; EXCEPTION WHEN raise_exception THEN NULL; END; END LOOP; END \$\$;" if $r < 0.72;
    return "BEGIN; INSERT INTO {T} VALUES " . random_row() . "; UPDATE {T} SET b = 'same txn' WHERE b IS NULL; DELETE FROM {T} WHERE c IS NULL; COMMIT;" if $r < 0.8;
    return "BEGIN; SELECT count(*) FROM (SELECT a FROM {T} WHERE " . random_predicate() . " FOR UPDATE) s; "
      . "SAVEPOINT l; SELECT count(*) FROM (SELECT a FROM {T} FOR KEY SHARE) s; ROLLBACK TO l; "
      . "UPDATE {T} SET c = c - 1 WHERE a % $m = $k; COMMIT;" if $r < 0.85;
    return "VACUUM {T};" if $r < 0.9;
    return random_step();
}

sub run_step
{
    my ($sql) = @_;
    for my $t ('h', 'col')
    {
        (my $s = $sql) =~ s/\{T\}/$t/g;
        $node->safe_psql('postgres', $s);
    }
}

sub random_predicate
{
    my $r = rnd(7);
    return 'a > ' . (rnd(1000) - 100) if $r == 0;
    return "b = '" . $words[rnd(@words)] . "'" if $r == 1;
    return 'c IS NULL' if $r == 2;
    return "d BETWEEN '2026-02-01' AND '2026-02-01'::date + " . rnd(100) if $r == 3;
    return 'e' if $r == 4;
    return 'a % 7 = ' . rnd(7) . ' AND b IS NOT NULL' if $r == 5;
    return 'true';
}

# Only shapes ColumnarAgg computes: integer and date columns, batch filters.
sub random_batch_predicate
{
    my $r = rnd(5);
    return 'a > ' . (rnd(1000) - 100) if $r == 0;
    return 'a <= ' . (rnd(1000) - 100) . ' AND d IS NOT NULL' if $r == 1;
    return "d BETWEEN '2026-02-01' AND '2026-02-01'::date + " . rnd(100) if $r == 2;
    return 'a IS NULL' if $r == 3;
    return 'true';
}

sub random_query
{
    my $p = random_predicate();
    my $r = rnd(10);
    return "SELECT count(*), sum(a), min(d) FROM {T} WHERE a > (SELECT avg(a) FROM {T} WHERE $p) - " . rnd(50)
      . " AND d IS NOT NULL" if $r == 9;
    return "SELECT count(*), count(a), sum(a), avg(a), min(a), max(a), min(d), max(d), count(DISTINCT a) FROM {T} WHERE " . random_batch_predicate() if $r >= 6 && $r < 8;
    return "SELECT " . (qw(b e d a) )[rnd(4)] . " AS k, count(*), sum(a), min(d), max(a), count(DISTINCT "
      . (qw(a d) )[rnd(2)] . ") FROM {T} WHERE " . random_batch_predicate() . " GROUP BY 1 ORDER BY 1 NULLS FIRST" if $r == 8;
    return "SELECT count(*), sum(a), count(b), min(c), max(c), min(d), max(d), bool_or(e) FROM {T} WHERE $p" if $r == 0;
    return "SELECT b, count(*), sum(c) FROM {T} WHERE $p GROUP BY b ORDER BY b NULLS FIRST" if $r == 1;
    return "SELECT * FROM {T} WHERE $p ORDER BY a, b, c, d, e LIMIT 25" if $r == 2;
    return "SELECT dim.name, count(*), avg({T}.a) FROM {T} JOIN dim ON dim.id = abs({T}.a) % 10 WHERE $p GROUP BY dim.name ORDER BY 1" if $r == 3;
    return "SELECT e, d, count(*) FROM {T} WHERE $p GROUP BY ROLLUP (e, d) ORDER BY 1, 2 LIMIT 30" if $r == 4;
    return "SET enable_seqscan = off; SELECT a, b, c FROM {T} WHERE a = " . (rnd(1000) - 100) . " ORDER BY 1, 2, 3; RESET enable_seqscan";
}

# Run every query on both tables in one session each, and compare.
sub compare_queries
{
    my ($phase, $count, $parallel) = @_;
    my @queries = map { random_query() } 1 .. $count;
    my %out;
    for my $t ('h', 'col')
    {
        # parallel plans wherever the planner can make one
        my $script = $parallel ? "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;\n"
          . "SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;\n" : '';
        for my $i (0 .. $#queries)
        {
            (my $q = $queries[$i]) =~ s/\{T\}/$t/g;
            $script .= "\\echo ==== $i\n$q;\n";
        }
        $out{$t} = $node->safe_psql('postgres', $script);
    }
    my %h = split /^==== (\d+)\n/m, "==== x\n" . $out{h};
    my %c = split /^==== (\d+)\n/m, "==== x\n" . $out{col};
    for my $i (0 .. $#queries)
    {
        is($c{$i} // '<missing>', $h{$i} // '<missing>', "$phase: query $i: $queries[$i]");
    }
}

run_step(random_step()) for 1 .. 40 * $scale;
compare_queries('after inserts', 150);

run_step('CREATE INDEX ON {T} (a);');
run_step('ALTER TABLE {T} ADD COLUMN f int DEFAULT 7;');
run_step(random_step()) for 1 .. 30 * $scale;
compare_queries('after DDL and more writes, parallel', 150, 1);

run_step(random_change()) for 1 .. 40 * $scale;
compare_queries('after updates, deletes and vacuums', 150);

# Deletes without the shared span counters: strata_columnar not preloaded.
$node->append_conf('postgresql.conf', "shared_preload_libraries = ''");
$node->restart;
run_step(random_change()) for 1 .. 20 * $scale;
compare_queries('after changes without preloading, parallel', 100, 1);

like($node->safe_psql('postgres', q{SELECT strata_columnar.verify('col')}), qr/^ok: /,
     'verify() after the workload');
is($node->safe_psql('postgres', q{SELECT count(*) FROM (SELECT * FROM h EXCEPT ALL SELECT * FROM col) x}) . '/' .
   $node->safe_psql('postgres', q{SELECT count(*) FROM (SELECT * FROM col EXCEPT ALL SELECT * FROM h) x}),
   '0/0', 'the two tables hold exactly the same rows');

$node->stop;
done_testing();
