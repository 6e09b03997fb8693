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

our @EXPORT_OK = qw(strata_root strata_node);

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

1;
