/**
 * What the app says when something fails. Every typed error of the client, the quota tracker and
 * the app's own settings is matched by tag (`Effect.catchTags`), explained in plain words (what
 * happened, what the app already did about it, what the user can do) and mapped to the exit code
 * of its class. No stack trace for an expected failure, and never a key: messages are built from
 * the errors' structured fields, never from request headers.
 */
import { BingClient, RetryPolicy } from "@bing-effect/client"
import type { InvalidClientOptions as ClientOptionsError, ResponseRefused, TransportError } from "@bing-effect/client"
import type { QuotaError, QuotaEvent } from "@bing-effect/quota-tracker"
import { Window } from "@bing-effect/quota-tracker"
import type { BingError } from "@bing-effect/schema"
import * as Effect from "effect/Effect"
import { CliExit, ExitCode } from "./ExitCode.js"
import * as Output from "./Output.js"
import * as Screen from "./Screen.js"
import type { InvalidSettings, MissingKey, Settings } from "./Settings.js"

/** A failure explained: its tag, its exit code and the lines to print. */
export interface Problem {
  readonly tag: string
  readonly code: ExitCode
  /** One line: what happened. */
  readonly headline: string
  /** Further facts (what the app did, trace id...). */
  readonly details: ReadonlyArray<string>
  /** What to do about it. */
  readonly hint: string
}

/** What the explanations may use besides the error itself. */
export interface Context {
  readonly settings?: Settings | undefined
  /** The tracker's events of this run (tier switches and exhaustions). */
  readonly events?: ReadonlyArray<QuotaEvent.QuotaEvent> | undefined
  /** Epoch ms, for "in 3 h" (the clock of the run). */
  readonly now: number
}

const policyOf = (ctx: Context): RetryPolicy.RetryPolicy => ({
  ...RetryPolicy.defaults,
  ...(ctx.settings?.maxAttempts === undefined ? {} : { maxAttempts: ctx.settings.maxAttempts }),
  ...(ctx.settings?.maxWaitMs === undefined ? {} : { maxRetryAfterMs: ctx.settings.maxWaitMs })
})

/** A wait in words (`"20 min 35 s"`): the tracker's wording, so that the app and the library say it alike. */
const formatDuration = Window.formatDuration

/** Epoch ms -> `2026-11-23 00:00:00 UTC`. */
export const formatInstant = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`

/**
 * What the app did, from the attempts the client actually made (`BingClient.attemptsOf`), never
 * from the configured budget: a call may stop early (a Retry-After too long, a refused answer) or
 * send nothing at all. `retried` says how it retried ("retried with backoff").
 */
const attemptsLine = (e: unknown, retried: string): ReadonlyArray<string> => {
  const made = BingClient.attemptsOf(e)
  if (made === undefined) return []
  if (made === 0) return ["Nothing was sent."]
  if (made === 1) return ["The app made 1 attempt (no retry)."]
  return [`The app ${retried}, ${made} attempts in all.`]
}

const trace = (e: { readonly traceId?: string | undefined }): ReadonlyArray<string> =>
  e.traceId === undefined ? [] : [`Bing trace id: ${e.traceId} (quote it to Microsoft support)`]

const bingSays = (
  e: {
    readonly errors: ReadonlyArray<{ readonly message?: string | undefined; readonly moreDetails?: string | undefined }>
  }
) => {
  const first = e.errors[0]
  if (first === undefined) return []
  const text = [first.message, first.moreDetails].filter((s) => s !== undefined && s !== "").join(" ")
  return text === "" ? [] : [`Bing says: ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`]
}

const special: Record<string, string> = { q: "<query>", mkt: "--market", cc: "--country", setLang: "--lang" }

/** The command-line flag for a Bing query parameter (`imageType` -> `--image-type`). */
export const flagOf = (parameter: string): string =>
  special[parameter] ?? `--${parameter.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

const switches = (ctx: Context): ReadonlyArray<QuotaEvent.TierSwitched> =>
  (ctx.events ?? []).filter((e): e is QuotaEvent.TierSwitched => e._tag === "TierSwitched")

const switchNote = (ctx: Context): string => {
  const seen = switches(ctx).filter((e) => e.reason !== "reset")
  if (seen.length > 0) {
    return `The app switched tiers during this run (${
      [...new Set(seen.map((e) => `${e.from} -> ${e.to}`))].join(", ")
    }) and ran out on every one.`
  }
  const tiers = ctx.settings?.tiers.length ?? 1
  return tiers > 1
    ? "The app tried every configured tier."
    : "There is no other tier to switch to (add one with --tiers)."
}

// ---------------------------------------------------------------------------------------------
// one explanation per error class

/** 400 / 410 / Blocked. */
export const invalidRequest = (e: BingError.InvalidRequest, ctx: Context): Problem => {
  if (e.subCode === "HttpNotAllowed") {
    return {
      tag: e._tag,
      code: ExitCode.HttpsRequired,
      headline: `Plain HTTP is not allowed: Bing only answers HTTPS (${e.status} InvalidRequest/HttpNotAllowed).`,
      details: [
        e.traceId === undefined
          ? `The endpoint ${
            ctx.settings?.endpoint ?? ""
          } is http://, so the app refused to send the key over it; nothing was sent.`
          : "The server refused the plain-HTTP request.",
        ...trace(e)
      ],
      hint:
        "Use an https:// endpoint (--endpoint / BING_SEARCH_ENDPOINT). For the local emulator only, --allow-insecure-loopback accepts http:// to 127.0.0.1, ::1 or localhost."
    }
  }
  if (e.subCode === "Blocked") {
    return {
      tag: e._tag,
      code: ExitCode.Blocked,
      headline: `Bing blocked the request (${e.status} InvalidRequest/Blocked).`,
      details: [...bingSays(e), ...trace(e)],
      hint: "Change the query or its parameters; if it persists, contact Microsoft support with the trace id."
    }
  }
  const parameter = e.parameter
  const where = parameter === undefined ? "a parameter" : `${flagOf(parameter)} (Bing parameter ${parameter})`
  const value = e.value === undefined
    ? ""
    : `: ${JSON.stringify(e.value.length > 80 ? `${e.value.slice(0, 80)}…` : e.value)}`
  const local = e.traceId === undefined
  return {
    tag: e._tag,
    code: ExitCode.InvalidParameter,
    headline: e.subCode === "ParameterMissing"
      ? `Missing value for ${where}.`
      : `Invalid value for ${where}${value}.`,
    details: local
      ? ["Refused locally before sending: no request reached Bing and no quota was spent."]
      : [`Bing refused the request (${e.status} InvalidRequest/${e.subCode}).`, ...bingSays(e), ...trace(e)],
    hint: `Fix ${
      parameter === undefined ? "the parameters" : flagOf(parameter)
    } (see bing-search web --help / images --help).`
  }
}

/** 401. */
export const invalidAuthorization = (e: BingError.InvalidAuthorization, ctx: Context): Problem => ({
  tag: e._tag,
  code: ExitCode.Unauthorized,
  headline: e.subCode === "AuthorizationRedundancy"
    ? `More than one authentication method was used (${e.status} InvalidAuthorization/AuthorizationRedundancy).`
    : `The subscription key is missing or wrong (${e.status} InvalidAuthorization/${e.subCode}).`,
  details: [
    ...bingSays(e),
    ...(ctx.settings === undefined ? [] : [`Keys come from ${ctx.settings.tiersSource}.`]),
    ...trace(e)
  ],
  hint:
    "Check the key: set BING_SEARCH_KEY (or --key), or the key / keyEnv of each tier in the tiers file. Keys are in the Azure portal under Keys and Endpoint."
})

/** 401, decided locally: no key at all. */
export const missingKey = (e: MissingKey): Problem => ({
  tag: e._tag,
  code: ExitCode.Unauthorized,
  headline: "No subscription key is configured, so nothing was sent.",
  details: [],
  hint:
    "Set BING_SEARCH_KEY, pass --key, or name a tiers file with --tiers / BING_SEARCH_TIERS. Try `bing-search demo` to see the app without a key."
})

/** 403 disabled / expired. */
export const insufficientAuthorization = (e: BingError.InsufficientAuthorization): Problem => ({
  tag: e._tag,
  code: ExitCode.Forbidden,
  headline: `The subscription key is ${
    e.subCode === "AuthorizationExpired" ? "expired" : "disabled"
  } (${e.status} InsufficientAuthorization/${e.subCode}).`,
  details: [...bingSays(e), ...trace(e)],
  hint: e.subCode === "AuthorizationExpired"
    ? "Renew the subscription in the Azure portal, or use another key."
    : "Enable the key (or the subscription) in the Azure portal, or use another key."
})

/** 403 quota, as Bing reported it (without a tracker to fail over). */
export const bingQuotaExhausted = (e: BingError.QuotaExhausted, ctx: Context): Problem => ({
  tag: e._tag,
  code: ExitCode.QuotaExhausted,
  headline: `The ${Window.quotaName(e.window)} is used up (${e.status} RateLimitExceeded).`,
  details: [
    ...(e.retryAfterMs === undefined
      ? []
      : [`It comes back at ${formatInstant(ctx.now + e.retryAfterMs)} (in ${formatDuration(e.retryAfterMs)}).`]),
    switchNote(ctx),
    ...trace(e)
  ],
  hint: "Wait for the reset, or add a higher tier to the tiers file (--tiers) so the app switches to it."
})

/** Every tier exhausted, a per-second hold too long, a store down, bad tracker options. */
export const quotaError = (e: QuotaError.QuotaError, ctx: Context): Problem => {
  const reason = e.reason
  switch (reason._tag) {
    case "AllTiersExhausted": {
      const exhausted = (ctx.events ?? []).filter((x): x is QuotaEvent.TierExhausted => x._tag === "TierExhausted")
      const latest = new Map(exhausted.map((x) => [x.tier, x]))
      return {
        tag: `${e._tag}/${reason._tag}`,
        code: ExitCode.QuotaExhausted,
        headline: `Every tier is out of quota (${reason.tiers.join(", ")}).`,
        details: [
          ...[...latest.values()].map((x) =>
            `${x.tier}: ${Window.quotaName(x.window)} used up until ${formatInstant(x.until)} (${
              x.source === "server" ? "Bing said so (403)" : "local count"
            }).`
          ),
          switchNote(ctx),
          `The first tier comes back at ${formatInstant(reason.resetsAt)} (in ${formatDuration(reason.retryAfter)}).`
        ],
        hint: "Wait until then, or add a tier with quota left to the tiers file (--tiers)."
      }
    }
    case "RateLimitExceeded":
      return {
        tag: `${e._tag}/${reason._tag}`,
        code: ExitCode.RateLimited,
        headline: `Tier ${reason.tier} is over its per-second limit and waiting ${
          formatDuration(reason.retryAfter)
        } was not allowed.`,
        details: ["Nothing was sent: the local per-second window (or a 429 hold) refused the request."],
        hint: "Send fewer requests per second, or run again in a moment."
      }
    case "StoreUnavailable":
      return {
        tag: `${e._tag}/${reason._tag}`,
        code: ExitCode.StoreUnavailable,
        headline: `The ${reason.store} quota store is unavailable: ${reason.detail}.`,
        details: ["Nothing was sent: without the store the app cannot know how much quota is left."],
        hint: reason.store === "redis"
          ? "Start Redis or fix the URL in --store, or use --store memory / sqlite:<file>."
          : reason.store === "postgres"
          ? "Start PostgreSQL or fix the URL in --store, or use --store memory / sqlite:<file>."
          : "Check the path in --store (the folder must exist and be writable), or use --store memory."
      }
    case "InvalidOptions":
      return {
        tag: `${e._tag}/${reason._tag}`,
        code: ExitCode.Config,
        headline: `The quota configuration is invalid: ${reason.detail}.`,
        details: [],
        hint: "Fix the tiers file (--tiers)."
      }
  }
}

/** 429 still there after the retries, or a Retry-After longer than the app may wait. */
export const rateLimited = (e: BingError.RateLimited, ctx: Context): Problem => {
  const policy = policyOf(ctx)
  const tooLong = e.retryAfterMs !== undefined && e.retryAfterMs > policy.maxRetryAfterMs
  return {
    tag: e._tag,
    code: ExitCode.RateLimited,
    headline: `Bing's per-second limit was exceeded (${e.status} RateLimitExceeded).`,
    details: [
      ...(tooLong
        ? [
          `Bing asked to wait ${formatDuration(e.retryAfterMs!)} (Retry-After), longer than the app may wait (${
            formatDuration(policy.maxRetryAfterMs)
          }, --max-wait), so it stopped.`
        ]
        : attemptsLine(e, "waited as Bing asked (Retry-After) and retried")),
      ...trace(e)
    ],
    hint: tooLong
      ? "Run again later, or raise --max-wait."
      : "Send fewer requests per second (the tier's QPS limit), or raise --max-attempts."
  }
}

/** 200 with an empty body. */
export const emptyResponse = (e: BingError.EmptyResponse, _ctx: Context): Problem => ({
  tag: e._tag,
  code: ExitCode.EmptyResponse,
  headline: `Bing answered ${e.status} with an empty body: it suspects abuse (a denial-of-service pattern).`,
  details: [...attemptsLine(e, "backed off and retried"), "Every answer was empty.", ...trace(e)],
  hint: "Slow down: spread the queries out, avoid identical bursts, and try again in a few minutes."
})

/** 500 after the retries. */
export const serverError = (e: BingError.ServerError, _ctx: Context): Problem => ({
  tag: e._tag,
  code: ExitCode.ServerError,
  headline: `Bing failed on its side (${e.status} ServerError/${e.subCode}).`,
  details: [...attemptsLine(e, "retried with backoff"), ...bingSays(e), ...trace(e)],
  hint: "Try again later; if it persists, contact Microsoft support with the trace id."
})

/** 404. */
export const notFound = (e: BingError.NotFound): Problem => ({
  tag: e._tag,
  code: ExitCode.NotFound,
  headline: `Bing answered ${e.status} Not Found.`,
  details: ["Either the URL is longer than 2,048 characters or the endpoint's path is wrong.", ...trace(e)],
  hint: "Shorten the query, and check that --endpoint is the base URL (https://api.bing.microsoft.com), without /v7.0."
})

/** 410 Gone: the endpoint says the Bing Search APIs were retired (not the other 410, plain HTTP). */
export const serviceRetired = (e: BingError.ServiceRetired, ctx: Context): Problem => ({
  tag: e._tag,
  code: ExitCode.ServiceRetired,
  headline: `The endpoint answered that the Bing Search APIs were retired (${e.status} Gone).`,
  details: [
    `${
      ctx.settings?.endpoint ?? "The endpoint"
    } no longer serves Bing v7: Microsoft retired it on 2025-08-11 (https://aka.ms/BingAPIsRetirement).`,
    "The app did not retry: no request to this endpoint can succeed again.",
    ...bingSays(e),
    ...trace(e)
  ],
  hint:
    "Point --endpoint (BING_SEARCH_ENDPOINT) at a Bing-compatible endpoint: a provider that kept the v7 API, or a @bing-effect/gateway in front of one. For offline work, `bing-emulator` serves the same API locally."
})

/** Anything that is not a Bing answer. */
export const unexpectedResponse = (e: BingError.UnexpectedResponse): Problem => ({
  tag: e._tag,
  code: ExitCode.UnexpectedResponse,
  headline: `The answer was not Bing's (${e.status}${e.contentType === undefined ? "" : ` ${e.contentType}`})${
    e.reason === undefined ? "" : `: ${e.reason}`
  }.`,
  details: [
    ...(e.bodyExcerpt === "" ? [] : [`It began with: ${JSON.stringify(e.bodyExcerpt.slice(0, 120))}`]),
    ...trace(e)
  ],
  hint: "Check --endpoint (a proxy or a wrong host answered), then try again."
})

/** Timeout after the retries. */
export const requestTimeout = (e: TransportError.RequestTimeout, _ctx: Context): Problem => ({
  tag: e._tag,
  code: ExitCode.Timeout,
  headline: `No complete answer from ${e.endpoint} within ${formatDuration(e.timeoutMs)}.`,
  details: attemptsLine(e, "retried with backoff"),
  hint: "Check the network, or raise --timeout."
})

/** Connection failure after the retries. */
export const connectionFailed = (e: TransportError.ConnectionFailed, _ctx: Context): Problem => ({
  tag: e._tag,
  code: ExitCode.ConnectionFailed,
  headline: e.phase === "request"
    ? `Could not reach ${e.endpoint}: ${e.detail}.`
    : `The connection to ${e.endpoint} broke while reading the answer: ${e.detail}.`,
  details: attemptsLine(e, "retried with backoff"),
  hint: "Check --endpoint / BING_SEARCH_ENDPOINT and the network."
})

/** A redirect, never followed (the key stays with the endpoint). */
export const redirectRefused = (e: ResponseRefused.RedirectRefused): Problem => ({
  tag: e._tag,
  code: ExitCode.UnexpectedResponse,
  headline: e.followed
    ? `The answer came from ${e.target}, not from ${e.endpoint} (a redirect was followed), so it was discarded.`
    : `${e.endpoint} answered ${e.status}, a redirect to ${e.target}; the app never follows one, so the key was not sent there.`,
  details: attemptsLine(e, "retried"),
  hint: "Check --endpoint: Bing never redirects, so a proxy or a wrong host answered."
})

/** A body over the client's bound. */
export const responseTooLarge = (e: ResponseRefused.ResponseTooLarge): Problem => ({
  tag: e._tag,
  code: ExitCode.UnexpectedResponse,
  headline: `The answer from ${e.endpoint} is larger than ${e.maxResponseBytes} bytes; the app stopped reading it.`,
  details: attemptsLine(e, "retried"),
  hint: "Check --endpoint: a Bing answer is about 16 KB, so a proxy or a wrong host answered."
})

/** Client options that cannot work (when a call found them, e.g. a tier's endpoint: nothing was sent). */
export const invalidClientOptions = (e: ClientOptionsError.InvalidClientOptions): Problem => ({
  tag: e._tag,
  code: ExitCode.Config,
  headline: `Invalid ${e.option === "endpoint" ? "endpoint" : `option ${e.option}`}: ${e.detail}.`,
  details: attemptsLine(e, "retried"),
  hint: e.option === "endpoint" ? "Use a base URL such as https://api.bing.microsoft.com." : "Fix the option."
})

/** Bad settings (tiers file, store spec, numbers). */
export const invalidSettings = (e: InvalidSettings): Problem => ({
  tag: e._tag,
  code: ExitCode.Config,
  headline: `${e.setting}: ${e.detail}.`,
  details: [],
  hint: "See bing-search --help for the expected format."
})

// ---------------------------------------------------------------------------------------------

/** Everything a command may fail with. */
export type AppError =
  | BingClient.AnyBingError
  | TransportError.RequestTimeout
  | TransportError.ConnectionFailed
  | ResponseRefused.RedirectRefused
  | ResponseRefused.ResponseTooLarge
  | QuotaError.QuotaError
  | ClientOptionsError.InvalidClientOptions
  | InvalidSettings
  | MissingKey

/**
 * The lines printed for a problem (stderr). With `columns`, each line wraps at that width (its
 * continuation lines indented under it); without, every fact stays on one line.
 */
export const render = (
  p: Problem,
  layout: { readonly columns?: number | undefined; readonly palette?: Screen.Palette | undefined } = {}
): string => {
  const colour = layout.palette ?? Screen.palette(false)
  const line = (text: string, indent: string, hang: string) =>
    layout.columns === undefined
      ? indent + text
      : Screen.wrap(text, Math.max(10, layout.columns - hang.length), hang).slice(hang.length - indent.length)
  return [
    colour.red(line(`error [${p.tag}] ${p.headline}`, "", "  ")),
    ...p.details.map((d) => line(d, "  ", "    ")),
    line(`what to do: ${p.hint}`, "  ", "    "),
    `  (exit code ${p.code})`
  ].join("\n")
}

/** `render` for stderr: wrapped at its width when that is known (a terminal), coloured as it allows. */
export const renderForStderr = (p: Problem): string => {
  const width = Screen.width(process.stderr)
  return render(p, { columns: width.known ? width.columns : undefined, palette: Screen.stderr() })
}

/**
 * A problem as the JSON object `--json` prints on stdout: `{ "error": { tag, message, exitCode,
 * details, hint } }`, built from the same fields as the message (so never a key).
 */
export const toJson = (p: Problem): string =>
  JSON.stringify(
    { error: { tag: p.tag, message: p.headline, exitCode: p.code, details: p.details, hint: p.hint } },
    null,
    2
  )

/** How a failure is reported: with `json`, its JSON object on stdout as well as the message on stderr. */
export interface Report {
  readonly json?: boolean | undefined
}

/** Prints a problem on stderr (and with `json` its object on stdout) and ends the run with its exit code. */
export const fail = (p: Problem, report: Report = {}): Effect.Effect<never, CliExit> =>
  Effect.andThen(
    Effect.sync(() => {
      process.stderr.write(`${renderForStderr(p)}\n`)
      // stdout may be closed (| head): the exit code says the rest
      if (report.json === true) Output.guard(process.stdout)
      if (report.json === true && !process.stdout.destroyed) process.stdout.write(`${toJson(p)}\n`)
    }),
    Effect.fail(new CliExit({ code: p.code }))
  )

/**
 * Turns every typed failure into its message on stderr and its exit code, one handler per tag.
 * `context` is read when the failure happens (so it sees the events of the run).
 */
export const handle = <A, R>(
  effect: Effect.Effect<A, AppError | CliExit, R>,
  context: () => Context,
  report: Report = {}
): Effect.Effect<A, CliExit, R> => {
  const failed = (p: Problem) => fail(p, report)
  return effect.pipe(
    Effect.catchTags({
      InvalidRequest: (e) => failed(invalidRequest(e, context())),
      InvalidAuthorization: (e) => failed(invalidAuthorization(e, context())),
      InsufficientAuthorization: (e) => failed(insufficientAuthorization(e)),
      QuotaExhausted: (e) => failed(bingQuotaExhausted(e, context())),
      QuotaError: (e) => failed(quotaError(e, context())),
      RateLimited: (e) => failed(rateLimited(e, context())),
      EmptyResponse: (e) => failed(emptyResponse(e, context())),
      ServerError: (e) => failed(serverError(e, context())),
      NotFound: (e) => failed(notFound(e)),
      ServiceRetired: (e) => failed(serviceRetired(e, context())),
      UnexpectedResponse: (e) => failed(unexpectedResponse(e)),
      RequestTimeout: (e) => failed(requestTimeout(e, context())),
      ConnectionFailed: (e) => failed(connectionFailed(e, context())),
      RedirectRefused: (e) => failed(redirectRefused(e)),
      ResponseTooLarge: (e) => failed(responseTooLarge(e)),
      InvalidClientOptions: (e) => failed(invalidClientOptions(e)),
      InvalidSettings: (e) => failed(invalidSettings(e)),
      MissingKey: (e) => failed(missingKey(e))
    })
  )
}
