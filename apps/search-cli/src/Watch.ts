/**
 * `bing-search quota --watch`: the quota table redrawn every second until Ctrl-C.
 *
 * On a terminal each frame replaces the last one in place: the cursor goes back up over the lines
 * the previous frame took, each line is rewritten and cleared to its end, and whatever is left
 * below (a frame that shrank) is cleared. Every line is fitted one column short of the width (so
 * none wraps and the count of lines to go back over is exact) and the frame to the rows, and a
 * change of width clears the screen first (the terminal may have rewrapped the old frame). The
 * cursor is hidden while watching and shown again on the way out, however the run ends.
 *
 * Off a terminal (a pipe, a log) each frame is printed after the last, separated by a blank line;
 * with `--json`, one JSON object a line.
 *
 * Ctrl-C (SIGINT) is how a watch ends, so it ends with exit 0, not the 130 of an interrupted run:
 * `expectInterrupt` tells the executable's teardown so.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import * as Output from "./Output.js"
import * as Screen from "./Screen.js"

/** Whether an interruption (Ctrl-C) is the normal end of this run; set once, by a watch. */
let interruptIsTheEnd = false

/** From now on, an interruption ends the run with exit 0 (the process runs one command). */
export const expectInterrupt: Effect.Effect<void> = Effect.sync(() => {
  interruptIsTheEnd = true
})

/** `NodeRuntime.runMain`'s teardown: exit 0 for the interruption that ends a watch, else the default. */
export const teardown: Runtime.Teardown = (exit, onExit) =>
  interruptIsTheEnd && Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
    ? onExit(0)
    : Runtime.defaultTeardown(exit, onExit)

const esc = "\x1b["

/** The escape sequences that draw `lines` over the `previous` frame's lines (`clear`: the whole screen first). */
export const redraw = (lines: ReadonlyArray<string>, previous: number, clear: boolean): string => {
  const back = clear ? `${esc}H${esc}2J` : previous > 0 ? `${esc}${previous}F` : "\r"
  return `${back}${lines.map((l) => `${l}${esc}K\n`).join("")}${esc}J`
}

/**
 * Fits a frame to a terminal: each line cut one column short of the width (the layouts already
 * fit; this is the guarantee), and no more lines than the rows less one.
 */
export const fit = (text: string, columns: number, rows: number | undefined): ReadonlyArray<string> => {
  const lines = text.split("\n").map((l) => {
    const plain = Screen.strip(l)
    return plain.length <= columns - 1 ? l : Screen.truncate(plain, columns - 1)
  })
  if (rows === undefined || lines.length <= rows - 1) return lines
  const kept = Math.max(1, rows - 2)
  return [...lines.slice(0, kept), Screen.truncate(`… ${lines.length - kept} more lines`, columns - 1)]
}

/**
 * Runs `frame` every `everyMs` and shows what it gives (`columns`: the width the frame is for),
 * until interrupted. A failure of `frame` ends the watch with it.
 */
export const run = <E>(options: {
  readonly frame: (columns: number) => Effect.Effect<string, E>
  readonly everyMs?: number | undefined
  readonly tty?: boolean | undefined
  readonly json?: boolean | undefined
}): Effect.Effect<never, E | Output.OutputFailed> => {
  const tty = options.tty ?? Output.isTerminal()
  const everyMs = options.everyMs ?? 1000
  const sleep = Effect.sleep(everyMs)
  if (!tty || options.json === true) {
    let first = true
    const once = Effect.flatMap(options.frame(Screen.width().columns), (text) => {
      const out = options.json === true || first ? text : `\n${text}`
      first = false
      return Output.print(out)
    })
    return Effect.andThen(expectInterrupt, Effect.forever(Effect.andThen(once, sleep)))
  }
  let previous = 0
  let lastColumns = -1
  const once = Effect.suspend(() => {
    const columns = Screen.width().columns
    return Effect.flatMap(options.frame(columns - 1), (text) => {
      const lines = fit(text, columns, Screen.rows())
      const out = redraw(lines, previous, lastColumns !== -1 && columns !== lastColumns)
      previous = lines.length
      lastColumns = columns
      return Output.write(out)
    })
  })
  return Effect.acquireUseRelease(
    Effect.andThen(expectInterrupt, Output.write(`${esc}?25l`)),
    () => Effect.forever(Effect.andThen(once, sleep)),
    // the cursor comes back whatever ended the watch; a closed terminal has nothing left to show
    () => Effect.ignore(Output.write(`${esc}?25h`))
  )
}
