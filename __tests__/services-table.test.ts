import { describe, expect, it } from "vitest";
import { checkServiceTable, SERVICES, SERVICE_NAMES, type ServiceSpec } from "../stacks/services-table";

describe("the services table", () => {
  it("holds the four services with the design's EFS access matrix", () => {
    expect(Object.keys(SERVICES)).toEqual([...SERVICE_NAMES]);
    expect(Object.fromEntries(SERVICE_NAMES.map((k) => [k, SERVICES[k].experiments]))).toEqual({
      api: "rw", ui: "ro", mlflow: "none", tensorboard: "rw",
    });
  });

  it("passes its own checks", () => {
    expect(() => checkServiceTable(SERVICES)).not.toThrow();
  });

  it("fails when a service is unknown", () => {
    const table: Record<string, ServiceSpec> = { ...SERVICES, jupyter: { ...SERVICES.api, port: 8888 } };
    expect(() => checkServiceTable(table)).toThrow('services table: unknown service "jupyter"; allowed: api, ui, mlflow, tensorboard');
  });

  it("fails when two services share a port", () => {
    expect(() => checkServiceTable({ ...SERVICES, ui: { ...SERVICES.ui, port: 8000 } })).toThrow(
      'services table: ui.port 8000 is already used by "api"',
    );
  });

  it("fails when a port is out of range or a health check path is relative", () => {
    expect(() => checkServiceTable({ ...SERVICES, mlflow: { ...SERVICES.mlflow, port: 70000 } })).toThrow(/mlflow\.port is 70000; allowed: a whole number from 1 to 65535/);
    expect(() => checkServiceTable({ ...SERVICES, ui: { ...SERVICES.ui, healthCheckPath: "health" } })).toThrow(/must start with "\/"/);
  });

  it("fails unless exactly one service is the HTTPS entry", () => {
    expect(() => checkServiceTable({ ...SERVICES, api: { ...SERVICES.api, httpsEntry: true } })).toThrow(
      "services table: exactly one service must be the httpsEntry (served on 443); found api, ui",
    );
  });

  it("fails when a service is missing", () => {
    const { tensorboard: _dropped, ...rest } = SERVICES;
    expect(() => checkServiceTable(rest)).toThrow('services table: service "tensorboard" is missing');
  });
});
