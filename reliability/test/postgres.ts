/**
 * What the PostgreSQL scenarios share: the shared server at POSTGRES_URL (statements run on a
 * connection of the test's own), tables of the run's own dropped at the end, and a throwaway
 * PostgreSQL server a scenario starts for itself (`initdb` + `pg_ctl` in a temporary folder, on a
 * free loopback port), to crash and restart it without touching anybody else's server. It is
 * stopped by the pid in its `postmaster.pid`.
 */
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import { execFileSync } from "node:child_process"
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inject } from "vitest"
import { freePort, sleep } from "./support.js"

export const postgresUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"
export const skipPostgres = !inject("postgres")

/** Runs one statement on a connection of its own; rows as objects. */
export const query = <A extends object = Record<string, unknown>>(
  url: string,
  text: string,
  params: ReadonlyArray<unknown> = []
): Promise<ReadonlyArray<A>> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(
        PgClient.make({ url: Redacted.make(url), maxConnections: 1, connectTimeout: 2000 }),
        (sql) => sql.unsafe<A>(text, params)
      )
    ).pipe(Effect.provide(Reactivity.layer))
  )

/** Drops a store's table and its functions. */
export const dropStoreTable = async (url: string, table: string): Promise<void> => {
  await query(url, `DROP TABLE IF EXISTS "${table}"`)
  await query(url, `DROP FUNCTION IF EXISTS "${table}_acquire_v1"`)
  await query(url, `DROP FUNCTION IF EXISTS "${table}_acquire_batch_v1"`)
}

/** The value of every key of a store table (no threshold claims). */
export const storedCounts = async (url: string, table: string): Promise<Record<string, number>> => {
  const rows = await query<{ key: string; value: number }>(
    url,
    `SELECT key, value FROM "${table}" WHERE key NOT LIKE '%:fired:%' AND expires_at > $1::float8 ORDER BY key`,
    [String(Date.now())]
  )
  return Object.fromEntries(rows.map((r) => [r.key, Number(r.value)]))
}

/** Terminates the server processes of the connections named `applicationName`; answers how many. */
export const terminateBackends = async (url: string, applicationName: string): Promise<number> => {
  const rows = await query<{ n: number }>(
    url,
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
    [applicationName]
  )
  return rows[0]?.n ?? 0
}

// ---------------------------------------------------------------------------------------------
// a PostgreSQL server of the scenario's own

/** The folder of `initdb`, `pg_ctl` and `postgres`: POSTGRES_BIN, else the newest /usr/lib/postgresql/<v>/bin. */
export const postgresBin = (): string | undefined => {
  const candidates = [process.env.POSTGRES_BIN]
  try {
    const versions = readdirSync("/usr/lib/postgresql").toSorted((a, b) => Number(b) - Number(a))
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`))
  } catch {
    // not a Debian layout
  }
  for (const c of candidates) {
    if (c === undefined || c === "") continue
    try {
      accessSync(join(c, "initdb"), constants.X_OK)
      accessSync(join(c, "pg_ctl"), constants.X_OK)
      return c
    } catch {
      // next
    }
  }
  return undefined
}

/**
 * The PostgreSQL server a scenario starts for itself. Without the binaries the scenario skips and
 * says so loudly, except with CI=true, where `start` fails the run instead.
 */
export const ownPostgresServer = (scenario: string) => {
  const bin = postgresBin()
  const ci = process.env.CI === "true"
  if (bin === undefined && !ci && !skipPostgres) {
    console.warn(
      `\n${"!".repeat(78)}\n!! PostgreSQL's initdb/pg_ctl not found (POSTGRES_BIN): SKIPPING the ${scenario}\n${
        "!".repeat(78)
      }\n`
    )
  }
  return {
    skip: skipPostgres || (bin === undefined && !ci),
    start: async (): Promise<PostgresServer> => {
      if (bin === undefined) throw new Error("CI=true but PostgreSQL's initdb is not installed (set POSTGRES_BIN)")
      return PostgresServer.start(bin)
    }
  }
}

/** Whether a process runs: a zombie (exited, not yet reaped by a parent that never will) does not. */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"))
  } catch {
    return false
  }
}

export class PostgresServer {
  readonly bin: string
  readonly dir: string
  readonly port: number
  /** The postgres user's ids when this process is root (initdb refuses root); none otherwise. */
  private readonly asUser: { readonly uid: number; readonly gid: number } | undefined

  private constructor(
    bin: string,
    dir: string,
    port: number,
    asUser: { readonly uid: number; readonly gid: number } | undefined
  ) {
    this.bin = bin
    this.dir = dir
    this.port = port
    this.asUser = asUser
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`
  }

  /** The postmaster's pid, from its pid file (its first line). */
  get pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dir, "data", "postmaster.pid"), "utf8").split("\n")[0])
      return Number.isInteger(pid) && pid > 0 ? pid : undefined
    } catch {
      return undefined
    }
  }

  private run(tool: string, args: ReadonlyArray<string>): string {
    // Node's own uid/gid switch, not `runuser`: that lives in /usr/sbin, which a CI PATH may lack
    return execFileSync(join(this.bin, tool), args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
      ...this.asUser,
      ...(this.asUser === undefined ? {} : { cwd: this.dir })
    })
  }

  /** initdb in a temporary folder (as the `postgres` user when this process is root), then `start`. */
  static async start(bin: string): Promise<PostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), "bing-reliability-pg-"))
    // initdb refuses to run as root: run the server as the postgres user, in a folder it owns
    let asUser: { readonly uid: number; readonly gid: number } | undefined
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
      chownSync(dir, uid, gid)
      asUser = { uid, gid }
    }
    const server = new PostgresServer(bin, dir, await freePort(), asUser)
    server.run("initdb", ["-D", join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"])
    await server.start()
    return server
  }

  /** Starts the server on its port (again, after a stop) and waits until it answers. */
  async start(): Promise<void> {
    this.run("pg_ctl", [
      "-D",
      join(this.dir, "data"),
      "-l",
      join(this.dir, "server.log"),
      "-o",
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=60`,
      "-w",
      "-t",
      "30",
      "start"
    ])
    for (let i = 0; i < 100; i++) {
      try {
        await query(this.url, "SELECT 1")
        return
      } catch {
        await sleep(100)
      }
    }
    throw new Error(`the PostgreSQL server on port ${this.port} did not answer`)
  }

  /**
   * Stops the server by its pid: SIGQUIT is PostgreSQL's immediate shutdown (a crash: no
   * checkpoint, recovery from the WAL at the next start), SIGINT its fast shutdown. Waits for the
   * postmaster to exit.
   */
  async stop(mode: "immediate" | "fast"): Promise<void> {
    const pid = this.pid
    if (pid === undefined) return
    process.kill(pid, mode === "immediate" ? "SIGQUIT" : "SIGINT")
    for (let i = 0; i < 300; i++) {
      if (!alive(pid)) return
      await sleep(20)
    }
    process.kill(pid, "SIGKILL")
  }

  /** Stops the server (fast) and removes its folder. */
  async close(): Promise<void> {
    await this.stop("fast")
    rmSync(this.dir, { recursive: true, force: true })
  }
}
