import { readFileSync } from "node:fs"
import { defineConfig } from "tsup"

// `--version` and the user agent name the package's own version, read here at build time
const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  readonly version: string
}

export default defineConfig({
  entry: ["src/bin.ts"],
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  target: "node22",
  define: { __BING_SEARCH_VERSION__: JSON.stringify(version) }
})
