/**
 * What every successful call returns: the decoded value and the metadata of the response that
 * carried it (trace id, market actually used, client id, the tier that served it, attempts).
 *
 * @since 0.1.0
 */

/**
 * Metadata of a successful call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Meta {
  /** `BingAPIs-TraceId`: quote it to Microsoft support. */
  readonly traceId?: string | undefined
  /** `BingAPIs-Market`: the market Bing actually used (it may differ from `mkt`). */
  readonly market?: string | undefined
  /** `X-MSEdge-ClientID` of this response, or the one the client sent when Bing returned none. */
  readonly clientId?: string | undefined
  /** The quota tier that served the call (only with a quota tracker). */
  readonly tier?: string | undefined
  /** Attempts the call took, the successful one included. */
  readonly attempts: number
  /** HTTP status of the response (200). */
  readonly status: number
}

/**
 * A decoded response with its metadata.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BingClient } from "@bing-effect/client"
 *
 * const program = Effect.gen(function*() {
 *   const { value, meta } = yield* BingClient.webSearch({ q: "effect" })
 *   console.log(meta.market, meta.traceId, value.webPages?.value.length)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface BingResult<A> {
  readonly value: A
  readonly meta: Meta
}
