/**
 * The `bing-search` command line: `web`, `images`, `trending`, `quota` and `demo`, their flags, and the glue
 * that runs each command in a session (store, tracker, client) with every typed failure turned
 * into a message and an exit code.
 */
import type { BingClient } from "@bing-effect/client"
import type { QuotaEvent, QuotaTracker } from "@bing-effect/quota-tracker"
import { Argument, Command, Flag } from "effect/cli"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import { ExitCode, tableText } from "./ExitCode.js"
import type { CliExit } from "./ExitCode.js"
import * as Failure from "./Failure.js"
import * as HistoryView from "./HistoryView.js"
import * as Output from "./Output.js"
import * as Render from "./Render.js"
import * as Screen from "./Screen.js"
import * as Session from "./Session.js"
import * as Settings from "./Settings.js"
import * as Watch from "./Watch.js"

export { version } from "./Version.js"

const env = <A>(flag: Flag.Flag<A>, config: Config.Config<A>) => flag.pipe(Flag.withFallbackConfig(config))

const describe = (text: string) => <A>(flag: Flag.Flag<A>) => Flag.withDescription(flag, text)

const description = [
  "Search Bing (Web and Image Search API v7) from the command line, with quota tracking",
  "across subscription tiers and a clear message for every failure.",
  "",
  "Keys and endpoint come from flags or the environment:",
  "  BING_SEARCH_KEY        one subscription key (--key); BING_SEARCH_TIER names its tier (S15...)",
  "  BING_SEARCH_TIERS      a tiers file (--tiers): [{\"name\":\"S15\",\"keyEnv\":\"BING_KEY_S15\",",
  "                         \"limits\":{\"perDay\":1000000}},{\"name\":\"S16\",\"keyEnv\":\"BING_KEY_S16\"}]",
  "  BING_SEARCH_ENDPOINT   base URL (--endpoint), default https://api.bing.microsoft.com",
  "  BING_SEARCH_STORE      quota store (--store): memory (default), sqlite:<file>, redis://host:port,",
  "                         postgres://host/database",
  "  BING_SEARCH_ALLOW_INSECURE_LOOPBACK=true  accept http:// to 127.0.0.1/::1/localhost (emulator only)",
  "  BING_SEARCH_CLIENT_ID_FILE  where Bing's X-MSEdge-ClientID is kept between runs (--client-id-file), or off;",
  "                         default $XDG_STATE_HOME/bing-search/client-id or ~/.local/state/bing-search/client-id",
  "  NO_COLOR / FORCE_COLOR turn colour off / force it (colour is on for a terminal only)",
  "",
  "Exit codes:",
  tableText()
].join("\n  ")

/** The root command and the flags every subcommand shares. */
export const root = Command.make("bing-search").pipe(
  Command.withSharedFlags({
    endpoint: env(Flag.String("endpoint"), Config.String("BING_SEARCH_ENDPOINT")).pipe(
      Flag.optional,
      describe("Base URL of the API (default https://api.bing.microsoft.com) [BING_SEARCH_ENDPOINT]")
    ),
    key: env(Flag.Redacted("key"), Config.Redacted("BING_SEARCH_KEY")).pipe(
      Flag.optional,
      describe("Subscription key; prefer the environment variable, flags show up in `ps` [BING_SEARCH_KEY]")
    ),
    tier: env(Flag.String("tier"), Config.String("BING_SEARCH_TIER")).pipe(
      Flag.optional,
      describe("Tier of --key, e.g. S15 (published limits apply) [BING_SEARCH_TIER]")
    ),
    tiers: env(Flag.String("tiers"), Config.String("BING_SEARCH_TIERS")).pipe(
      Flag.optional,
      describe("Tiers file (JSON) with several keys and their limits, tried in order [BING_SEARCH_TIERS]")
    ),
    store: env(Flag.String("store"), Config.String("BING_SEARCH_STORE")).pipe(
      Flag.withDefault("memory"),
      describe(
        "Where quota counts live: memory, sqlite:<file>, redis://host:port or postgres://host/db [BING_SEARCH_STORE]"
      )
    ),
    storePrefix: env(Flag.String("store-prefix"), Config.String("BING_SEARCH_STORE_PREFIX")).pipe(
      Flag.withDefault(Settings.defaultStorePrefix),
      describe("Key prefix in Redis [BING_SEARCH_STORE_PREFIX]")
    ),
    allowInsecureLoopback: env(
      Flag.Boolean("allow-insecure-loopback"),
      Config.Boolean("BING_SEARCH_ALLOW_INSECURE_LOOPBACK")
    ).pipe(
      Flag.withDefault(false),
      describe("Accept a plain http:// endpoint on 127.0.0.1, ::1 or localhost (the emulator only)")
    ),
    timeout: Flag.Finite("timeout").pipe(Flag.optional, describe("Seconds allowed per attempt (default 10)")),
    maxAttempts: Flag.Int("max-attempts").pipe(
      Flag.optional,
      describe("Attempts per search, retries included (default 4)")
    ),
    maxWait: Flag.Finite("max-wait").pipe(
      Flag.optional,
      describe("Longest Retry-After, in seconds, the app waits for (default 5)")
    ),
    clientIdFile: env(Flag.String("client-id-file"), Config.String("BING_SEARCH_CLIENT_ID_FILE")).pipe(
      Flag.optional,
      describe(
        "Where Bing's X-MSEdge-ClientID is kept between runs, or off (default $XDG_STATE_HOME/bing-search/client-id) [BING_SEARCH_CLIENT_ID_FILE]"
      )
    )
  }),
  Command.withDescription(description)
)

/** The events worth a note while searching: switches, and what the server said. */
const noteOf = (event: QuotaEvent.QuotaEvent): string | undefined => {
  switch (event._tag) {
    case "TierSwitched":
    case "TierHeld":
    case "StoreFallback":
    case "StoreRecovered":
      return event.message
    case "TierExhausted":
      return event.source === "server" ? event.message : undefined
    case "ThresholdCrossed":
      return undefined
  }
}

/**
 * A tier whose endpoint is plain HTTP, found when the tiers are loaded: the same class (exit 15) as
 * an http:// `--endpoint`, which the client refuses at the first call, but naming the tier and
 * its own URL.
 */
const insecureEndpoint = (e: Settings.InsecureEndpoint): Failure.Problem => ({
  tag: e._tag,
  code: ExitCode.HttpsRequired,
  headline:
    `Plain HTTP is not allowed: the endpoint of tier ${e.tier}, ${e.endpoint}, is http://, and Bing only answers HTTPS.`,
  details: [`Found in ${e.setting}; the app refused to send any key over it, so nothing was sent.`],
  hint:
    `Give tier ${e.tier} an https:// endpoint. For the local emulator only, --allow-insecure-loopback accepts http:// to 127.0.0.1, ::1 or localhost.`
})

/**
 * Runs `body` in a session built from the shared flags, printing the tracker's events as notes on
 * stderr, and explains any failure.
 */
const inSession = <A>(
  shared: Settings.SharedFlags,
  body: (session: Session.Session) => Effect.Effect<A, Failure.AppError | CliExit, Scope.Scope>,
  options: { readonly notes?: boolean | undefined; readonly json?: boolean | undefined } = {}
): Effect.Effect<A, CliExit> => {
  const report: Failure.Report = { json: options.json }
  let context: Failure.Context = { now: Date.now() }
  const program = Effect.gen(function*() {
    const settings = yield* Settings.resolve(shared).pipe(
      Effect.catchTag("InsecureEndpoint", (e) => Failure.fail(insecureEndpoint(e), report))
    )
    context = { settings, now: Date.now() }
    const session = yield* Session.make(settings, {
      onEvent: (event) => {
        const note = options.notes === false ? undefined : noteOf(event)
        return note === undefined ? Effect.void : Output.printErr(`note: ${note}`)
      }
    })
    context = { settings, events: session.events, now: Date.now() }
    return yield* body(session)
  })
  return Failure.handle(Effect.scoped(program), () => ({ ...context, now: Date.now() }), report)
}

/**
 * When a later tier served the search, says why the preferred tiers were skipped and until when
 * (the tracker's switch event names the switch; this adds the reset time a user acts on).
 */
const explainTier = (session: Session.Session, tier: string | undefined) =>
  Effect.gen(function*() {
    const preferred = session.settings.tiers[0]?.name
    if (tier === undefined || tier === preferred) return
    const status = yield* session.tracker.status
    const skipped = status.tiers.slice(0, Math.max(0, status.tiers.findIndex((t) => t.name === tier)))
    const why = skipped.map((t) =>
      t.exhausted && t.exhaustedUntil !== undefined
        ? `${t.name} is exhausted (${t.exhaustedWindow ?? "quota"}) until ${Failure.formatInstant(t.exhaustedUntil)}`
        : t.held && t.heldUntil !== undefined
        ? `${t.name} is held after a 429 until ${Failure.formatInstant(t.heldUntil)}`
        : `${t.name} reached its switch threshold`
    )
    yield* Output.printErr(`note: ${tier} served this search: ${why.join("; ")}`)
  })

const json = (value: unknown) => JSON.stringify(value, null, 2)

const opt = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o)

/** Drops undefined fields, so the typed parameters stay exact. */
const defined = <T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never

const searchFlags = {
  query: Argument.String("query").pipe(Argument.variadic(), Argument.withDescription("What to search for")),
  count: Flag.Int("count").pipe(
    Flag.withAlias("n"),
    Flag.optional,
    describe("Results to return, 0-65535 (Bing delivers at most 50 web pages, 150 images)")
  ),
  offset: Flag.Int("offset").pipe(Flag.optional, describe("Results to skip (paging)")),
  market: Flag.String("market").pipe(Flag.withAlias("m"), Flag.optional, describe("Market, e.g. en-US (Bing's mkt)")),
  country: Flag.String("country").pipe(
    Flag.optional,
    describe("Two-letter country code (Bing's cc); not with --market")
  ),
  safeSearch: Flag.String("safe-search").pipe(Flag.optional, describe("Off, Moderate or Strict")),
  freshness: Flag.String("freshness").pipe(
    Flag.optional,
    describe("Day, Week or Month (web also YYYY-MM-DD[..YYYY-MM-DD])")
  ),
  lang: Flag.String("lang").pipe(Flag.optional, describe("Language of the user interface strings (Bing's setLang)")),
  json: Flag.Boolean("json").pipe(
    Flag.withDefault(false),
    describe("Print the typed result as JSON; on failure an error object {\"error\":{tag,message,exitCode,...}}")
  )
}

/** The Bing parameters `web` and `images` both take, from the flags they share. */
const sharedParams = (input: {
  readonly query: ReadonlyArray<string>
  readonly count: Option.Option<number>
  readonly offset: Option.Option<number>
  readonly market: Option.Option<string>
  readonly country: Option.Option<string>
  readonly safeSearch: Option.Option<string>
  readonly freshness: Option.Option<string>
  readonly lang: Option.Option<string>
}) => ({
  q: input.query.join(" "),
  count: opt(input.count),
  offset: opt(input.offset),
  mkt: opt(input.market),
  cc: opt(input.country),
  safeSearch: opt(input.safeSearch),
  freshness: opt(input.freshness),
  setLang: opt(input.lang)
})

/** `bing-search web <query>`. */
export const web = Command.make(
  "web",
  searchFlags,
  Effect.fn("bing-search.web")(function*(input) {
    const shared = yield* root
    const q = input.query.join(" ")
    const params = defined(sharedParams(input)) as BingClient.WebSearchInput
    const text = yield* inSession(shared, (session) =>
      Effect.gen(function*() {
        const result = yield* session.client.webSearch(params)
        yield* explainTier(session, result.meta.tier)
        return input.json
          ? json(result)
          : Render.web(q, result, params.offset ?? 0, { columns: Screen.width().columns })
      }), { json: input.json })
    yield* Output.print(text)
  })
).pipe(Command.withDescription("Search the web: title, URL and snippet of each result"))

/** `bing-search images <query>`. */
export const images = Command.make(
  "images",
  {
    ...searchFlags,
    size: Flag.String("size").pipe(Flag.optional, describe("Small, Medium, Large, Wallpaper or All")),
    color: Flag.String("color").pipe(
      Flag.optional,
      describe(
        "ColorOnly, Monochrome or a colour: Black, Blue, Brown, Gray, Green, Orange, Pink, Purple, Red, Teal, White, Yellow"
      )
    ),
    aspect: Flag.String("aspect").pipe(Flag.optional, describe("Square, Wide, Tall or All")),
    imageType: Flag.String("image-type").pipe(
      Flag.optional,
      describe("AnimatedGif, AnimatedGifHttps, Clipart, Line, Photo, Shopping or Transparent")
    ),
    imageContent: Flag.String("image-content").pipe(Flag.optional, describe("Face or Portrait")),
    license: Flag.String("license").pipe(
      Flag.optional,
      describe("Any, Public, Share, ShareCommercially, Modify, ModifyCommercially or All")
    ),
    width: Flag.Int("width").pipe(Flag.optional, describe("Exact width in pixels")),
    height: Flag.Int("height").pipe(Flag.optional, describe("Exact height in pixels")),
    minWidth: Flag.Int("min-width").pipe(Flag.optional, describe("Minimum width in pixels")),
    maxWidth: Flag.Int("max-width").pipe(Flag.optional, describe("Maximum width in pixels")),
    minHeight: Flag.Int("min-height").pipe(Flag.optional, describe("Minimum height in pixels")),
    maxHeight: Flag.Int("max-height").pipe(Flag.optional, describe("Maximum height in pixels")),
    minFileSize: Flag.Int("min-file-size").pipe(Flag.optional, describe("Minimum file size in bytes")),
    maxFileSize: Flag.Int("max-file-size").pipe(Flag.optional, describe("Maximum file size in bytes"))
  },
  Effect.fn("bing-search.images")(function*(input) {
    const shared = yield* root
    const q = input.query.join(" ")
    const params = defined({
      ...sharedParams(input),
      size: opt(input.size),
      color: opt(input.color),
      aspect: opt(input.aspect),
      imageType: opt(input.imageType),
      imageContent: opt(input.imageContent),
      license: opt(input.license),
      width: opt(input.width),
      height: opt(input.height),
      minWidth: opt(input.minWidth),
      maxWidth: opt(input.maxWidth),
      minHeight: opt(input.minHeight),
      maxHeight: opt(input.maxHeight),
      minFileSize: opt(input.minFileSize),
      maxFileSize: opt(input.maxFileSize)
    }) as BingClient.ImageSearchInput
    const text = yield* inSession(shared, (session) =>
      Effect.gen(function*() {
        const result = yield* session.client.imageSearch(params)
        yield* explainTier(session, result.meta.tier)
        return input.json ? json(result) : Render.images(q, result, params.offset ?? 0)
      }), { json: input.json })
    yield* Output.print(text)
  })
).pipe(Command.withDescription("Search images: name, size, format and URL of each result, with the image filters"))

/** `bing-search trending`. */
export const trending = Command.make(
  "trending",
  {
    market: searchFlags.market,
    country: searchFlags.country,
    safeSearch: searchFlags.safeSearch,
    lang: searchFlags.lang,
    json: searchFlags.json
  },
  Effect.fn("bing-search.trending")(function*(input) {
    const shared = yield* root
    const params = defined({
      mkt: opt(input.market),
      cc: opt(input.country),
      safeSearch: opt(input.safeSearch),
      setLang: opt(input.lang)
    }) as BingClient.TrendingImagesInput
    const text = yield* inSession(shared, (session) =>
      Effect.gen(function*() {
        const result = yield* session.client.trendingImages(params)
        yield* explainTier(session, result.meta.tier)
        return input.json ? json(result) : Render.trending(result, { columns: Screen.width().columns })
      }), { json: input.json })
    yield* Output.print(text)
  })
).pipe(
  Command.withDescription(
    "Trending images (Bing's /images/trending): each category and the searches in it; markets en-US, en-GB, en-CA, en-AU, en-IN, zh-CN"
  )
)

/** The quota table for the width, with the memory store's hint (`known`: the width is a terminal's). */
const quotaText = (
  session: Session.Session,
  status: QuotaTracker.QuotaStatus,
  history: HistoryView.Outcome,
  width: Screen.Width
) => {
  const table = Render.quota(status, Settings.describeStore(session.settings.store), {
    ascii: !Output.isTerminal(),
    columns: width.columns,
    fit: width.known,
    palette: Screen.stdout()
  })
  const store = session.settings.store
  const section = HistoryView.render(history, status, {
    columns: width.columns,
    ascii: !Output.isTerminal(),
    palette: Screen.stdout(),
    prefix: store._tag === "memory" || store._tag === "sqlite" ? undefined : store.prefix
  })
  return store._tag === "memory"
    ? `${table}\n\n${
      Render.wrap(
        "(memory store: counts cover this process only; use --store sqlite:<file> or redis://... to share them across runs)",
        width.known ? width.columns : Number.POSITIVE_INFINITY,
        ""
      )
    }\n${section}`
    : `${table}\n\n${section}`
}

/**
 * Opens the reader of the gateways' history on the session's store (for the scope) and gives a
 * read of it for a status's tiers: a store that cannot be read is an outcome to show, not a failure.
 */
const historyOf = (session: Session.Session) =>
  Effect.gen(function*() {
    // the history reader (not the gateway) is loaded for the quota command only
    const { GatewayHistory } = yield* Effect.promise(() => import("@bing-effect/gateway/history"))
    const store = session.settings.store
    const opened = yield* Effect.result(GatewayHistory.make(store))
    return (status: QuotaTracker.QuotaStatus): Effect.Effect<HistoryView.Outcome> => {
      if (Result.isFailure(opened)) {
        return Effect.succeed({ _tag: "failed", store: store._tag, detail: opened.failure.detail })
      }
      const tiers = status.tiers.map((t) => ({ name: t.name, windows: t.windows.map((w) => w.window) }))
      return opened.success.read({ tiers }).pipe(
        Effect.map((reading): HistoryView.Outcome => ({ _tag: "read", reading })),
        Effect.catch((e) => Effect.succeed<HistoryView.Outcome>({ _tag: "failed", store: e.store, detail: e.detail }))
      )
    }
  })

/** `bing-search quota`. */
export const quota = Command.make(
  "quota",
  {
    json: Flag.Boolean("json").pipe(
      Flag.withDefault(false),
      describe(
        "Print the status and the gateways' history as JSON; on failure an error object {\"error\":{tag,message,exitCode,...}}"
      )
    ),
    watch: Flag.Boolean("watch").pipe(
      Flag.withAlias("w"),
      Flag.withDefault(false),
      describe("Redraw the table every second until Ctrl-C (with --json: one JSON line a second)")
    )
  },
  Effect.fn("bing-search.quota")(function*(input) {
    const shared = yield* root
    const text = yield* inSession(shared, (session) =>
      Effect.gen(function*() {
        // the reader opens (a module to load, a connection) while the first status is read
        const [history, first] = yield* Effect.all([historyOf(session), session.tracker.status], {
          concurrency: "unbounded"
        })
        let pending: QuotaTracker.QuotaStatus | undefined = first
        const snapshot = Effect.flatMap(
          Effect.suspend(() => {
            const status = pending
            pending = undefined
            return status === undefined ? session.tracker.status : Effect.succeed(status)
          }),
          (status) => Effect.map(history(status), (outcome) => ({ status, outcome }))
        )
        const asJson = (status: QuotaTracker.QuotaStatus, outcome: HistoryView.Outcome) => ({
          ...status,
          history: HistoryView.json(outcome)
        })
        if (input.watch) {
          return yield* Watch.run({
            json: input.json,
            frame: (columns) =>
              Effect.map(snapshot, ({ outcome, status }) => {
                if (input.json) return JSON.stringify(asJson(status, outcome))
                const width = Screen.width()
                const heading = Screen.truncate("Every 1 s; Ctrl-C to stop.", columns)
                return `${heading}\n\n${quotaText(session, status, outcome, { columns, known: width.known })}`
              })
          }).pipe(Effect.catchTag("OutputFailed", Output.exit))
        }
        const { outcome, status } = yield* snapshot
        if (input.json) return json(asJson(status, outcome))
        return quotaText(session, status, outcome, Screen.width())
      }), { notes: false, json: input.json })
    yield* Output.print(text)
  })
).pipe(
  Command.withDescription(
    "Show each tier's quota windows (used, limit, remaining, reset, forecast, active tier) and the history gateways on the same --store recorded; --watch redraws it every second"
  )
)

/** `bing-search demo`. */
export const demo = Command.make(
  "demo",
  {},
  Effect.fn("bing-search.demo")(function*() {
    // the emulator is loaded only for the demo
    const Demo = yield* Effect.promise(() => import("./Demo.js"))
    yield* Demo.run
  })
).pipe(
  Command.withDescription(
    "Run the tour on an in-process emulator: S15 runs out, the app switches to S16 and back, every typed error"
  )
)

/** The whole command line. */
export const cli = root.pipe(Command.withSubcommands([web, images, trending, quota, demo]))
