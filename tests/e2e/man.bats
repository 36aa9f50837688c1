#!/usr/bin/env bats
# The manual pages of the five programs: the sections every page has, the
# options --help lists are all documented, and man renders each page
# without a warning.
load ../lib/common

PAGES="img-fetch.1 img-unpack.1 mkbundle.1 runner.8 netsetup.8"

# page_text PAGE: the roff source with the escapes that split an option
# name undone (\- and \(hy are "-", font changes vanish)
page_text() {
  sed -e 's/\\-/-/g' -e 's/\\(hy/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' "$SRC/man/$1"
}

@test "man: every program page has SYNOPSIS, OPTIONS, EXIT STATUS, FILES, ENVIRONMENT, EXAMPLES" {
  local page sec missing=""
  for page in $PAGES; do
    for sec in SYNOPSIS OPTIONS "EXIT STATUS" FILES ENVIRONMENT EXAMPLES; do
      # .SH NAME or .SH "NAME"
      sed -e 's/"//g' "$SRC/man/$page" | grep -qx "\.SH $sec" || missing+=" $page:$sec"
    done
  done
  [ -z "$missing" ] || { echo "missing sections:$missing"; return 1; }
}

@test "man: every long option of --help is in the program's page" {
  local page prog opt missing=""
  for page in $PAGES; do
    prog=${page%.*}
    for opt in $("$BIN/$prog" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*[a-z]' | sort -u); do
      page_text "$page" | grep -qF -- "$opt" || missing+=" $prog:$opt"
    done
  done
  [ -z "$missing" ] || { echo "undocumented options:$missing"; return 1; }
}

@test "man: each page renders without warnings (man and groff -ww)" {
  local page out
  for page in $PAGES; do
    out=$(MANWIDTH=80 man --warnings -l "$SRC/man/$page" 2>&1 >/dev/null)
    [ -z "$out" ] || { echo "man $page:"; echo "$out"; return 1; }
    out=$(groff -ww -z -man "$SRC/man/$page" 2>&1)
    [ -z "$out" ] || { echo "groff $page:"; echo "$out"; return 1; }
    # and says something: the NAME line renders
    MANWIDTH=80 man -l "$SRC/man/$page" 2>/dev/null | grep -q "^NAME"
  done
}
