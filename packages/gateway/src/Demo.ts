/**
 * `bing-gateway demo`: the gateway at work with nothing to set up (no key, no network). It starts,
 * in this process on free ports of 127.0.0.1, the emulator (a local Bing with keys of its own for
 * S15 and S16 and scaled-down day limits) and the gateway in front of it, on a clock that follows
 * the emulator's. Then a plain `fetch`, as an unmodified Bing client would, goes through:
 *
 * 1. S15 serves its day; 2. S15's day is out, the same searches are served by S16; 3. S16 is out
 * too: Bing's 403 with `Retry-After` until midnight; 4. both clocks move past midnight and S15
 * serves again (`internal/demo/story.ts`); then the gateway's own refusals: 5. a bad parameter
 * (400), 6. an unknown key (401), 7. a tenant over its per-second limit (429)
 * (`internal/demo/failures.ts`).
 *
 * Each step prints what the caller saw (status, body, `Retry-After`) and what the gateway did (the
 * tier of its access-log line, `/_gateway/status`, `/metrics`), and fails the run, named, when it
 * does not see what it should. With `--dashboard`, the gateway and its dashboard then stay up
 * until Ctrl-C (`internal/demo/dashboard.ts`). Not exported: the emulator is a dependency of the
 * demo only.
 *
 * @since 0.1.0
 */
import { Emulator } from "@bing-effect/emulator"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { HttpServer } from "effect/http"
import * as Gateway from "./Gateway.js"
import * as GatewayConfig from "./GatewayConfig.js"
import { metrics } from "./internal/demo/caller.js"
import * as DemoClock from "./internal/demo/clock.js"
import type { AccessLine, DemoContext, Keys } from "./internal/demo/context.js"
import { DemoStepFailed, expect, makeKeys, printer, utc } from "./internal/demo/context.js"
import * as Dashboard from "./internal/demo/dashboard.js"
import * as Failures from "./internal/demo/failures.js"
import * as Story from "./internal/demo/story.js"

/** The scaled-down day of both tiers (published: S15 1,000,000 a day). */
const perDay = 4

/** The gateway's configuration, as a `gateway.json` would hold it: keys by environment variable only. */
const configDocument = (upstream: string) => ({
  upstream: { endpoint: upstream, allowInsecureLoopback: true },
  tiers: [
    { name: "S15", keyEnv: "BING_KEY_S15", limits: { perDay } },
    { name: "S16", keyEnv: "BING_KEY_S16", limits: { perDay } }
  ],
  clients: [
    { name: "app", keyEnv: "GATEWAY_KEY_APP" },
    { name: "limited", keyEnv: "GATEWAY_KEY_LIMITED", limits: { perSecond: 1 } }
  ],
  store: "memory",
  adminTokenEnv: "GATEWAY_ADMIN_TOKEN"
})

/** The environment the configuration reads its secrets from (the run's own, never `process.env`). */
const environment = (keys: Keys): GatewayConfig.Env => ({
  BING_KEY_S15: keys.S15,
  BING_KEY_S16: keys.S16,
  GATEWAY_KEY_APP: keys.app,
  GATEWAY_KEY_LIMITED: keys.limited,
  GATEWAY_ADMIN_TOKEN: keys.admin
})

/** Noon (UTC) of today: the day has room on both sides, whenever the demo runs. */
const noonToday = (): number => {
  const d = new Date()
  d.setUTCHours(12, 0, 0, 0)
  return d.getTime()
}

/** A JSON document with one line per field, and per item of an array: short enough to read at once. */
const compactJson = (document: Record<string, unknown>): ReadonlyArray<string> => {
  const fields = Object.entries(document).map(([name, value]) =>
    Array.isArray(value)
      ? [
        `  ${JSON.stringify(name)}: [`,
        ...value.map((item, i) => `    ${JSON.stringify(item)}${i < value.length - 1 ? "," : ""}`),
        "  ]"
      ]
      : [`  ${JSON.stringify(name)}: ${JSON.stringify(value)}`]
  )
  return [
    "{",
    ...fields.flatMap((lines, i) => i < fields.length - 1 ? [...lines.slice(0, -1), `${lines.at(-1)},`] : lines),
    "}"
  ]
}

const startFailed = (what: string) => (e: { readonly message: string }) =>
  new DemoStepFailed({ step: "start", detail: `${what}: ${e.message}` })

/** The last step: what the gateway counted, what the upstream saw, and no key anywhere. */
const summary = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const step = "summary"
    yield* ctx.say()
    yield* ctx.say("Summary")
    for (
      const line of yield* metrics(ctx, step, ["bing_gateway_requests_total", "bing_gateway_quota_switches_total"])
    ) {
      if (!line.includes("route=\"ops\"")) yield* ctx.say(`  metrics  ${line}`)
    }
    const usage = yield* ctx.emulator.usageAll
    yield* ctx.say(
      `  upstream the emulator served ${usage.map((k) => `${k.name} ${k.served}`).join(", ")} (and refused ${
        usage.reduce((n, k) => n + k.throttled, 0)
      }: the gateway never sent it a request over quota)`
    )
    const everything = ctx.transcript.join("\n")
    const leaked = Object.entries(ctx.keys).filter(([, key]) => everything.includes(key)).map(([name]) => name)
    yield* expect(step, leaked.length === 0, () => `a key was printed or answered: ${leaked.join(", ")}`)
    yield* ctx.say("  keys     none of the run's keys appears in any answer, header or line above")
  })

/**
 * Options of {@link runWith}.
 *
 * @since 0.1.0
 * @category running
 */
export interface RunOptions {
  /**
   * After the story, print the dashboard's address and keep the gateway up until interrupted
   * (`onDashboard` is called once the address is printed).
   */
  readonly dashboard?: { readonly onDashboard: () => void } | undefined
}

/**
 * The demo, to its end (the emulator and the gateway stop with it); fails with the first step
 * that did not behave. With `dashboard`, it does not end by itself: interrupt it.
 *
 * @since 0.1.0
 * @category running
 */
export const runWith = (options: RunOptions): Effect.Effect<void, DemoStepFailed> =>
  Effect.gen(function*() {
    const keys = makeKeys()
    const { say, transcript } = printer()
    const emulator = yield* Emulator.make({
      keys: [
        { name: "S15", key: keys.S15, limits: { perDay } },
        { name: "S16", key: keys.S16, limits: { perDay } }
      ],
      startTime: noonToday()
    }).pipe(Effect.mapError(startFailed("the emulator did not start")))
    const document = configDocument(emulator.url)
    const config = yield* GatewayConfig.decode(JSON.stringify(document), {
      source: "the demo's gateway.json",
      env: environment(keys)
    }).pipe(Effect.mapError(startFailed("the configuration")))
    const accessLog: Array<AccessLine> = []
    const gateway = Gateway.layerNode(config, {
      host: "127.0.0.1",
      port: 0,
      drainTimeout: "1 second",
      log: (line) =>
        Effect.sync(() => {
          transcript.push(line)
          accessLog.push(JSON.parse(line))
        })
    })
    const steps = Effect.gen(function*() {
      const base = yield* HttpServer.HttpServer.useSync((server) => HttpServer.formatAddress(server.address))
      const ctx: DemoContext = { emulator, gateway: base, keys, accessLog: () => accessLog, transcript, say }
      yield* say("bing-gateway demo: an unmodified Bing client behind the gateway (no network, no key needed)")
      yield* say()
      yield* say(`Emulator  ${emulator.url}  (a local Bing, in this process; its clock: ${utc(emulator.handle.now())})`)
      yield* say(`Gateway   ${base}  (clock: the emulator's; memory store)`)
      yield* say(`Tiers     S15 then S16, ${perDay} searches a day each (published S15: 1,000,000; scaled down)`)
      yield* say("Keys      random per run, given by environment variable, never printed")
      yield* say("Caller    fetch() with its client key in Ocp-Apim-Subscription-Key, as any Bing client")
      yield* say()
      yield* say("gateway.json (what the gateway runs with; the secrets come from the environment):")
      for (const line of compactJson(document)) yield* say(`  ${line}`)
      yield* Story.s15Serves(ctx, { perDay })
      yield* Story.s16TakesOver(ctx, { perDay })
      yield* Story.allTiersOut(ctx)
      yield* Story.nextDay(ctx, { searches: 2 })
      yield* Failures.badParameter(ctx)
      yield* Failures.unknownKey(ctx)
      yield* Failures.tenantLimited(ctx)
      yield* summary(ctx)
      if (options.dashboard !== undefined) yield* Dashboard.keepUp(ctx, options.dashboard.onDashboard)
    })
    yield* steps.pipe(
      Effect.provide(gateway),
      Effect.catchTag("GatewayStartError", (e) => Effect.fail(startFailed("the gateway did not start")(e))),
      DemoClock.following(() => emulator.handle.now())
    )
  }).pipe(Effect.scoped)

/**
 * The demo, to its end.
 *
 * @since 0.1.0
 * @category running
 */
export const run: Effect.Effect<void, DemoStepFailed> = runWith({})

const usage = `Usage: bing-gateway demo [--dashboard]

Runs the gateway against a local emulator (no key, no network).

Options:
  --dashboard   after the story, keep the gateway and its dashboard up until Ctrl-C
                (prints the page's address)
`

const dashboardHint = [
  "",
  "See it on the gateway's dashboard: `bing-gateway demo --dashboard` (in a clone: `npm run demo:dashboard`)",
  "runs the same story, then keeps the gateway and its page up until Ctrl-C and prints the address to open."
].join("\n")

/**
 * Runs the demo and gives the exit code: 0 when every step behaved (or stdout's reader went away;
 * with `--dashboard`: after Ctrl-C), 1 (with the step named on stderr) otherwise, 2 for arguments,
 * 130 for a Ctrl-C before the dashboard was up.
 *
 * @since 0.1.0
 * @category running
 */
export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const dashboard = argv.length === 1 && argv[0] === "--dashboard"
  if (argv.length > 0 && !dashboard) {
    process.stderr.write(usage)
    return argv.includes("--help") || argv.includes("-h") ? 0 : 2
  }
  // `bing-gateway demo | head`: the reader went away, the run stops quietly (as Node CLIs do);
  // another write error (a full disk) is one line on stderr, never an unhandled 'error' event
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") {
      process.stderr.write(`bing-gateway demo: cannot write to stdout (${error.code ?? "error"})\n`)
    }
    process.exit(error.code === "EPIPE" ? 0 : 1)
  })
  const started = performance.now()
  const done = Effect.suspend(() => Console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.`))
  let up = false
  const fiber = Effect.runFork(
    dashboard
      ? runWith({ dashboard: { onDashboard: () => (up = true) } })
      : run.pipe(Effect.andThen(done), Effect.andThen(Console.log(dashboardHint)))
  )
  if (dashboard) {
    // Ctrl-C (or a kill): the gateway drains, the emulator stops, then the process exits
    const stop = () => fiber.interruptUnsafe()
    process.once("SIGINT", stop)
    process.once("SIGTERM", stop)
  }
  const exit = await Effect.runPromise(Fiber.await(fiber))
  if (Exit.isSuccess(exit)) return 0
  if (Cause.hasInterruptsOnly(exit.cause)) {
    process.stdout.write(up ? "\nbing-gateway demo: stopped\n" : "")
    return up ? 0 : 130
  }
  const error = Cause.squash(exit.cause)
  process.stderr.write(
    `bing-gateway demo: ${error instanceof DemoStepFailed ? error.message : `failed: ${String(error)}`}\n`
  )
  return 1
}
