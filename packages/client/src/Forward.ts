/**
 * Raw forwarding: one GET (or a POST with the caller's body) to any v7 path of the endpoint, sent through the client's own call
 * path (the retry budget, the tier chain with its failover, the key header, redirect refusal, the
 * size bound, the per-attempt timeout), answering with the upstream's status, headers and body
 * bytes as they came (scrubbed of the key). What a Bing-compatible proxy needs, such as
 * `@bing-effect/gateway`: the caller's bytes go back untouched, never decoded and re-encoded.
 *
 * @since 0.2.0
 */
import type { BingError } from "@bing-effect/schema"
import type { Headers } from "effect/http"

/**
 * The request headers a forward passes on; any other header of `ForwardRequest.headers` is
 * ignored (the key header is the tier's, `Host` and the hop-by-hop headers are the transport's).
 *
 * @since 0.2.0
 * @category constants
 */
export const forwardedRequestHeaders: ReadonlyArray<string> = Object.freeze([
  "accept",
  "accept-language",
  "pragma",
  "user-agent",
  "x-msedge-clientid",
  "x-msedge-clientip",
  "x-search-location"
])

const pathCharacters = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/
const dotSegment = /(^|\/)\.\.?(\/|$)/

/**
 * Whether `forward` accepts a path: absolute, without a scheme, authority, query or fragment, and
 * without a dot segment. Dots are checked as a URL parser reads them: `%2e` is a dot to it, so
 * `/v7.0/%2e%2e/x` would climb out of `/v7.0/` (with the tier's key) and is refused like
 * `/v7.0/../x`. A proxy in front of the client checks its callers' paths with the same rule.
 *
 * @since 0.2.0
 * @category guards
 */
export const isForwardablePath = (path: string): boolean =>
  pathCharacters.test(path) && !dotSegment.test(path.replace(/%2e/gi, "."))

/**
 * What to send.
 *
 * @since 0.2.0
 * @category models
 */
export interface ForwardRequest {
  /** The path under the endpoint, e.g. `/v7.0/news/search`: starts with `/`, no query, no `..`. */
  readonly path: string
  /** The query string as the caller wrote it, without `?`; its `subscription-key` parameters are dropped. */
  readonly query: string
  /** The caller's headers (names in lower case); only {@link forwardedRequestHeaders} are sent. */
  readonly headers?: Readonly<Record<string, string | ReadonlyArray<string> | undefined>> | undefined
  /**
   * A body makes the request a `POST` (Spell Check's form, Visual Search's multipart): the bytes
   * as the caller sent them, the same on every attempt, with their content type; a form's
   * `subscription-key` fields are dropped, as the query's parameters are. Absent: a `GET`.
   *
   * @since 0.6.0
   */
  readonly body?: ForwardBody | undefined
}

/**
 * The body of a forwarded `POST`.
 *
 * @since 0.6.0
 * @category models
 */
export interface ForwardBody {
  readonly bytes: Uint8Array
  /** Sent as `Content-Type` (a multipart boundary included); a value with a line break is refused. */
  readonly contentType: string
}

/**
 * What the upstream answered, on the attempt that ended the call: a 2xx, or a non-2xx answer
 * the retry loop did not (or could no longer) retry. Failures without an answer of the upstream
 * (timeout, connection, redirect, body too large, every tier exhausted) are the call's error.
 *
 * @since 0.2.0
 * @category models
 */
export interface ForwardResponse {
  readonly status: number
  /** The response headers, scrubbed of the key. */
  readonly headers: Headers.Headers
  /** The body bytes as received (after transport decompression), scrubbed of the key. */
  readonly body: Uint8Array
  /** What a non-2xx answer (or an empty or non-JSON 2xx) decodes to; `undefined` for a usable 2xx. */
  readonly error: BingError.BingError | undefined
  /** The tier that answered (with a quota tracker). */
  readonly tier: string | undefined
  /** Attempts the call made, this one included. */
  readonly attempts: number
}
