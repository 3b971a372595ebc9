/**
 * The success body of Autosuggest (`Suggestions`), with the field names of Bing's
 * `bing-autosuggest/reference/response-objects.md` and the sample of `how-to/get-suggestions.md`,
 * and its decoder. Unknown fields are tolerated (and dropped); known fields are checked.
 *
 * @since 0.5.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as BingResponse from "./BingResponse.js"
import { Open } from "./internal/open.js"

const opt = Schema.optionalKey

/**
 * A suggested query (`SearchAction`): `displayText` for the drop-down, `query` for the next
 * search, `url` to Bing's results page, `searchKind` `WebSearch` or `CustomSearch` (open).
 *
 * @since 0.5.0
 * @category schemas
 */
export const SearchAction = Schema.Struct({
  _type: opt(Schema.String),
  url: opt(Schema.String),
  displayText: Schema.String,
  query: Schema.String,
  searchKind: opt(Open(["WebSearch", "CustomSearch"]))
})

/**
 * @since 0.5.0
 * @category models
 */
export interface SearchAction extends Schema.Schema.Type<typeof SearchAction> {}

/**
 * A group of suggestions (`Web`, or `Custom`): up to 8, most relevant first, possibly none.
 *
 * @since 0.5.0
 * @category schemas
 */
export const SuggestionGroup = Schema.Struct({
  name: Open(["Web", "Custom"]),
  searchSuggestions: Schema.Array(SearchAction)
})

/**
 * @since 0.5.0
 * @category models
 */
export interface SuggestionGroup extends Schema.Schema.Type<typeof SuggestionGroup> {}

/**
 * The body of Autosuggest (`_type: "Suggestions"`).
 *
 * @since 0.5.0
 * @category schemas
 */
export const Suggestions = Schema.Struct({
  _type: Schema.Literal("Suggestions"),
  queryContext: opt(Schema.Struct({ originalQuery: Schema.String })),
  suggestionGroups: Schema.Array(SuggestionGroup)
}).annotate({ identifier: "Suggestions" })

/**
 * @since 0.5.0
 * @category models
 */
export interface Suggestions extends Schema.Schema.Type<typeof Suggestions> {}

/**
 * Decodes an Autosuggest response (`GET /v7.0/suggestions`).
 *
 * @since 0.5.0
 * @category decoding
 */
export const decodeSuggestions = (
  input: BingResponse.ResponseInput,
  options?: BingResponse.DecodeOptions
): Result.Result<Suggestions, BingError.BingError> => BingResponse.decodeResponse(Suggestions, input, options)
