/**
 * The machinery shared by the request-parameter modules: one table per endpoint says, for every
 * parameter, its schema (typed input), how to read it from a raw query string, and how to write
 * it back. `validate`, `fromQuery` and `toQuery` are derived from that table, so the three can
 * never disagree about a parameter.
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as BingError from "../BingError.js"

/** One query parameter. */
export interface Param<A> {
  /** Checks a typed value (the client's input). */
  readonly is: (u: unknown) => u is A
  /** Reads a raw query-string value; `undefined` when it is not valid. */
  readonly parse: (raw: string) => A | undefined
  /** Writes a value as Bing expects it in the query string. */
  readonly show: (a: A) => string
}

const fromSchema = <A>(
  schema: Schema.Schema<A>,
  parse: (raw: string) => A | undefined,
  show: (a: A) => string
): Param<A> => {
  const is = Schema.is(schema) as (u: unknown) => u is A
  return { is, parse, show }
}

/** An unsigned integer in `[min, max]`, written in decimal digits only. */
export const UInt = (min: number, max: number) => {
  const schema = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: min, maximum: max })))
  return {
    schema,
    param: fromSchema<number>(
      schema,
      (raw) => {
        if (!/^\d{1,16}$/.test(raw)) return undefined
        const n = Number(raw)
        return n >= min && n <= max ? n : undefined
      },
      String
    )
  }
}

/** One of `values`; the raw form is matched case-insensitively and normalised to the documented spelling. */
export const Enum = <const L extends ReadonlyArray<string>>(values: L) => {
  const schema = Schema.Literals(values)
  const byLower = new Map(values.map((v) => [v.toLowerCase(), v] as const))
  return {
    schema,
    values,
    lookup: (raw: string): L[number] | undefined => byLower.get(raw.toLowerCase()),
    param: fromSchema<L[number]>(
      schema as unknown as Schema.Schema<L[number]>,
      (raw) => byLower.get(raw.toLowerCase()),
      (a) => a
    )
  }
}

/** `true` or `false` (case-insensitive in the query string). */
export const Bool = (() => {
  const schema = Schema.Boolean
  return {
    schema,
    param: fromSchema<boolean>(
      schema,
      (raw) => {
        const l = raw.toLowerCase()
        return l === "true" ? true : l === "false" ? false : undefined
      },
      String
    )
  }
})()

/** A string matching `pattern`. */
export const Text = (pattern: RegExp) => {
  const schema = Schema.String.pipe(Schema.check(Schema.isPattern(pattern)))
  return { schema, param: fromSchema<string>(schema, (raw) => (pattern.test(raw) ? raw : undefined), (a) => a) }
}

/** A non-empty string with at least one non-space character. */
export const NonBlank = Text(/\S/)

/** A 2-letter country code. */
export const CountryCode = Text(/^[A-Za-z]{2}$/)

/** A comma list of `values` (no duplicates' check: Bing ignores repeats). */
export const EnumList = <const L extends ReadonlyArray<string>>(values: L) => {
  const e = Enum(values)
  const schema = Schema.NonEmptyArray(e.schema)
  return {
    schema,
    param: fromSchema<readonly [L[number], ...Array<L[number]>]>(
      schema as unknown as Schema.Schema<readonly [L[number], ...Array<L[number]>]>,
      (raw) => {
        const out: Array<L[number]> = []
        for (const item of raw.split(",")) {
          const v = e.lookup(item.trim())
          if (v === undefined) return undefined
          out.push(v)
        }
        return out.length === 0 ? undefined : (out as unknown as readonly [L[number], ...Array<L[number]>])
      },
      (a) => a.join(",")
    )
  }
}

/** Whether `s` is a real calendar date written `YYYY-MM-DD`. */
export const isIsoDate = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (m === null) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

// ---------------------------------------------------------------------------------------------

/** How a typed value that failed its check is shown in `InvalidRequest.value`. */
export const showUnknown = (u: unknown): string => {
  if (typeof u === "string") return u
  if (Array.isArray(u)) return u.map((x) => showUnknown(x)).join(",")
  if (typeof u === "number" || typeof u === "boolean" || typeof u === "bigint") return String(u)
  if (u === null) return "null"
  if (typeof u === "object") {
    try {
      return BingError.excerpt(JSON.stringify(u) ?? String(u))
    } catch {
      return "[object]"
    }
  }
  return typeof u
}

/** The table of one endpoint. */
export interface Spec<T> {
  /** Every parameter, in the order they are checked and written. */
  readonly params: { readonly [K in keyof T]-?: Param<Exclude<T[K], undefined>> }
  /** Required parameters (missing or blank: `ParameterMissing`). */
  readonly required: ReadonlyArray<keyof T & string>
  /** Checks between parameters, run once each parameter is valid on its own. */
  readonly across: (t: T, raw: (name: keyof T & string) => string) => BingError.InvalidRequest | undefined
}

/** `validate`, `fromQuery` and `toQuery` for one endpoint. */
export const make = <T>(spec: Spec<T>) => {
  const entries = Object.entries(spec.params) as Array<[keyof T & string, Param<unknown>]>
  const required = new Set<string>(spec.required)

  const validate = (input: unknown): Result.Result<T, BingError.InvalidRequest> => {
    const source: Record<string, unknown> = typeof input === "object" && input !== null && !Array.isArray(input)
      ? (input as Record<string, unknown>)
      : {}
    const out: Record<string, unknown> = {}
    for (const [name, param] of entries) {
      const v = source[name]
      if (v === undefined || (required.has(name) && typeof v === "string" && v.trim() === "")) {
        if (required.has(name)) return Result.fail(BingError.parameterMissing(name))
        continue
      }
      if (!param.is(v)) return Result.fail(BingError.parameterInvalidValue(name, showUnknown(v)))
      out[name] = Array.isArray(v) ? [...v] : v
    }
    const t = out as T
    const failure = spec.across(t, (name) => {
      const v = out[name]
      return v === undefined ? "" : (spec.params[name] as Param<unknown>).show(v)
    })
    return failure === undefined ? Result.succeed(t) : Result.fail(failure)
  }

  const fromQuery = (query: URLSearchParams): Result.Result<T, BingError.InvalidRequest> => {
    const out: Record<string, unknown> = {}
    for (const [name, param] of entries) {
      const raw = query.get(name)
      if (raw === null || (required.has(name) && raw.trim() === "")) {
        if (required.has(name)) return Result.fail(BingError.parameterMissing(name))
        continue
      }
      const v = param.parse(raw)
      if (v === undefined) return Result.fail(BingError.parameterInvalidValue(name, raw))
      out[name] = v
    }
    const failure = spec.across(out as T, (name) => query.get(name) ?? "")
    return failure === undefined ? Result.succeed(out as T) : Result.fail(failure)
  }

  const toQuery = (params: T): URLSearchParams => {
    const query = new URLSearchParams()
    const source = params as Record<string, unknown>
    for (const [name, param] of entries) {
      const v = source[name]
      if (v !== undefined) query.append(name, param.show(v))
    }
    return query
  }

  return { validate, fromQuery, toQuery }
}

/** `cc` and `mkt` are mutually exclusive. */
export const exclusive = (
  t: Record<string, unknown>,
  raw: (name: string) => string,
  name: string,
  others: ReadonlyArray<string>
): BingError.InvalidRequest | undefined =>
  t[name] !== undefined && others.some((o) => t[o] !== undefined)
    ? BingError.parameterInvalidValue(name, raw(name))
    : undefined

/** `min` must not exceed `max`: reported on `max`. */
export const ordered = (
  t: Record<string, unknown>,
  raw: (name: string) => string,
  min: string,
  max: string
): BingError.InvalidRequest | undefined => {
  const lo = t[min]
  const hi = t[max]
  return typeof lo === "number" && typeof hi === "number" && lo > hi
    ? BingError.parameterInvalidValue(max, raw(max))
    : undefined
}
