/**
 * The PostgreSQL counter store, over any `SqlClient` of `effect/sql` that talks to PostgreSQL
 * (`@effect/sql-pg`'s `PgClient` through `PostgresStore.layerConnection`).
 *
 * An acquire is one statement: `SELECT <table>_acquire_v1(...)`, a PL/pgSQL function created with
 * the table when missing. It mirrors `slotMath.ts` and is all or nothing under any number of
 * concurrent callers, at PostgreSQL's default isolation (READ COMMITTED), because:
 *
 * 1. Its first statement, `INSERT ... SELECT DISTINCT key ... ORDER BY key ON CONFLICT (key) DO
 *    UPDATE ... WHERE false`, inserts the missing rows and row-locks every existing one (a
 *    `DO UPDATE` whose `WHERE` is false updates nothing but still locks the conflicting row, the
 *    latest version of it), in one order (the keys sorted by the "C" collation). Two acquires
 *    over overlapping keys take their locks in the same order, so they queue rather than
 *    deadlock; a row being inserted or deleted by another transaction makes the insert wait for
 *    it and then retry, so every key ends up with a row this transaction holds.
 * 2. Its second statement reads the values. In a volatile PL/pgSQL function each statement takes
 *    a new snapshot at READ COMMITTED, taken after every lock was granted: the previous holders
 *    have committed (a row lock is released only once its transaction is committed and visible),
 *    so the values read are the latest, and nobody else can change them until this transaction
 *    ends.
 * 3. It checks every slot and, only when all fit, updates them all, inside the same transaction:
 *    the statement commits all the writes or none.
 *
 * The read-check-write race of READ COMMITTED (two transactions reading the same count, both
 * admitting) cannot happen, because the read that admits happens under the locks; a lost insert
 * race (two transactions creating the same key) cannot either, because the insert is the lock.
 *
 * Before taking any lock, an acquire reads the slots once without locks: when a slot refuses on
 * that read (a committed state, as of the statement's snapshot), the acquire is refused there and
 * then, as if it had run at that instant, and its transaction wrote nothing, so it commits without
 * a WAL flush and without waiting for anybody's lock. Only an acquire that fits goes on to lock and
 * read again; when that read refuses (others took the room meanwhile), the transaction holds only
 * row locks, and it commits without waiting for the WAL flush (`synchronous_commit` off for that
 * transaction alone, and only when the statement is its own transaction: a crash can lose nothing
 * of it). An admission always commits durably. (Measured in a burst of 4 x 300 over three tiers:
 * refusals queued behind the admissions, each waiting for a WAL flush, made up most of the time.)
 *
 * Group commit: acquires over the same slots that arrive while a call over them is in flight are
 * not sent one by one, each waiting for the row locks of the one before and for its WAL flush: they
 * queue, and the next call carries up to `MAX_BATCH` of them to `<table>_acquire_batch_v1`, which
 * does the above once for all (one pass over the locks, one read, one write, one commit) and
 * checks them one after another in arrival order, each against the values left by the ones before
 * it, as if each had been its own statement in that order. A lone acquire is sent at once, through
 * the single function, so nothing waits at concurrency 1. Inside a caller's own transaction an
 * acquire runs alone, as part of it.
 *
 * Rows whose `expires_at` has passed count as missing and are deleted now and then in the
 * background (`FOR UPDATE SKIP LOCKED`, so the sweep never waits for an acquire); a refused
 * acquire over a new key leaves a row at 0 that has already expired.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import type * as SqlClient from "effect/sql/SqlClient"
import * as QuotaError from "../QuotaError.js"
import type { AcquireResult, Service, Slot } from "../QuotaStore.js"
import { describeCause } from "./errorDetail.js"
import { Deadlines } from "./redisStore.js"

/** The function's first value when a slot holds something that is not its number: `{ POISONED, index }`. */
const POISONED = -2

/** How many writes between two sweeps of the expired rows, per store. */
const SWEEP_EVERY = 4096
/** How many expired rows one sweep deletes at most. */
const SWEEP_BATCH = 1000

/** How many acquires one call of the batch function carries at most. */
export const MAX_BATCH = 128

/** An acquire of a group: queued, or in its group's call. */
interface Pending {
  readonly amount: number
  readonly now: number
  readonly resume: (exit: Exit.Exit<AcquireResult, QuotaError.QuotaError>) => void
  /** Answered (or timed out, or interrupted): a later answer is dropped. */
  done: boolean
  deadline: ReturnType<Deadlines["watch"]> | undefined
}

/** The acquires over one template: at most one call in flight, the others queued for the next one. */
interface Group {
  readonly template: Template
  busy: boolean
  queue: Array<Pending>
}

/** Options of the PostgreSQL store, resolved. */
export interface StoreOptions {
  /** `name` or `schema.name`, already checked by `tableError`. */
  readonly table: string
  /** Prepended to every key. */
  readonly prefix: string
  /** ms; `0` for no bound. */
  readonly timeout: number
  readonly startup: "connect" | "background"
  /** Writes between two sweeps of expired rows (tests set a small one). */
  readonly sweepEvery?: number | undefined
}

const part = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/

/** Why `table` cannot name the store's table, or `undefined` when it can. */
export const tableError = (table: string): string | undefined => {
  const parts = table.split(".")
  return parts.length <= 2 && parts.every((p) => part.test(p))
    ? undefined
    : `table must be a name or schema.name of letters, digits and _ (at most 48 each), got ${JSON.stringify(table)}`
}

// Every name is checked by `tableError` (letters, digits, _), and quoted all the same.
const quote = (name: string): string => `"${name}"`

interface Names {
  /** The quoted, possibly qualified, table. */
  readonly table: string
  /** The quoted, possibly qualified, acquire function. */
  readonly acquire: string
  /** The same function as text, for `to_regprocedure`. */
  readonly signature: string
  /** The table as text, for `to_regclass` and the advisory lock. */
  readonly regclass: string
  /** The quoted, possibly qualified, batch acquire function. */
  readonly batch: string
  /** The batch function as text, for `to_regprocedure`. */
  readonly batchSignature: string
}

const namesOf = (table: string): Names => {
  const parts = table.split(".")
  const name = parts[parts.length - 1]!
  const schema = parts.length === 2 ? `${quote(parts[0]!)}.` : ""
  const acquire = `${schema}${quote(`${name}_acquire_v1`)}`
  const batch = `${schema}${quote(`${name}_acquire_batch_v1`)}`
  return {
    batch,
    batchSignature: `${batch}(text[], smallint[], double precision[], double precision[], double precision[], ` +
      `double precision[], double precision[])`,
    table: `${schema}${quote(name)}`,
    acquire,
    signature: `${acquire}(text[], smallint[], double precision[], double precision[], double precision[], ` +
      `double precision, double precision, boolean)`,
    regclass: `${schema}${quote(name)}`
  }
}

// The acquire (p_check) and add (not p_check) of slotMath.ts, in PL/pgSQL. float8 is IEEE 754
// double, as JavaScript's number: the same operations in the same order give the same values.
const functionBody = (names: Names): string => `
DECLARE
  n integer := cardinality(p_keys);
  cur double precision[];
  nxt double precision[] := array_fill(0::double precision, ARRAY[n]);
  expiry double precision[] := array_fill(0::double precision, ARRAY[n]);
  v double precision;
  tat double precision;
  cost double precision;
  refused integer;
  locked boolean := NOT p_check;
BEGIN
  LOOP
    IF locked THEN
      -- 1. lock every key, in one order (see postgresStore.ts)
      INSERT INTO ${names.table} AS t (key, value, expires_at)
        SELECT DISTINCT k COLLATE "C", 0, 0 FROM unnest(p_keys) AS k ORDER BY 1
        ON CONFLICT (key) DO UPDATE SET value = t.value WHERE false;
    END IF;
    -- 2. read (under the locks, a new snapshot, on the second pass); an expired row counts as missing
    SELECT array_agg(CASE WHEN t.expires_at > p_now THEN t.value ELSE 0 END ORDER BY u.i) INTO cur
      FROM unnest(p_keys) WITH ORDINALITY AS u(k, i) LEFT JOIN ${names.table} AS t ON t.key = u.k;
    -- 3. check every slot before writing any
    refused := -1;
    FOR i IN 1..n LOOP
      v := cur[i];
      IF v = 'NaN' OR v = 'Infinity' OR v = '-Infinity' OR (p_kinds[i] = 0 AND v <> trunc(v)) THEN
        RETURN ARRAY[${POISONED}, i - 1]::double precision[];
      END IF;
      IF p_kinds[i] = 0 THEN
        IF p_check THEN
          nxt[i] := v + p_amount;
          IF refused < 0 AND nxt[i] > p_limits[i] THEN refused := i - 1; END IF;
        ELSE
          nxt[i] := greatest(0, v + p_amount);
        END IF;
        expiry[i] := p_expires[i];
      ELSE
        cost := p_amount * p_intervals[i] / p_limits[i];
        tat := greatest(v, p_now);
        IF p_check THEN
          -- the clock stepped back (see slotMath.nextValue): just room for this request
          IF tat - p_now > p_intervals[i] + cost THEN tat := p_now + greatest(0, p_intervals[i] - cost); END IF;
          nxt[i] := tat + cost;
          IF refused < 0 AND nxt[i] - p_now > greatest(cost, p_intervals[i]) + 0.000001 THEN refused := i - 1; END IF;
        ELSE
          nxt[i] := greatest(p_now, tat + cost);
        END IF;
        expiry[i] := ceil(nxt[i]) + 1;
      END IF;
    END LOOP;
    IF refused >= 0 THEN
      -- a refusal on the first pass took no lock and wrote nothing: nothing to flush at commit. On
      -- the second pass it wrote only row locks (and rows at 0 for new keys): losing them in a crash
      -- loses nothing, so its commit need not wait for the WAL flush, when it is its own transaction
      IF locked AND transaction_timestamp() = statement_timestamp() THEN
        PERFORM set_config('synchronous_commit', 'off', true);
      END IF;
      RETURN refused::double precision || cur;
    END IF;
    EXIT WHEN locked;
    locked := true;
  END LOOP;
  UPDATE ${names.table} AS t SET value = u.v, expires_at = u.e
    FROM unnest(p_keys, nxt, expiry) AS u(k, v, e) WHERE t.key = u.k;
  RETURN (-1)::double precision || nxt;
END`

// The acquires of one batch over the same slots, one after another, as `functionBody` would run
// them one statement each, but in one transaction: one lock of every key, one read, one write of
// the final values, one commit (one WAL flush) for all. Acquire j is checked against the values
// left by the acquires before it (admitted ones moved them, refused ones did not), at its own
// `now` (an expired row counts as missing at that instant), and answers `{ refused, ...values }`
// as the single function does, concatenated: m * (n + 1) numbers. A slot holding something that is
// not its number fails the whole batch, `{ POISONED, index }`, and nothing is written.
const batchBody = (names: Names): string => `
DECLARE
  n integer := cardinality(p_keys);
  m integer := cardinality(p_amounts);
  cur double precision[];
  exps double precision[];
  seen double precision[] := array_fill(0::double precision, ARRAY[n]);
  nxt double precision[] := array_fill(0::double precision, ARRAY[n]);
  expiry double precision[] := array_fill(0::double precision, ARRAY[n]);
  answer double precision[];
  v double precision;
  tat double precision;
  cost double precision;
  amount double precision;
  now_ double precision;
  refused integer;
  admitted integer;
  locked boolean := false;
BEGIN
  LOOP
    IF locked THEN
      INSERT INTO ${names.table} AS t (key, value, expires_at)
        SELECT DISTINCT k COLLATE "C", 0, 0 FROM unnest(p_keys) AS k ORDER BY 1
        ON CONFLICT (key) DO UPDATE SET value = t.value WHERE false;
    END IF;
    SELECT array_agg(coalesce(t.value, 0) ORDER BY u.i), array_agg(coalesce(t.expires_at, 0) ORDER BY u.i)
      INTO cur, exps
      FROM unnest(p_keys) WITH ORDINALITY AS u(k, i) LEFT JOIN ${names.table} AS t ON t.key = u.k;
    answer := '{}';
    admitted := 0;
    FOR j IN 1..m LOOP
      amount := p_amounts[j];
      now_ := p_nows[j];
      refused := -1;
      FOR i IN 1..n LOOP
        v := CASE WHEN exps[i] > now_ THEN cur[i] ELSE 0 END;
        seen[i] := v;
        IF v = 'NaN' OR v = 'Infinity' OR v = '-Infinity' OR (p_kinds[i] = 0 AND v <> trunc(v)) THEN
          RETURN ARRAY[${POISONED}, i - 1]::double precision[];
        END IF;
        IF p_kinds[i] = 0 THEN
          nxt[i] := v + amount;
          IF refused < 0 AND nxt[i] > p_limits[i] THEN refused := i - 1; END IF;
          expiry[i] := p_expires[i];
        ELSE
          cost := amount * p_intervals[i] / p_limits[i];
          tat := greatest(v, now_);
          IF tat - now_ > p_intervals[i] + cost THEN tat := now_ + greatest(0, p_intervals[i] - cost); END IF;
          nxt[i] := tat + cost;
          IF refused < 0 AND nxt[i] - now_ > greatest(cost, p_intervals[i]) + 0.000001 THEN refused := i - 1; END IF;
          expiry[i] := ceil(nxt[i]) + 1;
        END IF;
      END LOOP;
      IF refused >= 0 THEN
        answer := answer || refused::double precision || seen;
      ELSE
        answer := answer || (-1)::double precision || nxt;
        cur := nxt;
        exps := expiry;
        admitted := admitted + 1;
      END IF;
    END LOOP;
    IF admitted = 0 THEN
      -- as in the single function: only row locks to lose, when the statement is its own transaction
      IF locked AND transaction_timestamp() = statement_timestamp() THEN
        PERFORM set_config('synchronous_commit', 'off', true);
      END IF;
      RETURN answer;
    END IF;
    EXIT WHEN locked;
    locked := true;
  END LOOP;
  UPDATE ${names.table} AS t SET value = u.v, expires_at = u.e
    FROM unnest(p_keys, cur, exps) AS u(k, v, e) WHERE t.key = u.k;
  RETURN answer;
END`

// One statement, so that it is one transaction: processes starting together serialize on an
// advisory lock (concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL's catalog), and
// nothing is created that exists already (a role without CREATE can use tables made by another).
// The function's name carries a version: a later version of the store creates its own beside it,
// so processes of both versions can share the table during a rolling upgrade.
const schemaSql = (names: Names): string => `
DO $do$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('@bing-effect/quota-tracker:' || ${literal(names.regclass)}));
  IF to_regclass(${literal(names.regclass)}) IS NULL THEN
    CREATE TABLE IF NOT EXISTS ${names.table} (
      key text COLLATE "C" PRIMARY KEY,
      value double precision NOT NULL,
      expires_at double precision NOT NULL
    );
  END IF;
  IF to_regprocedure(${literal(names.signature)}) IS NULL THEN
    CREATE FUNCTION ${names.acquire}(
      p_keys text[], p_kinds smallint[], p_limits double precision[], p_expires double precision[],
      p_intervals double precision[], p_amount double precision, p_now double precision, p_check boolean
    ) RETURNS double precision[] LANGUAGE plpgsql VOLATILE AS $fn$${functionBody(names)}$fn$;
  END IF;
  IF to_regprocedure(${literal(names.batchSignature)}) IS NULL THEN
    CREATE FUNCTION ${names.batch}(
      p_keys text[], p_kinds smallint[], p_limits double precision[], p_expires double precision[],
      p_intervals double precision[], p_amounts double precision[], p_nows double precision[]
    ) RETURNS double precision[] LANGUAGE plpgsql VOLATILE AS $fn$${batchBody(names)}$fn$;
  END IF;
END
$do$`

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

// ---- parameters: array literals bound as text, typed by the statement's casts ----

// any PostgreSQL driver binds a string untyped and lets the cast type it
const arrayOf = (values: ReadonlyArray<string>): string => `{${values.join(",")}}`
const textElement = (text: string): string => `"${text.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"")}"`

/** The array parameters of the acquire function over a list of slots, built once per list. */
interface Template {
  readonly slots: ReadonlyArray<Slot>
  readonly keys: string
  readonly kinds: string
  readonly limits: string
  readonly expires: string
  readonly intervals: string
  /** All of the above: acquires over equal templates can share one call of the batch function. */
  readonly group: string
}

const templateOf = (prefix: string, slots: ReadonlyArray<Slot>): Template => {
  const keys = arrayOf(slots.map((s) => textElement(prefix + s.key)))
  const kinds = arrayOf(slots.map((s) => (s.kind === "counter" ? "0" : "1")))
  const limits = arrayOf(slots.map((s) => String(s.limit)))
  const expires = arrayOf(slots.map((s) => (s.kind === "counter" ? String(s.expiresAt) : "0")))
  const intervals = arrayOf(slots.map((s) => (s.kind === "bucket" ? String(s.interval) : "0")))
  return {
    slots: slots.slice(),
    keys,
    kinds,
    limits,
    expires,
    intervals,
    group: `${keys}\n${kinds}\n${limits}\n${expires}\n${intervals}`
  }
}

const sameSlots = (a: ReadonlyArray<Slot>, b: ReadonlyArray<Slot>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A float8[] as a driver gives it: numbers, or PostgreSQL's text form `{1,2.5}`. */
const numbersOf = (raw: unknown): Array<number> | undefined => {
  if (Array.isArray(raw)) return raw.map(Number)
  if (typeof raw === "string" && raw.startsWith("{") && raw.endsWith("}")) {
    return raw.length === 2 ? [] : raw.slice(1, -1).split(",").map(Number)
  }
  return undefined
}

const numberOf = (raw: unknown): number => (typeof raw === "number" ? raw : Number(raw))

type Rows = ReadonlyArray<ReadonlyArray<unknown>>

/** The PostgreSQL store over a `SqlClient`. Requires a scope for the background sweeps. */
export const make = (
  sql: SqlClient.SqlClient,
  options: StoreOptions
): Effect.Effect<Service, QuotaError.QuotaError, Scope.Scope> =>
  Effect.gen(function*() {
    const names = namesOf(options.table)
    const { prefix, timeout } = options
    const sweepEvery = options.sweepEvery ?? SWEEP_EVERY
    // real time: the server answers in real time whatever the caller's Clock says
    const deadlines = timeout > 0 ? new Deadlines(timeout) : undefined
    let sweeper: Fiber.Fiber<void> | undefined
    yield* Effect.addFinalizer(() => (sweeper === undefined ? Effect.void : Fiber.interrupt(sweeper)))

    const failed = (what: string, cause: unknown) =>
      QuotaError.storeUnavailable("postgres", `${what} failed: ${describeSqlError(cause)}`)
    const timedOut = (what: string) => QuotaError.storeUnavailable("postgres", `${what} timed out after ${timeout} ms`)

    /** Runs a statement within the store's timeout; every failure becomes `StoreUnavailable`. */
    const run = (
      what: string,
      text: string,
      params: ReadonlyArray<unknown>
    ): Effect.Effect<Rows, QuotaError.QuotaError> => {
      const sent = Effect.mapError(sql.unsafe(text, params).values, (error) => failed(what, error))
      return deadlines === undefined ? sent : deadlines.guard(sent, () => timedOut(what))
    }

    // ---- the table and function, created when missing: at build, or before the first operation ----

    let ready = false
    const ensure: Effect.Effect<void, QuotaError.QuotaError> = Effect.suspend(() =>
      ready ? Effect.void : Effect.map(run("creating the table", schemaSql(names), []), () => {
        ready = true
      })
    )
    const whenReady = <A>(effect: Effect.Effect<A, QuotaError.QuotaError>): Effect.Effect<A, QuotaError.QuotaError> =>
      ready ? effect : Effect.andThen(ensure, effect)
    if (options.startup === "connect") yield* ensure

    // ---- the sweep of expired rows, in the background, one at a time ----

    let writes = 0
    const sweepSql = `DELETE FROM ${names.table} WHERE key IN (SELECT key FROM ${names.table} ` +
      `WHERE expires_at <= $1::float8 LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED)`
    const wrote = (now: number): void => {
      if (++writes % sweepEvery !== 0 || sweeper !== undefined) return
      sweeper = Effect.runFork(
        run("sweep", sweepSql, [String(now)]).pipe(
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => (sweeper = undefined)))
        )
      )
    }

    // ---- operations ----

    const templates = new WeakMap<ReadonlyArray<Slot>, Template>()
    const templateFor = (slots: ReadonlyArray<Slot>): Template => {
      let template = templates.get(slots)
      if (template === undefined || !sameSlots(template.slots, slots)) {
        template = templateOf(prefix, slots)
        templates.set(slots, template)
      }
      return template
    }

    const callSql = `SELECT ${names.acquire}($1::text[], $2::smallint[], $3::float8[], $4::float8[], ` +
      `$5::float8[], $6::float8, $7::float8, $8::boolean)`

    const poisoned = (what: string, slot: Slot | undefined) =>
      QuotaError.storeUnavailable(
        "postgres",
        `${what} failed: the key ${prefix}${slot?.key ?? "?"} in ${options.table} holds something other than ${
          slot?.kind === "bucket" ? "a bucket's arrival time" : "a count"
        } (nothing was changed; delete the row or overwrite it with setUsage)`
      )

    /** The function's answer: `{ refused, ...values }`, or `{ POISONED, index }`. */
    const call = (
      what: "acquire" | "add",
      slots: ReadonlyArray<Slot>,
      amount: number,
      now: number
    ): Effect.Effect<AcquireResult, QuotaError.QuotaError> => {
      const t = templateFor(slots)
      const params = [
        t.keys,
        t.kinds,
        t.limits,
        t.expires,
        t.intervals,
        String(amount),
        String(now),
        what === "acquire"
      ]
      return Effect.flatMap(run(what, callSql, params), (rows) => {
        const reply = numbersOf(rows[0]?.[0])
        if (reply === undefined || reply.length === 0) {
          return Exit.fail(failed(what, new Error("the acquire function gave no answer")))
        }
        if (reply[0] === POISONED) return Exit.fail(poisoned(what, slots[reply[1]!]))
        const refused = reply[0]!
        if (refused === -1) wrote(now)
        return Exit.succeed({ refused, values: reply.slice(1) })
      })
    }

    const getSql = `SELECT t.value, t.expires_at FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ` +
      `LEFT JOIN ${names.table} AS t ON t.key = u.k ORDER BY u.i`

    const get = (
      slots: ReadonlyArray<Slot>,
      now: number
    ): Effect.Effect<ReadonlyArray<number>, QuotaError.QuotaError> =>
      slots.length === 0 ?
        Effect.succeed([]) :
        Effect.flatMap(run("get", getSql, [templateFor(slots).keys]), (rows) => {
          const values: Array<number> = []
          for (let i = 0; i < slots.length; i++) {
            const slot = slots[i]!
            const row = rows[i]
            if (row === undefined || row[0] === null || row[0] === undefined) {
              values.push(0)
              continue
            }
            const value = numberOf(row[0])
            if (!Number.isFinite(value) || (slot.kind === "counter" && !Number.isInteger(value))) {
              return Exit.fail(poisoned("get", slot))
            }
            const live = numberOf(row[1]) > now
            values.push(!live || (slot.kind === "bucket" && value <= now) ? 0 : value)
          }
          return Exit.succeed(values)
        })

    const setSql = `INSERT INTO ${names.table} (key, value, expires_at) VALUES ($1::text, $2::float8, $3::float8) ` +
      `ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`

    const set = (slot: Slot, value: number, now: number): Effect.Effect<void, QuotaError.QuotaError> => {
      const expiresAt = slot.kind === "counter" ? slot.expiresAt : Math.ceil(value) + 1
      return Effect.asVoid(run("set", setSql, [prefix + slot.key, String(value), String(expiresAt)])).pipe(
        Effect.tap(() => Effect.sync(() => wrote(now)))
      )
    }

    // ---- group commit: the acquires over one template share a call while one is in flight ----
    //
    // An acquire over a template with no call in flight is sent at once, alone, with the single
    // function (no wait at concurrency 1). Acquires arriving meanwhile queue; when the call ends, up
    // to MAX_BATCH of them go in one call of the batch function: one lock of the rows, one commit
    // and one WAL flush for all, each acquire checked after the ones before it, as if each had been
    // its own statement in that order. Each acquire keeps its own deadline from its arrival: one
    // that times out (or is interrupted) while queued is never sent; one that times out while its
    // call is in flight fails with `StoreUnavailable`, and counts if the call commits, as with every
    // store (a lost answer over-counts, never under-counts). The call itself is bounded by the same
    // timeout, so a frozen connection cannot hold its group for longer.

    const batchSql = `SELECT ${names.batch}($1::text[], $2::smallint[], $3::float8[], $4::float8[], ` +
      `$5::float8[], $6::float8[], $7::float8[])`
    const groups = new Map<string, Group>()

    const finish = (p: Pending, exit: Exit.Exit<AcquireResult, QuotaError.QuotaError>): void => {
      if (p.done) return
      p.done = true
      if (p.deadline !== undefined) deadlines!.settle(p.deadline)
      p.resume(exit)
    }

    const answer = (
      template: Template,
      batch: ReadonlyArray<Pending>,
      exit: Exit.Exit<Rows, QuotaError.QuotaError>
    ): void => {
      if (Exit.isFailure(exit)) {
        const failure: Exit.Exit<AcquireResult, QuotaError.QuotaError> = Cause.hasInterruptsOnly(exit.cause)
          ? Exit.fail(timedOut("acquire"))
          : Exit.failCause(exit.cause)
        for (const p of batch) finish(p, failure)
        return
      }
      const n = template.slots.length
      const reply = numbersOf(exit.value[0]?.[0])
      if (reply !== undefined && reply[0] === POISONED) {
        const failure = Exit.fail(poisoned("acquire", template.slots[reply[1]!]))
        for (const p of batch) finish(p, failure)
        return
      }
      if (reply === undefined || reply.length !== batch.length * (n + 1)) {
        const failure = Exit.fail(failed("acquire", new Error("the acquire function gave no answer")))
        for (const p of batch) finish(p, failure)
        return
      }
      for (let j = 0; j < batch.length; j++) {
        const at = j * (n + 1)
        const refused = reply[at]!
        // counted whether or not its caller still waits: the call committed it
        if (refused === -1) wrote(batch[j]!.now)
        finish(batch[j]!, Exit.succeed({ refused, values: reply.slice(at + 1, at + 1 + n) }))
      }
    }

    const dispatch = (group: Group): void => {
      const { queue, template: t } = group
      const batch: Array<Pending> = []
      let taken = 0
      while (taken < queue.length && batch.length < MAX_BATCH) {
        const p = queue[taken++]!
        if (!p.done) batch.push(p)
      }
      queue.splice(0, taken)
      if (batch.length === 0) {
        group.busy = false
        if (groups.get(t.group) === group) groups.delete(t.group)
        return
      }
      group.busy = true
      const first = batch[0]!
      const sent = batch.length === 1
        ? sql.unsafe(callSql, [
          t.keys,
          t.kinds,
          t.limits,
          t.expires,
          t.intervals,
          String(first.amount),
          String(first.now),
          true
        ])
        : sql.unsafe(batchSql, [
          t.keys,
          t.kinds,
          t.limits,
          t.expires,
          t.intervals,
          arrayOf(batch.map((p) => String(p.amount))),
          arrayOf(batch.map((p) => String(p.now)))
        ])
      const fiber = Effect.runFork(Effect.mapError(sent.values, (error) => failed("acquire", error)))
      const guard = deadlines?.watch(() => fiber.interruptUnsafe())
      fiber.addObserver((exit) => {
        if (guard !== undefined) deadlines!.settle(guard)
        // the next call first: a resumed caller may run on in this very call stack, and its next
        // acquire must find the group as it is (idle, or with the next call in flight)
        dispatch(group)
        answer(t, batch, exit)
      })
    }

    const acquireGrouped = (
      slots: ReadonlyArray<Slot>,
      amount: number,
      now: number
    ): Effect.Effect<AcquireResult, QuotaError.QuotaError> =>
      Effect.callback<AcquireResult, QuotaError.QuotaError>((resume) => {
        const template = templateFor(slots)
        let group = groups.get(template.group)
        if (group === undefined) {
          group = { template, busy: false, queue: [] }
          groups.set(template.group, group)
        }
        const p: Pending = { amount, now, resume, done: false, deadline: undefined }
        if (deadlines !== undefined) {
          p.deadline = deadlines.watch(() => {
            if (p.done) return
            p.done = true
            resume(Exit.fail(timedOut("acquire")))
          })
        }
        group.queue.push(p)
        if (!group.busy) dispatch(group)
        return Effect.sync(() => {
          if (p.done) return
          p.done = true
          if (p.deadline !== undefined) deadlines!.settle(p.deadline)
        })
      })

    // Inside a transaction of the caller's (`sql.withTransaction`), an acquire runs alone on that
    // transaction's connection, as part of it: a batch is its own transaction.
    const acquire = (
      slots: ReadonlyArray<Slot>,
      amount: number,
      now: number
    ): Effect.Effect<AcquireResult, QuotaError.QuotaError> =>
      Effect.withFiber((fiber) =>
        Context.getOrUndefined(fiber.context, sql.transactionService) === undefined
          ? acquireGrouped(slots, amount, now)
          : call("acquire", slots, amount, now)
      )

    return {
      name: "postgres",
      acquire: (slots, weight, now) => whenReady(acquire(slots, weight, now)),
      get: (slots, now) => whenReady(get(slots, now)),
      set: (slot, value, now) => whenReady(set(slot, value, now)),
      add: (slots, delta, now) =>
        slots.length === 0 ? Effect.succeed([]) : whenReady(Effect.map(call("add", slots, delta, now), (r) => r.values))
    } satisfies Service
  })

/**
 * What a driver's error says, without credentials: `SqlError` keeps the driver's error as the
 * `cause` of its `reason`, whose own message is often generic ("PgConnection: Failed to connect").
 */
export const describeSqlError = (error: unknown): string => {
  const reason = (error as { readonly reason?: { readonly message?: unknown; readonly cause?: unknown } }).reason
  if (reason === undefined) return describeCause(error)
  const message = typeof reason.message === "string" ? reason.message : ""
  const cause = reason.cause === undefined ? "" : describeCause(reason.cause)
  const parts = [message, cause].filter((s) => s !== "" && s !== "the driver gave no reason")
  const unique = parts.filter((s, i) => !parts.slice(0, i).some((p) => p.includes(s) || s.includes(p)))
  return unique.length === 0 ? describeCause(error) : describeCause(unique.join(": "))
}
