/**
 * Failures of the transport itself, before Bing had a say: the attempt ran out of time, or the
 * connection could not be made or broke before the whole response arrived.
 *
 * They carry no request object and no headers, only what a reader needs (which operation, which
 * host, what went wrong), so they can be logged and serialised without exposing a key.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * One attempt took longer than the configured `timeout` (request and body together).
 * Retried with backoff while the call's attempt budget lasts.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BingClient } from "@bing-effect/client"
 *
 * const program = BingClient.webSearch({ q: "effect" }).pipe(
 *   Effect.catchTag("RequestTimeout", (e) => Effect.logWarning(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", {
  /** The operation that timed out, e.g. `"webSearch"`. */
  operation: Schema.String,
  /** Scheme, host and path of the endpoint (never the query, never a header). */
  endpoint: Schema.String,
  /** The per-attempt timeout that elapsed, in milliseconds. */
  timeoutMs: Schema.Number
}) {
  /**
   * A timeout may be transient: retryable.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return true
  }

  override get message(): string {
    return `${this.operation}: no complete response from ${this.endpoint} within ${this.timeoutMs} ms`
  }
}

/**
 * The connection could not be opened, was refused or reset, or closed before the whole body
 * arrived (`phase: "response"`). Retried with backoff while the call's attempt budget lasts.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionFailed extends Schema.TaggedError<ConnectionFailed>()("ConnectionFailed", {
  /** The operation whose attempt failed, e.g. `"imageSearch"`. */
  operation: Schema.String,
  /** Scheme, host and path of the endpoint (never the query, never a header). */
  endpoint: Schema.String,
  /** `"request"`: no response at all; `"response"`: the status arrived but the body did not. */
  phase: Schema.Literals(["request", "response"]),
  /** What the platform reported (its message only; keys are scrubbed from it). */
  detail: Schema.String
}) {
  /**
   * A broken connection may be transient: retryable.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return true
  }

  override get message(): string {
    return this.phase === "request"
      ? `${this.operation}: could not reach ${this.endpoint}: ${this.detail}`
      : `${this.operation}: the connection to ${this.endpoint} broke while reading the response: ${this.detail}`
  }
}

/**
 * Either transport failure.
 *
 * @since 0.1.0
 * @category models
 */
export type TransportError = RequestTimeout | ConnectionFailed

/**
 * Whether a value is a `RequestTimeout` or a `ConnectionFailed`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTransportError = (u: unknown): u is TransportError =>
  u instanceof RequestTimeout || u instanceof ConnectionFailed
