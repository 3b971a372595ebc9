/**
 * How the command line speaks about itself (effect/cli's `CliOutput.Presenter`):
 *
 * - a bad command line (an unknown flag, a missing value) prints its one-line error on stderr,
 *   then where to look (`bing-search web --help`), not the whole help; with `--json` on the line,
 *   the error object on stdout as well, as every other failure does (exit 2 either way);
 * - `demo --help` lists only what applies to the demo: none of the connection flags the other
 *   commands share (the demo brings its own emulator, keys and store), and of the global flags
 *   only `--help`, `--version` and `--log-level`;
 * - everything else (help, `--version`) as effect/cli prints it.
 */
import type * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import type * as HelpDoc from "effect/cli/HelpDoc"
import * as Effect from "effect/Effect"
import { ExitCode } from "./ExitCode.js"
import * as Output from "./Output.js"
import * as Screen from "./Screen.js"

/** The global flags that mean something to the demo. */
const demoGlobals = new Set(["help", "version", "log-level"])

/** The help of the demo: only its own flags. */
const demoHelp = (doc: HelpDoc.HelpDoc): HelpDoc.HelpDoc => ({
  ...doc,
  inheritedFlags: [],
  globalFlags: (doc.globalFlags ?? []).filter((f) => demoGlobals.has(f.name))
})

/** The one line of a parse error: control characters shown, never run. */
const oneLine = (message: string): string =>
  // eslint-disable-next-line no-control-regex
  message.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)

/** The lines printed for a bad command line. */
export const render = (
  errors: ReadonlyArray<CliError.CliError>,
  commandPath: ReadonlyArray<string>,
  palette: Screen.Palette = Screen.palette(false)
): string => {
  const first = errors[0]
  const head = first === undefined ?
    "error [CliError] bad command line" :
    `error [CliError/${first._tag}] ${oneLine(first.message)}`
  const more = errors.slice(1).map((e) => `  also: ${oneLine(e.message)}`)
  return [palette.red(head), ...more, `  see: ${[...commandPath, "--help"].join(" ")}`].join("\n")
}

/** The JSON object `--json` prints for a bad command line. */
export const toJson = (errors: ReadonlyArray<CliError.CliError>, commandPath: ReadonlyArray<string>): string =>
  JSON.stringify(
    {
      error: {
        tag: `CliError/${errors[0]?._tag ?? "Unknown"}`,
        message: oneLine(errors[0]?.message ?? "bad command line"),
        exitCode: ExitCode.Usage,
        details: errors.slice(1).map((e) => oneLine(e.message)),
        hint: `See ${[...commandPath, "--help"].join(" ")}.`
      }
    },
    null,
    2
  )

/** The presenter of `bing-search`; `argv`: the arguments, to see `--json`. */
export const presenter = (argv: ReadonlyArray<string>): CliOutput.Presenter => ({
  present: (event) => {
    switch (event._tag) {
      case "Help":
        return CliOutput.defaultPresenter.present(
          event.commandPath.at(-1) === "demo" ? { ...event, helpDoc: demoHelp(event.helpDoc) } : event
        )
      case "InvalidInvocation": {
        const json = argv.includes("--json")
        return Effect.andThen(
          Output.printErr(render(event.errors, event.commandPath, Screen.stderr())),
          json ? Effect.ignore(Output.print(toJson(event.errors, event.commandPath))) : Effect.void
        )
      }
      case "Version":
        return CliOutput.defaultPresenter.present(event)
    }
  }
})
