/**
 * Per-acquire cost of three windows (second, day, month), admitted and refused, in one process:
 * @bing-effect/quota-tracker (memory store) against rate-limiter-flexible's RateLimiterMemory used once
 * per window and Effect's RateLimiter (memory store) used once per window, side by side in one run, and
 * against the floor: one effect that checks and counts three `Map` counters in the fiber, which is
 * what any Effect-based acquire of three windows costs at the least.
 *
 * Run after building: pnpm turbo run build --filter=@bing-effect/quota-tracker && node bench/quota-tracker-memory.ts
 * Env: BENCH_OPS (ops per batch, default 50000), BENCH_ROUNDS (default 9), BENCH_TRACKER (a path to
 * another build's `dist/index.js`, to measure an older build beside the same peers), BENCH_SAMPLES
 * (set: also print every round's wall-clock ns/op, case by case).
 *
 * Each round runs every case once (interleaved; Effect's RateLimiter in rounds of its own, after the
 * others: see below); the table shows medians over rounds of wall-clock time and of process CPU time
 * per operation. On a shared, loaded machine the CPU time is the steadier of
 * the two (time spent descheduled is not counted); GC threads count towards CPU time.
 */
import type * as QuotaTrackerPackage from "@bing-effect/quota-tracker"
import { Duration, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { RateLimiter } from "effect/persistence"
import { RateLimiterMemory } from "rate-limiter-flexible"

const OPS = Number(process.env.BENCH_OPS ?? 50_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const BIG = 1e12
const DAY_S = 86_400
const MONTH_S = 30 * DAY_S

const { QuotaStore, QuotaTracker, Tier }: typeof QuotaTrackerPackage = process.env.BENCH_TRACKER === undefined
  ? await import("@bing-effect/quota-tracker")
  : await import(process.env.BENCH_TRACKER)

process.removeAllListeners("warning") // rate-limiter-flexible's 30-day timer overflows Node's timer limit and warns

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

type Case = { readonly name: string; readonly batch: () => Promise<void> }

// ---- ours ----
const scope = Effect.runSync(Scope.make())
const tracker = (perSecond: number) =>
  Effect.runSync(
    QuotaTracker.make({
      tiers: [
        Tier.make({ name: "S15", key: Redacted.make("bench"), limits: { perSecond, perDay: BIG, perMonth: BIG } })
      ],
      waitForSecondWindow: 0
    }).pipe(Effect.provide(QuotaStore.layerMemory), Scope.provide(scope))
  )
const oursAdmit = tracker(BIG)
const oursRefuse = tracker(1)
Effect.runSync(oursRefuse.acquire()) // the per-second bucket is now full for a second
const oursLoop = (t: QuotaTrackerPackage.QuotaTracker.Service, expectAdmit: boolean) =>
  Effect.gen(function*() {
    let admitted = 0
    for (let i = 0; i < OPS; i++) {
      const r = yield* Effect.result(t.acquire())
      if (r._tag === "Success") admitted++
    }
    if (expectAdmit ? admitted !== OPS : admitted > OPS / 100) throw new Error(`ours: unexpected admitted=${admitted}`)
  })

// ---- the floor: three Map counters checked and counted inside one effect ----
class Refused {
  readonly _tag = "Refused"
}
const floor = (perSecond: number) => {
  const counts = new Map<string, number>()
  const refused = new Refused()
  const limits: ReadonlyArray<number> = [BIG, BIG, perSecond]
  const keys: ReadonlyArray<string> = ["m", "d", "s"]
  return Effect.suspend(() => {
    for (let i = 0; i < 3; i++) if ((counts.get(keys[i]!) ?? 0) + 1 > limits[i]!) return Effect.fail(refused)
    for (let i = 0; i < 3; i++) counts.set(keys[i]!, (counts.get(keys[i]!) ?? 0) + 1)
    return Effect.succeed(counts)
  })
}
const floorAdmit = floor(BIG)
const floorRefuse = floor(1)
Effect.runSync(floorRefuse)
const floorLoop = (acquire: Effect.Effect<unknown, Refused>, expectAdmit: boolean) =>
  Effect.gen(function*() {
    let admitted = 0
    for (let i = 0; i < OPS; i++) {
      const r = yield* Effect.result(acquire)
      if (r._tag === "Success") admitted++
    }
    if (expectAdmit ? admitted !== OPS : admitted > OPS / 100) throw new Error(`floor: unexpected admitted=${admitted}`)
  })

// ---- rate-limiter-flexible ----
const rlf = (points: number) => ({
  month: new RateLimiterMemory({ points: BIG, duration: MONTH_S, keyPrefix: "m" }),
  day: new RateLimiterMemory({ points: BIG, duration: DAY_S, keyPrefix: "d" }),
  second: new RateLimiterMemory({ points, duration: 1, keyPrefix: "s" })
})
const rlfAdmit = rlf(BIG)
const rlfRefuse = rlf(1)
await rlfRefuse.second.consume("k")
// Yields to the event loop every 2048 acquires, as Effect's scheduler makes the other loops do.
// Without it a refused batch ran 50,000 rejected promises through one microtask drain, and Node
// holds each in its unhandled-rejection bookkeeping until the drain ends: about 100 MB a batch
// reached the old space, and the mark-compacts that followed every 3 s landed in the batches of
// the next cases (ours admitted runs after it): in three runs, 4 of ours' 27 admitted batches took
// 466-698 ns against 194-323 ns for the rest. A yield takes about 2 µs here: 1 ns an acquire.
const rlfLoop = async (l: ReturnType<typeof rlf>, expectAdmit: boolean) => {
  let admitted = 0
  for (let i = 0; i < OPS; i++) {
    if ((i & 2047) === 2047) await new Promise(setImmediate)
    try {
      await l.month.consume("k")
      await l.day.consume("k")
      await l.second.consume("k")
      admitted++
    } catch {
      // refused
    }
  }
  if (expectAdmit ? admitted !== OPS : admitted > OPS / 100) throw new Error(`rlf: unexpected admitted=${admitted}`)
}

// ---- Effect RateLimiter ----
const limiter = Effect.runSync(
  Layer.buildWithScope(RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory)), scope).pipe(
    Effect.map((ctx) => ctx.mapUnsafe.get(RateLimiter.RateLimiter.key) as RateLimiter.RateLimiter)
  )
)
const windows = { second: Duration.seconds(1), day: Duration.seconds(DAY_S), month: Duration.seconds(MONTH_S) }
const effectLoop = (prefix: string, perSecond: number, expectAdmit: boolean) =>
  Effect.gen(function*() {
    let admitted = 0
    for (let i = 0; i < OPS; i++) {
      const r = yield* Effect.result(
        Effect.gen(function*() {
          yield* limiter.consume({ key: `${prefix}m`, limit: BIG, window: windows.month })
          yield* limiter.consume({ key: `${prefix}d`, limit: BIG, window: windows.day })
          yield* limiter.consume({ key: `${prefix}s`, limit: perSecond, window: windows.second })
        })
      )
      if (r._tag === "Success") admitted++
    }
    if (expectAdmit ? admitted !== OPS : admitted > OPS / 100) {
      throw new Error(`effect: unexpected admitted=${admitted}`)
    }
  })

const cases: Array<Case> = [
  { name: "ours admitted", batch: () => Effect.runPromise(oursLoop(oursAdmit, true)) },
  { name: "floor admitted", batch: () => Effect.runPromise(floorLoop(floorAdmit, true)) },
  { name: "rate-limiter-flexible admitted", batch: () => rlfLoop(rlfAdmit, true) },
  { name: "effect RateLimiter admitted", batch: () => Effect.runPromise(effectLoop("a", BIG, true)) },
  { name: "ours refused", batch: () => Effect.runPromise(oursLoop(oursRefuse, false)) },
  { name: "floor refused", batch: () => Effect.runPromise(floorLoop(floorRefuse, false)) },
  { name: "rate-limiter-flexible refused", batch: () => rlfLoop(rlfRefuse, false) },
  { name: "effect RateLimiter refused", batch: () => Effect.runPromise(effectLoop("r", 1, false)) }
]

// Effect's RateLimiter builds an Error with a stack trace per refusal (about 17 us each): its
// batches leave hundreds of MB of garbage, and the old-space GC work that follows runs on V8's
// background threads during the batches measured next, counted in their CPU time. Interleaved
// with the others, the next ones were ours (admitted after its refused, refused after its
// admitted): in three runs each, ours admitted measured 240-300 ns CPU, at times above its wall
// time, against 229-234 ns with its cases run apart, the floor 217-263 against 166-180 ns, and
// rate-limiter-flexible 394-406 against 378-395 ns. So its cases run in rounds of their own,
// after the others; its own figures did not change (3.1-3.4 us admitted either way).
const groups: ReadonlyArray<ReadonlyArray<Case>> = [
  cases.filter((c) => !c.name.startsWith("effect RateLimiter")),
  cases.filter((c) => c.name.startsWith("effect RateLimiter"))
]
const wall = new Map<string, Array<number>>()
const cpu = new Map<string, Array<number>>()
for (const group of groups) {
  for (const c of group) await c.batch() // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of group) {
      const cpu0 = process.cpuUsage()
      const start = process.hrtime.bigint()
      await c.batch()
      const elapsed = Number(process.hrtime.bigint() - start) / OPS
      const used = process.cpuUsage(cpu0)
      wall.set(c.name, [...(wall.get(c.name) ?? []), elapsed])
      cpu.set(c.name, [...(cpu.get(c.name) ?? []), ((used.user + used.system) * 1000) / OPS])
    }
  }
}

if (process.env.BENCH_SAMPLES !== undefined) {
  for (const [name, samples] of wall) {
    console.log(`${name.padEnd(32)}${samples.map((x) => x.toFixed(0).padStart(6)).join("")}`)
  }
}
const m = (table: Map<string, Array<number>>, name: string) => median(table.get(name)!)
const names = {
  ours: "@bing-effect/quota-tracker (memory)",
  floor: "floor: 3 Map counters in one effect",
  "rate-limiter-flexible": "rate-limiter-flexible RateLimiterMemory x3",
  "effect RateLimiter": "effect RateLimiter memory x3"
} as const
console.log(
  `quota-tracker memory: 3 windows per acquire, ${OPS} ops x ${ROUNDS} interleaved rounds, medians (node ${process.version})`
)
console.log(
  "| what | admitted ns/op (wall / cpu) | refused ns/op (wall / cpu) | ours faster by, admitted (wall / cpu) | ours faster by, refused (wall / cpu) |"
)
console.log("|---|---:|---:|---:|---:|")
for (const who of ["ours", "floor", "rate-limiter-flexible", "effect RateLimiter"] as const) {
  const cell = (kind: "admitted" | "refused") =>
    `${m(wall, `${who} ${kind}`).toFixed(0)} / ${m(cpu, `${who} ${kind}`).toFixed(0)}`
  const ratio = (kind: "admitted" | "refused") =>
    who === "ours"
      ? "1.00x / 1.00x"
      : `${(m(wall, `${who} ${kind}`) / m(wall, `ours ${kind}`)).toFixed(2)}x / ${
        (m(cpu, `${who} ${kind}`) / m(cpu, `ours ${kind}`)).toFixed(2)
      }x`
  console.log(
    `| ${names[who]} | ${cell("admitted")} | ${cell("refused")} | ${ratio("admitted")} | ${ratio("refused")} |`
  )
}
const times = (a: string, b: string, kind: "admitted" | "refused") =>
  `${(m(wall, `${a} ${kind}`) / m(wall, `${b} ${kind}`)).toFixed(2)}x wall / ${
    (m(cpu, `${a} ${kind}`) / m(cpu, `${b} ${kind}`)).toFixed(2)
  }x cpu`
console.log(
  `targets: rate-limiter-flexible / ours >= 1.5 (admitted ${
    times("rate-limiter-flexible", "ours", "admitted")
  }; refused ${times("rate-limiter-flexible", "ours", "refused")}); ours / floor <= 3 (admitted ${
    times("ours", "floor", "admitted")
  }; refused ${times("ours", "floor", "refused")})`
)
await Effect.runPromise(Scope.close(scope, Exit.void))
process.exit(0)
