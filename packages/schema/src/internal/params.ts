/**
 * Request parameters, declared once. Each parameter is a Schema codec from its query-string form (a
 * string) to its typed form, built by one of the constructors below; an endpoint is the
 * `Schema.Struct` of its parameters, with its checks across parameters (`exclusive`, `ordered`).
 * {@link make} derives the rest from that one codec: decoding a query string (the emulator),
 * encoding one (the client) and checking typed input (the client, before any quota is spent), each
 * failing with Bing's `InvalidRequest` through {@link toInvalidRequest}.
 *
 * Why a parameter carries its parts: its codec is composed from `read` (its decoding), `show` (its
 * encoding) and its typed schema, and keeps them, with that schema's guard and checks, as an
 * annotation. `make` runs the codec by calling those same parts in one loop, in field order
 * (decoding: `read`, then the typed schema's checks, as `decodeTo` does; validation: the guard),
 * then the struct's checks (`Filter.run`), and stops at the first issue, as Schema's decoder does
 * with its default `errors: "first"`. It does so without Effect's interpreter, which costs several
 * times the whole request check for a 13-parameter struct (measured 5-13 µs against 1-3 µs on
 * Node 24), on every call of the emulator and the client. The tests decode random input both ways
 * and require the same value, or the same error from the same issue.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaJITCompiler from "effect/schema/SchemaJITCompiler"
import * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as BingError from "../BingError.js"

// ---------------------------------------------------------------------------------------------
// One parameter
// ---------------------------------------------------------------------------------------------

/** The annotation under which a parameter's codec keeps the functions it is built from. */
const PartsKey = "@bing-effect/schema/QueryParameter"

interface Parts {
  readonly read: (raw: string) => unknown
  readonly show: (a: unknown) => string
  /** The type side: shape and checks (for typed input, which may be anything). */
  readonly is: (u: unknown) => boolean
  /** The type side's checks only (for what `read` returned, which has the shape by its type). */
  readonly valid: (a: unknown) => boolean
}

const noOptions: SchemaAST.ParseOptions = {}

/** The filters of `checks`, groups opened, in order. */
const flatten = (checks: ReadonlyArray<SchemaAST.Check<unknown>>): ReadonlyArray<SchemaAST.Filter<unknown>> =>
  checks.flatMap((c) => (c._tag === "Filter" ? [c] : flatten(c.checks)))

const isParts = (u: unknown): u is Parts =>
  Predicate.hasProperty(u, "read") && Predicate.hasProperty(u, "show") && Predicate.hasProperty(u, "is") &&
  Predicate.hasProperty(u, "valid") && Predicate.isFunction(u.read) && Predicate.isFunction(u.show) &&
  Predicate.isFunction(u.is) && Predicate.isFunction(u.valid)

/**
 * A parameter's codec: `read` decodes the query-string form into a value of the type's shape
 * (TypeScript holds it to `A`; `undefined` when there is none), `type`'s checks then validate it
 * (ranges, patterns), `show` encodes it back. `valid`, when given, is the predicate `type`'s own
 * check is made of, called directly on what `read` returns (it runs for every parameter of every
 * request); otherwise each of `type`'s filters is run.
 */
const param = <A>(
  type: Schema.Codec<A>,
  read: (raw: string) => A | undefined,
  show: (a: A) => string,
  valid?: (a: A) => boolean
) => {
  const ast = SchemaAST.toType(type.ast)
  // `is` checks typed input on every call of the client: compiled (as the response models are, see
  // decode.ts), its guard is a plain function; interpreted, each call runs a fiber (`runSyncExit`).
  SchemaJITCompiler.enable(ast)
  const filters = flatten(ast.checks ?? [])
  const parts: Parts = {
    read,
    // `show` and `valid` are only called by `make`, with this parameter's value of the endpoint's
    // typed params or with what `read` returned: an `A`, which a loop over heterogeneous fields
    // cannot spell.
    show: (a) => show(a as A),
    is: Schema.is(type),
    valid: valid !== undefined
      ? (a) => valid(a as A)
      : filters.length === 0
      ? () => true
      : (a) => {
        for (const filter of filters) if (filter.run(a, ast, noOptions) !== undefined) return false
        return true
      }
  }
  return Schema.String.pipe(
    Schema.decodeTo(
      type,
      SchemaTransformation.transformEffect({
        decode: (raw: string, options) => {
          const a = read(raw)
          return a === undefined
            ? Effect.fail(new SchemaIssue.InvalidValue(undefined, Option.some(raw), options))
            : Effect.succeed(a)
        },
        encode: (a: A) => Effect.succeed(show(a))
      })
    )
  ).annotate({ [PartsKey]: parts })
}

const identity = (s: string): string => s

/**
 * An unsigned integer in `[minimum, maximum]`, written in decimal digits only (no sign, no exponent,
 * no fraction).
 */
export const UInt = (minimum: number, maximum: number) => {
  const inRange = (n: number): boolean => n >= minimum && n <= maximum
  return param(
    Schema.Int.check(
      Schema.makeFilter(inRange, {
        expected: `an integer between ${minimum} and ${maximum}`,
        toJsonSchema: () => ({ minimum, maximum })
      })
    ),
    // Digits only, so always an integer: `valid` need only test the range.
    (raw) => (/^\d{1,16}$/.test(raw) ? Number(raw) : undefined),
    String,
    inRange
  )
}

/**
 * A decimal number in `[minimum, maximum]` (e.g. a crop coordinate, `0.0` through `1.0`): digits
 * with an optional fraction, no sign, no exponent.
 */
export const Float = (minimum: number, maximum: number) => {
  const inRange = (n: number): boolean => n >= minimum && n <= maximum
  return param(
    Schema.Number.check(
      Schema.makeFilter(inRange, {
        expected: `a number between ${minimum} and ${maximum}`,
        toJsonSchema: () => ({ minimum, maximum })
      })
    ),
    (raw) => (/^\d{1,16}(\.\d{1,16})?$|^\.\d{1,16}$/.test(raw) ? Number(raw) : undefined),
    String,
    inRange
  )
}

/** Folds a name to the documented spelling of `values`, ignoring case. */
export const lookupOf = <const L extends ReadonlyArray<string>>(values: L) => {
  const byLower = new Map<string, L[number]>(values.map((v) => [v.toLowerCase(), v]))
  return (raw: string): L[number] | undefined => byLower.get(raw.toLowerCase())
}

/** One of `values`; the query string may spell it in any case (it is normalised to `values`). */
export const Enum = <const L extends ReadonlyArray<string>>(values: L) =>
  param(Schema.Literals(values), lookupOf(values), identity)

/** `true` or `false`, in any case in the query string. */
export const Bool = param(
  Schema.Boolean,
  (raw) => {
    const l = raw.toLowerCase()
    return l === "true" ? true : l === "false" ? false : undefined
  },
  String
)

/** A string matching `pattern`, sent as it is. */
export const Text = (pattern: RegExp) => {
  const matches = (s: string): boolean => pattern.test(s)
  return param(
    Schema.String.check(
      Schema.makeFilter(matches, {
        expected: `a string matching ${pattern.source}`,
        toJsonSchema: () => ({ pattern: pattern.source })
      })
    ),
    identity,
    identity,
    matches
  )
}

/** A string with at least one non-space character. */
export const NonBlank = Text(/\S/)

/** A 2-letter country code. */
export const CountryCode = Text(/^[A-Za-z]{2}$/)

/**
 * The items of a comma list, each read by `item` (spaces around an item are ignored); `undefined`
 * when one is not valid.
 */
export const splitList = <A>(
  raw: string,
  item: (s: string) => A | undefined
): readonly [A, ...Array<A>] | undefined => {
  const [head = "", ...tail] = raw.split(",")
  const first = item(head.trim())
  if (first === undefined) return undefined
  const out: [A, ...Array<A>] = [first]
  for (const s of tail) {
    const a = item(s.trim())
    if (a === undefined) return undefined
    out.push(a)
  }
  return out
}

/** A comma list of `values` in any case (repeats are allowed: Bing ignores them). */
export const EnumList = <const L extends ReadonlyArray<string>>(values: L) => {
  const lookup = lookupOf(values)
  return param(
    Schema.NonEmptyArray(Schema.Literals(values)),
    (raw) => splitList(raw, lookup),
    (a) => a.join(",")
  )
}

/**
 * A comma list of a parameter of its own kind: `type` validates the items together, `item` reads
 * one (in any case).
 */
export const List = <A>(
  type: Schema.Codec<readonly [A, ...Array<A>]>,
  item: (s: string) => A | undefined,
  show: (a: A) => string
) => param(type, (raw) => splitList(raw, item), (a) => a.map(show).join(","))

/**
 * A `responseFilter`-style list of answer names (Web and Entity Search): an include-list or an
 * exclude-list (every item with a leading `-`), never both; names in any case.
 */
export const FilterList = <const L extends ReadonlyArray<string>>(names: L, expected: string) => {
  const lookup = lookupOf(names)
  const excluded = names.map((name) => `-${name}` as `-${L[number]}`)
  return List(
    Schema.NonEmptyArray(Schema.Literals([...names, ...excluded])).check(
      Schema.makeFilter((items) => {
        const minus = items.filter((x) => x.startsWith("-")).length
        return minus === 0 || minus === items.length
      }, { expected })
    ),
    (item): L[number] | `-${L[number]}` | undefined => {
      if (!item.startsWith("-")) return lookup(item)
      const name = lookup(item.slice(1))
      return name === undefined ? undefined : `-${name}`
    },
    (item) => item
  )
}

/**
 * A string type of its own, told by `is` (a `Schema.declare`, whose guard is all its validation, so
 * `read` applies it too); `normalise` may fold a spelling first (e.g. the case of a keyword).
 */
export const Custom = <A extends string>(
  is: (u: unknown) => u is A,
  annotations: { readonly expected: string },
  normalise: (raw: string) => string
) =>
  param(Schema.declare(is, annotations), (raw) => {
    const a = normalise(raw)
    return is(a) ? a : undefined
  }, identity)

/** Whether `s` is a real calendar date written `YYYY-MM-DD`. */
export const isIsoDate = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (m === null) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

// ---------------------------------------------------------------------------------------------
// Checks across parameters
// ---------------------------------------------------------------------------------------------

/** The annotation under which a check across parameters keeps its predicate, for `make`'s loop. */
const AcrossKey = "@bing-effect/schema/QueryParameters/across"

/** A check across parameters made of `test` (`undefined`: passes), which `make` may call directly. */
const across = <T extends object>(test: (t: T) => Schema.FilterIssue | undefined, expected: string) =>
  Schema.makeFilter<T>(test, { expected, [AcrossKey]: test })

/** `name` may not be sent together with any of `others`: reported on `name`. */
export const exclusive = <T extends object>(name: keyof T & string, others: ReadonlyArray<keyof T & string>) =>
  across<T>(
    (t) =>
      t[name] !== undefined && others.some((o) => t[o] !== undefined)
        ? { path: [name], issue: `${name} cannot be sent with ${others.join(" or ")}` }
        : undefined,
    `${name} without ${others.join(" or ")}`
  )

/** `min` may not exceed `max`: reported on `max`. */
export const ordered = <T extends object>(min: keyof T & string, max: keyof T & string) =>
  across<T>((t) => {
    const lo = t[min]
    const hi = t[max]
    return typeof lo === "number" && typeof hi === "number" && lo > hi
      ? { path: [max], issue: `${max} is below ${min}` }
      : undefined
  }, `${min} <= ${max}`)

// ---------------------------------------------------------------------------------------------
// Bing's error for the first issue
// ---------------------------------------------------------------------------------------------

/** How a value that failed is shown in `InvalidRequest.value`. */
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

/** The parameter the first issue is about, and whether it is missing. */
const firstParameter = (issue: SchemaIssue.Issue): { readonly name: string; readonly missing: boolean } | undefined => {
  let name: string | undefined
  let current: SchemaIssue.Issue | undefined = issue
  while (current !== undefined) {
    switch (current._tag) {
      case "Pointer":
        if (name === undefined && typeof current.path[0] === "string") name = current.path[0]
        current = current.issue
        break
      case "Composite":
      case "AnyOf":
        current = current.issues[0]
        break
      case "Filter":
      case "Encoding":
        current = current.issue
        break
      case "MissingKey":
        return name === undefined ? undefined : { name, missing: true }
      default:
        return name === undefined ? undefined : { name, missing: false }
    }
  }
  return name === undefined ? undefined : { name, missing: false }
}

/**
 * Bing's `InvalidRequest` for the first issue of a failed decode: `ParameterMissing` for a required
 * parameter that is absent, empty or blank, else `ParameterInvalidValue` with the value as it was
 * sent (`valueOf` reads it from the decoder's input: the query-string record, or typed input).
 */
export const toInvalidRequest = (
  issue: SchemaIssue.Issue,
  valueOf: (name: string) => unknown,
  required: ReadonlySet<string>
): BingError.InvalidRequest => {
  const at = firstParameter(issue)
  // Unreachable with the codecs of this package: every issue they raise names a parameter.
  if (at === undefined) return BingError.parameterInvalidValue("", "")
  const value = valueOf(at.name)
  if (
    at.missing || (required.has(at.name) && (typeof value === "string" ? value.trim() === "" : value === undefined))
  ) {
    return BingError.parameterMissing(at.name)
  }
  return BingError.parameterInvalidValue(at.name, showUnknown(value))
}

// ---------------------------------------------------------------------------------------------
// What an endpoint's codec gives
// ---------------------------------------------------------------------------------------------

interface Field {
  readonly name: string
  readonly required: boolean
  readonly parts: Parts
}

/**
 * `validate`, `fromQuery` and `toQuery` of one endpoint, from its codec (a `Schema.Struct` of
 * parameters made by the constructors above, with optional checks across them).
 */
export const make = <T extends object, E>(codec: Schema.Codec<T, E>) => {
  const ast = codec.ast
  if (!SchemaAST.isObjects(ast)) throw new globalThis.Error("a parameters codec must be a Schema.Struct")
  const fields: ReadonlyArray<Field> = ast.propertySignatures.map((ps) => {
    // `resolve`, not `annotations`: on a schema with checks, annotations live on its last check.
    const parts = SchemaAST.resolve(ps.type)?.[PartsKey]
    if (typeof ps.name !== "string" || !isParts(parts)) {
      throw new globalThis.Error(`parameter ${String(ps.name)} is not built by internal/params.ts`)
    }
    return { name: ps.name, required: !SchemaAST.isOptional(ps.type), parts }
  })
  // Each check with the predicate it is made of, when it is one of `across`'s: called directly,
  // and `run` (Schema's issue) only when it fails.
  const checks = flatten(ast.checks ?? []).map((filter) => {
    const test: unknown = filter.annotations?.[AcrossKey]
    return { filter, passes: Predicate.isFunction(test) ? (t: object) => test(t) === undefined : undefined }
  })
  const required: ReadonlySet<string> = new Set(fields.filter((f) => f.required).map((f) => f.name))

  // The issues Schema's decoder raises at the first parameter at fault, for `toInvalidRequest`.
  const missing = (name: string) => new SchemaIssue.Pointer([name], new SchemaIssue.MissingKey(undefined))
  const invalid = (name: string, input: unknown) =>
    new SchemaIssue.Pointer([name], new SchemaIssue.InvalidValue(undefined, Option.some(input)))

  /** The first failing check across parameters, as its own issue (it names its parameter). */
  const firstAcross = (t: Record<string, unknown>): SchemaIssue.Issue | undefined => {
    for (const { filter, passes } of checks) {
      if (passes !== undefined && passes(t)) continue
      const issue = filter.run(t, ast, noOptions)
      if (issue !== undefined) return issue
    }
    return undefined
  }

  const fail = (issue: SchemaIssue.Issue, input: object) =>
    Result.fail(toInvalidRequest(issue, (name) => Reflect.get(input, name), required))

  const indexOf = new Map(fields.map((f, i) => [f.name, i]))

  const fromQuery = (query: URLSearchParams): Result.Result<T, BingError.InvalidRequest> => {
    // One pass over the query (a few parameters) for the first value of each known one, instead of
    // a `get` per field (two dozen scans of it): the request path of the emulator and the gateway.
    const raws: Array<string | undefined> = []
    for (const [name, value] of query) {
      const i = indexOf.get(name)
      if (i !== undefined && raws[i] === undefined) raws[i] = value
    }
    const out: Record<string, unknown> = {}
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!
      const raw = raws[i]
      if (raw === undefined) {
        if (f.required) return Result.fail(toInvalidRequest(missing(f.name), () => undefined, required))
        continue
      }
      const a = f.parts.read(raw)
      if (a === undefined || !f.parts.valid(a)) {
        return Result.fail(toInvalidRequest(invalid(f.name, raw), () => raw, required))
      }
      out[f.name] = a
    }
    const issue = firstAcross(out)
    // `out` is what Schema's decoder builds: every parameter read and checked, in order.
    return issue === undefined ? Result.succeed(out as T) : fail(issue, recordOf(query))
  }

  /** The first value of each known parameter of a query string: its form as the codec's input. */
  const recordOf = (query: URLSearchParams): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const f of fields) {
      const raw = query.get(f.name)
      if (raw !== null) out[f.name] = raw
    }
    return out
  }

  const validate = (input: unknown): Result.Result<T, BingError.InvalidRequest> => {
    const source: object = typeof input === "object" && input !== null && !Array.isArray(input) ? input : {}
    const out: Record<string, unknown> = {}
    for (const f of fields) {
      // `undefined` stands for an absent parameter, as it always has in this API.
      const v: unknown = Reflect.get(source, f.name)
      if (v === undefined) {
        if (f.required) return fail(missing(f.name), source)
        continue
      }
      if (!f.parts.is(v)) return fail(invalid(f.name, v), source)
      out[f.name] = Array.isArray(v) ? [...v] : v
    }
    const issue = firstAcross(out)
    return issue === undefined ? Result.succeed(out as T) : fail(issue, out)
  }

  const toQuery = (params: T): URLSearchParams => {
    const query = new URLSearchParams()
    for (const f of fields) {
      const v: unknown = Reflect.get(params, f.name)
      if (v !== undefined) query.append(f.name, f.parts.show(v))
    }
    return query
  }

  return { validate, fromQuery, toQuery, required }
}
