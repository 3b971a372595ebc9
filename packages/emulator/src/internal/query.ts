/**
 * The normalized, validated request the generator works from. The adapter (`bing.ts`) builds it
 * from @bing-effect/schema's decoded parameters; nothing here validates.
 */

export type SafeSearch = "Off" | "Moderate" | "Strict"

export type Answer =
  | "webpages"
  | "images"
  | "news"
  | "videos"
  | "relatedsearches"
  | "spellsuggestions"
  | "computation"
  | "timezone"
  | "entities"
  | "places"
  | "translations"

export interface AnswerFilter {
  readonly mode: "include" | "exclude"
  readonly answers: ReadonlySet<string>
}

export interface MarketInput {
  readonly mkt?: string | undefined
  readonly cc?: string | undefined
  readonly setLang?: string | undefined
}

export interface WebQuery extends MarketInput {
  readonly q: string
  readonly count: number
  readonly offset: number
  readonly safeSearch: SafeSearch
  readonly responseFilter?: AnswerFilter | undefined
  readonly answerCount?: number | undefined
  readonly promote?: ReadonlyArray<string> | undefined
  readonly textDecorations: boolean
  readonly textFormat: "Raw" | "HTML"
  /** `Day`, `Week`, `Month`, `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`, as the schema validated it. */
  readonly freshness?: string | undefined
}

export interface ImageFilters {
  readonly aspect?: string | undefined
  readonly color?: string | undefined
  readonly freshness?: string | undefined
  readonly height?: number | undefined
  readonly width?: number | undefined
  readonly minHeight?: number | undefined
  readonly maxHeight?: number | undefined
  readonly minWidth?: number | undefined
  readonly maxWidth?: number | undefined
  readonly minFileSize?: number | undefined
  readonly maxFileSize?: number | undefined
  readonly imageContent?: string | undefined
  readonly imageType?: string | undefined
  readonly license?: string | undefined
  readonly size?: string | undefined
}

export interface ImageQuery extends MarketInput, ImageFilters {
  readonly q: string
  readonly count: number
  readonly offset: number
  readonly safeSearch: SafeSearch
  readonly id?: string | undefined
}

export interface TrendingQuery extends MarketInput {
  readonly safeSearch: SafeSearch
}
