/**
 * What the app knows of the terminal it prints to: how wide a line may be, and whether to colour.
 *
 * Width: a terminal's own width (`stream.columns`, read at each call, so a resize is seen); off a
 * terminal, `COLUMNS` when it is set to a positive number, else 80. `known` tells the two apart:
 * text wraps at the width either way, but the quota table is reflowed only for a width that is
 * known, so a script that parses the piped table sees the same columns on every machine.
 *
 * Colour (https://no-color.org): `FORCE_COLOR` set to anything but `0` / `false` forces it (as Node
 * and `supports-color` do, e.g. `FORCE_COLOR=1 bing-search demo | less -R`), `FORCE_COLOR=0`
 * turns it off; otherwise `NO_COLOR` set to a non-empty value turns it off; otherwise colour is on
 * when the stream is a terminal and `TERM` is not `dumb`.
 */

/** A stream's width. */
export interface Width {
  /** Columns a line may take. */
  readonly columns: number
  /** Whether the width is the terminal's (or `COLUMNS`), rather than the default for a pipe. */
  readonly known: boolean
}

/** The width used when nothing says otherwise (a pipe, a file). */
export const defaultColumns = 80

/** The narrowest width the layouts are made for: below it they behave as at this width. */
export const minColumns = 20

type Env = Record<string, string | undefined>

/** The width of `stream` (default stdout). */
export const width = (
  stream: { readonly isTTY?: boolean | undefined; readonly columns?: number | undefined } = process.stdout,
  env: Env = process.env
): Width => {
  if (stream.isTTY === true && typeof stream.columns === "number" && stream.columns > 0) {
    return { columns: Math.max(minColumns, stream.columns), known: true }
  }
  const fromEnv = Number(env["COLUMNS"])
  if (Number.isInteger(fromEnv) && fromEnv > 0) return { columns: Math.max(minColumns, fromEnv), known: true }
  return { columns: defaultColumns, known: false }
}

/** The rows of a terminal, or `undefined` off one. */
export const rows = (
  stream: { readonly isTTY?: boolean | undefined; readonly rows?: number | undefined } = process.stdout
): number | undefined =>
  stream.isTTY === true && typeof stream.rows === "number" && stream.rows > 0 ? stream.rows : undefined

/** Whether to colour what goes to `stream` (default stdout); see the module comment for the rules. */
export const colors = (
  stream: { readonly isTTY?: boolean | undefined } = process.stdout,
  env: Env = process.env
): boolean => {
  const force = env["FORCE_COLOR"]
  if (force !== undefined) return !(force === "0" || force.toLowerCase() === "false")
  const none = env["NO_COLOR"]
  if (none !== undefined && none !== "") return false
  return stream.isTTY === true && env["TERM"] !== "dumb"
}

/** Colours for one stream: each function wraps text in an SGR colour, or returns it as is. */
export interface Palette {
  readonly enabled: boolean
  readonly red: (s: string) => string
  readonly yellow: (s: string) => string
  readonly green: (s: string) => string
  readonly cyan: (s: string) => string
  readonly dim: (s: string) => string
  readonly bold: (s: string) => string
}

const sgr = (open: number, close: number) => (s: string) => s === "" ? s : `\x1b[${open}m${s}\x1b[${close}m`
const plain = (s: string) => s

/** A palette that colours when `enabled`. */
export const palette = (enabled: boolean): Palette =>
  enabled
    ? {
      enabled,
      red: sgr(31, 39),
      yellow: sgr(33, 39),
      green: sgr(32, 39),
      cyan: sgr(36, 39),
      dim: sgr(2, 22),
      bold: sgr(1, 22)
    }
    : { enabled, red: plain, yellow: plain, green: plain, cyan: plain, dim: plain, bold: plain }

/** The palette of stdout. */
export const stdout = (): Palette => palette(colors(process.stdout))

/** The palette of stderr. */
export const stderr = (): Palette => palette(colors(process.stderr))

const sgrPattern = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")

/** Removes SGR colour sequences (to measure or compare coloured text). */
export const strip = (s: string): string => s.replace(sgrPattern, "")

/** The colour of a usage bar for a fraction used: green, yellow from 80%, red from 95%. */
export const usageColor = (p: Palette, fraction: number): (s: string) => string =>
  fraction >= 0.95 ? p.red : fraction >= 0.8 ? p.yellow : p.green

/**
 * Cuts `text` to at most `columns` characters, ending with `…` when it was cut (a last resort for
 * a line that must not wrap, such as a redrawn one).
 */
export const truncate = (text: string, columns: number): string =>
  text.length <= columns ? text : columns <= 1 ? text.slice(0, columns) : `${text.slice(0, columns - 1)}…`

/**
 * A word longer than `width` in pieces that break after a `/` (`InvalidRequest/`,
 * `ParameterInvalidValue`), each at most `width` where the slashes allow; a piece with no slash
 * to break at stays whole.
 */
const pieces = (word: string, max: number): ReadonlyArray<string> => {
  if (word.length <= max || !word.includes("/")) return [word]
  const parts = word.split(/(?<=\/)/)
  const out: Array<string> = []
  let piece = ""
  for (const part of parts) {
    if (piece !== "" && piece.length + part.length > max) {
      out.push(piece)
      piece = part
    } else piece += part
  }
  if (piece !== "") out.push(piece)
  return out
}

/**
 * Word-wraps `text` to `max` columns, each line prefixed with `indent`. A word longer than the
 * width breaks after a `/` when it has one, else keeps a line of its own.
 */
export const wrap = (text: string, max: number, indent: string): string => {
  // each piece of a word after its first is glued to it, without a space, when both fit on a line
  const words = text.replace(/\s+/g, " ").trim().split(" ").flatMap((w) =>
    pieces(w, max).map((piece, i) => ({ piece, glued: i > 0 }))
  )
  const lines: Array<string> = []
  let line = ""
  for (const { glued, piece } of words) {
    const joint = glued ? "" : " "
    if (line !== "" && line.length + joint.length + piece.length > max) {
      lines.push(line)
      line = piece
    } else line = line === "" ? piece : `${line}${joint}${piece}`
  }
  if (line !== "") lines.push(line)
  return lines.map((l) => indent + l).join("\n")
}

/**
 * Fits each line of `text` to `columns`: a line that is longer wraps on its words, its
 * continuation lines indented two more than its own indentation; shorter lines are kept as they
 * are (their alignment included).
 */
export const wrapLines = (text: string, columns: number): string =>
  text.split("\n").map((line) => {
    if (strip(line).length <= columns) return line
    const indent = /^\s*/.exec(line)![0]
    const hang = `${indent}  `
    const wrapped = wrap(line, Math.max(10, columns - hang.length), hang)
    return indent + wrapped.slice(hang.length)
  }).join("\n")
