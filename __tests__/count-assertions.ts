/**
 * Records how many `expect` calls each test made, in the test's meta (vitest's
 * JSON report carries it), so that `npm run bench -- tests` can print the
 * number of assertions beside the number of tests.
 */
import { afterEach, expect } from "vitest";

declare module "vitest" {
  interface TaskMeta {
    /** `expect` calls this test made (assertions). */
    assertions?: number;
  }
}

afterEach((context) => {
  context.task.meta.assertions = expect.getState().assertionCalls;
});
