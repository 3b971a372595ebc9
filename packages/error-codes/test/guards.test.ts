import { describe, expect, it } from "vitest"
import { isErrorCode, isHttpStatus, isQuotaWindow, isSubCode, isSubCodeOf, QuotaWindow } from "../src/index.js"

describe("guards", () => {
  it("accept the documented values and nothing else", () => {
    expect(isErrorCode("InvalidRequest")).toBe(true)
    expect(isErrorCode("None")).toBe(false) // the Azure SDKs' swagger default, never on the wire
    expect(isErrorCode("invalidrequest")).toBe(false)
    expect(isErrorCode(undefined)).toBe(false)
    expect(isSubCode("Blocked")).toBe(true)
    expect(isSubCode("ParameterInvalid")).toBe(false) // a typo in Bing's own docs, not a sub-code
    expect(isSubCode(42)).toBe(false)
    expect(isHttpStatus(410)).toBe(true)
    expect(isHttpStatus(502)).toBe(false)
    expect(isHttpStatus("200")).toBe(false)
    expect(isSubCodeOf("InvalidRequest", "HttpNotAllowed")).toBe(true)
    expect(isSubCodeOf("ServerError", "HttpNotAllowed")).toBe(false)
  })
})

describe("QuotaWindow", () => {
  it("lists the three windows once, and its guard accepts exactly those", () => {
    expect(Object.values(QuotaWindow)).toEqual(["second", "day", "month"])
    expect(Object.isFrozen(QuotaWindow)).toBe(true)
    for (const w of Object.values(QuotaWindow)) expect(isQuotaWindow(w)).toBe(true)
    expect(isQuotaWindow("Day")).toBe(false)
    expect(isQuotaWindow("unknown")).toBe(false)
    expect(isQuotaWindow("toString")).toBe(false)
    expect(isQuotaWindow(undefined)).toBe(false)
  })
})
