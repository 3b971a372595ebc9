/**
 * Autosuggest (`/suggestions`): the schema's parameter codec mapped onto a deterministic generator
 * over the built-in corpus. Suggestions are the corpus phrases (topic titles, related searches,
 * keywords) that start with the typed text, word by word, most relevant first, at most 8 (the
 * documented maximum); an absent or empty `q` gets trending phrases for the market.
 */
import { type BingError, SuggestionsParams } from "@bing-effect/schema"
import * as Result from "effect/Result"
import { topics } from "./corpus.js"
import { resolveMarket } from "./markets.js"
import { hash32 } from "./random.js"

/** The route this module serves, under `/v7.0` (the core adds `/bing/v7.0`). */
export const suggestionsRoute = ["/v7.0/suggestions", "suggestions"] as const

export type SuggestionsOutcome =
  | { readonly ok: true; readonly body: string; readonly market: string }
  | { readonly ok: false; readonly error: BingError.InvalidRequest }

const MAX = 8

/** Every phrase of the corpus once, in corpus order (family-friendly topics only). */
const phrases: ReadonlyArray<string> = (() => {
  const seen = new Set<string>()
  const out: Array<string> = []
  const add = (p: string) => {
    const key = p.trim().toLowerCase()
    if (key !== "" && !seen.has(key)) {
      seen.add(key)
      out.push(key)
    }
  }
  for (const t of topics) {
    if (t.mature === true) continue
    add(t.title)
    for (const r of t.related) add(r)
    for (const k of t.keywords) add(k)
  }
  return out
})()

const normalise = (s: string): string => s.toLowerCase().replace(/\s+/g, " ").trimStart()

/**
 * Ranks a phrase for the typed text: the phrase starts with it (best), or one of its words does;
 * `undefined` when neither.
 */
const rank = (phrase: string, typed: string): number | undefined => {
  if (phrase.startsWith(typed)) return 0
  return phrase.includes(` ${typed}`) ? 1 : undefined
}

const action = (query: string) => ({
  url: `https://www.bing.com/search?q=${encodeURIComponent(query).replace(/%20/g, "+")}&FORM=USBAPI`,
  displayText: query,
  query,
  searchKind: "WebSearch"
})

const body = (p: SuggestionsParams.SuggestionsParams, market: string): string => {
  const typed = normalise(p.q ?? "")
  let picked: Array<string>
  if (typed.trim() === "") {
    const start = hash32(`${market}|suggestions`) % phrases.length
    picked = Array.from({ length: MAX }, (_, k) => phrases[(start + k * 7) % phrases.length]!)
  } else {
    const scored: Array<{ phrase: string; score: number; index: number }> = []
    phrases.forEach((phrase, index) => {
      if (phrase === typed.trim()) return
      const score = rank(phrase, typed)
      if (score !== undefined) scored.push({ phrase, score, index })
    })
    scored.sort((a, b) => a.score - b.score || a.index - b.index)
    picked = scored.slice(0, MAX).map((s) => s.phrase)
  }
  return JSON.stringify({
    _type: "Suggestions",
    queryContext: { originalQuery: p.q ?? "" },
    suggestionGroups: [{ name: "Web", searchSuggestions: picked.map(action) }]
  })
}

/** Validates an Autosuggest request and builds its answer; pure given its inputs (hence cacheable). */
export const suggestionsOutcome = (sp: URLSearchParams, acceptLanguage: string | undefined): SuggestionsOutcome => {
  const r = SuggestionsParams.fromQuery(sp)
  if (Result.isFailure(r)) return { ok: false, error: r.failure }
  const market = resolveMarket({ ...r.success, acceptLanguage })
  return { ok: true, body: body(r.success, market), market }
}
