/**
 * The success body of Entity Search (`GET /v7.0/entities`): a `SearchResponse` with the
 * `entities` and `places` answers, with the field names of "Entity Search API v7 response
 * objects" in Microsoft's bing-docs and the samples of its `how-to/search-responses.md`, and its
 * decoder. Unknown fields are tolerated (and dropped); known fields are checked; fields Bing may
 * omit are optional. Scenarios and type hints are open enumerations: a value a newer server sends
 * is kept, not rejected.
 *
 * @since 0.6.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as BingResponse from "./BingResponse.js"
import { QueryContext } from "./ImageSearch.js"
import { Open } from "./internal/open.js"
import { RankingResponse } from "./SearchResponse.js"

const opt = Schema.optionalKey

/**
 * The license of an attributed text or image.
 *
 * @since 0.6.0
 * @category schemas
 */
export const License = Schema.Struct({ name: Schema.String, url: opt(Schema.String) })

/**
 * A rule to follow when displaying an entity (`_type` `ContractualRules/LicenseAttribution`,
 * `…/LinkAttribution`, `…/MediaAttribution` or `…/TextAttribution`, as the documented sample spells
 * them): which field it targets, and the license, text or URL to show.
 *
 * @since 0.6.0
 * @category schemas
 */
export const ContractualRule = Schema.Struct({
  _type: Schema.String,
  targetPropertyName: opt(Schema.String),
  mustBeCloseToContent: opt(Schema.Boolean),
  license: opt(License),
  licenseNotice: opt(Schema.String),
  text: opt(Schema.String),
  url: opt(Schema.String)
})

/**
 * @since 0.6.0
 * @category models
 */
export interface ContractualRule extends Schema.Schema.Type<typeof ContractualRule> {}

/**
 * The source of an entity's image: the documented sample gives only `_type` and `url`.
 *
 * @since 0.6.0
 * @category schemas
 */
export const Provider = Schema.Struct({ _type: opt(Schema.String), name: opt(Schema.String), url: opt(Schema.String) })

/**
 * An entity's image: the thumbnail's URL and size, and the source image's size.
 *
 * @since 0.6.0
 * @category schemas
 */
export const EntityImage = Schema.Struct({
  name: opt(Schema.String),
  thumbnailUrl: opt(Schema.String),
  provider: opt(Schema.Array(Provider)),
  hostPageUrl: opt(Schema.String),
  width: opt(Schema.Number),
  height: opt(Schema.Number),
  sourceWidth: opt(Schema.Number),
  sourceHeight: opt(Schema.Number)
})

/**
 * `entityScenario`: one entity satisfies the query (`DominantEntity`), the user should choose
 * (`DisambiguationItem`), or an item of a list (`ListItem`, every place).
 *
 * @since 0.6.0
 * @category schemas
 */
export const EntityScenario = Open(["DominantEntity", "DisambiguationItem", "ListItem"])

/**
 * How to present an entity: its scenario and type hints, broad to narrow (`Place`,
 * `LocalBusiness`, `Restaurant`; none means `Generic`).
 *
 * @since 0.6.0
 * @category schemas
 */
export const EntityPresentationInfo = Schema.Struct({
  entityScenario: EntityScenario,
  entityTypeHints: opt(Schema.Array(Schema.String)),
  entityTypeDisplayHint: opt(Schema.String)
})

/**
 * @since 0.6.0
 * @category models
 */
export interface EntityPresentationInfo extends Schema.Schema.Type<typeof EntityPresentationInfo> {}

/**
 * A person, place or thing (`Entity` in the reference, `Thing` in Microsoft's SDK). `_type` is
 * sent only by entities with more fields (a `Person`, a `Book`…).
 *
 * @since 0.6.0
 * @category schemas
 */
export const Thing = Schema.Struct({
  _type: opt(Schema.String),
  id: opt(Schema.String),
  name: Schema.String,
  url: opt(Schema.String),
  description: opt(Schema.String),
  image: opt(EntityImage),
  webSearchUrl: opt(Schema.String),
  bingId: opt(Schema.String),
  contractualRules: opt(Schema.Array(ContractualRule)),
  entityPresentationInfo: opt(EntityPresentationInfo)
})

/**
 * @since 0.6.0
 * @category models
 */
export interface Thing extends Schema.Schema.Type<typeof Thing> {}

/**
 * The `entities` answer (`EntityAnswer`). `queryScenario`: the reference says `DominantEntity` or
 * `DisambiguationItem`; Microsoft's SDK lists `DominantEntity`, `DominantEntityWithDisambiguation`,
 * `Disambiguation`, `List` and `ListWithPivot`. Open, so any of them decodes.
 *
 * @since 0.6.0
 * @category schemas
 */
export const EntityAnswer = Schema.Struct({
  _type: opt(Schema.String),
  id: opt(Schema.String),
  queryScenario: opt(
    Open(["DominantEntity", "DominantEntityWithDisambiguation", "Disambiguation", "List", "ListWithPivot"])
  ),
  value: Schema.Array(Thing)
})

/**
 * @since 0.6.0
 * @category models
 */
export interface EntityAnswer extends Schema.Schema.Type<typeof EntityAnswer> {}

/**
 * A postal address (`PostalAddress`); `neighborhood` may be the empty string.
 *
 * @since 0.6.0
 * @category schemas
 */
export const PostalAddress = Schema.Struct({
  streetAddress: opt(Schema.String),
  addressLocality: opt(Schema.String),
  addressSubregion: opt(Schema.String),
  addressRegion: opt(Schema.String),
  postalCode: opt(Schema.String),
  addressCountry: opt(Schema.String),
  countryIso: opt(Schema.String),
  neighborhood: opt(Schema.String),
  text: opt(Schema.String)
})

/**
 * @since 0.6.0
 * @category models
 */
export interface PostalAddress extends Schema.Schema.Type<typeof PostalAddress> {}

/**
 * A local business (`Place`; `_type` `LocalBusiness`, `Restaurant` or `Hotel`). US only.
 *
 * @since 0.6.0
 * @category schemas
 */
export const Place = Schema.Struct({
  _type: opt(Open(["LocalBusiness", "Restaurant", "Hotel"])),
  id: opt(Schema.String),
  name: Schema.String,
  url: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  entityPresentationInfo: opt(EntityPresentationInfo),
  address: opt(PostalAddress),
  telephone: opt(Schema.String)
})

/**
 * @since 0.6.0
 * @category models
 */
export interface Place extends Schema.Schema.Type<typeof Place> {}

/**
 * The `places` answer (`LocalEntityAnswer` in the reference, `Places` in the SDK).
 *
 * @since 0.6.0
 * @category schemas
 */
export const Places = Schema.Struct({
  _type: opt(Schema.String),
  id: opt(Schema.String),
  value: Schema.Array(Place)
})

/**
 * @since 0.6.0
 * @category models
 */
export interface Places extends Schema.Schema.Type<typeof Places> {}

/**
 * The body of `/entities` (`_type: "SearchResponse"`): either answer, both, or neither when Bing
 * knows no entity or place for the query.
 *
 * @since 0.6.0
 * @category schemas
 */
export const SearchResponse = Schema.Struct({
  _type: Schema.Literal("SearchResponse"),
  queryContext: opt(QueryContext),
  entities: opt(EntityAnswer),
  places: opt(Places),
  rankingResponse: opt(RankingResponse)
}).annotate({ identifier: "SearchResponse" })

/**
 * @since 0.6.0
 * @category models
 */
export interface SearchResponse extends Schema.Schema.Type<typeof SearchResponse> {}

/**
 * Decodes an Entity Search response (`GET /v7.0/entities`).
 *
 * @since 0.6.0
 * @category decoding
 */
export const decodeEntities = (
  input: BingResponse.ResponseInput,
  options?: BingResponse.DecodeOptions
): Result.Result<SearchResponse, BingError.BingError> => BingResponse.decodeResponse(SearchResponse, input, options)
