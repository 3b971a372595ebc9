/**
 * Video Search, Trending Videos and Video Details (`/videos/search`, `/videos/trending`,
 * `/videos/details`): the schema's parameter codecs mapped onto a deterministic generator over the
 * built-in corpus. The same query, market and parameters give the same JSON on every run; nothing
 * here reads the clock or Math.random.
 *
 * Each video is a function of its topic and its index within the topic, and its `videoId` carries
 * both (then a checksum), so `/videos/details?id=` finds the video a search returned without any
 * state.
 */
import { type BingError, VideoSearchParams } from "@bing-effect/schema"
import * as Result from "effect/Result"
import { corpusDate, genericSites, type Topic, topics } from "./corpus.js"
import { resolveMarket } from "./markets.js"
import { hash32, hex8, mix } from "./random.js"
import { decorator, pool } from "./results.js"

const API = "https://api.bing.microsoft.com/api/v7/"
const DAY = 86_400_000
const enc = encodeURIComponent

/** Bing's video date format (the documented sample has no zone: `2012-07-25T13:23:33.0000000`). */
const videoDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, ".0000000")

/** The routes this module serves, under `/v7.0` (the core adds `/bing/v7.0`). */
export const videoRoutes = [
  ["/v7.0/videos/search", "videos"],
  ["/v7.0/videos/trending", "trendingVideos"],
  ["/v7.0/videos/details", "videoDetails"]
] as const

export type VideoEndpoint = (typeof videoRoutes)[number][1]

export const isVideoEndpoint = (e: string): e is VideoEndpoint =>
  e === "videos" || e === "trendingVideos" || e === "videoDetails"

export type VideoOutcome =
  | { readonly ok: true; readonly body: string; readonly market: string }
  | { readonly ok: false; readonly error: BingError.InvalidRequest }

interface VideoInfo {
  readonly topic: Topic
  readonly topicIndex: number
  readonly j: number
  readonly videoId: string
  readonly seconds: number
  readonly lines: number
  readonly widescreen: boolean
  readonly free: boolean
  readonly embeddable: boolean
  readonly ageDays: number
  readonly familyFriendly: boolean
  readonly site: string
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, "0")
const GENERIC = 0xffff
const resolutions = [240, 360, 480, 720, 1080] as const

const videoInfo = (topic: Topic, topicIndex: number, j: number): VideoInfo => {
  const h = hash32(`${topic.slug}|video|${j}`)
  const lines = resolutions[mix(h, 1) % resolutions.length]!
  return {
    topic,
    topicIndex,
    j,
    videoId: `${hex4(topicIndex)}${hex4(j)}${hex8(h)}${hex8(mix(h, 2))}${hex8(mix(h, 3))}`,
    // 30 s to about 45 min, so that every videoLength has videos
    seconds: 30 + (mix(h, 4) % 2700),
    lines,
    widescreen: lines >= 720 || mix(h, 5) % 3 !== 0,
    free: mix(h, 6) % 5 !== 0,
    embeddable: mix(h, 7) % 4 !== 0,
    ageDays: mix(h, 8) % 400,
    // a mature topic has some videos that are not family friendly
    familyFriendly: topic.mature !== true || mix(h, 9) % 2 === 0,
    site: topic.sites[j % topic.sites.length]!
  }
}

const indexOf = (topic: Topic): number => {
  const i = topics.indexOf(topic)
  return i < 0 ? GENERIC : i
}

/**
 * The video a `videoId` names, when it is one the generator made. A video of a query that matches
 * no corpus topic is found only with that query in `q` (the documentation says to always send it).
 */
const byId = (id: string, q?: string): VideoInfo | undefined => {
  if (!/^[0-9A-F]{32}$/.test(id)) return undefined
  const t = Number.parseInt(id.slice(0, 4), 16)
  const j = Number.parseInt(id.slice(4, 8), 16)
  const topic = t === GENERIC ? (q === undefined ? undefined : pool(q, false).pool[0]) : topics[t]
  if (topic === undefined) return undefined
  const info = videoInfo(topic, t, j)
  return info.videoId === id ? info : undefined
}

const passes = (v: VideoInfo, p: VideoSearchParams.VideoSearchParams): boolean => {
  if (p.freshness !== undefined && v.ageDays >= (p.freshness === "Day" ? 1 : p.freshness === "Week" ? 7 : 30)) {
    return false
  }
  if (p.videoLength === "Short" && v.seconds >= 300) return false
  if (p.videoLength === "Medium" && (v.seconds < 300 || v.seconds > 1200)) return false
  if (p.videoLength === "Long" && v.seconds <= 1200) return false
  if (p.resolution === "LowerThan_360p" && v.lines >= 360) return false
  if (p.resolution !== undefined && p.resolution !== "All" && p.resolution !== "LowerThan_360p") {
    if (v.lines < Number.parseInt(p.resolution, 10)) return false
  }
  if (p.pricing === "Free" && !v.free) return false
  if (p.pricing === "Paid" && v.free) return false
  if (p.aspect === "Widescreen" && !v.widescreen) return false
  if (p.aspect === "Standard" && v.widescreen) return false
  if (p.embedded === "Player" && !v.embeddable) return false
  return true
}

type Decorate = (s: string) => string

const videoJson = (v: VideoInfo, q: string, deco: Decorate) => {
  const watch = `https://${v.site.replace(/^www\./, "")}/watch?v=${v.videoId.slice(8, 19)}`
  const width = v.widescreen ? Math.round((v.lines * 16) / 9) : Math.round((v.lines * 4) / 3)
  return {
    webSearchUrl: `https://www.bing.com/videos/search?q=${enc(q)}&view=detail&mid=${v.videoId}`,
    name: deco(`${v.topic.title}: ${v.topic.related[v.j % v.topic.related.length]!} (part ${v.j + 1})`),
    description: deco(v.topic.facts[v.j % v.topic.facts.length]!),
    thumbnailUrl: `https://tse${1 + (v.j % 4)}.mm.bing.net/th?id=OVP.${v.videoId.slice(8, 32)}&pid=Api`,
    datePublished: videoDate(corpusDate - v.ageDays * DAY - (mix(hash32(v.videoId), 10) % DAY)),
    // `_type` on publisher and creator: see VideoSearch.Publisher in the schema (assumption)
    publisher: [{ _type: "Organization", name: v.site }],
    creator: { _type: "Organization", name: `${v.topic.title} Channel` },
    isAccessibleForFree: v.free,
    isFamilyFriendly: v.familyFriendly,
    contentUrl: watch,
    hostPageUrl: watch,
    encodingFormat: "h264",
    hostPageDisplayUrl: watch,
    width,
    height: v.lines,
    duration: `PT${Math.floor(v.seconds / 60)}M${v.seconds % 60}S`,
    motionThumbnailUrl: `https://tse${1 + (v.j % 4)}.mm.bing.net/th?id=OM.${v.videoId.slice(8, 24)}&pid=Api`,
    ...(v.embeddable
      ? {
        embedHtml: `<iframe width="${width}" height="${v.lines}" src="${
          watch.replace("/watch?v=", "/embed/")
        }?autoplay=1" frameborder="0" allowfullscreen></iframe>`,
        allowHttpsEmbed: true,
        allowMobileEmbed: true
      }
      : {}),
    viewCount: mix(hash32(v.videoId), 11) % 5_000_000,
    thumbnail: { width: 300, height: v.widescreen ? 169 : 225 },
    videoId: v.videoId,
    isSuperfresh: v.ageDays < 1
  }
}

const query = (text: string) => ({
  text,
  displayText: text,
  webSearchUrl: `https://www.bing.com/videos/search?q=${enc(text)}&FORM=VRPATC`,
  searchLink: `${API}videos/search?q=${enc(text)}`,
  thumbnail: { thumbnailUrl: `https://tse1.mm.bing.net/th?q=${enc(text)}&pid=Api` }
})

const decoOf = (p: { readonly q?: string | undefined; textDecorations?: boolean; textFormat?: "Raw" | "HTML" }) =>
  decorator({ q: p.q ?? "", textDecorations: p.textDecorations ?? false, textFormat: p.textFormat ?? "Raw" })

/** The body of `/videos/search`. `safeSearch=Off` is treated as `Moderate`, as documented. */
const searchBody = (p: VideoSearchParams.VideoSearchParams, market: string): string => {
  const { pool: topicsOf } = pool(p.q, p.safeSearch === "Strict")
  // A count over the maximum delivers the maximum (issue 16, item 5), as web, images and news do.
  const count = Math.min(p.count ?? 35, VideoSearchParams.maxCount)
  const offset = p.offset ?? 0
  const seed = hash32(`${p.q.toLowerCase()}|${market}|videos`)
  const raw = Math.min(
    1000,
    (topicsOf.length > 1 || topicsOf[0]!.sites !== genericSites ? 300 : 100) + (seed % 100) * topicsOf.length
  )
  const at = (i: number): VideoInfo => {
    const topic = topicsOf[i % topicsOf.length]!
    return videoInfo(topic, indexOf(topic), Math.floor(i / topicsOf.length))
  }
  const ok = (v: VideoInfo) => v.familyFriendly && passes(v, p)
  let total = 0
  for (let i = 0; i < raw; i++) if (ok(at(i))) total++
  const value: Array<VideoInfo> = []
  const pinned = p.id !== undefined && offset === 0 ? byId(p.id) : undefined
  if (pinned !== undefined && ok(pinned)) value.push(pinned)
  let i = Math.min(offset, raw)
  for (; i < raw && value.length < count; i++) {
    const v = at(i)
    if (ok(v) && v.videoId !== pinned?.videoId) value.push(v)
  }
  const deco = decoOf(p)
  const topic = topicsOf[0]!
  const words = p.q.trim().split(/\s+/)
  return JSON.stringify({
    _type: "Videos",
    readLink: `${API}videos/search?q=${enc(p.q)}`,
    webSearchUrl: `https://www.bing.com/videos/search?q=${enc(p.q)}`,
    queryContext: { originalQuery: p.q },
    totalEstimatedMatches: total,
    nextOffset: i,
    currentOffset: offset,
    value: value.map((v) => videoJson(v, p.q, deco)),
    ...(offset === 0
      ? {
        queryExpansions: topic.related.slice(0, 4).map(query),
        pivotSuggestions: words.length > 1
          ? words.map((w, k) => ({
            pivot: w,
            suggestions: k === 0 ? [] : topic.related.slice(0, 2).map((r) => query(`${words[0]} ${r}`))
          }))
          : [],
        relatedSearches: topic.related.map(query)
      }
      : {})
  })
}

/** Trending categories and their subcategories (assumption: titles from the documentation's examples). */
const trendingCategories = [
  { title: "Music Videos", subcategories: ["Top Music Videos", "New Music Videos"] },
  { title: "Viral Videos", subcategories: ["This Week's Viral Videos", "Trending Now"] }
] as const

const trendingBody = (p: VideoSearchParams.TrendingVideosParams, market: string): string => {
  const list = topics.filter((t) => t.mature !== true)
  const start = hash32(`${market}|videos`) % list.length
  const tile = (n: number) => {
    const topic = list[(start + n) % list.length]!
    const v = videoInfo(topic, indexOf(topic), n % 7)
    const text = topic.related[n % topic.related.length]!
    return {
      image: {
        description: `${topic.title} Channel`,
        thumbnailUrl: `https://tse${1 + (n % 4)}.mm.bing.net/th?id=OVP.${v.videoId.slice(8, 32)}&pid=Api`,
        headline: topic.title
      },
      query: query(text)
    }
  }
  let n = 0
  return JSON.stringify({
    _type: "TrendingVideos",
    bannerTiles: Array.from({ length: 4 }, () => tile(n++)),
    categories: trendingCategories.map((c) => ({
      title: c.title,
      subcategories: c.subcategories.map((title) => ({ title, tiles: Array.from({ length: 5 }, () => tile(n++)) }))
    }))
  })
}

/**
 * The body of `/videos/details`: only the modules asked for and that have data (an id the corpus
 * does not know has none: the body is `{"_type":"Api.VideoDetails.VideoDetails"}`; Bing documents
 * no error for it, an assumption).
 */
const detailsBody = (p: VideoSearchParams.VideoDetailsParams): string => {
  const v = byId(p.id, p.q)
  const all = p.modules.includes("All")
  const out: Record<string, unknown> = { _type: "Api.VideoDetails.VideoDetails" }
  if (v !== undefined) {
    const deco = decoOf(p)
    const q = p.q ?? v.topic.title
    if (all || p.modules.includes("VideoResult")) out["videoResult"] = videoJson(v, q, deco)
    if (all || p.modules.includes("RelatedVideos")) {
      const related: Array<VideoInfo> = []
      for (let k = 1; related.length < 10 && k <= 40; k++) {
        const r = videoInfo(v.topic, v.topicIndex, v.j + k)
        if (r.familyFriendly) related.push(r)
      }
      out["relatedVideos"] = { value: related.map((r) => videoJson(r, q, deco)) }
    }
  }
  return JSON.stringify(out)
}

/** Validates a video request and builds its answer; pure given its inputs (hence cacheable). */
export const videoOutcome = (
  endpoint: VideoEndpoint,
  sp: URLSearchParams,
  acceptLanguage: string | undefined
): VideoOutcome => {
  switch (endpoint) {
    case "videos": {
      const r = VideoSearchParams.fromQuery(sp)
      if (Result.isFailure(r)) return { ok: false, error: r.failure }
      const market = resolveMarket({ ...r.success, acceptLanguage })
      return { ok: true, body: searchBody(r.success, market), market }
    }
    case "trendingVideos": {
      const r = VideoSearchParams.trendingFromQuery(sp)
      if (Result.isFailure(r)) return { ok: false, error: r.failure }
      const market = resolveMarket({ ...r.success, acceptLanguage })
      return { ok: true, body: trendingBody(r.success, market), market }
    }
    case "videoDetails": {
      const r = VideoSearchParams.detailsFromQuery(sp)
      if (Result.isFailure(r)) return { ok: false, error: r.failure }
      const market = resolveMarket({ ...r.success, acceptLanguage })
      return { ok: true, body: detailsBody(r.success), market }
    }
  }
}
