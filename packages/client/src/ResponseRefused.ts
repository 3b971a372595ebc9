/**
 * Responses the client refuses to use: a redirect (the key is never sent after one) and a body
 * larger than `maxResponseBytes`. Both come from whatever answered at the endpoint (Bing never
 * sends either), so neither is retried.
 *
 * Like the transport errors they carry no request and no header, only what a reader needs.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The endpoint answered with a redirect (3xx), or the `HttpClient` followed one by itself and
 * answered from another origin. The client never sends the key after a redirect: the call fails
 * with the status and the origin of the target (scheme, host and port: never its path or query).
 * Not retried; not counted against the quota (Bing does not redirect).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BingClient } from "@bing-effect/client"
 *
 * const program = BingClient.webSearch({ q: "effect" }).pipe(
 *   Effect.catchTag("RedirectRefused", (e) => Effect.logError(`${e.status} to ${e.target}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RedirectRefused extends Schema.TaggedError<RedirectRefused>()("RedirectRefused", {
  /** The operation whose attempt was redirected, e.g. `"webSearch"`. */
  operation: Schema.String,
  /** Scheme, host and path of the endpoint (never the query, never a header). */
  endpoint: Schema.String,
  /** The status of the response (a 3xx, or the final status of a redirect the `HttpClient` followed). */
  status: Schema.Int,
  /** Origin of the redirect's target (`"(none)"` when it named none, `"(invalid)"` when it was not a URL). */
  target: Schema.String,
  /**
   * `true` when the `HttpClient` had already followed the redirect by itself (a custom client):
   * the request went to `target`, which this client could not prevent, but it uses nothing it got back.
   */
  followed: Schema.Boolean
}) {
  /**
   * A redirect repeats: not retryable.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return false
  }

  override get message(): string {
    return this.followed
      ? `${this.operation}: the HttpClient followed a redirect from ${this.endpoint} to ${this.target} (status ${this.status}); the answer was discarded`
      : `${this.operation}: ${this.endpoint} answered ${this.status}, a redirect to ${this.target}; redirects are never followed (the key stays with the endpoint)`
  }
}

/**
 * The response body was larger than `maxResponseBytes` (counted after decompression). The
 * attempt stopped reading at the bound and closed the connection. Not retried: the same endpoint
 * answers the same way. Counted against the quota when the status was 200, as any 200 is.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseTooLarge extends Schema.TaggedError<ResponseTooLarge>()("ResponseTooLarge", {
  /** The operation whose response was too large, e.g. `"webSearch"`. */
  operation: Schema.String,
  /** Scheme, host and path of the endpoint (never the query, never a header). */
  endpoint: Schema.String,
  /** The status of the response. */
  status: Schema.Int,
  /** The bound that was exceeded, in bytes. */
  maxResponseBytes: Schema.Number
}) {
  /**
   * The same endpoint sends the same body: not retryable.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return false
  }

  override get message(): string {
    return `${this.operation}: the response from ${this.endpoint} (status ${this.status}) exceeds maxResponseBytes (${this.maxResponseBytes} bytes); reading stopped there`
  }
}

/**
 * Either refused response.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseRefused = RedirectRefused | ResponseTooLarge

/**
 * Whether a value is a `RedirectRefused` or a `ResponseTooLarge`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isResponseRefused = (u: unknown): u is ResponseRefused =>
  u instanceof RedirectRefused || u instanceof ResponseTooLarge
