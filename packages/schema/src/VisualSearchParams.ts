/**
 * The request of Visual Search (`POST /v7.0/images/visualsearch`, "Sending search queries to the
 * Bing Visual Search API" and "Visual Search API v7 query parameters" in Microsoft's bing-docs):
 * the query parameters, declared once as a codec ({@link VisualSearchParamsFromQuery}), and the
 * `multipart/form-data` body's two parts: `knowledgeRequest`, a JSON object naming the image by
 * `imageInfo.url` or `imageInfo.imageInsightsToken` (with an optional `cropArea` and site
 * filter), and `image`, the image's bytes (at most 1 MB). {@link checkRequest} holds the rules
 * between the two, the same for the client (before any quota is spent) and the emulator; failures
 * are Bing's `InvalidRequest`, status 400.
 *
 * @since 0.6.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as BingError from "./BingError.js"
import * as P from "./internal/params.js"
import { SafeSearch } from "./WebSearchParams.js"

/**
 * The largest image Visual Search takes, uploaded or by URL ("The maximum image size you may upload
 * is 1 MB").
 *
 * @since 0.6.0
 * @category constants
 */
export const maxImageBytes = 1024 * 1024

/**
 * The query parameters of Visual Search as a codec from their query-string form. `cc` with `mkt`
 * is accepted (`mkt` wins).
 *
 * @since 0.6.0
 * @category schemas
 */
export const VisualSearchParamsFromQuery = Schema.Struct({
  cc: Schema.optionalKey(P.CountryCode),
  mkt: Schema.optionalKey(P.NonBlank),
  safeSearch: Schema.optionalKey(P.Enum(SafeSearch.literals)),
  setLang: Schema.optionalKey(P.NonBlank)
})

/**
 * The Visual Search query parameters.
 *
 * @since 0.6.0
 * @category models
 */
export interface VisualSearchParams extends Schema.Schema.Type<typeof VisualSearchParamsFromQuery> {}

const opt = Schema.optionalKey

/** A fraction of the image's width or height. */
const Fraction = Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 }))

/**
 * The region of interest: its top-left and bottom-right corners, as fractions of the image.
 *
 * @since 0.6.0
 * @category schemas
 */
export const CropArea = Schema.Struct({ top: Fraction, left: Fraction, bottom: Fraction, right: Fraction })

/**
 * @since 0.6.0
 * @category models
 */
export interface CropArea extends Schema.Schema.Type<typeof CropArea> {}

/**
 * The `knowledgeRequest` form part. `imageInfo.url` and `imageInfo.imageInsightsToken` are mutually
 * exclusive; with an uploaded `image` part, `imageInfo` may hold only `cropArea`.
 * `knowledgeRequest.filters.site` restricts similar images and products to one domain.
 *
 * @since 0.6.0
 * @category schemas
 */
export const KnowledgeRequest = Schema.Struct({
  imageInfo: opt(Schema.Struct({
    url: opt(Schema.String),
    imageInsightsToken: opt(Schema.String),
    cropArea: opt(CropArea)
  })),
  knowledgeRequest: opt(Schema.Struct({
    filters: opt(Schema.Struct({ site: opt(Schema.String) })),
    invokedSkillsRequestData: opt(
      Schema.Struct({ enableEntityData: opt(Schema.Union([Schema.Boolean, Schema.String])) })
    )
  }))
})

/**
 * @since 0.6.0
 * @category models
 */
export interface KnowledgeRequest extends Schema.Schema.Type<typeof KnowledgeRequest> {}

/**
 * A whole Visual Search request: the query parameters, the `knowledgeRequest` part and the `image`
 * part's bytes (with their media type, `image/jpeg` when absent).
 *
 * @since 0.6.0
 * @category models
 */
export interface VisualSearchRequest extends VisualSearchParams {
  readonly knowledgeRequest?: KnowledgeRequest | undefined
  readonly image?: Uint8Array | undefined
  readonly imageType?: string | undefined
}

const query = P.make<VisualSearchParams, typeof VisualSearchParamsFromQuery.Encoded>(VisualSearchParamsFromQuery)
const isKnowledgeRequest = Schema.is(KnowledgeRequest)
// Unknown fields are dropped, as everywhere in this package's decoders.
const decodeKnowledge = Schema.decodeUnknownResult(KnowledgeRequest)

/** A media type an `image` part may carry (`type/subtype`, no parameters, no line breaks). */
const isMediaType = (s: string): boolean => /^image\/[A-Za-z0-9!#$&^_.+-]{1,64}$/.test(s)

/**
 * The rules between the two parts (assumptions where the documentation says "do not" without an
 * error, each answered 400 `InvalidRequest`): no image at all is `ParameterMissing` on `image`;
 * `url` with `imageInsightsToken`, or either with an uploaded image, is `ParameterInvalidValue` on
 * `knowledgeRequest`; an image over {@link maxImageBytes} is `ParameterInvalidValue` on `image`.
 *
 * @since 0.6.0
 * @category decoding
 */
export const checkRequest = (
  knowledgeRequest: KnowledgeRequest | undefined,
  imageBytes: number | undefined
): BingError.InvalidRequest | undefined => {
  const info = knowledgeRequest?.imageInfo
  const named = (info?.url !== undefined ? 1 : 0) + (info?.imageInsightsToken !== undefined ? 1 : 0)
  if (named === 0 && imageBytes === undefined) return BingError.parameterMissing("image")
  if (named > 1 || (named === 1 && imageBytes !== undefined)) {
    return BingError.parameterInvalidValue(
      "knowledgeRequest",
      named > 1 ? "imageInfo.url and imageInfo.imageInsightsToken" : "imageInfo with an image part"
    )
  }
  if (info?.url !== undefined && !/^https?:\/\/[^\s/?#]+\S*$/i.test(info.url)) {
    return BingError.parameterInvalidValue("knowledgeRequest", BingError.excerpt(info.url))
  }
  if (info?.imageInsightsToken !== undefined && info.imageInsightsToken.trim() === "") {
    return BingError.parameterMissing("image")
  }
  if (imageBytes !== undefined && (imageBytes === 0 || imageBytes > maxImageBytes)) {
    return BingError.parameterInvalidValue("image", imageBytes === 0 ? "(empty)" : `${imageBytes} B`)
  }
  return undefined
}

/**
 * Reads the `knowledgeRequest` part's text (the emulator's side): JSON of the
 * {@link KnowledgeRequest} shape, unknown fields ignored; anything else is
 * `ParameterInvalidValue` on `knowledgeRequest`.
 *
 * @since 0.6.0
 * @category decoding
 */
export const decodeKnowledgeRequest = (text: string): Result.Result<KnowledgeRequest, BingError.InvalidRequest> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return Result.fail(BingError.parameterInvalidValue("knowledgeRequest", BingError.excerpt(text)))
  }
  const decoded = decodeKnowledge(parsed)
  return Result.isSuccess(decoded)
    ? Result.succeed(decoded.success)
    : Result.fail(BingError.parameterInvalidValue("knowledgeRequest", BingError.excerpt(text)))
}

/**
 * Checks a whole typed Visual Search request (the client's input) before any quota is spent: the
 * query parameters, the `knowledgeRequest` shape, the `image` bytes and media type, and
 * {@link checkRequest}.
 *
 * @example
 * import { VisualSearchParams } from "@bing-effect/schema"
 * VisualSearchParams.validate({ mkt: "en-US" })
 * // Failure(InvalidRequest { subCode: "ParameterMissing", parameter: "image" })
 *
 * @since 0.6.0
 * @category decoding
 */
export const validate = (input: unknown): Result.Result<VisualSearchRequest, BingError.InvalidRequest> => {
  const params = query.validate(input)
  if (Result.isFailure(params)) return params
  const source: Record<string, unknown> = typeof input === "object" && input !== null ? { ...input } : {}
  const kr = source["knowledgeRequest"]
  if (kr !== undefined && !isKnowledgeRequest(kr)) {
    return Result.fail(BingError.parameterInvalidValue("knowledgeRequest", P.showUnknown(kr)))
  }
  const image = source["image"]
  if (image !== undefined && !(image instanceof Uint8Array)) {
    return Result.fail(BingError.parameterInvalidValue("image", typeof image))
  }
  const imageType = source["imageType"]
  if (imageType !== undefined && (typeof imageType !== "string" || !isMediaType(imageType))) {
    return Result.fail(BingError.parameterInvalidValue("imageType", P.showUnknown(imageType)))
  }
  const problem = checkRequest(kr, image?.byteLength)
  if (problem !== undefined) return Result.fail(problem)
  return Result.succeed({
    ...params.success,
    ...(kr === undefined ? {} : { knowledgeRequest: kr }),
    ...(image === undefined ? {} : { image }),
    ...(imageType === undefined ? {} : { imageType })
  })
}

/**
 * Reads raw Visual Search query parameters as Bing does (the emulator's side).
 *
 * @since 0.6.0
 * @category decoding
 */
export const fromQuery: (query: URLSearchParams) => Result.Result<VisualSearchParams, BingError.InvalidRequest> =
  query.fromQuery

/**
 * Writes the query parameters of a Visual Search request (the body is the client's to build).
 *
 * @since 0.6.0
 * @category encoding
 */
export const toQuery = (params: VisualSearchParams): URLSearchParams =>
  query.toQuery({
    ...(params.cc === undefined ? {} : { cc: params.cc }),
    ...(params.mkt === undefined ? {} : { mkt: params.mkt }),
    ...(params.safeSearch === undefined ? {} : { safeSearch: params.safeSearch }),
    ...(params.setLang === undefined ? {} : { setLang: params.setLang })
  })
