#!/bin/sh
# Entry point of the README's commands on any machine with Node and npm: sets up the toolchain
# (scripts/bootstrap.sh), then runs one job.
#   sh scripts/run.sh test    build, typecheck, lint, every test suite, pkgcheck, dependency boundaries
#   sh scripts/run.sh demo    the search-cli demo against an in-process emulator
set -e
cd "$(dirname "$0")/.."
BE_QUIET=1 . ./scripts/bootstrap.sh
job="${1:-test}"
[ $# -gt 0 ] && shift
case "$job" in
  test) exec node scripts/test.mjs "$@" ;;
  demo)
    turbo run build --filter=@bing-effect/search-cli... --output-logs=errors-only >&2
    exec node apps/search-cli/dist/bin.js demo "$@" ;;
  *) echo "usage: sh scripts/run.sh test|demo" >&2; exit 2 ;;
esac
