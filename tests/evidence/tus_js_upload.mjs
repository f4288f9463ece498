// Upload one file with tus-js-client (Node). Used by the tests and the benchmark.
// usage: node tus_js_upload.mjs <endpoint> <file> <token> <metadata-json> [chunkSize] [uploadUrl]
// Prints "URL <upload url>" as soon as the upload exists, "PROGRESS <bytes>" lines, then "DONE <url>".
import fs from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.TUS_JS_PREFIX ? process.env.TUS_JS_PREFIX + "/" : import.meta.url);
const tus = require("tus-js-client");

const [endpoint, file, token, metadataJson, chunkArg, uploadUrl] = process.argv.slice(2);
const size = fs.statSync(file).size;
const chunkSize = chunkArg && chunkArg !== "0" ? Number(chunkArg) : Infinity;

const upload = new tus.Upload(fs.createReadStream(file), {
  endpoint,
  uploadUrl: uploadUrl || null,
  chunkSize,
  uploadSize: size,
  metadata: JSON.parse(metadataJson),
  headers: { Authorization: `Bearer ${token}` },
  retryDelays: [0, 300, 1000, 2000, 3000, 5000],
  removeFingerprintOnSuccess: true,
  storeFingerprintForResuming: false,
  onUploadUrlAvailable() {
    console.log(`URL ${upload.url}`);
  },
  onProgress(sent) {
    console.log(`PROGRESS ${sent}`);
  },
  onError(error) {
    console.error(`ERROR ${error}`);
    process.exit(1);
  },
  onSuccess() {
    console.log(`DONE ${upload.url}`);
  },
});
upload.start();
