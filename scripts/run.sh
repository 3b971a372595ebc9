#!/bin/sh
# Entry point of the README's commands on any machine with Node and npm: sets up the toolchain
# (scripts/bootstrap.sh), then runs one job.
#   sh scripts/run.sh test    build, typecheck, lint, every test suite, pkgcheck, dependency boundaries
#   sh scripts/run.sh demo    the search-cli demo, then the gateway's (`bing-gateway demo`), each against an
#                             in-process emulator
#   sh scripts/run.sh dashboard   the gateway's demo, then its dashboard stays up until Ctrl-C
set -e
cd "$(dirname "$0")/.."
BE_QUIET=1 . ./scripts/bootstrap.sh
job="${1:-test}"
[ $# -gt 0 ] && shift
case "$job" in
  test) exec node scripts/test.mjs "$@" ;;
  demo)
    turbo run build --filter=@bing-effect/search-cli... --filter=@bing-effect/gateway... --output-logs=errors-only >&2
    node apps/search-cli/dist/bin.js demo "$@"
    # a blank line between the two; under `| head` the pipe may be gone: no SIGPIPE death of this
    # shell, and the gateway's demo stops quietly at its first write
    trap '' PIPE
    echo 2>/dev/null || true
    exec node packages/gateway/dist/bin.js demo ;;
  dashboard)
    turbo run build --filter=@bing-effect/gateway... --output-logs=errors-only >&2
    exec node packages/gateway/dist/bin.js demo --dashboard ;;
  *) echo "usage: sh scripts/run.sh test|demo|dashboard" >&2; exit 2 ;;
esac
