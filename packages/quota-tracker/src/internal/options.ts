/**
 * The tracker's options as a `Schema`, decoded once when the tracker is built
 * into the `Settings` every other module reads: durations in milliseconds,
 * sorted thresholds, a prepared calendar. An invalid option fails with
 * `InvalidOptions` and a message naming the option; an unknown key (such as the
 * removed `storeFailure`) is an error too, not silently ignored.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as QuotaError from "../QuotaError.js"
import type { Options } from "../QuotaTracker.js"
import * as Tier from "../Tier.js"
import * as Window from "../Window.js"

export const SECOND = 1000

/** Everything the tracker's modules read from the options, validated and resolved. */
export interface Settings {
  readonly tiers: ReadonlyArray<Tier.Tier>
  /** Ascending. */
  readonly thresholds: ReadonlyArray<number>
  readonly switchAt: number
  /** Milliseconds an acquire may wait for the per-second window or a hold. */
  readonly waitBound: number
  readonly maxHold: number
  readonly defaultHold: number
  /** Time constant of the smoothed rate, at least 1 ms. */
  readonly smoothing: number
  readonly calendar: Window.Calendar
  readonly refundFailed: boolean
}

/** `Duration.Input` to milliseconds, or the message saying what is wrong with it. */
export const millisOf = (input: unknown, name: string): number | string => {
  const decoded = Duration.fromInput(input as Duration.Input)
  if (Option.isNone(decoded)) return `${name} is not a valid duration`
  const millis = Duration.toMillis(decoded.value)
  if (!(millis >= 0) || !Number.isFinite(millis)) return `${name} must be a finite, non-negative duration`
  return millis
}

/** A `Duration.Input` decoded to finite, non-negative milliseconds. */
const Millis = (name: string) =>
  Schema.Unknown.pipe(Schema.decodeTo(
    Schema.Number,
    SchemaTransformation.transformEffect({
      decode: (input: unknown) => {
        const millis = millisOf(input, name)
        return typeof millis === "string"
          ? Effect.fail(new SchemaIssue.InvalidValue({ message: millis }, input))
          : Effect.succeed(millis)
      },
      encode: (millis: number) => Effect.succeed<unknown>(millis)
    })
  ))

const Fraction = (message: (n: number) => string) =>
  Schema.Number.check(Schema.makeFilter((n: number) => (n > 0 && n <= 1 ? undefined : message(n))))

const TierInChain = Schema.declare((u: unknown): u is Tier.Tier => typeof u === "object" && u !== null).check(
  Schema.makeFilter((tier: Tier.Tier) => Tier.validate(tier))
)

const Chain = Schema.Array(TierInChain).check(Schema.makeFilter((tiers: ReadonlyArray<Tier.Tier>) => {
  if (tiers.length === 0) return "tiers must name at least one tier"
  const names = new Set<string>()
  for (const tier of tiers) {
    if (names.has(tier.name)) return `tier ${tier.name} appears twice in the chain`
    names.add(tier.name)
  }
  return undefined
}))

const Thresholds = Schema.Array(Schema.Number).check(Schema.makeFilter((thresholds: ReadonlyArray<number>) => {
  if (thresholds.length > 30) return "at most 30 thresholds"
  for (const t of thresholds.toSorted((a, b) => a - b)) {
    if (!(t > 0 && t <= 1)) return `thresholds must be fractions in (0, 1], got ${String(t)}`
  }
  return undefined
}))

/** The options, field by field; the calendar fields are checked together. */
export const OptionsSchema = Schema.Struct({
  tiers: Chain,
  thresholds: Schema.optional(Thresholds),
  switchAt: Schema.optional(Fraction((n) => `switchAt must be a fraction in (0, 1], got ${String(n)}`)),
  waitForSecondWindow: Schema.optional(Millis("waitForSecondWindow")),
  maxRetryAfterHold: Schema.optional(Millis("maxRetryAfterHold")),
  defaultRetryAfter: Schema.optional(Millis("defaultRetryAfter")),
  timeZone: Schema.optional(Schema.String),
  offsetMinutes: Schema.optional(Schema.Number),
  monthAnchorDay: Schema.optional(Schema.Number),
  refundFailed: Schema.optional(Schema.Boolean),
  forecastSmoothing: Schema.optional(Millis("forecastSmoothing"))
}).check(Schema.makeFilter((o) => {
  const calendar = Window.calendar({
    timeZone: o.timeZone,
    offsetMinutes: o.offsetMinutes,
    monthAnchorDay: o.monthAnchorDay
  })
  return Result.isFailure(calendar) ? calendar.failure : undefined
}))

const decode = Schema.decodeUnknownResult(OptionsSchema, { onExcessProperty: "error" })

// options of earlier versions, named in the error instead of "unknown option"
const removed: Record<string, string> = {
  storeFailure:
    "storeFailure was removed: to fail open, wrap the store with QuotaStore.layerFailOpen({ retryInterval })",
  storeRetryInterval: "storeRetryInterval was removed: it is QuotaStore.layerFailOpen's retryInterval"
}

// The message of the first issue: a check's own message when it has one (the option named, as
// before the schema), otherwise Schema's message with the path.
const messageOf = (issue: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey>, fallback: string): string => {
  switch (issue._tag) {
    case "Pointer":
      return messageOf(issue.issue, [...path, ...issue.path], fallback)
    case "Filter":
    case "Encoding":
      return messageOf(issue.issue, path, fallback)
    case "Composite":
      return messageOf(issue.issues[0], path, fallback)
    case "AnyOf": {
      // an optional option is a union with undefined: the member the value was meant for failed
      const first = issue.issues[0]
      return first === undefined ? fallback : messageOf(first, path, fallback)
    }
    case "InvalidValue": {
      const message = issue.annotations?.message
      return typeof message === "string" ? message : fallback
    }
    case "UnexpectedKey": {
      const key = String(path[path.length - 1])
      return removed[key] ?? `unknown option ${JSON.stringify(key)}`
    }
    default:
      return fallback
  }
}

/** Decodes the options once; the failure is the `InvalidOptions` error the tracker fails with. */
export const decodeSettings = (options: Options): Result.Result<Settings, QuotaError.QuotaError> => {
  const decoded = decode(options)
  if (Result.isFailure(decoded)) {
    const error = decoded.failure
    return Result.fail(QuotaError.invalidOptions(messageOf(error.issue, [], error.message.replaceAll("\n", " "))))
  }
  const o = decoded.success
  return Result.succeed({
    tiers: o.tiers,
    thresholds: (o.thresholds ?? [0.8, 0.95]).toSorted((a, b) => a - b),
    switchAt: o.switchAt ?? 1,
    waitBound: o.waitForSecondWindow ?? SECOND,
    maxHold: o.maxRetryAfterHold ?? 60 * SECOND,
    defaultHold: o.defaultRetryAfter ?? SECOND,
    smoothing: Math.max(1, o.forecastSmoothing ?? 15 * 60 * SECOND),
    calendar: Window.calendarUnsafe({
      timeZone: o.timeZone,
      offsetMinutes: o.offsetMinutes,
      monthAnchorDay: o.monthAnchorDay
    }),
    refundFailed: o.refundFailed ?? true
  })
}
