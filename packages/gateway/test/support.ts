/**
 * Test parts of the operations side: tiers whose keys tests look for in every answer, real
 * trackers over one memory store (as the gateway puts tiers and tenants in one store), a store
 * that can be frozen (its calls never complete, as a Redis that stopped answering).
 */
import { type QuotaError, QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { Deferred, Effect, Redacted } from "effect"
import type { Scope } from "effect"

/** Key values that must never appear in any answer or line. */
export const secrets = {
  s15: "sk-live-S15-0123456789abcdef",
  s16: "sk-live-S16-fedcba9876543210",
  tenant: "gw-team-a-client-key-0042",
  admin: "admin-token-Zq8v"
} as const

export const tier = (name: string, key: string, limits: Tier.Limits) =>
  Tier.make({ name, key: Redacted.make(key), limits })

export const utc = (iso: string) => Date.parse(iso)

/** A memory store whose calls can be made to hang forever; `entered` completes at the first hung call. */
export const freezableStore = Effect.gen(function*() {
  const inner = yield* QuotaStore.makeMemory
  const entered = yield* Deferred.make<void>()
  let frozen = false
  // wrapping also drops the memory store's synchronous fast path, so every call goes through here
  const gate = <A, E>(call: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.suspend(() => frozen ? Effect.andThen(Deferred.succeed(entered, undefined), Effect.never) : call())
  const store: QuotaStore.Service = {
    name: "redis",
    acquire: (slots, weight, now) => gate(() => inner.acquire(slots, weight, now)),
    get: (slots, now) => gate(() => inner.get(slots, now)),
    set: (slot, value, now) => gate(() => inner.set(slot, value, now)),
    add: (slots, delta, now) => gate(() => inner.add(slots, delta, now))
  }
  return {
    store,
    entered,
    freeze: Effect.sync(() => {
      frozen = true
    })
  }
})

/** The tier chain S15 -> S16 and the tenant team-a, all over one store. */
export const trackers = (store: QuotaStore.Service, options: {
  readonly s15?: Tier.Limits | undefined
  readonly s16?: Tier.Limits | undefined
  readonly tenant?: Tier.Limits | undefined
} = {}): Effect.Effect<
  { readonly tiers: QuotaTracker.Service; readonly tenants: ReadonlyMap<string, QuotaTracker.Service> },
  QuotaError.QuotaError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const tiers = yield* QuotaTracker.make({
      tiers: [
        tier("S15", secrets.s15, options.s15 ?? { perSecond: 100, perDay: 1000 }),
        tier("S16", secrets.s16, options.s16 ?? { perDay: 5000 })
      ]
    })
    const teamA = yield* QuotaTracker.make({
      tiers: [tier("tenant:team-a", secrets.tenant, options.tenant ?? { perSecond: 10, perDay: 100 })]
    })
    return { tiers, tenants: new Map([["team-a", teamA]]) as ReadonlyMap<string, QuotaTracker.Service> }
  }).pipe(Effect.provideService(QuotaStore.QuotaStore, store))
