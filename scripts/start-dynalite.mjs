// Starts dynalite (a DynamoDB-compatible server, in memory) on 127.0.0.1:PORT until killed.
// Usage: node scripts/start-dynalite.mjs PORT
import dynalite from "dynalite";

const port = Number(process.argv[2] ?? 4567);
const server = dynalite({ createTableMs: 0 });
server.listen(port, "127.0.0.1", () => console.log(`dynalite on http://127.0.0.1:${port}`));
