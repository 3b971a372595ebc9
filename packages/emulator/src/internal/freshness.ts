/**
 * The `freshness` parameter as a window of time on the corpus clock: `Day`, `Week` and `Month` end
 * at the corpus date, `YYYY-MM-DD` is that one day, `YYYY-MM-DD..YYYY-MM-DD` runs from the start of
 * the first day to the end of the last. A generator whose items are dated uniformly over a span
 * ending at the corpus date keeps the items of the window's overlap with that span: the same
 * population, filtered, so a shorter window gives fewer matches and never an item outside it.
 * Shared by every endpoint that reads `freshness` by the date of its items.
 */
import { corpusDate } from "./corpus.js"

const DAY = 86_400_000

/** A span of time `[to - span + 1, to]` in epoch ms; `span` 0 for an empty one. */
export interface Span {
  readonly to: number
  readonly span: number
}

const periods: Readonly<Record<string, number>> = { day: 1, week: 7, month: 30 }

const dayStart = (iso: string): number => Date.parse(`${iso}T00:00:00Z`)

/** The window `freshness` selects, or undefined without one (or for a value the schema would refuse). */
export const windowOf = (freshness: string | undefined): Span | undefined => {
  if (freshness === undefined) return undefined
  const days = periods[freshness.toLowerCase()]
  if (days !== undefined) return { to: corpusDate, span: days * DAY }
  const [from = "", to = from] = freshness.split("..")
  const start = dayStart(from)
  const end = dayStart(to) + DAY - 1
  if (!Number.isFinite(start) || !Number.isFinite(end)) return undefined
  return { to: end, span: Math.max(0, end - start + 1) }
}

/**
 * The part of `population` (items dated uniformly over it) inside `window`, and the fraction of the
 * population it holds; `population` itself without a window.
 */
export const within = (population: Span, window: Span | undefined): { readonly span: Span; readonly share: number } => {
  if (window === undefined) return { span: population, share: 1 }
  const to = Math.min(population.to, window.to)
  const from = Math.max(population.to - population.span + 1, window.to - window.span + 1)
  const span = Math.max(0, to - from + 1)
  return { span: { to, span }, share: population.span === 0 ? 0 : span / population.span }
}
