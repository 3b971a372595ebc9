/**
 * PostgreSQL outages under load: worker processes call one emulator through the client, counting
 * in one PostgreSQL table, while
 * 1. the store's server processes are killed (`pg_terminate_backend` of every connection of the
 *    workers, twice) on the shared server, and
 * 2. a throwaway server of the scenario's own (initdb + pg_ctl on a free port) crashes (immediate
 *    shutdown, by its pid) and is started again on the same data.
 * Every call ends either admitted or with QuotaError/StoreUnavailable (no defect, no hang), the
 * store resumes by itself, and no count is lost: the table holds at least what the emulator
 * served, and at most that plus the acquires whose answer the outage cut off (each of which the
 * caller saw as StoreUnavailable).
 */
import { Emulator } from "@bing-effect/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  dropStoreTable,
  ownPostgresServer,
  type PostgresServer,
  postgresUrl,
  skipPostgres,
  storedCounts,
  terminateBackends
} from "./postgres.js"
import { type Child, fixture, killChildren, printFigures, runId, secret, sleep, spawnNode } from "./support.js"

const WORKERS = 3
const CONCURRENCY = 8
// each fiber waits after a call, so that the calls failing fast while the server is down do not
// use up a worker's calls before it is back: the restart scenario runs long enough to see it return
const PLANS = { kill: { total: 500, pauseMs: 10 }, restart: { total: 800, pauseMs: 25 } } as const

interface Result {
  readonly tally: Record<string, number>
  readonly usedDay: Record<string, number | null>
}

const progressOf = (w: Child): number => {
  const all = [...w.out.matchAll(/^PROGRESS (\d+)$/gm)]
  return all.length === 0 ? 0 : Number(all[all.length - 1]![1])
}

/** ms until the emulator serves one more call with the tier's key than `from` (20 s at most). */
const untilServed = async (emulator: Emulator.EmulatorHandle, tier: string, from: number): Promise<number> => {
  const started = performance.now()
  while (emulator.usage(tier).served <= from && performance.now() - started < 20_000) await sleep(5)
  return Math.round(performance.now() - started)
}

const untilProgress = async (workers: ReadonlyArray<Child>, n: number): Promise<void> => {
  for (let i = 0; i < 600 && workers.some((w) => progressOf(w) < n); i++) await sleep(25)
}

describe("PostgreSQL outages under load", () => {
  let emulator: Emulator.EmulatorHandle
  const keys = { kill: secret("pg-kill"), restart: secret("pg-restart") }
  const own = ownPostgresServer("PostgreSQL restart scenario")
  let server: PostgresServer | undefined
  const tables: Array<string> = []

  beforeAll(async () => {
    emulator = await Emulator.start({
      keys: [{ name: "kill", key: keys.kill }, { name: "restart", key: keys.restart }],
      requestLogSize: 10_000
    })
  })
  afterAll(async () => {
    killChildren()
    await emulator.stop()
    if (!skipPostgres) { for (const t of tables) await dropStoreTable(postgresUrl, t) }
    await server?.close()
  })

  /** Starts the workers on a table; `during` disturbs the server once they are under way. */
  const run = async (
    tier: "kill" | "restart",
    url: string,
    during: (workers: ReadonlyArray<Child>) => Promise<void>
  ) => {
    const table = `bing_reliability_${tier}_${runId}`
    tables.push(table)
    const applicationName = `bing-reliability-${tier}-${runId}`
    const workers: Array<Child> = []
    for (let p = 0; p < WORKERS; p++) {
      workers.push(spawnNode(fixture("client-worker.ts"), [], {
        RELIABILITY_WORKER: JSON.stringify({
          mode: "loop",
          endpoint: emulator.url,
          store: { kind: "postgres", url, table, applicationName, maxConnections: 4, timeout: 2000 },
          tiers: [{ name: tier, limits: { perDay: 1_000_000 } }],
          total: PLANS[tier].total,
          concurrency: CONCURRENCY,
          pauseMs: PLANS[tier].pauseMs
        }),
        RELIABILITY_KEYS: JSON.stringify({ [tier]: keys[tier] })
      }))
    }
    await during(workers)
    const results = await Promise.all(
      workers.map(async (w) => JSON.parse((await w.waitFor(/^RESULT (.*)$/m, 90_000))[1]!) as Result)
    )
    await Promise.all(workers.map((w) => w.exited))
    const tally: Record<string, number> = {}
    for (const r of results) for (const [k, v] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + v
    const stored = Object.entries(await storedCounts(url, table))
      .filter(([k]) => k.startsWith(`{${tier}}:day:`))
      .reduce((n, [, v]) => n + v, 0)
    const served = emulator.usage(tier).served
    const outputs = workers.map((w) => w.out + w.err).join("\n")
    return { calls: WORKERS * PLANS[tier].total, tally, stored, served, outputs }
  }

  const check = (r: Awaited<ReturnType<typeof run>>) => {
    const unavailable = r.tally["QuotaError/StoreUnavailable"] ?? 0
    expect(Object.keys(r.tally).filter((k) => k !== "ok" && k !== "QuotaError/StoreUnavailable")).toEqual([])
    expect((r.tally["ok"] ?? 0) + unavailable).toBe(r.calls)
    expect(r.served).toBe(r.tally["ok"] ?? 0)
    expect(r.stored).toBeGreaterThanOrEqual(r.served) // no count lost
    expect(r.stored - r.served).toBeLessThanOrEqual(unavailable) // over-count: only cut-off answers
    for (const k of Object.values(keys)) expect(r.outputs).not.toContain(k)
  }

  it.skipIf(skipPostgres)(
    "the store's connections killed twice mid-run (pg_terminate_backend): typed errors, no count lost",
    async () => {
      emulator.reset()
      const kills: Array<{ at: number; terminated: number; resumedMs: number }> = []
      const r = await run("kill", postgresUrl, async (workers) => {
        for (const at of [120, 300]) {
          await untilProgress(workers, at)
          const terminated = await terminateBackends(postgresUrl, `bing-reliability-kill-${runId}`)
          const resumedMs = await untilServed(emulator, "kill", emulator.usage("kill").served)
          kills.push({ at, terminated, resumedMs })
        }
      })
      const unavailable = r.tally["QuotaError/StoreUnavailable"] ?? 0
      printFigures("PostgreSQL: the store's server processes killed twice mid-run (3 workers x 500, 8 at a time)", {
        calls: r.calls,
        "connections terminated (1st, 2nd)": kills.map((k) => k.terminated).join(", "),
        admitted: r.tally["ok"] ?? 0,
        "refused (StoreUnavailable)": unavailable,
        "emulator served": r.served,
        "table day count": r.stored,
        "counts lost (served - table, if > 0)": Math.max(0, r.served - r.stored),
        "over-count (table - served), bound: StoreUnavailable": `${r.stored - r.served} <= ${unavailable}`,
        "next call served after each kill (ms)": kills.map((k) => k.resumedMs).join(", ")
      })
      expect(kills.every((k) => k.terminated > 0)).toBe(true)
      check(r)
    },
    120_000
  )

  it.skipIf(own.skip)(
    "a server of its own crashed (immediate shutdown) and restarted mid-run: typed errors, no count lost",
    async () => {
      emulator.reset()
      server = await own.start()
      const pg = server
      const url = pg.url
      let downMs = 0
      let firstOkAfterMs = 0
      let servedBefore = 0
      const r = await run("restart", url, async (workers) => {
        await untilProgress(workers, 150)
        const stoppedAt = performance.now()
        await pg.stop("immediate")
        servedBefore = emulator.usage("restart").served
        await sleep(1000)
        await pg.start()
        downMs = Math.round(performance.now() - stoppedAt)
        firstOkAfterMs = await untilServed(emulator, "restart", emulator.usage("restart").served)
      })
      const unavailable = r.tally["QuotaError/StoreUnavailable"] ?? 0
      printFigures(
        "PostgreSQL: own server crashed (SIGQUIT, immediate) and restarted mid-run (3 workers x 800, 8 at a time)",
        {
          calls: r.calls,
          "server down (ms, crash to accepting again)": downMs,
          admitted: r.tally["ok"] ?? 0,
          "refused (StoreUnavailable)": unavailable,
          "emulator served": r.served,
          "table day count (after WAL recovery)": r.stored,
          "counts lost (served - table, if > 0)": Math.max(0, r.served - r.stored),
          "over-count (table - served), bound: StoreUnavailable": `${r.stored - r.served} <= ${unavailable}`,
          "served before the crash": servedBefore,
          "first call served after the restart (ms)": firstOkAfterMs
        }
      )
      expect(unavailable).toBeGreaterThan(0)
      check(r)
    },
    120_000
  )
})
