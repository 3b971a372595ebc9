/**
 * The admin bearer token of `/_gateway/status`. The comparison runs on SHA-256 digests with
 * `timingSafeEqual`: comparing the strings themselves would return at the first differing
 * character (timing leaks the prefix) and `timingSafeEqual` alone throws on different lengths
 * (which leaks the length); two digests always have the same length.
 */
import * as Redacted from "effect/Redacted"
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest()

// RFC 6750: `Bearer` (any case), one or more spaces, the token; nothing else on the line.
const bearer = /^bearer +(\S+) *$/i

/** Whether an `Authorization` header value carries exactly the admin token. */
export const makeCheck = (token: Redacted.Redacted<string>): (authorization: string | undefined) => boolean => {
  // digested once: the token's value is read here and nowhere else
  const expected = digest(Redacted.value(token))
  return (authorization) => {
    const match = authorization === undefined ? null : bearer.exec(authorization)
    // a missing header still costs a digest and a comparison, like a wrong token
    const presented = digest(match?.[1] ?? "")
    return timingSafeEqual(presented, expected) && match !== null
  }
}
