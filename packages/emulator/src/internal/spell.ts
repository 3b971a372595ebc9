/**
 * Spell Check in the emulator: `GET` and `POST /v7.0/spellcheck` (`text` in the query string or an
 * `application/x-www-form-urlencoded` body), checked by @bing-effect/schema's `SpellCheckParams`
 * (Bing's 400 bodies). Corrections come from a small frozen dictionary, so the same text gives
 * the same `flaggedTokens` on every run. The shape follows the documented example
 * ("Spell Check API v7 response objects" in Microsoft's bing-docs).
 *
 * Assumptions where the documentation is silent, each marked `Assumption` below.
 */
import { SpellCheckParams } from "@bing-effect/schema"
import * as Result from "effect/Result"
import type { IncomingMessage } from "node:http"
import type { Errors } from "./bing.js"
import { misspellings } from "./corpus.js"
import { resolveMarket } from "./markets.js"
import type { Wire } from "./wire.js"

/** What `computeSpell` answers (the shape of the router's cached outcome). */
export type SpellOutcome = { readonly ok: true; readonly body: Buffer; readonly market: string } | {
  readonly ok: false
  readonly wire: Wire
}

export type SpellEndpoint = "spellcheck"

export const spellRoutes: ReadonlyArray<readonly [string, SpellEndpoint]> = [["/v7.0/spellcheck", "spellcheck"]]

export const isSpellEndpoint = (endpoint: string): endpoint is SpellEndpoint => endpoint === "spellcheck"

/**
 * The largest form body read. Assumption: Bing documents no limit (only that proof mode truncates
 * `text` to 4,096 characters); a larger body is answered 400 `ParameterInvalidValue` on `text`.
 */
export const MAX_FORM_BYTES = 256 * 1024

/** Known misspellings and their suggestions, best first (the corpus' list, and the docs' examples). */
const dictionary: ReadonlyMap<string, ReadonlyArray<string>> = new Map<string, ReadonlyArray<string>>([
  ...[...misspellings].map(([wrong, right]) => [wrong, [right]] as const),
  ["hollo", ["hello", "hollow"]],
  ["wrld", ["world"]],
  ["teh", ["the"]],
  ["speling", ["spelling"]],
  ["gatas", ["gates"]],
  ["seperate", ["separate"]],
  ["occured", ["occurred"]],
  ["untill", ["until"]],
  ["tommorow", ["tomorrow"]],
  ["acheive", ["achieve"]]
])

/**
 * Words that are only wrong in context (the documentation's own examples): `petal` after `bike`,
 * `read` before `carpet`.
 */
const inContext: ReadonlyArray<
  { readonly word: string; readonly pre?: string; readonly post?: string; readonly fix: string }
> = [
  { word: "petal", pre: "bike", fix: "pedal" },
  { word: "read", post: "carpet", fix: "red" }
]

/** Proof mode's markets ("available only in the en-US, es-ES, pt-BR markets"). */
const proofMarkets: ReadonlySet<string> = new Set(["en-US", "es-ES", "pt-BR"])

/** Spell mode's limits on `text`: 130 characters for these languages, 65 for the others. */
const longLanguages: ReadonlySet<string> = new Set([
  "en",
  "de",
  "es",
  "fr",
  "pl",
  "pt",
  "sv",
  "ru",
  "nl",
  "nb",
  "tr",
  "it",
  "zh",
  "ko"
])

/** Keeps the case of the flagged word: `Hollo` → `Hello`, `HOLLO` → `HELLO`. */
const sameCase = (token: string, suggestion: string): string =>
  token === token.toUpperCase() && token.length > 1
    ? suggestion.toUpperCase()
    : token[0] !== undefined && token[0] !== token[0].toLowerCase()
    ? suggestion[0]!.toUpperCase() + suggestion.slice(1)
    : suggestion

/** Deterministic confidence, decreasing with the rank of a suggestion (Bing's look: 0.9115257530801). */
const scoreOf = (token: string, rank: number): number => {
  let h = 0
  for (const c of token) h = (h * 31 + c.codePointAt(0)!) % 1_000_003
  return Math.round((0.93 - rank * 0.06 - (h % 500) / 100_000) * 1e13) / 1e13
}

const lastWord = (s: string | undefined): string | undefined =>
  s?.toLowerCase().match(/[\p{L}\p{N}']+(?=[^\p{L}\p{N}']*$)/u)?.[0]

const firstWord = (s: string | undefined): string | undefined => s?.toLowerCase().match(/[\p{L}\p{N}']+/u)?.[0]

/** The body of `/spellcheck`, as a JSON string. */
export const spellCheckBody = (p: SpellCheckParams.SpellCheckParams, market: string): string => {
  // Assumption: mode defaults to proof (as documented) where proof is available, and to spell elsewhere.
  const mode = p.mode ?? (proofMarkets.has(market) ? "proof" : "spell")
  const language = market.slice(0, 2).toLowerCase()
  const flaggedTokens: Array<unknown> = []
  // Assumption: proof in a market without proof finds nothing ("or the specified market is not
  // supported, the array is empty"); spell does not check a text over its length limit.
  const checked = mode === "proof"
    ? (proofMarkets.has(market) ? p.text.slice(0, 4096) : "")
    : (p.text.length > (longLanguages.has(language) ? 130 : 65) ? "" : p.text)
  const words = [...checked.matchAll(/[\p{L}\p{N}']+/gu)]
  words.forEach((m, i) => {
    const token = m[0]
    const lower = token.toLowerCase()
    const offset = m.index
    const previous = words[i - 1]?.[0].toLowerCase()
    if (mode === "proof" && previous === lower) {
      flaggedTokens.push({
        offset,
        token,
        type: "RepeatedToken",
        suggestions: [{ suggestion: "", score: scoreOf(lower, 0) }]
      })
      return
    }
    const before = i > 0 ? previous : lastWord(p.preContextText)
    const after = words[i + 1]?.[0].toLowerCase() ?? firstWord(p.postContextText)
    const contextual = inContext.find((c) =>
      c.word === lower && (c.pre === undefined || c.pre === before) && (c.post === undefined || c.post === after)
    )
    const fixes = contextual !== undefined ? [contextual.fix] : dictionary.get(lower)
    if (fixes === undefined) return
    flaggedTokens.push({
      offset,
      token,
      type: "UnknownToken",
      suggestions: fixes.map((fix, rank) => ({
        suggestion: sameCase(token, fix),
        score: mode === "spell" ? 1 : scoreOf(lower, rank)
      }))
    })
  })
  return JSON.stringify({ _type: "SpellCheck", flaggedTokens })
}

/** Checks the parameters (names in any case, see `SpellCheckParams.normalize`) and builds the answer. */
export const computeSpell = (
  sp: URLSearchParams,
  acceptLanguage: string | undefined,
  errors: Errors
): SpellOutcome => {
  const r = SpellCheckParams.fromQuery(SpellCheckParams.normalize(sp))
  if (Result.isFailure(r)) return { ok: false, wire: errors.of(r.failure) }
  const market = resolveMarket({ ...r.success, acceptLanguage })
  return { ok: true, body: Buffer.from(spellCheckBody(r.success, market)), market }
}

/**
 * The form without any `subscription-key` field: the key is taken from the header or the query
 * string only (Assumption: nothing documents a key in a body), and a key in the body must not
 * authenticate.
 */
const withoutKeys = (form: string): string => {
  const kept = new URLSearchParams()
  for (const [name, value] of new URLSearchParams(form)) {
    if (name.toLowerCase() !== "subscription-key") kept.append(name, value)
  }
  return kept.toString()
}

/**
 * Reads a `POST`'s form body (bounded): `done` gets its text when the body is
 * `application/x-www-form-urlencoded`, the empty string otherwise (Assumption: another body, such
 * as the empty JSON body Microsoft's SDK sends with its parameters in the query string, is
 * ignored); `tooLarge` is called instead past {@link MAX_FORM_BYTES}.
 */
export const readForm = (
  req: IncomingMessage,
  done: (form: string) => void,
  tooLarge: () => void
): void => {
  const type = String(req.headers["content-type"] ?? "").toLowerCase()
  const isForm = type.startsWith("application/x-www-form-urlencoded")
  const chunks: Array<Buffer> = []
  let size = 0
  let over = false
  req.on("data", (chunk: Buffer) => {
    if (over) return
    size += chunk.length
    if (size > MAX_FORM_BYTES) {
      over = true
      chunks.length = 0
      tooLarge()
      return
    }
    if (isForm) chunks.push(chunk)
  })
  req.on("end", () => {
    if (!over) done(isForm ? withoutKeys(Buffer.concat(chunks).toString("utf8")) : "")
  })
}
