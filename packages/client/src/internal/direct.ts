/**
 * The direct path: an `HttpClient` built by `@bing-effect/client/undici` (`BingHttp`) carries, under
 * a symbol, the raw `dispatch` of its undici dispatcher. A client built on that very object (not on
 * one derived from it with `HttpClient.mapRequest` and the like, which carry no symbol and so keep
 * their own behaviour) sends its GETs through `dispatch` itself: no `HttpClientRequest`, no URL
 * parse, no `AbortController`, no response stream; the body is collected as bytes within the bound.
 *
 * The same rules as the generic path (see body.ts, redirect.ts, timeout.ts): a 3xx is never
 * followed (the dispatch asks for `maxRedirections: 0`, and any 3xx is refused and the connection
 * closed), a body over the bound fails as soon as it is passed (at once when `Content-Length` says
 * so) and the connection is closed, the timeout covers the request and the whole body, and an
 * interrupted call aborts the request in flight.
 *
 * Nothing here imports undici: the handler below is written against undici's documented dispatch
 * interface (undici 7 and later), which `BingHttp` passes through.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { RedirectRefused, ResponseTooLarge } from "../ResponseRefused.js"
import { ConnectionFailed, RequestTimeout } from "../TransportError.js"
import * as Redirect from "./redirect.js"
import { causeText } from "./scrub.js"
import * as Timeout from "./timeout.js"

/** The symbol under which an `HttpClient` carries its raw dispatch. */
export const TypeId: unique symbol = Symbol.for("@bing-effect/client/DirectDispatch") as never

/** undici's dispatch controller, as far as the handler uses it. */
export interface Controller {
  readonly abort: (reason: Error) => void
}

/** Response headers as undici gives them: lower-case names, repeated ones as arrays. */
export type RawHeaders = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/** undici's dispatch handler (`Dispatcher.DispatchHandler`). */
export interface Handler {
  readonly onRequestStart: (controller: Controller, context: unknown) => void
  readonly onResponseStart: (controller: Controller, statusCode: number, headers: RawHeaders) => void
  readonly onResponseData: (controller: Controller, chunk: Uint8Array) => void
  readonly onResponseEnd: (controller: Controller, trailers: unknown) => void
  readonly onResponseError: (controller: Controller | null, error: Error) => void
}

/** One GET: the origin (`https://host:port`), the path with its query, the request headers. */
export interface Request {
  readonly origin: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
}

/** The capability: sends `request`, reporting to `handler`. */
export type Dispatch = (request: Request, handler: Handler) => void

/** The capability of `http`, when it has one. */
const dispatchOf = (http: object): Dispatch | undefined => {
  const dispatch = (http as { readonly [TypeId]?: unknown })[TypeId]
  return typeof dispatch === "function" ? (dispatch as Dispatch) : undefined
}

/**
 * A response read whole: status, headers (repeated ones joined with ", ", as `Headers.fromInput`
 * does) and body, as text for the typed operations (`get`) or as the bytes received for raw
 * forwarding (`getBytes`).
 */
export interface Response<B = string> {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: B
}

/** What an exchange can end with, besides a response (see `toError`). */
type Failure =
  | { readonly _tag: "Transport"; readonly phase: "request" | "response"; readonly cause: unknown }
  | { readonly _tag: "TooLarge"; readonly status: number }
  | { readonly _tag: "Redirect"; readonly status: number; readonly location: string | undefined }
  | { readonly _tag: "Timeout" }

const timedOut: Failure = { _tag: "Timeout" }

/** One GET of a client: where it goes, and what its errors say. */
export interface Call {
  readonly origin: string
  /** The whole URL (starting with `origin`), query included. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly operation: string
  /** The endpoint and path, as errors show it. */
  readonly endpoint: string
  readonly key: string
  readonly timeoutMs: number
  readonly maxResponseBytes: number
}

/** Every error an exchange fails with. */
export type ExchangeError = RequestTimeout | ResponseTooLarge | RedirectRefused | ConnectionFailed
const digits = /^\d{1,15}$/
const aborted = () => new Error("The request was aborted")

/**
 * How an exchange turns the body received into its response's body: the first chunk, and the
 * array of every chunk only when more than one came (see `Exchange.first`).
 */
type Read<B> = (first: Uint8Array | undefined, chunks: ReadonlyArray<Uint8Array> | undefined, total: number) => B

const empty = new Uint8Array(0)
// `Buffer#toString` rather than a `TextDecoder`: the same UTF-8 decoding (malformed bytes become
// U+FFFD) with less around it; a leading BOM is kept here and dropped by the schema's decoder.
const readText: Read<string> = (first, chunks, total) =>
  first === undefined ? "" : (chunks === undefined ? asBuffer(first) : Buffer.concat(chunks, total)).toString("utf8")
/** `bytes` as a `Buffer`: undici's chunks are Buffers already; anything else is viewed as one without a copy. */
export const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
// undici hands each chunk over as a view of a socket read of its own (it does not reuse them), so
// the one chunk of a small body is kept as it is, without a copy.
const readBytes: Read<Uint8Array> = (first, chunks, total) =>
  first === undefined ? empty : chunks === undefined ? first : Buffer.concat(chunks, total)

/** Joins repeated headers; the same object when there are none (the usual case). */
const flatten = (headers: RawHeaders): Record<string, string> => {
  let out: Record<string, string> | undefined
  for (const name in headers) {
    const value = headers[name]
    if (typeof value !== "string") {
      out ??= { ...(headers as Record<string, string>) }
      if (value === undefined) delete out[name]
      else out[name] = value.join(", ")
    }
  }
  return out ?? (headers as Record<string, string>)
}

/**
 * One exchange, as an undici handler: every callback after the first outcome is ignored (undici
 * reports an abort we asked for as an error).
 */
/** An exchange as its client's `Deadlines` holds it. */
interface Timed {
  deadlines: Deadlines | undefined
  prev: Timed | undefined
  next: Timed | undefined
  deadline: number
  readonly stop: (failure: Failure) => void
}

class Exchange<B, A, E> implements Handler, Timed {
  controller: Controller | null = null
  status = 0
  headers: Record<string, string> | undefined = undefined
  /** The body: its first chunk, and an array only once a second one comes (a Bing answer is usually one). */
  first: Uint8Array | undefined = undefined
  chunks: Array<Uint8Array> | undefined = undefined
  total = 0
  done = false
  /** In `deadlines` (when the exchange has a timer there): its links and when it times out. */
  deadlines: Deadlines | undefined = undefined
  prev: Timed | undefined = undefined
  next: Timed | undefined = undefined
  deadline = 0
  constructor(
    readonly resume: (effect: Effect.Effect<A, E | ExchangeError>) => void,
    readonly call: Call,
    readonly read: Read<B>,
    readonly then: (response: Response<B>, clock: Clock.Clock) => Effect.Effect<A, E>,
    readonly clock: Clock.Clock
  ) {}

  /** Ends the exchange with `failure`. */
  fail(failure: Failure): void {
    this.done = true
    this.deadlines?.remove(this)
    this.resume(Effect.fail(toError(failure, this.call)))
  }

  /** Ends the exchange with `failure` and closes the connection. */
  stop(failure: Failure): void {
    this.fail(failure)
    this.controller?.abort(aborted())
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller
    // Aborted (timeout, interruption) before undici started the request.
    if (this.done) controller.abort(aborted())
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: RawHeaders): void {
    if (this.done || statusCode < 200) return
    this.status = statusCode
    if (statusCode >= 300 && statusCode < 400) {
      const location = headers["location"]
      return this.stop({
        _tag: "Redirect",
        status: statusCode,
        location: typeof location === "string" ? location : location?.[0]
      })
    }
    const flat = flatten(headers)
    this.headers = flat
    const length = flat["content-length"]
    const encoding = flat["content-encoding"]
    if (
      length !== undefined && digits.test(length) && (encoding === undefined || encoding === "identity") &&
      Number(length) > this.call.maxResponseBytes
    ) {
      this.stop({ _tag: "TooLarge", status: statusCode })
    }
  }

  onResponseData(_controller: Controller, chunk: Uint8Array): void {
    if (this.done) return
    this.total += chunk.byteLength
    if (this.total > this.call.maxResponseBytes) return this.stop({ _tag: "TooLarge", status: this.status })
    if (this.first === undefined) this.first = chunk
    else (this.chunks ??= [this.first]).push(chunk)
  }

  onResponseEnd(): void {
    if (this.done) return
    const response: Response<B> = {
      status: this.status,
      headers: this.headers ?? {},
      body: this.read(this.first, this.chunks, this.total)
    }
    // Resumed after undici has finished with this response (it clears its own state once this
    // callback returns): the next request of the fiber must not be dispatched from inside it.
    this.done = true
    this.deadlines?.remove(this)
    queueMicrotask(() => this.resume(this.decided(response)))
  }

  /**
   * What the fiber resumes with: `then`'s effect, computed here rather than wrapped in a suspend for
   * the fiber to run (one primitive fewer per call; `then` is synchronous work that returns a plain
   * success or failure). A throw is a defect of the fiber, as it would be inside `suspend`.
   */
  decided(response: Response<B>): Effect.Effect<A, E> {
    try {
      return this.then(response, this.clock)
    } catch (defect) {
      return Effect.die(defect)
    }
  }

  onResponseError(_controller: Controller | null, error: Error): void {
    if (this.done) return
    this.fail({ _tag: "Transport", phase: this.headers === undefined ? "request" : "response", cause: error })
  }
}

/**
 * The deadlines of one client's exchanges in flight, earliest first: every exchange of a client has
 * the same timeout, so the order of their starts is the order of their deadlines, and one timer
 * (armed for the earliest, unref'd: the requests themselves keep the process alive) serves them
 * all. A plain timer per exchange costs a timer list created and destroyed per request at
 * concurrency 1, which shows in the latency; here the timer is re-armed only when it fires.
 */
class Deadlines {
  head: Timed | undefined = undefined
  tail: Timed | undefined = undefined
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  firing = false
  constructor(readonly timeoutMs: number) {}

  add(exchange: Timed): void {
    exchange.deadlines = this
    exchange.deadline = performance.now() + this.timeoutMs
    exchange.prev = this.tail
    if (this.tail === undefined) this.head = exchange
    else this.tail.next = exchange
    this.tail = exchange
    if (this.timer === undefined && !this.firing) this.arm(this.timeoutMs)
  }

  remove(exchange: Timed): void {
    if (exchange.deadlines !== this) return
    exchange.deadlines = undefined
    if (exchange.prev === undefined) this.head = exchange.next
    else exchange.prev.next = exchange.next
    if (exchange.next === undefined) this.tail = exchange.prev
    else exchange.next.prev = exchange.prev
    exchange.prev = exchange.next = undefined
  }

  arm(ms: number): void {
    this.timer = setTimeout(this.fire, ms)
    this.timer.unref()
  }

  readonly fire = (): void => {
    this.timer = undefined
    this.firing = true
    const now = performance.now()
    // A timed-out exchange resumes its fiber at once, which may start the next attempt: that one
    // joins the tail with a later deadline, and the loop stops there.
    while (this.head !== undefined && this.head.deadline <= now) this.head.stop(timedOut)
    this.firing = false
    if (this.head !== undefined) this.arm(Math.max(1, Math.ceil(this.head.deadline - now)))
  }
}

/**
 * The direct path of one client. `get` sends one GET and reads the whole body within
 * `maxResponseBytes`, then runs `then` on it; past `timeoutMs` (`Infinity`: none) the request is
 * aborted and the exchange fails with `RequestTimeout`. On Effect's live clock the timeout is the
 * client's deadline list; under any other clock (a `TestClock`) `Effect.timeoutOrElse`, so that
 * virtual time ends it.
 */
export interface Direct {
  readonly get: <A, E>(
    call: Call,
    then: (response: Response, clock: Clock.Clock) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | ExchangeError>
  /** The same, the body kept as the bytes received (raw forwarding passes them on unchanged). */
  readonly getBytes: <A, E>(
    call: Call,
    then: (response: Response<Uint8Array>, clock: Clock.Clock) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | ExchangeError>
}

/** The direct path of a client over `http` with `timeoutMs` per attempt, when `http` has the capability. */
export const make = (http: object, timeoutMs: number): Direct | undefined => {
  const dispatch = dispatchOf(http)
  if (dispatch === undefined) return undefined
  const timed = Number.isFinite(timeoutMs)
  const deadlines = new Deadlines(timeoutMs)
  const exchange = <B, A, E>(
    call: Call,
    read: Read<B>,
    then: (response: Response<B>, clock: Clock.Clock) => Effect.Effect<A, E>
  ): Effect.Effect<A, E | ExchangeError> =>
    Effect.withFiber((fiber) => {
      const clock = fiber.getRef(Clock.Clock)
      const request: Request = { origin: call.origin, path: call.url.slice(call.origin.length), headers: call.headers }
      const live = timed && Timeout.isLiveClock(clock) && timeoutMs <= Timeout.maxTimerMillis
      const run = Effect.callback<A, E | ExchangeError>((resume) => {
        const handler = new Exchange(resume, call, read, then, clock)
        if (live) deadlines.add(handler)
        try {
          dispatch(request, handler)
        } catch (cause) {
          handler.onResponseError(null, cause as Error)
        }
        return Effect.sync(() => {
          if (handler.done) return
          handler.done = true
          deadlines.remove(handler)
          handler.controller?.abort(aborted())
        })
      })
      return !timed || live
        ? run
        : Effect.timeoutOrElse(run, { duration: timeoutMs, orElse: () => Effect.fail(toError(timedOut, call)) })
    })
  return {
    get: (call, then) => exchange(call, readText, then),
    getBytes: (call, then) => exchange(call, readBytes, then)
  }
}

const toError = (failure: Failure, context: Call): ExchangeError => {
  const { endpoint, operation } = context
  switch (failure._tag) {
    case "Timeout":
      return new RequestTimeout({ operation, endpoint, timeoutMs: context.timeoutMs })
    case "TooLarge":
      return new ResponseTooLarge({
        operation,
        endpoint,
        status: failure.status,
        maxResponseBytes: context.maxResponseBytes
      })
    case "Redirect":
      return new RedirectRefused({
        operation,
        endpoint,
        status: failure.status,
        ...Redirect.refused(failure.location, context.url, context.key)
      })
    case "Transport":
      return new ConnectionFailed({
        operation,
        endpoint,
        phase: failure.phase,
        detail: causeText(failure.cause, [context.key])
      })
  }
}
