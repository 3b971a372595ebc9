/**
 * @bing-effect/client: Bing Web and Image Search for Effect, with typed requests, typed responses,
 * a typed error channel, one retry budget per call and quota-aware tier failover.
 * The Promise API lives at `@bing-effect/client/promise`.
 *
 * @since 0.1.0
 */
export * as BingClient from "./BingClient.js"
export * as BingResult from "./BingResult.js"
export * as Forward from "./Forward.js"
export * as InvalidClientOptions from "./InvalidClientOptions.js"
export * as ResponseRefused from "./ResponseRefused.js"
export * as RetryPolicy from "./RetryPolicy.js"
export * as TransportError from "./TransportError.js"
