/**
 * `bing-search` against stores that misbehave:
 *
 * - a Redis that accepts TCP connections and never answers (a real `redis-server` of this file's
 *   own, stopped with SIGSTOP): the store start-up gives up within the store timeout with exit 23,
 *   and SIGINT/SIGTERM during that start-up end the run with 130;
 * - a SQLite file whose count another program overwrote with text: `quota` exits 23 naming the
 *   key, never prints `NaN`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { connect, createServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { bin, run } from "./support/run.js"

const redisServer = (process.env["PATH"] ?? "").split(delimiter).map((d) => join(d, "redis-server")).find((c) => {
  try {
    accessSync(c, constants.X_OK)
    return true
  } catch {
    return false
  }
})

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

// a raw PING: no client library between the test and the server
const pong = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once("error", () => done(false))
    socket.once("connect", () => socket.write("PING\r\n"))
    socket.once("data", (chunk) => done(String(chunk).startsWith("+PONG")))
  })

interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
  readonly ms: number
}

/**
 * Runs the built CLI; `signal` is sent once `signalWhen` resolves; SIGKILL after `killAfterMs`
 * (then the test fails). `signalledAt` is when the signal was sent, in ms since the start.
 */
const runCli = (
  args: ReadonlyArray<string>,
  options: {
    readonly signal?: NodeJS.Signals
    readonly signalWhen?: Promise<unknown>
    readonly killAfterMs: number
  }
) =>
  new Promise<Exited & { readonly killed: boolean; readonly signalledAt: number | undefined }>((resolve) => {
    const started = Date.now()
    const env: Record<string, string> = { BING_SEARCH_KEY: "frozen-store-test-key" }
    for (const name of ["PATH", "HOME", "TMPDIR"]) if (process.env[name] !== undefined) env[name] = process.env[name]!
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    let killed = false
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.stdout.resume()
    const timers = [
      setTimeout(() => {
        killed = true
        child.kill("SIGKILL")
      }, options.killAfterMs)
    ]
    let signalledAt: number | undefined
    if (options.signal !== undefined) {
      void options.signalWhen?.then(() => {
        if (child.exitCode !== null || child.signalCode !== null) return
        signalledAt = Date.now() - started
        child.kill(options.signal)
      })
    }
    child.on("close", (code, signal) => {
      for (const t of timers) clearTimeout(t)
      resolve({ code, signal, stderr, ms: Date.now() - started, killed, signalledAt })
    })
  })

describe.skipIf(redisServer === undefined || !inject("redis"))("a frozen Redis at start-up", () => {
  let server: ChildProcess
  let url = ""

  beforeAll(async () => {
    const port = await freePort()
    server = spawn(redisServer!, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore"
    })
    let up = false
    for (let i = 0; i < 100 && !up; i++) {
      up = await pong(port)
      if (!up) await new Promise((r) => setTimeout(r, 50))
    }
    expect(up).toBe(true)
    process.kill(server.pid!, "SIGSTOP")
    expect(await pong(port)).toBe(false)
    url = `redis://127.0.0.1:${port}`
  })

  afterAll(async () => {
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return
    const gone = new Promise((r) => server.once("exit", r))
    process.kill(server.pid!, "SIGCONT")
    process.kill(server.pid!, "SIGKILL")
    await gone
  })

  it("quota --store redis://<frozen> exits 23 within a few seconds, with a StoreUnavailable message", async () => {
    const r = await runCli(["quota", "--store", url], { killAfterMs: 15_000 })
    expect(r.killed).toBe(false)
    expect(r.code).toBe(23)
    expect(r.ms).toBeLessThan(8_000)
    expect(r.stderr).toContain(
      `error [QuotaError/StoreUnavailable] The redis quota store is unavailable: cannot connect to ${url}`
    )
    expect(r.stderr).not.toContain("frozen-store-test-key")
  })

  // The signal goes once the CLI's connection reaches the frozen Redis, through a pass-through
  // TCP relay of the test's own: then the CLI is provably inside the store start-up, however long
  // Node took to start on a loaded machine (a fixed delay could land before its signal handlers).
  const relay = () =>
    new Promise<{ readonly url: string; readonly connected: Promise<void>; readonly close: () => void }>(
      (resolve) => {
        let connected!: () => void
        const reached = new Promise<void>((r) => (connected = r))
        const sockets = new Set<Socket>()
        const listener = createServer((socket) => {
          const upstream = connect(Number(new URL(url).port), "127.0.0.1")
          for (const s of [socket, upstream]) {
            sockets.add(s)
            s.on("error", () => s.destroy())
          }
          socket.pipe(upstream).pipe(socket)
          connected()
        })
        listener.listen(0, "127.0.0.1", () => {
          const address = listener.address()
          const port = typeof address === "object" && address !== null ? address.port : 0
          resolve({
            url: `redis://127.0.0.1:${port}`,
            connected: reached,
            close: () => {
              for (const s of sockets) s.destroy()
              listener.close()
            }
          })
        })
      }
    )

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} during the store start-up ends the run with 130`, async () => {
      const via = await relay()
      try {
        const r = await runCli(["quota", "--store", via.url], {
          signal,
          signalWhen: via.connected,
          killAfterMs: 15_000
        })
        expect(r.killed).toBe(false)
        expect(r.signalledAt).toBeDefined()
        expect(r.code).toBe(130)
        // well before the store timeout (2 s) after the signal: the signal, not the timeout, ended it
        expect(r.ms - r.signalledAt!).toBeLessThan(1_500)
      } finally {
        via.close()
      }
    })
  }
})

describe("a store count overwritten with text", () => {
  const dir = mkdtempSync(join(tmpdir(), "bing-search-poison-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("quota exits 23 with a StoreUnavailable naming the key, and prints no NaN", async () => {
    const tiers = join(dir, "tiers.json")
    writeFileSync(tiers, JSON.stringify([{ name: "T", keyEnv: "KEY_T", limits: { perDay: 100 } }]))
    const filename = join(dir, "quota.db")
    const env = { BING_SEARCH_TIERS: tiers, KEY_T: "poisoned-store-test-key", BING_SEARCH_STORE: `sqlite:${filename}` }
    expect((await run(["quota"], env)).code).toBe(0) // creates the table
    const day = new Date()
    const key = `{T}:day:${Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate())}`
    const db = new DatabaseSync(filename)
    db.prepare("INSERT INTO quota_counters (key, value, expires_at) VALUES (?, ?, ?)").run(
      key,
      "poison-value-7361",
      Date.now() + 3_600_000
    )
    db.close()
    const r = await run(["quota"], env)
    expect(r.code).toBe(23)
    expect(r.stderr).toContain(
      `error [QuotaError/StoreUnavailable] The sqlite quota store is unavailable: the key ${key} holds something other than a count`
    )
    expect(r.stdout + r.stderr).not.toContain("NaN")
    expect(r.stdout + r.stderr).not.toContain("poison-value")
    expect(r.stdout + r.stderr).not.toContain("poisoned-store-test-key")
  })
})
