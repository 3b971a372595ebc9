/**
 * `bing-search quota --store <spec>` shows the history gateways wrote to that store: a real
 * gateway (its configuration decoded from a gateway.json text, `history.sampleIntervalMs` in it)
 * fronting the emulator, its tier chain switching S15 -> S16, writes its samples and events into a
 * real SQLite file, a real Redis (a prefix of this run) and a real PostgreSQL (a table of this
 * run); then the CLI, run as a user runs it,
 * shows the sparklines and the switch, and `--json` carries them. A store no gateway wrote to says
 * so in one line.
 */
import { Emulator } from "@bing-effect/emulator"
import { Gateway, GatewayConfig } from "@bing-effect/gateway"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"
import { HttpServer } from "effect/http"
import * as Reactivity from "effect/reactivity/Reactivity"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createClient } from "redis"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { bin, run, transcript } from "./support/run.js"

const secret = (name: string) => `test-${name}-${randomBytes(12).toString("hex")}`
const keys = { s15: secret("h15"), s16: secret("h16"), client: secret("hcl") }
const dir = mkdtempSync(join(tmpdir(), "bing-search-history-"))
const tiersFile = join(dir, "tiers.json")
const tiers = [
  { name: "S15", keyEnv: "KEY_S15", limits: { perDay: 3 } },
  { name: "S16", keyEnv: "KEY_S16", limits: { perDay: 100 } }
]
let emu: Emulator.EmulatorHandle

beforeAll(async () => {
  emu = await Emulator.start({
    port: 0,
    keys: [{ name: "S15", key: keys.s15, limits: { perDay: 3 } }, { name: "S16", key: keys.s16 }]
  })
  writeFileSync(tiersFile, JSON.stringify(tiers))
})

afterAll(async () => {
  await emu.stop()
  const everything = transcript.join("\n")
  for (const key of Object.values(keys)) expect(everything).not.toContain(key)
})

const env = (store: string, prefix?: string) => ({
  BING_SEARCH_ENDPOINT: emu.url,
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  BING_SEARCH_TIERS: tiersFile,
  BING_SEARCH_STORE: store,
  ...(prefix === undefined ? {} : { BING_SEARCH_STORE_PREFIX: prefix }),
  KEY_S15: keys.s15,
  KEY_S16: keys.s16
})

const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/**
 * A gateway on `store` serves 5 searches (S15's 3, then S16's), samples for a while, and stops:
 * its last write is in the store when this resolves.
 */
const gatewayWrites = (store: string, prefix?: string) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    emu.reset()
    const config = yield* GatewayConfig.decode(
      JSON.stringify({
        upstream: { endpoint: emu.url, allowInsecureLoopback: true },
        tiers,
        clients: [{ name: "team-a", keyEnv: "CLIENT_KEY" }],
        store,
        ...(prefix === undefined ? {} : { storePrefix: prefix }),
        history: { sampleIntervalMs: 100, maxEvents: 50 }
      }),
      { source: "gateway.json", env: { KEY_S15: keys.s15, KEY_S16: keys.s16, CLIENT_KEY: keys.client } }
    )
    const context = yield* Layer.build(Gateway.layerNode(config, { port: 0, drainTimeout: "2 seconds" }))
    const base = HttpServer.formatAddress(Context.get(context, HttpServer.HttpServer).address)
    yield* realSleep(250)
    for (let i = 0; i < 5; i++) {
      const status = yield* Effect.promise(() =>
        fetch(`${base}/v7.0/search?q=dinghy${i}`, { headers: { "Ocp-Apim-Subscription-Key": keys.client } })
          .then(async (r) => {
            await r.arrayBuffer()
            return r.status
          })
      )
      expect(status).toBe(200)
      yield* realSleep(150)
    }
    // a few more samples after the switch, at 100 ms each
    yield* realSleep(500)
  })))

interface HistoryJson {
  readonly active: string
  readonly history: {
    readonly store: string
    readonly shared: boolean
    readonly samples: ReadonlyArray<
      { readonly tier: string; readonly window: string; readonly samples: ReadonlyArray<[number, number]> }
    >
    readonly events: ReadonlyArray<
      { readonly atMs: number; readonly kind: string; from?: string; to?: string; reason?: string; tier?: string }
    >
  }
}

/** What the CLI shows of a store a gateway wrote to. */
const showsTheGatewaysHistory = async (store: string, prefix?: string) => {
  const started = Date.now()
  await gatewayWrites(store, prefix)
  const text = await run(["quota"], env(store, prefix))
  expect(text.code).toBe(0)
  // the gateway's counts (same store, same prefix): S15 used up, S16 active
  expect(text.stdout).toContain("Active tier: S16")
  expect(text.stdout).toMatch(
    /History \(from the gateways on this store; last sample \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\):/
  )
  // a pipe: ASCII sparklines, from 0 (before any search) up to S15's 3
  const s15 = text.stdout.split("\n").find((l) => /^ {2}S15 day +\S/.test(l))
  expect(s15, text.stdout).toMatch(/^ {2}S15 day {2}[_.\-~=+*#]{4,}  0 -> 3 in \d/)
  expect(s15!.length).toBeLessThanOrEqual(80)
  expect(text.stdout).toMatch(/^ {2}S16 day {2}[_.\-~=+*#]+  0 -> 2 in /m)
  expect(text.stdout).toContain("Recent events (newest first):")
  expect(text.stdout).toMatch(/^ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}switch S15 -> S16 \(exhausted\)$/m)
  expect(text.stdout).toMatch(
    /^ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}exhausted S15 day until \d{4}-\d\d-\d\d 00:00:00 UTC$/m
  )
  expect(text.stdout).toMatch(/threshold S15 day crossed 80%/)

  // narrow: every line of the history fits (the table's heading keeps a store URL longer than that whole)
  const narrow = await run(["quota"], { ...env(store, prefix), COLUMNS: "40" })
  expect(narrow.code).toBe(0)
  const section = narrow.stdout.slice(narrow.stdout.indexOf("\nHistory"))
  expect(section).toContain("switch S15 -> S16")
  for (const line of section.split("\n")) expect(line.length, line).toBeLessThanOrEqual(40)
  expect(narrow.stdout).toMatch(/^ {2}S15 day {2}[_.\-~=+*#]{4,}/m)

  const out = await run(["quota", "--json"], env(store, prefix))
  expect(out.code).toBe(0)
  const json = JSON.parse(out.stdout) as HistoryJson
  expect(json.active).toBe("S16")
  expect([json.history.store, json.history.shared]).toEqual([store.split(":")[0], true])
  const series = (tier: string, window: string) =>
    json.history.samples.find((s) => s.tier === tier && s.window === window)!.samples
  const day = series("S15", "day")
  expect(day.length).toBeGreaterThanOrEqual(5)
  expect(day.at(0)![1]).toBe(0)
  expect(day.at(-1)![1]).toBe(3)
  const ats = day.map(([at]) => at)
  expect(ats).toEqual([...ats].sort((a, b) => a - b))
  expect(ats[0]).toBeGreaterThanOrEqual(started)
  expect(series("S16", "day").at(-1)![1]).toBe(2)
  const switches = json.history.events.filter((e) => e.kind === "switch")
  expect(switches.map((e) => [e.from, e.to, e.reason])).toEqual([["S15", "S16", "exhausted"]])
  const times = json.history.events.map((e) => e.atMs)
  expect(times).toEqual([...times].sort((a, b) => b - a))
  expect(json.history.events.some((e) => e.kind === "exhausted" && e.tier === "S15")).toBe(true)
  return json
}

/** `quota --watch --json` in a pipe: the first line carries the history too; SIGINT ends it with 0. */
const watchJson = (store: string, prefix?: string) =>
  new Promise<{ code: number | null; lines: Array<string> }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "quota", "--watch", "--json"], {
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env(store, prefix) },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d
      if (stdout.split("\n").length > 2) child.kill("SIGINT")
    })
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`quota --watch --json did not end: ${stdout}`))
    }, 15_000)
    child.on("close", (code) => {
      clearTimeout(timer)
      transcript.push(stdout)
      resolve({ code, lines: stdout.split("\n").filter((l) => l !== "") })
    })
  })

describe("quota --store: the gateways' history", () => {
  it("a real SQLite file a gateway wrote: the sparklines, the switch and the events; --json; --watch --json", async () => {
    const store = `sqlite:${join(dir, "gateway.db")}`
    await showsTheGatewaysHistory(store)
    const watched = await watchJson(store)
    expect(watched.code).toBe(0)
    const first = JSON.parse(watched.lines[0]!) as HistoryJson
    expect(first.history.events.some((e) => e.kind === "switch")).toBe(true)
    expect(first.history.samples.find((s) => s.tier === "S15" && s.window === "day")!.samples.length)
      .toBeGreaterThan(0)
  })

  it("a SQLite file no gateway wrote to: one line, and an empty history in --json", async () => {
    const store = `sqlite:${join(dir, "empty.db")}`
    const text = await run(["quota"], env(store))
    expect(text.code).toBe(0)
    expect(text.stdout.trimEnd().split("\n").at(-1)).toBe(
      "History: none in this store yet (no gateway has written any to this file)"
    )
    const json = JSON.parse((await run(["quota", "--json"], env(store))).stdout) as HistoryJson
    expect(json.history.store).toBe("sqlite")
    expect(json.history.events).toEqual([])
    expect(json.history.samples.map((s) => [s.tier, s.window, s.samples.length])).toEqual([
      ["S15", "day", 0],
      ["S16", "day", 0]
    ])
  })

  it("the memory store: one line saying it holds no shared history", async () => {
    const text = await run(["quota"], env("memory"))
    expect(text.code).toBe(0)
    expect(text.stdout.trimEnd().split("\n").at(-1)).toBe(
      "History: none (a memory store shares none; see sqlite:, redis://, postgres://)"
    )
    const json = JSON.parse((await run(["quota", "--json"], env("memory"))).stdout) as HistoryJson
    expect([json.history.store, json.history.shared, json.history.events]).toEqual(["memory", false, []])
  })
})

describe.skipIf(!inject("redis"))("quota --store redis://: the gateways' history", () => {
  const url = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"
  const prefix = `bing-search-history-test:${randomBytes(6).toString("hex")}:`

  afterAll(async () => {
    const client = createClient({ url })
    await client.connect()
    const found: Array<string> = []
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*` })) found.push(...batch)
    if (found.length > 0) await client.del(found)
    await client.close()
  })

  it("a real Redis a gateway wrote to (its prefix): the sparklines, the switch and the events; --json", async () => {
    await showsTheGatewaysHistory(url, prefix)
    const client = createClient({ url })
    await client.connect()
    const found: Array<string> = []
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*` })) found.push(...batch)
    await client.close()
    // what was read is what the gateway wrote, under its prefix
    expect(found).toContain(`${prefix}history:tier:{S15}:day:fine`)
    expect(found).toContain(`${prefix}{history}:events`)
  })

  it("another prefix, where no gateway wrote: one line naming the prefix", async () => {
    const other = `${prefix}nobody:`
    const text = await run(["quota"], env(url, other))
    expect(text.code).toBe(0)
    expect(text.stdout.replace(/\s+/g, " ")).toContain(
      `History: none in this store yet (no gateway has written any under the prefix ${other}; a gateway's default is bing-gateway:quota:, see --store-prefix)`
    )
  })
})

describe.skipIf(!inject("postgres"))("quota --store postgres://: the gateways' history", () => {
  const url = process.env["POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
  const table = `bing_search_history_${randomBytes(6).toString("hex")}`
  const prefix = "cli-history:"
  const at = new URL(url)
  at.searchParams.set("table", table)
  const store = at.toString()
  const sql = <A>(text: string, params: ReadonlyArray<unknown> = []) =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(
        PgClient.make({ url: Redacted.make(url), maxConnections: 1 }),
        (client) => client.unsafe<A & object>(text, params as Array<unknown>)
      )).pipe(Effect.provide(Reactivity.layer))
    )

  afterAll(async () => {
    await sql(`DROP TABLE IF EXISTS "${table}"`)
    await sql(`DROP FUNCTION IF EXISTS "${table}_acquire_v1"`)
    await sql(`DROP FUNCTION IF EXISTS "${table}_acquire_batch_v1"`)
    // the history tables are shared by every gateway of the database: only this test's rows go
    for (const t of ["samples", "events", "seen", "served"]) {
      await sql(`DELETE FROM gateway_history_${t} WHERE ns LIKE $1`, [`${table}|%`])
    }
  })

  it("a real PostgreSQL a gateway wrote to (its table and prefix): the sparklines, the switch and the events; --json", async () => {
    await showsTheGatewaysHistory(store, prefix)
    const rows = await sql<{ n: string }>(`SELECT COUNT(*) AS n FROM gateway_history_events WHERE ns = $1`, [
      `${table}|${prefix}`
    ])
    expect(Number(rows[0]!.n)).toBeGreaterThan(0)
  })

  it("another prefix, where no gateway wrote: one line naming the prefix", async () => {
    const text = await run(["quota"], env(store, "cli-nobody:"))
    expect(text.code).toBe(0)
    expect(text.stdout.replace(/\s+/g, " ")).toContain(
      "History: none in this store yet (no gateway has written any under the prefix cli-nobody: for this table; see --store-prefix)"
    )
  })
})
