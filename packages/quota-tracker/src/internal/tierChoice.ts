/**
 * Tier choice: which tier an acquire uses, and what a store's answer means for
 * it. One attempt is synchronous with the memory store (its prepared slots are
 * checked in place) and becomes an `Async` step with any other store.
 *
 * The order: the first tier below its soft limits (`switchAt`), else the first
 * tier not exhausted; a held tier makes the acquire wait or fail; a tier the
 * store refuses is marked (exhausted, or past `switchAt`) and the choice runs
 * again.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as QuotaError from "../QuotaError.js"
import type * as QuotaEvent from "../QuotaEvent.js"
import type { AcquireResult, Slot } from "../QuotaStore.js"
import { AcquiredView } from "./acquired.js"
import { type Engine, storeCall } from "./engine.js"
import { formatPercent } from "./format.js"
import { SECOND } from "./options.js"
import { refresh } from "./periods.js"
import { markExhausted, observe } from "./thresholds.js"
import type { TierState } from "./tierState.js"

/** A refusal, ready to be returned as the acquire's effect. */
export interface Refused {
  readonly _tag: "Refused"
  readonly failure: Effect.Effect<never, QuotaError.QuotaError>
}

/** What one attempt decided. */
export type Step =
  | AcquiredView
  | Refused
  | { readonly _tag: "Wait"; readonly millis: number }
  | { readonly _tag: "Async"; readonly effect: Effect.Effect<Step, QuotaError.QuotaError> }

const refused = (error: QuotaError.QuotaError): Refused => ({ _tag: "Refused", failure: Exit.fail(error) })

const switchReason = (from: TierState, now: number): QuotaEvent.SwitchReason =>
  from.exhaustedUntil > now
    ? from.exhaustedSource === "server" ? "server-quota" : "exhausted"
    : from.softUntil > now
    ? "threshold"
    : "reset"

const admitted = (
  engine: Engine,
  t: TierState,
  values: ArrayLike<number>,
  weight: number,
  now: number
): AcquiredView => {
  const windows = t.windows
  for (let i = 0; i < windows.length; i++) observe(engine, t, windows[i]!, values[i]!, now)
  // a switch is rare and builds a message: kept out of line, so this stays small enough to inline
  const switchedFrom = engine.active === t ? undefined : switchTo(engine, t, now)
  t.outstanding += weight
  return new AcquiredView(t, values, weight, now, switchedFrom)
}

/** Makes `t` the active tier; answers the tier it switched from, queueing the switch as an event. */
const switchTo = (engine: Engine, t: TierState, now: number): string | undefined => {
  // The first acquire of a process has no previous tier: when it lands further down the
  // chain (the preferred tier is exhausted or past switchAt in a shared store), the preferred
  // tier stands for it, so that switch is an event too.
  const from = engine.active ?? (t.index > 0 ? engine.tiers[0] : undefined)
  engine.active = t
  if (from === undefined) return undefined
  const reason = t.index > from.index
    ? switchReason(from, now)
    : from.exhaustedUntil > now
    ? switchReason(from, now)
    : "reset"
  const because = reason === "reset"
    ? `${t.tier.name}'s quota has reset`
    : reason === "threshold"
    ? `${from.tier.name} reached the switch threshold (${formatPercent(engine.settings.switchAt)})`
    : reason === "server-quota"
    ? `the server reported ${from.tier.name}'s quota exhausted`
    : `${from.tier.name} is exhausted`
  engine.events.push({
    _tag: "TierSwitched",
    at: now,
    from: from.tier.name,
    to: t.tier.name,
    reason,
    message: `Switched from ${from.tier.name} to ${t.tier.name}: ${because}`
  })
  engine.metrics.switched(from.tier.name, t.tier.name, reason).count++
  return from.tier.name
}

const allExhausted = (engine: Engine, now: number): Refused => {
  let first: TierState | undefined
  for (const t of engine.tiers) if (first === undefined || t.exhaustedUntil < first.exhaustedUntil) first = t
  return refused(QuotaError.allTiersExhausted({
    tiers: engine.tiers.map((t) => t.tier.name),
    window: first!.exhaustedWindow,
    resetsAt: first!.exhaustedUntil,
    retryAfter: Math.max(0, first!.exhaustedUntil - now)
  }))
}

// A full per-second window refuses thousands of acquires with the same wait (it changes once per
// ms at most): they share one refusal, so a refused acquire builds no error and no failure.
const rateRefused = (t: TierState, wait: number): Refused => {
  t.rateRefusals.count++
  const last = t.rateRefusal
  if (last !== undefined && last.wait === wait) return last
  const next = { _tag: "Refused" as const, wait, failure: Exit.fail(QuotaError.rateLimitExceeded(t.tier.name, wait)) }
  t.rateRefusal = next
  return next
}

/** One attempt: what to do next. Synchronous unless the store is. */
export const attempt = (engine: Engine, weight: number, now: number, waited: number): Step => {
  // The common case, first: the memory store, the first tier active, in its periods, neither
  // exhausted, past switchAt nor held. The loop below would choose it on its first pass and
  // `refresh` would find nothing to do; this is that pass without the search.
  const first = engine.tiers[0]!
  const prepared = first.hasSoft ? first.softPrepared : first.prepared
  if (
    prepared !== undefined && engine.active === first && now >= first.validFrom && now < first.validUntil &&
    first.exhaustedUntil <= now && first.softUntil <= now && first.holdUntil <= now
  ) {
    const refusedAt = prepared.acquire(weight, now)
    if (refusedAt < 0) return admitted(engine, first, prepared.values, weight, now)
    const step = decide(engine, first, prepared.slots, refusedAt, prepared.values, weight, now, waited)
    if (step !== undefined) return step
  }
  return choose(engine, weight, now, waited)
}

const choose = (engine: Engine, weight: number, now: number, waited: number): Step => {
  const tiers = engine.tiers
  const sync = engine.sync
  for (let guard = 0; guard <= tiers.length * 2 + 1; guard++) {
    // choose: first tier below its soft limits, else first tier not exhausted
    let chosen: TierState | undefined
    let soft = true
    for (let i = 0; i < tiers.length; i++) {
      const t = tiers[i]!
      if (t.exhaustedUntil > now || t.softUntil > now) {
        refresh(engine, t, now) // the clock may have stepped back into a period where the tier is fine
        if (t.exhaustedUntil > now || t.softUntil > now) continue
      }
      chosen = t
      break
    }
    if (chosen === undefined) {
      soft = false
      for (let i = 0; i < tiers.length; i++) {
        const t = tiers[i]!
        if (t.exhaustedUntil > now) continue
        chosen = t
        break
      }
    }
    if (chosen === undefined) {
      engine.metrics.allExhausted.count++
      return allExhausted(engine, now)
    }
    const t = chosen
    if (t.holdUntil > now) {
      if (t.holdUntil - now > t.holdFor) t.holdUntil = now + t.holdFor
      const wait = t.holdUntil - now
      if (waited + wait <= engine.settings.waitBound) return { _tag: "Wait", millis: wait }
      return rateRefused(t, wait)
    }
    refresh(engine, t, now)
    const useSoft = soft && t.hasSoft
    if (sync !== undefined) {
      // the memory store: check and count in place over slots prepared once per period
      const prepared = useSoft
        ? (t.softPrepared ??= sync.prepare(t.softSlots))
        : (t.prepared ??= sync.prepare(t.slots))
      const refusedAt = prepared.acquire(weight, now)
      const step = decide(engine, t, prepared.slots, refusedAt, prepared.values, weight, now, waited)
      if (step !== undefined) return step
      continue
    }
    return { _tag: "Async", effect: acquireAsync(engine, t, useSoft ? t.softSlots : t.slots, weight, now, waited) }
  }
  return allExhausted(engine, now)
}

/** Interprets a store answer; `undefined` means "the tier is out, choose again". */
const decide = (
  engine: Engine,
  t: TierState,
  slots: ReadonlyArray<Slot>,
  refusedAt: number,
  values: ArrayLike<number>,
  weight: number,
  now: number,
  waited: number
): Step | undefined => {
  if (refusedAt < 0) return admitted(engine, t, values, weight, now)
  const w = t.windows[refusedAt]!
  for (let j = 0; j < t.windows.length; j++) t.windows[j]!.value = values[j]!
  if (w.kind === "second") {
    const cost = (weight * SECOND) / w.limit
    const tat = Math.max(values[refusedAt]!, now)
    const wait = Math.max(1, Math.ceil(tat + cost - now - Math.max(SECOND, cost)))
    if (waited + wait <= engine.settings.waitBound) return { _tag: "Wait", millis: wait }
    return rateRefused(t, wait)
  }
  const value = values[refusedAt]!
  if (slots[refusedAt]!.limit < w.limit && value + weight <= w.limit) {
    // below the hard limit: only the switch threshold was reached
    t.softUntil = w.periodEnd
  } else {
    markExhausted(engine, t, w.kind, w.periodEnd, "local", now)
    t.refusals.count++
  }
  return undefined
}

const acquireAsync = (
  engine: Engine,
  t: TierState,
  slots: ReadonlyArray<Slot>,
  weight: number,
  now: number,
  waited: number
): Effect.Effect<Step, QuotaError.QuotaError> =>
  Effect.map(storeCall(engine, engine.store.acquire(slots, weight, now)), (result: AcquireResult) => {
    const step = decide(engine, t, slots, result.refused, result.values, weight, now, waited)
    return step ?? choose(engine, weight, now, waited)
  })
