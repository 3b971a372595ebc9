/**
 * Plain-text rendering of results and quota status: numbered web results (title, URL, snippet),
 * image results (size, format, URL) and the quota table with one bar per window. Pure functions
 * from values to strings, so they are easy to read and to test.
 */
import type { BingClient, BingResult } from "@bing-effect/client"
import type { QuotaTracker } from "@bing-effect/quota-tracker"
import { Window } from "@bing-effect/quota-tracker"
import { formatInstant } from "./Failure.js"

const count = (n: number): string => Math.round(n).toLocaleString("en-US")

/** Word-wraps `text` to `width` columns, each line prefixed with `indent`. */
export const wrap = (text: string, width: number, indent: string): string => {
  const words = text.replace(/\s+/g, " ").trim().split(" ")
  const lines: Array<string> = []
  let line = ""
  for (const word of words) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "") lines.push(line)
  return lines.map((l) => indent + l).join("\n")
}

/** Strips Bing's hit-highlighting characters and HTML entities of the Raw text format. */
const clean = (s: string): string =>
  s.replace(/[\uE000\uE001]/g, "").replace(/&amp;/g, "&").replace(/&quot;/g, "\"").replace(/&#39;/g, "'").replace(
    /&lt;/g,
    "<"
  ).replace(/&gt;/g, ">")

const metaLine = (meta: BingResult.Meta): string => {
  const parts = [
    meta.market === undefined ? undefined : `market ${meta.market}`,
    meta.tier === undefined ? undefined : `tier ${meta.tier}`,
    `${meta.attempts} attempt${meta.attempts === 1 ? "" : "s"}`
  ].filter((p): p is string => p !== undefined)
  return parts.join(", ")
}

/** Web results, numbered from `offset + 1`. */
export const web = (
  query: string,
  result: BingResult.BingResult<BingClient.WebSearchValue>,
  offset: number
): string => {
  const pages = result.value.webPages
  const items = pages?.value ?? []
  const total = pages?.totalEstimatedMatches
  const head = `Web results for ${JSON.stringify(query)}: ${items.length}${
    total === undefined ? "" : ` of about ${count(total)}`
  } (${metaLine(result.meta)})`
  if (items.length === 0) return `${head}\n\n  No web pages matched.`
  const body = items.map((page, i) => {
    const lines = [`${String(offset + i + 1).padStart(3)}. ${clean(page.name)}`, `     ${page.url}`]
    if (page.snippet !== undefined && page.snippet !== "") lines.push(wrap(clean(page.snippet), 92, "     "))
    return lines.join("\n")
  })
  return `${head}\n\n${body.join("\n\n")}`
}

const bytes = (size: string | undefined): string | undefined => {
  if (size === undefined) return undefined
  const m = /^(\d+)\s*B$/i.exec(size.trim())
  if (m === null) return size
  const n = Number(m[1])
  return n >= 1_048_576 ? `${(n / 1_048_576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`
}

/** Image results, numbered from `offset + 1`. */
export const images = (
  query: string,
  result: BingResult.BingResult<BingClient.ImageSearchValue>,
  offset: number
): string => {
  const items = result.value.value
  const total = result.value.totalEstimatedMatches
  const head = `Image results for ${JSON.stringify(query)}: ${items.length}${
    total === undefined ? "" : ` of about ${count(total)}`
  } (${metaLine(result.meta)})`
  if (items.length === 0) return `${head}\n\n  No images matched.`
  const body = items.map((image, i) => {
    const size = image.width !== undefined && image.height !== undefined
      ? `${image.width}x${image.height}`
      : "size unknown"
    const facts = [size, image.encodingFormat ?? "format unknown", bytes(image.contentSize)].filter((f): f is string =>
      f !== undefined
    )
    const lines = [
      `${String(offset + i + 1).padStart(3)}. ${clean(image.name ?? "(untitled)")}`,
      `     ${facts.join(", ")}`,
      `     ${image.contentUrl ?? image.thumbnailUrl}`
    ]
    if (image.hostPageUrl !== undefined) lines.push(`     page: ${image.hostPageUrl}`)
    return lines.join("\n")
  })
  return `${head}\n\n${body.join("\n\n")}`
}

/** A bar of `width` cells for a fraction in [0, 1]. */
export const bar = (fraction: number, width = 20, ascii = true): string => {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0))
  const full = Math.round(f * width)
  return ascii ? `[${"#".repeat(full)}${".".repeat(width - full)}]` : `${"█".repeat(full)}${"░".repeat(width - full)}`
}

const pad = (s: string, n: number) => s.padEnd(n)
const padL = (s: string, n: number) => s.padStart(n)

/**
 * The forecast column: when the window runs out at the current rate. The tracker measures that rate;
 * a process that has no sample yet (this command, run once) gets the average since the period
 * began from the tracker instead, marked "(avg)".
 */
export const forecastText = (w: QuotaTracker.WindowStatus, now: number): string => {
  if (w.window === "second") return "-"
  if (w.remaining <= 0) return "exhausted"
  const avg = w.forecastBasis === "period-average" ? " (avg)" : ""
  if (w.forecast !== undefined) return w.forecast <= now ? "exhausted" : `${formatInstant(w.forecast)}${avg}`
  return w.ratePerSecond > 0 ? `lasts to reset${avg}` : "-"
}

/** The quota table: one row per window of each tier, the active tier marked with `*`. */
export const quota = (
  status: QuotaTracker.QuotaStatus,
  storeLabel: string,
  options: { readonly ascii?: boolean | undefined } = {}
): string => {
  const now = status.at
  const head = [
    `Quota at ${formatInstant(now)}, store ${storeLabel}${
      status.storeMode === "fallback" ? " (unavailable: counting in memory)" : ""
    }`,
    `Active tier: ${status.active ?? "none (every tier is exhausted)"}`
  ]
  const rows: Array<ReadonlyArray<string>> = [[
    "TIER",
    "WINDOW",
    "USAGE",
    "",
    "USED",
    "LIMIT",
    "REMAINING",
    "RESETS",
    "FORECAST"
  ]]
  const notes: Array<string> = []
  for (const tier of status.tiers) {
    const mark = tier.active ? "*" : " "
    if (tier.windows.length === 0) {
      rows.push([`${tier.name} ${mark}`, "-", "(no limits configured)", "", "", "", "", "", ""])
    }
    tier.windows.forEach((w, i) => {
      const fraction = w.limit > 0 ? w.used / w.limit : 0
      const resets = w.window === "second"
        ? (w.resetsAt <= now ? "now" : `in ${Window.formatDuration(w.resetsAt - now)}`)
        : formatInstant(w.resetsAt)
      const forecast = forecastText(w, now)
      rows.push([
        i === 0 ? `${tier.name} ${mark}` : "",
        w.window,
        bar(fraction, 20, options.ascii ?? true),
        `${Math.round(fraction * 100)}%`,
        count(w.used),
        count(w.limit),
        count(w.remaining),
        resets,
        forecast
      ])
    })
    if (tier.exhausted && tier.exhaustedUntil !== undefined) {
      notes.push(
        `${tier.name} is exhausted (${tier.exhaustedWindow ?? "quota"}) until ${formatInstant(tier.exhaustedUntil)}.`
      )
    }
    if (tier.held && tier.heldUntil !== undefined) {
      notes.push(`${tier.name} is held after a 429 until ${formatInstant(tier.heldUntil)}.`)
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)))
  const numeric = new Set([3, 4, 5, 6])
  const table = rows.map((r) =>
    r.map((cell, c) => (numeric.has(c) ? padL(cell, widths[c]!) : pad(cell, widths[c]!))).join("  ").trimEnd()
  )
  return [...head, "", ...table, ...(notes.length === 0 ? [] : ["", ...notes])].join("\n")
}
