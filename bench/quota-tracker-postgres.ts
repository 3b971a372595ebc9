/**
 * PostgreSQL: operations per second and p99 latency per acquire of three windows (second, day,
 * month) at concurrency 1 and 64, on the same server in one run, and what each admits when a window
 * runs out under concurrency:
 *
 * - ours: a QuotaTracker over `PostgresStore.layer` from `@bing-effect/quota-tracker/postgres`
 *   (10 connections), as a user writes it: one statement per acquire when alone, and under
 *   concurrency the acquires of a tier arriving while its call is in flight share the next call
 *   (group commit: one statement, one commit for the batch), so fewer statements than acquires;
 * - rate-limiter-flexible's RateLimiterPostgres used once per window (node-postgres `Pool` of 10,
 *   the three consumes in Promise.all): three statements, three commits.
 *
 * Statements per acquire are counted on the wire by a loopback proxy in front of the server (the
 * extended protocol's Execute messages and the simple protocol's Query messages), by a second
 * instance of each side connected through it, at c=1 and at c=64 (calls and acquires both
 * printed); the timed instances connect directly.
 *
 * Run after building: pnpm turbo run build --filter=@bing-effect/quota-tracker && node bench/quota-tracker-postgres.ts
 * Env: POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_ROUNDS (default 5, interleaved).
 * Flags: --min-rlf <x> fails the run when ours at c=64 is below x times the peer.
 */
import { QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { PostgresStore } from "@bing-effect/quota-tracker/postgres"
import { Effect, Exit, Layer, Redacted, Scope } from "effect"
import { connect, createServer, type Socket } from "node:net"
import { parseArgs } from "node:util"
import pg from "pg"
import { RateLimiterPostgres } from "rate-limiter-flexible"
import { drive, type Tracker } from "./_drive.ts"
import { fmt, interleaved, median, p99 } from "./_stats.ts"

const { values: flags } = parseArgs({ options: { "min-rlf": { type: "string" } } })
const url = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const runId = `qtbench_${process.pid}_${Date.now().toString(36)}`
const BIG = 1_000_000_000 // rate-limiter-flexible keeps points in an integer column

// ---- a counting proxy: statements sent by the clients, by kind of message ----
const proxy = await new Promise<{ port: number; count: () => number; close: () => void }>((resolve) => {
  let statements = 0
  const sockets = new Set<Socket>()
  const target = new URL(url)
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname || "127.0.0.1")
    sockets.add(client).add(upstream)
    let started = false
    let pending = Buffer.alloc(0)
    client.on("data", (data) => {
      upstream.write(data)
      // frames after the start-up packet: a type byte and a 32-bit length; count Execute (E) and Query (Q)
      pending = Buffer.concat([pending, data])
      if (!started) {
        if (pending.length < 4) return
        const length = pending.readInt32BE(0)
        if (pending.length < length) return
        const code = pending.readInt32BE(4)
        pending = pending.subarray(length)
        // an SSLRequest is answered before the real start-up packet
        if (code !== 80877103) started = true
      }
      if (!started) return
      while (pending.length >= 5) {
        const length = pending.readInt32BE(1)
        if (pending.length < 1 + length) break
        const type = String.fromCharCode(pending[0]!)
        if (type === "E" || type === "Q") statements++
        pending = pending.subarray(1 + length)
      }
    })
    upstream.on("data", (data) => client.write(data))
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on("error", end).on("close", end)
    upstream.on("error", end).on("close", end)
  })
  server.listen(0, "127.0.0.1", () =>
    resolve({
      port: (server.address() as { port: number }).port,
      count: () => statements,
      close: () => {
        for (const s of sockets) s.destroy()
        server.close()
      }
    }))
})
const proxied = new URL(url)
proxied.port = String(proxy.port)

// ---- ours ----
const table = `${runId}_ours`
const scope = Effect.runSync(Scope.make())
const makeTracker = (
  limits: { perSecond: number; perDay: number; perMonth: number },
  name: string,
  through: string = url
) =>
  Effect.runPromise(
    Layer.buildWithScope(PostgresStore.layer({ url: through, table, prefix: `${name}:` }), scope).pipe(
      Effect.flatMap((store) =>
        QuotaTracker.make({ tiers: [Tier.make({ name: "S15", key: Redacted.make("bench"), limits })] }).pipe(
          Effect.provideContext(store),
          Scope.provide(scope)
        )
      )
    )
  )
const unlimited = { perSecond: BIG, perDay: BIG, perMonth: BIG }
const oursOf = (tracker: Tracker) => (total: number, concurrency: number, latencies: Array<number>) =>
  drive([tracker], total, concurrency, latencies)
const ours = oursOf(await makeTracker(unlimited, "tput"))

// ---- rate-limiter-flexible ----
const pool = new pg.Pool({ connectionString: url, max: 10 })
const countedPool = new pg.Pool({ connectionString: proxied.toString(), max: 10 })
const rlfTable = `${runId}_rlf`
const limiter = (points: number, duration: number, keyPrefix: string, storeClient: pg.Pool = pool) =>
  new Promise<RateLimiterPostgres>((resolve, reject) => {
    const l: RateLimiterPostgres = new RateLimiterPostgres(
      { storeClient, storeType: "pool", tableName: rlfTable, points, duration, keyPrefix },
      (error?: unknown) => (error === undefined || error === null ? resolve(l) : reject(error))
    )
  })
const limitersOf = async (storeClient: pg.Pool, prefix: string) => [
  await limiter(BIG, 30 * 86_400, `${prefix}m`, storeClient),
  await limiter(BIG, 86_400, `${prefix}d`, storeClient),
  await limiter(BIG, 1, `${prefix}s`, storeClient)
]
const rlfOf = (limiters: ReadonlyArray<RateLimiterPostgres>) =>
async (
  total: number,
  concurrency: number,
  latencies: Array<number>
) => {
  const each = Math.ceil(total / concurrency)
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = 0; i < each; i++) {
      const t0 = performance.now()
      await Promise.all(limiters.map((l) => l.consume("S15")))
      latencies.push(performance.now() - t0)
    }
  }))
  return each * concurrency
}

const rlf = rlfOf(await limitersOf(pool, ""))

// ---- statements per acquire, counted on the wire ----
type Counted = { statements: number; acquires: number }
const statementsPer = async (fn: (total: number, c: number, l: Array<number>) => Promise<number>, c: number) => {
  await fn(50, 1, []) // prepared, connected
  const before = proxy.count()
  const acquires = await fn(c === 1 ? 300 : 3200, c, [])
  return { statements: proxy.count() - before, acquires }
}
const per = (n: Counted) => n.statements / n.acquires
const countedOurs = oursOf(await makeTracker(unlimited, "counted", proxied.toString()))
const countedRlf = rlfOf(await limitersOf(countedPool, "counted"))
const stmtOurs1 = await statementsPer(countedOurs, 1)
const stmtOurs64 = await statementsPer(countedOurs, 64)
const stmtRlf1 = await statementsPer(countedRlf, 1)
const stmtRlf64 = await statementsPer(countedRlf, 64)

// ---- throughput and p99 ----
type Sample = { rate: number; p99: number }
const once = async (
  fn: (total: number, c: number, l: Array<number>) => Promise<number>,
  total: number,
  c: number
): Promise<Sample> => {
  const latencies: Array<number> = []
  const start = performance.now()
  const ops = await fn(total, c, latencies)
  return { rate: ops / ((performance.now() - start) / 1000), p99: p99(latencies) }
}
const cases = {
  o1: () => once(ours, 600, 1),
  r1: () => once(rlf, 600, 1),
  o64: () => once(ours, 3200, 64),
  r64: () => once(rlf, 3200, 64)
}
type Case = keyof typeof cases
// interleaved rounds, so that every side sees the same background load
const samples = await interleaved(cases, ROUNDS)
const summary = (name: Case): Sample => ({
  rate: median(samples[name].map((s) => s.rate)),
  p99: median(samples[name].map((s) => s.p99))
})
const [o1, r1, o64, r64] = (["o1", "r1", "o64", "r64"] as const).map(summary) as [Sample, Sample, Sample, Sample]

// ---- exactness: 200 acquires at once where the day allows 50 ----
const exactOurs = await makeTracker({ perSecond: BIG, perDay: 50, perMonth: BIG }, "exact")
const oursResults = await Effect.runPromise(
  Effect.forEach(Array.from({ length: 200 }), () => Effect.exit(exactOurs.acquire()), { concurrency: "unbounded" })
)
const oursStatus = await Effect.runPromise(exactOurs.status)
const oursMonth = oursStatus.tiers[0]!.windows.find((w) => w.window === "month")!.used
const exactRlf = [await limiter(BIG, 30 * 86_400, "xm"), await limiter(50, 86_400, "xd"), await limiter(BIG, 1, "xs")]
const rlfResults = await Promise.allSettled(
  Array.from({ length: 200 }, () => Promise.all(exactRlf.map((l) => l.consume("S15"))))
)
const rlfMonth = (await exactRlf[0]!.get("S15"))?.consumedPoints ?? 0

console.log(
  `quota-tracker postgres: 3 windows per acquire, ${
    url.replace(/\/\/.*@/, "//")
  }, median of ${ROUNDS} interleaved rounds (node ${process.version})`
)
console.log(
  "| what | statements per acquire c=1 | ops/s c=1 | p99 c=1 | statements per acquire c=64 | ops/s c=64 | p99 c=64 |"
)
console.log("|---|---:|---:|---:|---:|---:|---:|")
const rows: Array<[string, Counted, Sample, Counted, Sample]> = [
  ["@bing-effect/quota-tracker (PostgresStore.layer, group commit)", stmtOurs1, o1, stmtOurs64, o64],
  ["rate-limiter-flexible RateLimiterPostgres x3 (pg Pool, Promise.all)", stmtRlf1, r1, stmtRlf64, r64]
]
for (const [name, n1, c1, n64, c64] of rows) {
  console.log(
    `| ${name} | ${per(n1).toFixed(2)} | ${fmt(c1.rate)} | ${c1.p99.toFixed(1)} ms | ${per(n64).toFixed(2)} (${
      fmt(n64.statements)
    } calls / ${fmt(n64.acquires)} acquires) | ${fmt(c64.rate)} | ${c64.p99.toFixed(1)} ms |`
  )
}
const vsRlf = o64.rate / r64.rate
console.log(`ours / rate-limiter-flexible, ops/s: c=1 ${(o1.rate / r1.rate).toFixed(2)}x, c=64 ${vsRlf.toFixed(2)}x`)
console.log(
  `exactness, 200 at once, day limit 50: ours admitted ${
    oursResults.filter(Exit.isSuccess).length
  }, month counter ${oursMonth}; rate-limiter-flexible admitted ${
    rlfResults.filter((r) => r.status === "fulfilled").length
  }, month counter ${rlfMonth} (it counts the refused ones in the other windows)`
)
let failed = per(stmtOurs1) !== 1 || per(stmtOurs64) > 1
if (failed) {
  console.log(
    `FAIL: ${per(stmtOurs1).toFixed(2)} statements per acquire at c=1 (not exactly 1), ${
      per(stmtOurs64).toFixed(2)
    } at c=64 (more than 1)`
  )
}
if (flags["min-rlf"] !== undefined && vsRlf < Number(flags["min-rlf"])) {
  console.log(`FAIL: ours / rate-limiter-flexible at c=64 ${vsRlf.toFixed(2)}x < ${flags["min-rlf"]}x`)
  failed = true
}

// clean up this run's tables
await pool.query(`DROP TABLE IF EXISTS "${rlfTable}"`)
await pool.query(`DROP TABLE IF EXISTS "${table}"`)
await pool.query(`DROP FUNCTION IF EXISTS "${table}_acquire_v1"`)
await pool.query(`DROP FUNCTION IF EXISTS "${table}_acquire_batch_v1"`)
await pool.end()
await countedPool.end()
await Effect.runPromise(Scope.close(scope, Exit.void))
proxy.close()
if (failed) process.exitCode = 1
