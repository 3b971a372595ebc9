/**
 * The emulator's request path, written on plain `node:http` for speed: routing, authentication,
 * quotas, parameter checks (through the schema adapter), cached result pages, fault injection and
 * the request log. One `Core` per emulator instance holds all of its state.
 */
import { randomBytes } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import type * as FaultRule from "../FaultRule.js"
import { Errors, parseImages, parseTrending, parseWeb, wantsOnlyJsonLd } from "./bing.js"
import { computeEntities, entitiesRoute } from "./entities.js"
import * as Insights from "./insights.js"
import { type KeySpec, KeyState, type Window } from "./keys.js"
import { resolveMarket } from "./markets.js"
import * as Multipart from "./multipart.js"
import { computeNews, isNewsEndpoint, type NewsEndpoint, newsRoutes } from "./news.js"
import { prng } from "./random.js"
import { imagesBody, searchBody, trendingBody } from "./results.js"
import { computeSpell, isSpellEndpoint, readForm, type SpellEndpoint, spellRoutes } from "./spell.js"
import { suggestionsOutcome, suggestionsRoute } from "./suggestions.js"
import { isVideoEndpoint, type VideoEndpoint, videoOutcome, videoRoutes } from "./videos.js"
import { nextDayStart, nextMonthStart, type WindowConfig } from "./windows.js"
import { JSON_TYPE, Lru, type Wire } from "./wire.js"

export type Endpoint =
  | "web"
  | "images"
  | "trending"
  | VideoEndpoint
  | "suggestions"
  | NewsEndpoint
  | SpellEndpoint
  | "entities"
  | Insights.InsightsEndpoint

const baseRoutes: ReadonlyArray<readonly [string, Endpoint]> = [
  ["/v7.0/search", "web"],
  ["/v7.0/images/search", "images"],
  ["/v7.0/images/trending", "trending"],
  ...videoRoutes,
  suggestionsRoute,
  ...newsRoutes,
  ...spellRoutes,
  entitiesRoute,
  ...Insights.insightsRoutes
]

const routesFor = (legacyPrefix: boolean): ReadonlyMap<string, Endpoint> =>
  new Map(legacyPrefix ? [...baseRoutes, ...baseRoutes.map(([p, e]) => [`/bing${p}`, e] as const)] : baseRoutes)

export interface CoreOptions {
  readonly keys: ReadonlyArray<KeySpec>
  readonly seed: number
  readonly requireHttps: boolean
  readonly startTime: number | undefined
  /** The clock stands still and moves only when advanced. */
  readonly frozen: boolean
  readonly windows: WindowConfig
  readonly countFailedRequests: boolean
  readonly blockedStatus: number
  /** Answer every API request with the retirement's 410 Gone. */
  readonly retired: boolean
  readonly logSize: number
  /** Also serve every endpoint under `/bing/v7.0/` (the Cognitive Services path). */
  readonly legacyPrefix: boolean
}

export type AdvanceTo = "next-second" | "next-day" | "next-month" | { readonly ms: number }

const DAY = 86_400_000

/**
 * The latest time the emulator clock may show: a year before the latest date a JavaScript `Date`
 * holds (+275760-09-13), so that the next day and month resets of any time up to it are valid dates
 * (and a real clock has a year before it gets close).
 */
export const LATEST_TIME = 8.64e15 - 366 * DAY

export interface RequestLogEntry {
  /** Emulator time of the request, ISO 8601. */
  readonly at: string
  readonly method: string
  /** Path and query; the value of a `subscription-key` parameter (any case or percent-encoding of the name) is `REDACTED`. */
  readonly path: string
  readonly status: number
  /** The configured name of the key used, when it was recognized. */
  readonly keyName?: string
  readonly traceId: string
  /** The kind of the injected fault, when one was applied. */
  readonly fault?: string
  /** `BingAPIs-Market` of a successful answer. */
  readonly market?: string
}

interface LogRecord {
  at: number
  method: string
  path: string
  status: number
  keyName: string | undefined
  traceId: string
  fault: string | undefined
  market: string | undefined
}

export interface KeyUsage {
  readonly name: string
  readonly limits: { readonly perSecond?: number; readonly perDay?: number; readonly perMonth?: number }
  readonly disabled: boolean
  readonly expired: boolean
  readonly usage: { readonly second: number; readonly day: number; readonly month: number }
  readonly remaining: { readonly second?: number; readonly day?: number; readonly month?: number }
  readonly resets: { readonly day: string; readonly month: string }
  /** Requests that presented this key, and of those: answered 200, refused by a quota. */
  readonly requests: number
  readonly served: number
  readonly throttled: number
}

export interface ActiveFault {
  readonly id: string
  readonly rule: FaultRule.FaultRule
  remaining: number | undefined
  applied: number
}

type Outcome = { readonly ok: true; readonly body: Buffer; readonly market: string } | {
  readonly ok: false
  readonly wire: Wire
}

const MAX_URL = 2048
const MAX_FAULTS = 1000

export class TooManyFaults extends Error {
  constructor() {
    super(`at most ${MAX_FAULTS} fault rules can be active; clear some first`)
    this.name = "TooManyFaults"
  }
}
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/

/** A clock advance that would pass {@link LATEST_TIME} (times past it break every reset date). */
export class ClockOutOfRange extends Error {
  constructor(now: number) {
    super(
      `cannot move the clock past ${new Date(LATEST_TIME).toISOString()}, the latest time it may show (it is ${
        new Date(now).toISOString()
      })`
    )
    this.name = "ClockOutOfRange"
  }
}

export class UnknownKeyName extends Error {
  constructor(readonly keyName: string) {
    super(`No key named ${JSON.stringify(keyName)} is configured`)
    this.name = "UnknownKeyName"
  }
}

export class Core {
  readonly errors: Errors
  private readonly routes: ReadonlyMap<string, Endpoint>
  private readonly bySecret = new Map<string, KeyState>()
  readonly byName = new Map<string, KeyState>()
  private offset: number
  private readonly base: () => number
  /** Result pages per (endpoint, query, Accept-Language): at most 4,096 of them and 64 MiB. */
  private readonly cache = new Lru<string, Outcome>(
    4096,
    64 * 1024 * 1024,
    (o) => (o.ok ? o.body.length : o.wire.body.length) + 256
  )
  faults: Array<ActiveFault> = []
  private faultSeq = 0
  private random: () => number
  private readonly log: Array<LogRecord | undefined>
  private logNext = 0
  private logCount = 0
  private readonly tracePrefix = randomBytes(10).toString("hex").toUpperCase()
  private traceSeq = 0
  private readonly clientPrefix = randomBytes(8).toString("hex").toUpperCase()
  private clientSeq = 0
  /** Pending delay faults, cleared on stop. */
  readonly timers = new Set<NodeJS.Timeout>()

  constructor(readonly options: CoreOptions) {
    this.errors = new Errors(options.blockedStatus)
    this.routes = routesFor(options.legacyPrefix)
    for (const spec of options.keys) {
      const state = new KeyState(spec)
      this.bySecret.set(spec.key, state)
      this.byName.set(spec.name, state)
    }
    const start = options.startTime ?? Date.now()
    this.offset = options.frozen ? start : start - Date.now()
    this.base = options.frozen ? () => 0 : Date.now
    this.random = prng(options.seed)
    this.log = Array.from({ length: options.logSize }, () => undefined)
  }

  // -------------------------------------------------------------------------------------------
  // clock and admin operations

  now(): number {
    return this.base() + this.offset
  }

  /** Moves the clock forward; throws {@link ClockOutOfRange}, leaving it unmoved, past {@link LATEST_TIME}. */
  advance(to: AdvanceTo): number {
    const now = this.now()
    let target: number
    if (to === "next-second") target = now + 1001
    else if (to === "next-day") target = nextDayStart(now, this.options.windows) + 1
    else if (to === "next-month") target = nextMonthStart(now, this.options.windows) + 1
    else target = now + Math.max(0, to.ms)
    // written so that NaN is refused too
    if (!(target <= LATEST_TIME)) throw new ClockOutOfRange(now)
    this.offset += target - now
    return target
  }

  private key(name: string): KeyState {
    const k = this.byName.get(name)
    if (k === undefined) throw new UnknownKeyName(name)
    return k
  }

  setUsage(name: string, window: Window, used: number): KeyUsage {
    const k = this.key(name)
    k.setUsage(window, used, this.now(), this.options.windows)
    return this.usageOf(k)
  }

  usageOf(k: KeyState): KeyUsage {
    const now = this.now()
    const w = this.options.windows
    const u = k.usage(now, w)
    const { perSecond, perDay, perMonth } = k.limits
    const limits: { perSecond?: number; perDay?: number; perMonth?: number } = {}
    const remaining: { second?: number; day?: number; month?: number } = {}
    if (perSecond !== undefined) {
      limits.perSecond = perSecond
      remaining.second = Math.max(0, perSecond - u.second)
    }
    if (perDay !== undefined) {
      limits.perDay = perDay
      remaining.day = Math.max(0, perDay - u.day)
    }
    if (perMonth !== undefined) {
      limits.perMonth = perMonth
      remaining.month = Math.max(0, perMonth - u.month)
    }
    return {
      name: k.name,
      limits,
      disabled: k.disabled,
      expired: k.expired,
      usage: u,
      remaining,
      resets: {
        day: new Date(nextDayStart(now, w)).toISOString(),
        month: new Date(nextMonthStart(now, w)).toISOString()
      },
      requests: k.requests,
      served: k.served,
      throttled: k.throttled
    }
  }

  usage(name?: string): ReadonlyArray<KeyUsage> {
    if (name !== undefined) return [this.usageOf(this.key(name))]
    return [...this.byName.values()].map((k) => this.usageOf(k))
  }

  addFault(rule: FaultRule.FaultRule): string {
    if (this.faults.length >= MAX_FAULTS) throw new TooManyFaults()
    const id = `fault-${++this.faultSeq}`
    this.faults.push({ id, rule, remaining: rule.match?.count, applied: 0 })
    return id
  }

  removeFault(id: string): boolean {
    const before = this.faults.length
    this.faults = this.faults.filter((f) => f.id !== id)
    return this.faults.length < before
  }

  clearFaults(): number {
    const n = this.faults.length
    this.faults = []
    return n
  }

  requests(limit = 100): ReadonlyArray<RequestLogEntry> {
    const n = Math.max(0, Math.min(limit, this.logCount))
    const out: Array<RequestLogEntry> = []
    for (let i = 1; i <= n; i++) {
      const r = this.log[(this.logNext - i + this.log.length) % this.log.length]
      if (r === undefined) break
      out.push({
        at: new Date(r.at).toISOString(),
        method: r.method,
        path: r.path,
        status: r.status,
        traceId: r.traceId,
        ...(r.keyName === undefined ? {} : { keyName: r.keyName }),
        ...(r.fault === undefined ? {} : { fault: r.fault }),
        ...(r.market === undefined ? {} : { market: r.market })
      })
    }
    return out
  }

  reset(): void {
    for (const k of this.byName.values()) k.reset()
    this.faults = []
    this.log.fill(undefined)
    this.logNext = 0
    this.logCount = 0
    this.cache.clear()
    this.random = prng(this.options.seed)
  }

  // -------------------------------------------------------------------------------------------
  // request path

  nextTraceId(): string {
    return this.tracePrefix + (++this.traceSeq).toString(16).toUpperCase().padStart(12, "0")
  }

  private nextClientId(): string {
    return this.clientPrefix + (++this.clientSeq).toString(16).toUpperCase().padStart(16, "0")
  }

  private record(
    method: string,
    path: string,
    status: number,
    keyName: string | undefined,
    traceId: string,
    fault?: string,
    market?: string
  ): void {
    // redacted before it is cut, so that a cut cannot leave part of a key behind
    const p = redactQuery(path)
    this.log[this.logNext] = {
      at: this.now(),
      method,
      path: p.length > 512 ? `${p.slice(0, 512)}…` : p,
      status,
      keyName,
      traceId,
      fault,
      market
    }
    this.logNext = (this.logNext + 1) % this.log.length
    if (this.logCount < this.log.length) this.logCount++
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    wire: Wire,
    traceId: string,
    keyName: string | undefined,
    fault?: string
  ): void {
    const headers = [
      ...wire.headers,
      "Content-Length",
      String(wire.body.length),
      "BingAPIs-TraceId",
      traceId,
      "X-MSEdge-ClientID",
      this.clientIdOf(req)
    ]
    res.writeHead(wire.status, headers)
    res.end(wire.body)
    this.record(req.method ?? "", req.url ?? "", wire.status, keyName, traceId, fault)
  }

  private clientIdOf(req: IncomingMessage): string {
    const sent = req.headers["x-msedge-clientid"]
    return typeof sent === "string" && sent.length > 0 && sent.length <= 128 ? sent : this.nextClientId()
  }

  /** 404 with an empty body (unknown path, or a URL over 2,048 characters). */
  private notFound(req: IncomingMessage, res: ServerResponse, traceId: string): void {
    const wire = this.errors.notFound()
    res.writeHead(wire.status, [
      ...wire.headers,
      "Content-Length",
      String(wire.body.length),
      "BingAPIs-TraceId",
      traceId
    ])
    res.end(wire.body)
    this.record(req.method ?? "", req.url ?? "", wire.status, undefined, traceId)
  }

  handle(
    req: IncomingMessage,
    res: ServerResponse,
    secure: boolean,
    admin: (req: IncomingMessage, res: ServerResponse) => void
  ): void {
    const url = req.url ?? "/"
    if (url.startsWith("/_emulator")) return admin(req, res)
    if (req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined) {
      // a body on a GET is ignored; closing afterwards avoids reading an unbounded body
      res.shouldKeepAlive = false
    }
    const traceId = this.nextTraceId()
    const host = req.headers.host ?? ""
    if (url.length + host.length + (secure ? 8 : 7) > MAX_URL) return this.notFound(req, res, traceId)
    const qi = url.indexOf("?")
    const pathname = qi < 0 ? url : url.slice(0, qi)
    const search = qi < 0 ? "" : url.slice(qi + 1)
    if (this.faults.length > 0 && this.applyFault(req, res, secure, pathname, search, traceId)) return
    this.serve(req, res, secure, pathname, search, traceId)
  }

  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    secure: boolean,
    pathname: string,
    search: string,
    traceId: string,
    formRead = false,
    posted?: Insights.VisualBody
  ): void {
    // The retired service answers every request the same way, known path or not, key or not.
    if (this.options.retired) return this.send(req, res, this.errors.serviceRetired(), traceId, undefined)
    const endpoint = this.routes.get(pathname)
    if (endpoint === undefined) return this.notFound(req, res, traceId)
    const method = req.method ?? ""
    // Spell Check also takes a POST, its parameters in the query string and a form body.
    if (method === "POST" && !formRead && isSpellEndpoint(endpoint)) {
      return readForm(
        req,
        (form) =>
          this.serve(
            req,
            res,
            secure,
            pathname,
            form === "" ? search : search === "" ? form : `${search}&${form}`,
            traceId,
            true
          ),
        () =>
          this.send(req, res, this.errors.parameterInvalidValue("text", "(form body too large)"), traceId, undefined)
      )
    }
    // Visual Search takes only a POST, its image or knowledge request in a multipart body.
    if (endpoint === "visualSearch" && posted === undefined) {
      if (method === "POST") {
        return Multipart.read(
          req,
          Insights.MAX_VISUAL_BODY,
          (body) => this.serve(req, res, secure, pathname, search, traceId, true, body)
        )
      }
      res.setHeader("Allow", "POST")
      return this.send(req, res, this.errors.methodNotAllowed(method), traceId, undefined)
    }
    if (method !== "GET" && method !== "HEAD" && !formRead) {
      res.setHeader("Allow", isSpellEndpoint(endpoint) ? "GET, HEAD, POST" : "GET, HEAD")
      return this.send(req, res, this.errors.methodNotAllowed(method ?? ""), traceId, undefined)
    }
    if (this.options.requireHttps && !secure) {
      return this.send(req, res, this.errors.httpNotAllowed(), traceId, undefined)
    }

    // authentication: one of the subscription-key header, its query parameter, or a bearer token
    const header = req.headers["ocp-apim-subscription-key"]
    const fromQuery = search.includes("subscription-key=") ? queryKey(search) : undefined
    const fromHeader = typeof header === "string" ? header : undefined
    const fromBearer = bearerOf(req)
    const presented = (fromHeader === undefined ? 0 : 1) + (fromQuery === undefined ? 0 : 1) +
      (fromBearer === undefined ? 0 : 1)
    if (presented > 1) return this.send(req, res, this.errors.authorizationRedundancy(), traceId, undefined)
    const secret = fromHeader ?? fromQuery ?? fromBearer
    if (secret === undefined || secret === "") {
      return this.send(req, res, this.errors.authorizationMissing(), traceId, undefined)
    }
    const key = this.bySecret.get(secret)
    if (key === undefined) return this.send(req, res, this.errors.keyNotRecognized(), traceId, undefined)
    key.requests++
    // A key is accepted only the way it is configured to be presented.
    if ((key.auth === "bearer") !== (fromBearer !== undefined)) {
      return this.send(req, res, this.errors.authorizationMissing(), traceId, key.name)
    }
    if (key.retired) return this.send(req, res, this.errors.serviceRetired(), traceId, key.name)
    if (key.disabled) return this.send(req, res, this.errors.authorizationDisabled(), traceId, key.name)
    if (key.expired) return this.send(req, res, this.errors.authorizationExpired(), traceId, key.name)

    // quotas
    const now = this.now()
    const windows = this.options.windows
    const refused = key.check(now, windows)
    if (refused !== undefined) {
      key.throttled++
      const wire = refused.window === "second"
        ? this.errors.rateLimited(refused.retryAfter)
        : this.errors.quotaExhausted(refused.window, refused.retryAfter)
      return this.send(req, res, wire, traceId, key.name)
    }

    // JSON-LD (`Accept: application/ld+json`) is documented; the emulator answers JSON only.
    if (wantsOnlyJsonLd(req.headers.accept)) {
      if (this.options.countFailedRequests) key.record(now, windows)
      return this.send(req, res, this.errors.notImplemented(), traceId, key.name)
    }

    // parameters and results (cached per endpoint, query and Accept-Language)
    const acceptLanguage = req.headers["accept-language"]
    const cacheKey = `${endpoint}\u0000${fromQuery === undefined ? search : withoutKey(search)}\u0000${
      acceptLanguage ?? ""
    }`
    // A Visual Search answer depends on its body: computed each time, not cached.
    let outcome = posted === undefined
      ? this.cache.get(cacheKey)
      : Insights.computeVisualSearch(search, posted, acceptLanguage, this.errors)
    if (outcome === undefined) {
      outcome = this.compute(endpoint, fromQuery === undefined ? search : withoutKey(search), acceptLanguage)
      this.cache.set(cacheKey, outcome)
    }
    if (!outcome.ok) {
      if (this.options.countFailedRequests) key.record(now, windows)
      return this.send(req, res, outcome.wire, traceId, key.name)
    }
    key.record(now, windows)
    key.served++
    res.writeHead(200, [
      "Content-Type",
      JSON_TYPE,
      "Content-Length",
      String(outcome.body.length),
      "BingAPIs-TraceId",
      traceId,
      "BingAPIs-Market",
      outcome.market,
      "X-MSEdge-ClientID",
      this.clientIdOf(req)
    ])
    res.end(outcome.body)
    this.record(method, req.url ?? "", 200, key.name, traceId, undefined, outcome.market)
  }

  /** Validates the query and builds the answer; pure given its inputs (hence cacheable). */
  compute(endpoint: Endpoint, search: string, acceptLanguage: string | undefined): Outcome {
    const malformed = malformedParameter(search)
    if (malformed !== undefined) {
      return { ok: false, wire: this.errors.parameterInvalidValue(malformed.name, malformed.value) }
    }
    const sp = new URLSearchParams(search)
    if (isVideoEndpoint(endpoint)) {
      const v = videoOutcome(endpoint, sp, acceptLanguage)
      return v.ok
        ? { ok: true, body: Buffer.from(v.body), market: v.market }
        : { ok: false, wire: this.errors.of(v.error) }
    }
    if (endpoint === "suggestions") {
      const v = suggestionsOutcome(sp, acceptLanguage)
      return v.ok
        ? { ok: true, body: Buffer.from(v.body), market: v.market }
        : { ok: false, wire: this.errors.of(v.error) }
    }
    if (isNewsEndpoint(endpoint)) return computeNews(endpoint, sp, acceptLanguage, this.errors)
    if (isSpellEndpoint(endpoint)) return computeSpell(sp, acceptLanguage, this.errors)
    if (endpoint === "entities") return computeEntities(sp, acceptLanguage, this.errors)
    if (endpoint === "imageInsights") return Insights.computeInsights(sp, acceptLanguage, this.errors)
    // only a fault's truncated answer gets here: no body was read
    if (endpoint === "visualSearch") return { ok: false, wire: this.errors.malformed() }
    if (endpoint === "web") {
      const q = parseWeb(sp)
      if (!q.ok) return { ok: false, wire: this.errors.of(q.error) }
      const reserved = this.errors.reserved(q.value.q)
      if (reserved !== undefined) return { ok: false, wire: reserved }
      const market = resolveMarket({ ...q.value, acceptLanguage })
      return { ok: true, body: Buffer.from(searchBody(q.value, market)), market }
    }
    if (endpoint === "images") {
      const q = parseImages(sp)
      if (!q.ok) return { ok: false, wire: this.errors.of(q.error) }
      const reserved = this.errors.reserved(q.value.q)
      if (reserved !== undefined) return { ok: false, wire: reserved }
      const market = resolveMarket({ ...q.value, acceptLanguage })
      return { ok: true, body: Buffer.from(imagesBody(q.value, market)), market }
    }
    const q = parseTrending(sp)
    if (!q.ok) return { ok: false, wire: this.errors.of(q.error) }
    const market = resolveMarket({ ...q.value, acceptLanguage }, true)
    return { ok: true, body: Buffer.from(trendingBody(q.value, market)), market }
  }

  // -------------------------------------------------------------------------------------------
  // faults

  private applyFault(
    req: IncomingMessage,
    res: ServerResponse,
    secure: boolean,
    pathname: string,
    search: string,
    traceId: string
  ): boolean {
    const header = req.headers["ocp-apim-subscription-key"]
    const secret = typeof header === "string"
      ? header
      : search.includes("subscription-key=")
      ? queryKey(search)
      : bearerOf(req)
    const keyName = secret === undefined ? undefined : this.bySecret.get(secret)?.name
    const active = this.faults.find((f) => this.matches(f, pathname, keyName))
    if (active === undefined) return false
    active.applied++
    if (active.remaining !== undefined) {
      active.remaining--
      if (active.remaining <= 0) this.faults = this.faults.filter((f) => f !== active)
    }
    const fault = active.rule.fault
    const method = req.method ?? ""
    switch (fault.kind) {
      case "error":
        this.send(req, res, this.errors.custom(fault), traceId, keyName, "error")
        return true
      case "empty200":
        this.send(req, res, this.errors.emptyResponse(), traceId, keyName, "empty200")
        return true
      case "legacy":
        this.send(req, res, this.errors.legacy(fault.shape), traceId, keyName, "legacy")
        return true
      case "html502":
        this.send(req, res, this.errors.proxyBadGateway(), traceId, keyName, "html502")
        return true
      case "drop":
        this.record(method, req.url ?? "", 0, keyName, traceId, "drop")
        req.socket.destroy()
        return true
      case "truncate": {
        const endpoint = this.routes.get(pathname) ?? "web"
        let outcome = this.compute(endpoint, search, req.headers["accept-language"])
        if (!outcome.ok) outcome = this.compute("web", "q=emulator", undefined)
        const body = outcome.ok ? outcome.body : Buffer.from("{}")
        res.writeHead(200, [
          "Content-Type",
          JSON_TYPE,
          "Content-Length",
          String(body.length),
          "BingAPIs-TraceId",
          traceId,
          "X-MSEdge-ClientID",
          this.clientIdOf(req)
        ])
        res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => req.socket.destroy())
        this.record(method, req.url ?? "", 200, keyName, traceId, "truncate")
        return true
      }
      case "delay": {
        const timer = setTimeout(() => {
          this.timers.delete(timer)
          res.off("close", cancel)
          if (req.socket.destroyed) return
          this.serve(req, res, secure, pathname, search, traceId)
        }, fault.ms)
        // the client gave up (or the emulator stopped): no answer, no log entry, no lingering timer
        const cancel = () => {
          clearTimeout(timer)
          this.timers.delete(timer)
        }
        res.once("close", cancel)
        this.timers.add(timer)
        return true
      }
    }
  }

  private matches(f: ActiveFault, pathname: string, keyName: string | undefined): boolean {
    const m = f.rule.match
    if (m === undefined) return true
    if (m.path !== undefined && !pathMatches(m.path, pathname)) return false
    if (m.keyName !== undefined && m.keyName !== keyName) return false
    if (m.probability !== undefined && !(this.random() < m.probability)) return false
    return true
  }
}

const pathMatches = (pattern: string, pathname: string): boolean => {
  const bare = pathname.startsWith("/bing/v7.0/") ? pathname.slice(5) : pathname
  if (pattern.endsWith("*")) {
    const prefix = pattern.slice(0, -1)
    return pathname.startsWith(prefix) || bare.startsWith(prefix)
  }
  return pattern === pathname || pattern === bare
}

/** The token of an `Authorization: Bearer <token>` header, or undefined (no header, or another scheme). */
const bearerOf = (req: IncomingMessage): string | undefined => {
  const value = req.headers.authorization
  if (typeof value !== "string") return undefined
  const m = /^Bearer[ \t]+(\S.*?)[ \t]*$/i.exec(value)
  return m === null ? undefined : m[1]
}

/** The raw value of the `subscription-key` query parameter, decoded, or undefined. */
const queryKey = (search: string): string | undefined => {
  for (const part of search.split("&")) {
    if (part.startsWith("subscription-key=")) {
      const raw = part.slice("subscription-key=".length)
      try {
        return decodeURIComponent(raw.replace(/\+/g, " "))
      } catch {
        return raw
      }
    }
  }
  return undefined
}

const withoutKey = (search: string): string =>
  search.split("&").filter((p) => !p.startsWith("subscription-key=")).join("&")

/**
 * The query parameter's name as the query parser (`URLSearchParams`) reads it: `+` is a space and
 * percent-escapes are decoded, so `subscription%2Dkey` is `subscription-key`.
 */
const decodedName = (raw: string): string => {
  if (!raw.includes("%") && !raw.includes("+")) return raw
  for (const [name] of new URLSearchParams(`${raw}=`)) return name
  return raw
}

/**
 * The path with the value of every parameter whose decoded name contains `subscription-key`, in any
 * case, replaced by `REDACTED`: more than the exact name the emulator authenticates with, so that no
 * spelling of a key reaches the log.
 */
const redactQuery = (path: string): string => {
  const qi = path.indexOf("?")
  // fast path: without "key" (any case) or a percent-escape, no name can spell subscription-key
  if (qi < 0 || !/key|%/i.test(path.slice(qi))) return path
  const parts = path.slice(qi + 1).split("&")
  let changed = false
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    const eq = part.indexOf("=")
    if (eq >= 0 && decodedName(part.slice(0, eq)).toLowerCase().includes("subscription-key")) {
      parts[i] = `${part.slice(0, eq)}=REDACTED`
      changed = true
    }
  }
  return changed ? `${path.slice(0, qi + 1)}${parts.join("&")}` : path
}

/** The first query parameter whose name or value is not valid percent-encoded UTF-8. */
const malformedParameter = (search: string): { name: string; value: string } | undefined => {
  if (!search.includes("%")) return undefined
  for (const part of search.split("&")) {
    if (!part.includes("%")) continue
    const eq = part.indexOf("=")
    const rawName = eq < 0 ? part : part.slice(0, eq)
    const rawValue = eq < 0 ? "" : part.slice(eq + 1)
    const bad = (s: string) => {
      if (BAD_PERCENT.test(s)) return true
      try {
        decodeURIComponent(s)
        return false
      } catch {
        return true
      }
    }
    if (bad(rawName) || bad(rawValue)) {
      let name = rawName
      try {
        name = decodeURIComponent(rawName)
      } catch {
        // keep the raw name
      }
      return { name, value: rawValue }
    }
  }
  return undefined
}
