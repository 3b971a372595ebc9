/**
 * Bundle size of one import from @bing-effect/error-codes, as a user's bundler would produce it:
 * esbuild, ESM, minified, then gzipped. Fails (exit 1) above the budget given with --max (bytes).
 *
 *   node bench/error-codes-size.ts [--max 1024]
 */
import { build } from "esbuild"
import { gzipSync } from "node:zlib"

const cases = [
  `import { ErrorCode } from "@bing-effect/error-codes"; console.log(ErrorCode.RateLimitExceeded)`,
  `import { SubCode, statusOfSubCode } from "@bing-effect/error-codes"; console.log(statusOfSubCode(SubCode.Blocked))`,
  `import * as All from "@bing-effect/error-codes"; console.log(All)`
]
const maxIndex = process.argv.indexOf("--max")
const max = maxIndex > 0 ? Number(process.argv[maxIndex + 1]) : Infinity

let failed = false
console.log("bundle (esbuild --bundle --minify --format=esm, then gzip -9)        min B   gzip B")
for (const [i, contents] of cases.entries()) {
  const out = await build({
    stdin: { contents, resolveDir: import.meta.dirname, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    mainFields: ["module", "main"]
  })
  const code = out.outputFiles[0]!.contents
  const gz = gzipSync(code, { level: 9 }).length
  const label = contents.slice(0, contents.indexOf(" from")).padEnd(68)
  console.log(`${label}${String(code.length).padStart(7)}${String(gz).padStart(9)}`)
  // the budget is for the single-constant import (the first case), the others are context
  if (i === 0 && gz > max) failed = true
}
if (failed) {
  console.error(`error-codes: \`import { ErrorCode }\` bundles to more than ${max} B gzipped`)
  process.exit(1)
}
