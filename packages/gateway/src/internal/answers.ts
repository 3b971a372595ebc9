/**
 * Every answer the gateway gives by itself, as Bing would send it: the error bodies come from
 * `@bing-effect/schema`'s encoder (the emulator's too), never written here by hand. Answers that
 * do not vary are encoded once.
 */
import type { QuotaError } from "@bing-effect/quota-tracker"
import { BingError, BingResponse } from "@bing-effect/schema"
import { HttpServerResponse } from "effect/http"
import { randomBytes } from "node:crypto"

/** What the gateway answers for an upstream that failed it, and for a quota store that did not answer. */
export const Details = Object.freeze({
  upstream: "The upstream Bing endpoint did not give a usable answer.",
  retired:
    "The upstream endpoint answers that the Bing Search APIs were retired (410 Gone): the gateway's upstream must be changed.",
  store: "The quota store did not answer.",
  internal: "The gateway failed unexpectedly."
})

/** 500 `ServerError`/`ResourceError`: something the request needs (the upstream, the store) failed. */
export const resourceError = (moreDetails: string): BingError.ServerError =>
  new BingError.ServerError({
    status: 500,
    errors: [{ code: "ServerError", subCode: "ResourceError", message: BingError.Messages.ResourceError, moreDetails }],
    subCode: "ResourceError"
  })

/** 500 `ServerError`/`UnexpectedError`: a defect of the gateway. */
export const unexpectedError = (): BingError.ServerError =>
  new BingError.ServerError({
    status: 500,
    errors: [{
      code: "ServerError",
      subCode: "UnexpectedError",
      message: BingError.Messages.UnexpectedError,
      moreDetails: Details.internal
    }],
    subCode: "UnexpectedError"
  })

/** The answer to a tracker's refusal: 403 for a day or month, 429 for the per-second rate. */
export const ofQuotaError = (error: QuotaError.QuotaError): BingError.BingError => {
  const reason = error.reason
  switch (reason._tag) {
    case "AllTiersExhausted":
      return reason.window === "second"
        ? BingError.rateLimited(reason.retryAfter)
        : BingError.quotaExhausted(reason.window, reason.retryAfter)
    case "RateLimitExceeded":
      return BingError.rateLimited(reason.retryAfter)
    case "StoreUnavailable":
      return resourceError(Details.store)
    case "InvalidOptions":
      return unexpectedError()
  }
}

/** Trace ids of the gateway's own answers, in the shape of Bing's (upper-case hex). */
export const traceIds = (): () => string => {
  const prefix = randomBytes(10).toString("hex").toUpperCase()
  let seq = 0
  return () => prefix + (++seq).toString(16).toUpperCase().padStart(12, "0")
}

/** The response of an encoded error, with this request's trace id. */
export const respond = (error: BingError.BingError, traceId: string): HttpServerResponse.HttpServerResponse => {
  const wire = BingResponse.encodeError(error, { traceId })
  let contentType: string | undefined
  const headers: Record<string, string> = {}
  for (const name in wire.headers) {
    if (name.toLowerCase() === "content-type") contentType = wire.headers[name]
    else headers[name] = wire.headers[name]!
  }
  return contentType === undefined
    ? HttpServerResponse.empty({ status: wire.status, headers })
    : HttpServerResponse.text(wire.body, { status: wire.status, headers, contentType })
}

/** The 404 of a path that is not Bing's (Bing's own 404: an empty body). */
export const notFound = (traceId: string, allow?: string): HttpServerResponse.HttpServerResponse => {
  const response = respond(BingError.notFound(), traceId)
  return allow === undefined ? response : HttpServerResponse.setHeader(response, "Allow", allow)
}
