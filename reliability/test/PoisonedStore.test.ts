/**
 * A poisoned store key: another program writes something that is not a count at one window's key
 * (text, a fraction, a Redis list), in Redis and in a SQLite file, while a tracker counts there.
 *
 * - Fail-closed: every acquire fails with a typed StoreUnavailable that names the key (never its
 *   value), and no other window changes: 20 refused acquires add nothing to the month counter.
 * - Nothing ever reads as NaN: no `ThresholdCrossed` fires while the key is poisoned, `status`
 *   fails with the same error instead of showing `NaN`.
 * - Fail-open: the tracker counts in memory meanwhile and leaves fallback once the key holds a
 *   count again, pushing what it counted; then thresholds fire with real figures.
 */
/* oxlint-disable no-underscore-dangle -- `_tag` is the field name of Effect's tagged values */
import { type QuotaEvent, QuotaStore, QuotaTracker, Tier, Window } from "@bing-effect/quota-tracker"
import { RedisStore } from "@bing-effect/quota-tracker/redis"
import { Context, Effect, Exit, Layer, Redacted, Stream } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { createClient } from "redis"
import { afterAll, describe, expect, it } from "vitest"
import { Capture, classify, printFigures, redisKeys, redisUrl, runId, secret, skipRedis } from "./support.js"

const REFUSED = 20
const FALLBACK = 30
const dir = mkdtempSync(join(tmpdir(), "rel-poison-"))
const key = secret("poison")
const capture = new Capture()
const poisonValue = `poison-value-${runId}`
const prefixes: Array<string> = []

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  if (!skipRedis) { for (const prefix of prefixes) await redisKeys(redisUrl, `${prefix}*`, true) }
  expect(capture.leaks([key])).toEqual([])
})

interface Backend {
  readonly name: string
  readonly layer: () => Layer.Layer<QuotaStore.QuotaStore, unknown>
  /** The stored key of a slot key, as an operator would see it. */
  readonly stored: (slotKey: string) => string
  readonly poison: (slotKey: string, how: "text" | "fraction" | "list") => Promise<void>
  readonly repair: (slotKey: string, count: number) => Promise<void>
  readonly read: (slotKey: string) => Promise<string | undefined>
}

const redisBackend = (): Backend => {
  const prefix = `bing-effect-reliability:${runId}:poison:${prefixes.length}:`
  prefixes.push(prefix)
  const connect = () => createClient({ url: redisUrl, socket: { reconnectStrategy: false, connectTimeout: 2_000 } })
  const withClient = async <A>(f: (c: ReturnType<typeof connect>) => Promise<A>): Promise<A> => {
    const client = connect()
    client.on("error", () => {})
    await client.connect()
    try {
      return await f(client)
    } finally {
      client.destroy()
    }
  }
  return {
    name: "redis",
    layer: () => RedisStore.layer({ url: redisUrl, prefix, timeout: 500 }),
    stored: (k) => prefix + k,
    poison: (k, how) =>
      withClient(async (c) => {
        await c.del(prefix + k)
        if (how === "list") await c.rPush(prefix + k, poisonValue)
        else await c.set(prefix + k, how === "text" ? poisonValue : "2.5")
      }),
    repair: (k, count) =>
      withClient(async (c) => {
        await c.del(prefix + k)
        await c.set(prefix + k, String(count), { PX: 86_400_000 })
      }),
    read: (k) =>
      withClient(async (c) =>
        (await c.type(prefix + k)) === "string" ? (await c.get(prefix + k)) ?? undefined : undefined
      )
  }
}

const sqliteBackend = (): Backend => {
  const filename = join(dir, `poison-${Math.random().toString(36).slice(2)}.sqlite`)
  const run = <A>(f: (db: DatabaseSync) => A): A => {
    const db = new DatabaseSync(filename)
    try {
      return f(db)
    } finally {
      db.close()
    }
  }
  return {
    name: "sqlite",
    layer: () => QuotaStore.layerSqlite({ filename }),
    stored: (k) => k,
    poison: async (k, how) =>
      run((db) => {
        db.prepare(
          "INSERT INTO quota_counters (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        )
          .run(k, how === "fraction" ? 2.5 : poisonValue, Date.now() + 86_400_000)
      }),
    repair: async (k, count) => {
      run((db) => db.prepare("UPDATE quota_counters SET value = ? WHERE key = ?").run(count, k))
    },
    read: async (k) =>
      run((db) =>
        (db.prepare("SELECT value FROM quota_counters WHERE key = ?").get(k) as { value: unknown } | undefined)?.value
          ?.toString()
      )
  }
}

const backends: ReadonlyArray<readonly [string, () => Backend, boolean]> = [
  ["redis", redisBackend, skipRedis],
  ["sqlite", sqliteBackend, false]
]

for (const [name, makeBackend, skip] of backends) {
  describe.skipIf(skip)(`a poisoned store key (${name})`, () => {
    it(
      "is a typed StoreUnavailable naming the key, changes nothing, never reads as NaN, and fail-open recovers",
      async () => {
        const figures: Record<string, string | number | boolean> = {}
        const line: Record<string, Array<string>> = { named: [], month: [], nan: [], recovered: [], day: [] }
        for (const how of ["text", "fraction", ...(name === "redis" ? ["list" as const] : [])] as const) {
          const backend = makeBackend()
          const tier = Tier.make({ name: "T", key: Redacted.make(key), limits: { perDay: 100, perMonth: 1000 } })
          const result = await Effect.runPromise(capture.observe(Effect.scoped(Effect.gen(function*() {
            const now = Date.now()
            const dayKey = `{T}:day:${Window.periodStart("day", now)}`
            const monthKey = `{T}:month:${Window.periodStart("month", now)}`
            const store = yield* Layer.build(backend.layer())
            const events: Array<QuotaEvent.QuotaEvent> = []
            const tracker = (failOpen: boolean) =>
              Effect.gen(function*() {
                const base = Context.get(store, QuotaStore.QuotaStore)
                const quotaStore = failOpen ? yield* QuotaStore.makeFailOpen(base, { retryInterval: 200 }) : base
                const t = yield* QuotaTracker.make({ tiers: [tier], thresholds: [0.05] }).pipe(
                  Effect.provideService(QuotaStore.QuotaStore, quotaStore)
                )
                yield* Stream.runForEach(t.events, (e) =>
                  Effect.sync(() => {
                    events.push(e)
                    capture.add(e, e.message)
                  })).pipe(Effect.forkScoped)
                yield* Effect.yieldNow
                return t
              })

            // fail-closed
            const closed = yield* tracker(false)
            yield* closed.acquire() // the month and day keys exist, with 1
            yield* Effect.promise(() => backend.poison(dayKey, how))
            const tags: Record<string, number> = {}
            let namesKey = 0
            for (let i = 0; i < REFUSED; i++) {
              const exit = yield* Effect.exit(closed.acquire())
              capture.addExit(exit)
              const tag = classify(exit).tag
              tags[tag] = (tags[tag] ?? 0) + 1
              if (Exit.isFailure(exit) && String(exit.cause).includes(backend.stored(dayKey))) namesKey++
            }
            const monthAfter = Number(yield* Effect.promise(() => backend.read(monthKey)))
            const status = yield* Effect.exit(closed.status)
            capture.addExit(status)

            // fail-open: counts in memory, then back to the store once the key is repaired
            const open = yield* tracker(true)
            for (let i = 0; i < FALLBACK; i++) yield* open.acquire()
            const during = (yield* open.status).storeMode
            yield* Effect.promise(() => backend.repair(dayKey, 1))
            const repairedAt = performance.now()
            let mode = during
            for (let i = 0; i < 100 && mode !== "primary"; i++) {
              yield* Effect.sleep(50)
              mode = (yield* open.status).storeMode
            }
            const recoveredMs = performance.now() - repairedAt
            const dayAfter = Number(yield* Effect.promise(() => backend.read(dayKey)))
            yield* Effect.sleep(20)
            return { tags, namesKey, monthAfter, status, during, mode, recoveredMs, dayAfter, events }
          }))))
          const crossed = result.events.filter((e): e is QuotaEvent.ThresholdCrossed => e._tag === "ThresholdCrossed")
          const nan = capture.haystack.filter((h) => /\bNaN\b/.test(h)).length
          const valueShown = capture.haystack.filter((h) => h.includes(poisonValue)).length

          expect(result.tags).toEqual({ "QuotaError/StoreUnavailable": REFUSED })
          expect(result.namesKey).toBe(REFUSED)
          expect(result.monthAfter).toBe(1) // 20 refused acquires added nothing
          expect(classify(result.status).tag).toBe("QuotaError/StoreUnavailable")
          expect(result.during).toBe("fallback")
          expect(result.mode).toBe("primary")
          expect(result.dayAfter).toBe(1 + FALLBACK) // the repaired count plus every request counted in memory
          expect(nan).toBe(0)
          expect(valueShown).toBe(0)
          // thresholds: only real figures (the fail-open tracker's crossing, at 5 of 100)
          expect(crossed.every((e) => Number.isFinite(e.used) && e.used >= 5)).toBe(true)

          figures[`${how}: refused acquires, StoreUnavailable naming the key`] = `${result.namesKey}/${REFUSED}`
          figures[`${how}: month counter change`] = result.monthAfter - 1
          figures[`${how}: fail-open admitted in fallback`] = FALLBACK
          figures[`${how}: primary again after repair (ms)`] = result.recoveredMs
          figures[`${how}: day count after recovery`] = result.dayAfter
          figures[`${how}: NaN seen`] = nan
          line.named!.push(String(result.namesKey))
          line.month!.push(`+${result.monthAfter - 1}`)
          line.nan!.push(String(nan))
          line.recovered!.push(result.recoveredMs.toFixed(0))
          line.day!.push(String(result.dayAfter))
        }
        const kinds = name === "redis" ? "text/fraction/list" : "text/fraction"
        console.log(
          `poisoned ${name} key (${kinds}): StoreUnavailable naming the key ${
            line.named!.join("/")
          } of ${REFUSED}, month counter ${line.month!.join("/")}, ` +
            `NaN ${line.nan!.join("/")}; fail-open ${FALLBACK} admitted, primary ${
              line.recovered!.join("/")
            } ms after repair, day ${line.day!.join("/")}`
        )
        printFigures(`poisoned store key (${name})`, figures)
      },
      60_000
    )
  })
}
