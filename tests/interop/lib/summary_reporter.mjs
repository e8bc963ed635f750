// tests/interop/lib/summary_reporter.mjs — a reporter for node's test runner that prints one
// closing line, "<layer>: N passed, M failed", which tests/run-all-layers adds up.
// The layer name comes from LOOPLAB_TEST_LAYER (tests/interop/run and tests/browser/run set
// it). Suites (describe blocks) are not counted, only tests; a skipped or todo test counts as
// neither; a test file that fails to load counts as one failure.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    const details = event.data && event.data.details;
    if (details && details.type === "suite") continue;
    if (event.type === "test:pass" && !event.data.skip && !event.data.todo) passed += 1;
    if (event.type === "test:fail" && !event.data.todo) failed += 1;
  }
  const layer = process.env.LOOPLAB_TEST_LAYER || "tests";
  yield `${layer}: ${passed} passed, ${failed} failed\n`;
}
