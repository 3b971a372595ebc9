/**
 * The history routes (behind the admin token, checked by `ops.ts`):
 *
 * - `GET /_gateway/history`: the history document (`historyDocument.ts`), 503 when the tier
 *   chain's status does not answer.
 * - `GET /_gateway/history/stream`: `text/event-stream`, one `event: history` with the same
 *   document every `streamInterval` (2 s). Bounded: at most `maxStreams` at once (503 beyond),
 *   each for at most `streamLifetime` (then it ends, and `EventSource` reconnects after the
 *   `retry` it was given); every stream ends when the gateway stops, before the server drains.
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { HttpServerResponse } from "effect/http"
import * as Stream from "effect/Stream"
import type { History } from "./history.js"

export const paths = {
  history: "/_gateway/history",
  stream: "/_gateway/history/stream"
} as const

export const streamInterval: Duration.Duration = Duration.seconds(2)
export const streamLifetime: Duration.Duration = Duration.minutes(10)
export const maxStreams = 8

const headers = { "cache-control": "no-store" }

export interface HistoryRoutes {
  readonly document: Effect.Effect<HttpServerResponse.HttpServerResponse>
  readonly stream: Effect.Effect<HttpServerResponse.HttpServerResponse>
}

const unavailable = () =>
  HttpServerResponse.jsonUnsafe({ error: "store unavailable", reason: "the quota status did not answer" }, {
    status: 503,
    headers
  })

export const make = (history: History): Effect.Effect<HistoryRoutes> =>
  Effect.sync(() => {
    let open = 0
    const encoder = new TextEncoder()
    const frames = Stream.tick(streamInterval).pipe(
      Stream.mapEffect(() => history.document),
      Stream.map((doc) =>
        encoder.encode(
          doc === undefined ? `event: unavailable\ndata: {}\n\n` : `event: history\ndata: ${JSON.stringify(doc)}\n\n`
        )
      ),
      Stream.take(Math.floor(Duration.toMillis(streamLifetime) / Duration.toMillis(streamInterval))),
      Stream.interruptWhen(Deferred.await(history.stopped))
    )
    const stream = Effect.suspend(() => {
      if (open >= maxStreams) {
        return Effect.succeed(
          HttpServerResponse.jsonUnsafe({ error: "too many history streams", maxStreams }, {
            status: 503,
            headers: { ...headers, "retry-after": "10" }
          })
        )
      }
      open++
      const body = Stream.concat(
        Stream.make(encoder.encode(`retry: ${Duration.toMillis(streamInterval)}\n\n`)),
        frames
      ).pipe(Stream.ensuring(Effect.sync(() => open--)))
      return Effect.succeed(HttpServerResponse.stream(body, {
        contentType: "text/event-stream",
        headers: { ...headers, "x-accel-buffering": "no" }
      }))
    })
    const document = Effect.map(
      history.document,
      (doc) => doc === undefined ? unavailable() : HttpServerResponse.jsonUnsafe(doc, { status: 200, headers })
    )
    return { document, stream }
  })
