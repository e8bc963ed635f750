// tests/browser/lib/watched_program.mjs — starts a program with --watch and finds its page.
// The program prints "<name>: watch it on http://localhost:PORT/ ..." on stderr, then waits for
// a page; this resolves with that address. stop() kills it if it is still running.
import { spawn } from "node:child_process";

const kStartMs = 10000;

export function buildDir() {
  return process.env.LOOPLAB_BUILD || new URL("../../../build/g++", import.meta.url).pathname;
}

export async function startWatched(binary, args = []) {
  const child = spawn(binary, ["--watch", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => { stdout += chunk; });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${binary} printed no watch address within ${kStartMs} ms: ${stderr}`)), kStartMs);
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const found = /watch it on (http:\/\/localhost:\d+\/)/.exec(stderr);
      if (found) { clearTimeout(timer); resolve(found[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${binary} exited (${code}) before its page opened: ${stderr}`)); });
  });
  return {
    url,
    exited,
    output: () => stdout,
    errors: () => stderr,
    stop: () => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); },
  };
}
