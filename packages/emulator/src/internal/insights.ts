/**
 * Image Insights (`GET /images/details`) and Visual Search (`POST /images/visualsearch`): the
 * schema's codecs (`ImageInsightsParams`, `VisualSearchParams`) mapped onto the image corpus of
 * Image Search. Deterministic and stateless: an `imageInsightsToken` that Image Search issued
 * carries its image's `imageId`, which is found again by recomputing the corpus' ids (a few
 * thousand hashes, once per distinct request, since answers are cached); an image URL of the
 * corpus (`contentUrl`) names its image; any other URL, or uploaded bytes, stands for the corpus
 * image its hash picks. The shapes follow the documented examples (Image Insights as
 * `@azure/cognitiveservices-imagesearch` models it, Visual Search's `how-to/sending-queries.md`).
 */
import { type BingError, ImageInsightsParams, VisualSearchParams } from "@bing-effect/schema"
import * as Result from "effect/Result"
import { createHash } from "node:crypto"
import type { Errors } from "./bing.js"
import { type Topic, topics } from "./corpus.js"
import { resolveMarket } from "./markets.js"
import type * as Multipart from "./multipart.js"
import { hash32, mix } from "./random.js"
import { API, enc, host, type ImageInfo, imageInfo, imageJson, insightsTokenOf, pool } from "./results.js"
import type { Wire } from "./wire.js"

export type InsightsEndpoint = "imageInsights" | "visualSearch"

/** The routes this module serves, under `/v7.0` (the core adds `/bing/v7.0`). */
export const insightsRoutes: ReadonlyArray<readonly [string, InsightsEndpoint]> = [
  ["/v7.0/images/details", "imageInsights"],
  ["/v7.0/images/visualsearch", "visualSearch"]
]

export const isInsightsEndpoint = (e: string): e is InsightsEndpoint => e === "imageInsights" || e === "visualSearch"

/**
 * The largest Visual Search body read: the documented 1 MB image and room for the
 * `knowledgeRequest` part and the multipart framing. Larger is answered 400 at once.
 */
export const MAX_VISUAL_BODY = VisualSearchParams.maxImageBytes + 64 * 1024

export type InsightsOutcome = { readonly ok: true; readonly body: Buffer; readonly market: string } | {
  readonly ok: false
  readonly wire: Wire
}

/** How far into a topic image ids are searched: the most images one query pages through. */
const MAX_J = 1000

/**
 * The corpus images by the first word of their `imageId` (see results.ts `imageInfo`), built on
 * the first token looked up: one hash per (topic, index) instead of a scan per request. A memo of
 * the frozen corpus, the same for every emulator in the process (no state: nothing changes it).
 */
let index: Map<number, Array<number>> | undefined
const indexOfIds = (): Map<number, Array<number>> => {
  if (index !== undefined) return index
  const built = new Map<number, Array<number>>()
  topics.forEach((topic, t) => {
    const base = hash32(topic.slug)
    for (let j = 0; j < MAX_J; j++) {
      const head = mix(base, j, 20)
      const at = built.get(head)
      if (at === undefined) built.set(head, [t * MAX_J + j])
      else at.push(t * MAX_J + j)
    }
  })
  index = built
  return built
}

/**
 * The corpus image with this `imageId`; an image of a query no corpus topic matches is found in
 * that query's own topic, named by `generic` (the token's `gq_` part, see results.ts).
 */
const byImageId = (id: string, generic: string | undefined): ImageInfo | undefined => {
  if (!/^[0-9A-F]{40}$/.test(id)) return undefined
  const head = Number.parseInt(id.slice(0, 8), 16)
  for (const packed of indexOfIds().get(head) ?? []) {
    const img = imageInfo(topics[Math.floor(packed / MAX_J)]!, packed % MAX_J)
    if (img.imageId === id) return img
  }
  const topic = generic === undefined ? undefined : pool(generic, false).pool[0]
  if (topic === undefined || topics.includes(topic)) return undefined
  const base = hash32(topic.slug)
  for (let j = 0; j < MAX_J; j++) {
    if (mix(base, j, 20) === head) {
      const img = imageInfo(topic, j)
      if (img.imageId === id) return img
    }
  }
  return undefined
}

/** The image a token Image Search issued names, or undefined. */
const byToken = (token: string): ImageInfo | undefined => {
  const id = idOfToken(token)
  if (id === undefined) return undefined
  const gq = /\*gq_([A-Za-z0-9_-]{1,300})/.exec(token)?.[1]
  return byImageId(id, gq === undefined ? undefined : Buffer.from(gq, "base64url").toString("utf8"))
}

/** The `imageId` inside a token Image Search issued (`…*mid_<imageId>`). */
const idOfToken = (token: string): string | undefined => /\bmid_([0-9A-Fa-f]{40})\b/.exec(token)?.[1]?.toUpperCase()

const familyTopics = topics.filter((t) => t.mature !== true)

/** The corpus image a hash stands for (an image URL or bytes the corpus does not know). */
const byHash = (h: number): ImageInfo => imageInfo(familyTopics[h % familyTopics.length]!, (h >>> 8) % 40)

/** The corpus image of a `contentUrl` (`https://<host>/images/<slug>-<n>.<ext>`), else the one its hash picks. */
const byUrl = (url: string): ImageInfo => {
  const m = /\/images\/([a-z0-9-]+)-(\d{1,4})\.[a-z]{3,4}$/.exec(url)
  if (m !== null) {
    // a corpus topic, or the topic of a query no corpus topic matches (its slug's words)
    const topic = topics.find((t) => t.slug === m[1]) ?? pool(m[1]!.replace(/-/g, " "), false).pool[0]
    const j = Number(m[2]) - 1
    if (topic !== undefined && j >= 0 && j < MAX_J) {
      const img = imageInfo(topic, j)
      if (url === imageJson(img, topic.title).contentUrl) return img
    }
  }
  return byHash(hash32(url))
}

const byBytes = (bytes: Buffer): ImageInfo => byHash(createHash("sha256").update(bytes).digest().readUInt32BE(0))

const query = (text: string) => ({
  text,
  displayText: text,
  webSearchUrl: `https://www.bing.com/images/search?q=${enc(text)}&FORM=IRPATC`,
  searchLink: `${API}images/search?q=${enc(text)}`,
  thumbnail: { thumbnailUrl: `https://tse1.mm.bing.net/th?q=${enc(text)}&pid=Api` }
})

/** Other images of the same topic, family friendly unless `safeSearch=Off`, from `from` on. */
const neighbours = (img: ImageInfo, n: number, safe: boolean, from: number, site?: string): Array<ImageInfo> => {
  const out: Array<ImageInfo> = []
  for (let k = from; out.length < n && k < from + 200; k++) {
    const other = imageInfo(img.topic, (img.j + k) % MAX_J)
    if (safe && !other.familyFriendly) continue
    if (site !== undefined) {
      const s = other.topic.sites[other.j % other.topic.sites.length]!
      if (s !== site && host(s) !== site && !host(s).endsWith(`.${site}`)) continue
    }
    out.push(other)
  }
  return out
}

const foodWords: ReadonlySet<string> = new Set(["coffee", "tea", "food", "recipe", "baking", "bread", "cooking"])
const hasRecipes = (t: Topic): boolean => t.keywords.some((k) => foodWords.has(k))

const offersOf = (img: ImageInfo) =>
  img.topic.sites.slice(0, 3).map((site, k) => ({
    _type: "Offer",
    name: `${img.topic.title} (${k + 1})`,
    url: `https://${host(site)}/shop/${img.topic.slug}-${img.j + 1}`,
    seller: { _type: "Organization", name: site, url: `https://${host(site)}/` },
    price: 5 + (mix(img.j, k, 40) % 9500) / 100,
    priceCurrency: "USD",
    availability: k === 2 ? "OutOfStock" : "InStock"
  }))

/** The body of `/images/details`: only the modules asked for and that have data. */
const detailsBody = (img: ImageInfo, p: ImageInsightsParams.ImageInsightsParams): string => {
  const modules = new Set<string>(p.modules ?? ["All"])
  const all = modules.has("All")
  const want = (m: ImageInsightsParams.Module) => all ? m !== "RecognizedEntities" : modules.has(m)
  const q = p.q ?? img.topic.title
  const safe = p.safeSearch !== "Off"
  const page = imageJson(img, q)
  const shopping = img.type === "Shopping"
  const out: Record<string, unknown> = { _type: "ImageInsights", imageInsightsToken: page.imageInsightsToken }
  if (want("BRQ")) out["bestRepresentativeQuery"] = query(img.topic.title)
  if (want("Caption")) {
    out["imageCaption"] = {
      caption: img.topic.facts[img.j % img.topic.facts.length]!,
      dataSourceUrl: page.hostPageUrl,
      relatedSearches: img.topic.related.slice(0, 2).map(query)
    }
  }
  if (want("Collections")) {
    out["relatedCollections"] = {
      value: img.topic.related.slice(0, 2).map((r, k) => ({
        _type: "ImageGallery",
        name: r,
        url: `https://www.bing.com/images/collections/${enc(img.topic.slug)}-${k + 1}`,
        thumbnailUrl: `https://tse${1 + k}.mm.bing.net/th?q=${enc(r)}&pid=Api`,
        imagesCount: 10 + (mix(img.j, k, 41) % 90)
      }))
    }
  }
  if (want("PagesIncluding")) {
    out["pagesIncluding"] = {
      value: neighbours(img, Math.min(10, page.insightsMetadata.pagesIncludingCount), safe, 0).map((o) => ({
        ...imageJson(o, q),
        // the same picture on other pages: this image's content, their pages
        contentUrl: page.contentUrl
      }))
    }
  }
  if (want("RelatedSearches")) out["relatedSearches"] = { value: img.topic.related.map(query) }
  if (want("Recipes") && hasRecipes(img.topic)) {
    out["recipes"] = {
      value: img.topic.related.slice(0, 3).map((r, k) => ({
        _type: "Recipe",
        name: r,
        url: `https://${host(img.topic.sites[k % img.topic.sites.length]!)}/recipes/${enc(r)}`,
        thumbnailUrl: `https://tse${1 + k}.mm.bing.net/th?q=${enc(r)}&pid=Api`,
        totalTime: `PT${10 + (mix(img.j, k, 42) % 50)}M`
      }))
    }
  }
  if (want("ShoppingSources") && shopping) out["shoppingSources"] = { _type: "AggregateOffer", offers: offersOf(img) }
  if (want("SimilarImages")) {
    out["visuallySimilarImages"] = { value: neighbours(img, 10, safe, 1).map((o) => imageJson(o, q)) }
  }
  if (want("SimilarProducts") && shopping) {
    out["visuallySimilarProducts"] = { value: neighbours(img, 5, safe, 11).map((o) => imageJson(o, q)) }
  }
  if (want("RecognizedEntities") && img.content !== undefined) {
    out["recognizedEntityGroups"] = {
      value: [{
        name: "CelebRecognitionAnnotations",
        recognizedEntityRegions: [{
          _type: "RecognizedEntityRegion",
          region: { _type: "NormalizedRectangle", left: 0.25, top: 0.1, right: 0.75, bottom: 0.7 },
          matchingEntities: [{
            _type: "RecognizedEntity",
            entity: { _type: "Thing", name: img.topic.title },
            matchConfidence: 0.9
          }]
        }]
      }]
    }
  }
  if (want("Tags")) out["imageTags"] = { value: img.topic.keywords.slice(0, 5).map((name) => ({ name })) }
  return JSON.stringify(out)
}

const rectangle = (top: number, left: number, bottom: number, right: number) => ({
  topLeft: { x: left, y: top },
  topRight: { x: right, y: top },
  bottomRight: { x: right, y: bottom },
  bottomLeft: { x: left, y: bottom }
})

/** The body of `/images/visualsearch`: the default tag (no region), then the image's topic as a tag of its own. */
const knowledgeBody = (
  img: ImageInfo,
  kr: VisualSearchParams.KnowledgeRequest | undefined,
  safe: boolean
): string => {
  const q = img.topic.title
  const site = kr?.knowledgeRequest?.filters?.site?.trim().toLowerCase() || undefined
  const crop = kr?.imageInfo?.cropArea
  const search = `https://www.bing.com/images/search?view=detailv2&q=${enc(q)}&id=${img.imageId}`
  const images = (list: ReadonlyArray<ImageInfo>) => ({ value: list.map((o) => imageJson(o, q)) })
  const defaultActions: Array<Record<string, unknown>> = [
    {
      _type: "ImageModuleAction",
      actionType: "PagesIncluding",
      webSearchUrl: `${search}&view=pages`,
      data: images(neighbours(img, 5, safe, 0))
    },
    {
      _type: "ImageModuleAction",
      actionType: "VisualSearch",
      webSearchUrl: `${search}&view=similar`,
      data: images(neighbours(img, 10, safe, 1, site))
    },
    {
      _type: "ImageRelatedSearchesAction",
      actionType: "RelatedSearches",
      data: { value: img.topic.related.map(query) }
    }
  ]
  if (img.type === "Shopping") {
    defaultActions.push({
      _type: "ImageShoppingSourcesAction",
      actionType: "ShoppingSources",
      data: { _type: "AggregateOffer", offers: offersOf(img) }
    })
  }
  const region = crop === undefined
    ? rectangle(0.1, 0.15, 0.85, 0.9)
    : rectangle(crop.top, crop.left, crop.bottom, crop.right)
  const topicTag = {
    _type: "ImageTag",
    displayName: img.topic.title,
    boundingBox: { queryRectangle: region, displayRectangle: region },
    image: { thumbnailUrl: `https://tse2.mm.bing.net/th?q=${enc(q)}&pid=Api` },
    actions: [
      {
        _type: "ImageEntityAction",
        actionType: "Entity",
        displayName: img.topic.title,
        webSearchUrl: `https://www.bing.com/search?q=${enc(q)}`
      },
      {
        _type: "ImageAction",
        actionType: "ImageResults",
        displayName: img.topic.title,
        webSearchUrl: `https://www.bing.com/images/search?q=${enc(q)}`,
        serviceUrl: `${API}images/search?q=${enc(q)}`
      }
    ]
  }
  return JSON.stringify({
    _type: "ImageKnowledge",
    tags: [{ _type: "ImageTag", displayName: "", actions: defaultActions }, topicTag],
    image: { imageInsightsToken: insightsTokenOf(img) }
  })
}

const fail = (wire: Wire): InsightsOutcome => ({ ok: false, wire })

/** Validates an Image Insights request and builds its answer; pure given its inputs (hence cacheable). */
export const computeInsights = (
  sp: URLSearchParams,
  acceptLanguage: string | undefined,
  errors: Errors
): InsightsOutcome => {
  const r = ImageInsightsParams.fromQuery(sp)
  if (Result.isFailure(r)) return fail(errors.of(r.failure))
  const p = r.success
  const reserved = p.q === undefined ? undefined : errors.reserved(p.q)
  if (reserved !== undefined) return fail(reserved)
  let img: ImageInfo | undefined
  if (p.insightsToken !== undefined) {
    img = byToken(p.insightsToken)
    // Assumption: Bing documents no answer for a token it did not issue; the parameter's value is refused.
    if (img === undefined) return fail(errors.parameterInvalidValue("insightsToken", p.insightsToken.slice(0, 256)))
  } else {
    img = byUrl(p.imgUrl!)
  }
  const market = resolveMarket({ ...p, acceptLanguage })
  return { ok: true, body: Buffer.from(detailsBody(img, p)), market }
}

/** What the core hands over after reading a Visual Search body. */
export type VisualBody = Multipart.ReadResult

/** Validates a Visual Search request (query and body) and builds its answer. */
export const computeVisualSearch = (
  search: string,
  body: VisualBody,
  acceptLanguage: string | undefined,
  errors: Errors
): InsightsOutcome => {
  const r = VisualSearchParams.fromQuery(new URLSearchParams(search))
  if (Result.isFailure(r)) return fail(errors.of(r.failure))
  if (!body.ok) {
    return fail(
      body.reason === "too-large"
        ? errors.parameterInvalidValue("image", `over ${MAX_VISUAL_BODY} B`)
        : errors.malformed()
    )
  }
  const krPart = body.parts.get("knowledgeRequest")
  let kr: VisualSearchParams.KnowledgeRequest | undefined
  if (krPart !== undefined && krPart.body.length > 0) {
    const decoded = VisualSearchParams.decodeKnowledgeRequest(krPart.body.toString("utf8"))
    if (Result.isFailure(decoded)) return fail(errors.of(decoded.failure))
    kr = decoded.success
  }
  const imagePart = body.parts.get("image")
  const problem: BingError.InvalidRequest | undefined = VisualSearchParams.checkRequest(kr, imagePart?.body.length)
  if (problem !== undefined) return fail(errors.of(problem))
  let img: ImageInfo | undefined
  const token = kr?.imageInfo?.imageInsightsToken
  if (token !== undefined) {
    img = byToken(token)
    if (img === undefined) {
      return fail(errors.parameterInvalidValue("knowledgeRequest", `imageInsightsToken ${token.slice(0, 200)}`))
    }
  } else if (kr?.imageInfo?.url !== undefined) img = byUrl(kr.imageInfo.url)
  else img = byBytes(imagePart!.body)
  const market = resolveMarket({ ...r.success, acceptLanguage })
  return { ok: true, body: Buffer.from(knowledgeBody(img, kr, r.success.safeSearch !== "Off")), market }
}
