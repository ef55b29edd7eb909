/** The entry point of `npm run synth` (bundled to dist/synth.js by synth/launch.js). */
import { main } from "../main";

main().catch((error: unknown) => {
  // A synth-time mistake is the user's to fix: say what, not where in our code.
  console.error(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
