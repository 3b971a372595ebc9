import { library } from "../../tsup.config.base.ts"

export default library({
  entry: ["src/index.ts", "src/promise.ts"],
  // One shared chunk for both entries, in CJS too: the error classes must be the same objects
  // whether they come from "@bing-effect/client" or "@bing-effect/client/promise".
  splitting: true
})
