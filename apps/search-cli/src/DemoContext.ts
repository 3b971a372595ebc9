/**
 * What the steps of `bing-search demo` share: the emulator, the run's keys, settings and session,
 * and one way to print. Each step is an Effect of this context that returns what it counted
 * (`Tally`), so the summary adds up results instead of reading mutable locals.
 */
import type { Emulator } from "@bing-effect/emulator"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"
import type * as Failure from "./Failure.js"
import type * as Output from "./Output.js"
import type * as Session from "./Session.js"
import type { Settings } from "./Settings.js"

/** The demo's keys: random per run, never printed. */
export interface Keys {
  readonly S15: string
  readonly S16: string
  /** A key limited to one search a second (the 429 step). */
  readonly qps: string
  /** A key with no limits (the steps that use a client of their own). */
  readonly other: string
}

/** The context of every step after the session has started. */
export interface DemoContext {
  readonly emulator: Emulator.EmulatorService
  readonly keys: Keys
  readonly settings: Settings
  readonly session: Session.Session
  /**
   * Prints one line on stdout through `Console`; above the progress bar while the burst shows one.
   * On a terminal it wraps at the width, then takes `colour`.
   */
  readonly say: (text?: string, colour?: (s: string) => string) => Effect.Effect<void, Output.OutputFailed>
  /** What `Failure` needs to explain an error, read when the error happens. */
  readonly failureContext: () => Failure.Context
}

/** A demo step that did not go as it should: the demo fails rather than pretend. */
export class DemoStepFailed extends Data.TaggedError("DemoStepFailed")<{
  readonly step: string
  readonly detail: string
}> {}

/** How many times each name was seen, in the order of first sight (the order the demo prints). */
export type Tally = ReadonlyMap<string, number>

/** Counts `names` (`undefined` counts as `"?"`). */
export const tally = (...names: ReadonlyArray<string | undefined>): Tally => {
  const counts = new Map<string, number>()
  for (const name of names) counts.set(name ?? "?", (counts.get(name ?? "?") ?? 0) + 1)
  return counts
}

/** The sum of tallies, keeping the order of first sight. */
export const sum = (...tallies: ReadonlyArray<Tally>): Tally => {
  const counts = new Map<string, number>()
  for (const t of tallies) for (const [name, n] of t) counts.set(name, (counts.get(name) ?? 0) + n)
  return counts
}

/** `"S15 200, S16 60"`. */
export const showTally = (t: Tally, separator = " "): string =>
  [...t].map(([name, n]) => `${name}${separator}${n}`).join(", ")

/** The queries the demo sends, in turn. */
export const queries: ReadonlyArray<string> = [
  "effect typescript",
  "bing search api",
  "quota tracker",
  "rate limiting",
  "token bucket",
  "typed errors",
  "emulator",
  "retry with backoff"
]

/** The `i`-th query, cycling. */
export const query = (i: number): string => queries[i % queries.length]!

/** A random key for one run of the demo (never printed). */
export const secret = (name: string): string => `demo-${name}-${randomBytes(9).toString("base64url")}`

/** A retry policy fast enough for a demo that meets several retried failures. */
export const fastRetry = { baseDelay: 40, maxDelay: 200 } as const

/**
 * Starts a stopwatch: the Effect it returns gives the milliseconds since. It reads the monotonic
 * clock, because the demo's `Clock` follows the emulator's, which jumps to the next day mid-run.
 */
export const stopwatch: Effect.Effect<Effect.Effect<number>> = Effect.map(
  Clock.monotonicTimeNanos,
  (start) => Effect.map(Clock.monotonicTimeNanos, (now) => Number(now - start) / 1e6)
)

/**
 * A measured time to a tenth of a second (`"2.1 s"`): the demo's stopwatch figures and its burst
 * forecasts are a few seconds or less, so the tenth is the information. Waits and timeouts in
 * messages use the library's `Window.formatDuration`.
 */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** An instant as UTC wall time with milliseconds: `"11:53:25.119"`. */
export const time = (ms: number): string => new Date(ms).toISOString().slice(11, 23)

/** Indents every non-empty line of `text`. */
export const indent = (text: string, by = "    "): string =>
  text.split("\n").map((l) => (l === "" ? l : by + l)).join("\n")
