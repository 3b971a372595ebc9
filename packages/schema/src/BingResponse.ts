/**
 * Whole HTTP responses: decode whatever a Bing endpoint (or a proxy in front of it) sends into
 * the success value or a typed `BingError`, and encode a `BingError` into the exact response Bing
 * would send.
 *
 * @since 0.1.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as ImageSearch from "./ImageSearch.js"
import * as Decode from "./internal/decode.js"
import * as Encode from "./internal/encode.js"
import type { HeadersInput } from "./internal/wire.js"
import * as SearchResponse from "./SearchResponse.js"

/**
 * A response as the emulator writes it and as encoders return it.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireResponse extends Encode.WireResponse {}

/**
 * What the decoder reads: the status, the headers (a `Headers` object or a plain record such as
 * Node's `IncomingHttpHeaders`; names are matched case-insensitively) and the body, as text or
 * bytes (read as UTF-8).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseInput {
  readonly status: number
  readonly headers: HeadersInput
  readonly body: string | Uint8Array
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  /** Now, in epoch milliseconds, for a `Retry-After` given as an HTTP date (default `Date.now()`). */
  readonly now?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface EncodeOptions {
  /** The `BingAPIs-TraceId` to send (default: the error's own `traceId`). */
  readonly traceId?: string | undefined
}

/**
 * Encodes an error as the exact response Bing sends: its status; `Content-Type: application/json;
 * charset=utf-8` and an `ErrorResponse` body with all its `errors`; `Retry-After` in whole seconds
 * for `RateLimited` (at least 1) and `QuotaExhausted` (seconds until the window resets) when the
 * error knows the delay; `BingAPIs-TraceId` when there is one. `EmptyResponse` is a 200 with an
 * empty body, `NotFound` a 404 with an empty body, `UnexpectedResponse` its status, content type
 * and body excerpt.
 *
 * @example
 * import { BingError, BingResponse } from "@bing-effect/schema"
 * BingResponse.encodeError(BingError.parameterMissing("q"), { traceId: "7A1B" })
 * // { status: 400, headers: { "BingAPIs-TraceId": "7A1B", "Content-Type": "application/json; charset=utf-8" },
 * //   body: '{"_type":"ErrorResponse","errors":[{"code":"InvalidRequest","subCode":"ParameterMissing","message":"Required parameter is missing.","parameter":"q"}]}' }
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeError: (error: BingError.BingError, options?: EncodeOptions) => WireResponse = Encode.encodeError

/**
 * Encodes an error in one of the gateway shapes of "9. Real-world gotchas"
 * (docs/bing-v7-reference.md), as the API Management gateway in
 * front of the old Cognitive Services endpoints sent them:
 * `{"statusCode":401,"message":"Access denied due to invalid subscription key. …"}`,
 * `{"statusCode":403,"message":"Out of call volume quota. Quota will be replenished in 22.14:18:12."}`
 * (the countdown is `retryAfterMs` as a .NET TimeSpan), `{"statusCode":429,"message":"Rate limit is
 * exceeded. Try again in 1 seconds."}`, or `{"error":{"code":…,"message":…}}`. Errors with no
 * gateway form (`EmptyResponse`, `NotFound`, `UnexpectedResponse`) encode as `encodeError` does.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeLegacyGateway: (
  error: BingError.BingError,
  shape: "statusCode" | "error",
  options?: EncodeOptions
) => WireResponse = Encode.encodeLegacyGateway

/**
 * Decodes a non-success response into its typed error. Total: never throws, whatever the input.
 *
 * The first `Error` of an `ErrorResponse` decides the tag by its code (the status only splits
 * `RateLimitExceeded` into `RateLimited` for 429 and `QuotaExhausted` for 403); an unknown code
 * falls back on the status. Gateway bodies decode to the same errors (a replenish countdown or
 * "Try again in N seconds" becomes `retryAfterMs` when there is no `Retry-After` header).
 * `Retry-After` is read as seconds or an HTTP date; anything else is ignored. Bodies Bing would
 * never send become `UnexpectedResponse` with a bounded excerpt. When an error body lacks a
 * sub-code, the typed `subCode` gets the documented sub-code closest to its status (`errors` keeps
 * the body as sent).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeError: (input: ResponseInput, options?: DecodeOptions) => BingError.BingError = Decode.decodeError

/**
 * Decodes any response with `schema` for the success body. A 2xx with an empty body is
 * `EmptyResponse`; a 2xx whose body is not JSON or does not match the schema is
 * `UnexpectedResponse`; every other status goes through `decodeError`. Total: never throws, never
 * dies.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponse = <A>(
  schema: Schema.Decoder<A>,
  input: ResponseInput,
  options?: DecodeOptions
): Result.Result<A, BingError.BingError> => {
  const decode = Schema.decodeUnknownResult(schema)
  return Decode.decodeResponse(decode, identifierOf(schema), input, options)
}

const identifierOf = (schema: Schema.Top): string => {
  const id = schema.ast.annotations?.["identifier"]
  return typeof id === "string" ? id : "the model"
}

const decodeSearch = Schema.decodeUnknownResult(SearchResponse.SearchResponse)
const decodeImages = Schema.decodeUnknownResult(ImageSearch.Images)
const decodeTrending = Schema.decodeUnknownResult(ImageSearch.TrendingImages)

/**
 * Decodes a Web Search response (`GET /v7.0/search`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeWebSearch = (
  input: ResponseInput,
  options?: DecodeOptions
): Result.Result<SearchResponse.SearchResponse, BingError.BingError> =>
  Decode.decodeResponse(decodeSearch, "SearchResponse", input, options)

/**
 * Decodes an Image Search response (`GET /v7.0/images/search`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeImageSearch = (
  input: ResponseInput,
  options?: DecodeOptions
): Result.Result<ImageSearch.Images, BingError.BingError> =>
  Decode.decodeResponse(decodeImages, "Images", input, options)

/**
 * Decodes a Trending Images response (`GET /v7.0/images/trending`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeTrendingImages = (
  input: ResponseInput,
  options?: DecodeOptions
): Result.Result<ImageSearch.TrendingImages, BingError.BingError> =>
  Decode.decodeResponse(decodeTrending, "TrendingImages", input, options)
