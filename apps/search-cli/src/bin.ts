#!/usr/bin/env node
/**
 * The `bing-search` executable: runs the command line with Node's services, quiet logs (the app
 * prints its own notes; `--log-level` turns Effect's logs on), a usage exit code for parse
 * errors, a one-line message instead of a stack trace for anything unexpected, and no crash when
 * stdout or stderr closes or fills (see `Output`).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import { Command } from "effect/cli"
import { isCliError } from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Effect from "effect/Effect"
import * as References from "effect/References"
import { cli, version } from "./Cli.js"
import { CliExit, ExitCode } from "./ExitCode.js"
import * as Output from "./Output.js"
import * as Usage from "./Usage.js"
import * as Watch from "./Watch.js"

// before anything is printed: a write error must never become an uncaught 'error' event
Output.guard(process.stdout)
Output.guard(process.stderr)

const program = Command.run(cli, { version }).pipe(
  // what effect/cli printed (help, version) went through the console, which hides write errors
  Effect.andThen(Output.settled),
  Effect.catch((error) =>
    error instanceof CliExit
      ? Effect.fail(error)
      : Output.isOutputFailed(error)
      ? Output.exit(error)
      : isCliError(error)
      // the presenter (Usage) has already said what is wrong
      ? Effect.fail(new CliExit({ code: ExitCode.Usage }))
      : Effect.andThen(
        Output.printErr(`error: ${String((error as { message?: unknown }).message ?? error)}`),
        Effect.fail(new CliExit({ code: ExitCode.Internal }))
      )
  ),
  Effect.catchCause((cause) => {
    if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
    const failure = Cause.squash(cause)
    if (failure instanceof CliExit) return Effect.fail(failure)
    return Effect.andThen(
      Output.printErr(
        `error [internal] ${failure instanceof Error ? failure.message : String(failure)}\n` +
          (process.env["BING_SEARCH_DEBUG"] === "1"
            ? Cause.pretty(cause)
            : "  This is a bug in bing-search; run again with BING_SEARCH_DEBUG=1 for details and report it.")
      ),
      Effect.fail(new CliExit({ code: ExitCode.Internal }))
    )
  }),
  Effect.provideService(References.MinimumLogLevel, "None"),
  // a bad command line: one line and a pointer to --help; demo --help: the demo's flags only
  Effect.provideService(CliOutput.Presenter, Usage.presenter(process.argv.slice(2))),
  Effect.provide(NodeServices.layer)
)

// Ctrl-C ends `quota --watch` with exit 0 (see Watch); any other interruption keeps its 130
NodeRuntime.runMain(program, { teardown: Watch.teardown })
