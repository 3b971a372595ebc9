/**
 * The `bing-gateway` executable (see `internal/cli.ts`); `bing-gateway demo` runs `Demo.ts`,
 * loaded only then, so that serving never loads the emulator.
 */
import { main } from "./internal/cli.js"

if (process.argv[2] === "demo") {
  void import("./Demo.js").then((demo) => demo.main(process.argv.slice(3))).then((code) => process.exit(code))
} else {
  main()
}
