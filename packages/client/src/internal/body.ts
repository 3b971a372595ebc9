/**
 * Reads a response body within a bound. A body whose `Content-Length` is within the bound and
 * that is not compressed is read at once (the HTTP parser stops at that length: the common case,
 * and the fast one). Any other body is read as a stream and counted chunk by chunk after
 * decompression; past the bound the stream is cancelled, which closes the connection, and the
 * read fails at once.
 */
import * as Effect from "effect/Effect"
import type { Headers, HttpClientError, HttpClientResponse } from "effect/http"
import * as Stream from "effect/Stream"

const digits = /^\d{1,15}$/

/** Reads the body as text, failing with `tooLarge()` past `max` bytes (`headers`: the response's, read once by the caller). */
export const read = <E>(
  response: HttpClientResponse.HttpClientResponse,
  headers: Headers.Headers,
  max: number,
  tooLarge: () => E
): Effect.Effect<string, E | HttpClientError.HttpClientError> => {
  const length = headers["content-length"]
  const encoding = headers["content-encoding"]
  if (length !== undefined && digits.test(length) && (encoding === undefined || encoding === "identity")) {
    return Number(length) <= max ? response.text : Effect.andThen(discard(response), Effect.fail(tooLarge()))
  }
  return counted(response, max, tooLarge)
}

const counted = <E>(
  response: HttpClientResponse.HttpClientResponse,
  max: number,
  tooLarge: () => E
): Effect.Effect<string, E | HttpClientError.HttpClientError> =>
  Effect.suspend(() => {
    const decoder = new TextDecoder()
    let text = ""
    let total = 0
    const consume = Stream.runForEachArray(response.stream, (chunks) => {
      for (const chunk of chunks) {
        total += chunk.byteLength
        // Failing the stream cancels its source: the connection is closed, nothing more is read.
        if (total > max) return Effect.fail(tooLarge())
        text += decoder.decode(chunk, { stream: true })
      }
      return Effect.void
    })
    return consume.pipe(
      Effect.map(() => text + decoder.decode()),
      // No body at all (a runtime that gives none for an empty answer): the empty text.
      Effect.catchIf(
        (e): e is HttpClientError.HttpClientError => isEmptyBody(e),
        () => Effect.succeed("")
      )
    )
  })

const isEmptyBody = (e: unknown): boolean =>
  typeof e === "object" && e !== null &&
  (e as { readonly reason?: { readonly _tag?: unknown } }).reason?._tag === "EmptyBodyError"

/** Drops a body without reading it: cancels the stream, which closes the connection. */
export const discard = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Stream.runForEachArray(response.stream, () => Effect.fail("stop" as const)).pipe(Effect.ignore)
