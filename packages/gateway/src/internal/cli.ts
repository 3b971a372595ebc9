/**
 * The `bing-gateway` command: `--config <file> [--port N] [--host H]`. Exit codes: 0 after a
 * clean stop (SIGINT/SIGTERM: new connections are refused, in-flight requests finish, then the
 * process ends), 2 for bad usage, 3 for a bad configuration (the message names the field, never a
 * value), 1 when the gateway cannot start (the store, the address).
 */
import { NodeFileSystem } from "@effect/platform-node"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { HttpServer } from "effect/http"
import { parseArgs } from "node:util"
import * as Gateway from "../Gateway.js"
import * as GatewayConfig from "../GatewayConfig.js"
import * as LineBatch from "./lineBatch.js"

export const usage = `Usage: bing-gateway --config <file> [options]
       bing-gateway demo   (the gateway against a local emulator: no key, no network)

A Bing Search API v7-compatible gateway with quota tracking and tier switching.

Options:
  --config <file>   the gateway.json configuration (required)
  --port <n>        port to listen on (default ${Gateway.defaults.port}; 0 = any free port)
  --host <addr>     interface to listen on (default ${Gateway.defaults.host})
  -h, --help        show this help
`

export const ExitCode = { ok: 0, failed: 1, usage: 2, config: 3 } as const

export interface Io {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM). */
  readonly stopSignal: Promise<string>
}

const parse = (
  argv: ReadonlyArray<string>
): { config: string; port: number | undefined; host: string | undefined } | string => {
  let values: {
    config?: string | undefined
    port?: string | undefined
    host?: string | undefined
    help?: boolean | undefined
  }
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    }).values
  } catch (e) {
    return e instanceof Error ? e.message : "invalid arguments"
  }
  if (values.help === true) return ""
  if (values.config === undefined || values.config === "") return "--config <file> is required"
  let port: number | undefined
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) return "--port must be a number from 0 to 65535"
    port = Number(values.port)
  }
  if (values.host === "") return "--host must not be empty"
  return { config: values.config, port, host: values.host }
}

/** Runs the command to its end and returns the exit code. */
export const run = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const args = parse(argv)
  if (typeof args === "string") {
    if (args === "") {
      io.out(usage)
      return ExitCode.ok
    }
    io.err(`bing-gateway: ${args}\n\n${usage}`)
    return ExitCode.usage
  }
  const loaded = await Effect.runPromiseExit(
    GatewayConfig.load(args.config, { env: io.env }).pipe(Effect.provide(NodeFileSystem.layer))
  )
  if (Exit.isFailure(loaded)) {
    const error = Cause.squash(loaded.cause)
    io.err(`bing-gateway: invalid configuration: ${error instanceof Error ? error.message : "unreadable"}`)
    return ExitCode.config
  }
  const config: GatewayConfig.GatewayConfig = loaded.value
  const server = Gateway.layerNode(config, {
    host: args.host,
    port: args.port,
    log: (line) => Effect.sync(() => io.out(line))
  })
  const program = Effect.gen(function*() {
    const address = yield* HttpServer.HttpServer.useSync((s) => HttpServer.formatAddress(s.address))
    io.out(`bing-gateway listening on ${address} (tiers: ${config.tiers.map((t) => t.name).join(", ")})`)
    return yield* Effect.never
  }).pipe(Effect.provide(server))
  const fiber = Effect.runFork(program)
  let stopping = false
  void io.stopSignal.then((signal) => {
    stopping = true
    io.out(`bing-gateway: ${signal}, finishing in-flight requests`)
    // closes the server: no new connections, in-flight requests finish (bounded by the drain timeout)
    fiber.interruptUnsafe()
  })
  const exit = await Effect.runPromise(Fiber.await(fiber))
  if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) {
    const error = Cause.squash(exit.cause)
    io.err(`bing-gateway: cannot start: ${error instanceof Error ? error.message : "unknown failure"}`)
    return ExitCode.failed
  }
  if (stopping) io.out("bing-gateway: stopped")
  return ExitCode.ok
}

/** The process entry point. */
export const main = (): void => {
  const stopSignal = new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"))
    process.once("SIGTERM", () => resolve("SIGTERM"))
  })
  // A closed stdout (`bing-gateway ... | head`) must not take the server down: its access log is
  // dropped from then on, and requests keep being answered.
  let stdoutOpen = true
  process.stdout.on("error", () => {
    stdoutOpen = false
  })
  // One write per batch of lines, not per line (see lineBatch.ts).
  const lines = LineBatch.make({
    write: (text) => {
      if (stdoutOpen) process.stdout.write(text)
    }
  })
  void run(process.argv.slice(2), {
    out: (line) => {
      if (stdoutOpen) lines.push(line)
    },
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    stopSignal
  }).then((code) => {
    // The server is closed and the requests in flight have been answered; idle keep-alive
    // connections to the upstream would hold the process for seconds more.
    lines.flush()
    process.exit(code)
  })
}
