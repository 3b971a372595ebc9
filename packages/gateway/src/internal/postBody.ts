/**
 * A forwarded `POST`'s body (Spell Check's form, Visual Search's multipart), read whole before
 * anything is spent: at most the path's limit (a larger body is Bing's 400 and is drained, not
 * kept) and within a deadline (a caller that stalls mid-body gets Bing's 400 instead of holding a
 * connection and a request slot). The bytes go upstream as they came (the client's `forward`
 * drops a form's `subscription-key` fields, as it does the query's).
 */
import type { Forward } from "@bing-effect/client"
import { BingError } from "@bing-effect/schema"
import * as ByteSize from "effect/ByteSize"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { HttpIncomingMessage } from "effect/http"
import type { HttpServerRequest } from "effect/http"

/** What a body that cannot be used is answered (the parameter Bing would name). */
const unusable = (contentType: string): BingError.InvalidRequest =>
  BingError.parameterInvalidValue(contentType.toLowerCase().startsWith("multipart/") ? "image" : "text", "")

/** Reads the body of `request`: at most `limit` bytes, within `timeoutMs`. */
export const read = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number,
  timeoutMs: number
): Effect.Effect<Forward.ForwardBody, BingError.InvalidRequest> => {
  const contentType = request.headers["content-type"] ?? "application/octet-stream"
  const reading = request.arrayBuffer.pipe(
    Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(limit)),
    Effect.mapError(() => unusable(contentType))
  )
  // The read runs in a fiber of its own and the deadline stops the wait, not the read: an
  // interrupted read destroys the request stream, and with it the socket, before the 400 is sent.
  // The server's adapter tears the unread body down once the answer is written, which ends it.
  return Effect.forkDetach(reading).pipe(
    Effect.flatMap((fiber) =>
      Effect.timeoutOrElse(Fiber.join(fiber), { duration: timeoutMs, orElse: () => Effect.fail(unusable(contentType)) })
    ),
    Effect.map((buffer) => ({ bytes: new Uint8Array(buffer), contentType }))
  )
}
