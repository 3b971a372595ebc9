import { describe, expect, it } from "vitest"
import { isRetirementCode, Retirement, statusOfSubCode } from "../src/index.js"

describe("Retirement", () => {
  it("is the retired endpoint's answer, verbatim, and shares only its status with HttpNotAllowed", () => {
    expect(Retirement).toMatchObject({ status: 410, code: "Gone", date: "2025-08-11" })
    expect(Retirement.message).toBe(
      "The requested API endpoint is no longer available. This Bing service has been retired. More information at https://aka.ms/BingAPIsRetirement."
    )
    expect(Retirement.message).toContain(Retirement.moreInformation)
    expect(statusOfSubCode("HttpNotAllowed")).toBe(Retirement.status)
    expect(Object.isFrozen(Retirement)).toBe(true)
    expect(isRetirementCode("Gone")).toBe(true)
    expect(isRetirementCode("gone")).toBe(false)
    expect(isRetirementCode("InvalidRequest")).toBe(false)
  })
})
