import { copyFile, mkdir } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { library } from "../../tsup.config.base.ts"

// the dashboard's files (src/dashboard/, and uPlot from node_modules) land in dist/assets/, served by
// src/internal/dashboard.ts: a user of the package runs no build step
const assets = "dist/assets"
const uplot = join(dirname(createRequire(import.meta.url).resolve("uplot/package.json")), "dist")
const copyAssets = async () => {
  await mkdir(assets, { recursive: true })
  await Promise.all([
    copyFile("src/dashboard/index.html", `${assets}/index.html`),
    copyFile("src/dashboard/dashboard.css", `${assets}/dashboard.css`),
    copyFile(join(uplot, "uPlot.iife.min.js"), `${assets}/uPlot.iife.min.js`),
    copyFile(join(uplot, "uPlot.min.css"), `${assets}/uPlot.min.css`),
    copyFile(join(uplot, "..", "LICENSE"), `${assets}/uPlot.LICENSE.txt`)
  ])
}

export default library({
  // `./history` (GatewayHistory) without the server: shared code goes to chunks, so its objects
  // are the same from either entry
  entry: ["src/index.ts", "src/history.ts"],
  // dist/assets/ is the third build's (below): the builds run at once, this one must not clean it
  clean: ["!**/*.d.ts", "!**/*.d.ts.map", "!*.tsbuildinfo", "!assets/**"]
}, {
  // the `bing-gateway` command, with a shebang
  entry: { bin: "src/bin.ts" },
  format: ["esm"],
  sourcemap: true,
  clean: false,
  target: "node22",
  tsconfig: "tsconfig.src.json",
  removeNodeProtocol: false,
  banner: { js: "#!/usr/bin/env node" }
}, {
  // the dashboard page's script, for browsers (uPlot is a global of its own file)
  entry: { dashboard: "src/dashboard/page.ts" },
  outDir: assets,
  format: ["iife"],
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: false,
  clean: true,
  tsconfig: "tsconfig.dashboard.json",
  outExtension: () => ({ js: ".js" }),
  onSuccess: copyAssets
})
