/**
 * The success body of Spell Check (`SpellCheck` with its `flaggedTokens`), with the field names of
 * "Spell Check API v7 response objects" in Microsoft's bing-docs, and its decoder.
 *
 * @since 0.3.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import type { DecodeOptions, ResponseInput } from "./BingResponse.js"
import * as Decode from "./internal/decode.js"
import { Open } from "./internal/open.js"

/**
 * A suggested correction and Bing's confidence in it (always 1.0 in `spell` mode). For a repeated
 * word the suggestion is the empty string.
 *
 * @since 0.3.0
 * @category schemas
 */
export const TokenSuggestion = Schema.Struct({
  suggestion: Schema.String,
  score: Schema.optionalKey(Schema.Number)
})

/**
 * Why a token was flagged (open: a newer value still decodes).
 *
 * @since 0.3.0
 * @category schemas
 */
export const FlaggedTokenType = Open(["UnknownToken", "RepeatedToken"])

/**
 * A word of `text` that is misspelled or ungrammatical, at its zero-based `offset`, with its
 * suggestions in decreasing order of preference.
 *
 * @since 0.3.0
 * @category schemas
 */
export const FlaggedToken = Schema.Struct({
  offset: Schema.Number,
  token: Schema.String,
  type: Schema.optionalKey(FlaggedTokenType),
  suggestions: Schema.Array(TokenSuggestion)
})

/**
 * @since 0.3.0
 * @category models
 */
export interface FlaggedToken extends Schema.Schema.Type<typeof FlaggedToken> {}

/**
 * The body of `/spellcheck` (`_type: "SpellCheck"`). `flaggedTokens` is empty when nothing was
 * found, or when the market is not supported.
 *
 * @since 0.3.0
 * @category schemas
 */
export const SpellCheck = Schema.Struct({
  _type: Schema.Literal("SpellCheck"),
  flaggedTokens: Schema.Array(FlaggedToken),
  correctionType: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.3.0
 * @category models
 */
export interface SpellCheck extends Schema.Schema.Type<typeof SpellCheck> {}

const decodeBody = Schema.decodeUnknownResult(SpellCheck)

/**
 * Decodes a Spell Check response: the `SpellCheck` body, or the typed error.
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeSpellCheck = (
  input: ResponseInput,
  options?: DecodeOptions
): Result.Result<SpellCheck, BingError.BingError> => Decode.decodeResponse(decodeBody, "SpellCheck", input, options)
