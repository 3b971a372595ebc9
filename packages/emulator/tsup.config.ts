import { defineConfig } from "tsup"

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node22"
  },
  {
    // the `bing-emulator` command: ESM only, with a shebang
    entry: { "bin": "src/bin.ts" },
    format: ["esm"],
    sourcemap: true,
    clean: false,
    target: "node22",
    banner: { js: "#!/usr/bin/env node" }
  }
])
