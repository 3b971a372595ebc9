/**
 * `bing-search demo`: the whole project in one run, with nothing to set up. It starts the
 * emulator in this process on a free loopback port with an S15 key and an S16 key whose limits
 * are scaled down, and then:
 *
 * 1. runs a burst of searches through the quota tracker, printing the 80% and 95% warnings as
 *    they fire, until S15's daily quota runs out and the tracker switches to S16 (`DemoQuota`);
 * 2. moves the emulator's clock to the next day; the tracker reads the same clock (see
 *    `EmulatorClock`), sees the reset and switches back to S15 (`DemoQuota`);
 * 3. tours the typed errors, each produced by the emulator and caught by its own `catchTag`
 *    (`DemoErrors`);
 * 4. prints a summary table.
 *
 * Every step is an Effect of the shared `DemoContext` and returns what it counted; everything is
 * printed through Effect's `Console` (`Output.log`), so a closed or full stdout stops the tour at
 * the line that failed.
 */
import { Emulator } from "@bing-effect/emulator"
import type { QuotaEvent } from "@bing-effect/quota-tracker"
import { TierCatalog, Window } from "@bing-effect/quota-tracker"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type { DemoContext, Keys, Tally } from "./DemoContext.js"
import { DemoStepFailed, fastRetry, seconds, secret, stopwatch, sum, time } from "./DemoContext.js"
import * as DemoErrors from "./DemoErrors.js"
import * as DemoQuota from "./DemoQuota.js"
import * as EmulatorClock from "./EmulatorClock.js"
import { CliExit, ExitCode } from "./ExitCode.js"
import * as Failure from "./Failure.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as Screen from "./Screen.js"
import * as Session from "./Session.js"
import type { Settings } from "./Settings.js"

/** The scaled-down limits of the demo's tiers. */
export const limits = {
  S15: { perDay: 200, perSecond: 250 },
  S16: { perDay: 1000, perSecond: 250 }
} as const

/** The line the demo prints for a tracker event, if any. */
export const eventLine = (event: QuotaEvent.QuotaEvent): string | undefined => {
  switch (event._tag) {
    case "ThresholdCrossed": {
      const pct = Math.round(event.threshold * 100)
      const forecast = event.forecast === undefined
        ? "at the current rate it lasts until the reset"
        : event.forecast <= event.at
        ? "used up now"
        : `forecast: at the current rate it runs out at ${time(event.forecast)} UTC, in ${
          seconds(event.forecast - event.at)
        }`
      return `  ! warning: ${event.tier} ${
        Window.quotaName(event.window)
      } ${pct}% used (${event.used}/${event.limit}); ${forecast}`
    }
    case "TierExhausted":
      return `  ! ${event.tier} ${Window.quotaName(event.window)} is exhausted (${
        event.source === "server" ? "Bing answered 403" : "local count"
      }) until ${Failure.formatInstant(event.until)}`
    case "TierSwitched":
      return `  >> tier switch (TierSwitched event): ${event.message}`
    case "TierHeld":
      return `  ! ${event.message}`
    case "StoreFallback":
    case "StoreRecovered":
      return `  ! ${event.message}`
  }
}

/** The colour of an event's line: warnings yellow, exhaustion red, switches cyan. */
export const eventColour = (p: Screen.Palette, event: QuotaEvent.QuotaEvent): (s: string) => string => {
  switch (event._tag) {
    case "ThresholdCrossed":
    case "TierHeld":
    case "StoreFallback":
      return p.yellow
    case "TierExhausted":
      return p.red
    case "TierSwitched":
    case "StoreRecovered":
      return p.cyan
  }
}

/** The emulator, in this process, on a free loopback port, with the demo's keys. */
const startEmulator = (keys: Keys) =>
  Emulator.make({
    keys: [
      { name: "S15", key: keys.S15, limits: limits.S15 },
      { name: "S16", key: keys.S16, limits: limits.S16 },
      { name: "QPS1", key: keys.qps, limits: { perSecond: 1 } },
      { name: "Other", key: keys.other }
    ],
    seed: 7
  }).pipe(
    Effect.catchTag("EmulatorStartError", (e) =>
      Effect.andThen(
        Console.error(`error [EmulatorStartError] could not start the emulator: ${e.message}`),
        Effect.fail(new CliExit({ code: ExitCode.Internal }))
      ))
  )

/** The settings of the run, as if they came from the command line and a tiers file. */
const settingsFor = (keys: Keys, endpoint: string): Settings => ({
  tiers: [
    TierCatalog.tier("S15", { key: Redacted.make(keys.S15), overrides: limits.S15 }),
    TierCatalog.tier("S16", { key: Redacted.make(keys.S16), overrides: limits.S16 })
  ],
  tiersSource: "the demo's tiers",
  endpoint,
  allowInsecureLoopback: true,
  timeoutMs: undefined,
  maxAttempts: undefined,
  maxWaitMs: undefined,
  store: { _tag: "memory" },
  // the emulator's ids are of no use to Bing: the demo keeps none
  clientIdFile: undefined
})

/** The opening lines: what runs where. */
const intro = (emulator: Emulator.EmulatorService, say: DemoContext["say"]) =>
  Effect.gen(function*() {
    yield* say("bing-search demo: quota-aware Bing search against a local emulator (no network, no key needed)")
    yield* say()
    yield* say(
      `Emulator   ${emulator.url}  (in this process; clock ${new Date(emulator.handle.now()).toISOString()})`
    )
    yield* say(
      `Tier S15   perDay ${limits.S15.perDay}, perSecond ${limits.S15.perSecond}   (published: 1,000,000 a day; scaled down)`
    )
    yield* say(`Tier S16   perDay ${limits.S16.perDay}, perSecond ${limits.S16.perSecond}`)
    yield* say("Keys       random per run, kept Redacted (never printed)")
    yield* say(
      "Tracker    thresholds 80% and 95%, switch when a tier is exhausted, memory store, clock = the emulator's clock"
    )
  })

/** 4. The summary: what the app counted beside what the emulator saw, the events, the errors. */
const summary = (ctx: DemoContext, results: { readonly served: Tally; readonly caught: Tally }) =>
  Effect.gen(function*() {
    const { served, caught } = results
    // the events of the last search are in
    yield* Effect.yieldNow
    const usage = new Map(ctx.emulator.handle.usage().map((k) => [k.name, k]))
    const events = ctx.session.events
    const warnings = events.filter((e): e is QuotaEvent.ThresholdCrossed => e._tag === "ThresholdCrossed")
    const switched = events.filter((e): e is QuotaEvent.TierSwitched => e._tag === "TierSwitched")
    yield* ctx.say()
    yield* ctx.say("4. Summary")
    const rows: ReadonlyArray<ReadonlyArray<string>> = [
      ["", "S15", "S16"],
      ["searches served (app)", String(served.get("S15") ?? 0), String(served.get("S16") ?? 0)],
      ["answered 200 (emulator)", String(usage.get("S15")?.served ?? 0), String(usage.get("S16")?.served ?? 0)],
      [
        "refused by a quota (emulator)",
        String(usage.get("S15")?.throttled ?? 0),
        String(usage.get("S16")?.throttled ?? 0)
      ]
    ]
    // on a narrow terminal a label wraps within its column, the numbers on its last line
    const screen = Screen.width()
    const widest = Math.max(...rows.map((r) => r[0]!.length))
    const width = screen.known ? Math.max(8, Math.min(widest, screen.columns - 17)) : widest
    for (const r of rows) {
      const label = Screen.wrap(r[0]!, width, "").split("\n")
      for (const l of label.slice(0, -1)) yield* ctx.say(`  ${l}`)
      yield* ctx.say(`  ${label.at(-1)!.padEnd(width)}  ${r[1]!.padStart(5)}  ${r[2]!.padStart(5)}`)
    }
    yield* ctx.say()
    yield* ctx.say(
      `  warnings       ${warnings.length}: ${
        warnings.map((w) => `${w.tier} ${Math.round(w.threshold * 100)}%`).join(", ")
      }`
    )
    yield* ctx.say(
      `  tier switches  ${switched.length}: ${switched.map((e) => `${e.from} -> ${e.to} (${e.reason})`).join(", ")}`
    )
    yield* ctx.say(`  errors by tag  ${[...caught].map(([tag, n]) => `${tag} ${n}`).join(", ")}`)
    return { warnings, switched }
  })

/** Ends the run on a failed step (one line on stderr) or a failed stdout (`Output.exit`). */
const stopOnFailure = <A, E, R>(
  effect: Effect.Effect<A, E | DemoStepFailed | Output.OutputFailed, R>
): Effect.Effect<A, Exclude<E, DemoStepFailed | Output.OutputFailed> | CliExit, R> =>
  Effect.catch(
    effect,
    (e): Effect.Effect<never, Exclude<E, DemoStepFailed | Output.OutputFailed> | CliExit> =>
      e instanceof DemoStepFailed
        ? Effect.andThen(
          Console.error(`error [DemoStepFailed] step "${e.step}": ${e.detail}`),
          Effect.fail(new CliExit({ code: ExitCode.Internal }))
        )
        : Output.isOutputFailed(e)
        // stdout closed or full: stop the tour at once (quietly if its reader went away)
        ? Output.exit(e)
        : Effect.fail(e as Exclude<E, DemoStepFailed | Output.OutputFailed>)
  )

/** The demo. */
export const run: Effect.Effect<void, CliExit> = Effect.gen(function*() {
  const took = yield* stopwatch
  const keys: Keys = { S15: secret("s15"), S16: secret("s16"), qps: secret("qps"), other: secret("other") }
  const emulator = yield* startEmulator(keys)
  const settings = settingsFor(keys, emulator.url)
  const failureContext = (session?: Session.Session) => (): Failure.Context => ({
    settings,
    events: session?.events,
    now: emulator.handle.now()
  })

  // while the burst shows its bar, lines (the tracker's warnings) print above it
  const bar = yield* Ref.make<Progress.Progress | undefined>(undefined)
  // on a terminal, long lines wrap on their words at its width (read at each line: it may change)
  const fitted = (text: string) => {
    const width = Screen.width()
    return width.known ? Screen.wrapLines(text, width.columns) : text
  }
  // colour (a terminal's, see Screen) goes on after the fitting, which measures plain text
  const say = (text = "", colour: (s: string) => string = (s) => s) =>
    Effect.flatMap(
      Ref.get(bar),
      (p) => (p === undefined ? Output.log(colour(fitted(text))) : p.line(colour(fitted(text))))
    )
  const palette = Screen.stdout()
  const withProgress = <A, E>(total: number, use: (progress: Progress.Progress) => Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const progress = Progress.make(total)
      yield* Ref.set(bar, progress)
      const a = yield* use(progress)
      yield* progress.done
      yield* Ref.set(bar, undefined)
      return a
    })

  const session = yield* stopOnFailure(intro(emulator, say)).pipe(
    Effect.andThen(Session.make(settings, {
      tracker: { thresholds: [0.8, 0.95] },
      client: { retry: fastRetry },
      // the events arrive on their own fiber: a failed write there is met again by the next write of the tour
      onEvent: (event) =>
        Effect.suspend(() => {
          const line = eventLine(event)
          return line === undefined ? Effect.void : Effect.ignore(say(line, eventColour(palette, event)))
        })
    })),
    (effect) => Failure.handle(effect, failureContext()),
    EmulatorClock.provide(() => emulator.handle.now())
  )
  const ctx: DemoContext = { emulator, keys, settings, session, say, failureContext: failureContext(session) }

  const steps = Effect.gen(function*() {
    const burst = yield* DemoQuota.burst(ctx, { dailyLimitS15: limits.S15.perDay, withProgress })
    const nextDay = yield* DemoQuota.nextDay(ctx)
    const errors = yield* DemoErrors.tour(ctx, { S15: limits.S15.perDay, S16: limits.S16.perDay })
    const { switched, warnings } = yield* summary(ctx, { ...errors, served: sum(burst, nextDay, errors.served) })
    yield* ctx.say()
    yield* ctx.say(
      `Done in ${seconds(yield* took)}. Try it on your own key: BING_SEARCH_KEY=... bing-search web "effect typescript"`
    )
    if (!switched.some((e) => e.from === "S15" && e.to === "S16") || warnings.length < 2) {
      return yield* new DemoStepFailed({ step: "summary", detail: "the switch to S16 or the warnings are missing" })
    }
  })

  yield* Failure.handle(stopOnFailure(steps), ctx.failureContext).pipe(
    EmulatorClock.provide(() => emulator.handle.now())
  )
}).pipe(Effect.scoped)
