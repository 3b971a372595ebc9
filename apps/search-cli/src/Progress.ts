/**
 * A progress bar for the demo's burst. On a terminal it redraws one line in place and lets other
 * lines (the tracker's warnings) print above it; elsewhere (a pipe, a CI log) it prints a plain
 * line at every fifth of the way, so the output stays readable as text. Lines go through Effect's
 * `Console` (`Output.log`); the in-place redraws, which are not lines, through `Output.write`.
 * Either way a closed or full stdout ends the burst with `OutputFailed` instead of a crash.
 *
 * On a terminal the bar line is fitted to the width at each redraw (a narrower bar, then a
 * shorter label), one column short of it: a line that reached the last column, or wrapped, would
 * leave a stale copy of itself behind the `\r` that redraws it.
 */
import * as Effect from "effect/Effect"
import * as Output from "./Output.js"
import { bar } from "./Render.js"
import * as Screen from "./Screen.js"

/** A progress display. */
export interface Progress {
  /** Records one more done item; `label` describes the current state (e.g. the tier in use). */
  readonly tick: (label: string) => Effect.Effect<void, Output.OutputFailed>
  /** Prints a line without breaking the bar. */
  readonly line: (text: string) => Effect.Effect<void, Output.OutputFailed>
  /** Ends the bar. */
  readonly done: Effect.Effect<void, Output.OutputFailed>
}

/** The widest bar, and the narrowest a terminal line shrinks it to before it shortens the label. */
const widest = 30
const narrowest = 5

/**
 * The bar line for `count` of `total` in at most `columns` columns (`ascii`: `[###...]`).
 * Colour, when `palette` has it, does not count in the width.
 */
export const line = (
  count: number,
  total: number,
  label: string,
  options: {
    readonly columns?: number | undefined
    readonly ascii?: boolean | undefined
    readonly palette?: Screen.Palette | undefined
  } = {}
): string => {
  const ascii = options.ascii ?? true
  const p = options.palette ?? Screen.palette(false)
  const counter = `${String(count).padStart(String(total).length)}/${total}`
  const fraction = total > 0 ? count / total : 1
  const draw = (width: number, text: string) => {
    const b = bar(fraction, width, ascii)
    return `  ${count >= total ? p.green(b) : p.cyan(b)} ${counter}${text === "" ? "" : `  ${text}`}`
  }
  if (options.columns === undefined) return draw(widest, label)
  const fixed = 2 + (ascii ? 2 : 0) + 1 + counter.length
  const room = options.columns - fixed
  const withLabel = label === "" ? 0 : 2 + label.length
  if (room - withLabel >= narrowest) return draw(Math.min(widest, room - withLabel), label)
  if (room - 2 - narrowest >= 2) return draw(narrowest, Screen.truncate(label, room - 2 - narrowest))
  if (room >= narrowest) return draw(Math.min(widest, room), "")
  return Screen.truncate(`  ${counter}`, Math.max(1, options.columns))
}

/**
 * A progress display of `total` items on stdout (`tty`: redraw in place; default: stdout is a
 * terminal). `columns` gives the width at each redraw (default: stdout's).
 */
export const make = (
  total: number,
  options: {
    readonly tty?: boolean | undefined
    readonly columns?: (() => number) | undefined
    readonly palette?: Screen.Palette | undefined
  } = {}
): Progress => {
  const tty = options.tty ?? Output.isTerminal()
  const columns = options.columns ?? (() => Screen.width().columns)
  const palette = options.palette ?? (tty ? Screen.stdout() : Screen.palette(false))
  let count = 0
  let last = ""
  let nextStep = 1
  const steps = 5
  // one column short of the width: see the module comment
  const text = () =>
    tty
      ? line(count, total, last, { columns: columns() - 1, ascii: false, palette })
      : line(count, total, last, { palette })
  return {
    tick: (label) =>
      Effect.suspend(() => {
        count++
        last = label
        if (tty) return Output.write(`\r\x1b[2K${text()}`)
        if (count >= Math.ceil((nextStep * total) / steps) || count === total) {
          while (count >= Math.ceil((nextStep * total) / steps) && nextStep <= steps) nextStep++
          return Output.log(text())
        }
        return Effect.void
      }),
    line: (s) =>
      Effect.suspend(() =>
        tty ? Output.write(`\r\x1b[2K${s}\n${count > 0 ? `\r\x1b[2K${text()}` : ""}`) : Output.log(s)
      ),
    done: Effect.suspend(() => tty ? Output.print(`\r\x1b[2K${text()}`) : Effect.void)
  }
}
