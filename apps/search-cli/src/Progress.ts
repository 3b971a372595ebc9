/**
 * A progress bar for the demo's burst. On a terminal it redraws one line in place and lets other
 * lines (the tracker's warnings) print above it; elsewhere (a pipe, a CI log) it prints a plain
 * line at every fifth of the way, so the output stays readable as text.
 */
import { bar } from "./Render.js"

/** A progress display. */
export interface Progress {
  /** Records one more done item; `label` describes the current state (e.g. the tier in use). */
  readonly tick: (label: string) => void
  /** Prints a line without breaking the bar. */
  readonly line: (text: string) => void
  /** Ends the bar. */
  readonly done: () => void
}

/** A progress display of `total` items writing to `out`. */
export const make = (total: number, out: NodeJS.WriteStream = process.stdout): Progress => {
  const tty = out.isTTY === true
  let count = 0
  let last = ""
  let nextStep = 1
  const steps = 5
  const text = () => `  ${bar(count / total, 30, !tty)} ${String(count).padStart(String(total).length)}/${total}  ${last}`
  const draw = () => {
    if (tty) out.write(`\r\x1b[2K${text()}`)
  }
  return {
    tick: (label) => {
      count++
      last = label
      if (tty) draw()
      else if (count >= Math.ceil((nextStep * total) / steps) || count === total) {
        out.write(`${text()}\n`)
        while (count >= Math.ceil((nextStep * total) / steps) && nextStep <= steps) nextStep++
      }
    },
    line: (s) => {
      if (tty) {
        out.write(`\r\x1b[2K${s}\n`)
        if (count > 0) draw()
      } else out.write(`${s}\n`)
    },
    done: () => {
      if (tty) out.write(`\r\x1b[2K${text()}\n`)
    }
  }
}
