/**
 * Errors a user can act on: one line, and the exit code scripts read.
 * Every command turns what it meets (no credentials, a wrong region, a
 * platform that is not deployed, a task that failed to start) into an
 * `OpsError`; the CLI prints its message alone, never a stack trace.
 */
export const EXIT = { ok: 0, degraded: 1, notDeployed: 2, failed: 3, usage: 64 } as const;

export class OpsError extends Error {
  constructor(
    message: string,
    public readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** What the platform's resources are called when one is missing (for "not deployed" messages). */
const NOT_FOUND = /NotFound|NoSuch|ResourceNotFoundException|ClusterNotFoundException|ServiceNotFoundException/;

const BAD_CREDENTIALS = [
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
];
const UNREACHABLE = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT"];

/** What an AWS SDK (or network) error tells: its name, first line, HTTP status and system code. */
interface Failure {
  readonly name: string;
  readonly message: string;
  readonly status?: number;
  readonly code: string;
}

/** The errors a user can act on, first match wins: when it applies, and the line to print instead. */
const RULES: readonly { readonly when: (f: Failure) => boolean; readonly explain: (f: Failure, region?: string) => OpsError }[] = [
  {
    when: (f) => f.name === "CredentialsProviderError" || /Could not load credentials/i.test(f.message),
    explain: () =>
      new OpsError(
        "no AWS credentials: set AWS_PROFILE (aws configure / aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        EXIT.failed,
      ),
  },
  {
    when: (f) => /Region is missing/i.test(f.message),
    explain: () => new OpsError("no AWS region: pass --region, set AWS_REGION, or deploy the platform (its aws_region output)", EXIT.usage),
  },
  {
    when: (f) => BAD_CREDENTIALS.includes(f.name),
    explain: (f) => new OpsError(`AWS refused the credentials (${f.name}): refresh them (aws sso login) or check AWS_PROFILE`, EXIT.failed),
  },
  {
    when: (f) => f.name === "AccessDeniedException" || f.name === "AccessDenied" || f.status === 403,
    explain: (f) => new OpsError(`AWS denied the request (${f.name || "403"}): ${f.message}`, EXIT.failed),
  },
  {
    when: (f) => NOT_FOUND.test(f.name),
    explain: (f, region) =>
      new OpsError(
        `${f.message || f.name} in ${region ?? "this region"}: is the platform deployed there? (wrong region? check --region / AWS_REGION)`,
        EXIT.notDeployed,
      ),
  },
  {
    when: (f) => UNREACHABLE.includes(f.code) || /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(f.message),
    explain: (f) => {
      const endpoint = process.env.AWS_ENDPOINT_URL ? ` at ${process.env.AWS_ENDPOINT_URL} (AWS_ENDPOINT_URL)` : "";
      return new OpsError(`cannot reach AWS${endpoint}: ${f.message}`, EXIT.failed);
    },
  },
];

/** The one line to print for any error, and its exit code. */
export function explain(error: unknown, region?: string): OpsError {
  if (error instanceof OpsError) return error;
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const f: Failure = {
    name: e?.name ?? "",
    message: String(e?.message ?? error).split("\n")[0],
    status: e?.$metadata?.httpStatusCode,
    code: e?.code ?? "",
  };
  const rule = RULES.find((r) => r.when(f));
  if (rule) return rule.explain(f, region);
  return new OpsError(f.name && !f.message.includes(f.name) ? `${f.name}: ${f.message}` : f.message, EXIT.failed);
}
