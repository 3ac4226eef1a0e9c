## tests/images - real Linux memory images for the guest/ layer's tests,
## generated from source (tests/images/README.md), included from the
## top-level Makefile.am (non-recursive; paths are relative to the top).
##
##	make images	generate them (or find them cached) and say where
##	make check	runs tests/images/images.test: generates or reuses
##			them and checks them without the guest/ library
##			(SKIP when they cannot be made here)

TESTS += tests/images/images.test

# The guest and Linux layers against every image and its manifest.
check_PROGRAMS += tests/images/imgcheck
tests_images_imgcheck_SOURCES = tests/images/imgcheck.c tests/images/manifest.h
tests_images_imgcheck_LDADD = libporthole.la
TESTS += tests/images/introspect.test

EXTRA_DIST += \
	tests/images/README.md \
	tests/images/images.test \
	tests/images/demo.sh \
	tests/images/introspect.test \
	tests/images/mkimages.sh \
	tests/images/mkimage.py \
	tests/images/check.py \
	tests/images/guest/init.c

# The README's main job: porthole against a generated Linux guest.
demo: porthole$(EXEEXT)
	@sh $(srcdir)/tests/images/demo.sh ./porthole$(EXEEXT) $(srcdir)

images:
	@dir=`bash $(srcdir)/tests/images/mkimages.sh cache` && \
	    echo "images: $$dir" && ls -l "$$dir"

.PHONY: images demo
