// tus-js-client upload for bench_uploads.py. usage: node upload_client_tusjs.mjs <endpoint> <file> <token> <metadata-json> <chunk|0>
import fs from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.BENCH_NODE_PREFIX + "/");
const tus = require("tus-js-client");
const [endpoint, file, token, metadataJson, chunkArg] = process.argv.slice(2);
const upload = new tus.Upload(fs.createReadStream(file), {
  endpoint,
  chunkSize: chunkArg && chunkArg !== "0" ? Number(chunkArg) : Infinity,
  uploadSize: fs.statSync(file).size,
  metadata: JSON.parse(metadataJson),
  headers: token ? { Authorization: `Bearer ${token}` } : {},
  retryDelays: null,
  storeFingerprintForResuming: false,
  onError(error) {
    console.error(`ERROR ${error}`);
    process.exit(1);
  },
  onSuccess() {
    console.log(`DONE ${upload.url}`);
  },
});
upload.start();
