# Makefile
#	Builds, installs and tests every extension of the Strata bundle (PGXS,
#	against the pg_config on PATH).
#
# PARTS names the extension folders under extensions/ that exist; a part is
# added here (and to strata.control's requires and META.json's provides, which
# regress/strata/t/000_tree.pl keeps in step) only once it works and is tested.
# This folder itself builds the umbrella extension "strata".
#
#	make / make install	the common library, every part, the umbrella
#	make installcheck	pg_regress and isolation suites against a running
#				server (PGHOST/PGPORT/PGUSER as for psql)
#	make unit		portable unit tests and fuzz corpus replay (no server)
#	bash scripts/test	everything, on a private cluster (see README.md)

PARTS = cdc columnar iceberg

STRATA_TOP = .
include extensions/common/strata.mk

SUBDIRS = extensions/common $(addprefix extensions/,$(PARTS))

EXTENSION = strata
DATA = sql/strata/strata--0.1.sql
REGRESS = $(shell grep -h '^test:' regress/strata/schedule | sed 's/^test://')
REGRESS_OPTS = --inputdir=regress/strata --outputdir=regress/strata

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

all: all-subdirs
install: install-subdirs
installcheck: installcheck-subdirs
clean: clean-subdirs

# with make -j, installing must not copy a library another job is linking
install-subdirs: all-subdirs

all-subdirs install-subdirs installcheck-subdirs clean-subdirs:
	@for d in $(SUBDIRS); do \
		$(MAKE) -C $$d $(patsubst %-subdirs,%,$@) || exit 1; \
	done

unit:
	@for d in $(SUBDIRS); do $(MAKE) -C $$d unit fuzz-replay || exit 1; done

build-tests:
	@for d in $(SUBDIRS); do $(MAKE) -C $$d build-tests || exit 1; done

# For scripts: the parts that exist, one per line.
print-parts:
	@for p in $(PARTS); do echo $$p; done

.PHONY: all-subdirs install-subdirs installcheck-subdirs clean-subdirs unit build-tests print-parts
