/**
 * The success body of Web Search (`SearchResponse`), with the field names of "4.1 Web Search"
 * in docs/bing-v7-reference.md. Unknown fields are tolerated (and dropped); known fields are checked; answers and
 * fields Bing may omit are optional. `entities`, `places` and `translations` are kept as records
 * without a closer model.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ImageAnswer, MediaSize, Organization, Query, QueryContext } from "./ImageSearch.js"
import { Open } from "./internal/open.js"

const opt = Schema.optionalKey

export {
  /**
   * @since 0.1.0
   * @category schemas
   */
  ImageAnswer,
  /**
   * @since 0.1.0
   * @category schemas
   */
  Query,
  /**
   * @since 0.1.0
   * @category schemas
   */
  QueryContext
}

/**
 * A `name`/`content` pair of a page's meta tags.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MetaTag = Schema.Struct({ name: Schema.String, content: Schema.String })

/**
 * Why Bing warns about a page.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Malware = Schema.Struct({
  beSafeRxUrl: opt(Schema.String),
  malwareWarningType: opt(Open(["NABP", "Malware", "MaliciousPageLink", "Phishing"])),
  warningExplanationUrl: opt(Schema.String),
  warningLetterUrl: opt(Schema.String)
})

/**
 * An attribution rule (`LicenseAttribution`, `LinkAttribution`, `MediaAttribution`, `TextAttribution`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContractualRule = Schema.Struct({
  _type: Schema.String,
  targetPropertyName: opt(Schema.String),
  mustBeCloseToContent: opt(Schema.Boolean),
  text: opt(Schema.String),
  url: opt(Schema.String),
  licenseNotice: opt(Schema.String)
})

/**
 * A link into a site under a web result.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DeepLink = Schema.Struct({ name: Schema.String, url: Schema.String, snippet: opt(Schema.String) })

/**
 * @since 0.1.0
 * @category models
 */
export interface DeepLink extends Schema.Schema.Type<typeof DeepLink> {}

/**
 * One web result.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebPage = Schema.Struct({
  id: opt(Schema.String),
  name: Schema.String,
  url: Schema.String,
  displayUrl: opt(Schema.String),
  snippet: opt(Schema.String),
  dateLastCrawled: opt(Schema.String),
  datePublished: opt(Schema.String),
  datePublishedDisplayText: opt(Schema.String),
  deepLinks: opt(Schema.Array(DeepLink)),
  isFamilyFriendly: opt(Schema.Boolean),
  isNavigational: opt(Schema.Boolean),
  language: opt(Schema.String),
  malware: opt(Malware),
  searchTags: opt(Schema.Array(MetaTag)),
  contractualRules: opt(Schema.Array(ContractualRule))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface WebPage extends Schema.Schema.Type<typeof WebPage> {}

/**
 * The `webPages` answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebAnswer = Schema.Struct({
  id: opt(Schema.String),
  someResultsRemoved: opt(Schema.Boolean),
  totalEstimatedMatches: opt(Schema.Number),
  value: Schema.Array(WebPage),
  webSearchUrl: opt(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface WebAnswer extends Schema.Schema.Type<typeof WebAnswer> {}

/**
 * A news article in the `news` answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NewsArticle = Schema.Struct({
  name: Schema.String,
  url: Schema.String,
  description: opt(Schema.String),
  datePublished: opt(Schema.String),
  category: opt(Schema.String),
  image: opt(
    Schema.Struct({
      thumbnail: opt(
        Schema.Struct({ contentUrl: opt(Schema.String), width: opt(Schema.Number), height: opt(Schema.Number) })
      )
    })
  ),
  provider: opt(Schema.Array(Organization)),
  contractualRules: opt(Schema.Array(ContractualRule))
})

/**
 * The `news` answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NewsAnswer = Schema.Struct({
  id: opt(Schema.String),
  readLink: opt(Schema.String),
  value: Schema.Array(NewsArticle)
})

/**
 * A video in the `videos` answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Video = Schema.Struct({
  name: opt(Schema.String),
  description: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  thumbnailUrl: opt(Schema.String),
  datePublished: opt(Schema.String),
  publisher: opt(Schema.Array(Organization)),
  creator: opt(Organization),
  contentUrl: opt(Schema.String),
  hostPageUrl: opt(Schema.String),
  hostPageDisplayUrl: opt(Schema.String),
  encodingFormat: opt(Schema.String),
  width: opt(Schema.Number),
  height: opt(Schema.Number),
  duration: opt(Schema.String),
  motionThumbnailUrl: opt(Schema.String),
  embedHtml: opt(Schema.String),
  allowHttpsEmbed: opt(Schema.Boolean),
  viewCount: opt(Schema.Number),
  thumbnail: opt(MediaSize),
  videoId: opt(Schema.String),
  allowMobileEmbed: opt(Schema.Boolean),
  isSuperfresh: opt(Schema.Boolean),
  isFamilyFriendly: opt(Schema.Boolean)
})

/**
 * The `videos` answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VideosAnswer = Schema.Struct({
  id: opt(Schema.String),
  readLink: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  isFamilyFriendly: opt(Schema.Boolean),
  scenario: opt(Schema.String),
  value: Schema.Array(Video)
})

/**
 * The `relatedSearches` answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RelatedSearchAnswer = Schema.Struct({ id: opt(Schema.String), value: Schema.Array(Query) })

/**
 * The `spellSuggestions` answer (one suggestion in `value`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SpellSuggestions = Schema.Struct({ id: opt(Schema.String), value: Schema.Array(Query) })

/**
 * The `computation` answer: an expression and its value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Computation = Schema.Struct({ id: opt(Schema.String), expression: Schema.String, value: Schema.String })

/**
 * The time somewhere.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TimeZoneInformation = Schema.Struct({
  location: Schema.String,
  time: Schema.String,
  utcOffset: opt(Schema.String),
  timeZoneName: opt(Schema.String)
})

/**
 * The `timeZone` answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TimeZone = Schema.Struct({
  id: opt(Schema.String),
  primaryCityTime: TimeZoneInformation,
  otherCityTimes: opt(Schema.Array(TimeZoneInformation)),
  date: opt(Schema.String),
  description: opt(Schema.String),
  primaryResponse: opt(Schema.String),
  primaryTimeZone: opt(TimeZoneInformation),
  timeZoneDifference: opt(
    Schema.Struct({ location1: opt(Schema.String), location2: opt(Schema.String), text: opt(Schema.String) })
  )
})

/**
 * One slot of a ranking group: which answer, and which result of it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RankingItem = Schema.Struct({
  answerType: Schema.String,
  resultIndex: opt(Schema.Int),
  value: opt(Schema.Struct({ id: Schema.String }))
})

/**
 * @since 0.1.0
 * @category schemas
 */
export const RankingGroup = Schema.Struct({ items: Schema.Array(RankingItem) })

/**
 * In which order to display the answers.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RankingResponse = Schema.Struct({
  mainline: opt(RankingGroup),
  pole: opt(RankingGroup),
  sidebar: opt(RankingGroup)
})

const Unmodelled = Schema.Record(Schema.String, Schema.Unknown)

/**
 * The body of `GET /v7.0/search`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SearchResponse = Schema.Struct({
  _type: Schema.Literal("SearchResponse"),
  queryContext: opt(QueryContext),
  webPages: opt(WebAnswer),
  images: opt(ImageAnswer),
  news: opt(NewsAnswer),
  videos: opt(VideosAnswer),
  entities: opt(Unmodelled),
  places: opt(Unmodelled),
  relatedSearches: opt(RelatedSearchAnswer),
  spellSuggestions: opt(SpellSuggestions),
  timeZone: opt(TimeZone),
  computation: opt(Computation),
  translations: opt(Unmodelled),
  rankingResponse: opt(RankingResponse)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface SearchResponse extends Schema.Schema.Type<typeof SearchResponse> {}
