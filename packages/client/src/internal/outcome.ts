/**
 * The one mapping from what an attempt ended with to the quota tracker's `Outcome`: the tracker
 * learns from it whether the server counted the request (the count stands), refused it for the
 * rate or the quota (the tier is held or exhausted), or never counted it (the count is refunded).
 * It decides nothing about retrying: that is each error's `isRetryable`.
 */
import type { Outcome } from "@bing-effect/quota-tracker"
import type { BingError } from "@bing-effect/schema"
import type { InvalidClientOptions } from "../InvalidClientOptions.js"
import type { RedirectRefused, ResponseTooLarge } from "../ResponseRefused.js"
import type { ConnectionFailed, RequestTimeout } from "../TransportError.js"

/** Every error one attempt can end with. */
export type AttemptError =
  | BingError.BingError
  | RequestTimeout
  | ConnectionFailed
  | RedirectRefused
  | ResponseTooLarge
  | InvalidClientOptions

/** The outcome of an answered attempt: shared, it never changes. */
export const success: Outcome.Outcome = { _tag: "Success" }

const failed: Outcome.Outcome = { _tag: "Failed" }

/**
 * The tracker's outcome of a failed attempt, or `undefined` when the server may have counted the
 * request and there is nothing to correct (a 200 that could not be used, a timeout, a connection
 * lost while the answer was coming).
 */
export const ofError = (error: AttemptError): Outcome.Outcome | undefined => {
  switch (error._tag) {
    case "RateLimited":
      return { _tag: "RateLimited", retryAfterMs: error.retryAfterMs }
    case "QuotaExhausted":
      return { _tag: "QuotaExhausted", window: error.window, retryAfterMs: error.retryAfterMs }
    // A request whose response started (or timed out) may have been counted by the server.
    case "RequestTimeout":
      return undefined
    case "ConnectionFailed":
      return error.phase === "response" ? undefined : failed
    // Refused before anything was sent, or a redirect: the server counted nothing of ours.
    case "RedirectRefused":
    case "InvalidClientOptions":
      return failed
    // Any other answer from the server (an error of Bing's, a body too large, an empty or
    // unreadable 200): Bing counts what it answers with 200.
    default:
      return error.status === 200 ? undefined : failed
  }
}

/** Whether the attempt sent (or at least started) a request: not for a refusal before sending. */
export const wasSent = (error: AttemptError): boolean =>
  error._tag === "InvalidClientOptions" ? false : error._tag === "InvalidRequest" ? error.local !== true : true
