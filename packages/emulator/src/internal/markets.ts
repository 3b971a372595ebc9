/**
 * Bing's market list and the "best fit" rule: an unknown `mkt` silently falls back to a listed
 * market (same language first), and `en-US` when nothing fits.
 */

/** The markets Bing Web and Image Search list (market-codes.md). */
export const markets: ReadonlyArray<string> = [
  "es-AR",
  "en-AU",
  "de-AT",
  "nl-BE",
  "fr-BE",
  "pt-BR",
  "en-CA",
  "fr-CA",
  "es-CL",
  "da-DK",
  "fi-FI",
  "fr-FR",
  "de-DE",
  "zh-HK",
  "en-IN",
  "en-ID",
  "it-IT",
  "ja-JP",
  "ko-KR",
  "en-MY",
  "es-MX",
  "nl-NL",
  "en-NZ",
  "no-NO",
  "zh-CN",
  "pl-PL",
  "en-PH",
  "ru-RU",
  "en-ZA",
  "es-ES",
  "sv-SE",
  "fr-CH",
  "de-CH",
  "zh-TW",
  "tr-TR",
  "en-GB",
  "en-US",
  "es-US"
]

/** The only markets `/images/trending` serves. */
export const trendingMarkets: ReadonlyArray<string> = ["en-AU", "en-CA", "en-IN", "zh-CN", "en-GB", "en-US"]

const byLower = (list: ReadonlyArray<string>): ReadonlyMap<string, string> =>
  new Map(list.map((m) => [m.toLowerCase(), m]))
const all = byLower(markets)
const trending = byLower(trendingMarkets)

const firstWith = (list: ReadonlyArray<string>, pred: (lang: string, country: string) => boolean): string | undefined =>
  list.find((m) => {
    const [lang = "", country = ""] = m.toLowerCase().split("-")
    return pred(lang, country)
  })

const homes: Readonly<Record<string, string>> = {
  en: "en-US",
  zh: "zh-CN",
  ja: "ja-JP",
  ko: "ko-KR",
  da: "da-DK",
  sv: "sv-SE",
  pt: "pt-BR"
}

/** A language's home market (fr -> fr-FR, en -> en-US), else its first market. */
const homeOf = (list: ReadonlyArray<string>, lang: string): string | undefined => {
  const home = homes[lang]
  if (home !== undefined && list.includes(home)) return home
  return firstWith(list, (l, c) => l === lang && c === lang) ?? firstWith(list, (l) => l === lang)
}

export interface MarketRequest {
  readonly mkt?: string | undefined
  readonly cc?: string | undefined
  readonly setLang?: string | undefined
  readonly acceptLanguage?: string | undefined
}

/** The market Bing would use for a request, among `list`. */
export const resolveMarket = (req: MarketRequest, forTrending = false): string => {
  const list = forTrending ? trendingMarkets : markets
  const index = forTrending ? trending : all
  const mkt = req.mkt?.trim().toLowerCase()
  if (mkt !== undefined && mkt !== "") {
    const exact = index.get(mkt)
    if (exact !== undefined) return exact
    const [lang = "", country = ""] = mkt.split(/[-_]/)
    return firstWith(list, (_, c) => c === country && country !== "") ?? homeOf(list, lang) ?? "en-US"
  }
  const cc = req.cc?.trim().toLowerCase()
  const langs = (req.acceptLanguage ?? req.setLang ?? "")
    .split(",")
    .map((part) => (part.split(";")[0] ?? "").trim().toLowerCase().split("-")[0] ?? "")
    .filter((l) => l !== "")
  if (cc !== undefined && cc !== "") {
    for (const lang of langs) {
      const hit = index.get(`${lang}-${cc}`)
      if (hit !== undefined) return hit
    }
    const country = firstWith(list, (_, c) => c === cc)
    if (country !== undefined) return country
  }
  return "en-US"
}

/** The two-letter language of a market. */
export const languageOf = (market: string): string => market.slice(0, 2)
