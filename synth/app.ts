import { App, type AppConfig } from "cdktf";

/**
 * The CDKTF app as `npm run synth` creates it. Three settings keep synthesis
 * fast (measured with `npm run bench`):
 * - `stackTraces: false`: no stack trace stored in every construct's metadata
 *   (nothing here reads them);
 * - source maps off: CDKTF captures a stack trace for every token it creates,
 *   and with source maps on, each capture is mapped back through them;
 * - those captures are not formatted: CDKTF records them on plain objects to
 *   explain token errors, which this project reports by message. Errors
 *   themselves keep their stack lines.
 */
export function createApp(config: AppConfig = {}): App {
  process.setSourceMapsEnabled(false);
  Error.prepareStackTrace = (error, frames) =>
    error instanceof Error ? [String(error), ...frames.map((f) => `    at ${f}`)].join("\n") : "";
  return new App({ stackTraces: false, ...config });
}
