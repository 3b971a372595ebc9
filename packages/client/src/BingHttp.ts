/**
 * A lean `HttpClient` over undici (`@bing-effect/client/undici`), for Node. It is a real
 * `HttpClient.HttpClient`: anything may use it. A `BingClient` built on it sends its requests
 * through undici's `dispatch` directly, without the layers of Effect's generic HTTP client (URL
 * object, abort controller, response stream): on Node the fastest way to run the client, with the
 * same behaviour (no redirect followed, `maxResponseBytes`, the per-attempt timeout, interruption
 * aborting the request, redaction).
 *
 * undici is an optional peer dependency: install it (`npm install undici`) to use this module; the
 * package's main entry never imports it.
 *
 * @since 0.3.0
 */
import * as Effect from "effect/Effect"
import { HttpClient, HttpClientError, HttpClientResponse } from "effect/http"
import type { HttpClientRequest } from "effect/http"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"
import { Agent, type Dispatcher } from "undici"
import * as Direct from "./internal/direct.js"

/** Left to the caller's timeouts (`timeout` of the client, `Effect.timeout`), as `NodeHttpClient` does. */
const headersTimeout = 60 * 60 * 1000
const bodyTimeout = 0
const nullBodyStatuses = new Set([204, 205, 304])

/**
 * Builds an `HttpClient` that sends every request through `dispatcher` (an undici `Agent`, `Pool`,
 * `ProxyAgent`...). The dispatcher stays the caller's: it is not closed with the client.
 *
 * **Details**: redirects are not followed (a `3xx` is the response), whatever interceptors the
 * dispatcher has; response bodies are not decompressed (undici's `request` does not either).
 * HTTP upgrades are not supported.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 * import { Agent } from "undici"
 * import { BingHttp } from "@bing-effect/client/undici"
 *
 * const http = BingHttp.make(new Agent({ connections: 16 }))
 * const status = http.get("https://example.com").pipe(Effect.map((response) => response.status))
 * const viaContext = Effect.provideService(status, HttpClient.HttpClient, http)
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (dispatcher: Dispatcher): HttpClient.HttpClient => {
  const client = HttpClient.make((request, url, signal) =>
    Effect.flatMap(requestBody(request), (body) =>
      Effect.tryPromise({
        try: (): Promise<Dispatcher.ResponseData> =>
          dispatcher.request({
            origin: url.origin,
            path: url.pathname + url.search,
            method: request.method as Dispatcher.HttpMethod,
            headers: body.headers,
            // undici also takes an (async) iterable, which its types leave out
            body: body.body as NonNullable<Dispatcher.DispatchOptions["body"]> | null,
            signal,
            headersTimeout,
            bodyTimeout,
            ...noRedirects
          }),
        catch: (cause): HttpClientError.HttpClientError =>
          new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })
      }).pipe(Effect.flatMap((response) =>
        Effect.try({
          try: () => HttpClientResponse.fromWeb(request, toWeb(request, url, response)),
          // a status a Response cannot hold (outside 200-599)
          catch: (cause) => {
            response.body.destroy()
            return new HttpClientError.HttpClientError({
              reason: new HttpClientError.TransportError({ request, cause })
            })
          }
        })
      )))
  )
  const dispatch: Direct.Dispatch = (request, handler) => {
    // `maxRedirections` written in the literal (not spread from `noRedirects`): one object per request.
    const options = {
      origin: request.origin,
      path: request.path,
      method: "GET",
      headers: request.headers,
      headersTimeout,
      bodyTimeout,
      maxRedirections: 0
    } as Dispatcher.DispatchOptions
    dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler)
  }
  // The capability a `BingClient` looks for; clients derived from this one (`mapRequest`...) are
  // new objects without it, and keep their own behaviour.
  Object.defineProperty(client, Direct.TypeId, { value: dispatch })
  return client
}

/**
 * An `HttpClient` over a new undici `Agent` (configured by `options`: `connect: { ca }`,
 * `connections`, `keepAliveTimeout`...), destroyed when the layer's scope closes.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { BingClient } from "@bing-effect/client"
 * import { BingHttp } from "@bing-effect/client/undici"
 *
 * const Live = BingClient.layer({ key: Redacted.make(process.env.BING_KEY ?? "") }).pipe(
 *   Layer.provide(BingHttp.layerOptions({ connections: 32 }))
 * )
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layerOptions = (options?: Agent.Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new Agent(options)),
        (agent) => Effect.promise(() => agent.destroy())
      ),
      make
    )
  )

/**
 * An `HttpClient` over a new undici `Agent` with its default options, destroyed when the layer's
 * scope closes: the one to provide to `BingClient.layer` on Node.
 *
 * @example
 * ```ts
 * import { Effect, Layer, Redacted } from "effect"
 * import { BingClient } from "@bing-effect/client"
 * import { BingHttp } from "@bing-effect/client/undici"
 *
 * const Live = BingClient.layer({ key: Redacted.make(process.env.BING_KEY ?? "") }).pipe(
 *   Layer.provide(BingHttp.layer)
 * )
 * const program = BingClient.webSearch({ q: "effect" }).pipe(Effect.provide(Live))
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = layerOptions()

/**
 * An `HttpClient` over a dispatcher of the caller's (not closed with the layer).
 *
 * @since 0.3.0
 * @category layers
 */
export const layerDispatcher = (dispatcher: Dispatcher): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, make(dispatcher))

// Read by undici's redirect interceptor, when the dispatcher has one: 0 turns it off for the
// request. (Not in undici's types since undici 7, which moved redirects to that interceptor.)
const noRedirects = { maxRedirections: 0 } as unknown as {}

interface Body {
  readonly body: Dispatcher.DispatchOptions["body"] | AsyncIterable<Uint8Array>
  readonly headers: Record<string, string>
}

const requestBody = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Body, HttpClientError.HttpClientError> => {
  const headers = request.headers as Record<string, string>
  const body = request.body
  if (headers["upgrade"] !== undefined) {
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.TransportError({ request, description: "BingHttp does not send upgrade requests" })
      })
    )
  }
  switch (body._tag) {
    case "Empty":
      return Effect.succeed({ body: null, headers })
    case "Raw":
    case "Uint8Array":
      return Effect.succeed({ body: body.body as Body["body"], headers })
    case "FormData":
      // Encoded as fetch encodes it: the multipart body and its boundary.
      return Effect.promise(async () => {
        const encoded = new globalThis.Response(body.formData)
        return {
          body: new Uint8Array(await encoded.arrayBuffer()),
          headers: { ...headers, "content-type": encoded.headers.get("content-type") ?? "multipart/form-data" }
        }
      })
    case "Stream":
      return Effect.map(Stream.toReadableStreamEffect(body.stream), (stream) => ({
        body: stream as unknown as AsyncIterable<Uint8Array>,
        headers
      }))
  }
}

const toWeb = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  response: Dispatcher.ResponseData
): globalThis.Response => {
  const headers = new globalThis.Headers()
  for (const name in response.headers) {
    const value = response.headers[name]
    if (typeof value === "string") headers.append(name, value)
    else if (value !== undefined) { for (const v of value) headers.append(name, v) }
  }
  const empty = request.method === "HEAD" || nullBodyStatuses.has(response.statusCode)
  if (empty) response.body.resume()
  const web = new globalThis.Response(
    empty ? null : (Readable.toWeb(response.body) as unknown as globalThis.ReadableStream<Uint8Array>),
    { status: response.statusCode, statusText: response.statusText, headers }
  )
  // A constructed Response has no URL; redirects are not followed, so it is the request's.
  Object.defineProperty(web, "url", { value: url.href.split("#")[0] })
  return web
}
