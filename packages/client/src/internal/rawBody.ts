/**
 * Reads a response body as bytes within a bound, for raw forwarding (`internal/body.ts` reads
 * text for the decoders). A body whose `Content-Length` is within the bound and that is not
 * compressed is read at once; any other is read as a stream, counted after decompression, and
 * cancelled (closing the connection) as soon as it passes the bound.
 */
import * as Effect from "effect/Effect"
import type { Headers, HttpClientError, HttpClientResponse } from "effect/http"
import * as Stream from "effect/Stream"
import { discard } from "./body.js"

const digits = /^\d{1,15}$/

const empty = new Uint8Array(0)

/** Reads the body as bytes, failing with `tooLarge()` past `max` bytes. */
export const read = <E>(
  response: HttpClientResponse.HttpClientResponse,
  headers: Headers.Headers,
  max: number,
  tooLarge: () => E
): Effect.Effect<Uint8Array, E | HttpClientError.HttpClientError> => {
  const length = headers["content-length"]
  const encoding = headers["content-encoding"]
  if (length !== undefined && digits.test(length) && (encoding === undefined || encoding === "identity")) {
    if (Number(length) > max) return Effect.andThen(discard(response), Effect.fail(tooLarge()))
    if (length === "0") return Effect.andThen(discard(response), Effect.succeed(empty))
    return Effect.map(response.arrayBuffer, (buffer) => new Uint8Array(buffer))
  }
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let total = 0
    const consume = Stream.runForEachArray(response.stream, (batch) => {
      for (const chunk of batch) {
        total += chunk.byteLength
        if (total > max) return Effect.fail(tooLarge())
        chunks.push(chunk)
      }
      return Effect.void
    })
    return consume.pipe(
      Effect.map(() => concat(chunks, total)),
      Effect.catchIf(
        (e): e is HttpClientError.HttpClientError => isEmptyBody(e),
        () => Effect.succeed(empty)
      )
    )
  })
}

const concat = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}

const isEmptyBody = (e: unknown): boolean =>
  typeof e === "object" && e !== null &&
  (e as { readonly reason?: { readonly _tag?: unknown } }).reason?._tag === "EmptyBodyError"
