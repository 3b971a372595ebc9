/**
 * The exit codes of `bing-search`: one per class of failure, so scripts can branch on them, and
 * the error that carries a code to `NodeRuntime.runMain` once the app has printed its message.
 */
import * as Data from "effect/Data"
import * as Runtime from "effect/Runtime"

/** Every exit code, by class of failure. */
export const ExitCode = {
  Ok: 0,
  Internal: 1,
  Usage: 2,
  Config: 3,
  InvalidParameter: 10,
  Unauthorized: 11,
  Forbidden: 12,
  QuotaExhausted: 13,
  RateLimited: 14,
  HttpsRequired: 15,
  EmptyResponse: 16,
  ServerError: 17,
  Timeout: 18,
  ConnectionFailed: 19,
  NotFound: 20,
  UnexpectedResponse: 21,
  Blocked: 22,
  StoreUnavailable: 23,
  OutputFailed: 24,
  ServiceRetired: 25,
  Interrupted: 130
} as const

/** An exit code. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** The table printed by `--help` and the README: code, error tag(s), meaning. */
export const table: ReadonlyArray<readonly [ExitCode, string, string]> = [
  [ExitCode.Ok, "", "success; also when the reader of stdout stops early (| head): the app stops quietly"],
  [ExitCode.Internal, "", "unexpected internal error (a bug: please report it)"],
  [ExitCode.Usage, "CliError", "bad command line (unknown flag, missing argument, flag value of the wrong type)"],
  [
    ExitCode.Config,
    "InvalidSettings, InvalidClientOptions",
    "bad configuration: tiers file, --store, endpoint, retry options"
  ],
  [
    ExitCode.InvalidParameter,
    "InvalidRequest (400)",
    "a search parameter is missing or invalid (refused locally or by Bing)"
  ],
  [ExitCode.Unauthorized, "InvalidAuthorization (401)", "the subscription key is missing or wrong"],
  [ExitCode.Forbidden, "InsufficientAuthorization (403)", "the key is disabled or expired"],
  [
    ExitCode.QuotaExhausted,
    "QuotaExhausted (403), QuotaError/AllTiersExhausted",
    "the daily/monthly quota of every tier is used up"
  ],
  [
    ExitCode.RateLimited,
    "RateLimited (429)",
    "per-second limit: still limited after waiting, or the wait was too long"
  ],
  [
    ExitCode.HttpsRequired,
    "InvalidRequest/HttpNotAllowed (410), InsecureEndpoint",
    "plain HTTP was used (--endpoint or a tier's endpoint): Bing requires HTTPS"
  ],
  [ExitCode.EmptyResponse, "EmptyResponse (200, empty)", "Bing suspected abuse and answered with an empty body"],
  [ExitCode.ServerError, "ServerError (500)", "Bing failed on its side, still after the retries"],
  [ExitCode.Timeout, "RequestTimeout", "no complete answer in time, still after the retries"],
  [ExitCode.ConnectionFailed, "ConnectionFailed", "the endpoint could not be reached"],
  [ExitCode.NotFound, "NotFound (404)", "the URL is too long or the endpoint path is wrong"],
  [
    ExitCode.UnexpectedResponse,
    "UnexpectedResponse, RedirectRefused, ResponseTooLarge",
    "an answer that is not Bing's (proxy page, bad JSON, a redirect, a body over the size bound)"
  ],
  [ExitCode.Blocked, "InvalidRequest/Blocked", "Bing blocked the request"],
  [ExitCode.StoreUnavailable, "QuotaError/StoreUnavailable", "the quota store (SQLite file, Redis) is unavailable"],
  [ExitCode.OutputFailed, "OutputFailed", "stdout could not be written (disk full, I/O error)"],
  [
    ExitCode.ServiceRetired,
    "ServiceRetired (410 Gone)",
    "the endpoint answers that the Bing Search APIs were retired (2025-08-11): use a Bing-compatible endpoint"
  ],
  [ExitCode.Interrupted, "", "interrupted (Ctrl-C, SIGTERM)"]
]

/** The exit-code table as text, for `--help`. */
export const tableText = (): string =>
  table.map(([code, tags, meaning]) => `${String(code).padStart(5)}  ${meaning}${tags === "" ? "" : ` [${tags}]`}`)
    .join("\n  ")

/**
 * The run is over with this exit code; its message was already printed, so `runMain` neither
 * logs it nor prints a stack trace.
 */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: ExitCode }> {
  override readonly [Runtime.errorExitCode]: number
  override readonly [Runtime.errorReported] = false
  constructor(props: { readonly code: ExitCode }) {
    super(props)
    this[Runtime.errorExitCode] = props.code
  }
}
