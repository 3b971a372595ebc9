/**
 * `bing-search quota` and the shared stores: counts kept in a SQLite file, in Redis or in PostgreSQL
 * are seen by the next run (another process), and the quota table shows them.
 */
import { Emulator } from "@bing-effect/emulator"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import { randomBytes } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createClient } from "redis"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { run, transcript } from "./support/run.js"

const secret = (name: string) => `test-${name}-${randomBytes(12).toString("hex")}`
const keys = { s15: secret("s15"), s16: secret("s16") }
const dir = mkdtempSync(join(tmpdir(), "bing-search-quota-"))
const tiersFile = join(dir, "tiers.json")
let emu: Emulator.EmulatorHandle

beforeAll(async () => {
  emu = await Emulator.start({
    port: 0,
    keys: [
      { name: "S15", key: keys.s15, limits: { perDay: 3 } },
      { name: "S16", key: keys.s16, limits: { perDay: 100 } }
    ]
  })
  writeFileSync(
    tiersFile,
    JSON.stringify([
      { name: "S15", keyEnv: "KEY_S15", limits: { perDay: 3 } },
      { name: "S16", keyEnv: "KEY_S16", limits: { perDay: 100, perSecond: 50 } }
    ])
  )
})

afterAll(async () => {
  await emu.stop()
  const everything = transcript.join("\n")
  for (const key of Object.values(keys)) expect(everything).not.toContain(key)
})

const env = (store: string, extra: Record<string, string> = {}) => ({
  BING_SEARCH_ENDPOINT: emu.url,
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  BING_SEARCH_TIERS: tiersFile,
  BING_SEARCH_STORE: store,
  KEY_S15: keys.s15,
  KEY_S16: keys.s16,
  ...extra
})

/** The cells after the window name in a tier's row of the quota table: [bar, percent, used, limit, remaining, resets, forecast]. */
const row = (table: string, tier: string, window: string): Array<string> | undefined => {
  const lines = table.split("\n")
  const start = lines.findIndex((l) => l.startsWith(`${tier} `))
  for (let i = start; i >= 0 && i < lines.length; i++) {
    const cells = lines[i]!.trim().split(/\s{2,}/)
    const at = cells.indexOf(window)
    if (at >= 0) return cells.slice(at + 1)
    if (i > start && lines[i]!.match(/^\S/)) break
  }
  return undefined
}

/** Runs searches and the quota command against one store, two processes sharing the counts. */
const sharedAcrossRuns = async (store: string, extra: Record<string, string> = {}) => {
  emu.reset()
  const first = await run(["web", "one", "-n", "1"], env(store, extra))
  expect(first.code).toBe(0)
  const second = await run(["web", "two", "-n", "1"], env(store, extra))
  expect(second.code).toBe(0)
  const quota = await run(["quota"], env(store, extra))
  expect(quota.code).toBe(0)
  expect(quota.stdout).toContain("Active tier: S15")
  expect(row(quota.stdout, "S15", "day")?.slice(2, 5)).toEqual(["2", "3", "1"])
  expect(row(quota.stdout, "S15", "day")?.slice(0, 2)).toEqual(["[#############.......]", "67%"])
  // a fresh process has no measured rate: the forecast extrapolates the average since midnight
  expect(row(quota.stdout, "S15", "day")?.[6]).toMatch(
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(avg\)$|^lasts to reset \(avg\)$/
  )
  // two more: S15 runs out after the third, the fourth goes to S16
  expect((await run(["web", "three", "-n", "1"], env(store, extra))).stdout).toContain("tier S15")
  const fourth = await run(["web", "four", "-n", "1"], env(store, extra))
  expect(fourth.code).toBe(0)
  expect(fourth.stdout).toContain("tier S16, 1 attempt")
  // this process found S15 exhausted in the shared store: the tracker's switch event, then why and until when
  expect(fourth.stderr).toContain("note: Switched from S15 to S16: S15 is exhausted")
  expect(fourth.stderr).toMatch(
    /note: S16 served this search: S15 is exhausted \(day\) until \d{4}-\d\d-\d\d 00:00:00 UTC/
  )
  const after = await run(["quota"], env(store, extra))
  expect(after.stdout).toContain("Active tier: S16")
  expect(after.stdout).toMatch(/\nS16 \*/)
  expect(row(after.stdout, "S15", "day")?.slice(2, 5)).toEqual(["3", "3", "0"])
  expect(row(after.stdout, "S15", "day")?.[6]).toBe("exhausted")
  expect(row(after.stdout, "S16", "day")?.slice(2, 5)).toEqual(["1", "100", "99"])
  expect(after.stdout).toMatch(/S15 is exhausted \(day\) until \d{4}-\d\d-\d\d 00:00:00 UTC/)
  const json = JSON.parse((await run(["quota", "--json"], env(store, extra))).stdout) as {
    active: string
    store: string
    tiers: Array<{ name: string; windows: Array<{ window: string; used: number; limit: number }> }>
  }
  expect(json.active).toBe("S16")
  expect(json.tiers.map((t) => [t.name, t.windows.find((w) => w.window === "day")?.used])).toEqual([["S15", 3], [
    "S16",
    1
  ]])
  return json
}

describe("quota", () => {
  it("with the memory store: a fresh table for this process, and a hint", async () => {
    const r = await run(["quota"], env("memory"))
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("store memory")
    expect(row(r.stdout, "S15", "day")?.slice(2, 5)).toEqual(["0", "3", "3"])
    expect(row(r.stdout, "S16", "second")?.slice(2, 5)).toEqual(["0", "50", "50"])
    expect(r.stdout).toContain("counts cover this process only")
  })

  it("with a SQLite file: counts are shared across runs", async () => {
    const json = await sharedAcrossRuns(`sqlite:${join(dir, "quota.db")}`)
    expect(json.store).toBe("sqlite")
  })

  it("an unusable store is a StoreUnavailable error", async () => {
    const r = await run(["quota"], env(`sqlite:${join(dir, "no", "such", "dir", "q.db")}`))
    expect(r.code).toBe(23)
    expect(r.stderr).toContain("error [QuotaError/StoreUnavailable] The sqlite quota store is unavailable")
  })
})

describe.skipIf(!inject("redis"))("quota with Redis", () => {
  const url = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"
  const prefix = `bing-search-test:${randomBytes(6).toString("hex")}:`

  afterAll(async () => {
    const client = createClient({ url })
    await client.connect()
    const found: Array<string> = []
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*` })) found.push(...batch)
    if (found.length > 0) await client.del(found)
    await client.close()
  })

  it("counts are shared across runs", async () => {
    const json = await sharedAcrossRuns(url, { BING_SEARCH_STORE_PREFIX: prefix })
    expect(json.store).toBe("redis")
    const client = createClient({ url })
    await client.connect()
    const found: Array<string> = []
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*` })) found.push(...batch)
    await client.close()
    expect(found.some((k) => k.startsWith(`${prefix}{S15}:day:`))).toBe(true)
  })

  it("a Redis that cannot be reached is a StoreUnavailable error", async () => {
    const r = await run(["quota"], env("redis://127.0.0.1:1", { BING_SEARCH_STORE_PREFIX: prefix }))
    expect(r.code).toBe(23)
    expect(r.stderr).toContain(
      "error [QuotaError/StoreUnavailable] The redis quota store is unavailable: cannot connect to redis://127.0.0.1:1"
    )
  })
})

describe.skipIf(!inject("postgres"))("quota with PostgreSQL", () => {
  const url = process.env["POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
  const table = `bing_search_test_${randomBytes(6).toString("hex")}`
  const sql = <A>(text: string) =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(
        PgClient.make({ url: Redacted.make(url), maxConnections: 1 }),
        (client) => client.unsafe<A & object>(text)
      )).pipe(Effect.provide(Reactivity.layer))
    )

  afterAll(async () => {
    await sql(`DROP TABLE IF EXISTS "${table}"`)
    await sql(`DROP FUNCTION IF EXISTS "${table}_acquire_v1"`)
    await sql(`DROP FUNCTION IF EXISTS "${table}_acquire_batch_v1"`)
  })

  it("counts are shared across runs, in the table the URL names", async () => {
    const at = new URL(url)
    at.searchParams.set("table", table)
    const json = await sharedAcrossRuns(at.toString(), { BING_SEARCH_STORE_PREFIX: "cli:" })
    expect(json.store).toBe("postgres")
    const rows = await sql<{ key: string; value: number }>(
      `SELECT key, value FROM "${table}" WHERE key ~ '^cli:[{]S15[}]:day:[0-9]+$'`
    )
    // the day's count under the prefix (beside it, the tracker's claims of the warnings it fired)
    expect(rows.map((r) => r.value)).toEqual([3])
  })

  it("a PostgreSQL that cannot be reached is a StoreUnavailable error, without its password", async () => {
    const r = await run(["quota"], env("postgres://app:hunter2-secret@127.0.0.1:1/test"))
    expect(r.code).toBe(23)
    expect(r.stderr).toContain(
      "error [QuotaError/StoreUnavailable] The postgres quota store is unavailable: cannot connect to postgres://127.0.0.1:1/test"
    )
    expect(r.stderr + r.stdout).not.toContain("hunter2")
  })
})
