/**
 * Runs every benchmark in this folder, one after the other (they share the machine's cores, so
 * never in parallel), after `pnpm build`. `pnpm bench` (turbo) builds first and then runs this.
 *
 *   node bench/run.ts                 every benchmark
 *   node bench/run.ts quota-tracker   only the files whose name contains the word
 */
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"

const filter = process.argv[2] ?? ""
const files = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_") && f.includes(filter))
  .toSorted()
let failed = 0
for (const file of files) {
  console.log(`\n=== ${file} ===`)
  const r = spawnSync(process.execPath, [file], { cwd: import.meta.dirname, stdio: "inherit" })
  if (r.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
