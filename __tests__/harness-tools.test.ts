/** The Terraform harness says what is missing, instead of failing somewhere later. */
import { describe, expect, it } from "vitest";
import { checkTools } from "./terraform/harness";

describe("checkTools", () => {
  it("passes on this machine's tools", () => {
    expect(() => checkTools()).not.toThrow();
  });

  it("fails naming terraform when it is not on PATH", () => {
    expect(() => checkTools({ ...process.env, PATH: "/nonexistent" })).toThrow(/terraform is not on PATH/);
  });

  it("fails naming the provider mirror when the provider is not in it", () => {
    expect(() => checkTools({ ...process.env, TF_PLUGIN_MIRROR: "/nonexistent-mirror" })).toThrow(
      /hashicorp\/aws 5\.100\.0 is not in the provider mirror \/nonexistent-mirror/,
    );
  });

  it("fails naming moto when python cannot import it", () => {
    expect(() => checkTools({ ...process.env, PYTHON: "/bin/false" })).toThrow(/moto is not importable by \/bin\/false/);
  });
});
