#!/usr/bin/env node
/**
 * The `bing-search` executable: runs the command line with Node's services, quiet logs (the app
 * prints its own notes; `--log-level` turns Effect's logs on), a usage exit code for parse
 * errors and a one-line message instead of a stack trace for anything unexpected.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import { Command } from "effect/cli"
import { isCliError } from "effect/cli/CliError"
import * as Effect from "effect/Effect"
import * as References from "effect/References"
import { cli, version } from "./Cli.js"
import { CliExit, ExitCode } from "./ExitCode.js"

const program = Command.run(cli, { version }).pipe(
  Effect.catch((error) =>
    error instanceof CliExit
      ? Effect.fail(error)
      : isCliError(error)
      // effect/cli has already printed the help and the ERROR section
      ? Effect.fail(new CliExit({ code: ExitCode.Usage }))
      : Effect.andThen(
        Effect.sync(() => process.stderr.write(`error: ${String((error as { message?: unknown }).message ?? error)}\n`)),
        Effect.fail(new CliExit({ code: ExitCode.Internal }))
      )
  ),
  Effect.catchCause((cause) => {
    if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
    const failure = Cause.squash(cause)
    if (failure instanceof CliExit) return Effect.fail(failure)
    return Effect.andThen(
      Effect.sync(() => {
        process.stderr.write(`error [internal] ${failure instanceof Error ? failure.message : String(failure)}\n`)
        process.stderr.write(
          process.env["BING_SEARCH_DEBUG"] === "1"
            ? `${Cause.pretty(cause)}\n`
            : "  This is a bug in bing-search; run again with BING_SEARCH_DEBUG=1 for details and report it.\n"
        )
      }),
      Effect.fail(new CliExit({ code: ExitCode.Internal }))
    )
  }),
  Effect.provideService(References.MinimumLogLevel, "None"),
  Effect.provide(NodeServices.layer)
)

NodeRuntime.runMain(program)
