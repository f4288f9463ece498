// The tus peer for bench_uploads.py: @tus/server + @tus/file-store (installed by the bench, not a project
// dependency). usage: node upload_peer_server.mjs <port> <directory>
import http from "node:http";
import { createRequire } from "node:module";

const require = createRequire(process.env.BENCH_NODE_PREFIX + "/");
const { Server } = require("@tus/server");
const { FileStore } = require("@tus/file-store");

const [port, directory] = process.argv.slice(2);
const tus = new Server({ path: "/files", datastore: new FileStore({ directory }) });
http.createServer((req, res) => tus.handle(req, res)).listen(Number(port), "127.0.0.1", () => {
  console.log(`peer listening on ${port}`);
});
