/**
 * Entity Search (`/entities`): the schema's parameter codec mapped onto a deterministic generator
 * over the built-in corpus. The corpus topics a query matches are its entities (one: a
 * `DominantEntity`; several: the first dominant, the others `DisambiguationItem`s, at most 5); a
 * query naming a kind of local business (`pizza`, `coffee near me`, `hotels`, `store`) also gets
 * `places`, in US markets only (the documentation: "the Places response supports only US Business
 * locations"). The same query, market and parameters give the same JSON on every run; nothing here
 * reads the clock or Math.random. The shape follows the documented samples of
 * `bing-entity-search/how-to/search-responses.md`.
 *
 * Assumptions where the documentation is silent, each marked `Assumption` below.
 */
import { EntitySearchParams } from "@bing-effect/schema"
import * as Result from "effect/Result"
import type { Errors } from "./bing.js"
import type { Topic } from "./corpus.js"
import { resolveMarket } from "./markets.js"
import { hash32, hex8, mix } from "./random.js"
import { API, enc, host, pool } from "./results.js"
import type { Wire } from "./wire.js"

/** The route this module serves, under `/v7.0` (the core adds `/bing/v7.0`). */
export const entitiesRoute = ["/v7.0/entities", "entities"] as const

export type EntitiesOutcome = { readonly ok: true; readonly body: Buffer; readonly market: string } | {
  readonly ok: false
  readonly wire: Wire
}

const MAX_ENTITIES = 5
const MAX_PLACES = 5

/** Type hints per corpus topic (the documented entity types); a topic not listed is `Generic`. */
const typeHints: Readonly<Record<string, readonly [ReadonlyArray<string>, string?]>> = {
  coffee: [["Food"]],
  "mount-everest": [["Place", "Attraction"], "Mountain"],
  football: [["Generic"], "Sport"],
  "solar-system": [["Place"]],
  bread: [["Food"]],
  "electric-cars": [["Car"]],
  marathon: [["Event"]],
  volcano: [["Place"]],
  wine: [["Food"]],
  bicycle: [["Product"]],
  olympics: [["Event"]],
  pizza: [["Food"]],
  "bing-search-api": [["Product"]],
  guitar: [["Product"]],
  ocean: [["Place"]],
  recipes: [["Food"]],
  "history-rome": [["Place"], "Ancient civilization"]
}

const plus = (s: string): string => enc(s).replace(/%20/g, "+")

/** A GUID-shaped id from a hash, as `bingId` looks (`9ae3e6ca-81ea-6fa1-ffa0-42e1d7890906`). */
const guid = (seed: string): string => {
  const h = hash32(seed)
  const hex = `${hex8(h)}${hex8(mix(h, 1))}${hex8(mix(h, 2))}${hex8(mix(h, 3))}`.toLowerCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

const entityJson = (topic: Topic, i: number, scenario: "DominantEntity" | "DisambiguationItem") => {
  const bingId = guid(`${topic.slug}|entity`)
  const wiki = `https://en.wikipedia.org/wiki/${enc(topic.title.replace(/ /g, "_"))}`
  const [hints, display] = typeHints[topic.slug] ?? [["Generic"]]
  const h = hash32(`${topic.slug}|entity-image`)
  return {
    id: `${API}#Entities.${i}`,
    contractualRules: [
      {
        _type: "ContractualRules/LicenseAttribution",
        targetPropertyName: "description",
        mustBeCloseToContent: true,
        license: { name: "CC-BY-SA", url: "http://creativecommons.org/licenses/by-sa/3.0/" },
        licenseNotice: "Text under CC-BY-SA license"
      },
      {
        _type: "ContractualRules/LinkAttribution",
        targetPropertyName: "description",
        mustBeCloseToContent: true,
        text: "Wikipedia",
        url: wiki
      },
      { _type: "ContractualRules/MediaAttribution", targetPropertyName: "image", mustBeCloseToContent: true, url: wiki }
    ],
    webSearchUrl: `https://www.bing.com/entityexplore?q=${plus(topic.title)}&filters=sid:%22${bingId}%22`,
    name: topic.title,
    url: `https://${host(topic.sites[0]!)}/`,
    image: {
      name: topic.title,
      thumbnailUrl: `https://www.bing.com/th?id=AMMS_${hex8(h)}${hex8(mix(h, 1))}&w=110&h=110&c=12&pid=16.2`,
      provider: [{ _type: "Organization", url: wiki }],
      hostPageUrl: `https://upload.wikimedia.org/wikipedia/commons/${topic.slug}.jpg`,
      width: 110,
      height: 110,
      sourceWidth: 474,
      sourceHeight: 260 + (mix(h, 2) % 200)
    },
    description: topic.facts.slice(0, 2).join(" "),
    entityPresentationInfo: {
      entityScenario: scenario,
      entityTypeHints: hints,
      ...(display === undefined ? {} : { entityTypeDisplayHint: display })
    },
    bingId
  }
}

/** A kind of local business a query may ask for, by the words that name it. */
interface BusinessKind {
  readonly type: "Restaurant" | "Hotel" | "LocalBusiness"
  readonly words: ReadonlyArray<string>
  readonly nouns: ReadonlyArray<string>
}

const businessKinds: ReadonlyArray<BusinessKind> = [
  {
    type: "Restaurant",
    words: ["restaurant", "restaurants", "pizza", "pizzeria", "coffee", "cafe", "café", "bakery", "diner"],
    nouns: ["Kitchen", "Cafe", "Bistro", "Pizzeria", "Coffee"]
  },
  { type: "Hotel", words: ["hotel", "hotels", "motel", "motels", "inn", "lodging"], nouns: ["Hotel", "Inn", "Suites"] },
  { type: "LocalBusiness", words: ["store", "stores", "shop", "shops"], nouns: ["Store", "Outlet", "Shop"] }
]

/** Fictional business names (Microsoft's own sample names, as the documentation's Fourth Coffee). */
const businessNames = [
  "Fourth",
  "Contoso",
  "Fabrikam",
  "Northwind",
  "Adventure Works",
  "Wide World",
  "Tailspin",
  "Alpine",
  "Proseware",
  "Woodgrove"
] as const

/** US cities, with their region, a postal code and an area code. */
const cities = [
  ["Bothell", "WA", "98021", "425"],
  ["Seattle", "WA", "98101", "206"],
  ["Redmond", "WA", "98052", "425"],
  ["Portland", "OR", "97201", "503"],
  ["San Francisco", "CA", "94103", "415"],
  ["Austin", "TX", "78701", "512"],
  ["Chicago", "IL", "60601", "312"],
  ["New York", "NY", "10001", "212"]
] as const

const kindOf = (q: string): BusinessKind | undefined => {
  const words = q.toLowerCase().split(/[^\p{L}\p{N}]+/u)
  return businessKinds.find((k) => k.words.some((w) => words.includes(w)))
}

const placeJson = (kind: BusinessKind, q: string, market: string, i: number) => {
  const h = hash32(`${q.trim().toLowerCase()}|${market}|place|${i}`)
  const name = `${businessNames[(h + i) % businessNames.length]!} ${kind.nouns[mix(h, 1) % kind.nouns.length]!}`
  const [locality, region, postalCode, area] = cities[mix(h, 2) % cities.length]!
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "")
  return {
    _type: kind.type,
    id: `${API}#Places.${i}`,
    webSearchUrl: `https://www.bing.com/entityexplore?q=${plus(name)}&filters=local_ypid:%22YN${mix(h, 3) % 1e9}%22`,
    name,
    url: `https://www.${slug}.com/`,
    entityPresentationInfo: {
      entityScenario: "ListItem",
      entityTypeHints: kind.type === "LocalBusiness"
        ? ["Place", "LocalBusiness"]
        : ["Place", "LocalBusiness", kind.type]
    },
    address: {
      addressLocality: locality,
      addressRegion: region,
      postalCode,
      addressCountry: "US",
      // the documentation: "the address' neighborhood field may contain an empty string"
      neighborhood: i % 3 === 2 ? "" : locality
    },
    telephone: `(${area}) 555-${String(1000 + (mix(h, 4) % 9000))}`
  }
}

const wants = (filter: EntitySearchParams.EntitySearchParams["responseFilter"], answer: "Entities" | "Places") =>
  filter === undefined
    ? true
    : filter[0]!.startsWith("-")
    ? !filter.includes(`-${answer}`)
    : filter.includes(answer)

const ranked = (answerType: "Entities" | "Places", n: number) =>
  Array.from({ length: n }, (_, i) => ({ answerType, resultIndex: i, value: { id: `${API}#${answerType}.${i}` } }))

/** The body of `/entities`, as a JSON string. */
const body = (p: EntitySearchParams.EntitySearchParams, market: string): string => {
  const { match } = pool(p.q, p.safeSearch === "Strict")
  const topicsOf = wants(p.responseFilter, "Entities") ? match.topics.slice(0, MAX_ENTITIES) : []
  // Places are US only.
  const kind = wants(p.responseFilter, "Places") && market.endsWith("-US") ? kindOf(p.q) : undefined
  const places = kind === undefined
    ? []
    : Array.from({ length: MAX_PLACES }, (_, i) => placeJson(kind, p.q, market, i))
  // Assumption: the emulator does not read X-Search-Location (answers are cached by query), so a
  // "near me" query for places always asks for the user's location.
  const askUserForLocation = kind !== undefined && /\bnear me\b/i.test(p.q)
  // Assumption: places in the mainline, entities in the sidebar (the documentation shows neither).
  const rankingResponse = {
    ...(places.length > 0 ? { mainline: { items: ranked("Places", places.length) } } : {}),
    ...(topicsOf.length > 0 ? { sidebar: { items: ranked("Entities", topicsOf.length) } } : {})
  }
  return JSON.stringify({
    _type: "SearchResponse",
    queryContext: { originalQuery: p.q, ...(askUserForLocation ? { askUserForLocation } : {}) },
    ...(topicsOf.length > 0
      ? {
        entities: {
          queryScenario: topicsOf.length === 1 ? "DominantEntity" : "DominantEntityWithDisambiguation",
          value: topicsOf.map((t, i) => entityJson(t, i, i === 0 ? "DominantEntity" : "DisambiguationItem"))
        }
      }
      : {}),
    ...(places.length > 0 ? { places: { value: places } } : {}),
    rankingResponse
  })
}

/** Validates an Entity Search request and builds its answer; pure given its inputs (hence cacheable). */
export const computeEntities = (
  sp: URLSearchParams,
  acceptLanguage: string | undefined,
  errors: Errors
): EntitiesOutcome => {
  const r = EntitySearchParams.fromQuery(sp)
  if (Result.isFailure(r)) return { ok: false, wire: errors.of(r.failure) }
  const reserved = errors.reserved(r.success.q)
  if (reserved !== undefined) return { ok: false, wire: reserved }
  // JSON-LD is documented; the emulator answers JSON only (as for `Accept: application/ld+json`).
  if (r.success.responseFormat === "JSONLD") return { ok: false, wire: errors.notImplemented() }
  const market = resolveMarket({ ...r.success, acceptLanguage })
  return { ok: true, body: Buffer.from(body(r.success, market)), market }
}
