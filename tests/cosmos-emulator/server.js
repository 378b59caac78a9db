// Starts @vercel/cosmosdb-server over HTTPS on 127.0.0.1 for the tests.
// Usage: node server.js [port] [parent-pid]
//   port 0 or none: a free port; the chosen one is printed.
//   parent-pid: exit when that process is gone, so that a killed test run leaves nothing behind.
//
// Fix from shared/docs/environment.md: reading a missing document crashes the handler with a
// TypeError (a 500). Wrap it so that the SDK gets 404 NotFound, as from Cosmos DB. The routes
// table captures the handler when the main module loads, so patch first, then load the server.
"use strict";
const readDocument = require("@vercel/cosmosdb-server/lib/handler/read-document");
const originalRead = readDocument.default;
readDocument.default = (account, req, res, params) => {
  try {
    return originalRead(account, req, res, params);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    res.statusCode = 404;
    return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
  }
};

const { createHttpsServer } = require("@vercel/cosmosdb-server");
const port = Number.parseInt(process.argv[2] || "0", 10);
// Cosmos DB keeps connections open; the package answers "connection: close" to every request unless
// asked not to, so each SDK call would pay a new TCP and TLS handshake (slow, and a memory cost in the
// app that Cosmos DB never causes). Idle connections stay open longer than .NET's pool keeps them (60 s),
// so that the client, not the server, closes an idle one.
const server = createHttpsServer({ keepAlive: true });
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;

// COSMOS_EMULATOR_COUNT=1: count requests by method and resource, print them on exit (for benchmarks).
const counts = new Map();
if (process.env.COSMOS_EMULATOR_COUNT === "1") {
  server.prependListener("request", (req) => {
    const kind = `${req.method} ${req.url.replace(/\/docs\/[^/?]+/, "/docs/{id}").replace(/\?.*$/, "")}`;
    counts.set(kind, (counts.get(kind) || 0) + 1);
  });
  process.on("exit", () => {
    for (const [kind, count] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${count}\t${kind}`);
  });
}
server.listen(port, "127.0.0.1", () => {
  console.log(`cosmosdb-server listening on 127.0.0.1:${server.address().port}`);
});
const parent = Number.parseInt(process.argv[3] || "0", 10);
if (parent > 0) {
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
