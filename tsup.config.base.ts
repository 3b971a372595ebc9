/**
 * The build every library shares, so that each package's tsup.config.ts says only what differs:
 * ESM only (effect 4 is ESM only; CommonJS users on Node >= 22.12 `require()` it), with source
 * maps, for Node 22 and later. tsup writes the JavaScript; `tsc -b tsconfig.src.json` writes the
 * declarations (and their maps) beside it, so tsup's clean keeps them and tsc's build info.
 */
import { defineConfig, type Options } from "tsup"

export const library = (options: Options = {}, ...more: ReadonlyArray<Options>) =>
  defineConfig([
    {
      entry: ["src/index.ts"],
      format: ["esm"],
      dts: false,
      sourcemap: true,
      clean: ["!**/*.d.ts", "!**/*.d.ts.map", "!*.tsbuildinfo"],
      target: "node22",
      tsconfig: "tsconfig.src.json",
      // keep `node:` specifiers as written: `node:sqlite` has no unprefixed name
      removeNodeProtocol: false,
      ...options
    },
    ...more
  ])
