/**
 * A strict reader of the Prometheus text format 0.0.4, for tests: it throws on the first line a
 * scraper would reject or misread (bad names, bad escapes, a second TYPE for a family, samples of
 * a family split by another family, a duplicate series, histogram buckets that are not cumulative
 * or lack `+Inf`, a `+Inf` bucket that differs from `_count`), and returns the families it read.
 */
const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/
// Go's ParseFloat as Prometheus uses it, restricted to what a writer reasonably prints.
const floatValue = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/

export interface ReadSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface ReadFamily {
  readonly name: string
  type: string
  help: string | undefined
  readonly samples: Array<ReadSample>
}

const parseValue = (text: string, line: string): number => {
  if (!floatValue.test(text)) throw new Error(`bad value ${JSON.stringify(text)} in ${JSON.stringify(line)}`)
  if (text.endsWith("Inf")) return text.startsWith("-") ? -Infinity : Infinity
  return Number(text)
}

// Reads `{a="x",b="y"}` starting at `start` (the `{`); returns the labels and the index after `}`.
const parseLabels = (line: string, start: number): [Record<string, string>, number] => {
  const labels: Record<string, string> = {}
  let i = start + 1
  while (line[i] !== "}") {
    const eq = line.indexOf("=", i)
    if (eq === -1) throw new Error(`label without '=' in ${JSON.stringify(line)}`)
    const name = line.slice(i, eq)
    if (!labelName.test(name)) throw new Error(`bad label name ${JSON.stringify(name)} in ${JSON.stringify(line)}`)
    if (name in labels) throw new Error(`label ${name} twice in ${JSON.stringify(line)}`)
    if (line[eq + 1] !== "\"") throw new Error(`unquoted label value in ${JSON.stringify(line)}`)
    let value = ""
    let j = eq + 2
    for (;;) {
      const c = line[j]
      if (c === undefined) throw new Error(`unterminated label value in ${JSON.stringify(line)}`)
      if (c === "\"") break
      if (c === "\\") {
        const next = line[j + 1]
        if (next === "\\") value += "\\"
        else if (next === "\"") value += "\""
        else if (next === "n") value += "\n"
        else throw new Error(`bad escape \\${next} in ${JSON.stringify(line)}`)
        j += 2
      } else {
        value += c
        j++
      }
    }
    labels[name] = value
    i = j + 1
    if (line[i] === ",") i++
    else if (line[i] !== "}") throw new Error(`expected ',' or '}' in ${JSON.stringify(line)}`)
  }
  return [labels, i + 1]
}

// Which family a sample name belongs to, given the family being read.
const belongs = (family: ReadFamily, name: string): boolean =>
  family.type === "histogram"
    ? name === `${family.name}_bucket` || name === `${family.name}_sum` || name === `${family.name}_count`
    : name === family.name

const checkHistogram = (family: ReadFamily): void => {
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>()
  for (const s of family.samples) {
    const { le, ...rest } = s.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    const group = groups.get(key) ?? { buckets: [] }
    groups.set(key, group)
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`)
      group.buckets.push([parseValue(le, le), s.value])
    } else if (s.name.endsWith("_count")) group.count = s.value
    else group.sum = s.value
  }
  for (const [key, group] of groups) {
    const where = `${family.name}${key}`
    if (group.count === undefined || group.sum === undefined) throw new Error(`${where}: missing _count or _sum`)
    const last = group.buckets.at(-1)
    if (last === undefined || last[0] !== Infinity) throw new Error(`${where}: last bucket is not le="+Inf"`)
    if (last[1] !== group.count) throw new Error(`${where}: +Inf bucket ${last[1]} != _count ${group.count}`)
    for (let i = 1; i < group.buckets.length; i++) {
      const [le0, v0] = group.buckets[i - 1]!
      const [le1, v1] = group.buckets[i]!
      if (!(le1 > le0)) throw new Error(`${where}: le not increasing (${le0}, ${le1})`)
      if (v1 < v0) throw new Error(`${where}: bucket counts not cumulative (${v0}, ${v1})`)
    }
  }
}

/** Reads an exposition; throws on the first problem. */
export const readExposition = (text: string): Map<string, ReadFamily> => {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("the exposition does not end with a line feed")
  const families = new Map<string, ReadFamily>()
  const series = new Set<string>()
  const typed = new Set<string>()
  let current: ReadFamily | undefined
  const lines = text.split("\n")
  lines.pop()
  for (const line of lines) {
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
      const rest = line.slice(7)
      const space = rest.indexOf(" ")
      const name = space === -1 ? rest : rest.slice(0, space)
      const arg = space === -1 ? "" : rest.slice(space + 1)
      if (!metricName.test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`)
      let family = families.get(name)
      if (family !== undefined && family !== current) throw new Error(`family ${name} split by another family`)
      if (family === undefined) {
        family = { name, type: "untyped", help: undefined, samples: [] }
        families.set(name, family)
      }
      if (line.startsWith("# HELP ")) {
        if (family.help !== undefined) throw new Error(`second HELP for ${name}`)
        if (/\\[^\\n]/.test(arg.replace(/\\\\/g, ""))) throw new Error(`bad escape in HELP of ${name}`)
        family.help = arg
      } else {
        if (typed.has(name)) throw new Error(`second TYPE for ${name}`)
        if (family.samples.length > 0) throw new Error(`TYPE after samples for ${name}`)
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(arg)) {
          throw new Error(`bad type in ${line}`)
        }
        family.type = arg
        typed.add(name)
      }
      current = family
      continue
    }
    if (line.startsWith("#")) continue
    if (line.trim() === "") throw new Error("blank line inside the exposition")
    const brace = line.indexOf("{")
    const firstSpace = line.indexOf(" ")
    const nameEnd = brace !== -1 && brace < firstSpace ? brace : firstSpace
    if (nameEnd <= 0) throw new Error(`sample without a value: ${JSON.stringify(line)}`)
    const name = line.slice(0, nameEnd)
    if (!metricName.test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`)
    let labels: Record<string, string> = {}
    let after = nameEnd
    if (line[nameEnd] === "{") [labels, after] = parseLabels(line, nameEnd)
    if (line[after] !== " ") throw new Error(`expected a space before the value in ${JSON.stringify(line)}`)
    const parts = line.slice(after + 1).split(" ")
    if (parts.length > 2) throw new Error(`trailing text in ${JSON.stringify(line)}`)
    const value = parseValue(parts[0]!, line)
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`bad timestamp in ${JSON.stringify(line)}`)
    if (current === undefined || !belongs(current, name)) {
      throw new Error(`sample ${name} outside its family (current: ${current?.name ?? "none"})`)
    }
    const id = `${name}${JSON.stringify(Object.entries(labels).sort())}`
    if (series.has(id)) throw new Error(`duplicate series ${id}`)
    series.add(id)
    if (current.type === "counter" && !name.endsWith("_total")) throw new Error(`counter ${name} without _total`)
    if (current.type === "counter" && (value < 0 || Number.isNaN(value))) throw new Error(`negative counter ${id}`)
    current.samples.push({ name, labels, value })
  }
  for (const family of families.values()) {
    if (!typed.has(family.name)) throw new Error(`family ${family.name} has no TYPE`)
    if (family.type === "histogram") checkHistogram(family)
  }
  return families
}

/** The value of one series, or `undefined` when absent. */
export const valueOf = (
  families: Map<string, ReadFamily>,
  family: string,
  labels: Readonly<Record<string, string>>,
  name: string = family
): number | undefined =>
  families.get(family)?.samples.find((s) =>
    s.name === name &&
    Object.keys(labels).length === Object.keys(s.labels).length &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  )?.value
