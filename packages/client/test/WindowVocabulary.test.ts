/**
 * The quota window is declared twice, once per dependency root (STYLE.md: quota-tracker does not
 * depend on error-codes): `QuotaWindow` in error-codes, which schema and the emulator derive from,
 * and `Window.kinds` in quota-tracker, which its error and outcome types derive from. The client
 * depends on both, so it is where the two are held equal: a change to one alone fails `tsc -b`
 * (these types are checked by the typecheck of the test project) and this test at run time.
 */
import { QuotaWindow, type VolumeQuotaWindow } from "@bing-effect/error-codes"
import type { Outcome, QuotaError } from "@bing-effect/quota-tracker"
import { Window } from "@bing-effect/quota-tracker"
import type { BingError } from "@bing-effect/schema"
import { describe, expect, it } from "vitest"

type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const same = <A, B>(proof: Equal<A, B>): Equal<A, B> => proof

describe("one quota-window vocabulary across the packages", () => {
  it("error-codes' QuotaWindow and quota-tracker's Window.kinds name the same windows", () => {
    same<QuotaWindow, Window.WindowKind>(true)
    same<VolumeQuotaWindow, Window.CalendarKind>(true)
    // what the server may say in a 403 is the same on the wire (schema) and in the tracker (Outcome)
    same<BingError.QuotaWindow, Outcome.QuotaWindow>(true)
    same<QuotaError.ErrorWindow, QuotaWindow | "unknown">(true)
    // @ts-expect-error the check rejects a union with a window fewer
    same<QuotaWindow, VolumeQuotaWindow>(true)
    expect([...Window.kinds].sort()).toEqual(Object.values(QuotaWindow).sort())
  })
})
