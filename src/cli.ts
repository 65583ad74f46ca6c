// The CLI's entry (built to dist/cli.js); the commands live in src/cli/.
import { main } from './cli/main.js';

await main();
