# img-unpack
PROGRAMS += unpack
unpack_BIN  := img-unpack
unpack_LIBS := -larchive -lz -lzstd -lpthread
DEPS += libarchive-dev zlib1g-dev libzstd-dev libisal-dev umoci util-linux

# ISA-L's igzip inflates several times faster than zlib; used when its
# headers are there at build time (Debian libisal-dev), zlib otherwise.
# OCIKIT_NO_ISAL=1 builds without it.
ifeq ($(OCIKIT_NO_ISAL),)
ifneq ($(wildcard /usr/include/isa-l/igzip_lib.h),)
unpack_LIBS += -lisal
$(O)/unpack/inflate.o: CPPFLAGS += -DOCIKIT_HAVE_ISAL
endif
endif
