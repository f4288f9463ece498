"""The committed OpenAPI document is generated from the code; a drift fails the build."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "api_docs" / "openapi.yaml"


def test_committed_openapi_matches_the_code(tmp_path):
    # Generated in a separate process against SQLite, exactly as `make openapi` does: integer bounds in
    # the schema depend on the database backend, and the committed document must not.
    generated = tmp_path / "openapi.yaml"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'schema.sqlite3'}"}
    subprocess.run(
        [sys.executable, str(ROOT / "backend" / "manage.py"), "spectacular", "--file", str(generated)],
        env=env, check=True, capture_output=True, cwd=ROOT,
    )
    assert generated.read_text() == COMMITTED.read_text(), "api_docs/openapi.yaml is stale: run `make openapi`"


def test_pinned_paths_are_documented():
    import yaml

    paths = yaml.safe_load(COMMITTED.read_text())["paths"]
    for pinned in ("/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/logout/", "/api/v1/me/"):
        assert pinned in paths
