# img-unpack
PROGRAMS += unpack
unpack_BIN  := img-unpack
unpack_LIBS := -larchive -lz -lzstd
DEPS += libarchive-dev zlib1g-dev libzstd-dev umoci
