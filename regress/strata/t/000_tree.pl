# The repository keeps its promises to packagers and to itself:
#	- every test file is in a schedule, and every schedule entry has its files;
#	- the parts in the Makefile, the umbrella's requires, META.json's
#	  provides and the extension folders are the same set;
#	- META.json follows the PGXN Meta Spec 1.0.0, and its versions match
#	  the control files;
#	- every fuzz harness has a corpus that the test command replays.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../../perl";
use JSON::PP;
use Test::More;
use StrataTest qw(strata_root);

my $root = strata_root();

sub slurp
{
    my ($path) = @_;
    open my $fh, '<', $path or die "cannot open $path: $!";
    local $/;
    return scalar <$fh>;
}

sub control_field
{
    my ($path, $field) = @_;
    my ($value) = slurp($path) =~ /^\s*\Q$field\E\s*=\s*'([^']*)'/m;
    return $value;
}

# --- schedules ---------------------------------------------------------
for my $dir (grep { -d } glob("$root/regress/*"))
{
    my $suite = (split m{/}, $dir)[-1];
    for my $kind (['schedule', 'sql', 'sql'], ['isolation_schedule', 'specs', 'spec'])
    {
        my ($schedule, $sub, $ext) = @$kind;
        my @files = map { m{/([^/]+)\.\Q$ext\E$}; $1 } glob("$dir/$sub/*.$ext");
        next unless -f "$dir/$schedule" || @files;
        my %listed;
        if (-f "$dir/$schedule")
        {
            for (split /\n/, slurp("$dir/$schedule"))
            {
                next unless /^test:\s*(.*)$/;
                $listed{$_} = 1 for split ' ', $1;
            }
        }
        is_deeply([ sort grep { !$listed{$_} } @files ], [],
            "$suite: every $sub/*.$ext is in $schedule");
        my @broken = grep { !-f "$dir/$sub/$_.$ext" || !-f "$dir/expected/$_.out" } sort keys %listed;
        is_deeply(\@broken, [], "$suite: every test in $schedule has its $ext and expected output");
    }
}

# --- parts -------------------------------------------------------------
my @parts = sort split ' ', `make -s -C '$root' print-parts`;
my @folders = sort grep { $_ ne 'common' } map { (split m{/})[-1] } grep { -d } glob("$root/extensions/*");
is_deeply(\@folders, \@parts, 'extension folders are exactly the Makefile PARTS');

my $requires = control_field("$root/strata.control", 'requires') // '';
my @required = sort map { s/^strata_//r } split /\s*,\s*/, $requires;
is_deeply(\@required, \@parts, 'strata.control requires every part, and only those');

for my $part (@parts)
{
    my $ext = "strata_$part";
    my $control = "$root/extensions/$part/$ext.control";
    ok(-f $control, "$ext has a control file");
    my $version = control_field($control, 'default_version') // '';
    ok(-f "$root/sql/$ext/$ext--$version.sql", "$ext has an install script for $version");
    ok(-d "$root/regress/$part", "$ext has tests in regress/$part");
}

# --- META.json (PGXN Meta Spec 1.0.0) ----------------------------------
my $meta = eval { decode_json(slurp("$root/META.json")) };
ok($meta, 'META.json is valid JSON') or diag($@);
$meta //= {};
my $semver = qr/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

for my $key (qw(name abstract version maintainer license provides meta-spec))
{
    ok(exists $meta->{$key}, "META.json has the required key \"$key\"");
}
is($meta->{'meta-spec'}{version}, '1.0.0', 'META.json follows meta-spec 1.0.0');
like($meta->{version} // '', $semver, 'META.json version is a semantic version');
ok(length($meta->{abstract} // '') > 0, 'META.json abstract is not empty');
my @maintainers = ref $meta->{maintainer} ? @{ $meta->{maintainer} } : ($meta->{maintainer} // ());
ok(@maintainers && !grep({ !length } @maintainers), 'META.json names its maintainers');
my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd
  freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0
  mozilla_1_1 openssl perl_5 postgresql qpl_1_0 ssleay sun zlib open_source restricted
  unrestricted unknown);
ok(!ref $meta->{license} ? $licenses{ $meta->{license} // '' } : ref $meta->{license} eq 'HASH',
    'META.json license is one the spec names');
is($meta->{prereqs}{runtime}{requires}{PostgreSQL}, '15.0.0', 'META.json requires PostgreSQL 15');
ok(-f "$root/LICENSE", 'the license is in LICENSE');

my %provides = %{ $meta->{provides} // {} };
is_deeply([ sort keys %provides ], [ sort('strata', map { "strata_$_" } @parts) ],
    'META.json provides the umbrella and every part');
for my $ext (sort keys %provides)
{
    my $entry = $provides{$ext};
    my $control = $ext eq 'strata' ? "$root/strata.control" : "$root/extensions/" . ($ext =~ s/^strata_//r) . "/$ext.control";
    my $version = control_field($control, 'default_version') // 'none';
    like($entry->{version} // '', $semver, "$ext: META.json version is a semantic version");
    is($entry->{version}, "$version.0", "$ext: META.json version matches the control file ($version)");
    ok(defined $entry->{file} && -f "$root/$entry->{file}", "$ext: META.json names an existing file");
}

# --- fuzzing -------------------------------------------------------------
for my $harness (glob("$root/regress/fuzz/fuzz_*.c"))
{
    my ($name) = $harness =~ /fuzz_(\w+)\.c$/;
    my @corpus = glob("$root/regress/fuzz/$name/*");
    ok(@corpus > 0, "fuzz harness $name has a corpus in regress/fuzz/$name");
}

done_testing();
