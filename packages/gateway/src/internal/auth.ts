/**
 * The caller's key: read from `Ocp-Apim-Subscription-Key` or the `subscription-key` query
 * parameter (both: `AuthorizationRedundancy`, as the emulator answers), and looked up by its
 * SHA-256 digest, so the lookup's time does not depend on how much of a key matches. An upstream
 * tier's key is refused like an unknown one.
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

// One-shot `hash`: no Hash object per request (half the cost of `createHash().update().digest()`).
const digest = (key: string): string => hash("sha256", key, "base64")

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
  const byDigest = new Map<string, GatewayConfig.Client | null>()
  for (const tier of tierKeys) byDigest.set(digest(Redacted.value(tier)), null)
  for (const client of clients) {
    const d = digest(Redacted.value(client.key))
    // a client key that is also a tier key stays refused: it would hand out the tier's key
    if (!byDigest.has(d)) byDigest.set(d, client)
  }
  const missing: Identity = { _tag: "Missing" }
  const unknown: Identity = { _tag: "Unknown" }
  const redundant: Identity = { _tag: "Redundant" }
  const identities = new Map<GatewayConfig.Client, Identity>()
  for (const client of byDigest.values()) if (client !== null) identities.set(client, { _tag: "Client", client })

  return (header: string | undefined, search: string): Identity => {
    const fromQuery = queryKey(search)
    if (header !== undefined && fromQuery !== undefined) return redundant
    const secret = header ?? fromQuery
    if (secret === undefined || secret === "") return missing
    const client = byDigest.get(digest(secret))
    return client === undefined || client === null ? unknown : identities.get(client)!
  }
}
