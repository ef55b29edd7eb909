/**
 * How the Terraform suite files share the machine (vitest.config.mts); `npm run bench -- tests` prints the worker
 * count beside its figures.
 */

/**
 * Suite files at a time: three on 2 cores, since a suite spends much of its time in the provider's fixed waits (an
 * ALB's 30 s, an S3 lifecycle configuration's 55 s) and in moto while another's terraform uses the CPU.
 */
export const TERRAFORM_WORKERS = 3;

/**
 * The suite files that apply a platform of their own from nothing and never ask for the run's shared applied
 * platform (harness.ts `appliedPlatform`); suite-order.test.ts checks the list against the files.
 */
export const OWN_PLATFORM_SUITES: readonly string[] = [
  "fifth-service.test.ts",
  "guards.test.ts",
  "migration.test.ts",
  "sandbox.test.ts",
  "upgrades.test.ts",
];

/**
 * The order to start suite files in (file names; `seconds`: each one's last measured time, a file not measured yet
 * counting as the longest): the longest suite on the shared platform first, as its `beforeAll` builds that platform,
 * then the suites with a platform of their own, which use the machine while it builds instead of waiting for it,
 * then the other shared-platform suites; longest first within each group, so that the workers finish together.
 */
export function suiteOrder(names: readonly string[], seconds: Readonly<Record<string, number>>): string[] {
  const time = (name: string) => seconds[name] ?? Number.POSITIVE_INFINITY;
  const longestFirst = (a: string, b: string) => time(b) - time(a);
  const own = names.filter((n) => OWN_PLATFORM_SUITES.includes(n)).sort(longestFirst);
  const shared = names.filter((n) => !OWN_PLATFORM_SUITES.includes(n)).sort(longestFirst);
  return [...shared.slice(0, 1), ...own, ...shared.slice(1)];
}
