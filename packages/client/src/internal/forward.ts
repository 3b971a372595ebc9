/**
 * `BingClient.Service.forward`: one raw GET (or POST with the caller's body) through the same attempt loop as the typed operations
 * (tier acquire and report, failover on a 403 quota answer, retries within the one budget), with
 * the same refusals (a redirect, a body over the bound, a plain-http endpoint) and the same
 * per-attempt timeout. The answer is kept as bytes: a non-2xx answer is decoded only to drive the
 * loop, and the bytes of the attempt that ended the call are what the caller gets.
 */
import type { QuotaError } from "@bing-effect/quota-tracker"
import { BingError, BingResponse } from "@bing-effect/schema"
import type * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { Headers, HttpBody, HttpClientRequest, UrlParams } from "effect/http"
import type { HttpClient, HttpClientError } from "effect/http"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import {
  type ForwardBody,
  forwardedRequestHeaders,
  type ForwardRequest,
  type ForwardResponse,
  isForwardablePath
} from "../Forward.js"
import { InvalidClientOptions } from "../InvalidClientOptions.js"
import { RedirectRefused, ResponseTooLarge } from "../ResponseRefused.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import { ConnectionFailed, RequestTimeout } from "../TransportError.js"
import * as Attempts from "./attempts.js"
import { discard } from "./body.js"
import * as Direct from "./direct.js"
import type * as EndpointCheck from "./endpoint.js"
import * as HeaderValue from "./headerValue.js"
import * as KeyHeader from "./keyHeader.js"
import type { AttemptError } from "./outcome.js"
import * as RawBody from "./rawBody.js"
import * as Redirect from "./redirect.js"
import * as RetryLoop from "./retryLoop.js"
import * as Scrub from "./scrub.js"
import * as Timeout from "./timeout.js"

/** What the client hands over when it is built. */
export interface Deps {
  readonly http: HttpClient.HttpClient
  /** `BingHttp`'s raw dispatch, when `http` is one (see direct.ts): the attempt goes through it. */
  readonly direct: Direct.Direct | undefined
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  readonly policy: RetryPolicy.RetryPolicy
  readonly userAgent: string | undefined
  /** How the key is sent (the subscription-key header, or `Authorization: Bearer`). */
  readonly auth: KeyHeader.Auth
  readonly tracker: RetryLoop.Tracker | undefined
  readonly fallback: { readonly key: Redacted.Redacted<string> | undefined; readonly endpoint: string }
  readonly endpointFor: (endpoint: string) => EndpointCheck.Endpoint | EndpointCheck.EndpointProblem
  /** The client's per-call context update (redacted key header, manual redirects, no HTTP span). */
  readonly callContext: (context: Context.Context<never>) => Context.Context<never>
}

const operation = "forward"

/**
 * Whether a 2xx body is framed as a JSON document (first and last non-blank bytes `{`/`}` or
 * `[`/`]`): catches an HTML page or a cut body under a JSON content type without parsing the
 * bytes, which are passed on as they are.
 */
const framedAsJson = (body: Uint8Array): boolean => {
  let start = 0
  let end = body.byteLength - 1
  while (start <= end && isBlank(body[start]!)) start++
  while (end >= start && isBlank(body[end]!)) end--
  if (start >= end) return false
  const first = body[start]
  const last = body[end]
  return (first === 0x7b && last === 0x7d) || (first === 0x5b && last === 0x5d)
}
const isBlank = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09

const isKeyParameter = (part: string): boolean => {
  const eq = part.indexOf("=")
  const raw = eq < 0 ? part : part.slice(0, eq)
  let name = raw
  if (raw.includes("%") || raw.includes("+")) {
    try {
      name = decodeURIComponent(raw.replace(/\+/g, " "))
    } catch {
      name = raw
    }
  }
  return name.toLowerCase() === "subscription-key"
}

/**
 * The query without its `subscription-key` parameters (the key goes in the header), whatever the
 * case or percent-encoding of the name (`%73ubscription-key` is the same parameter to Bing).
 */
export const withoutKeyParameter = (query: string): string => {
  // Fast path: no such name in plain letters and nothing percent-encoded that could spell one.
  if (!query.includes("%") && !/subscription-key/i.test(query)) return query
  if (!hasLongName(query)) return query
  return query.split("&").filter((part) => !isKeyParameter(part)).join("&")
}

const formType = /^application\/x-www-form-urlencoded/i

/**
 * The body without its `subscription-key` fields when it is a form (a form is a query string, and
 * the key goes in the header, as for the query); the same object when it is not a form or has none.
 */
export const withoutKeyFields = (body: ForwardBody): ForwardBody => {
  if (!formType.test(body.contentType)) return body
  const text = decoder.decode(body.bytes)
  const kept = withoutKeyParameter(text)
  return kept === text ? body : { bytes: encoder.encode(kept), contentType: body.contentType }
}

const keyNameLength = "subscription-key".length

/**
 * Whether some parameter name is at least as long as `subscription-key`: no shorter name can
 * spell it, percent-encoded or not (an escape is three characters for one). Most queries have a
 * `%` in a value (`q=a%20b`) and short names only; they skip the split and the decoding.
 */
const hasLongName = (query: string): boolean => {
  let start = 0
  while (start <= query.length) {
    let end = query.indexOf("&", start)
    if (end === -1) end = query.length
    const eq = query.indexOf("=", start)
    const nameEnd = eq === -1 || eq > end ? end : eq
    if (nameEnd - start >= keyNameLength) return true
    start = end + 1
  }
  return false
}

const headerInput = (
  deps: Deps,
  given: ForwardRequest["headers"],
  key: string
): Headers.Headers => {
  const input: Record<string, string> = { accept: "application/json" }
  if (deps.userAgent !== undefined) input["user-agent"] = deps.userAgent
  if (given !== undefined) {
    for (const name of forwardedRequestHeaders) {
      const raw = given[name]
      const value = typeof raw === "string" ? raw : raw === undefined ? undefined : raw.join(", ")
      if (value !== undefined && value !== "" && HeaderValue.isValid(value)) input[name] = value
    }
  }
  return Headers.fromInput({ ...input, ...KeyHeader.of(deps.auth, key) })
}

const isJson = (contentType: string | undefined): boolean =>
  contentType !== undefined && /[/+]json\b/i.test(contentType)

const decoder = new TextDecoder()
const encoder = new TextEncoder()

const escapeStart = Buffer.from("\\u")

/** The bytes without the key: the same array when the key is not in them (the usual case). */
const scrubBytes = (body: Uint8Array, key: string): Uint8Array => {
  if (body.byteLength === 0 || key.length === 0) return body
  // Searched as bytes first, without decoding the body: the decoded text holds the key exactly when
  // the bytes hold its UTF-8 form, and a JSON escape of one of its characters starts with `\u`.
  // A body with neither (the usual case) is what `Scrub.body` would give back unchanged.
  const bytes = Direct.asBuffer(body)
  if (bytes.indexOf(key, 0, "utf8") === -1 && bytes.indexOf(escapeStart) === -1) return body
  const text = decoder.decode(body)
  const scrubbed = Scrub.body(text, key)
  return scrubbed === text ? body : encoder.encode(scrubbed)
}

const transportDetail = (error: HttpClientError.HttpClientError, key: string): string => {
  const reason = error.reason
  const cause = (reason as { readonly cause?: unknown }).cause
  const text = cause instanceof Error
    ? `${cause.message}${cause.cause instanceof Error ? ` (${cause.cause.message})` : ""}`
    : reason._tag
  return Scrub.scrub(text, [key])
}

/** What an attempt makes of a response read whole (see `settle` in `make`). */
type Settle = (
  status: number,
  received: Headers.Headers,
  bytes: Uint8Array,
  clock: Clock.Clock
) => Effect.Effect<Answered, AttemptError>

type Answered = Omit<ForwardResponse, "tier" | "attempts">
/** A GET, or a POST of the caller's bytes (one request object: `get(url, { headers })` copies the headers again). */
const httpRequestOf = (url: string, headers: Headers.Headers, body: ForwardBody | undefined) =>
  body === undefined
    ? HttpClientRequest.makeWith("GET", url, UrlParams.empty, Option.none(), headers, HttpBody.empty)
    : HttpClientRequest.makeWith(
      "POST",
      url,
      UrlParams.empty,
      Option.none(),
      Headers.set(headers, "content-type", body.contentType),
      HttpBody.uint8Array(body.bytes, body.contentType)
    )

/** Builds the `forward` operation of one client. */
export const make = (deps: Deps) => {
  /** One attempt through Effect's `HttpClient` (any client but `BingHttp`'s, see `Deps.direct`). */
  const viaHttpClient = (
    origin: string,
    display: string,
    url: string,
    headers: Headers.Headers,
    key: string,
    posted: ForwardBody | undefined,
    settle: Settle,
    clock: Clock.Clock
  ): Effect.Effect<Answered, AttemptError> => {
    const httpRequest = httpRequestOf(url, headers, posted)
    const failed = (phase: "request" | "response", error: HttpClientError.HttpClientError) =>
      new ConnectionFailed({ operation, endpoint: display, phase, detail: transportDetail(error, key) })
    return Effect.matchEffect(deps.http.execute(httpRequest), {
      onFailure: (error) => Effect.fail<AttemptError>(failed("request", error)),
      onSuccess: (response): Effect.Effect<Answered, AttemptError> => {
        const redirect = Redirect.check(response, origin, key)
        if (redirect !== undefined) {
          return Effect.andThen(
            discard(response),
            Effect.fail(new RedirectRefused({ operation, endpoint: display, status: response.status, ...redirect }))
          )
        }
        const received = response.headers
        const status = response.status
        const body = RawBody.read(
          response,
          received,
          deps.maxResponseBytes,
          () => new ResponseTooLarge({ operation, endpoint: display, status, maxResponseBytes: deps.maxResponseBytes })
        )
        return Effect.matchEffect(body, {
          onFailure: (e) => Effect.fail(e._tag === "ResponseTooLarge" ? e : failed("response", e)),
          onSuccess: (bytes) => settle(status, received, bytes, clock)
        })
      }
    })
  }

  const run = (
    request: ForwardRequest,
    traced: boolean
  ): Effect.Effect<ForwardResponse, AttemptError | QuotaError.QuotaError> => {
    if (!isForwardablePath(request.path)) {
      return Effect.fail(
        Attempts.set(BingError.parameterInvalidValue("path", request.path.slice(0, 64), { local: true }), 0)
      )
    }
    if (request.body !== undefined && !HeaderValue.isValid(request.body.contentType)) {
      return Effect.fail(Attempts.set(BingError.parameterInvalidValue("Content-Type", "", { local: true }), 0))
    }
    const query = withoutKeyParameter(request.query)
    const body = request.body === undefined ? undefined : withoutKeyFields(request.body)
    // The raw answer behind the error the last attempt failed with: served when the loop gives up on it.
    let lastError: AttemptError | undefined
    let lastAnswer: Answered | undefined

    const attempt = (
      target: RetryLoop.Target
    ): Effect.Effect<Answered, AttemptError> => {
      const checked = deps.endpointFor(target.endpoint)
      if (checked._tag === "HttpNotAllowed") return Effect.fail(BingError.httpNotAllowed({ local: true }))
      if (checked._tag === "Invalid") {
        return Effect.fail(
          new InvalidClientOptions({ option: "endpoint", detail: `of tier ${target.tier} ${checked.detail}` })
        )
      }
      const key = Redacted.value(target.key)
      if (!HeaderValue.isValid(key)) {
        return Effect.fail(
          new InvalidClientOptions({ option: "key", detail: `of tier ${target.tier} ${HeaderValue.problem}` })
        )
      }
      const display = checked.base + request.path
      const url = query === "" ? display : `${display}?${query}`
      const sentHeaders = headerInput(deps, request.headers, key)
      /** The answer as `forward` gives it, or its error when the loop should see one. */
      const settle: Settle = (status, received, bytes, clock) => {
        const headers = Scrub.headers(received, key)
        const scrubbed = scrubBytes(bytes, key)
        const traceId = headers["bingapis-traceid"]
        let error: BingError.BingError | undefined
        if (status < 200 || status > 299) {
          error = BingResponse.decodeError(
            { status, headers, body: scrubbed },
            { now: clock.currentTimeMillisUnsafe() }
          )
        } else if (scrubbed.byteLength === 0) {
          error = BingError.emptyResponse({ traceId })
        } else {
          const notJson = !isJson(headers["content-type"])
            ? "the body is not JSON"
            : !framedAsJson(scrubbed)
            ? "the body is not a JSON document"
            : undefined
          if (notJson !== undefined) {
            error = BingError.unexpectedResponse({
              status,
              traceId,
              body: decoder.decode(scrubbed.subarray(0, BingError.excerptLength * 4)),
              contentType: headers["content-type"],
              reason: notJson
            })
          }
        }
        const answer = { status, headers, body: scrubbed, error }
        if (error === undefined) return Effect.succeed(answer)
        lastError = error
        lastAnswer = answer
        return Effect.fail(error)
      }
      const bounded = deps.direct !== undefined && body === undefined
        // `BingHttp`: one undici dispatch, with its own redirect refusal, size bound and timeout (direct.ts);
        // it sends GETs only, so a POST goes through the HttpClient
        ? deps.direct.getBytes({
          origin: checked.origin,
          url,
          headers: sentHeaders,
          operation,
          endpoint: display,
          key,
          timeoutMs: deps.timeoutMs,
          maxResponseBytes: deps.maxResponseBytes
        }, (response, clock) =>
          // undici's own object, built for this response: made `Headers` without a copy
          settle(response.status, Headers.fromRecordUnsafe(response.headers), response.body, clock))
        : Effect.clockWith((clock) =>
          Number.isFinite(deps.timeoutMs)
            ? Timeout.bounded(
              viaHttpClient(checked.origin, display, url, sentHeaders, key, body, settle, clock),
              deps.timeoutMs,
              () => new RequestTimeout({ operation, endpoint: display, timeoutMs: deps.timeoutMs })
            )
            : viaHttpClient(checked.origin, display, url, sentHeaders, key, body, settle, clock)
        )
      if (!traced) return bounded
      // The upstream attempt as a client span: where it went (no query: it is the caller's), the tier, the status.
      return bounded.pipe(
        Effect.tap((answer) => Effect.annotateCurrentSpan("http.response.status_code", answer.status)),
        Effect.tapError((error) =>
          error === lastError && lastAnswer !== undefined
            ? Effect.annotateCurrentSpan("http.response.status_code", lastAnswer.status)
            : Effect.void
        ),
        Effect.withSpan("BingClient.forward.attempt", {
          kind: "client",
          attributes: {
            "http.request.method": "GET",
            "server.address": new URL(checked.origin).hostname,
            "url.path": request.path,
            ...(target.tier === undefined ? {} : { "bing.tier": target.tier })
          }
        }, { captureStackTrace: false })
      )
    }

    const answered = Effect.matchEffect(
      RetryLoop.run({
        policy: deps.policy,
        tracker: deps.tracker,
        fallback: deps.fallback,
        missingKey: BingError.authorizationMissing,
        attempt
      }),
      {
        onFailure: (failed) =>
          failed.error === lastError && lastAnswer !== undefined
            ? Effect.succeed({ ...lastAnswer, tier: failed.tier, attempts: failed.attempts })
            : Effect.fail(Attempts.set(failed.error, failed.attempts)),
        onSuccess: (served) => Effect.succeed({ ...served.value, tier: served.tier, attempts: served.attempts })
      }
    )
    if (!traced) return answered
    return answered.pipe(
      Effect.tap((answer) =>
        Effect.annotateCurrentSpan({
          "bing.status": answer.status,
          "bing.attempts": answer.attempts,
          ...(answer.tier === undefined ? {} : { "bing.tier": answer.tier })
        })
      ),
      Effect.tapError((error) =>
        Effect.annotateCurrentSpan({ "bing.error": error._tag, "bing.attempts": Attempts.get(error) ?? 0 })
      ),
      Effect.withSpan("BingClient.forward", { attributes: { "bing.operation": operation, "url.path": request.path } }, {
        captureStackTrace: false
      })
    )
  }

  // Spans only with a tracing backend installed (as the typed operations): Effect's `nativeTracer` exports nothing.
  // The direct path reads none of what the context update sets (it is for Effect's HttpClient), and
  // a change of the fiber's context costs a rebuild of its lookup cache.
  return (request: ForwardRequest): Effect.Effect<ForwardResponse, AttemptError | QuotaError.QuotaError> => {
    const forwarded = Effect.withFiber((fiber) => run(request, fiber.getRef(Tracer.Tracer) !== Tracer.nativeTracer))
    return deps.direct === undefined || request.body !== undefined
      ? Effect.updateContext(forwarded, deps.callContext)
      : forwarded
  }
}
