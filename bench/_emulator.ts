/**
 * The emulator in a process of its own, for the client benchmarks: the client under test and the
 * server it calls do not share an event loop or a CPU's worth of garbage collection. `stop` ends it
 * by closing its stdin (it exits by itself when the benchmark dies).
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

export const startEmulator = async (key: string): Promise<{ readonly url: string; readonly stop: () => void }> => {
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { Emulator } from "@bing-effect/emulator"
       const e = await Emulator.start({ keys: [{ name: "bench", key: ${JSON.stringify(key)} }], requestLogSize: 1 })
       console.log(e.url)
       process.stdin.resume()
       process.stdin.on("end", () => e.stop().then(() => process.exit(0)))`
    ],
    { cwd: fileURLToPath(new URL(".", import.meta.url)), stdio: ["pipe", "pipe", "inherit"] }
  )
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)))
    child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()))
  })
  return { url, stop: () => child.stdin.end() }
}
