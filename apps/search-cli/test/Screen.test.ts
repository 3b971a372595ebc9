/**
 * The terminal rules of `Screen`: when to colour (NO_COLOR, FORCE_COLOR, a terminal, TERM=dumb),
 * the width (a terminal's, COLUMNS, 80), and wrapping.
 */
import { describe, expect, it } from "vitest"
import * as Screen from "../src/Screen.js"

const tty = { isTTY: true, columns: 57 }
const pipe = { isTTY: false }

describe("Screen.colors", () => {
  it("on a terminal, not in a pipe", () => {
    expect(Screen.colors(tty, {})).toBe(true)
    expect(Screen.colors(pipe, {})).toBe(false)
    expect(Screen.colors(tty, { TERM: "dumb" })).toBe(false)
  })

  it("NO_COLOR with any non-empty value turns it off (no-color.org); an empty one does not", () => {
    for (const value of ["1", "0", "false", "yes"]) expect(Screen.colors(tty, { NO_COLOR: value })).toBe(false)
    expect(Screen.colors(tty, { NO_COLOR: "" })).toBe(true)
  })

  it("FORCE_COLOR forces it, even in a pipe and over NO_COLOR; FORCE_COLOR=0 turns it off", () => {
    expect(Screen.colors(pipe, { FORCE_COLOR: "1" })).toBe(true)
    expect(Screen.colors(pipe, { FORCE_COLOR: "" })).toBe(true)
    expect(Screen.colors(tty, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(true)
    expect(Screen.colors(tty, { FORCE_COLOR: "0" })).toBe(false)
    expect(Screen.colors(tty, { FORCE_COLOR: "false" })).toBe(false)
  })
})

describe("Screen.width", () => {
  it("a terminal's own width, else COLUMNS, else 80 (not known)", () => {
    expect(Screen.width(tty, { COLUMNS: "200" })).toEqual({ columns: 57, known: true })
    expect(Screen.width(pipe, { COLUMNS: "100" })).toEqual({ columns: 100, known: true })
    expect(Screen.width(pipe, { COLUMNS: "nope" })).toEqual({ columns: 80, known: false })
    expect(Screen.width(pipe, {})).toEqual({ columns: 80, known: false })
  })
})

describe("Screen.wrap and wrapLines", () => {
  it("wraps on words; a long word breaks after a slash, glued back where it fits", () => {
    expect(Screen.wrap("one two three four", 9, "")).toBe("one two\nthree\nfour")
    expect(Screen.wrap("(401 InvalidAuthorization/AuthorizationMissing).", 30, "")).toBe(
      "(401 InvalidAuthorization/\nAuthorizationMissing)."
    )
    expect(Screen.wrap("InvalidAuthorization/AuthorizationMissing", 30, "")).toBe(
      "InvalidAuthorization/\nAuthorizationMissing"
    )
    expect(Screen.wrap("a b/c", 30, "")).toBe("a b/c")
  })

  it("measures lines without their colour", () => {
    const red = Screen.palette(true).red("x".repeat(10))
    expect(Screen.wrapLines(red, 10)).toBe(red)
  })
})
