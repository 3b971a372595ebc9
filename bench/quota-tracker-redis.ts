/**
 * Redis: commands per acquire of three windows (second, day, month) and operations per second at
 * concurrency 1 and 64, on the same Redis in one run:
 *
 * - ours: a QuotaTracker over `RedisStore.layer` from `@bing-effect/quota-tracker/redis`, as a user writes it;
 * - the floor: the same Lua script with the same arguments, sent by raw node-redis `EVALSHA` (`sendCommand`,
 *   without node-redis' per-command timer), no Effect, no tracker: what one round trip per acquire costs at the least;
 * - rate-limiter-flexible's RateLimiterRedis used once per window (node-redis, the three consumes in Promise.all).
 *
 * The floor's script and arguments are those our store sends, recorded through a `Redis` service that wraps
 * the connection (so the floor can never drift from the store's script). Round trips are counted on the server
 * with MONITOR: every command a client sent that carries this run's key prefix, not counting the commands a Lua
 * script runs inside Redis.
 *
 * Run after building: pnpm turbo run build --filter=@bing-effect/quota-tracker && node bench/quota-tracker-redis.ts
 * Env: REDIS_URL (default redis://127.0.0.1:6379), BENCH_ROUNDS (default 7, interleaved).
 * Flags: --min-rlf <x> and --min-floor <x> fail the run when ours at c=64 is below x times the peer.
 */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { RedisStore } from "@bing-effect/quota-tracker/redis"
import { Effect, Exit, Layer, Redacted, Scope } from "effect"
import { Redis } from "effect/persistence"
import { connect } from "node:net"
import { parseArgs } from "node:util"
import { RateLimiterRedis } from "rate-limiter-flexible"
import { createClient } from "redis"
import { fmt, interleaved, median } from "./_stats.ts"

const { values: flags } = parseArgs({ options: { "min-rlf": { type: "string" }, "min-floor": { type: "string" } } })
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const runId = `qtbench${process.pid}x${Date.now()}`
const BIG = 1e12

const tiers = [
  Tier.make({ name: "S15", key: Redacted.make("bench"), limits: { perSecond: BIG, perDay: BIG, perMonth: BIG } })
]

// ---- ours ----
const scope = Effect.runSync(Scope.make())
const oursPrefix = `${runId}:ours:`
const tracker = await Effect.runPromise(
  Layer.buildWithScope(RedisStore.layer({ url, prefix: oursPrefix }), scope).pipe(
    Effect.flatMap((store) => QuotaTracker.make({ tiers }).pipe(Effect.provideContext(store), Scope.provide(scope)))
  )
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

// ---- the floor: our script, recorded once, then sent by node-redis alone ----
const client = createClient({ url })
await client.connect()
const recordedPrefix = `${runId}:recorded:`
// `argv`: what follows the sha in EVALSHA (numkeys, keys, arguments). A store may send its script through
// `send` ("SCRIPT LOAD", then "EVALSHA") or through `eval`: both are recorded.
const recorded: { lua?: string; argv?: ReadonlyArray<string> } = {}
const Recording = Layer.effect(
  Redis.Redis,
  Effect.gen(function*() {
    const redis = yield* Redis.Redis
    // only the four fields of the service (a spread would copy a store's fast-path capability too)
    return Redis.Redis.of({
      subscribe: redis.subscribe,
      reserve: redis.reserve,
      send: (command, ...args) => {
        if (command === "SCRIPT" && args[0] === "LOAD") recorded.lua = args[1]!
        if (command === "EVALSHA") recorded.argv ??= args.slice(1)
        return redis.send(command, ...args)
      },
      eval: (script) => {
        const run = redis.eval(script)
        return (...params) => {
          recorded.lua ??= script.lua
          recorded.argv ??= [String(script.numberOfKeys(...params)), ...script.params(...params).map(String)]
          return run(...params)
        }
      }
    })
  })
).pipe(Layer.provide(RedisStore.layerConnection({ url })))
await Effect.runPromise(
  Effect.gen(function*() {
    const t = yield* QuotaTracker.make({ tiers })
    yield* t.acquire()
  }).pipe(
    Effect.provide(QuotaStore.layerRedis({ prefix: recordedPrefix }).pipe(Layer.provide(Recording))),
    Effect.scoped
  )
)
if (recorded.lua === undefined || recorded.argv === undefined) throw new Error("the store sent no script")
const sha = await client.scriptLoad(recorded.lua)
// EVALSHA sha numkeys key... now weight slot-args...: our keys under the floor's prefix, a fresh "now" per call
const floorPrefix = `${runId}:floor:`
const numberOfKeys = Number(recorded.argv[0])
const floorKeys = recorded.argv.slice(1, 1 + numberOfKeys).map((k) => floorPrefix + k.slice(recordedPrefix.length))
const floorRest = recorded.argv.slice(2 + numberOfKeys)
// `timeout: 0`: without node-redis' per-command timer (an AbortSignal.timeout per command in node-redis 6),
// as our store sends when it bounds the call itself: the least work that sends this script
const untimed = { timeout: 0 }
const floorOnce = () =>
  client.sendCommand(["EVALSHA", sha, String(numberOfKeys), ...floorKeys, String(Date.now()), ...floorRest], untimed)
const floor = async (total: number, concurrency: number) => {
  const each = Math.ceil(total / concurrency)
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = 0; i < each; i++) {
      const reply = (await floorOnce()) as unknown as ReadonlyArray<unknown>
      if (reply[0] !== -1) throw new Error(`the floor was refused: ${String(reply)}`)
    }
  }))
  return each * concurrency
}

// ---- rate-limiter-flexible ----
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
const tripsFloor = await monitorCount(() => floor(500, 1), floorPrefix)
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
  f1: () => once(floor, 3000, 1),
  r1: () => once(rlf, 3000, 1),
  o64: () => once(ours, 30_000, 64),
  f64: () => once(floor, 30_000, 64),
  r64: () => once(rlf, 30_000, 64)
}
type Case = keyof typeof cases
// interleaved rounds, so that every side sees the same background load
const samples = await interleaved(cases, ROUNDS)
const summary = (name: Case): Sample => ({
  rate: median(samples[name].map((s) => s.rate)),
  cpu: median(samples[name].map((s) => s.cpu))
})
const [o1, f1, r1, o64, f64, r64] = (["o1", "f1", "r1", "o64", "f64", "r64"] as const).map(summary) as [
  Sample,
  Sample,
  Sample,
  Sample,
  Sample,
  Sample
]
const table: Array<[string, number, Sample, Sample]> = [
  ["@bing-effect/quota-tracker (RedisStore.layer, 1 script)", tripsOurs, o1, o64],
  ["floor: the same script by raw node-redis EVALSHA, no Effect", tripsFloor, f1, f64],
  ["rate-limiter-flexible RateLimiterRedis x3 (node-redis, Promise.all)", tripsRlf, r1, r64]
]

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
const vsRlf = o64.rate / r64.rate
const vsFloor = o64.rate / f64.rate
console.log(
  `ours / rate-limiter-flexible, ops/s: c=1 ${(o1.rate / r1.rate).toFixed(2)}x, c=64 ${
    vsRlf.toFixed(2)
  }x (target >= 1.3x)`
)
console.log(
  `ours / floor, ops/s: c=1 ${(o1.rate / f1.rate).toFixed(2)}x, c=64 ${vsFloor.toFixed(2)}x (target >= 0.8x)`
)
let failed = tripsOurs !== 1
if (failed) console.log(`FAIL: ${tripsOurs.toFixed(2)} commands per acquire, not exactly 1`)
if (flags["min-rlf"] !== undefined && vsRlf < Number(flags["min-rlf"])) {
  console.log(`FAIL: ours / rate-limiter-flexible at c=64 ${vsRlf.toFixed(2)}x < ${flags["min-rlf"]}x`)
  failed = true
}
if (flags["min-floor"] !== undefined && vsFloor < Number(flags["min-floor"])) {
  console.log(`FAIL: ours / floor at c=64 ${vsFloor.toFixed(2)}x < ${flags["min-floor"]}x`)
  failed = true
}

// clean up this run's keys
for await (const keys of client.scanIterator({ MATCH: `${runId}*`, COUNT: 1000 })) {
  if (keys.length > 0) await client.del(keys)
}
await client.quit()
await Effect.runPromise(Scope.close(scope, Exit.void))
if (failed) process.exitCode = 1
