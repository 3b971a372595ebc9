/**
 * The Autosuggest operation (`/suggestions`): its path, its parameter codec from
 * @bing-effect/schema (checked before any quota is spent) and its response decoder. `BingClient`
 * runs it through the same attempts, tiers and refusals as the others.
 */
import { Suggestions, SuggestionsParams } from "@bing-effect/schema"
import * as Operation from "./operation.js"

export const suggestions: Operation.Operation<SuggestionsParams.SuggestionsParams, Suggestions.Suggestions> = Operation
  .make("suggestions", "/v7.0/suggestions", SuggestionsParams, Suggestions.decodeSuggestions)
