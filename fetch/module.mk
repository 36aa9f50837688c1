# img-fetch
PROGRAMS += fetch
fetch_BIN  := img-fetch
fetch_LIBS := -lcurl
DEPS += libcurl4-openssl-dev libarchive-dev libarchive13 docker-registry skopeo umoci openssl curl \
        python3 time util-linux
