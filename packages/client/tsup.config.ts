import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts", "src/promise.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  // One shared chunk for both entries, in CJS too: the error classes must be the same objects
  // whether they come from "@bing-effect/client" or "@bing-effect/client/promise".
  splitting: true,
  target: "node22"
})
