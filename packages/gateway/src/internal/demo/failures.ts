/**
 * The answers a caller gets when the gateway itself says no, each Bing's own: a bad parameter
 * (400, before anything is counted or sent upstream), an unknown key (401), and a tenant over its
 * per-second limit (429 with `Retry-After`). The fourth, every tier out (403), is part of the
 * quota story.
 */
import * as Effect from "effect/Effect"
import { call, status } from "./caller.js"
import type { Answer } from "./caller.js"
import type { DemoContext } from "./context.js"
import { expect } from "./context.js"

const expectAnswer = (step: string, answer: Answer, code: number, error: string) =>
  expect(
    step,
    answer.status === code && answer.error === error && answer.log?.tier === null,
    () =>
      `expected ${code} ${error} from the gateway itself, got ${answer.status} ${answer.summary} (tier ${
        answer.log?.tier ?? "-"
      })`
  )

/** The requests the upstream saw and S15's day usage, to show that nothing was spent. */
const spent = (ctx: DemoContext, step: string) =>
  Effect.gen(function*() {
    const upstream = (yield* ctx.emulator.usageAll).reduce((n, k) => n + k.served + k.throttled, 0)
    const s = yield* status(ctx, step)
    const used = s.tiers.flatMap((t) => t.windows.filter((w) => w.window === "day").map((w) => w.used))
    return `${upstream} upstream requests, ${used.join("+")} quota used`
  })

/** 5. A bad parameter: Bing's 400 from the gateway itself; nothing counted, nothing sent. */
export const badParameter = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const step = "bad parameter"
    yield* ctx.say()
    yield* ctx.say("5. A bad parameter")
    const before = yield* spent(ctx, step)
    const answer = yield* call(ctx, step, { path: "/v7.0/search?q=sailing&count=abc", key: ctx.keys.app, as: "app" })
    yield* expectAnswer(step, answer, 400, "InvalidRequest/ParameterInvalidValue")
    const after = yield* spent(ctx, step)
    yield* ctx.say(`  check    before: ${before}; after: ${after}`)
    yield* expect(step, before === after, () => "the bad request was counted or sent upstream")
  })

/** 6. A key the gateway does not know: Bing's 401, nothing sent upstream. */
export const unknownKey = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const step = "unknown key"
    yield* ctx.say()
    yield* ctx.say("6. A key the gateway does not know")
    const answer = yield* call(ctx, step, {
      path: "/v7.0/search?q=sailing",
      key: ctx.keys.unknown,
      as: "an unknown key"
    })
    yield* expectAnswer(step, answer, 401, "InvalidAuthorization/AuthorizationMissing")
  })

/** 7. A tenant over its own per-second limit: Bing's 429 with Retry-After. */
export const tenantLimited = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const step = "tenant over its per-second limit"
    yield* ctx.say()
    yield* ctx.say("7. The client \"limited\" (1 request a second) sends two requests in a row")
    const request = { path: "/v7.0/search?q=sailing", key: ctx.keys.limited, as: "limited" }
    const first = yield* call(ctx, step, request)
    yield* expect(step, first.status === 200, () => `expected the first request to be served, got ${first.status}`)
    const second = yield* call(ctx, step, request)
    yield* expectAnswer(step, second, 429, "RateLimitExceeded")
    yield* expect(
      step,
      second.retryAfter !== undefined && second.retryAfter >= 1 && second.retryAfter <= 2,
      () => `expected Retry-After: 1, got ${second.retryAfter ?? "none"}`
    )
  })
