/**
 * @bing-effect/schema: Effect Schema for the Bing Search API v7 wire objects, and the typed errors
 * every Bing failure decodes to.
 *
 * @since 0.1.0
 */
export * as BingError from "./BingError.js"
export * as BingResponse from "./BingResponse.js"
export * as EntitySearch from "./EntitySearch.js"
export * as EntitySearchParams from "./EntitySearchParams.js"
export * as ErrorResponse from "./ErrorResponse.js"
export * as ImageInsights from "./ImageInsights.js"
export * as ImageInsightsParams from "./ImageInsightsParams.js"
export * as ImageSearch from "./ImageSearch.js"
export * as ImageSearchParams from "./ImageSearchParams.js"
export * as NewsSearch from "./NewsSearch.js"
export * as NewsSearchParams from "./NewsSearchParams.js"
export * as SearchResponse from "./SearchResponse.js"
export * as SpellCheck from "./SpellCheck.js"
export * as SpellCheckParams from "./SpellCheckParams.js"
export * as Suggestions from "./Suggestions.js"
export * as SuggestionsParams from "./SuggestionsParams.js"
export * as VideoSearch from "./VideoSearch.js"
export * as VideoSearchParams from "./VideoSearchParams.js"
export * as VisualSearchParams from "./VisualSearchParams.js"
export * as WebSearchParams from "./WebSearchParams.js"
