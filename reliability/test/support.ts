/**
 * What every reliability scenario shares: a capture of logs, spans, errors and child outputs that is
 * scanned for subscription keys; a Redis server of the test's own, started and stopped by pid;
 * child processes running the fixtures; and the figures table each scenario prints.
 */
/* oxlint-disable no-underscore-dangle -- `_tag` is the field name of Effect's tagged values */
import { Cause, Effect, Exit, Logger, References, Tracer } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { accessSync, constants, readFileSync } from "node:fs"
import { createServer } from "node:net"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"
import { createClient } from "redis"
import { inject } from "vitest"

/** The repository root and the built emulator command. */
export const root = fileURLToPath(new URL("../../", import.meta.url))
export const emulatorBin = join(root, "packages/emulator/dist/bin.js")
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
export const skipRedis = !inject("redis")
export const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`

/** Distinct, recognisable secrets: a leak of any of them fails the scenario that leaked it. */
export const secret = (label: string): string => `rel-${label}-secret-${runId}-7f3a9c`

// ---------------------------------------------------------------------------------------------
// capture and secret scan

export const text = (u: unknown): string => {
  try {
    return `${String(u)} ${JSON.stringify(u, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`
  } catch {
    return String(u)
  }
}

export interface SpanRecord {
  readonly name: string
  readonly attributes: Record<string, unknown>
  readonly failed: boolean
}

/**
 * Collects every log line (any level), every ended span (name, attributes, exit), and whatever the
 * scenario adds (errors, child outputs, HTTP bodies), for the secret scan.
 */
export class Capture {
  readonly haystack: Array<string> = []
  readonly spans: Array<SpanRecord> = []
  logLines = 0

  readonly logger = Logger.make(({ cause, logLevel, message }) => {
    this.logLines++
    this.haystack.push(`${logLevel} ${text(message)} ${Cause.pretty(cause)}`)
  })

  readonly tracer = Tracer.make({
    span: (options) => {
      const span = Tracer.nativeTracer.span(options)
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        end(endTime, exit)
        const attributes = Object.fromEntries(span.attributes)
        this.spans.push({ name: span.name, attributes, failed: Exit.isFailure(exit) })
        // a failed span's exit in full; a successful one's value is a result page from the emulator
        this.haystack.push(
          `span ${span.name} ${text(attributes)} ${
            Exit.isFailure(exit) ? `${text(exit)} ${Cause.pretty(exit.cause)}` : ""
          }`
        )
      }
      return span
    }
  })

  add(...chunks: ReadonlyArray<unknown>): void {
    for (const c of chunks) this.haystack.push(typeof c === "string" ? c : text(c))
  }

  /** Adds what a user would log of a call's outcome: the error in every form, or a success's meta. */
  addExit(exit: Exit.Exit<unknown, unknown>): void {
    if (Exit.isSuccess(exit)) {
      const value = exit.value as { readonly meta?: unknown }
      this.haystack.push(text(value?.meta ?? value))
      return
    }
    this.haystack.push(text(exit), Cause.pretty(exit.cause))
    for (const reason of exit.cause.reasons) {
      if (reason._tag !== "Fail") continue
      const e = reason.error as { readonly message?: unknown; readonly stack?: unknown }
      this.haystack.push(String(reason.error), String(e?.message ?? ""), String(e?.stack ?? ""))
    }
  }

  /** Runs an effect with this capture's logger (every level) and tracer. */
  observe<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return effect.pipe(
      Effect.provide(Logger.layer([this.logger])),
      Effect.provideService(References.MinimumLogLevel, "All"),
      Effect.provideService(Tracer.Tracer, this.tracer)
    )
  }

  get bytes(): number {
    return this.haystack.reduce((n, s) => n + s.length, 0)
  }

  /** The secrets found, with where: empty when nothing leaked. */
  leaks(secrets: ReadonlyArray<string>): Array<string> {
    const hits: Array<string> = []
    for (const s of secrets) {
      const at = this.haystack.find((h) => h.includes(s))
      if (at !== undefined) hits.push(`${s} in: ${at.slice(Math.max(0, at.indexOf(s) - 200), at.indexOf(s) + 200)}`)
    }
    return hits
  }
}

/** Records what an Exit says: success, a typed failure (its tag), a defect or an interruption. */
export const classify = (
  exit: Exit.Exit<unknown, unknown>
): { kind: "ok" | "fail" | "defect" | "interrupt"; tag: string } => {
  if (Exit.isSuccess(exit)) return { kind: "ok", tag: "ok" }
  const cause = exit.cause
  if (Cause.hasDies(cause)) return { kind: "defect", tag: `defect: ${Cause.pretty(cause).slice(0, 300)}` }
  const error = Cause.findErrorOption(cause)
  if (error._tag === "Some") {
    const e = error.value as { _tag?: string; reason?: { _tag?: string } }
    return { kind: "fail", tag: e._tag === "QuotaError" ? `QuotaError/${e.reason?._tag}` : String(e._tag) }
  }
  return { kind: "interrupt", tag: "interrupt" }
}

// ---------------------------------------------------------------------------------------------
// figures

export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return 0
  const sorted = values.toSorted((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** Prints a scenario's figures as a two-column table. */
export const printFigures = (title: string, figures: Record<string, string | number | boolean>): void => {
  const width = Math.max(...Object.keys(figures).map((k) => k.length))
  const lines = Object.entries(figures).map(([k, v]) =>
    `  ${k.padEnd(width)}  ${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(1) : String(v)}`
  )
  console.log(`\n[reliability] ${title}\n${lines.join("\n")}\n`)
}

// ---------------------------------------------------------------------------------------------
// processes

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export interface Child {
  readonly process: ChildProcess
  readonly pid: number
  readonly out: string
  readonly err: string
  /** Resolves with the first stdout line matching, rejects when the process exits first or after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  kill(signal: NodeJS.Signals): void
}

const started = new Set<ChildProcess>()

/** Kills (SIGKILL) every child this file started that is still running: for `afterAll`, so that a failed test leaves no process behind. */
export const killChildren = (): void => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  started.clear()
}

/** Starts `node <script> ...args` and collects its output. */
export const spawnNode = (script: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Child => {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, ...env }
  })
  started.add(child)
  const state = { out: "", err: "" }
  const waiters: Array<() => void> = []
  child.stdout!.on("data", (chunk) => {
    state.out += String(chunk)
    for (const w of waiters.slice()) w()
  })
  child.stderr!.on("data", (chunk) => (state.err += String(chunk)))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      resolve({ code, signal })
      for (const w of waiters.slice()) w()
    })
  )
  const handle: Child = {
    process: child,
    pid: child.pid!,
    get out() {
      return state.out
    },
    get err() {
      return state.err
    },
    waitFor: (pattern, ms = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(state.out)
          if (m !== null) {
            done()
            resolve(m)
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done()
            reject(
              new Error(
                `${script} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}: ${
                  state.err.slice(-2000)
                }`
              )
            )
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(
            new Error(
              `${script} did not print ${pattern} within ${ms} ms; stdout: ${state.out.slice(-1000)} stderr: ${
                state.err.slice(-1000)
              }`
            )
          )
        }, ms)
        const done = () => {
          clearTimeout(timer)
          const i = waiters.indexOf(check)
          if (i >= 0) waiters.splice(i, 1)
        }
        waiters.push(check)
        check()
      }),
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal)
    }
  }
  return handle
}

/** Resident set size of a process in bytes, from /proc (Linux), or undefined elsewhere. */
export const rssOf = (pid: number): number | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const m = /VmRSS:\s+(\d+) kB/.exec(status)
    return m === null ? undefined : Number(m[1]) * 1024
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// a Redis server of the test's own

/** The `redis-server` binary: REDIS_SERVER_BIN, else the first on PATH. */
export const redisServerBin = (): string | undefined => {
  const candidates = [
    process.env.REDIS_SERVER_BIN,
    ...(process.env.PATH ?? "").split(delimiter).map((d) => join(d, "redis-server"))
  ]
  for (const c of candidates) {
    if (c === undefined || c === "") continue
    try {
      accessSync(c, constants.X_OK)
      return c
    } catch {
      // next
    }
  }
  return undefined
}

/**
 * The `redis-server` a scenario starts for itself (to kill, freeze or restart it). Without one the
 * scenario skips and says so loudly, except with CI=true, where `start` fails the run instead.
 */
export const ownRedisServer = (scenario: string) => {
  const bin = redisServerBin()
  const ci = process.env.CI === "true"
  if (bin === undefined && !ci && !skipRedis) {
    console.warn(
      `\n${"!".repeat(78)}\n!! redis-server not found (PATH or REDIS_SERVER_BIN): SKIPPING the ${scenario}\n${
        "!".repeat(78)
      }\n`
    )
  }
  return {
    skip: skipRedis || (bin === undefined && !ci),
    start: async (): Promise<RedisServer> => {
      if (bin === undefined) {
        throw new Error("CI=true but redis-server is not installed (set REDIS_SERVER_BIN or put it on PATH)")
      }
      return RedisServer.start(bin)
    }
  }
}

const ping = async (url: string): Promise<boolean> => {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } })
  client.on("error", () => {})
  try {
    await client.connect()
    const pong = await client.ping()
    return pong === "PONG"
  } catch {
    return false
  } finally {
    if (client.isOpen) client.destroy()
  }
}

/** A `redis-server` child on its own port, without persistence: a restart starts empty. */
export class RedisServer {
  private child: ChildProcess | undefined
  starts = 0
  private constructor(readonly bin: string, readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  static async start(bin: string): Promise<RedisServer> {
    const server = new RedisServer(bin, await freePort())
    await server.up()
    return server
  }

  /** Starts the server (again) on the same port and waits until it answers PING. */
  async up(): Promise<void> {
    const child = spawn(this.bin, [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no"
    ], { stdio: "ignore" })
    this.child = child
    this.starts++
    for (let i = 0; i < 100; i++) {
      if (await ping(this.url)) return
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${this.port}`)
      await sleep(50)
    }
    throw new Error(`redis-server did not answer on port ${this.port}`)
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  async pause(): Promise<void> {
    process.kill(this.child!.pid!, "SIGSTOP")
  }

  /** Thaws a frozen server (SIGCONT) and waits until it answers PING. */
  async resume(): Promise<void> {
    process.kill(this.child!.pid!, "SIGCONT")
    for (let i = 0; i < 100; i++) {
      if (await ping(this.url)) return
      await sleep(50)
    }
    throw new Error(`redis-server did not answer after SIGCONT on port ${this.port}`)
  }

  /** Stops the server by its pid and waits for the process to be gone. */
  async down(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()))
    // a frozen server would hold a SIGTERM until thawed
    process.kill(child.pid!, "SIGCONT")
    process.kill(child.pid!, signal)
    await gone
  }
}

/** Reads keys matching a pattern, and deletes them when asked, with a plain node-redis client. */
export const redisKeys = async (url: string, pattern: string, del = false): Promise<Record<string, string>> => {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 2_000 } })
  client.on("error", () => {})
  await client.connect()
  try {
    const keys: Array<string> = []
    for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch)
    const out: Record<string, string> = {}
    // the string keys' values (the quota counters); other keys under a prefix (the gateway's
    // history: sorted sets, lists) are listed for deletion only
    for (const k of keys) if ((await client.type(k)) === "string") out[k] = String(await client.get(k))
    if (del && keys.length > 0) await client.del(keys)
    return out
  } finally {
    client.destroy()
  }
}
