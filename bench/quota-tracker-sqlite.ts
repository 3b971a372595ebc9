/**
 * SQLite: acquires per second (three windows: second, day, month) of @bing-effect/quota-tracker with
 * QuotaStore.layerSqlite, from one process and from two processes sharing the file. Each acquire is one
 * BEGIN IMMEDIATE transaction (WAL, synchronous=NORMAL by default).
 *
 * Run after building: pnpm turbo run build --filter=@bing-effect/quota-tracker && node bench/quota-tracker-sqlite.ts
 * Env: BENCH_SECONDS (per measurement, default 3), BENCH_SYNCHRONOUS (NORMAL | FULL, default NORMAL).
 */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { Effect, Layer, Redacted } from "effect"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const synchronous = (process.env.BENCH_SYNCHRONOUS ?? "NORMAL") as "NORMAL" | "FULL"
const BIG = 1e12

// worker: acquire in a loop until `until`, print the count
const work = async (filename: string, startAt: number, until: number): Promise<number> => {
  const Live = QuotaTracker.layer({
    tiers: [
      Tier.make({ name: "S15", key: Redacted.make("bench"), limits: { perSecond: BIG, perDay: BIG, perMonth: BIG } })
    ]
  }).pipe(Layer.provide(QuotaStore.layerSqlite({ filename, synchronous })))
  return Effect.runPromise(
    Effect.gen(function*() {
      const tracker = yield* QuotaTracker.QuotaTracker
      yield* tracker.acquire() // open and warm up
      const wait = startAt - Date.now()
      if (wait > 0) yield* Effect.sleep(wait)
      let n = 0
      while (Date.now() < until) {
        for (let i = 0; i < 100; i++) yield* tracker.acquire()
        n += 100
      }
      return n
    }).pipe(Effect.provide(Live))
  )
}

if (process.argv[2] === "worker") {
  const n = await work(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]))
  process.stdout.write(`${n}\n`)
  process.exit(0)
}

const self = fileURLToPath(import.meta.url)
const processes = (count: number, filename: string) => {
  const startAt = Date.now() + 1500
  const until = startAt + SECONDS * 1000
  return Promise.all(Array.from({ length: count }, () =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [self, "worker", filename, String(startAt), String(until)], {
        stdio: ["ignore", "pipe", "inherit"]
      })
      let out = ""
      child.stdout.on("data", (chunk) => (out += String(chunk)))
      child.on(
        "exit",
        (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`worker exited with ${code}`)))
      )
    })))
}

const dir = mkdtempSync(join(tmpdir(), "quota-bench-sqlite-"))
try {
  const one = await processes(1, join(dir, "one.sqlite"))
  const two = await processes(2, join(dir, "two.sqlite"))
  const rate = (counts: ReadonlyArray<number>) => counts.reduce((a, b) => a + b, 0) / SECONDS
  console.log(
    `quota-tracker sqlite: 3 windows per acquire, synchronous=${synchronous}, ${SECONDS} s per measurement (node ${process.version})`
  )
  console.log("| processes | acquires/s (total) | per process | µs per acquire (per process) |")
  console.log("|---:|---:|---:|---:|")
  for (const [label, counts] of [["1", one], ["2", two]] as const) {
    const total = rate(counts)
    const per = total / counts.length
    console.log(
      `| ${label} | ${Math.round(total).toLocaleString("en-US")} | ${Math.round(per).toLocaleString("en-US")} | ${
        (1e6 / per).toFixed(1)
      } |`
    )
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
