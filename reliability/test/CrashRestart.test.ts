/**
 * Crash and restart: three worker processes call one emulator through the client, counting in a
 * shared store (a SQLite file, then a Redis prefix). One is killed with SIGKILL mid-burst. After a
 * restart (a fresh process on the same store) the stored day usage is at least what the emulator
 * actually served with that key (no quota forgotten) and at most that plus the calls the killed
 * process had in flight (acquired, not yet answered), which its concurrency bounds.
 */
import { Emulator } from "@bing-effect/emulator"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Child,
  fixture,
  killChildren,
  printFigures,
  redisKeys,
  redisUrl,
  runId,
  secret,
  skipRedis,
  spawnNode
} from "./support.js"

const WORKERS = 3
const TOTAL = 600
const CONCURRENCY = 16
const KILL_AFTER = 100
const RESTART_CALLS = 30

describe("crash and restart", () => {
  let emulator: Emulator.EmulatorHandle
  const dir = mkdtempSync(join(tmpdir(), "bing-reliability-"))
  const keys = { sqlite: secret("crash-sqlite"), redis: secret("crash-redis") }
  const prefix = `bing-effect-reliability:${runId}:crash:`

  beforeAll(async () => {
    emulator = await Emulator.start({
      keys: [{ name: "sqlite", key: keys.sqlite }, { name: "redis", key: keys.redis }]
    })
  })
  afterAll(async () => {
    killChildren()
    await emulator.stop()
    rmSync(dir, { recursive: true, force: true })
    if (!skipRedis) await redisKeys(redisUrl, `${prefix}*`, true)
  })

  const run = async (kind: "sqlite" | "redis", storedUsage: () => Promise<number>) => {
    const store = kind === "sqlite" ? { kind, filename: join(dir, "quota.sqlite") } : { kind, url: redisUrl, prefix }
    const env = (total: number) => ({
      RELIABILITY_WORKER: JSON.stringify({
        mode: "loop",
        endpoint: emulator.url,
        store,
        tiers: [{ name: kind, limits: { perDay: 1_000_000 } }],
        total,
        concurrency: CONCURRENCY
      }),
      RELIABILITY_KEYS: JSON.stringify({ [kind]: keys[kind] })
    })
    const workers: Array<Child> = Array.from(
      { length: WORKERS },
      () => spawnNode(fixture("client-worker.ts"), [], env(TOTAL))
    )
    const victim = workers[0]!
    await victim.waitFor(new RegExp(`^PROGRESS ${KILL_AFTER}$`, "m"), 60_000)
    victim.kill("SIGKILL")
    const killed = await victim.exited
    const victimDone = Math.max(0, ...[...victim.out.matchAll(/^PROGRESS (\d+)$/gm)].map((m) => Number(m[1])))
    const survivors = await Promise.all(
      workers.slice(1).map(async (w) =>
        JSON.parse((await w.waitFor(/^RESULT (.*)$/m, 60_000))[1]!) as {
          tally: Record<string, number>
        }
      )
    )
    await Promise.all(workers.map((w) => w.exited))
    // restart: a fresh process on the same store
    const restarted = spawnNode(fixture("client-worker.ts"), [], env(RESTART_CALLS))
    const after = JSON.parse((await restarted.waitFor(/^RESULT (.*)$/m, 60_000))[1]!) as {
      tally: Record<string, number>
      usedDay: Record<string, number>
    }
    await restarted.exited
    const served = emulator.usage(kind).served
    const stored = await storedUsage()
    const outputs = [...workers, restarted].map((w) => w.out + w.err).join("\n")
    printFigures(
      `crash and restart, ${kind} store (3 processes x ${TOTAL} calls, ${CONCURRENCY} at a time, one SIGKILLed)`,
      {
        "killed by": killed.signal ?? `exit ${killed.code}`,
        "victim calls answered before the kill (>=)": victimDone,
        "survivor calls ok": survivors.reduce((n, s) => n + (s.tally["ok"] ?? 0), 0),
        "restart calls ok": after.tally["ok"] ?? 0,
        "emulator served": served,
        "stored day usage (store read)": stored,
        "stored day usage (restarted tracker)": after.usedDay[kind] ?? -1,
        "over-count (in flight at kill)": stored - served,
        "in-flight bound": CONCURRENCY,
        "worker output lines scanned for keys": outputs.split("\n").length
      }
    )
    expect(killed.signal).toBe("SIGKILL")
    expect(victim.out).not.toMatch(/^RESULT/m)
    expect(victimDone).toBeLessThan(TOTAL)
    for (const s of survivors) expect(s.tally).toEqual({ ok: TOTAL })
    expect(after.tally).toEqual({ ok: RESTART_CALLS })
    expect(after.usedDay[kind]).toBe(stored)
    expect(stored).toBeGreaterThanOrEqual(served)
    expect(stored - served).toBeLessThanOrEqual(CONCURRENCY)
    for (const k of Object.values(keys)) expect(outputs).not.toContain(k)
  }

  it("SQLite: stored usage >= served, <= served + in flight at the kill", async () => {
    await run("sqlite", async () => {
      const db = new DatabaseSync(join(dir, "quota.sqlite"), { readOnly: true })
      try {
        const rows = db.prepare("SELECT key, value FROM quota_counters WHERE key LIKE '%:day:%'").all() as Array<
          { key: string; value: number }
        >
        return rows.reduce((n, r) => n + r.value, 0)
      } finally {
        db.close()
      }
    })
  }, 120_000)

  it.skipIf(skipRedis)("Redis: stored usage >= served, <= served + in flight at the kill", async () => {
    await run("redis", async () => {
      const stored = await redisKeys(redisUrl, `${prefix}*`)
      return Object.entries(stored).filter(([k]) => k.includes(":day:")).reduce((n, [, v]) => n + Number(v), 0)
    })
  }, 120_000)
})
