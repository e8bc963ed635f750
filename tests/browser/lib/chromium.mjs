// tests/browser/lib/chromium.mjs — the headless Chromium every browser test starts the same
// way: the Debian binary (or $LOOPLAB_CHROMIUM), no sandbox (CI runs as root), nothing
// fetched from the network.
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.LOOPLAB_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    timeout: 30000,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
