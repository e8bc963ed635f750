// Our C++ Socket.IO client ($LOOPLAB_BUILD/interop/socketio_client_cli) against the official
// Node `socket.io` 4.8 server (lib/reference_contract_server.mjs, started here on a free port),
// and the same scenarios against our own contract server (LOOPLAB_SIO_PORT, started by
// tests/interop/run with connection state recovery on), so both servers are held to one
// transcript.
//
// The CLI prints one line per fact ("connect", "echo [...]", "ack [...]", "disconnect
// <reason>", ...); see the header of socketio_client_cli.cpp for the scenarios.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { spawn, execFile } from "node:child_process";

const kCliTimeoutMs = 10000;
const kServerStartMs = 10000;
const build = process.env.LOOPLAB_BUILD || path.resolve("../../build/g++");
const cli = path.join(build, "interop", "socketio_client_cli");

// Starts the reference server with `args` on port 0; resolves with { port, stop() }.
function startReferenceServer(args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["lib/reference_contract_server.mjs", "--port", "0", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`reference server printed no port within ${kServerStartMs} ms: ${stderr}`));
    }, kServerStartMs);
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/^socketio contract server: http:\/\/localhost:(\d+)\//);
      if (!match) return;
      clearTimeout(timer);
      resolve({ port: Number(match[1]), stop: () => child.kill("SIGKILL") });
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`reference server exited (status ${code}): ${stderr}`));
    });
  });
}

// Runs the CLI; resolves with { status, lines, stderr } (never rejects).
function runCli(args) {
  return new Promise((resolve) => {
    execFile(cli, [...args, "--timeout-ms", String(kCliTimeoutMs - 2000)], { timeout: kCliTimeoutMs },
      (error, stdout, stderr) => {
        const status = error ? (error.killed ? `killed after ${kCliTimeoutMs} ms` : error.code) : 0;
        resolve({ status, stderr, lines: stdout.split("\n").filter((line) => line !== "") });
      });
  });
}

// With connection state recovery on, the server adds an offset (a string) as the last
// argument of each event. `expected` says the arguments without it.
function assertEvent(line, name, expected, mayHaveOffset) {
  assert.ok(line.startsWith(`${name} `), `expected a "${name}" line, got: ${line}`);
  const args = JSON.parse(line.slice(name.length + 1));
  if (mayHaveOffset && args.length === expected.length + 1) {
    assert.equal(typeof args[args.length - 1], "string", line);
    args.pop();
  }
  assert.deepEqual(args, expected, line);
}

function assertBasicTranscript(result, mayHaveOffset) {
  assert.equal(result.status, 0, result.stderr);
  const lines = result.lines;
  assert.equal(lines[0], "connect");
  assertEvent(lines[1], "echo", ["hi", 3, { a: [1, null] }], mayHaveOffset);
  assertEvent(lines[2], "ack", [1, "two", { three: 3 }], false);   // an ack carries no offset
  assertEvent(lines[3], "echo", ["<bytes 010203>", "after bytes"], mayHaveOffset);
  assertEvent(lines[4], "question", ["ready?"], mayHaveOffset);
  assertEvent(lines[5], "ask-answer", ["yes"], false);
  assert.equal(lines[6], "disconnect io server disconnect");
  assert.equal(lines.length, 7, lines.join("\n"));
}

const servers = [];
after(() => servers.forEach((server) => server.stop()));

test("C++ client vs official server: events, binary, acks both ways, server disconnect", async () => {
  const server = await startReferenceServer();
  servers.push(server);
  assertBasicTranscript(await runCli(["--url", `http://127.0.0.1:${server.port}`, "--scenario", "basic"]), false);
});

test("C++ client vs official server: the wire shows Engine.IO and Socket.IO packets", async () => {
  const server = await startReferenceServer();
  servers.push(server);
  const result = await runCli(["--url", `http://127.0.0.1:${server.port}`, "--scenario", "basic", "--wire"]);
  assert.equal(result.status, 0, result.stderr);
  const wire = result.lines.filter((line) => line.startsWith("wire "));
  assert.match(wire[0], /^wire <- 0\{"sid":"[^"]+","upgrades":\[\],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000\}$/);
  assert.equal(wire[1], "wire -> 40");
  assert.match(wire[2], /^wire <- 40\{"sid":"[^"]+"\}$/);
  assert.ok(wire.includes('wire -> 451-["echo",{"_placeholder":true,"num":0},"after bytes"]'), wire.join("\n"));
  assert.ok(wire.includes("wire -> <bytes 010203>"), wire.join("\n"));
  assert.ok(wire.includes("wire <- 41"), wire.join("\n"));
});

test("C++ client vs official server: auth accepted, and refused with connect_error", async () => {
  const server = await startReferenceServer();
  servers.push(server);
  const url = `http://127.0.0.1:${server.port}/admin`;
  const good = await runCli(["--url", url, "--scenario", "auth", "--auth", '{"token":"letmein"}']);
  assert.equal(good.status, 0, good.stderr);
  assert.deepEqual(good.lines, ["connect"]);
  const bad = await runCli(["--url", url, "--scenario", "auth", "--auth", '{"token":"nope"}']);
  assert.equal(bad.status, 0, bad.stderr);
  assert.deepEqual(bad.lines, ["connect_error unauthorized"]);
});

test("C++ client vs official server: a dropped transport comes back recovered", async () => {
  const server = await startReferenceServer(["--state-recovery-ms", "60000"]);
  servers.push(server);
  const result = await runCli(["--url", `http://127.0.0.1:${server.port}`, "--scenario", "recover"]);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(result.lines.slice(0, 5),
    ["connect", 'echo "before the cut"', "disconnect transport close", "reconnect 1", "recovered true"]);
});

// The same transcripts against our own server, when tests/interop/run started it.
const ourPort = Number(process.env.LOOPLAB_SIO_PORT);

test("C++ client vs our contract server: the same transcripts", { skip: !ourPort && "LOOPLAB_SIO_PORT is not set (run tests/interop/run)" }, async () => {
  const url = `http://127.0.0.1:${ourPort}`;
  assertBasicTranscript(await runCli(["--url", url, "--scenario", "basic"]), true);
  assert.deepEqual((await runCli(["--url", `${url}/admin`, "--scenario", "auth", "--auth", '{"token":"letmein"}'])).lines, ["connect"]);
  assert.deepEqual((await runCli(["--url", `${url}/admin`, "--scenario", "auth", "--auth", '{"token":"nope"}'])).lines,
    ["connect_error unauthorized"]);
  const recovered = await runCli(["--url", url, "--scenario", "recover"]);
  assert.equal(recovered.status, 0, recovered.stderr);
  assert.deepEqual(recovered.lines.slice(0, 5),
    ["connect", 'echo "before the cut"', "disconnect transport close", "reconnect 1", "recovered true"]);
});
