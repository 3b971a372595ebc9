/**
 * The admin HTTP API under `/_emulator/`, guarded by a bearer token: clock, key usage, faults,
 * request log and reset. JSON in, JSON out; bodies are bounded.
 */
import { isQuotaWindow } from "@bing-effect/error-codes"
import * as Result from "effect/Result"
import { timingSafeEqual } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import * as FaultRule from "../FaultRule.js"
import { type AdvanceTo, ClockOutOfRange, type Core, TooManyFaults, UnknownKeyName } from "./core.js"
import type { Window } from "./keys.js"

const MAX_BODY = 64 * 1024

const json = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    ...extra
  })
  res.end(text)
}

const readBody = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new AdminError(413, "request body too large (max 64 KiB)"))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8").trim()
      if (text === "") return resolve(undefined)
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(new AdminError(400, "body is not valid JSON"))
      }
    })
    req.on("error", reject)
  })

class AdminError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** Validates the `to` of a clock advance. */
export const parseAdvance = (to: unknown): AdvanceTo => {
  if (to === "next-second" || to === "next-day" || to === "next-month") return to
  if (typeof to === "object" && to !== null && typeof (to as { ms?: unknown }).ms === "number") {
    const ms = (to as { ms: number }).ms
    if (Number.isFinite(ms) && ms >= 0) return { ms }
  }
  throw new AdminError(400, `"to" must be "next-second", "next-day", "next-month" or { "ms": <non-negative number> }`)
}

/** Validates a usage setting. */
export const parseUsage = (body: unknown): { window: Window; used: number } => {
  const o = (typeof body === "object" && body !== null ? body : {}) as { window?: unknown; used?: unknown }
  if (!isQuotaWindow(o.window)) {
    throw new AdminError(400, `"window" must be "second", "day" or "month"`)
  }
  if (typeof o.used !== "number" || !Number.isInteger(o.used) || o.used < 0) {
    throw new AdminError(400, `"used" must be a non-negative integer`)
  }
  return { window: o.window, used: o.used }
}

export const clockJson = (core: Core) => {
  const now = core.now()
  return { now, iso: new Date(now).toISOString(), offsetMs: now - Date.now() }
}

export const makeAdmin = (core: Core, token: string) => {
  const expected = Buffer.from(`Bearer ${token}`)
  const authorized = (req: IncomingMessage): boolean => {
    const got = Buffer.from(req.headers.authorization ?? "")
    return got.length === expected.length && timingSafeEqual(got, expected)
  }

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://emulator")
    const parts = url.pathname.split("/").filter((p) => p !== "").slice(1).map(decodeURIComponent)
    const method = req.method ?? "GET"
    const [a, b, c] = parts
    if (a === "clock" && b === undefined && method === "GET") return json(res, 200, clockJson(core))
    if (a === "clock" && b === "advance" && method === "POST") {
      const body = (await readBody(req)) as { to?: unknown } | undefined
      core.advance(parseAdvance(body?.to))
      return json(res, 200, clockJson(core))
    }
    if (a === "keys" && b === undefined && method === "GET") return json(res, 200, { keys: core.usage() })
    if (a === "keys" && b !== undefined && c === undefined && method === "GET") return json(res, 200, core.usage(b)[0])
    if (a === "keys" && b !== undefined && c === "usage" && (method === "PUT" || method === "POST")) {
      const { window, used } = parseUsage(await readBody(req))
      return json(res, 200, core.setUsage(b, window, used))
    }
    if (a === "faults" && b === undefined && method === "POST") {
      const decoded = FaultRule.decode(await readBody(req))
      if (Result.isFailure(decoded)) throw new AdminError(400, `invalid fault rule: ${decoded.failure}`)
      return json(res, 201, { id: core.addFault(decoded.success) })
    }
    if (a === "faults" && b === undefined && method === "GET") {
      return json(res, 200, {
        faults: core.faults.map((f) => ({ id: f.id, ...f.rule, remaining: f.remaining ?? null, applied: f.applied }))
      })
    }
    if (a === "faults" && b === undefined && method === "DELETE") return json(res, 200, { cleared: core.clearFaults() })
    if (a === "faults" && b !== undefined && method === "DELETE") {
      return core.removeFault(b) ? json(res, 200, { removed: b }) : json(res, 404, { error: `no fault ${b}` })
    }
    if (a === "requests" && b === undefined && method === "GET") {
      const raw = url.searchParams.get("limit")
      const limit = raw === null ? 100 : Number(raw)
      if (!Number.isInteger(limit) || limit < 0) throw new AdminError(400, `"limit" must be a non-negative integer`)
      return json(res, 200, { requests: core.requests(limit) })
    }
    if (a === "reset" && b === undefined && method === "POST") {
      core.reset()
      return json(res, 200, { reset: true })
    }
    return json(res, 404, { error: `no admin route ${method} ${url.pathname}` })
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!authorized(req)) {
      req.resume()
      return json(res, 401, { error: "unauthorized: send Authorization: Bearer <adminToken>" }, {
        "WWW-Authenticate": "Bearer"
      })
    }
    route(req, res).catch((e: unknown) => {
      if (res.headersSent) return void res.destroy()
      if (e instanceof AdminError) return json(res, e.status, { error: e.message })
      if (e instanceof UnknownKeyName) return json(res, 404, { error: e.message })
      if (e instanceof TooManyFaults) return json(res, 409, { error: e.message })
      if (e instanceof ClockOutOfRange) return json(res, 400, { error: e.message })
      if (e instanceof URIError) return json(res, 400, { error: "malformed percent-encoding in path" })
      json(res, 500, { error: "internal error" })
    })
  }
}
