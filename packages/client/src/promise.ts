/**
 * @bing-effect/client/promise: the client for code that does not use Effect. Calls resolve with
 * `{ value, meta }` and reject with the same error classes as the Effect API, re-exported here so
 * `instanceof` checks need no other import:
 *
 * ```ts
 * import { BingError, createClient } from "@bing-effect/client/promise"
 * // ...
 * } catch (error) {
 *   if (error instanceof BingError.RateLimited) console.log(error.retryAfterMs)
 * }
 * ```
 *
 * @since 0.1.0
 */
export type {
  CallOptions,
  ClientError,
  ImageSearchInput,
  ImageSearchValue,
  Options as ClientOptions,
  TrendingImagesInput,
  TrendingImagesValue,
  WebSearchInput,
  WebSearchValue
} from "./BingClient.js"
export type { BingResult, Meta } from "./BingResult.js"
export { InvalidClientOptions } from "./InvalidClientOptions.js"
export { ClientClosed, createClient } from "./PromiseClient.js"
export type { CreateClientOptions, PromiseClient, RequestOptions } from "./PromiseClient.js"
export { RedirectRefused, ResponseTooLarge } from "./ResponseRefused.js"
export { ConnectionFailed, RequestTimeout } from "./TransportError.js"
/** The attempts a failed call actually made (`0`: nothing was sent). */
export { attemptsOf } from "./BingClient.js"
/** Bing's typed errors (`BingError.RateLimited`, `BingError.InvalidRequest`, ...) and `BingError.isBingError`. */
export { BingError } from "@bing-effect/schema"
/** The quota tracker's error (`QuotaError.QuotaError`) and `QuotaError.isQuotaError`. */
export { QuotaError } from "@bing-effect/quota-tracker"
