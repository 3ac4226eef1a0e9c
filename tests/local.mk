## Unit, CLI and build tests (`make check`).  Each test runs in its own
## process under a timeout (tests/run-test.sh); exit 77 is a skip.
LOG_COMPILER = $(SHELL) $(srcdir)/tests/run-test.sh
TEST_LOG_COMPILER = $(SHELL) $(srcdir)/tests/run-test.sh
TEST_EXTENSIONS = .test
AM_TESTS_ENVIRONMENT = \
	CC='$(CC)'; CPPFLAGS='$(CPPFLAGS)'; CFLAGS='$(CFLAGS)'; \
	top_srcdir='$(top_srcdir)'; top_builddir='$(top_builddir)'; \
	PACKAGE_VERSION='$(PACKAGE_VERSION)'; \
	export CC CPPFLAGS CFLAGS top_srcdir top_builddir PACKAGE_VERSION;

EXTRA_DIST += tests/run-test.sh tests/test.h
