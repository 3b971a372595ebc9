/**
 * The `bing-emulator` command: parses flags, starts the emulator, prints its URL and keys (masked),
 * and stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util"
import * as Emulator from "../Emulator.js"

const usage = `Usage: bing-emulator [options]

A local, wire-compatible Bing Search API v7 server.

Options:
  --port <n>            port to listen on (default 8787; 0 = any free port)
  --host <addr>         interface to listen on (default 127.0.0.1)
  --config <file>       JSON config file (keys, limits, clock and window options)
  --seed <n>            seed of the fault-probability generator
  --tls-cert <file>     PEM certificate: serve HTTPS (plain HTTP on the same port)
  --tls-key <file>      PEM private key for --tls-cert
  --require-https       answer plain-HTTP API requests with 410 HttpNotAllowed
  --retired             play the retired service: every API request answers 410 Gone
  --admin-token <t>     bearer token of the /_emulator/ admin API (random if absent)
  --show-keys           print the secret keys instead of masking them
  -h, --help            show this help
`

/** `…a1b2`: the last four characters only. */
export const mask = (key: string): string => `…${key.slice(-4)}`

const limitsText = (l: Emulator.Limits): string => {
  const parts = [
    l.perSecond === undefined ? undefined : `${l.perSecond}/s`,
    l.perDay === undefined ? undefined : `${l.perDay}/day`,
    l.perMonth === undefined ? undefined : `${l.perMonth}/month`
  ].filter((p): p is string => p !== undefined)
  return parts.length === 0 ? "unlimited" : parts.join(", ")
}

const int = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined
  if (!/^-?\d+$/.test(v)) throw new Error(`--${name} must be an integer, got ${JSON.stringify(v)}`)
  return Number(v)
}

export interface CliIo {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

/** Parses argv (without node and script), starts the emulator and returns its handle plus the printed lines. */
export const run = async (
  argv: ReadonlyArray<string>,
  io: CliIo,
  onStarted?: (handle: Emulator.EmulatorHandle) => void
): Promise<Emulator.EmulatorHandle | undefined> => {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      config: { type: "string" },
      seed: { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "require-https": { type: "boolean" },
      retired: { type: "boolean" },
      "admin-token": { type: "string" },
      "show-keys": { type: "boolean" },
      help: { type: "boolean", short: "h" }
    }
  })
  if (values.help === true) {
    io.out(usage)
    return undefined
  }
  const fromFile: Emulator.Options = values.config === undefined ? {} : await Emulator.loadConfig(values.config)
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
    throw new Error("--tls-cert and --tls-key go together")
  }
  const port = int("port", values.port)
  const seed = int("seed", values.seed)
  const options: Emulator.Options = {
    ...fromFile,
    port: port ?? fromFile.port ?? 8787,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(seed === undefined ? {} : { seed }),
    ...(values["tls-cert"] === undefined || values["tls-key"] === undefined
      ? {}
      : { tls: { cert: values["tls-cert"], key: values["tls-key"] } }),
    ...(values["require-https"] === true ? { requireHttps: true } : {}),
    ...(values.retired === true ? { retired: true } : {}),
    ...(values["admin-token"] === undefined ? {} : { adminToken: values["admin-token"] })
  }
  const handle = await Emulator.start(options)
  onStarted?.(handle)
  const secrets = new Map((options.keys ?? [Emulator.defaultKey]).map((k) => [k.name, k.key]))
  const lines = [
    `Bing v7 emulator listening on ${handle.url}`,
    `  endpoints: ${handle.url}/v7.0/search  /v7.0/images/search  /v7.0/images/trending  /v7.0/news/search  /v7.0/news  /v7.0/news/trendingtopics  /v7.0/spellcheck  /v7.0/videos/search  /v7.0/videos/trending  /v7.0/videos/details  /v7.0/suggestions  (also under /bing/v7.0/)`,
    ...(options.retired === true ? ["  retired:   every API request answers 410 Gone (the retired service)"] : []),
    `  admin:     ${handle.url}/_emulator/  (Authorization: Bearer ${
      values["admin-token"] === undefined ? handle.adminToken : mask(handle.adminToken)
    })`,
    "  keys:"
  ]
  for (const k of handle.keys) {
    const secret = secrets.get(k.name) ?? ""
    const flags = [
      k.disabled ? "disabled" : undefined,
      k.expired ? "expired" : undefined,
      k.retired ? "retired" : undefined,
      k.auth === "bearer" ? "bearer" : undefined
    ].filter((f) => f !== undefined)
    lines.push(
      `    ${k.name}  ${values["show-keys"] === true ? secret : mask(secret)}  ${limitsText(k.limits)}${
        flags.length > 0 ? `  [${flags.join(", ")}]` : ""
      }`
    )
  }
  // one write, so that a reader sees the whole banner at once
  io.out(lines.join("\n"))
  return handle
}

/** Entry point of the bin: exit codes 0 (stopped by a signal), 1 (bad usage or start failure). */
export const main = async (): Promise<void> => {
  const io: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }
  let handle: Emulator.EmulatorHandle | undefined
  let stopping = false
  // installed before the banner is printed, so a signal right after it still stops cleanly
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    io.out(`\n${signal}: stopping`)
    if (handle === undefined) process.exit(0)
    handle.stop().then(() => process.exit(0), () => process.exit(1))
  }
  process.once("SIGINT", () => stop("SIGINT"))
  process.once("SIGTERM", () => stop("SIGTERM"))
  try {
    const started = await run(process.argv.slice(2), io, (h) => {
      handle = h
    })
    if (started === undefined) process.exit(0)
  } catch (e) {
    io.err(`bing-emulator: ${e instanceof Error ? e.message : String(e)}`)
    io.err("Run bing-emulator --help for usage.")
    process.exit(1)
  }
}
