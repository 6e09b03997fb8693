# regress/perl/StrataTest.pm
#	What Strata's TAP tests share: the repository root, a node configured
#	like every Strata cluster, and the private cluster scripts/test runs.
package StrataTest;

use strict;
use warnings;
use Exporter 'import';
use File::Basename qw(dirname);
use File::Spec;
use PostgreSQL::Test::Cluster;

our @EXPORT_OK = qw(strata_root strata_node crash_restart);

# The repository root: STRATA_ROOT from scripts/test, else two levels up.
sub strata_root
{
    return $ENV{STRATA_ROOT}
      // File::Spec->rel2abs(File::Spec->catdir(dirname(__FILE__), '..', '..'));
}

# A new, started PostgreSQL::Test::Cluster with the settings of
# scripts/cluster-conf (logical WAL, the bundle's preload libraries, the
# output plugins Debian must be told about).
sub strata_node
{
    my ($name, %params) = @_;
    my $root = strata_root();
    my $node = PostgreSQL::Test::Cluster->new($name);
    $node->init(allows_streaming => $params{allows_streaming} // 0);
    my $conf = `bash '$root/scripts/cluster-conf'`;
    die "scripts/cluster-conf failed" if $? != 0;
    $node->append_conf('postgresql.conf', $conf);
    $node->start;
    return $node;
}

# kill -9 the postmaster, wait until it and all its children are gone (a
# restart refuses to start while the old postmaster's pid still exists or
# a child still holds shared memory), and start it again; crash recovery
# runs on the way up.
sub crash_restart
{
    my ($node) = @_;
    my $name = $node->name;
    my $pid = $node->{_pid};
    $node->kill9;
    for (my $i = 0; $i < 600; $i++)
    {
        # [p] keeps the pattern from matching the shell running pgrep
        my $children = system("pgrep -f '[p]ostgres: $name: ' >/dev/null 2>&1") == 0;
        my $alive = defined $pid && kill(0, $pid)
          && `ps -o stat= -p $pid 2>/dev/null` !~ /^Z/;
        last if !$children && !$alive;
        select(undef, undef, undef, 0.1);
    }
    # The dead postmaster may linger as a zombie nobody reaps, and a zombie
    # still answers kill 0: its lock files, which name it, must go.
    unlink($node->data_dir . '/postmaster.pid');
    unlink($node->host . '/.s.PGSQL.' . $node->port . '.lock');
    $node->start;
    return;
}

1;
