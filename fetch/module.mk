# img-fetch
PROGRAMS += fetch
fetch_BIN  := img-fetch
fetch_LIBS := -lcurl
DEPS += libcurl4-openssl-dev docker-registry skopeo umoci
