/**
 * The shared history under the quota table (`bing-search quota`): for each tier window a
 * one-line sparkline of its last samples, fitted to the width, and the most recent quota events
 * with their times, as the gateways on the same store recorded them (`GatewayHistory` of
 * `@bing-effect/gateway`); and the `history` object of `--json`. A store without history gets one
 * short line saying why, never a failure.
 */
import type { GatewayHistory } from "@bing-effect/gateway/history"
import type { QuotaTracker } from "@bing-effect/quota-tracker"
import { Window } from "@bing-effect/quota-tracker"
import { formatInstant } from "./Failure.js"
import * as Screen from "./Screen.js"

/** What the quota command got from the history: a reading, or why there is none. */
export type Outcome =
  | { readonly _tag: "read"; readonly reading: GatewayHistory.Reading }
  | { readonly _tag: "failed"; readonly store: string; readonly detail: string }

/** Events shown under the table; `--json` has every one read. */
export const shownEvents = 5

const blocks = "▁▂▃▄▅▆▇█"
const asciiLevels = "_.-~=+*#"

/**
 * A sparkline of `values` (the last `width` of them), scaled from their lowest to their highest:
 * block characters, or `_.-~=+*#` with `ascii`.
 */
export const sparkline = (values: ReadonlyArray<number>, width: number, ascii: boolean): string => {
  const levels = ascii ? asciiLevels : blocks
  const shown = values.slice(-Math.max(1, width))
  const low = Math.min(...shown)
  const high = Math.max(...shown)
  return shown.map((v) => {
    const level = high === low ? 0 : Math.round(((v - low) / (high - low)) * (levels.length - 1))
    return levels[level]!
  }).join("")
}

const count = (n: number): string => Math.round(n).toLocaleString("en-US")

const pct = (fraction: number): string => `${Math.round(fraction * 1000) / 10}%`

/** One event as a line's text (its time apart). */
export const describeEvent = (e: GatewayHistory.Event): string => {
  switch (e.kind) {
    case "switch":
      return `switch ${e.from ?? "?"} -> ${e.to ?? "?"}${e.reason === undefined ? "" : ` (${e.reason})`}`
    case "exhausted":
      // `reason` says who found it out: the tracker's count (local), or Bing's 403 (server)
      return `exhausted ${e.tier ?? "?"}${e.window === undefined ? "" : ` ${e.window}`}${
        e.untilMs === undefined ? "" : ` until ${formatInstant(e.untilMs)}`
      }${e.reason === "server" ? " (Bing said so)" : ""}`
    case "threshold":
      return `threshold ${e.tier ?? "?"}${e.window === undefined ? "" : ` ${e.window}`} crossed ${
        e.threshold === undefined ? "?" : pct(e.threshold)
      }`
    case "fallback":
      return `fallback: the ${e.store ?? "quota"} store failed, counting in memory`
    case "recovered":
      return `recovered: the ${e.store ?? "quota"} store answers again`
  }
}

/**
 * An event's lines: `  <time>  <what>` on one line when it fits; else what happened wraps beside
 * the time, or (narrower than 30 columns beside it) below it.
 */
const eventLines = (e: GatewayHistory.Event, columns: number): ReadonlyArray<string> => {
  const time = `  ${formatInstant(e.atMs)}  `
  const what = describeEvent(e)
  if (time.length + what.length <= columns) return [`${time}${what}`]
  if (columns - time.length >= 30) {
    const wrapped = Screen.wrap(what, columns - time.length, " ".repeat(time.length)).split("\n")
    return [`${time}${wrapped[0]!.trimStart()}`, ...wrapped.slice(1)]
  }
  return [
    ...Screen.wrap(time, columns - 2, "  ").split("\n"),
    ...Screen.wrap(what, Math.max(10, columns - 4), "    ").split("\n")
  ]
}

/** Why a reading holds nothing, in one line. */
const emptyLine = (reading: GatewayHistory.Reading, prefix: string | undefined): string => {
  switch (reading.store) {
    case "memory":
      return "History: none (a memory store shares none; see sqlite:, redis://, postgres://)"
    case "redis":
    case "redis-cluster":
      return `History: none in this store yet (no gateway has written any under the prefix ${
        prefix ?? "?"
      }; a gateway's default is bing-gateway:quota:, see --store-prefix)`
    case "sqlite":
      return "History: none in this store yet (no gateway has written any to this file)"
    case "postgres":
      return `History: none in this store yet (no gateway has written any under the prefix ${
        prefix ?? "?"
      } for this table; see --store-prefix)`
  }
}

/** Options of {@link render}. */
export interface Layout {
  readonly columns: number
  /** `_.-~=+*#` sparklines (a pipe, a file) rather than block characters. */
  readonly ascii: boolean
  readonly palette: Screen.Palette
  /** The Redis key prefix read (for the empty-history hint). */
  readonly prefix?: string | undefined
}

/**
 * The history section: a heading, one line per tier window with samples (label, sparkline, the
 * range of `used` over the time shown), then the last {@link shownEvents} events. Every line fits
 * `columns`.
 */
export const render = (outcome: Outcome, status: QuotaTracker.QuotaStatus, layout: Layout): string => {
  const { ascii, columns, palette: p } = layout
  const fit = (line: string) => Screen.wrapLines(line, columns)
  if (outcome._tag === "failed") {
    return fit(p.yellow(`History: could not be read from the ${outcome.store} store (${outcome.detail})`))
  }
  const { reading } = outcome
  const withSamples = reading.samples.filter((s) => s.samples.length > 0)
  if (withSamples.length === 0 && reading.events.length === 0) return fit(emptyLine(reading, layout.prefix))

  const lines: Array<string> = []
  const last = Math.max(0, ...withSamples.map((s) => s.samples.at(-1)![0]))
  lines.push(
    fit(
      `History (from the gateways on this store${last > 0 ? `; last sample ${formatInstant(last)}` : ""}):`
    )
  )
  const label = (s: GatewayHistory.Series) => `${s.tier} ${s.window}`
  const labelWidth = Math.max(0, ...withSamples.map((s) => label(s).length))
  for (const s of withSamples) {
    const limit = status.tiers.find((t) => t.name === s.tier)?.windows.find((w) => w.window === s.window)?.limit
    const first = s.samples[0]!
    const final = s.samples.at(-1)!
    const used = s.samples.map(([, u]) => u)
    const span = final[0] - first[0]
    const summary = `${count(first[1])} -> ${count(final[1])}${span > 0 ? ` in ${Window.formatDuration(span)}` : ""}`
    const head = `  ${label(s).padEnd(labelWidth)}  `
    const colour = Screen.usageColor(p, limit !== undefined && limit > 0 ? final[1] / limit : 0)
    const room = columns - head.length - 2 - summary.length
    if (room >= 8) {
      lines.push(`${head}${colour(sparkline(used, Math.min(room, used.length), ascii))}  ${summary}`)
    } else {
      const width = Math.max(4, columns - head.length)
      lines.push(`${head}${colour(sparkline(used, Math.min(width, used.length), ascii))}`)
      lines.push(fit(`    ${summary}`))
    }
  }
  if (withSamples.length === 0) lines.push("  (no samples yet)")
  if (reading.events.length > 0) {
    lines.push(fit("Recent events (newest first):"))
    for (const e of reading.events.slice(0, shownEvents)) {
      const colour = e.kind === "exhausted" || e.kind === "fallback"
        ? p.red
        : e.kind === "switch"
        ? p.yellow
        : (s: string) => s
      lines.push(...eventLines(e, columns).map(colour))
    }
    const more = reading.events.length - shownEvents
    if (more > 0) lines.push(fit(`  (${more} more: --json has them all)`))
  }
  return lines.join("\n")
}

/**
 * The `history` object of `quota --json`:
 * `{ store, shared, samples: [{ tier, window, samples: [[epochMs, used], ...] }], events: [...] }`,
 * samples oldest first, events newest first (`GatewayHistory.Event`); with `error` (and nothing
 * read) when the store could not be read.
 */
export const json = (outcome: Outcome): Record<string, unknown> =>
  outcome._tag === "failed"
    ? { store: outcome.store, shared: true, error: outcome.detail, samples: [], events: [] }
    : {
      store: outcome.reading.store,
      shared: outcome.reading.shared,
      samples: outcome.reading.samples,
      events: outcome.reading.events
    }
