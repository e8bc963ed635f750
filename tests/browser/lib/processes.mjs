// tests/browser/lib/processes.mjs — the processes a browser test starts of its own (a
// classroom server it may stop and start again, a redis-server): started until they say they
// are ready, stopped with SIGTERM. Shared by chat.test.mjs and cluster_chat.test.mjs. Not a
// test itself: tests/browser/run runs ./*.test.mjs only.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { kWaitMs } from "./chat_page.mjs";

const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../src/web");

// Spawns `command` and resolves with {child, out} once `ready(out)` is true for its output so
// far (stdout and stderr together). Rejects, with what it printed, if it exits, cannot start
// (`missing`: what to say when the program is not installed) or is not ready within kWaitMs.
export function startUntil(command, args, ready, what, missing = "") {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} was not ready within ${kWaitMs} ms: ${out}`));
    }, kWaitMs);
    const read = (chunk) => {
      out += chunk;
      if (ready(out)) {
        clearTimeout(timer);
        child.stdout.off("data", read);
        child.stderr.off("data", read);
        resolve({ child, out });
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${what} could not start: ${error.message}` +
        (error.code === "ENOENT" && missing ? ` (${missing})` : "")));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited at start (status ${code}): ${out}`));
    });
  });
}

// $LOOPLAB_BUILD/apps/classroom-server on `port` (0: the kernel picks) with `args` besides,
// serving src/web. Resolves with {child, port} once it printed its "http://localhost:PORT/"
// line and `ready(output)` (default: nothing more) holds.
export async function startClassroomServer({ port = 0, args = [], ready = () => true, what = "the classroom server" } = {}) {
  const build = process.env.LOOPLAB_BUILD;
  if (!build) throw new Error("LOOPLAB_BUILD is not set: run the tests with tests/browser/run");
  const url = /http:\/\/localhost:(\d+)\//;
  const { child, out } = await startUntil(`${build}/apps/classroom-server`,
    ["--port", String(port), "--host", "127.0.0.1", "--web-root", webRoot, ...args],
    (text) => url.test(text) && ready(text), what);
  return { child, port: Number(url.exec(out)[1]) };
}

// SIGTERM, then waits for the exit (SIGKILL after kWaitMs). Resolves with the exit status
// (null when a signal ended it, or there was no process).
export function stopProcess(child) {
  if (!child) return Promise.resolve(null);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), kWaitMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill("SIGTERM");
  });
}
