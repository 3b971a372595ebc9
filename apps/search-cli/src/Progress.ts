/**
 * A progress bar for the demo's burst. On a terminal it redraws one line in place and lets other
 * lines (the tracker's warnings) print above it; elsewhere (a pipe, a CI log) it prints a plain
 * line at every fifth of the way, so the output stays readable as text. Lines go through Effect's
 * `Console` (`Output.log`); the in-place redraws, which are not lines, through `Output.write`.
 * Either way a closed or full stdout ends the burst with `OutputFailed` instead of a crash.
 */
import * as Effect from "effect/Effect"
import * as Output from "./Output.js"
import { bar } from "./Render.js"

/** A progress display. */
export interface Progress {
  /** Records one more done item; `label` describes the current state (e.g. the tier in use). */
  readonly tick: (label: string) => Effect.Effect<void, Output.OutputFailed>
  /** Prints a line without breaking the bar. */
  readonly line: (text: string) => Effect.Effect<void, Output.OutputFailed>
  /** Ends the bar. */
  readonly done: Effect.Effect<void, Output.OutputFailed>
}

/** A progress display of `total` items on stdout (`tty`: redraw in place; default: stdout is a terminal). */
export const make = (total: number, options: { readonly tty?: boolean | undefined } = {}): Progress => {
  const tty = options.tty ?? Output.isTerminal()
  let count = 0
  let last = ""
  let nextStep = 1
  const steps = 5
  const text = () =>
    `  ${bar(count / total, 30, !tty)} ${String(count).padStart(String(total).length)}/${total}  ${last}`
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
