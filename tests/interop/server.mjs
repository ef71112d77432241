// A stock automerge-repo sync server (Node 20), for testing Yoriai's own
// browser sync client against the JavaScript implementation.
//   node server.mjs        -> prints "PORT <port>" and "DOC <automerge url>"
//                             (a document it created), then serves on
//                             127.0.0.1 until its stdin closes.
// A line "SET KEY VALUE" on stdin sets KEY in that document, as an edit
// made on the JavaScript side while no client is connected, and answers
// "SET KEY" once done.
import readline from "node:readline";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
await new Promise((resolve) => wss.on("listening", resolve));
const repo = new Repo({
  network: [new WebSocketServerAdapter(wss)],
  // Like a sync server: share every document with every peer.
  sharePolicy: async () => true,
});
const handle = repo.create({ greeting: "from JavaScript" });
console.log(`PORT ${wss.address().port}`);
console.log(`DOC ${handle.url}`);
const input = readline.createInterface({ input: process.stdin });
input.on("line", (line) => {
  const [verb, key, ...value] = line.trim().split(" ");
  if (verb !== "SET" || !key) {
    console.error(`server.mjs: unknown command '${line}'`);
    return;
  }
  handle.change((d) => {
    d[key] = value.join(" ");
  });
  console.log(`SET ${key}`);
});
input.on("close", async () => {
  wss.close();
  await repo.shutdown();
  process.exit(0);
});
