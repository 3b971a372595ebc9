/**
 * Redis: round trips per acquire of three windows (second, day, month) and operations per second at
 * concurrency 1 and 64, @bing-effect/quota-tracker (QuotaStore.layerRedis through NodeRedis) against
 * rate-limiter-flexible's RateLimiterRedis used once per window (node-redis, the three consumes in
 * Promise.all), on the same Redis in one run.
 *
 * Round trips are counted on the server with MONITOR: every command a client sent that carries this
 * run's key prefix, not counting the commands a Lua script runs inside Redis.
 *
 * Run after building: pnpm turbo run build --filter=@bing-effect/quota-tracker && node bench/quota-tracker-redis.ts
 * Env: REDIS_URL (default redis://127.0.0.1:6379), BENCH_ROUNDS (default 7, interleaved).
 */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { NodeRedis } from "@effect/platform-node"
import { Effect, Exit, Layer, Redacted, Scope } from "effect"
import { connect } from "node:net"
import { RateLimiterRedis } from "rate-limiter-flexible"
import { createClient } from "redis"

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const runId = `qtbench${process.pid}x${Date.now()}`
const BIG = 1e12

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

// ---- ours ----
const scope = Effect.runSync(Scope.make())
const oursPrefix = `${runId}:ours:`
const services = await Effect.runPromise(
  Layer.buildWithScope(
    QuotaStore.layerRedis({ prefix: oursPrefix }).pipe(Layer.provideMerge(NodeRedis.layer({ url }))),
    scope
  )
)
const tracker = await Effect.runPromise(
  QuotaTracker.make({
    tiers: [
      Tier.make({ name: "S15", key: Redacted.make("bench"), limits: { perSecond: BIG, perDay: BIG, perMonth: BIG } })
    ]
  }).pipe(Effect.provide(services), Scope.provide(scope))
)
const ours = async (total: number, concurrency: number) => {
  const each = Math.ceil(total / concurrency)
  await Effect.runPromise(
    Effect.forEach(
      Array.from({ length: concurrency }),
      () =>
        Effect.gen(function*() {
          for (let i = 0; i < each; i++) yield* tracker.acquire()
        }),
      { concurrency, discard: true }
    )
  )
  return each * concurrency
}

// ---- rate-limiter-flexible ----
const client = createClient({ url })
await client.connect()
const rlfPrefix = `${runId}:rlf`
const limiters = [
  new RateLimiterRedis({
    storeClient: client,
    useRedisPackage: true,
    points: BIG,
    duration: 30 * 86_400,
    keyPrefix: `${rlfPrefix}:m`
  }),
  new RateLimiterRedis({
    storeClient: client,
    useRedisPackage: true,
    points: BIG,
    duration: 86_400,
    keyPrefix: `${rlfPrefix}:d`
  }),
  new RateLimiterRedis({
    storeClient: client,
    useRedisPackage: true,
    points: BIG,
    duration: 1,
    keyPrefix: `${rlfPrefix}:s`
  })
]
const rlf = async (total: number, concurrency: number) => {
  const each = Math.ceil(total / concurrency)
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = 0; i < each; i++) await Promise.all(limiters.map((l) => l.consume("S15")))
  }))
  return each * concurrency
}

// ---- round trips, counted by MONITOR ----
const monitorCount = async (body: () => Promise<number>, marker: string) => {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port || 6379), hostname || "127.0.0.1")
  let buffer = ""
  let commands = 0
  socket.on("data", (chunk) => {
    buffer += String(chunk)
    const lines = buffer.split("\r\n")
    buffer = lines.pop()!
    for (const line of lines) if (line.includes(marker) && !line.includes(" lua]")) commands++
  })
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()))
  socket.write("MONITOR\r\n")
  await new Promise((resolve) => setTimeout(resolve, 100))
  const ops = await body()
  await new Promise((resolve) => setTimeout(resolve, 300))
  socket.destroy()
  return commands / ops
}
const tripsOurs = await monitorCount(() => ours(500, 1), oursPrefix)
const tripsRlf = await monitorCount(() => rlf(500, 1), rlfPrefix)

// ---- throughput (and client CPU per acquire, which other load on the machine disturbs less) ----
type Sample = { rate: number; cpu: number }
const once = async (fn: (total: number, c: number) => Promise<number>, total: number, c: number): Promise<Sample> => {
  const cpu0 = process.cpuUsage()
  const start = process.hrtime.bigint()
  const ops = await fn(total, c)
  const rate = ops / (Number(process.hrtime.bigint() - start) / 1e9)
  const used = process.cpuUsage(cpu0)
  return { rate, cpu: (used.user + used.system) / ops }
}
const cases = {
  o1: () => once(ours, 3000, 1),
  r1: () => once(rlf, 3000, 1),
  o64: () => once(ours, 30_000, 64),
  r64: () => once(rlf, 30_000, 64)
}
for (const run of Object.values(cases)) await run() // warm-up
const samples: Record<keyof typeof cases, Array<Sample>> = { o1: [], r1: [], o64: [], r64: [] }
// interleaved rounds, so that both sides see the same background load
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(cases) as Array<[keyof typeof cases, () => Promise<Sample>]>) {
    samples[name].push(await run())
  }
}
const summary = (name: keyof typeof cases): Sample => ({
  rate: median(samples[name].map((s) => s.rate)),
  cpu: median(samples[name].map((s) => s.cpu))
})
const o1 = summary("o1")
const r1 = summary("r1")
const o64 = summary("o64")
const r64 = summary("r64")
const table: Array<[string, number, typeof o1, typeof o1]> = [
  ["@bing-effect/quota-tracker (layerRedis, 1 script)", tripsOurs, o1, o64],
  ["rate-limiter-flexible RateLimiterRedis x3 (node-redis, Promise.all)", tripsRlf, r1, r64]
]

const fmt = (n: number) => Math.round(n).toLocaleString("en-US")
console.log(
  `quota-tracker redis: 3 windows per acquire, ${
    url.replace(/\/\/.*@/, "//")
  }, median of ${ROUNDS} interleaved rounds (node ${process.version})`
)
console.log("| what | commands sent per acquire | ops/s c=1 | ops/s c=64 | client CPU µs/acquire c=1 | c=64 |")
console.log("|---|---:|---:|---:|---:|---:|")
for (const [name, trips, c1, c64] of table) {
  console.log(
    `| ${name} | ${trips.toFixed(2)} | ${fmt(c1.rate)} | ${fmt(c64.rate)} | ${c1.cpu.toFixed(1)} | ${
      c64.cpu.toFixed(1)
    } |`
  )
}
console.log(
  `ours / rate-limiter-flexible, ops/s: c=1 ${(o1.rate / r1.rate).toFixed(2)}x, c=64 ${
    (o64.rate / r64.rate).toFixed(2)
  }x`
)

// clean up this run's keys
for await (const keys of client.scanIterator({ MATCH: `${runId}*`, COUNT: 1000 })) {
  if (keys.length > 0) await client.del(keys)
}
await client.quit()
await Effect.runPromise(Scope.close(scope, Exit.void))
