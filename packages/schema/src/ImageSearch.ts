/**
 * The success bodies of Image Search (`Images`) and Trending Images (`TrendingImages`), with the
 * field names of "4.2 Image Search" in docs/bing-v7-reference.md. Unknown fields are tolerated (and dropped); known
 * fields are checked; fields Bing may omit are optional.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Open } from "./internal/open.js"

const opt = Schema.optionalKey

/**
 * Width and height in pixels (`MediaSize`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const MediaSize = Schema.Struct({ width: Schema.Number, height: Schema.Number })

/**
 * @since 0.1.0
 * @category models
 */
export interface MediaSize extends Schema.Schema.Type<typeof MediaSize> {}

/**
 * A suggested query. The image-side form adds `searchLink` and `thumbnail`; the documentation's
 * table says `thumbnail.url` while its sample sends `thumbnail.thumbnailUrl`, so both are accepted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Query = Schema.Struct({
  text: Schema.String,
  displayText: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  searchLink: opt(Schema.String),
  thumbnail: opt(Schema.Struct({ url: opt(Schema.String), thumbnailUrl: opt(Schema.String) }))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Query extends Schema.Schema.Type<typeof Query> {}

/**
 * An organisation credited for content (`provider`, `publisher`). News providers carry
 * `"_type": "Organization"` and may carry a logo (`image.thumbnail.contentUrl`), as in the
 * documented examples; video publishers carry only `name`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Organization = Schema.Struct({
  _type: opt(Schema.Literal("Organization")),
  name: Schema.String,
  url: opt(Schema.String),
  image: opt(Schema.Struct({ thumbnail: opt(Schema.Struct({ contentUrl: opt(Schema.String) })) }))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Organization extends Schema.Schema.Type<typeof Organization> {}

/**
 * The Creative Commons licence of an image (open: a newer value still decodes).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreativeCommons = Open([
  "Attribution",
  "AttributionShareAlike",
  "AttributionNoDerivs",
  "AttributionNonCommercial",
  "AttributionNonCommercialShareAlike",
  "AttributionNonCommercialNoDerivs",
  "PublicNoRightsReserved"
])

/**
 * Counts of what Image Insights knows about an image.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InsightsMetadata = Schema.Struct({
  shoppingSourcesCount: opt(Schema.Number),
  recipeSourcesCount: opt(Schema.Number),
  pagesIncludingCount: opt(Schema.Number),
  availableSizesCount: opt(Schema.Number),
  aggregateOffer: opt(Schema.Unknown)
})

/**
 * An image, as Image Search, Trending Images and the `images` answer of Web Search send it. Only
 * `thumbnailUrl` is always there (trending tiles carry little else).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Image = Schema.Struct({
  id: opt(Schema.String),
  name: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  thumbnailUrl: Schema.String,
  thumbnail: opt(MediaSize),
  contentUrl: opt(Schema.String),
  contentSize: opt(Schema.String),
  encodingFormat: opt(Schema.String),
  hostPageUrl: opt(Schema.String),
  hostPageDisplayUrl: opt(Schema.String),
  hostPageDomainFriendlyName: opt(Schema.String),
  width: opt(Schema.Number),
  height: opt(Schema.Number),
  datePublished: opt(Schema.String),
  imageId: opt(Schema.String),
  imageInsightsToken: opt(Schema.String),
  insightsMetadata: opt(InsightsMetadata),
  accentColor: opt(Schema.String),
  creativeCommons: opt(CreativeCommons),
  isFamilyFriendly: opt(Schema.Boolean),
  provider: opt(Schema.Array(Organization))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Image extends Schema.Schema.Type<typeof Image> {}

/**
 * The query context Bing echoes back.
 *
 * @since 0.1.0
 * @category schemas
 */
export const QueryContext = Schema.Struct({
  originalQuery: Schema.String,
  alteredQuery: opt(Schema.String),
  alterationOverrideQuery: opt(Schema.String),
  adultIntent: opt(Schema.Boolean),
  askUserForLocation: opt(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface QueryContext extends Schema.Schema.Type<typeof QueryContext> {}

/**
 * A pivot of the query with suggested replacements.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PivotSuggestion = Schema.Struct({ pivot: Schema.String, suggestions: Schema.Array(Query) })

const imageAnswerFields = {
  id: opt(Schema.String),
  readLink: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  queryContext: opt(QueryContext),
  totalEstimatedMatches: opt(Schema.Number),
  nextOffset: opt(Schema.Number),
  currentOffset: opt(Schema.Number),
  value: Schema.Array(Image),
  queryExpansions: opt(Schema.Array(Query)),
  pivotSuggestions: opt(Schema.Array(PivotSuggestion)),
  relatedSearches: opt(Schema.Array(Query)),
  similarTerms: opt(Schema.Array(Query)),
  isFamilyFriendly: opt(Schema.Boolean)
}

/**
 * The `images` answer inside a Web Search response (no `_type` there).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ImageAnswer = Schema.Struct(imageAnswerFields)

/**
 * @since 0.1.0
 * @category models
 */
export interface ImageAnswer extends Schema.Schema.Type<typeof ImageAnswer> {}

/**
 * The body of `GET /v7.0/images/search` (`_type: "Images"`). `value` is empty when nothing matched.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Images = Schema.Struct({ _type: Schema.Literal("Images"), ...imageAnswerFields })

/**
 * @since 0.1.0
 * @category models
 */
export interface Images extends Schema.Schema.Type<typeof Images> {}

/**
 * One trending image and the query that finds it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Tile = Schema.Struct({ image: Image, query: Query })

/**
 * A category of trending images (e.g. "Popular people searches").
 *
 * @since 0.1.0
 * @category schemas
 */
export const Category = Schema.Struct({ title: Schema.String, tiles: Schema.Array(Tile) })

/**
 * The body of `GET /v7.0/images/trending`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TrendingImages = Schema.Struct({
  _type: Schema.Literal("TrendingImages"),
  categories: Schema.Array(Category)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface TrendingImages extends Schema.Schema.Type<typeof TrendingImages> {}
