/**
 * What the gateway scenarios share: a configuration file written into a temporary directory (every
 * key passed by environment variable, never in the file or on argv), the built `bing-gateway`
 * command started as its own process and stopped by pid, an HTTP caller with a deadline that never
 * throws, and the judge of what a Bing caller may be answered.
 */
/* oxlint-disable no-underscore-dangle -- `_type` is the field name of Bing's values */
import { BingResponse, ErrorResponse } from "@bing-effect/schema"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { type Agent, request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Child, freePort, root, sleep, spawnNode } from "./support.js"

export const gatewayBin = join(root, "packages/gateway/dist/bin.js")

/** A tier as the configuration file names it; its key is read from `keyEnv`. */
export interface TierEntry {
  readonly name: string
  readonly keyEnv: string
  readonly limits?: { readonly perSecond?: number; readonly perDay?: number; readonly perMonth?: number }
}

/** One of the gateway's client keys, read from `keyEnv`. */
export interface ClientEntry {
  readonly name: string
  readonly keyEnv: string
  readonly limits?: { readonly perSecond?: number; readonly perDay?: number; readonly perMonth?: number }
}

export interface GatewayFile {
  readonly upstream: {
    readonly endpoint: string
    readonly allowInsecureLoopback: boolean
    readonly timeoutMs?: number
  }
  readonly tiers: ReadonlyArray<TierEntry>
  readonly clients: ReadonlyArray<ClientEntry>
  readonly store: string
  /** Key prefix of a Redis store. */
  readonly storePrefix?: string
  readonly storeFailure?: "closed" | "open"
  readonly adminTokenEnv?: string
}

/** A temporary directory for one scenario's configuration files. */
export const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), "bing-reliability-gateway-"))
  let n = 0
  return {
    dir,
    /** Writes a configuration file and returns its path. */
    write: (config: GatewayFile): string => {
      const file = join(dir, `gateway-${++n}.json`)
      writeFileSync(file, JSON.stringify(config, null, 2))
      return file
    },
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}

export interface Gateway {
  readonly child: Child
  readonly url: string
  readonly port: number
}

/**
 * Starts `node packages/gateway/dist/bin.js --config <file> --port <free port>` with the keys in its
 * environment, and waits until it answers its health route.
 */
export const startGateway = async (config: string, env: Record<string, string>): Promise<Gateway> => {
  const port = await freePort()
  const child = spawnNode(gatewayBin, ["--config", config, "--port", String(port)], env)
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`bing-gateway exited (${child.process.exitCode ?? child.process.signalCode}): ${child.err}`)
    }
    const health = await call(url, "/_gateway/healthz", {}, { timeoutMs: 1_000 })
    if (health.status === 200) return { child, url, port }
    await sleep(50)
  }
  child.kill("SIGKILL")
  throw new Error(`bing-gateway did not answer /_gateway/healthz on ${url}: ${child.err.slice(-2000)}`)
}

/** Stops a gateway by its pid (SIGTERM, then SIGKILL after `ms`), and waits for it to be gone. */
export const stopGateway = async (gateway: Gateway, ms = 10_000): Promise<void> => {
  gateway.child.kill("SIGTERM")
  const timer = setTimeout(() => gateway.child.kill("SIGKILL"), ms)
  await gateway.child.exited
  clearTimeout(timer)
}

// ---------------------------------------------------------------------------------------------
// a caller

export interface Answer {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: string
  readonly ms: number
}

/** What a call ended in: an answer, or a socket error (`status` 0) or no answer within the deadline (`status` -1). */
export type Outcome = Answer | { readonly status: 0 | -1; readonly error: string; readonly ms: number }

/** One HTTP request; never rejects. */
export const call = (
  base: string,
  path: string,
  headers: Record<string, string>,
  options: { readonly method?: string; readonly timeoutMs?: number; readonly agent?: Agent; readonly body?: string } =
    {}
): Promise<Outcome> =>
  new Promise((resolve) => {
    const url = new URL(base)
    const t0 = performance.now()
    let settled = false
    const settle = (o: Outcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(o)
    }
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? "GET",
        path,
        headers: options.body === undefined
          ? headers
          : { ...headers, "content-length": String(Buffer.byteLength(options.body)) },
        ...(options.agent === undefined ? { agent: false } : { agent: options.agent })
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () =>
          settle({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - t0
          }))
        res.on("error", (e) => settle({ status: 0, error: String(e), ms: performance.now() - t0 }))
      }
    )
    const timer = setTimeout(() => {
      settle({ status: -1, error: "no answer", ms: performance.now() - t0 })
      req.destroy()
    }, options.timeoutMs ?? 30_000)
    req.on("error", (e) => settle({ status: 0, error: String(e), ms: performance.now() - t0 }))
    req.end(options.body)
  })

export const isAnswer = (o: Outcome): o is Answer => o.status > 0

// ---------------------------------------------------------------------------------------------
// what a Bing caller may be answered

export type Verdict = "success" | "bing-error" | "not-found" | "ops" | "bad"

const successTypes = new Set(["SearchResponse", "Images", "TrendingImages", "News", "Videos", "Suggestions"])

/** A Bing error answer: a documented status and an ErrorResponse that @bing-effect/schema decodes. */
export const bingError = (answer: Answer): { code: string; subCode: string | undefined } | undefined => {
  try {
    const parsed = JSON.parse(answer.body) as unknown
    if (!ErrorResponse.isErrorResponse(parsed)) return undefined
    const decoded = BingResponse.decodeError({
      status: answer.status,
      headers: answer.headers as Record<string, string>,
      body: answer.body
    })
    if (decoded._tag === "UnexpectedResponse") return undefined
    const first = parsed.errors[0]!
    return { code: first.code, subCode: first.subCode }
  } catch {
    return undefined
  }
}

/**
 * What an answer is: a success (a Bing `_type`), a Bing error, Bing's empty 404 for an unknown path,
 * an operations route, or bad (anything else: a 500 of the gateway's own, HTML, a stack trace...).
 */
export const judge = (answer: Answer, method: string, path: string): Verdict => {
  const pathname = path.split("?")[0]!
  if (pathname.startsWith("/_gateway/") || pathname === "/metrics") {
    return answer.status === 200 || answer.status === 401 || answer.status === 404 || answer.status === 405 ||
        answer.status === 503
      ? "ops"
      : "bad"
  }
  if (answer.status === 404 && answer.body === "") return "not-found"
  if (method === "HEAD") {
    return answer.body === "" && [200, 400, 401, 403, 404, 405, 410, 429, 500, 502, 503].includes(answer.status)
      ? "success"
      : "bad"
  }
  if (answer.status === 200) {
    try {
      return successTypes.has(String((JSON.parse(answer.body) as { _type?: unknown })._type)) ? "success" : "bad"
    } catch {
      return "bad"
    }
  }
  return bingError(answer) === undefined ? "bad" : "bing-error"
}
