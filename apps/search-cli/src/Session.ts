/**
 * One run's wiring: the quota store chosen by `--store`, a quota tracker over the configured
 * tiers, a Bing client that goes through that tracker, and a subscription to the tracker's
 * events so the app can say when it switched tiers or crossed a threshold; and the
 * `X-MSEdge-ClientID` kept from the last run (`ClientIdFile`), sent until Bing returns one, and
 * kept again at the end.
 */
import { BingClient } from "@bing-effect/client"
import type { InvalidClientOptions } from "@bing-effect/client"
import { QuotaTracker, StoreSpec } from "@bing-effect/quota-tracker"
import type { QuotaError, QuotaEvent } from "@bing-effect/quota-tracker"
import * as Effect from "effect/Effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ClientIdFile from "./ClientIdFile.js"
import * as Output from "./Output.js"
import type { Settings } from "./Settings.js"
import { version } from "./Version.js"

/** The user agent the client sends. */
export const userAgent = `bing-search/${version} (+https://github.com/bing-effect)`

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
 * A fetch HttpClient that sends the kept `X-MSEdge-ClientID` on requests that have none. The
 * client sends the id Bing returned in this run itself (a header already there is left alone), so
 * this only seeds the first call; the client's options stay as they are.
 */
const withClientId = (id: string): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      const http = yield* HttpClient.HttpClient
      return HttpClient.mapRequest(http, (request) =>
        request.headers["x-msedge-clientid"] === undefined
          ? HttpClientRequest.setHeader(request, "x-msedge-clientid", id)
          : request)
    })
  ).pipe(Layer.provide(FetchHttpClient.layer))

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
    const file = settings.clientIdFile
    const kept = file === undefined ? undefined : ClientIdFile.read(file)
    const client = yield* BingClient.makeWithQuota({ ...clientOptions(settings), ...options.client }).pipe(
      Effect.provideService(QuotaTracker.QuotaTracker, tracker),
      Effect.provide(kept === undefined ? FetchHttpClient.layer : withClientId(kept))
    )
    if (file !== undefined) {
      // at the end of the run, the id Bing gave (it may have changed it, or handed out a first one)
      yield* Effect.addFinalizer(() =>
        Effect.flatMap(client.clientId(), (id) => {
          if (Option.isNone(id) || id.value === kept || !ClientIdFile.isId(id.value)) return Effect.void
          const failed = ClientIdFile.write(file, id.value)
          return failed === undefined
            ? Effect.void
            : Output.printErr(
              `note: could not keep the client id in ${file} (${failed}); --client-id-file off stops trying`
            )
        })
      )
    }
    return { settings, tracker, client, events }
  })
