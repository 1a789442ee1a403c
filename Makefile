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
LIBMODS := conf ini control tls log
define libsrc
$(filter-out %_main.c,$(wildcard $(1)/*.c))
endef
$(foreach m,$(LIBMODS),$(eval $(m)_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(call libsrc,$(m)))))

LIB_conf    := $(B)/lib/libconf.a
LIB_ini     := $(B)/lib/libini.a
LIB_control := $(B)/lib/libcontrol.a
LIB_tls     := $(B)/lib/libtls.a
LIB_log     := $(B)/lib/liblog.a

SBCD_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(wildcard sbc/*.c sbc/sip/*.c))
SBCD_CORE := $(filter-out $(B)/obj/sbc/sbcd_main.o,$(SBCD_OBJ))
INI_TOOL_OBJ := $(B)/obj/ini/sbc_ini_main.o
CLI_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(wildcard cli/*.c))
SNMP_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(filter-out snmp-agent/agent_dlmod.c,$(wildcard snmp-agent/*.c)))
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
TOOLS := $(B)/bin/sbc-mibgen

.PHONY: all deps run check unit integration clean format format-check mib
all: $(PROGS) $(B)/bin/unit-tests $(BENCH) $(TOOLS)

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
$(LIB_log): $(log_OBJ)

CORE_LIBS := $(LIB_control) $(LIB_ini) $(LIB_tls) $(LIB_conf) $(LIB_log)

# sbcd exports sofia's tls_* names it redefines (sbc/sip/sip_tport_tls.c)
$(B)/bin/sbcd: $(SBCD_OBJ) $(CORE_LIBS) sbc/sip/sip_tport_tls.syms
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -Wl,--dynamic-list=sbc/sip/sip_tport_tls.syms -o $@ $(filter-out %.syms,$^) $(LDLIBS_SOFIA) $(LDLIBS_SSL) -lm

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

# bench programs may include headers of bench/
$(B)/bin/bench-%: bench/%.c $(CORE_LIBS) $(wildcard bench/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_SSL) -lm

# build tools: the MIB generator reads the schema and the agent's OID layout
$(B)/bin/sbc-mibgen: tools/mibgen.c $(CORE_LIBS) $(wildcard tools/*.h snmp-agent/agent_layout.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_SSL) -lm

# mib/SBC-MIB.txt is generated from the schema; tests/integration/snmp_mib.sh checks it
mib: $(B)/bin/sbc-mibgen
	$(B)/bin/sbc-mibgen mib > mib/SBC-MIB.txt

# make run [SIP_PORT=N] [SIPS_PORT=N] [HTTP_PORT=N] [HTTPS_PORT=N] [SITE=my.ini] [RUN_DIR=run]:
# the ports and the site INI overlay are written into the flash before sbcd boots it
RUN_DIR ?= run
run: deps all
	@mkdir -p $(RUN_DIR)/flash
	@packaging/run-site $(RUN_DIR)/flash '$(SITE)' '$(SIP_PORT)' '$(SIPS_PORT)' '$(HTTP_PORT)' '$(HTTPS_PORT)'
	@packaging/run-banner $(RUN_DIR)/flash $(RUN_DIR)/sbcd.sock
	$(B)/bin/sbcd --foreground --flash $(RUN_DIR)/flash --socket $(RUN_DIR)/sbcd.sock --pidfile $(RUN_DIR)/sbcd.pid

check: deps all
	@tests/run-all

unit: all
	$(B)/bin/unit-tests

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# fails when any C file differs from .clang-format (run by tests/run-all)
format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# ---- sbc-snmp.so: the SNMP agent as a module of snmpd (`dlmod sbc_snmp PATH`, doc/SNMP.md) ----
# The subagent's sources without agent_main.c, plus agent_dlmod.c (start-up in snmpd), and the
# core libraries, all compiled position-independent into $(B)/obj-pic/. Symbols are hidden but
# for init_sbc_snmp / deinit_sbc_snmp, so nothing interposes on snmpd's or Net-SNMP's.
SNMP_SO       := $(B)/lib/sbc-snmp.so
SNMP_PIC_OBJ  := $(patsubst %.c,$(B)/obj-pic/%.o,$(filter-out snmp-agent/agent_main.c,$(wildcard snmp-agent/*.c)))
CORE_PIC_OBJ  := $(patsubst $(B)/obj/%,$(B)/obj-pic/%,$(foreach m,$(LIBMODS),$($(m)_OBJ)))
CORE_PIC_LIB  := $(B)/obj-pic/libcore-pic.a
ifneq ($(SNMP_OBJ),)
all: $(SNMP_SO)
endif

$(B)/obj-pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(CORE_PIC_LIB): $(CORE_PIC_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(SNMP_SO): $(SNMP_PIC_OBJ) $(CORE_PIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -Wl,--no-undefined -o $@ $^ $(SNMP_LIBS) $(LDLIBS_SSL)

-include $(shell find $(B)/obj-pic -name '*.d' 2>/dev/null)

# ---- Packaging (packaging/, doc/OPERATIONS.md) ----
# `make install` lays the programs out as the Debian package does (DESTDIR-aware). sbcd finds
# sbc-web and sbc-snmp-agent beside its own executable (/proc/self/exe, symlinks resolved), so
# the real sbcd lives in $(PKGLIBDIR) with them and $(SBINDIR)/sbcd is a symlink to it.
# `make deb` builds the Debian package from a copy of the tree into build/deb/.
PREFIX      ?= /usr
SBINDIR     ?= $(PREFIX)/sbin
BINDIR      ?= $(PREFIX)/bin
PKGLIBDIR   ?= $(PREFIX)/lib/sbc
PKGDATADIR  ?= $(PREFIX)/share/sbc
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= /lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
.PHONY: install deb
install: $(PROGS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 0755 $(B)/bin/sbcd $(DESTDIR)$(PKGLIBDIR)/sbcd
	ln -sfr $(DESTDIR)$(PKGLIBDIR)/sbcd $(DESTDIR)$(SBINDIR)/sbcd
	install -m 0755 $(B)/bin/sbc-ini $(DESTDIR)$(BINDIR)/sbc-ini
	install -m 0644 doc/man/sbcd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 doc/man/sbc-ini.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 doc/man/sbc.ini.5 $(DESTDIR)$(MANDIR)/man5/
	@# the front ends are installed when they were built (each with its page)
	if [ -x $(B)/bin/sbc-cli ]; then install -m 0755 $(B)/bin/sbc-cli $(DESTDIR)$(BINDIR)/ && \
		install -m 0644 doc/man/sbc-cli.1 $(DESTDIR)$(MANDIR)/man1/; fi
	for p in sbc-web sbc-snmp-agent; do [ ! -x $(B)/bin/$$p ] || { \
		install -m 0755 $(B)/bin/$$p $(DESTDIR)$(PKGLIBDIR)/ && \
		install -m 0644 doc/man/$$p.8 $(DESTDIR)$(MANDIR)/man8/; } || exit 1; done
	install -m 0644 packaging/systemd/*.service $(DESTDIR)$(UNITDIR)/
	install -m 0644 packaging/tmpfiles/sbc.conf $(DESTDIR)$(TMPFILESDIR)/
	@# HA (doc/HA.md): keepalived's track script, and its configuration as a template
	install -m 0755 packaging/ha/sbc-ha-check $(DESTDIR)$(PKGLIBDIR)/sbc-ha-check
	install -d $(DESTDIR)$(PKGDATADIR)/ha && install -m 0644 packaging/ha/keepalived.conf $(DESTDIR)$(PKGDATADIR)/ha/
	@# sshd and snmpd snippets (owned by the CLI and SNMP work) are shipped inert, for the
	@# operator to enable (doc/OPERATIONS.md)
	for d in sshd snmpd; do for f in packaging/$$d/*.conf packaging/$$d/*.path packaging/$$d/*.service; do [ ! -f "$$f" ] || { \
		install -d $(DESTDIR)$(PKGDATADIR)/$$d && \
		install -m 0644 "$$f" $(DESTDIR)$(PKGDATADIR)/$$d/; } || exit 1; done; done
	@# the MIB where Net-SNMP's tools look (-m +SBC-MIB)
	for f in mib/*.txt; do [ ! -f "$$f" ] || { install -d $(DESTDIR)$(PREFIX)/share/snmp/mibs && \
		install -m 0644 "$$f" $(DESTDIR)$(PREFIX)/share/snmp/mibs/; } || exit 1; done

deb:
	rm -rf $(B)/deb
	mkdir -p $(B)/deb/src
	tar -cf - --exclude=./build --exclude=./run --exclude=./.git . | tar -xf - -C $(B)/deb/src
	rm -rf $(B)/deb/src/debian
	cp -a packaging/debian $(B)/deb/src/debian
	cd $(B)/deb/src && dpkg-buildpackage -us -uc -b -Jauto
	rm -rf $(B)/deb/src
	@ls -1 $(B)/deb/*.deb

# ---- Fuzzing (tests/fuzz/, doc/FUZZING.md) ----
# `make fuzz` builds every tests/fuzz/fuzz_*.c into $(B)/fuzz/fuzz_* (libFuzzer + ASan + UBSan).
# The sources a harness may need (the core libraries, sbcd's core without sbcd_main.c, sbc-web
# without web_main.c) are compiled again with the same flags into $(B)/fuzz/obj/ and archived;
# each harness links the archives, so it pulls in only what it uses. The normal build is untouched.
FUZZ_CC     ?= clang
FUZZ_SAN    := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(FUZZ_SAN) -std=gnu11 -Wall -Wno-unused-parameter -Wno-missing-field-initializers \
               -D_GNU_SOURCE -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_DIR    := $(B)/fuzz
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CORE_O := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(foreach m,$(LIBMODS),$(call libsrc,$(m))) \
                 $(filter-out sbc/sbcd_main.c,$(wildcard sbc/*.c sbc/sip/*.c)))
FUZZ_WEB_O  := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter-out web/web_main.c,$(wildcard web/*.c)))
FUZZ_MAIN_O := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIBS   := $(FUZZ_DIR)/lib/libweb.a $(FUZZ_DIR)/lib/libcore.a
FUZZ_LDLIBS := -levent_openssl -levent $(LDLIBS_SOFIA) $(LDLIBS_SSL) -lm

.PHONY: fuzz
.SECONDARY: $(FUZZ_MAIN_O)
fuzz: $(FUZZ_BINS)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/lib/libcore.a: $(FUZZ_CORE_O)
$(FUZZ_DIR)/lib/libweb.a: $(FUZZ_WEB_O)
$(FUZZ_LIBS):
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIBS)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS)

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)
