import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as SpellCheck from "../src/SpellCheck.js"
import * as SpellCheckParams from "../src/SpellCheckParams.js"
import { answer, invalidBody, missingBody } from "./paramErrors.js"

const missingText = missingBody("text")

const read = (qs: string, form?: string) =>
  SpellCheckParams.fromQuery(
    SpellCheckParams.normalize(new URLSearchParams(qs), form === undefined ? undefined : new URLSearchParams(form))
  )

describe("Spell Check parameters", () => {
  it("reads every documented parameter; mode in any case", () => {
    expect(
      read(
        "text=Hollo+wrld&mode=Proof&actionType=edit&appName=a&cc=us&clientMachineName=m&docId=d&mkt=en-US&preContextText=bike&postContextText=&sessionId=s&setLang=en&userId=u"
      )
    ).toEqual(Result.succeed({
      text: "Hollo wrld",
      mode: "proof",
      actionType: "Edit",
      appName: "a",
      cc: "us",
      clientMachineName: "m",
      docId: "d",
      mkt: "en-US",
      preContextText: "bike",
      postContextText: "",
      sessionId: "s",
      setLang: "en",
      userId: "u"
    }))
  })

  it("names in any case, as Microsoft's SDK sends them; the form body after the query string", () => {
    expect(read("Text=teh&Mode=spell&PreContextText=x")).toEqual(
      Result.succeed({ text: "teh", mode: "spell", preContextText: "x" })
    )
    expect(read("mode=spell", "text=from+the+body")).toEqual(Result.succeed({ text: "from the body", mode: "spell" }))
    expect(read("text=query", "text=body")).toEqual(Result.succeed({ text: "query" }))
  })

  it("a missing or blank text is ParameterMissing; bad values are Bing's 400 for that parameter", () => {
    expect(answer(read("mode=spell"))).toEqual(missingText)
    expect(answer(read("text=+++"))).toEqual(missingText)
    expect(answer(read("text=a&mode=grammar"))).toEqual(invalidBody("mode", "grammar"))
    expect(answer(read("text=a&actionType=Save"))).toEqual(invalidBody("actionType", "Save"))
    expect(answer(read("text=a&cc=usa"))).toEqual(invalidBody("cc", "usa"))
  })

  it("typed input is checked and written back in field order", () => {
    expect(answer(SpellCheckParams.validate({ text: "a", mode: "Spell" }))).toEqual(invalidBody("mode", "Spell"))
    const ok = SpellCheckParams.validate({ mkt: "en-US", mode: "spell", text: "Hollo, wrld!" })
    expect(Result.isSuccess(ok)).toBe(true)
    if (Result.isSuccess(ok)) {
      expect(SpellCheckParams.toQuery(ok.success).toString()).toBe("text=Hollo%2C+wrld%21&mode=spell&mkt=en-US")
    }
  })
})

describe("SpellCheck model", () => {
  it("decodes the documented example", () => {
    const body = {
      _type: "SpellCheck",
      flaggedTokens: [{
        offset: 0,
        token: "Hollo",
        type: "UnknownToken",
        suggestions: [{ suggestion: "Hello", score: 0.9115257530801 }, {
          suggestion: "Hollow",
          score: 0.858039839213461
        }]
      }]
    }
    const r = SpellCheck.decodeSpellCheck({ status: 200, headers: {}, body: JSON.stringify(body) })
    expect(r).toEqual(Result.succeed(body))
    const bad = SpellCheck.decodeSpellCheck({ status: 200, headers: {}, body: `{"_type":"SpellCheck"}` })
    expect(Result.isFailure(bad) && bad.failure._tag).toBe("UnexpectedResponse")
  })
})
