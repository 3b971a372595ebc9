/**
 * The build every library shares, so that each package's tsup.config.ts says only what differs:
 * ESM and CommonJS with bundled declarations and source maps, for Node 22 and later. After tsup,
 * each package's build runs scripts/restore-dts-namespaces.mjs over the declarations.
 */
import { defineConfig, type Options } from "tsup"

export const library = (options: Options = {}, ...more: ReadonlyArray<Options>) =>
  defineConfig([
    {
      entry: ["src/index.ts"],
      format: ["esm", "cjs"],
      dts: true,
      sourcemap: true,
      clean: true,
      target: "node22",
      ...options
    },
    ...more
  ])
