/**
 * News Search in the emulator: `/news/search`, `/news` (by category) and `/news/trendingtopics`.
 * Parameters are checked by @bing-effect/schema's `NewsSearchParams` codecs (Bing's 400 bodies);
 * articles and topics are generated from the seeded corpus, so the same request gives the same
 * JSON on every run. The shapes follow the documented examples ("News Search APIs v7 response
 * objects" and the how-to samples in Microsoft's bing-docs), `"_type": "Organization"` on every
 * provider included.
 *
 * Assumptions where the documentation is silent, each marked `Assumption` below.
 */
import { NewsSearchParams } from "@bing-effect/schema"
import * as Result from "effect/Result"
import type { Errors } from "./bing.js"
import { aspects, corpusDate, type Topic, topics } from "./corpus.js"
import { resolveMarket } from "./markets.js"
import type { SafeSearch } from "./query.js"
import { hash32, hex8, mix } from "./random.js"
import { API, bingDate, DAY, decorator, enc, host, pool } from "./results.js"
import type { Wire } from "./wire.js"

/** What `computeNews` answers (the shape of the router's cached outcome). */
export type NewsOutcome = { readonly ok: true; readonly body: Buffer; readonly market: string } | {
  readonly ok: false
  readonly wire: Wire
}

/** The endpoints of this module, by the emulator's name for them. */
export type NewsEndpoint = "news" | "newsCategory" | "newsTrending"

/** Paths (without the `/bing` prefix, which the router adds when it is on). */
export const newsRoutes: ReadonlyArray<readonly [string, NewsEndpoint]> = [
  ["/v7.0/news/search", "news"],
  ["/v7.0/news", "newsCategory"],
  ["/v7.0/news/trendingtopics", "newsTrending"]
]

export const isNewsEndpoint = (endpoint: string): endpoint is NewsEndpoint =>
  endpoint === "news" || endpoint === "newsCategory" || endpoint === "newsTrending"

/**
 * The categories each topic's articles are filed under (the first is the article's `category`).
 * Assumption: every documented category is served in every market (the documentation lists the
 * categories by market, and says nothing of a category sent for another market).
 */
const categoryOf = (topic: Topic): string => {
  const byKeyword: ReadonlyArray<readonly [RegExp, string]> = [
    [/sport|football|soccer|tennis|golf|nba|nfl|chess|olymp/, "Sports"],
    [/health|medic|vaccin|diet|fitness|sleep|coffee|espresso/, "Health"],
    [/music|film|movie|guitar|tv|game|poker|casino/, "Entertainment"],
    [/polit|election|law|govern/, "Politics"],
    [/market|stock|bitcoin|econom|business|pric/, "Business"],
    [/space|mars|nasa|climate|physic|biolog|everest|volcano|science/, "Science"]
  ]
  const text = `${topic.slug} ${topic.keywords.join(" ")}`
  for (const [re, category] of byKeyword) if (re.test(text)) return category
  return "ScienceAndTechnology"
}

/** A parent category includes its sub-categories (`Sports` includes `Sports_NFL`). */
const inCategory = (articleCategory: string, requested: string): boolean => {
  if (requested === articleCategory) return true
  if (requested === "ScienceAndTechnology") return articleCategory === "Science" || articleCategory === "Technology"
  return articleCategory.startsWith(`${requested}_`) ||
    (requested.includes("_") && articleCategory === requested.split("_")[0])
}

interface Article {
  readonly topic: Topic
  readonly index: number
  readonly ageMs: number
  readonly category: string
  readonly site: string
}

/** Articles per topic; enough to page through with `count=100`. */
const PER_TOPIC = 60

/** Ages spread over 60 days, so that every `freshness` keeps some and drops some. */
const articleOf = (topic: Topic, index: number): Article => ({
  topic,
  index,
  ageMs: mix(hash32(topic.slug), index, 17) % (60 * DAY),
  category: categoryOf(topic),
  site: topic.sites[index % topic.sites.length]!
})

const providerName = (site: string): string => {
  const base = site.replace(/^www\./, "").split(".")[0] ?? site
  return base.length === 0 ? site : base[0]!.toUpperCase() + base.slice(1)
}

const articleJson = (
  a: Article,
  deco: (s: string) => string,
  options: { readonly originalImg: boolean; readonly headline: boolean }
) => {
  const id = hex8(mix(hash32(a.topic.slug), a.index, 3))
  const aspect = aspects[(a.index + 6) % aspects.length]!.toLowerCase()
  const thumb = `https://www.bing.com/th?id=ON.${id}${hex8(a.index)}&pid=News`
  return {
    name: deco(`${a.topic.title}: ${aspect}`),
    url: `https://${host(a.site)}/news/${a.topic.slug}-${a.index + 1}`,
    image: {
      ...(options.originalImg
        ? { contentUrl: `https://${host(a.site)}/images/${a.topic.slug}-${a.index + 1}.jpg` }
        : {}),
      thumbnail: { contentUrl: thumb, width: 700, height: 466 }
    },
    description: deco(a.topic.facts[a.index % a.topic.facts.length]!),
    about: [{ readLink: `${API}entities/${id}`, name: a.topic.title }],
    provider: [{ _type: "Organization", name: providerName(a.site) }],
    datePublished: bingDate(corpusDate - a.ageMs),
    category: a.category,
    ...(options.headline ? { headline: a.index % 3 === 0 } : {})
  }
}

const FRESHNESS_DAYS: Readonly<Record<NewsSearchParams.Freshness, number>> = { Day: 1, Week: 7, Month: 30 }

const byDate = (a: Article, b: Article): number => a.ageMs - b.ageMs || a.index - b.index

const sortLinks = (base: string, selected: "relevance" | "date") => [
  { name: "Best match", id: "relevance", isSelected: selected === "relevance", url: base },
  { name: "Most recent", id: "date", isSelected: selected === "date", url: `${base}&sortby=date` }
]

/** The articles of a topic pool, interleaved (the best-matching topic first), before filters. */
const articlesOf = (list: ReadonlyArray<Topic>): Array<Article> => {
  const out: Array<Article> = []
  for (let i = 0; i < PER_TOPIC; i++) for (const topic of list) out.push(articleOf(topic, i))
  return out
}

/** The topics of the top news (an empty `q`, or `/news` without a category). */
const topTopics = (market: string, safeSearch: SafeSearch): ReadonlyArray<Topic> => {
  const list = topics.filter((t) => safeSearch === "Off" || t.mature !== true)
  const start = hash32(market) % list.length
  return Array.from({ length: Math.min(8, list.length) }, (_, k) => list[(start + k) % list.length]!)
}

/** The body of `/news/search`. */
export const newsSearchBody = (p: NewsSearchParams.NewsSearchParams, market: string): string => {
  const safeSearch = p.safeSearch ?? "Moderate"
  const q = p.q.trim()
  const deco = decorator({ q, textDecorations: p.textDecorations ?? false, textFormat: p.textFormat ?? "Raw" })
  const list = q === "" ? topTopics(market, safeSearch) : pool(q, safeSearch === "Strict").pool
  let articles = articlesOf(list)
  if (p.freshness !== undefined) {
    const maxAge = FRESHNESS_DAYS[p.freshness] * DAY
    articles = articles.filter((a) => a.ageMs < maxAge)
  }
  const sort = p.sortBy === "Date" ? "date" : "relevance"
  if (sort === "date") articles = [...articles].sort(byDate)
  const count = Math.min(p.count ?? 10, NewsSearchParams.maxCount)
  const offset = p.offset ?? 0
  const page = articles.slice(offset, offset + count)
  const base = `${API}news/search?q=${enc(p.q)}`
  return JSON.stringify({
    _type: "News",
    readLink: base,
    queryContext: { originalQuery: p.q, adultIntent: list.some((t) => t.mature === true) },
    totalEstimatedMatches: articles.length,
    sort: sortLinks(base, sort),
    value: page.map((a) => articleJson(a, deco, { originalImg: p.originalImg ?? false, headline: false }))
  })
}

/**
 * The body of `/news`: up to 10 articles of a category, or the headlines of every category
 * (`headline` is only sent then, as documented). Assumption: a category with no article in the
 * corpus gets an empty `value`, not an error.
 */
export const newsCategoryBody = (p: NewsSearchParams.NewsCategoryParams, market: string): string => {
  const safeSearch = p.safeSearch ?? "Moderate"
  const deco = decorator({ q: "", textDecorations: false, textFormat: p.textFormat ?? "Raw" })
  const category = p.category
  const list = category === undefined
    ? topTopics(market, safeSearch)
    : topics.filter((t) => (safeSearch === "Off" || t.mature !== true) && inCategory(categoryOf(t), category))
  const value = articlesOf(list).sort(byDate).slice(0, 10)
  return JSON.stringify({
    _type: "News",
    ...(category === undefined ? {} : { readLink: `${API}news?category=${enc(category)}` }),
    value: value.map((a) => articleJson(a, deco, { originalImg: false, headline: category === undefined }))
  })
}

/**
 * The body of `/news/trendingtopics`. Topics are "discovered" at hourly steps before the corpus
 * date; `since` (Unix seconds) keeps those discovered at or after it.
 */
export const trendingTopicsBody = (p: NewsSearchParams.TrendingTopicsParams, market: string): string => {
  const safeSearch = p.safeSearch ?? "Moderate"
  const list = topics.filter((t) => safeSearch === "Off" || t.mature !== true)
  const start = hash32(`trending|${market}`) % list.length
  let entries = Array.from({ length: Math.min(12, list.length) }, (_, k) => {
    const topic = list[(start + k) % list.length]!
    return { topic, k, discovered: corpusDate - (mix(hash32(topic.slug), k, 5) % (48 * 3_600_000)) }
  })
  if (p.since !== undefined) entries = entries.filter((e) => e.discovered >= p.since! * 1000)
  if (p.sortBy === "Date" || p.since !== undefined) entries.sort((a, b) => b.discovered - a.discovered || a.k - b.k)
  return JSON.stringify({
    _type: "TrendingTopics",
    value: entries.map(({ k, topic }) => {
      const text = topic.related[k % topic.related.length]!
      const id = hex8(mix(hash32(topic.slug), k, 9))
      return {
        webSearchUrl: `https://www.bing.com/search?q=${enc(text)}&form=TNSA01`,
        name: topic.title,
        image: {
          url: `https://www.bing.com/th?id=OPN.RTNews_${id}&pid=News`,
          provider: [{ _type: "Organization", name: `© ${providerName(topic.sites[0]!)}` }]
        },
        isBreakingNews: k === 0,
        query: { text },
        newsSearchUrl: `https://www.bing.com/news/search?q=${enc(text)}&form=TNSA02`
      }
    })
  })
}

/** Checks the query and builds the answer of one news endpoint (pure, hence cacheable). */
export const computeNews = (
  endpoint: NewsEndpoint,
  sp: URLSearchParams,
  acceptLanguage: string | undefined,
  errors: Errors
): NewsOutcome => {
  const answer = <P extends { readonly mkt?: string; readonly cc?: string; readonly setLang?: string }>(
    r: Result.Result<P, Parameters<Errors["of"]>[0]>,
    body: (p: P, market: string) => string
  ): NewsOutcome => {
    if (Result.isFailure(r)) return { ok: false, wire: errors.of(r.failure) }
    const market = resolveMarket({ ...r.success, acceptLanguage })
    return { ok: true, body: Buffer.from(body(r.success, market)), market }
  }
  switch (endpoint) {
    case "news":
      return answer(NewsSearchParams.fromQuery(sp), newsSearchBody)
    case "newsCategory":
      return answer(NewsSearchParams.categoryFromQuery(sp), newsCategoryBody)
    case "newsTrending":
      return answer(NewsSearchParams.trendingFromQuery(sp), trendingTopicsBody)
  }
}
