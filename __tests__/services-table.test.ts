import { describe, expect, it } from "vitest";
import { checkServiceTable, SERVICE_KEYS, SERVICES, type ServiceSpec, type ServiceTable } from "../platform/services";
import { PLATFORM_INPUTS } from "../platform/inputs";
import { LIVE_SERVICES } from "./helpers";

const withService = (key: string, change: (spec: ServiceSpec) => ServiceSpec, table: ServiceTable = SERVICES): ServiceTable => ({
  ...table,
  [key]: change(table[key] ?? SERVICES.api),
});
const withDefaults = (key: string, defaults: Partial<ServiceSpec["defaults"]>) =>
  withService(key, (s) => ({ ...s, defaults: { ...s.defaults, ...defaults } }));

describe("the services table", () => {
  it("holds the live platform's services with the design's EFS access matrix", () => {
    expect(SERVICE_KEYS).toEqual(expect.arrayContaining([...LIVE_SERVICES]));
    expect(Object.fromEntries(LIVE_SERVICES.map((k) => [k, (SERVICES as ServiceTable)[k].experiments]))).toEqual({
      api: "rw",
      ui: "ro",
      mlflow: "none",
      tensorboard: "rw",
    });
  });

  it("passes its own checks", () => {
    expect(() => checkServiceTable(SERVICES)).not.toThrow();
  });

  it("refuses two Dockerfiles for one image tag", () => {
    expect(() => checkServiceTable(withService("ui", (s) => ({ ...s, dockerfile: "docker/Dockerfile.ui" })))).toThrow(
      /ui\.dockerfile "docker\/Dockerfile.ui" differs from "docker\/Dockerfile", which builds the same image tag "app"/,
    );
  });

  it("is the only list of the services: no input description names more than one", () => {
    const named = (text: string) =>
      Object.entries(SERVICES as ServiceTable).filter(([key, spec]) => new RegExp(`\\b(${key}|${spec.displayName})\\b`).test(text));
    const listing = Object.entries(PLATFORM_INPUTS)
      .map(([name, spec]) => [name, named(`${spec.description} ${spec.cost ?? ""}`).map(([key]) => key)] as const)
      .filter(([, keys]) => keys.length > 1);
    expect(listing).toEqual([]);
  });

  it("fails when a key cannot prefix variable names", () => {
    expect(() =>
      checkServiceTable({
        ...SERVICES,
        "Jupyter-Lab": { ...SERVICES.api, defaults: { ...SERVICES.api.defaults, port: 8888, serviceName: "x" } },
      }),
    ).toThrow('services table: key "Jupyter-Lab" must be 1-20 lower-case letters or digits');
  });

  it("fails when two services share a port", () => {
    expect(() => checkServiceTable(withDefaults("ui", { port: 8000 }))).toThrow(
      'services table: ui.defaults.port 8000 is already used by "api"',
    );
  });

  it("fails when two services share an ECS service name", () => {
    expect(() => checkServiceTable(withDefaults("ui", { serviceName: "autovision-api" }))).toThrow(
      'services table: ui.defaults.serviceName "autovision-api" is already used by "api"',
    );
  });

  it("fails when a port is out of range or a health check path is relative", () => {
    expect(() => checkServiceTable(withDefaults("mlflow", { port: 70000 }))).toThrow(
      /mlflow\.defaults\.port is 70000; allowed: a whole number from 1 to 65535/,
    );
    expect(() => checkServiceTable(withDefaults("ui", { healthCheckPath: "health" }))).toThrow(/must start with "\/"/);
  });

  it("fails unless exactly one service is the HTTPS entry", () => {
    expect(() => checkServiceTable(withService("api", (s) => ({ ...s, httpsEntry: true })))).toThrow(
      "services table: exactly one service must be the httpsEntry (served on 443); found api, ui",
    );
  });

  it("fails when the table is empty", () => {
    expect(() => checkServiceTable({})).toThrow("services table: it is empty");
  });
});
