# extensions/common/portable.mk
#	Unit tests and fuzzers for a part's portable code (no postgres.h),
#	built outside any backend under ASan and UBSan.  Include after PGXS with:
#		PORTABLE_SRC	the part's portable sources (plus what they use)
#		UNIT_TESTS		names of unit tests, regress/<suite>/unit/<name>.c
#		UNIT_SUITE		<suite> above
#		FUZZERS			names of harnesses, regress/fuzz/fuzz_<name>.c, whose
#						corpus is regress/fuzz/<name>/
#
#	make build-tests	every unit test and corpus replay, as TAP executables
#	make unit		run the unit tests
#	make fuzz-replay	replay every corpus through its harness
#	make fuzz FUZZER=name [FUZZ_SECONDS=60]	run libFuzzer on one harness

BUILD = $(STRATA_TOP)/build/$(notdir $(CURDIR))
UNIT_DIR = $(STRATA_TOP)/regress/$(UNIT_SUITE)/unit
FUZZ_DIR = $(STRATA_TOP)/regress/fuzz
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
TEST_CFLAGS = -O1 -g -std=gnu11 -Wall -Wextra -Werror -I. -I$(STRATA_COMMON) \
	-I$(STRATA_TOP)/regress/common/unit $(SAN)
TEST_DEPS = $(PORTABLE_SRC) $(wildcard *.h) $(wildcard $(STRATA_COMMON)/*.h)

UNIT_BINS = $(addprefix $(BUILD)/,$(UNIT_TESTS))
REPLAYS = $(addprefix $(BUILD)/replay_,$(FUZZERS))

$(BUILD)/test_%: $(UNIT_DIR)/test_%.c $(TEST_DEPS)
	@mkdir -p $(BUILD)
	gcc $(TEST_CFLAGS) -o $@ $< $(PORTABLE_SRC) $(STRATA_LIBS)

$(BUILD)/replay_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/replay.c $(TEST_DEPS)
	@mkdir -p $(BUILD)
	gcc $(TEST_CFLAGS) -DFUZZ_CORPUS='"$(abspath $(FUZZ_DIR))/$*"' -o $@ $< \
		$(FUZZ_DIR)/replay.c $(PORTABLE_SRC) $(STRATA_LIBS)

$(BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(TEST_DEPS)
	@mkdir -p $(BUILD)
	clang -O1 -g -I. -I$(STRATA_COMMON) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(PORTABLE_SRC) $(STRATA_LIBS)

build-tests: $(UNIT_BINS) $(REPLAYS)

unit: $(UNIT_BINS)
	$(if $(UNIT_BINS),prove --exec '' $(UNIT_BINS))

fuzz-replay: $(REPLAYS)
	$(if $(REPLAYS),prove --exec '' $(REPLAYS))

FUZZ_SECONDS ?= 60
fuzz:
	@test -n "$(FUZZER)" || { echo "usage: make fuzz FUZZER=name ($(FUZZERS))"; exit 2; }
	$(MAKE) $(BUILD)/fuzz_$(FUZZER)
	$(BUILD)/fuzz_$(FUZZER) -max_total_time=$(FUZZ_SECONDS) $(FUZZ_DIR)/$(FUZZER)

.PHONY: build-tests unit fuzz fuzz-replay
