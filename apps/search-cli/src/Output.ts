/**
 * The app's one way to write: results and the demo on stdout, notes and messages on stderr.
 *
 * A pipe whose reader went away (`bing-search demo | head -3`) or a full disk (`> /dev/full`)
 * must not end the run with an unhandled `'error'` event and a stack trace. So stdout writes wait
 * for the stream's callback and fail with `OutputFailed`; the executable turns that into a quiet
 * exit 0 when the reader went away (EPIPE: what Node CLIs do, and `set -o pipefail` scripts keep
 * working), or one line on stderr and exit 24 for anything else (ENOSPC, EIO). Writes to stderr
 * never fail: once stderr is gone there is nowhere left to say anything, so the run goes on and
 * keeps its own exit code.
 */
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { getSystemErrorMap } from "node:util"
import { CliExit, ExitCode } from "./ExitCode.js"

/** stdout could not be written. */
export class OutputFailed extends Data.TaggedError("OutputFailed")<{
  /** The system's error code: `EPIPE`, `ENOSPC`, `EIO`... */
  readonly code: string
  /** What the system calls it: "no space left on device". */
  readonly reason: string
}> {
  /** The reader closed its end (`| head` has what it wanted): the run stops, but nothing failed. */
  get readerGone(): boolean {
    return this.code === "EPIPE" || this.code === "ERR_STREAM_DESTROYED"
  }
  override get message(): string {
    return `cannot write to stdout: ${this.reason} (${this.code})`
  }
}

/** Whether a value is an `OutputFailed`. */
export const isOutputFailed = (u: unknown): u is OutputFailed => u instanceof OutputFailed

const outputFailed = (error: unknown): OutputFailed => {
  const e = error as { readonly code?: unknown; readonly errno?: unknown; readonly message?: unknown }
  const code = typeof e.code === "string" ? e.code : "EIO"
  const system = typeof e.errno === "number" ? getSystemErrorMap().get(e.errno)?.[1] : undefined
  const reason = system !== undefined
    ? system
    : code === "ERR_STREAM_DESTROYED"
    ? "the stream is closed"
    : typeof e.message === "string"
    ? e.message
    : "write error"
  return new OutputFailed({ code, reason })
}

/**
 * The first write error of each guarded stream. Node keeps no trace of it on a file (stdout
 * redirected to /dev/full is a SyncWriteStream: not destroyed, `errored` stays null), and the
 * console hides it, so the guard's listener records it.
 */
const failures = new WeakMap<NodeJS.WriteStream, { error: unknown }>()

/**
 * Keeps a stream's write errors from becoming uncaught exceptions (an 'error' event nobody
 * listens to) and records the first one; once per stream, for the life of the process.
 */
export const guard = (stream: NodeJS.WriteStream): void => {
  if (failures.has(stream)) return
  const seen: { error: unknown } = { error: undefined }
  failures.set(stream, seen)
  stream.on("error", (error) => {
    seen.error ??= error
  })
}

/** The error that already broke a stream, if any. */
const brokenBy = (stream: NodeJS.WriteStream): unknown =>
  failures.get(stream)?.error ?? stream.errored ?? (stream.destroyed ? { code: "ERR_STREAM_DESTROYED" } : undefined)

/** Writes `text` to stdout as is, once the stream has taken it. */
export const write = (text: string): Effect.Effect<void, OutputFailed> =>
  Effect.callback<void, OutputFailed>((resume) => {
    const stream = process.stdout
    guard(stream)
    const broken = brokenBy(stream)
    if (broken !== undefined) return resume(Effect.fail(outputFailed(broken)))
    stream.write(
      text,
      (error) => resume(error == null ? Effect.void : Effect.fail(outputFailed(brokenBy(stream) ?? error)))
    )
  })

/** Writes one line to stdout. */
export const print = (text = ""): Effect.Effect<void, OutputFailed> => write(`${text}\n`)

/**
 * Writes one line to stdout through Effect's `Console` (a test can capture it with `TestConsole`),
 * and fails with `OutputFailed` as `print` does when stdout is broken. The console hides write
 * errors, but `guard` records them, and Node reports a failed write on the next tick: so the check
 * runs one tick after the write, as `write`'s callback would.
 */
export const log = (text = ""): Effect.Effect<void, OutputFailed> =>
  Effect.andThen(
    Console.log(text),
    Effect.callback<void, OutputFailed>((resume) => {
      process.nextTick(() => {
        const broken = brokenBy(process.stdout)
        resume(broken === undefined ? Effect.void : Effect.fail(outputFailed(broken)))
      })
    })
  )

/** Writes one line to stderr; never fails (a closed stderr leaves nowhere to report to). */
export const printErr = (text: string): Effect.Effect<void> =>
  Effect.sync(() => {
    const stream = process.stderr
    guard(stream)
    if (brokenBy(stream) === undefined) stream.write(`${text}\n`)
  })

/** Whether stdout is a terminal (bars and redraws) rather than a pipe or a file (plain text). */
export const isTerminal = (): boolean => process.stdout.isTTY === true

/**
 * Waits until stdout has taken everything written to it, by this module or by others (effect/cli
 * prints the help through the console, which hides write errors), and fails if any write failed.
 */
export const settled: Effect.Effect<void, OutputFailed> = Effect.suspend(() =>
  // an empty write's callback comes after those of every earlier write
  process.stdout.writableLength > 0 ? write("") : Effect.void
).pipe(
  Effect.andThen(Effect.callback<void, OutputFailed>((resume) => {
    // a failed write reports through process.nextTick, so one turn of the event loop is enough
    const timer = setImmediate(() => {
      const broken = brokenBy(process.stdout)
      resume(broken === undefined ? Effect.void : Effect.fail(outputFailed(broken)))
    })
    return Effect.sync(() => clearImmediate(timer))
  }))
)

/**
 * Ends the run after stdout failed: quietly with exit 0 when the reader went away, else with one
 * line on stderr and exit 24.
 */
export const exit = (error: OutputFailed): Effect.Effect<never, CliExit> =>
  error.readerGone
    ? Effect.fail(new CliExit({ code: ExitCode.Ok }))
    : Effect.andThen(
      printErr(`error [OutputFailed] ${error.message}`),
      Effect.fail(new CliExit({ code: ExitCode.OutputFailed }))
    )
