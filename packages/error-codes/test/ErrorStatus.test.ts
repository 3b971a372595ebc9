import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import {
  codesForStatus,
  ErrorCode,
  errorsForStatus,
  ErrorStatusTable,
  HttpStatus,
  HttpStatusMeaning,
  statusOfRateLimit,
  statusOfSubCode,
  SubCode,
  SubCodeParent,
  subCodesOf,
  SubCodeStatus
} from "../src/index.js"

// "5.1 HTTP status table" and "5.2 (code, subCode) → status" of docs/bing-v7-reference.md, copied
// verbatim: the tables below are parsed from it, so a drift between the code and the documentation
// fails here.
const doc = readFileSync(new URL("./fixtures/bing-v7-errors.md", import.meta.url), "utf8")
const tableRows = (heading: string) => {
  const section = doc.slice(doc.indexOf(heading))
  const lines = section.split("\n").slice(1)
  const start = lines.findIndex((l) => l.startsWith("|"))
  const rows = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break
    // Markdown emphasis (`*x*` or, as the formatter writes it, `_x_`) and code spans are not content.
    rows.push(line.split("|").slice(1, -1).map((c) => c.trim().replace(/`|\*/g, "").replace(/^_(.*)_$/, "$1")))
  }
  return rows
}

describe("HTTP statuses", () => {
  it("are exactly the documented ones", () => {
    const documented = tableRows("### 5.1").map(([status]) => Number(status))
    expect(Object.values(HttpStatus).toSorted()).toEqual(documented.toSorted())
    for (const status of documented) expect(HttpStatusMeaning[status as HttpStatus]).toMatch(/\w/)
  })
})

describe("code and sub-code table", () => {
  const documented = tableRows("### 5.2").map(([code = "", subCode = "", http = ""]) => ({ code, subCode, http }))

  it("has every documented sub-code with its code and status", () => {
    const withSub = documented.filter((r) => r.subCode && !r.subCode.startsWith("("))
    expect(withSub).toHaveLength(11)
    for (const row of withSub) {
      const sub = row.subCode as SubCode
      expect(SubCode[sub]).toBe(sub)
      expect(SubCodeParent[sub]).toBe(row.code)
      // Blocked's status is not documented ("not documented" in the doc); 400 is the project's decision.
      const expected = row.http.startsWith("not documented") ? 400 : Number(row.http)
      expect(statusOfSubCode(sub)).toBe(expected)
      expect(ErrorStatusTable.find((r) => r.subCode === sub)?.documented).toBe(!row.http.startsWith("not"))
    }
    expect(Object.keys(SubCode).toSorted()).toEqual(withSub.map((r) => r.subCode).toSorted())
  })

  it("has the five codes and nothing else", () => {
    expect(Object.keys(ErrorCode).toSorted()).toEqual([...new Set(documented.map((r) => r.code))].toSorted())
  })

  it("maps RateLimitExceeded to 429 per second and 403 per day or month", () => {
    const row = documented.find((r) => r.code === "RateLimitExceeded")
    expect(row?.http).toMatch(/^429 if QPS exceeded; 403 if QPM/)
    expect(statusOfRateLimit("second")).toBe(429)
    expect(statusOfRateLimit("day")).toBe(403)
    expect(statusOfRateLimit("month")).toBe(403)
  })

  it("looks up statuses in reverse", () => {
    expect(codesForStatus(403)).toEqual(["RateLimitExceeded", "InsufficientAuthorization"])
    expect(codesForStatus(401)).toEqual(["InvalidAuthorization"])
    expect(codesForStatus(410)).toEqual(["InvalidRequest"])
    expect(codesForStatus(429)).toEqual(["RateLimitExceeded"])
    expect(codesForStatus(200)).toEqual([])
    expect(codesForStatus(404)).toEqual([])
    expect(errorsForStatus(400).map((r) => r.subCode)).toEqual(["ParameterMissing", "ParameterInvalidValue", "Blocked"])
    expect(errorsForStatus(500).map((r) => r.subCode)).toEqual(["UnexpectedError", "ResourceError", "NotImplemented"])
    for (const row of ErrorStatusTable) expect(errorsForStatus(row.status)).toContain(row)
  })

  it("lists each code's sub-codes", () => {
    expect(subCodesOf("InvalidAuthorization")).toEqual(["AuthorizationMissing", "AuthorizationRedundancy"])
    expect(subCodesOf("RateLimitExceeded")).toEqual([])
    const all = Object.values(ErrorCode).flatMap(subCodesOf)
    expect(all.toSorted()).toEqual(Object.values(SubCode).toSorted())
  })

  it("is frozen", () => {
    expect(Object.isFrozen(ErrorCode) && Object.isFrozen(SubCode) && Object.isFrozen(ErrorStatusTable)).toBe(true)
  })
})

describe("SubCodeStatus", () => {
  it("agrees with the table row of every sub-code", () => {
    for (const row of ErrorStatusTable) if (row.subCode) expect(SubCodeStatus[row.subCode]).toBe(row.status)
  })
})
