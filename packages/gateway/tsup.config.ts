import { library } from "../../tsup.config.base.ts"

export default library({}, {
  // the `bing-gateway` command, with a shebang
  entry: { bin: "src/bin.ts" },
  format: ["esm"],
  sourcemap: true,
  clean: false,
  target: "node22",
  tsconfig: "tsconfig.src.json",
  removeNodeProtocol: false,
  banner: { js: "#!/usr/bin/env node" }
})
