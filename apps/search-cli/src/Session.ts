/**
 * One run's wiring: the quota store chosen by `--store`, a quota tracker over the configured
 * tiers, a Bing client that goes through that tracker, and a subscription to the tracker's
 * events so the app can say when it switched tiers or crossed a threshold.
 */
import { BingClient } from "@bing-effect/client"
import type { InvalidClientOptions } from "@bing-effect/client"
import { QuotaTracker, StoreSpec } from "@bing-effect/quota-tracker"
import type { QuotaError, QuotaEvent } from "@bing-effect/quota-tracker"
import * as Effect from "effect/Effect"
import { FetchHttpClient } from "effect/http"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Settings } from "./Settings.js"

/** The user agent the client sends. */
export const userAgent = "bing-search/0.1.0 (+https://github.com/bing-effect)"

/** A running session. */
export interface Session {
  readonly settings: Settings
  readonly tracker: QuotaTracker.Service
  readonly client: BingClient.Service
  /** Every tracker event of this run so far, oldest first. */
  readonly events: ReadonlyArray<QuotaEvent.QuotaEvent>
}

/** Client options from settings (the keys come from the tracker's tiers). */
export const clientOptions = (settings: Settings): BingClient.Options => ({
  endpoint: settings.endpoint,
  allowInsecureLoopback: settings.allowInsecureLoopback,
  userAgent,
  timeout: settings.timeoutMs,
  retry: { maxAttempts: settings.maxAttempts, maxRetryAfter: settings.maxWaitMs }
})

/**
 * Builds the store, the tracker and the client, and starts collecting the tracker's events
 * (`onEvent` runs for each one as it happens).
 */
export const make = (
  settings: Settings,
  options: {
    readonly tracker?: Partial<QuotaTracker.Options> | undefined
    readonly client?: Partial<BingClient.Options> | undefined
    readonly onEvent?: ((event: QuotaEvent.QuotaEvent) => Effect.Effect<void>) | undefined
  } = {}
): Effect.Effect<Session, QuotaError.QuotaError | InvalidClientOptions.InvalidClientOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const store = yield* Layer.build(StoreSpec.layer(settings.store))
    const tracker = yield* QuotaTracker.make({ tiers: settings.tiers, ...options.tracker }).pipe(
      Effect.provideContext(store)
    )
    const events: Array<QuotaEvent.QuotaEvent> = []
    const onEvent = options.onEvent
    yield* tracker.events.pipe(
      Stream.runForEach((event) => {
        events.push(event)
        return onEvent === undefined ? Effect.void : onEvent(event)
      }),
      Effect.forkScoped({ startImmediately: true })
    )
    const client = yield* BingClient.makeWithQuota({ ...clientOptions(settings), ...options.client }).pipe(
      Effect.provideService(QuotaTracker.QuotaTracker, tracker),
      Effect.provide(FetchHttpClient.layer)
    )
    return { settings, tracker, client, events }
  })
