/**
 * Redis availability for every test project, found once per project by vitest's `globalSetup`
 * and read in tests with `inject("redis")` (true when Redis answers at `REDIS_URL`, default
 * redis://127.0.0.1:6379). Without Redis the Redis suites skip, loudly: a warning at the start
 * and, through `RedisReport` (a reporter of the root config), the list of the test files that
 * skipped at the end. With `CI=true` a missing Redis fails the run instead.
 *
 * PostgreSQL likewise: `inject("postgres")` is true when a server answers at `POSTGRES_URL`
 * (default postgres://postgres@127.0.0.1:5432/test), and the same warnings and CI rule apply.
 *
 * Chromium for the browser tests (`*.browser.test.ts`) the same way: `inject("chromium")` is its
 * path (`CHROMIUM_PATH`, default /usr/bin/chromium) or false; without it those tests skip and
 * `ChromiumReport` names them at the end; with `CI=true` the browser test files fail instead.
 */
import { existsSync } from "node:fs"
import { createConnection } from "node:net"
import type { Reporter, TestModule, TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** Redis answers at REDIS_URL: run the Redis-backed tests. */
    readonly redis: boolean
    /** PostgreSQL answers at POSTGRES_URL: run the PostgreSQL-backed tests. */
    readonly postgres: boolean
    /** The Chromium executable for the browser tests, or false when there is none. */
    readonly chromium: string | false
  }
}

export const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"

const howToEnable =
  `To run them: start Redis (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no)\n` +
  "or set REDIS_URL to a Redis server, then run the tests again. The reliability suite also needs redis-server on PATH."

const where = () => redisUrl.replace(/\/\/[^@]*@/, "//") // never print a password

export const postgresUrl = process.env["POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const postgresWhere = () => postgresUrl.replace(/\/\/[^@]*@/, "//")
const postgresHowTo =
  "To run them: start PostgreSQL (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)\n" +
  "or set POSTGRES_URL to a PostgreSQL server (trust or password in the URL), then run the tests again."

// A PostgreSQL server answers an SSLRequest with one byte: "S" or "N".
const pingPostgres = (url: string): Promise<boolean> =>
  new Promise((done) => {
    const { hostname, port } = new URL(url)
    const socket = createConnection({ host: hostname || "127.0.0.1", port: Number(port) || 5432 })
    const finish = (ok: boolean) => {
      socket.destroy()
      done(ok)
    }
    socket.setTimeout(1000, () => finish(false))
    socket.on("error", () => finish(false))
    socket.on("connect", () => socket.write(Buffer.from([0, 0, 0, 8, 4, 210, 22, 47])))
    socket.on("data", (data) => finish(data[0] === 0x53 || data[0] === 0x4e))
  })

export const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"

const howToEnableChromium =
  "To run them: apt-get install chromium chromium-driver (Debian), or set CHROMIUM_PATH to a\n" +
  "Chromium or Chrome executable, then run the tests again. With CI=true a missing Chromium fails them."

const loudly = (text: string) => {
  const bar = "!".repeat(78)
  console.warn(`\n${bar}\n${text.split("\n").map((line) => `!! ${line}`).join("\n")}\n${bar}\n`)
}

const ping = (url: string): Promise<boolean> =>
  new Promise((done) => {
    const { hostname, port } = new URL(url)
    const socket = createConnection({ host: hostname || "127.0.0.1", port: Number(port) || 6379 })
    const finish = (ok: boolean) => {
      socket.destroy()
      done(ok)
    }
    socket.setTimeout(1000, () => finish(false))
    socket.on("error", () => finish(false))
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (data) => finish(data.toString().startsWith("+PONG")))
  })

/** vitest `globalSetup`: provides `redis` to the project's tests. */
export default async function setup(project: TestProject): Promise<void> {
  const available = await ping(redisUrl)
  if (!available && process.env["CI"] === "true") {
    throw new Error(`Redis does not answer at ${where()}; with CI=true the Redis suites must run.`)
  }
  if (!available) {
    console.warn(
      `!! ${project.name || "tests"}: Redis does not answer at ${where()}: its Redis-backed tests will be SKIPPED.`
    )
  }
  project.provide("redis", available)

  const postgres = await pingPostgres(postgresUrl)
  if (!postgres && process.env["CI"] === "true") {
    throw new Error(`PostgreSQL does not answer at ${postgresWhere()}; with CI=true the PostgreSQL suites must run.`)
  }
  if (!postgres) {
    console.warn(
      `!! ${project.name || "tests"}: PostgreSQL does not answer at ${postgresWhere()}: ` +
        "its PostgreSQL-backed tests will be SKIPPED."
    )
  }
  project.provide("postgres", postgres)
  project.provide("chromium", existsSync(chromiumPath) ? chromiumPath : false)
}

/** Names, after the run, the test files that skipped tests because Redis was not available. */
export class RedisReport implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = testModules.flatMap((module) => {
      if (module.project.getProvidedContext().redis !== false) return []
      const count = [...module.children.allTests("skipped")].length
      return count > 0 ? [`${module.project.name}: ${module.relativeModuleId} (${count} skipped)`] : []
    })
    if (skipped.length > 0) {
      loudly(
        `Redis was not available at ${where()}, so these suites SKIPPED their Redis tests:\n  ${
          skipped.join("\n  ")
        }\n${howToEnable}`
      )
    }
  }
}

/** Names, after the run, the test files that skipped tests because PostgreSQL was not available. */
export class PostgresReport implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = testModules.flatMap((module) => {
      if (module.project.getProvidedContext().postgres !== false) return []
      const count = [...module.children.allTests("skipped")].length
      return count > 0 ? [`${module.project.name}: ${module.relativeModuleId} (${count} skipped)`] : []
    })
    if (skipped.length > 0) {
      loudly(
        `PostgreSQL was not available at ${postgresWhere()}, so these suites SKIPPED their PostgreSQL tests:\n  ${
          skipped.join("\n  ")
        }\n${postgresHowTo}`
      )
    }
  }
}

/** Names, after the run, the browser test files that skipped because Chromium was not there. */
export class ChromiumReport implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = testModules.flatMap((module) => {
      if (module.project.getProvidedContext().chromium !== false) return []
      const count = [...module.children.allTests("skipped")].length
      return count > 0 && /[.]browser[.]test[.]/.test(module.moduleId)
        ? [`${module.project.name}: ${module.relativeModuleId} (${count} skipped)`]
        : []
    })
    if (skipped.length > 0) {
      loudly(
        `Chromium was not found at ${chromiumPath}, so these browser suites SKIPPED:\n  ${
          skipped.join("\n  ")
        }\n${howToEnableChromium}`
      )
    }
  }
}

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own summary:
 * CI reads it (vitest's summary is not one of the formats it knows).
 */
export class SummaryLine implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = (state: "passed" | "failed" | "skipped") =>
      testModules.reduce((n, module) => n + [...module.children.allTests(state)].length, 0)
    console.log(`\ntests: ${count("passed")} passed, ${count("failed")} failed, ${count("skipped")} skipped`)
  }
}
