/**
 * The program's version: the package's (`package.json`), put in by the build (tsup's `define`), so
 * the executable reads no file to know it. Code run from source (the unit tests) has no build, and
 * says so.
 */

declare const __BING_SEARCH_VERSION__: string | undefined

/** The version of this build of `bing-search`. */
export const version: string = typeof __BING_SEARCH_VERSION__ === "string" ? __BING_SEARCH_VERSION__ : "0.0.0-source"
