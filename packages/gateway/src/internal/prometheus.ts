/**
 * The Prometheus text exposition format, version 0.0.4: metric families (one `# HELP` and one
 * `# TYPE` line each, then their samples) rendered to the text any scraper reads. Pure and
 * dependency-free, so the gateway needs no metrics library on its hot path: counters and
 * histograms are plain numbers kept by their owners and turned into families only when scraped.
 *
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

/** The content type scrapers negotiate for this format. */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

/** Label name and value pairs, in the order they are printed. */
export type Labels = ReadonlyArray<readonly [name: string, value: string]>

/** One line of a family: `name{labels} value`, where `name` is the family's name plus `suffix`. */
export interface Sample {
  /** Appended to the family's name (`_bucket`, `_sum`, `_count` for histograms); none for others. */
  readonly suffix?: string | undefined
  readonly labels: Labels
  readonly value: number
}

/** A metric family. For a counter, `name` already ends in `_total` (0.0.4 types the sample name). */
export interface Family {
  readonly name: string
  readonly help: string
  readonly type: "counter" | "gauge" | "histogram"
  readonly samples: ReadonlyArray<Sample>
}

// In a label value the format escapes backslash, double quote and line feed, and nothing else.
export const escapeLabelValue = (value: string): string =>
  /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`)) : value

// HELP text escapes backslash and line feed only (a quote is literal there).
export const escapeHelp = (text: string): string =>
  /[\\\n]/.test(text) ? text.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\")) : text

/** A sample value as Go's `ParseFloat` reads it: `+Inf`, `-Inf` and `NaN` have their own spelling. */
export const formatValue = (value: number): string =>
  Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value)

const formatLabels = (labels: Labels): string => {
  if (labels.length === 0) return ""
  let out = "{"
  for (let i = 0; i < labels.length; i++) {
    const [name, value] = labels[i]!
    out += `${i === 0 ? "" : ","}${name}="${escapeLabelValue(value)}"`
  }
  return `${out}}`
}

/** The whole exposition: families in the order given, each line ending in `\n`. */
export const render = (families: ReadonlyArray<Family>): string => {
  let out = ""
  for (const family of families) {
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`
    for (const sample of family.samples) {
      out += `${family.name}${sample.suffix ?? ""}${formatLabels(sample.labels)} ${formatValue(sample.value)}\n`
    }
  }
  return out
}

/**
 * A histogram's observations for one label set. Counts are kept per bucket (not cumulative) so an
 * observation touches one slot; `samples` makes them cumulative, as the format requires.
 */
export class Histogram {
  readonly counts: Array<number>
  sum = 0
  count = 0
  /** `bounds`: the finite upper bounds, ascending; `+Inf` is implied. */
  constructor(readonly bounds: ReadonlyArray<number>) {
    this.counts = Array.from({ length: bounds.length + 1 }, () => 0)
  }

  observe(value: number): void {
    let i = 0
    while (i < this.bounds.length && value > this.bounds[i]!) i++
    this.counts[i]!++
    this.sum += value
    this.count++
  }

  /** `_bucket{le}` for every bound and `+Inf`, then `_sum` and `_count`, under `labels`. */
  samples(labels: Labels): Array<Sample> {
    const out: Array<Sample> = []
    let cumulative = 0
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += this.counts[i]!
      const le = i < this.bounds.length ? formatValue(this.bounds[i]!) : "+Inf"
      out.push({ suffix: "_bucket", labels: [...labels, ["le", le]], value: cumulative })
    }
    out.push({ suffix: "_sum", labels, value: this.sum }, { suffix: "_count", labels, value: this.count })
    return out
  }
}
