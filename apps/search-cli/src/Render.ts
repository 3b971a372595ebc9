/**
 * Plain-text rendering of results and quota status: numbered web results (title, URL, snippet),
 * image results (size, format, URL) and the quota table with one bar per window. Pure functions
 * from values to strings, so they are easy to read and to test.
 */
import type { BingClient, BingResult } from "@bing-effect/client"
import type { QuotaTracker } from "@bing-effect/quota-tracker"
import { Window } from "@bing-effect/quota-tracker"
import { formatInstant } from "./Failure.js"
import * as Screen from "./Screen.js"

const count = (n: number): string => Math.round(n).toLocaleString("en-US")

/** Word-wraps `text` to `width` columns, each line prefixed with `indent` (see `Screen.wrap`). */
export const wrap = Screen.wrap

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

/** How wide the output may be (default: 80 columns, as off a terminal). */
export interface Layout {
  /** Columns a line may take. */
  readonly columns?: number | undefined
}

/** Web results, numbered from `offset + 1`, snippets wrapped at `layout.columns`. */
export const web = (
  query: string,
  result: BingResult.BingResult<BingClient.WebSearchValue>,
  offset: number,
  layout: Layout = {}
): string => {
  const columns = layout.columns ?? Screen.defaultColumns
  const pages = result.value.webPages
  const items = pages?.value ?? []
  const total = pages?.totalEstimatedMatches
  const head = `Web results for ${JSON.stringify(query)}: ${items.length}${
    total === undefined ? "" : ` of about ${count(total)}`
  } (${metaLine(result.meta)})`
  if (items.length === 0) return `${head}\n\n  No web pages matched.`
  const body = items.map((page, i) => {
    const lines = [`${String(offset + i + 1).padStart(3)}. ${clean(page.name)}`, `     ${page.url}`]
    if (page.snippet !== undefined && page.snippet !== "") {
      lines.push(wrap(clean(page.snippet), Math.max(10, columns - 5), "     "))
    }
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

/** Trending images: each category's title, then its tiles (the query that finds each, and the image's URL). */
export const trending = (
  result: BingResult.BingResult<BingClient.TrendingImagesValue>,
  layout: Layout = {}
): string => {
  const columns = layout.columns ?? Screen.defaultColumns
  const categories = result.value.categories
  const tiles = categories.reduce((n, c) => n + c.tiles.length, 0)
  const head = `Trending images: ${categories.length} categor${categories.length === 1 ? "y" : "ies"}, ${tiles} tile${
    tiles === 1 ? "" : "s"
  } (${metaLine(result.meta)})`
  if (categories.length === 0) return `${head}\n\n  Nothing is trending in this market.`
  const body = categories.map((category) => {
    const lines = [wrap(clean(category.title), columns, "")]
    category.tiles.forEach((tile, i) => {
      lines.push(
        `${String(i + 1).padStart(3)}. ${
          wrap(clean(tile.query.displayText ?? tile.query.text), Math.max(10, columns - 5), "     ").slice(5)
        }`,
        `     ${tile.image.contentUrl ?? tile.image.thumbnailUrl}`
      )
    })
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

/** Options of the quota table. */
export interface QuotaLayout extends Layout {
  /** `[###...]` bars (a pipe, a file) rather than block characters (a terminal). Default true. */
  readonly ascii?: boolean | undefined
  /**
   * Reflow the table to fit `columns` (narrower bars, then one block per window). Default false:
   * off a terminal the table keeps its full width, so that scripts see the same columns.
   */
  readonly fit?: boolean | undefined
  /** Colours for the bars and the notes; default none. */
  readonly palette?: Screen.Palette | undefined
}

/** One window of one tier, as the table shows it. */
interface WindowRow {
  readonly tier: string
  readonly first: boolean
  readonly window: string
  readonly fraction: number
  readonly percent: string
  readonly used: string
  readonly limit: string
  readonly remaining: string
  readonly resets: string
  readonly forecast: string
}

const widestBar = 20
const narrowestBar = 6
const gap = "  "

/**
 * The quota table: one row per window of each tier, the active tier marked with `*`. With `fit`,
 * a table wider than `columns` gets narrower bars, and if even that does not fit, one block of
 * lines per window ("used 2 of 3, 1 left", "resets ..."), so no cell is ever cut or wrapped.
 */
export const quota = (
  status: QuotaTracker.QuotaStatus,
  storeLabel: string,
  options: QuotaLayout = {}
): string => {
  const now = status.at
  const columns = options.columns ?? Screen.defaultColumns
  const fit = options.fit === true
  const p = options.palette ?? Screen.palette(false)
  const ascii = options.ascii ?? true
  const head = [
    `Quota at ${formatInstant(now)}, store ${storeLabel}${
      status.storeMode === "fallback" ? " (unavailable: counting in memory)" : ""
    }`,
    `Active tier: ${status.active ?? "none (every tier is exhausted)"}`
  ]
  // in the tiers' order: a window, or a tier without limits (`undefined`)
  const entries: Array<{ readonly name: string; readonly w: WindowRow | undefined }> = []
  const notes: Array<string> = []
  for (const tier of status.tiers) {
    const name = `${tier.name} ${tier.active ? "*" : " "}`
    if (tier.windows.length === 0) entries.push({ name, w: undefined })
    tier.windows.forEach((w, i) => {
      const fraction = w.limit > 0 ? w.used / w.limit : 0
      entries.push({
        name,
        w: {
          tier: name,
          first: i === 0,
          window: w.window,
          fraction,
          percent: `${Math.round(fraction * 100)}%`,
          used: count(w.used),
          limit: count(w.limit),
          remaining: count(w.remaining),
          resets: w.window === "second"
            ? (w.resetsAt <= now ? "now" : `in ${Window.formatDuration(w.resetsAt - now)}`)
            : formatInstant(w.resetsAt),
          forecast: forecastText(w, now)
        }
      })
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
  const colourBar = (w: WindowRow, text: string) => Screen.usageColor(p, w.fraction)(text)
  const colourNote = (note: string) => p.yellow(note)

  const table = (barWidth: number): { readonly lines: ReadonlyArray<string>; readonly width: number } => {
    const header = ["TIER", "WINDOW", "USAGE", "", "USED", "LIMIT", "REMAINING", "RESETS", "FORECAST"]
    const rows: Array<readonly [ReadonlyArray<string>, WindowRow | undefined]> = [[header, undefined]]
    for (const { name, w } of entries) {
      if (w === undefined) {
        rows.push([[name, "-", "(no limits configured)", "", "", "", "", "", ""], undefined])
        continue
      }
      rows.push([[
        w.first ? w.tier : "",
        w.window,
        bar(w.fraction, barWidth, ascii),
        w.percent,
        w.used,
        w.limit,
        w.remaining,
        w.resets,
        w.forecast
      ], w])
    }
    const widths = header.map((_, c) => Math.max(...rows.map(([r]) => (r[c] ?? "").length)))
    const numeric = new Set([3, 4, 5, 6])
    const lines = rows.map(([r, w]) =>
      r.map((cell, c) => {
        const padded = numeric.has(c) ? padL(cell, widths[c]!) : pad(cell, widths[c]!)
        return c === 2 && w !== undefined ? colourBar(w, padded) : padded
      }).join(gap).trimEnd()
    )
    const plain = rows.map(([r]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join(gap).trimEnd())
    return { lines, width: Math.max(...plain.map((l) => l.length)) }
  }

  const wrapped = (lines: ReadonlyArray<string>) => lines.map((l) => wrap(l, columns, "")).join("\n").split("\n")
  const tail = notes.length === 0 ? [] : ["", ...wrapped(notes).map(colourNote)]
  if (!fit) {
    return [...head, "", ...table(widestBar).lines, ...(notes.length === 0 ? [] : ["", ...notes.map(colourNote)])]
      .join("\n")
  }
  for (let barWidth = widestBar; barWidth >= narrowestBar; barWidth -= 2) {
    const t = table(barWidth)
    if (t.width <= columns) return [...wrapped(head), "", ...t.lines, ...tail].join("\n")
  }
  // one block per window: "S15 *  day  [####....]  67%", then one fact per line
  const blocks: Array<string> = []
  const labelOf = (w: WindowRow) => `${w.tier.trimEnd()} ${w.window}`
  const labelWidth = Math.max(0, ...entries.flatMap(({ w }) => (w === undefined ? [] : [labelOf(w).length])))
  const barWidth = Math.max(4, Math.min(widestBar, columns - labelWidth - 8 - (ascii ? 2 : 0)))
  for (const { name, w } of entries) {
    if (w === undefined) {
      blocks.push(...wrap(`${name.trimEnd()} (no limits configured)`, columns, "").split("\n"))
      continue
    }
    const label = labelOf(w).padEnd(labelWidth)
    const cellsWidth = label.length + 2 + barWidth + (ascii ? 2 : 0) + 1 + 4
    const first = cellsWidth <= columns
      ? [`${label}  ${colourBar(w, bar(w.fraction, barWidth, ascii))} ${padL(w.percent, 4)}`]
      : [label.trimEnd(), `  ${colourBar(w, bar(w.fraction, Math.max(1, columns - 9), ascii))} ${padL(w.percent, 4)}`]
    blocks.push(
      ...first,
      ...[`used ${w.used} of ${w.limit}, ${w.remaining} left`, `resets ${w.resets}`, `forecast ${w.forecast}`].flatMap((
        l
      ) => wrap(l, columns - 2, "  ").split("\n"))
    )
  }
  return [...wrapped(head), "", ...blocks, ...tail].join("\n")
}
