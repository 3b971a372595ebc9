/**
 * What Bing answers for a query string its parameter checks reject: the status and error body a
 * failed `fromQuery` encodes to, and the two bodies the parameter tests expect
 * (`ParameterInvalidValue`, `ParameterMissing`). Shared by the parameter tests.
 */
import { Result } from "effect"
import * as BingResponse from "../src/BingResponse.js"

type Checked = Result.Result<unknown, Parameters<typeof BingResponse.encodeError>[0]>

/** The exact response Bing sends for a failed check: status and body, the body as sent. */
export const wire = (r: Checked) => {
  if (Result.isSuccess(r)) return "success"
  const { status, body } = BingResponse.encodeError(r.failure)
  return { status, body }
}

/** The exact response Bing sends for a failed check: status and body, the body parsed. */
export const answer = (r: Checked) => {
  const sent = wire(r)
  return sent === "success" ? sent : { status: sent.status, body: JSON.parse(sent.body) as unknown }
}

/** The parsed answer to a parameter with an invalid value. */
export const invalidBody = (parameter: string, value: string) => ({
  status: 400,
  body: {
    _type: "ErrorResponse",
    errors: [{
      code: "InvalidRequest",
      subCode: "ParameterInvalidValue",
      message: "Parameter has invalid value.",
      parameter,
      value
    }]
  }
})

/** The parsed answer to a missing required parameter. */
export const missingBody = (parameter: string) => ({
  status: 400,
  body: {
    _type: "ErrorResponse",
    errors: [{
      code: "InvalidRequest",
      subCode: "ParameterMissing",
      message: "Required parameter is missing.",
      parameter
    }]
  }
})

/** An expected answer with its body as sent (JSON text, in the same key order). */
export const asSent = (expected: { readonly status: number; readonly body: unknown }) => ({
  status: expected.status,
  body: JSON.stringify(expected.body)
})
