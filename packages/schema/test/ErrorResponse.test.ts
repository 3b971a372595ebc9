import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import * as ErrorResponse from "../src/ErrorResponse.js"

const decode = Schema.decodeUnknownResult(ErrorResponse.ErrorResponse)

describe("ErrorResponse", () => {
  it("decodes the documented examples", () => {
    const examples = [
      "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidRequest\",\"subCode\":\"ParameterMissing\",\"message\":\"Required parameter is missing.\",\"parameter\":\"q\"}]}",
      "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidAuthorization\",\"subCode\":\"AuthorizationMissing\",\"message\":\"Authorization is required.\",\"moreDetails\":\"Subscription key is not recognized.\"}]}"
    ]
    for (const text of examples) {
      const r = decode(JSON.parse(text))
      expect(Result.isSuccess(r)).toBe(true)
      expect(ErrorResponse.isErrorResponse(JSON.parse(text))).toBe(true)
    }
  })

  it("keeps an unknown code or sub-code as a string", () => {
    const r = decode({ _type: "ErrorResponse", errors: [{ code: "QuantumError", subCode: "Entangled" }] })
    expect(Result.isSuccess(r) && r.success.errors[0]).toEqual({ code: "QuantumError", subCode: "Entangled" })
  })

  it("rejects an empty errors list, a missing code and wrong types", () => {
    for (
      const bad of [
        { _type: "ErrorResponse", errors: [] },
        { _type: "ErrorResponse", errors: [{ message: "x" }] },
        { _type: "ErrorResponse", errors: [{ code: "ServerError", parameter: 1 }] },
        { _type: "SearchResponse", errors: [{ code: "ServerError" }] }
      ]
    ) {
      expect(Result.isFailure(decode(bad))).toBe(true)
      expect(ErrorResponse.isErrorResponse(bad)).toBe(false)
    }
  })
})
