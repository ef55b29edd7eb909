/**
 * The parsing behind the README's test-speed table (`npm run bench -- tests`), on lines copied from a real run:
 * vitest's per-file durations and the suites' `[timing]` lines, with and without terminal colour codes.
 */
import { describe, expect, it } from "vitest";
import { phaseOf, phases, reportedSeconds } from "../scripts/bench-tests";

const E = "\u001b";
/** Three lines of a coloured run, as vitest printed them (FORCE_COLOR set). */
const COLOURED = [
  `${E}[90mstdout${E}[2m | __tests__/terraform/upgrades.test.ts${E}[2m > ${E}[22m${E}[2mupgrades: rollbacks noticed`,
  `${E}[22m${E}[39m[timing] upgrades: apply of the full platform: 107.8 s`,
  ` ${E}[32m✓${E}[39m ${E}[30m${E}[42m terraform ${E}[49m${E}[39m __tests__/terraform/upgrades.test.ts ${E}[2m(${E}[22m${E}[2m10 tests${E}[22m${E}[2m)${E}[22m${E}[33m 197050${E}[2mms${E}[22m${E}[39m`,
].join("\n");
/** The same kind of lines without colour (NO_COLOR), for two suites. */
const PLAIN = [
  "stdout | __tests__/terraform/ops.test.ts > ops commands against the applied platform",
  "[timing] ops: applied platform restored: 3.5 s",
  "[timing] ops: npm run ops -- upload: 10.9 s",
  "[timing] ops: npm run ops -- status: 2.7 s",
  "stdout | __tests__/terraform/guards.test.ts > guards on every way in",
  "[timing] guards suite: small apply: 9.9 s",
  "[timing] guards suite: make plan (three protected): 21.2 s",
  " ✓ terraform __tests__/terraform/ops.test.ts (9 tests) 162376ms",
  " × terraform __tests__/terraform/guards.test.ts (21 tests | 1 failed) 246844ms",
].join("\n");

describe("npm run bench -- tests: reading a run's output", () => {
  it("takes each suite file's seconds from vitest's own line, colours or not, failed files included", () => {
    expect(reportedSeconds(COLOURED)).toEqual(new Map([["__tests__/terraform/upgrades.test.ts", 197.05]]));
    expect(reportedSeconds(PLAIN)).toEqual(
      new Map([
        ["__tests__/terraform/ops.test.ts", 162.376],
        ["__tests__/terraform/guards.test.ts", 246.844],
      ]),
    );
  });

  it("sums the [timing] lines by suite file and phase", () => {
    expect(phases(COLOURED).get("__tests__/terraform/upgrades.test.ts")).toEqual(new Map([["apply", 107.8]]));
    // Rounded as the table shows them (10.9 + 2.7 is 13.600000000000001 in floating point).
    const plain = new Map([...phases(PLAIN)].map(([file, m]) => [file, new Map([...m].map(([p, n]) => [p, Number(n.toFixed(1))]))]));
    expect(plain.get("__tests__/terraform/ops.test.ts")).toEqual(
      new Map([
        ["shared applied platform", 3.5],
        ["ops calls", 13.6],
      ]),
    );
    expect(plain.get("__tests__/terraform/guards.test.ts")).toEqual(
      new Map([
        ["apply", 9.9],
        ["plan", 21.2],
      ]),
    );
  });

  it("names the phase of a timing label", () => {
    expect(phaseOf("applied platform: built")).toBe("");
    expect(phaseOf("sign-in: applied platform restored")).toBe("shared applied platform");
    expect(phaseOf("observability suite: make destroy")).toBe("destroy");
    expect(phaseOf("deploy suite: init")).toBe("init");
    expect(phaseOf("make diff (cdktf diff)")).toBe("plan");
    expect(phaseOf("environments suite: make deploy-infra ENV=prod")).toBe("apply");
    expect(phaseOf("hardening suite: re-run after the interrupted apply")).toBe("apply");
  });
});
