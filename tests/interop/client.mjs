// A stock automerge-repo client (Node 20) against a sync server.
//   node client.mjs create ws://HOST:PORT TEXT   -> prints the new document's URL
//   node client.mjs find ws://HOST:PORT URL      -> prints the document as JSON
// Exits non-zero with a message if the server does not answer in time.
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

const [mode, server, arg] = process.argv.slice(2);
const fail = (msg) => {
  console.error(`interop client: ${msg}`);
  process.exit(2);
};
const timer = setTimeout(() => fail("timed out"), 20000);

const repo = new Repo({ network: [new WebSocketClientAdapter(server)] });

const peer = () =>
  new Promise((resolve) => {
    if (repo.peers.length > 0) return resolve();
    repo.networkSubsystem.once("peer", () => resolve());
  });

await peer();
if (mode === "create") {
  const handle = repo.create({ greeting: arg });
  // Wait until the server has the document: ask a second repo to find it.
  const probe = new Repo({ network: [new WebSocketClientAdapter(server)] });
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const found = await Promise.race([
        probe.find(handle.url),
        new Promise((_, rej) => setTimeout(() => rej(new Error("slow")), 500)),
      ]);
      if (found.doc()?.greeting === arg) break;
    } catch (_) {}
  }
  console.log(handle.url);
  await probe.shutdown();
} else if (mode === "find") {
  const handle = await repo.find(arg);
  console.log(JSON.stringify(handle.doc()));
} else {
  fail(`unknown mode ${mode}`);
}
clearTimeout(timer);
await repo.shutdown();
process.exit(0);
