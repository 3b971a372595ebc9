/**
 * Deterministic result generation: the same query, market and parameters give the same JSON
 * on every run and machine (nothing here reads the clock or Math.random).
 */
import {
  aspects,
  colors,
  corpusDate,
  creativeCommonsOf,
  genericSites,
  imageSizes,
  imageTypes,
  licenses,
  misspellings,
  type Topic,
  topics,
  trendingCategories
} from "./corpus.js"
import { windowOf, within } from "./freshness.js"
import { languageOf } from "./markets.js"
import type { ImageFilters, ImageQuery, TrendingQuery, WebQuery } from "./query.js"
import { hash32, hex8, mix } from "./random.js"

export const API = "https://api.bing.microsoft.com/api/v7/"
export const DAY = 86_400_000
export const enc = encodeURIComponent
const ids = (name: string) => `${API}#${name}`

const tokens = (q: string): Array<string> => q.toLowerCase().split(/[^\p{L}\p{N}+#.-]+/u).filter((w) => w.length > 0)

const slugify = (s: string): string =>
  s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "results"

export const host = (site: string): string => (site.split(".").length === 2 ? `www.${site}` : site)

/** Bing's date format: `2025-08-03T12:34:56.0000000Z`. */
export const bingDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, ".0000000Z")

interface Match {
  readonly topics: ReadonlyArray<Topic>
  /** A topic was removed by safeSearch=Strict. */
  readonly removed: boolean
  readonly adultIntent: boolean
}

const matchTopics = (q: string, strict: boolean): Match => {
  const words = tokens(q)
  const scored: Array<{ topic: Topic; score: number; index: number }> = []
  topics.forEach((topic, index) => {
    let score = 0
    const title = topic.title.toLowerCase()
    for (const w of words) {
      if (topic.keywords.includes(w)) score += 2
      else if (w.length > 2 && title.includes(w)) score += 1
    }
    if (score > 0) scored.push({ topic, score, index })
  })
  scored.sort((a, b) => b.score - a.score || a.index - b.index)
  const all = scored.map((s) => s.topic)
  const kept = strict ? all.filter((t) => t.mature !== true) : all
  return { topics: kept, removed: kept.length < all.length, adultIntent: all.some((t) => t.mature === true) }
}

/** A stand-in topic for a query that matches none of the corpus. */
const genericTopic = (q: string): Topic => {
  const display = q.trim().replace(/\s+/g, " ")
  return {
    slug: slugify(display),
    title: display.length > 0 ? display[0]!.toUpperCase() + display.slice(1) : display,
    keywords: tokens(q),
    sites: genericSites,
    facts: [
      `Articles, answers and discussions about ${display}.`,
      `Background, definitions and related topics for ${display}.`,
      `Recent questions people asked about ${display}.`
    ],
    related: [`${display} meaning`, `${display} examples`, `what is ${display}`, `${display} history`]
  }
}

export const pool = (q: string, strict: boolean): { pool: ReadonlyArray<Topic>; match: Match } => {
  const match = matchTopics(q, strict)
  return { pool: match.topics.length > 0 ? match.topics : [genericTopic(q)], match }
}

// ---------------------------------------------------------------------------------------------
// text decorations

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

export const decorator = (query: { q: string; textDecorations: boolean; textFormat: "Raw" | "HTML" }) => {
  const html = query.textFormat === "HTML"
  if (!query.textDecorations) return html ? escapeHtml : (s: string) => s
  const words = tokens(query.q).filter((w) => w.length > 1).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
  if (words.length === 0) return html ? escapeHtml : (s: string) => s
  const re = new RegExp(`(${words.join("|")})`, "giu")
  return html
    ? (s: string) => escapeHtml(s).replace(re, "<b>$1</b>")
    : (s: string) => s.replace(re, "\uE000$1\uE001")
}

// ---------------------------------------------------------------------------------------------
// images

export interface ImageInfo {
  readonly topic: Topic
  readonly j: number
  readonly width: number
  readonly height: number
  readonly color: string
  readonly monochrome: boolean
  readonly type: string
  readonly license: string
  readonly content: "Face" | "Portrait" | undefined
  readonly fileSize: number
  readonly ageDays: number
  readonly familyFriendly: boolean
  readonly imageId: string
}

export const imageInfo = (topic: Topic, j: number): ImageInfo => {
  const base = hash32(topic.slug)
  const r = (k: number) => mix(base, j, k)
  const [width, height] = imageSizes[r(1) % imageSizes.length]!
  const monochrome = r(2) % 10 === 0
  const color = monochrome ? (["Black", "Gray", "White"] as const)[r(12) % 3]! : colors[r(2) % colors.length]!
  const bucket = r(6) % 10
  const ageDays = bucket === 0 ? 0 : bucket === 1 ? 1 + (r(7) % 6) : bucket === 2 ? 7 + (r(7) % 23) : 30 + (r(7) % 870)
  const c = r(5)
  return {
    topic,
    j,
    width,
    height,
    color,
    monochrome,
    type: imageTypes[r(3) % imageTypes.length]!,
    license: licenses[r(4) % licenses.length]!,
    content: c % 5 === 0 ? "Face" : c % 7 === 0 ? "Portrait" : undefined,
    fileSize: Math.min(4_000_000, Math.floor(width * height * (0.05 + (r(8) % 100) / 400))),
    ageDays,
    familyFriendly: topic.mature !== true || r(9) % 3 !== 0,
    imageId: `${hex8(r(20))}${hex8(r(21))}${hex8(r(22))}${hex8(r(23))}${hex8(r(24))}`
  }
}

const licenseOk: Readonly<Record<string, ReadonlyArray<string>>> = {
  Any: ["Public", "Share", "ShareCommercially", "Modify", "ModifyCommercially"],
  Public: ["Public"],
  Share: ["Public", "Share", "ShareCommercially", "Modify", "ModifyCommercially"],
  ShareCommercially: ["Public", "ShareCommercially", "ModifyCommercially"],
  Modify: ["Public", "Modify", "ModifyCommercially"],
  ModifyCommercially: ["Public", "ModifyCommercially"]
}

const FILE_CAP = 520_192
const ci = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase()

/** Whether an image passes the Image Search filter parameters. */
const passes = (img: ImageInfo, f: ImageFilters): boolean => {
  const { width: w, height: h } = img
  const ratio = w / h
  if (f.aspect !== undefined && !ci(f.aspect, "All")) {
    if (ci(f.aspect, "Square") && !(ratio >= 0.8 && ratio <= 1.25)) return false
    if (ci(f.aspect, "Wide") && !(ratio > 1.25)) return false
    if (ci(f.aspect, "Tall") && !(ratio < 0.8)) return false
  }
  if (f.color !== undefined) {
    if (ci(f.color, "ColorOnly")) {
      if (img.monochrome) return false
    } else if (ci(f.color, "Monochrome")) {
      if (!img.monochrome) return false
    } else if (img.monochrome || !ci(f.color, img.color)) return false
  }
  if (f.freshness !== undefined) {
    const max = ci(f.freshness, "Day") ? 1 : ci(f.freshness, "Week") ? 7 : ci(f.freshness, "Month") ? 30 : Infinity
    if (img.ageDays >= max) return false
  }
  if (f.height !== undefined && h !== f.height) return false
  if (f.width !== undefined && w !== f.width) return false
  if (f.minHeight !== undefined && h < f.minHeight) return false
  if (f.maxHeight !== undefined && h > f.maxHeight) return false
  if (f.minWidth !== undefined && w < f.minWidth) return false
  if (f.maxWidth !== undefined && w > f.maxWidth) return false
  if (f.minFileSize !== undefined && img.fileSize < Math.min(f.minFileSize, FILE_CAP)) return false
  if (f.maxFileSize !== undefined && img.fileSize > Math.min(f.maxFileSize, FILE_CAP)) return false
  if (f.imageContent !== undefined && !ci(f.imageContent, img.content ?? "")) return false
  if (f.imageType !== undefined) {
    if (ci(f.imageType, "AnimatedGif")) {
      if (img.type !== "AnimatedGif" && img.type !== "AnimatedGifHttps") return false
    } else if (!ci(f.imageType, img.type)) return false
  }
  if (f.license !== undefined && !ci(f.license, "All")) {
    const key = Object.keys(licenseOk).find((k) => ci(f.license, k))
    if (key !== undefined && !licenseOk[key]!.includes(img.license)) return false
  }
  if (f.size !== undefined && !ci(f.size, "All")) {
    const m = Math.max(w, h)
    if (ci(f.size, "Small") && !(m < 200)) return false
    if (ci(f.size, "Medium") && !(m >= 200 && m < 500)) return false
    if (ci(f.size, "Large") && !(m >= 500)) return false
    if (ci(f.size, "Wallpaper") && !(w >= 1920 && h >= 1080)) return false
  }
  return true
}

const extOf = (type: string): string =>
  type === "AnimatedGif" || type === "AnimatedGifHttps"
    ? "gif"
    : type === "Transparent" || type === "Line"
    ? "png"
    : "jpg"

/**
 * The `imageInsightsToken` of an image: its `imageId` (`mid_`), and for an image of a query no
 * corpus topic matches, that topic's title (`gq_`, base64url), so that Image Insights and Visual
 * Search find the image again from the token alone.
 */
export const insightsTokenOf = (img: ImageInfo): string => {
  const id = img.imageId
  const token = `ccid_${id.slice(0, 8).toLowerCase()}*cp_${id.slice(8, 40)}*mid_${id}`
  return img.topic.sites === genericSites
    ? `${token}*gq_${Buffer.from(img.topic.title.slice(0, 200), "utf8").toString("base64url")}`
    : token
}

export const imageJson = (img: ImageInfo, q: string) => {
  const site = img.topic.sites[img.j % img.topic.sites.length]!
  const aspect = aspects[img.j % aspects.length]!
  const ext = extOf(img.type)
  const page = `https://${host(site)}/${img.topic.slug}/${slugify(aspect)}`
  const thumbW = Math.min(474, img.width)
  const thumbH = Math.max(1, Math.round((img.height * thumbW) / img.width))
  const cc = creativeCommonsOf[img.license]
  return {
    webSearchUrl: `https://www.bing.com/images/search?view=detailv2&q=${enc(q)}&id=${img.imageId}`,
    name: `${img.topic.title}: ${aspect.toLowerCase()} (image ${img.j + 1})`,
    thumbnailUrl: `https://tse${1 + (img.j % 4)}.mm.bing.net/th?id=OIP.${img.imageId.slice(0, 24)}&pid=Api`,
    datePublished: bingDate(corpusDate - img.ageDays * DAY - (mix(img.j, img.width, 30) % DAY)),
    isFamilyFriendly: img.familyFriendly,
    contentUrl: `https://${host(site)}/images/${img.topic.slug}-${img.j + 1}.${ext}`,
    hostPageUrl: page,
    contentSize: `${img.fileSize} B`,
    encodingFormat: ext === "jpg" ? "jpeg" : ext === "gif" ? "animatedgif" : "png",
    hostPageDisplayUrl: page.replace(/^https:\/\//, ""),
    width: img.width,
    height: img.height,
    thumbnail: { width: thumbW, height: thumbH },
    imageInsightsToken: insightsTokenOf(img),
    insightsMetadata: {
      pagesIncludingCount: 1 + (mix(img.j, 3, 31) % 40),
      availableSizesCount: 1 + (mix(img.j, 5, 32) % 12)
    },
    imageId: img.imageId,
    accentColor: hex8(mix(img.j, img.height, 33)).slice(2),
    ...(cc !== undefined ? { creativeCommons: cc } : {})
  }
}

/** The raw (unfiltered) image sequence for a query: topics interleaved. */
const imageAt = (p: ReadonlyArray<Topic>, i: number): ImageInfo => imageInfo(p[i % p.length]!, Math.floor(i / p.length))

const query = (text: string, kind: "web" | "images", thumb?: string) => ({
  text,
  displayText: text,
  webSearchUrl: kind === "web"
    ? `https://www.bing.com/search?q=${enc(text)}`
    : `https://www.bing.com/images/search?q=${enc(text)}&FORM=IRPATC`,
  ...(kind === "images"
    ? { searchLink: `${API}images/search?q=${enc(text)}`, thumbnail: { thumbnailUrl: thumb ?? "" } }
    : {})
})

/** The body of `/images/search`, as a JSON string. */
export const imagesBody = (qy: ImageQuery, market: string): string => {
  const { pool: p } = pool(qy.q, qy.safeSearch === "Strict")
  const seed = hash32(`${qy.q.toLowerCase()}|${market}`)
  const raw = Math.min(1000, (p.length > 1 || p[0]!.sites !== genericSites ? 600 : 150) + (seed % 100) * p.length)
  const safe = qy.safeSearch !== "Off"
  const ok = (img: ImageInfo) => (!safe || img.familyFriendly) && passes(img, qy)
  let total = 0
  for (let i = 0; i < raw; i++) if (ok(imageAt(p, i))) total++
  const value: Array<ImageInfo> = []
  let pinned: ImageInfo | undefined
  if (qy.id !== undefined && qy.offset === 0) {
    for (let i = 0; i < raw && pinned === undefined; i++) {
      const img = imageAt(p, i)
      if (img.imageId === qy.id && ok(img)) pinned = img
    }
    if (pinned !== undefined) value.push(pinned)
  }
  let i = Math.min(qy.offset, raw)
  for (; i < raw && value.length < qy.count; i++) {
    const img = imageAt(p, i)
    if (ok(img) && img !== pinned && img.imageId !== pinned?.imageId) value.push(img)
  }
  const first = qy.offset === 0
  const topic = p[0]!
  const body = {
    _type: "Images",
    readLink: `${API}images/search?q=${enc(qy.q)}`,
    webSearchUrl: `https://www.bing.com/images/search?q=${enc(qy.q)}&FORM=OIIARP`,
    queryContext: { originalQuery: qy.q },
    totalEstimatedMatches: total,
    nextOffset: i,
    currentOffset: qy.offset,
    value: value.map((img) => imageJson(img, qy.q)),
    ...(first
      ? {
        queryExpansions: topic.related.slice(0, 4).map((r, k) =>
          query(r, "images", `https://tse${1 + k}.mm.bing.net/th?q=${enc(r)}&pid=Api`)
        ),
        relatedSearches: topic.related.map((r, k) =>
          query(r, "images", `https://tse${1 + (k % 4)}.mm.bing.net/th?q=${enc(r)}&pid=Api`)
        )
      }
      : {})
  }
  return JSON.stringify(body)
}

// ---------------------------------------------------------------------------------------------
// trending

/** The body of `/images/trending` for a market (one of the six trending markets). */
export const trendingBody = (qy: TrendingQuery, market: string): string => {
  const list = topics.filter((t) => qy.safeSearch === "Off" || t.mature !== true)
  const start = hash32(market) % list.length
  const zh = languageOf(market) === "zh"
  const categories = trendingCategories.map((cat, c) => ({
    title: zh ? cat.zh : cat.title,
    tiles: Array.from({ length: 6 }, (_, k) => {
      const topic = list[(start + c * 6 + k) % list.length]!
      const img = imageInfo(topic, c)
      const text = topic.related[k % topic.related.length]!
      return {
        query: query(text, "images", `https://tse${1 + (k % 4)}.mm.bing.net/th?q=${enc(text)}&pid=Api`),
        image: {
          thumbnailUrl: `https://tse${1 + (k % 4)}.mm.bing.net/th?id=OET.${img.imageId.slice(0, 24)}&pid=Api`,
          contentUrl: imageJson(img, text).contentUrl,
          name: topic.title,
          imageId: img.imageId
        }
      }
    })
  }))
  return JSON.stringify({ _type: "TrendingImages", categories })
}

// ---------------------------------------------------------------------------------------------
// web

/** Evaluates `q` when it is plain arithmetic (digits, + - * / ^ and parentheses). */
export const compute = (q: string): string | undefined => {
  const src = q.replace(/\s+/g, "")
  if (!/^[\d.+\-*/^()]+$/.test(src) || !/\d[+\-*/^]/.test(src) || src.length > 200) return undefined
  let pos = 0
  const peek = () => src[pos]
  const num = (): number => {
    if (peek() === "(") {
      pos++
      const v = expr()
      if (peek() !== ")") throw new Error("paren")
      pos++
      return v
    }
    if (peek() === "-") {
      pos++
      return -num()
    }
    const m = /^\d+(\.\d+)?/.exec(src.slice(pos))
    if (m === null) throw new Error("number")
    pos += m[0].length
    return Number(m[0])
  }
  const pow = (): number => {
    const b = num()
    if (peek() === "^") {
      pos++
      return b ** pow()
    }
    return b
  }
  const term = (): number => {
    let v = pow()
    while (peek() === "*" || peek() === "/") v = src[pos++] === "*" ? v * pow() : v / pow()
    return v
  }
  const expr = (): number => {
    let v = term()
    while (peek() === "+" || peek() === "-") v = src[pos++] === "+" ? v + term() : v - term()
    return v
  }
  try {
    const v = expr()
    if (pos !== src.length || !Number.isFinite(v)) return undefined
    return String(Math.round(v * 1e10) / 1e10)
  } catch {
    return undefined
  }
}

const allowed = (qy: WebQuery, answer: string): boolean => {
  const f = qy.responseFilter
  if (f === undefined) return true
  return f.mode === "include" ? f.answers.has(answer) : !f.answers.has(answer)
}

/** The body of `/search`, as a JSON string. */
export const searchBody = (qy: WebQuery, market: string): string => {
  const strict = qy.safeSearch === "Strict"
  const { pool: p, match } = pool(qy.q, strict)
  const seed = hash32(`${qy.q.toLowerCase()}|${market}`)
  const matched = match.topics.length > 0
  // Pages are crawled over the 30 days before the corpus date; `freshness` keeps those of its window.
  const crawled = within({ to: corpusDate, span: 30 * DAY }, windowOf(qy.freshness))
  const total = Math.round((matched ? 10_000 + (seed % 90_000) * p.length : 120 + (seed % 600)) * crawled.share)
  const lang = languageOf(market)
  const deco = decorator(qy)
  const rot = hash32(market) % aspects.length
  const first = qy.offset === 0

  const pageAt = (i: number, k: number) => {
    const topic = p[i % p.length]!
    const j = Math.floor(i / p.length)
    const site = topic.sites[j % topic.sites.length]!
    const aspectIndex = (j + rot) % aspects.length
    const aspect = aspects[aspectIndex]!
    const part = Math.floor(j / aspects.length) + 1
    const path = `/${topic.slug}/${slugify(aspect)}${part > 1 ? `-${part}` : ""}`
    const url = `https://${host(site)}${path}`
    const f = topic.facts
    const snippet = `${f[j % f.length]!} ${f[(j + 1) % f.length]!}`
    const familyFriendly = topic.mature !== true || mix(seed, i, 40) % 3 !== 0
    return {
      id: ids(`WebPages.${k}`),
      name: deco(`${topic.title} – ${aspect}${part > 1 ? ` (part ${part})` : ""}`),
      url,
      isFamilyFriendly: familyFriendly,
      displayUrl: url.replace(/^https:\/\//, ""),
      snippet: deco(snippet),
      dateLastCrawled: bingDate(crawled.span.to - (mix(seed, i, 41) % crawled.span.span)),
      language: lang,
      isNavigational: false
    }
  }

  const webCount = Math.max(0, Math.min(qy.count, total - qy.offset))
  const pages = Array.from({ length: webCount }, (_, k) => pageAt(qy.offset + k, k))

  const answers: Record<string, unknown> = {}
  const present: Array<string> = []
  const add = (name: string, key: string, value: unknown) => {
    if (!allowed(qy, name)) return
    answers[key] = value
    present.push(name)
  }

  const corrected = tokens(qy.q).map((w) => misspellings.get(w) ?? w)
  const spelled = corrected.join(" ")
  if (first && spelled !== tokens(qy.q).join(" ")) {
    add("spellsuggestions", "spellSuggestions", {
      id: ids("SpellSuggestions"),
      value: [{ text: spelled, displayText: spelled }]
    })
  }
  const computed = first ? compute(qy.q) : undefined
  if (computed !== undefined) {
    add("computation", "computation", { id: ids("Computation"), expression: qy.q.replace(/\s+/g, ""), value: computed })
  }
  if (pages.length > 0) {
    add("webpages", "webPages", {
      webSearchUrl: `https://www.bing.com/search?q=${enc(qy.q)}`,
      totalEstimatedMatches: total,
      value: pages,
      ...(match.removed ? { someResultsRemoved: true } : {})
    })
  }
  if (first) {
    const imgs: Array<ImageInfo> = []
    for (let i = 0; i < 60 && imgs.length < 5; i++) {
      const img = imageAt(p, i)
      if (qy.safeSearch === "Off" || img.familyFriendly) imgs.push(img)
    }
    if (imgs.length > 0) {
      add("images", "images", {
        id: ids("Images"),
        readLink: `${API}images/search?q=${enc(qy.q)}`,
        webSearchUrl: `https://www.bing.com/images/search?q=${enc(qy.q)}&FORM=OIIARP`,
        isFamilyFriendly: imgs.every((i) => i.familyFriendly),
        value: imgs.map((img) => imageJson(img, qy.q))
      })
    }
    const topic = p[0]!
    add("news", "news", {
      id: ids("News"),
      readLink: `${API}news/search?q=${enc(qy.q)}`,
      value: [0, 1, 2].map((k) => {
        const site = topic.sites[(k + 1) % topic.sites.length]!
        return {
          name: deco(`${topic.title}: ${aspects[(k + rot + 6) % aspects.length]!.toLowerCase()}`),
          url: `https://${host(site)}/news/${topic.slug}-${k + 1}`,
          description: deco(topic.facts[k % topic.facts.length]!),
          datePublished: bingDate(corpusDate - (mix(seed, k, 42) % (3 * DAY))),
          provider: [{ _type: "Organization", name: site }]
        }
      })
    })
    add("videos", "videos", {
      id: ids("Videos"),
      readLink: `${API}videos/search?q=${enc(qy.q)}`,
      webSearchUrl: `https://www.bing.com/videos/search?q=${enc(qy.q)}`,
      isFamilyFriendly: topic.mature !== true,
      value: [0, 1, 2].map((k) => {
        const id = `${hex8(mix(seed, k, 43))}${hex8(mix(seed, k, 44))}${hex8(mix(seed, k, 45))}${
          hex8(mix(seed, k, 46))
        }${hex8(mix(seed, k, 47))}`
        const secs = 60 + (mix(seed, k, 48) % 1200)
        return {
          name: deco(`${topic.title} ${aspects[(k + rot + 3) % aspects.length]!.toLowerCase()} (video)`),
          description: deco(topic.facts[(k + 2) % topic.facts.length]!),
          webSearchUrl: `https://www.bing.com/videos/search?q=${enc(qy.q)}&view=detail&mid=${id}`,
          thumbnailUrl: `https://tse${1 + k}.mm.bing.net/th?id=OVP.${id.slice(0, 24)}&pid=Api`,
          datePublished: bingDate(corpusDate - (mix(seed, k, 49) % (90 * DAY))),
          publisher: [{ name: "YouTube" }],
          contentUrl: `https://www.youtube.com/watch?v=${id.slice(0, 11)}`,
          hostPageUrl: `https://www.youtube.com/watch?v=${id.slice(0, 11)}`,
          encodingFormat: "h264",
          hostPageDisplayUrl: `https://www.youtube.com/watch?v=${id.slice(0, 11)}`,
          width: 1280,
          height: 720,
          duration: `PT${Math.floor(secs / 60)}M${secs % 60}S`,
          allowHttpsEmbed: true,
          viewCount: mix(seed, k, 50) % 2_000_000,
          thumbnail: { width: 474, height: 266 },
          videoId: id,
          allowMobileEmbed: true,
          isSuperfresh: false
        }
      })
    })
    add("relatedsearches", "relatedSearches", {
      id: ids("RelatedSearches"),
      value: topic.related.map((r) => query(r, "web"))
    })
  }

  // answerCount keeps the N highest-ranked answers (ranking order = `present`), plus promoted ones
  let kept = present
  if (qy.answerCount !== undefined) {
    const promoted = new Set((qy.promote ?? []).map((a) => a.toLowerCase()))
    const top = present.slice(0, qy.answerCount)
    kept = present.filter((a) => top.includes(a) || promoted.has(a))
  }
  const keyOf: Record<string, string> = {
    spellsuggestions: "spellSuggestions",
    computation: "computation",
    webpages: "webPages",
    images: "images",
    news: "news",
    videos: "videos",
    relatedsearches: "relatedSearches"
  }
  const typeOf: Record<string, string> = {
    spellsuggestions: "SpellSuggestions",
    computation: "Computation",
    webpages: "WebPages",
    images: "Images",
    news: "News",
    videos: "Videos",
    relatedsearches: "RelatedSearches"
  }
  const mainline: Array<unknown> = []
  const pole: Array<unknown> = []
  const sidebar: Array<unknown> = []
  const item = (a: string) => ({ answerType: typeOf[a]!, value: { id: ids(typeOf[a]!) } })
  for (const a of kept) {
    if (a === "computation") pole.push(item(a))
    else if (a === "relatedsearches") sidebar.push(item(a))
    else if (a === "webpages") {
      pages.forEach((_, k) =>
        mainline.push({ answerType: "WebPages", resultIndex: k, value: { id: ids(`WebPages.${k}`) } })
      )
    } else mainline.push(item(a))
  }
  const body: Record<string, unknown> = {
    _type: "SearchResponse",
    queryContext: { originalQuery: qy.q, ...(match.adultIntent ? { adultIntent: true } : {}) }
  }
  for (const a of kept) body[keyOf[a]!] = answers[keyOf[a]!]
  const ranking: Record<string, unknown> = {}
  if (mainline.length > 0) ranking["mainline"] = { items: mainline }
  if (pole.length > 0) ranking["pole"] = { items: pole }
  if (sidebar.length > 0) ranking["sidebar"] = { items: sidebar }
  // "Bing always returns" queryContext and rankingResponse (search-responses.md), even with nothing ranked.
  body["rankingResponse"] = ranking
  return JSON.stringify(body)
}
