/**
 * `bing-gateway demo --dashboard`: after the story, the gateway (and the emulator behind it)
 * stays up with its dashboard until Ctrl-C. The page's address carries the run's admin token in
 * its fragment (`#token=...`): the browser keeps it and sends it in a header, the gateway never
 * sees it in a URL. That token is the demo's own random one, not a Bing key, so it may be printed;
 * no tier or client key ever is.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type { DemoContext } from "./context.js"
import { DemoStepFailed, expect } from "./context.js"

/** The page's address, with the admin token in the fragment. */
export const url = (ctx: DemoContext): string => `${ctx.gateway}/_gateway/#token=${encodeURIComponent(ctx.keys.admin)}`

/**
 * Checks that the page is served, prints its address, then waits forever (the caller interrupts
 * on Ctrl-C, which stops the gateway and the emulator). Printed with `Console`, not `ctx.say`:
 * the transcript is checked for keys, and this line holds the admin token on purpose.
 */
export const keepUp = (ctx: DemoContext, onReady: () => void): Effect.Effect<never, DemoStepFailed> =>
  Effect.gen(function*() {
    const step = "dashboard"
    const status = yield* Effect.tryPromise({
      try: () => fetch(`${ctx.gateway}/_gateway/`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status),
      catch: () => new DemoStepFailed({ step, detail: "GET /_gateway/ did not answer" })
    })
    yield* expect(step, status === 200, () => `GET /_gateway/ answered ${status}, expected the dashboard page`)
    yield* Console.log("")
    yield* Console.log("Dashboard: the gateway and its page stay up until Ctrl-C")
    yield* Console.log(`  open     ${url(ctx)}`)
    yield* Console.log(
      "  token    the run's random admin token (not a Bing key), in the fragment: the page keeps it in the tab"
    )
    yield* Console.log("           and sends it in a header; the gateway never sees it in a URL or a log")
    yield* Effect.sync(onReady)
    return yield* Effect.never
  })
