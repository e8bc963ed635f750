// The contract server as a command ($LOOPLAB_BUILD/interop/socketio_contract_server): its
// defaults are the ones the official conformance suites expect (pingInterval 300 ms,
// pingTimeout 200 ms, maxPayload 1,000,000, no recovery pid), flags change them, --help and
// bad flags behave, and SIGINT stops it with status 0. (tests/interop/run starts the shared
// instance with other flags; these tests start their own, on a port the kernel picks.)
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { spawn, execFile } from "node:child_process";
import WebSocket from "ws";

const kWaitMs = 10000;
const build = process.env.LOOPLAB_BUILD || path.resolve("../../build/g++");
const binary = path.join(build, "interop", "socketio_contract_server");

// Starts the server and resolves with { child, port } once it printed its first line.
function start(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["--port", "0", "--host", "127.0.0.1", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no first line within ${kWaitMs} ms; stdout ${JSON.stringify(out)} stderr ${JSON.stringify(err)}`));
    }, kWaitMs);
    child.stderr.on("data", (chunk) => { err += chunk; });
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n")[0];
      if (!out.includes("\n")) return;
      clearTimeout(timer);
      const match = /^socketio contract server: http:\/\/localhost:(\d+)\/$/.exec(line);
      if (!match) {
        child.kill("SIGKILL");
        reject(new Error(`unexpected first line ${JSON.stringify(line)}`));
      } else {
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited at start with ${code}: ${err}`));
    });
  });
}

// Sends `signal` and resolves with the exit status (SIGKILL and a rejection after kWaitMs).
function stop(child, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`did not exit within ${kWaitMs} ms of ${signal}`));
    }, kWaitMs);
    child.removeAllListeners("exit");
    child.once("exit", (code, bySignal) => {
      clearTimeout(timer);
      resolve(bySignal ? `killed by ${bySignal}` : code);
    });
    child.kill(signal);
  });
}

function run(args) {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: kWaitMs }, (error, stdout, stderr) => {
      resolve({ status: error ? (error.killed ? "killed" : error.code) : 0, stdout, stderr });
    });
  });
}

async function handshake(port, enginePath) {
  const response = await fetch(`http://127.0.0.1:${port}${enginePath}?EIO=4&transport=polling`,
    { signal: AbortSignal.timeout(kWaitMs) });
  const body = await response.text();
  assert.equal(response.status, 200, body);
  return JSON.parse(body.slice(1));
}

// The CONNECT reply to "40" over a raw WebSocket (to see whether it carries a pid).
async function connectReply(port) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  socket.on("error", () => {});
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no CONNECT reply")), kWaitMs);
      socket.on("message", (data) => {
        const text = data.toString();
        if (text.startsWith("0")) socket.send("40");
        if (text.startsWith("40")) {
          clearTimeout(timer);
          resolve(JSON.parse(text.slice(2)));
        }
      });
    });
  } finally {
    socket.terminate();
  }
}

test("defaults: the conformance suites' settings on both paths, no recovery; SIGINT exits 0", { timeout: 30000 }, async () => {
  const { child, port } = await start([]);
  try {
    for (const enginePath of ["/socket.io/", "/engine.io/"]) {
      const open = await handshake(port, enginePath);
      assert.equal(open.pingInterval, 300, enginePath);
      assert.equal(open.pingTimeout, 200, enginePath);
      assert.equal(open.maxPayload, 1000000, enginePath);
    }
    assert.deepEqual(Object.keys(await connectReply(port)), ["sid"]);
  } finally {
    assert.equal(await stop(child, "SIGINT"), 0);
  }
});

test("flags: --ping-interval, --ping-timeout and --state-recovery-ms; SIGTERM exits 0", { timeout: 30000 }, async () => {
  const { child, port } = await start(["--ping-interval", "1234", "--ping-timeout", "567", "--state-recovery-ms", "5000"]);
  try {
    const open = await handshake(port, "/socket.io/");
    assert.equal(open.pingInterval, 1234);
    assert.equal(open.pingTimeout, 567);
    const reply = await connectReply(port);
    assert.equal(typeof reply.pid, "string", `a recovery pid in ${JSON.stringify(reply)}`);
  } finally {
    assert.equal(await stop(child, "SIGTERM"), 0);
  }
});

test("--auth-delay-ms 0 is accepted (auth at once); a negative delay is refused", { timeout: 30000 }, async () => {
  const { child, port } = await start(["--auth-delay-ms", "0"]);
  try {
    assert.deepEqual(Object.keys(await connectReply(port)), ["sid"]);
  } finally {
    assert.equal(await stop(child, "SIGTERM"), 0);
  }
  assert.equal((await run(["--auth-delay-ms", "-1"])).status, 2);
});

test("--poller picks the backend: poll works, an unknown name is refused", { timeout: 30000 }, async () => {
  const { child, port } = await start(["--poller", "poll"]);
  try {
    assert.equal((await handshake(port, "/engine.io/")).maxPayload, 1000000);
  } finally {
    assert.equal(await stop(child, "SIGTERM"), 0);
  }
  const refused = await run(["--poller", "no-such-poller", "--port", "0"]);
  assert.notEqual(refused.status, 0);
  assert.ok(refused.stderr.length > 0, "says why");
});

test("--help prints the usage and exits 0; an unknown flag exits 2 with the usage", { timeout: 30000 }, async () => {
  const help = await run(["--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: socketio_contract_server/);
  for (const flag of ["--port", "--host", "--ping-interval", "--ping-timeout", "--state-recovery-ms", "--poller", "--auth-delay-ms"]) {
    assert.ok(help.stdout.includes(flag), `--help mentions ${flag}`);
  }
  const bad = await run(["--no-such-flag"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /usage: socketio_contract_server/);
  const badNumber = await run(["--ping-interval", "soon"]);
  assert.equal(badNumber.status, 2);
});
