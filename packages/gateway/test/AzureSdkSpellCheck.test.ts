/**
 * Microsoft's Spell Check SDK client, unmodified (`@azure/cognitiveservices-spellcheck` 3.0.1 over
 * `@azure/ms-rest-js`, authenticated by `CognitiveServicesCredentials`), pointed by its `endpoint`
 * option at the emulator. What the SDK sends: `POST {endpoint}/bing/v7.0/spellcheck?Text=…&Mode=…`,
 * every parameter in the query string under a capitalised name (`Text`, `Mode`, `PreContextText`),
 * with `Ocp-Apim-Subscription-Key` and `X-BingApis-SDK: true`; its failures are `RestError`s with
 * the HTTP `statusCode` and Bing's `ErrorResponse` in `body`.
 */
import { SpellCheckClient } from "@azure/cognitiveservices-spellcheck"
import { CognitiveServicesCredentials } from "@azure/ms-rest-azure-js"
import type { RestError } from "@azure/ms-rest-js"
import { Emulator } from "@bing-effect/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const KEY = "azure-sdk-spell-key-2b9d"

let emulator: Emulator.EmulatorHandle
let client: SpellCheckClient

beforeAll(async () => {
  emulator = await Emulator.start({ keys: [{ name: "spell", key: KEY, limits: { perDay: 1_000 } }] })
  client = new SpellCheckClient(new CognitiveServicesCredentials(KEY), { endpoint: emulator.url })
})
afterAll(async () => {
  await emulator.stop()
})

describe("the Azure Spell Check SDK against the emulator", () => {
  it("spellChecker: flagged tokens with their suggestions, in spell and proof mode", async () => {
    const spell = await client.spellChecker("Hollo, wrld!", { mode: "spell", market: "en-US" })
    expect(spell._type).toBe("SpellCheck")
    expect(spell.flaggedTokens.map((t) => [t.offset, t.token, t.type, t.suggestions?.[0]?.suggestion])).toEqual([
      [0, "Hollo", "UnknownToken", "Hello"],
      [7, "wrld", "UnknownToken", "world"]
    ])
    expect(spell.flaggedTokens[0]?.suggestions?.[0]?.score).toBe(1)
    const [logged] = emulator.requests(1)
    expect(logged?.method).toBe("POST")
    expect(logged?.path).toMatch(/^\/bing\/v7\.0\/spellcheck\?/)
    expect(logged?.status).toBe(200)
    const proof = await client.spellChecker("the warm warm weather", { mode: "proof", market: "en-US" })
    expect(proof.flaggedTokens.map((t) => [t.token, t.type])).toEqual([["warm", "RepeatedToken"]])
    const petal = await client.spellChecker("petal", { mode: "spell", preContextText: "bike" })
    expect(petal.flaggedTokens[0]?.suggestions?.[0]?.suggestion).toBe("pedal")
  })

  it("an invalid mode is a RestError carrying Bing's ErrorResponse", async () => {
    const error = await client.spellChecker("a", { mode: "grammar" as never }).then(
      () => expect.unreachable("the SDK call succeeded"),
      (e: unknown) => e as RestError & { readonly body?: { readonly errors?: ReadonlyArray<Record<string, string>> } }
    )
    expect(error.statusCode).toBe(400)
    expect(error.body?.errors?.[0]).toMatchObject({
      code: "InvalidRequest",
      subCode: "ParameterInvalidValue",
      parameter: "mode",
      value: "grammar"
    })
  })
})
