// The parser ships no types; this is the shape its README documents (every value a string).
declare module "parse-prometheus-text-format" {
  interface ParsedMetric {
    readonly value?: string
    readonly labels?: Readonly<Record<string, string>>
    readonly buckets?: Readonly<Record<string, string>>
    readonly count?: string
    readonly sum?: string
  }
  interface ParsedFamily {
    readonly name: string
    readonly help: string
    readonly type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED"
    readonly metrics: ReadonlyArray<ParsedMetric>
  }
  const parse: (text: string) => Array<ParsedFamily>
  export default parse
}
