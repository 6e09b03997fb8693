#!/usr/bin/perl
# scripts/tap-run.pl COUNTS_FILE TEST...
#	Run TAP tests (Perl .pl files, or executables that print TAP) and
#	append "passed failed" assertion counts to COUNTS_FILE for the
#	closing line of scripts/test.  A test file that dies or exits non-zero
#	after its last assertion counts as one more failure.
use strict;
use warnings;
use TAP::Harness;
use TAP::Parser::Aggregator;

my ($counts_file, @tests) = @ARGV;
exit 0 unless @tests;

my $harness = TAP::Harness->new({
    verbosity => -1,
    merge     => 1,
    # a .pl file runs under perl; anything else is an executable
    exec => sub { my (undef, $file) = @_; return $file =~ /\.pl$/ ? undef : [$file]; },
});
# One file at a time: a test that bails out makes the harness die, which
# counts as a failure and must not keep the other files from running.
my $agg = TAP::Parser::Aggregator->new;
my $bailed = 0;
$agg->start;
for my $test (@tests) {
    next if eval { $harness->aggregate_tests($agg, $test); 1 };
    warn "$test stopped: $@";
    $bailed++;
}
$agg->stop;
$harness->summary($agg);

my ($passed, $failed) = (0, 0);
$failed += $bailed;
for my $file ($agg->descriptions) {
    my ($parser) = $agg->parsers($file);
    $passed += scalar $parser->passed;
    $failed += scalar $parser->failed;
    # a plan that does not match, a non-zero exit or a crash is a failure too
    $failed++ if $parser->has_problems && !$parser->failed;
}
open my $fh, '>>', $counts_file or die "cannot open $counts_file: $!";
print $fh "$passed $failed\n";
close $fh;
exit($failed ? 1 : 0);
