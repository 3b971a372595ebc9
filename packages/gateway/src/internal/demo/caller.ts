/**
 * The demo's caller: a plain `fetch`, as any unmodified Bing client makes it (its key in
 * `Ocp-Apim-Subscription-Key`, the v7 path and query), and the few lines that say what it saw and
 * what the gateway did for it (the access-log line of the answer). Also the operations reads:
 * `/_gateway/status` with the admin token and `/metrics`.
 */
import * as Effect from "effect/Effect"
import type { AccessLine, DemoContext } from "./context.js"
import { DemoStepFailed } from "./context.js"

/** What the caller saw. */
export interface Answer {
  readonly status: number
  /** `Retry-After` in seconds, when the answer had one. */
  readonly retryAfter: number | undefined
  /** The Bing error code and sub-code (`"InvalidRequest/ParameterMissing"`), for an error body. */
  readonly error: string | undefined
  /** One line about the body: `"SearchResponse, 3 web pages"`. */
  readonly summary: string
  /** The access-log line the gateway wrote for this answer. */
  readonly log: AccessLine | undefined
}

/** Every request of the demo is bounded: a hung gateway fails the step instead of the run. */
const timeoutMs = 5_000

const fetchText = (ctx: DemoContext, step: string, path: string, headers: Record<string, string>) =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(`${ctx.gateway}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) })
      const text = await response.text()
      ctx.transcript.push(`${response.status} ${JSON.stringify([...response.headers])} ${text}`)
      return { response, text }
    },
    catch: (cause) =>
      new DemoStepFailed({
        step,
        detail: `GET ${path.split("?")[0]} did not answer: ${cause instanceof Error ? cause.message : "unknown error"}`
      })
  })

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** The few fields of a Bing body the demo reads (whatever the upstream sent: every one may be absent). */
interface BingBody {
  readonly _type?: unknown
  readonly webPages?: { readonly value?: ReadonlyArray<unknown> | undefined } | undefined
  readonly value?: ReadonlyArray<unknown> | undefined
  readonly errors?:
    | ReadonlyArray<
      { readonly code?: unknown; readonly subCode?: unknown; readonly message?: unknown; readonly parameter?: unknown }
    >
    | undefined
}

/** One line about a Bing body, and its error code if it is an ErrorResponse. */
const describe = (text: string): { readonly summary: string; readonly error: string | undefined } => {
  let body: BingBody
  try {
    body = JSON.parse(text) as BingBody
  } catch {
    return { summary: text === "" ? "empty body" : "a body that is not JSON", error: undefined }
  }
  switch (body._type) {
    case "SearchResponse":
      return {
        summary: `SearchResponse, ${plural(body.webPages?.value?.length ?? 0, "web page")}`,
        error: undefined
      }
    case "Images":
      return { summary: `Images, ${plural(body.value?.length ?? 0, "image")}`, error: undefined }
    case "ErrorResponse": {
      const first = body.errors?.[0] ?? {}
      const code = [first.code, first.subCode].filter((c) => typeof c === "string").join("/")
      const parameter = typeof first.parameter === "string" ? ` (parameter ${first.parameter})` : ""
      return { summary: `ErrorResponse ${code}: ${String(first.message ?? "")}${parameter}`, error: code }
    }
    default:
      return { summary: typeof body._type === "string" ? body._type : "a JSON body", error: undefined }
  }
}

/**
 * Sends `GET path` to the gateway with a client key (`as` names whose, for the printed line; the
 * key itself is never printed), prints what the caller saw and what the gateway did.
 */
export const call = (
  ctx: DemoContext,
  step: string,
  request: { readonly path: string; readonly key: string; readonly as: string }
): Effect.Effect<Answer, DemoStepFailed> =>
  Effect.gen(function*() {
    const before = ctx.accessLog().length
    const { response, text } = yield* fetchText(ctx, step, request.path, {
      "Ocp-Apim-Subscription-Key": request.key
    })
    const header = response.headers.get("retry-after")
    const retryAfter = header === null ? undefined : Number(header)
    const { summary, error } = describe(text)
    // the gateway writes its line before it answers; one request at a time, so it is the last one
    const log = ctx.accessLog().length > before ? ctx.accessLog().at(-1) : undefined
    yield* ctx.say(
      `  caller   ${request.as}: GET ${request.path}  ->  ${response.status} ${summary}${
        retryAfter === undefined ? "" : `; Retry-After: ${header}`
      }`
    )
    yield* ctx.say(
      `  gateway  ${
        log === undefined
          ? "(no access-log line)"
          : `${log.outcome}${log.tier === null ? ", nothing sent upstream" : `, upstream tier ${log.tier}`}`
      }`
    )
    return { status: response.status, retryAfter, error, summary, log }
  })

/** One window of a tier in the status document. */
export interface StatusWindow {
  readonly window: string
  readonly used: number
  readonly limit: number
  readonly resetsAt: string
}

/** The part of `/_gateway/status` the demo reads. */
export interface Status {
  readonly activeTier: string | null
  readonly tiers: ReadonlyArray<{
    readonly name: string
    readonly exhausted: boolean
    readonly windows: ReadonlyArray<StatusWindow>
  }>
  readonly switches: ReadonlyArray<
    { readonly from: string; readonly to: string; readonly reason: string; readonly message: string }
  >
}

/** `GET /_gateway/status` with the admin token. */
export const status = (ctx: DemoContext, step: string): Effect.Effect<Status, DemoStepFailed> =>
  Effect.flatMap(
    fetchText(ctx, step, "/_gateway/status", { Authorization: `Bearer ${ctx.keys.admin}` }),
    ({ response, text }) =>
      response.status === 200
        ? Effect.try({
          try: () => JSON.parse(text) as Status,
          catch: () => new DemoStepFailed({ step, detail: "/_gateway/status did not answer JSON" })
        })
        : Effect.fail(new DemoStepFailed({ step, detail: `/_gateway/status answered ${response.status}` }))
  )

/** The lines of `GET /metrics` that start with one of `names` (samples only, no comments). */
export const metrics = (
  ctx: DemoContext,
  step: string,
  names: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, DemoStepFailed> =>
  Effect.flatMap(fetchText(ctx, step, "/metrics", {}), ({ response, text }) =>
    response.status === 200
      ? Effect.succeed(
        text.split("\n").filter((line) =>
          names.some((name) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
        )
      )
      : Effect.fail(new DemoStepFailed({ step, detail: `/metrics answered ${response.status}` })))

/** `"S15 day 5/5 (exhausted), S16 day 0/5"` and the active tier, from the status document. */
export const showStatus = (s: Status): string =>
  `active tier ${s.activeTier ?? "none"}; ${
    s.tiers.map((tier) =>
      `${tier.name} ${
        tier.windows.filter((w) => w.window !== "second").map((w) =>
          `${w.window} ${w.used}/${w.limit}`
        ).join(" ")
      }${tier.exhausted ? " (exhausted)" : ""}`
    ).join(", ")
  }`
