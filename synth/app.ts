import { App, type AppConfig } from "cdktf";

/**
 * The CDKTF app as every synth here creates it (the platform and the
 * benchmark's floor alike). Two settings keep synthesis fast:
 * - `stackTraces: false`: no stack trace stored in every construct's metadata
 *   (nothing here reads them);
 * - source maps off: CDKTF captures a stack trace for every token it creates,
 *   and with the TypeScript runner's source maps on, each capture is mapped
 *   back through them (a third of the synth time, measured). Errors still
 *   name the failing input; their stack lines point at the transpiled code.
 */
export function createApp(config: AppConfig = {}): App {
  process.setSourceMapsEnabled(false);
  return new App({ stackTraces: false, ...config });
}
