"""tuspy upload for bench_uploads.py.

``python upload_client_tuspy.py <endpoint> <file> <token> <metadata-json> <chunk|0>``.

Per-chunk checksums on (``Upload-Checksum: sha1``), as the issue's targets require.
"""

import json
import os
import sys

from tusclient import client as tus_client

endpoint, path, token, metadata_json, chunk = sys.argv[1:6]
size = os.path.getsize(path)
headers = {"Authorization": f"Bearer {token}"} if token else {}
uploader = tus_client.TusClient(endpoint, headers=headers).uploader(
    path, chunk_size=int(chunk) or size, metadata=json.loads(metadata_json), upload_checksum=True
)
uploader.upload()
print("DONE", uploader.url)
