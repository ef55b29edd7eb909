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

/** The one line to print for any error, and its exit code. */
export function explain(error: unknown, region?: string): OpsError {
  if (error instanceof OpsError) return error;
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? "";
  const message = String(e?.message ?? error).split("\n")[0];
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return new OpsError(
      "no AWS credentials: set AWS_PROFILE (aws configure / aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
      EXIT.failed,
    );
  }
  if (/Region is missing/i.test(message)) {
    return new OpsError("no AWS region: pass --region, set AWS_REGION, or deploy the platform (its aws_region output)", EXIT.usage);
  }
  if (
    [
      "InvalidClientTokenId",
      "UnrecognizedClientException",
      "InvalidAccessKeyId",
      "SignatureDoesNotMatch",
      "ExpiredToken",
      "ExpiredTokenException",
    ].includes(name)
  ) {
    return new OpsError(`AWS refused the credentials (${name}): refresh them (aws sso login) or check AWS_PROFILE`, EXIT.failed);
  }
  if (name === "AccessDeniedException" || name === "AccessDenied" || e?.$metadata?.httpStatusCode === 403) {
    return new OpsError(`AWS denied the request (${name || "403"}): ${message}`, EXIT.failed);
  }
  if (NOT_FOUND.test(name)) {
    return new OpsError(
      `${message || name} in ${region ?? "this region"}: is the platform deployed there? (wrong region? check --region / AWS_REGION)`,
      EXIT.notDeployed,
    );
  }
  const code = e?.code ?? "";
  if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT"].includes(code) || /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(message)) {
    const endpoint = process.env.AWS_ENDPOINT_URL ? ` at ${process.env.AWS_ENDPOINT_URL} (AWS_ENDPOINT_URL)` : "";
    return new OpsError(`cannot reach AWS${endpoint}: ${message}`, EXIT.failed);
  }
  return new OpsError(name && !message.includes(name) ? `${name}: ${message}` : message, EXIT.failed);
}
