/**
 * The caller's key: read from `Ocp-Apim-Subscription-Key` or the `subscription-key` query
 * parameter (both: `AuthorizationRedundancy`, as the emulator answers), and found so that the
 * time taken does not depend on how much of a key matches: compared with every configured key in
 * full (no early exit) while there are at most {@link scanLimit} of them, looked up by its SHA-256
 * digest beyond. An upstream tier's key is refused like an unknown one.
 */
import * as Redacted from "effect/Redacted"
import { hash } from "node:crypto"
import type * as GatewayConfig from "../GatewayConfig.js"

/** Who a request comes from, or why it is refused (each refusal is one of Bing's 401 answers). */
export type Identity =
  | { readonly _tag: "Client"; readonly client: GatewayConfig.Client }
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "Redundant" }

const digest = (key: string): string => hash("sha256", key, "base64")

/**
 * Up to this many keys (clients and tiers) a presented key is compared with each of them rather
 * than digested: a digest per request cost about 12 µs on the request path of a loaded server
 * (OpenSSL behind a native call), a full comparison with a few keys well under one.
 */
export const scanLimit = 64

/**
 * Whether `presented` is `secret`, in a time that depends on `secret`'s length alone: every
 * character of `secret` is compared (no early exit; past the end of `presented` against 0) and a
 * difference of length is folded into the result.
 */
export const sameKey = (presented: string, secret: string): boolean => {
  let diff = presented.length ^ secret.length
  for (let i = 0; i < secret.length; i++) diff |= (presented.charCodeAt(i) | 0) ^ secret.charCodeAt(i)
  return diff === 0
}

/** The lookup beyond `scanLimit` keys: by each key's digest. */
const byDigestOf = (byKey: ReadonlyMap<string, GatewayConfig.Client | null>) => {
  const byDigest = new Map<string, GatewayConfig.Client | null>()
  for (const [key, owner] of byKey) byDigest.set(digest(key), owner)
  return (secret: string) => byDigest.get(digest(secret))
}

/** The raw value of the first `subscription-key` query parameter, decoded (as the emulator reads it). */
export const queryKey = (search: string): string | undefined => {
  if (!search.includes("subscription-key=")) return undefined
  for (const part of search.split("&")) {
    if (part.startsWith("subscription-key=")) {
      const raw = part.slice("subscription-key=".length)
      try {
        return decodeURIComponent(raw.replace(/\+/g, " "))
      } catch {
        return raw
      }
    }
  }
  return undefined
}

/** Builds the lookup of the configured client keys; tier keys are remembered only to be refused. */
export const make = (
  clients: ReadonlyArray<GatewayConfig.Client>,
  tierKeys: ReadonlyArray<Redacted.Redacted<string>>
) => {
  // Every configured key once, with its client (`null`: a tier's key, refused). A client key that
  // is also a tier key stays refused: it would hand out the tier's key.
  const byKey = new Map<string, GatewayConfig.Client | null>()
  for (const tier of tierKeys) byKey.set(Redacted.value(tier), null)
  for (const client of clients) {
    const key = Redacted.value(client.key)
    if (!byKey.has(key)) byKey.set(key, client)
  }
  const keys = [...byKey.keys()]
  const owners = [...byKey.values()]
  const find = keys.length > scanLimit ? byDigestOf(byKey) : (secret: string) => {
    let found: GatewayConfig.Client | null | undefined
    // no early exit: the time is that of comparing with every key in full
    for (let i = 0; i < keys.length; i++) if (sameKey(secret, keys[i]!)) found = owners[i]
    return found
  }
  const missing: Identity = { _tag: "Missing" }
  const unknown: Identity = { _tag: "Unknown" }
  const redundant: Identity = { _tag: "Redundant" }
  const identities = new Map<GatewayConfig.Client, Identity>()
  for (const client of owners) if (client !== null) identities.set(client, { _tag: "Client", client })

  return (header: string | undefined, search: string): Identity => {
    const fromQuery = queryKey(search)
    if (header !== undefined && fromQuery !== undefined) return redundant
    const secret = header ?? fromQuery
    if (secret === undefined || secret === "") return missing
    const client = find(secret)
    return client === undefined || client === null ? unknown : identities.get(client)!
  }
}
