# Top-level build. `make` builds every program into build/bin/.
# `make run` installs dependencies, builds and starts sbcd on the factory defaults.
# `make check` installs dependencies, builds and runs every test suite.

B       := build
CC      ?= cc
PKGS    := sofia-sip-ua openssl
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation \
           -D_GNU_SOURCE -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS_SSL   := -lssl -lcrypto -lcrypt
LDLIBS_SOFIA := -lsofia-sip-ua
SNMP_LIBS    = $(shell net-snmp-config --agent-libs 2>/dev/null)

# Library modules: every .c file except *_main.c.
LIBMODS := conf ini control tls
define libsrc
$(filter-out %_main.c,$(wildcard $(1)/*.c))
endef
$(foreach m,$(LIBMODS),$(eval $(m)_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(call libsrc,$(m)))))

LIB_conf    := $(B)/lib/libconf.a
LIB_ini     := $(B)/lib/libini.a
LIB_control := $(B)/lib/libcontrol.a
LIB_tls     := $(B)/lib/libtls.a

SBCD_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(wildcard sbc/*.c))
SBCD_CORE := $(filter-out $(B)/obj/sbc/sbcd_main.o,$(SBCD_OBJ))
INI_TOOL_OBJ := $(B)/obj/ini/sbc_ini_main.o
CLI_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(wildcard cli/*.c))
SNMP_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(wildcard snmp-agent/*.c))
WEB_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(wildcard web/*.c))
UNIT_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/unit/*.c))

PROGS := $(B)/bin/sbcd $(B)/bin/sbc-ini
ifneq ($(CLI_OBJ),)
PROGS += $(B)/bin/sbc-cli
endif
ifneq ($(SNMP_OBJ),)
PROGS += $(B)/bin/sbc-snmp-agent
endif
ifneq ($(WEB_OBJ),)
PROGS += $(B)/bin/sbc-web
endif
BENCH := $(patsubst bench/%.c,$(B)/bin/bench-%,$(wildcard bench/*.c))

.PHONY: all deps run check unit integration clean format
all: $(PROGS) $(B)/bin/unit-tests $(BENCH)

deps:
	@packaging/install-deps

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/lib/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIB_conf): $(conf_OBJ)
$(LIB_ini): $(ini_OBJ)
$(LIB_control): $(control_OBJ)
$(LIB_tls): $(tls_OBJ)

CORE_LIBS := $(LIB_control) $(LIB_ini) $(LIB_tls) $(LIB_conf)

$(B)/bin/sbcd: $(SBCD_OBJ) $(CORE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_SOFIA) $(LDLIBS_SSL) -lm

$(B)/bin/sbc-ini: $(INI_TOOL_OBJ) $(CORE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_SSL)

$(B)/bin/sbc-cli: $(CLI_OBJ) $(CORE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcli $(LDLIBS_SSL) -lcrypt

$(B)/bin/sbc-snmp-agent: $(SNMP_OBJ) $(CORE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(SNMP_LIBS) $(LDLIBS_SSL)

$(B)/bin/sbc-web: $(WEB_OBJ) $(CORE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -levent_openssl -levent $(LDLIBS_SSL) -lcrypt

# Unit tests link the libraries and sbcd's core (everything but its main).
$(B)/bin/unit-tests: $(UNIT_OBJ) $(SBCD_CORE) $(CORE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit $(LDLIBS_SOFIA) $(LDLIBS_SSL) -lm

$(B)/bin/bench-%: bench/%.c $(CORE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_SSL) -lm

run: deps all
	@mkdir -p run/flash
	@packaging/run-banner run/flash run/sbcd.sock
	$(B)/bin/sbcd --foreground --flash run/flash --socket run/sbcd.sock --pidfile run/sbcd.pid

check: deps all
	@tests/run-all

unit: all
	$(B)/bin/unit-tests

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
