/**
 * One operation of the client: its name (the span's and the metrics' word), its path, its parameter
 * codec from @bing-effect/schema (checked before any quota is spent) and its response decoder.
 * `BingClient` runs every operation through the same attempts, tiers and refusals.
 */
import type { BingError, BingResponse } from "@bing-effect/schema"
import type * as Result from "effect/Result"
import type { RequestBody } from "./multipart.js"

/** The parameter half of an operation: a check of typed input and a writer to a query string. */
export interface Codec<P> {
  readonly validate: (input: unknown) => Result.Result<P, BingError.InvalidRequest>
  readonly toQuery: (params: P) => URLSearchParams
}

/** The response half of an operation. */
export type Decoder<A> = (
  input: BingResponse.ResponseInput,
  options: { readonly now: number }
) => Result.Result<A, BingError.BingError>

/** What `BingClient` runs. */
export interface Operation<P, A> extends Codec<P> {
  readonly name: string
  readonly path: string
  readonly decode: Decoder<A>
  /**
   * Whether a query is sent as the `application/x-www-form-urlencoded` body of a POST instead of
   * in the URL of a GET (Spell Check, for text too long for a URL). Absent: always a GET.
   */
  readonly postsForm?: ((query: string) => boolean) | undefined
  /** A POST's body, built once per call from the checked parameters (absent: a GET). */
  readonly body?: ((params: P) => RequestBody) | undefined
}

/** An operation from its name, path, parameter codec and response decoder. */
export const make = <P, A>(name: string, path: string, codec: Codec<P>, decode: Decoder<A>): Operation<P, A> => ({
  name,
  path,
  validate: codec.validate,
  toQuery: codec.toQuery,
  decode
})

/** An operation sent as a POST with the body `body` builds from its checked parameters. */
export const withBody = <P, A>(op: Operation<P, A>, body: (params: P) => RequestBody): Operation<P, A> => ({
  ...op,
  body
})
