# extensions/common/strata.mk
#	Settings every Strata Makefile shares; include it before $(PGXS).
#
# A part's Makefile sets STRATA_TOP (the repository root, relative to its
# folder), includes this file, then PGXS.  It gets the common headers on the
# include path, libstrata_common.a and its libraries on the link line, and
# our warning flags.

STRATA_COMMON := $(STRATA_TOP)/extensions/common

# The JIT bitcode PGXS would build needs a matching clang; Strata modules
# gain nothing from inlining into JIT-compiled expressions, so skip it.
override with_llvm = no

# -Wextra without the three warnings PostgreSQL's own headers trigger.
PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers
PG_CPPFLAGS += -I$(STRATA_COMMON)

STRATA_LIBS = -lzstd -llz4 -lsnappy -lz
STRATA_COMMON_LIB = $(STRATA_COMMON)/libstrata_common.a
