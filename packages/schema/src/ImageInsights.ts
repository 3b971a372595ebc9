/**
 * The success bodies of Image Insights (`GET /v7.0/images/details`, `_type: "ImageInsights"`) and
 * Visual Search (`POST /v7.0/images/visualsearch`, `_type: "ImageKnowledge"`), with the field
 * names of Bing's Image Search reference before 2023 (as `@azure/cognitiveservices-imagesearch`
 * models it) and of `bing-visual-search/reference/response-objects.md`, and their decoders.
 * Unknown fields are tolerated (and dropped); known fields are checked; fields Bing may omit are
 * optional.
 *
 * @since 0.6.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as BingResponse from "./BingResponse.js"
import { Image, Query } from "./ImageSearch.js"
import { Open } from "./internal/open.js"

const opt = Schema.optionalKey

/**
 * A list of images (`ImagesModule`).
 *
 * @since 0.6.0
 * @category schemas
 */
export const ImagesModule = Schema.Struct({ value: Schema.Array(Image) })

/**
 * A list of queries (`RelatedSearchesModule`).
 *
 * @since 0.6.0
 * @category schemas
 */
export const RelatedSearchesModule = Schema.Struct({ value: Schema.Array(Query) })

/**
 * An offer's availability (open: a newer value still decodes).
 *
 * @since 0.6.0
 * @category schemas
 */
export const Availability = Open([
  "Discontinued",
  "InStock",
  "InStoreOnly",
  "LimitedAvailability",
  "OnlineOnly",
  "OutOfStock",
  "PreOrder",
  "SoldOut"
])

/**
 * An offer of a merchant.
 *
 * @since 0.6.0
 * @category schemas
 */
export const Offer = Schema.Struct({
  _type: opt(Schema.String),
  name: opt(Schema.String),
  url: opt(Schema.String),
  seller: opt(Schema.Struct({ _type: opt(Schema.String), name: Schema.String, url: opt(Schema.String) })),
  price: opt(Schema.Number),
  priceCurrency: opt(Schema.String),
  availability: opt(Availability),
  lastUpdated: opt(Schema.String)
})

/**
 * @since 0.6.0
 * @category models
 */
export interface Offer extends Schema.Schema.Type<typeof Offer> {}

/**
 * The merchants that offer what the image shows (`AggregateOffer`).
 *
 * @since 0.6.0
 * @category schemas
 */
export const AggregateOffer = Schema.Struct({ offers: opt(Schema.Array(Offer)) })

/**
 * A collection that includes the image (`relatedCollections.value[]`).
 *
 * @since 0.6.0
 * @category schemas
 */
export const Collection = Schema.Struct({
  _type: opt(Schema.String),
  name: opt(Schema.String),
  url: opt(Schema.String),
  description: opt(Schema.String),
  thumbnailUrl: opt(Schema.String),
  imagesCount: opt(Schema.Number)
})

/**
 * A recipe of the food the image shows (`recipes.value[]`).
 *
 * @since 0.6.0
 * @category schemas
 */
export const Recipe = Schema.Struct({
  _type: opt(Schema.String),
  name: opt(Schema.String),
  url: opt(Schema.String),
  thumbnailUrl: opt(Schema.String),
  cookTime: opt(Schema.String),
  prepTime: opt(Schema.String),
  totalTime: opt(Schema.String)
})

/**
 * A point of a normalised region, as fractions of the image's width and height.
 *
 * @since 0.6.0
 * @category schemas
 */
export const Point2D = Schema.Struct({ x: Schema.Number, y: Schema.Number })

/**
 * A region of the image (`NormalizedQuadrilateral` / `NormalizedRectangle`).
 *
 * @since 0.6.0
 * @category schemas
 */
export const Quadrilateral = Schema.Struct({
  topLeft: Point2D,
  topRight: Point2D,
  bottomRight: Point2D,
  bottomLeft: Point2D
})

/**
 * An entity Bing recognised, and where (`recognizedEntityGroups.value[].recognizedEntityRegions`).
 *
 * @since 0.6.0
 * @category schemas
 */
export const RecognizedEntityGroup = Schema.Struct({
  name: opt(Schema.String),
  recognizedEntityRegions: opt(Schema.Array(Schema.Struct({
    region: opt(
      Schema.Struct({ left: Schema.Number, top: Schema.Number, right: Schema.Number, bottom: Schema.Number })
    ),
    matchingEntities: opt(Schema.Array(Schema.Struct({
      entity: opt(Schema.Struct({ name: opt(Schema.String) })),
      matchConfidence: opt(Schema.Number)
    })))
  })))
})

/**
 * The body of Image Insights (`_type: "ImageInsights"`): only the modules asked for and that have
 * data.
 *
 * @since 0.6.0
 * @category schemas
 */
export const ImageInsights = Schema.Struct({
  _type: Schema.Literal("ImageInsights"),
  imageInsightsToken: opt(Schema.String),
  bestRepresentativeQuery: opt(Query),
  imageCaption: opt(Schema.Struct({
    caption: Schema.String,
    dataSourceUrl: opt(Schema.String),
    relatedSearches: opt(Schema.Array(Query))
  })),
  relatedCollections: opt(Schema.Struct({ value: Schema.Array(Collection) })),
  pagesIncluding: opt(ImagesModule),
  shoppingSources: opt(AggregateOffer),
  relatedSearches: opt(RelatedSearchesModule),
  recipes: opt(Schema.Struct({ value: Schema.Array(Recipe) })),
  visuallySimilarImages: opt(ImagesModule),
  visuallySimilarProducts: opt(ImagesModule),
  recognizedEntityGroups: opt(Schema.Struct({ value: Schema.Array(RecognizedEntityGroup) })),
  imageTags: opt(Schema.Struct({ value: Schema.Array(Schema.Struct({ name: Schema.String })) }))
}).annotate({ identifier: "ImageInsights" })

/**
 * @since 0.6.0
 * @category models
 */
export interface ImageInsights extends Schema.Schema.Type<typeof ImageInsights> {}

/**
 * `actionType` of a Visual Search action (open: a newer value still decodes).
 *
 * @since 0.6.0
 * @category schemas
 */
export const ActionType = Open([
  "PagesIncluding",
  "VisualSearch",
  "ProductVisualSearch",
  "ShoppingSources",
  "RelatedSearches",
  "Recipes",
  "ImageById",
  "ImageResults",
  "TopicResults",
  "Entity",
  "TextResults",
  "Uri"
])

/**
 * One insight of a tag (`ImageModuleAction`, `ImageRelatedSearchesAction`,
 * `ImageShoppingSourcesAction`, `ImageRecipesAction`, `ImageEntityAction`; told apart by `_type`
 * and `actionType`). `data` is the action's module: `value` holds images, queries or recipes, or
 * `offers` the merchants, depending on the action.
 *
 * @since 0.6.0
 * @category schemas
 */
export const Action = Schema.Struct({
  _type: opt(Schema.String),
  actionType: ActionType,
  displayName: opt(Schema.String),
  isTopAction: opt(Schema.Boolean),
  serviceUrl: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  url: opt(Schema.String),
  thumbnailUrl: opt(Schema.String),
  data: opt(Schema.Struct({
    value: opt(Schema.Array(Schema.Unknown)),
    offers: opt(Schema.Array(Offer)),
    currentOffset: opt(Schema.Number),
    nextOffset: opt(Schema.Number)
  }))
})

/**
 * @since 0.6.0
 * @category models
 */
export interface Action extends Schema.Schema.Type<typeof Action> {}

/**
 * A Visual Search tag: a region of interest (none for the default tag, whose `displayName` is
 * empty) and its insights, best first.
 *
 * @since 0.6.0
 * @category schemas
 */
export const ImageTag = Schema.Struct({
  _type: opt(Schema.String),
  displayName: Schema.String,
  boundingBox: opt(Schema.Struct({ queryRectangle: Quadrilateral, displayRectangle: Quadrilateral })),
  image: opt(Schema.Struct({ thumbnailUrl: opt(Schema.String) })),
  actions: Schema.Array(Action)
})

/**
 * @since 0.6.0
 * @category models
 */
export interface ImageTag extends Schema.Schema.Type<typeof ImageTag> {}

/**
 * The body of Visual Search (`_type: "ImageKnowledge"`): the tags found and the token of the image
 * asked about.
 *
 * @since 0.6.0
 * @category schemas
 */
export const ImageKnowledge = Schema.Struct({
  _type: Schema.Literal("ImageKnowledge"),
  tags: Schema.Array(ImageTag),
  image: opt(Schema.Struct({ imageInsightsToken: opt(Schema.String) }))
}).annotate({ identifier: "ImageKnowledge" })

/**
 * @since 0.6.0
 * @category models
 */
export interface ImageKnowledge extends Schema.Schema.Type<typeof ImageKnowledge> {}

/**
 * Decodes an Image Insights response (`GET /v7.0/images/details`).
 *
 * @since 0.6.0
 * @category decoding
 */
export const decodeImageInsights = (
  input: BingResponse.ResponseInput,
  options?: BingResponse.DecodeOptions
): Result.Result<ImageInsights, BingError.BingError> => BingResponse.decodeResponse(ImageInsights, input, options)

/**
 * Decodes a Visual Search response (`POST /v7.0/images/visualsearch`).
 *
 * @since 0.6.0
 * @category decoding
 */
export const decodeImageKnowledge = (
  input: BingResponse.ResponseInput,
  options?: BingResponse.DecodeOptions
): Result.Result<ImageKnowledge, BingError.BingError> => BingResponse.decodeResponse(ImageKnowledge, input, options)
