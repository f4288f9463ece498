#!/usr/bin/env bash
# Security scans for .ci/run (and `make audit`):
#   bandit    static analysis of backend/ and media_pipeline/; any finding of medium or high severity fails.
#             False positives carry an inline `# nosec <id> - reason` beside the line.
#   pip-audit known vulnerabilities of the installed packages, from the online advisory database (PyPI's
#             JSON API). A reported vulnerability fails. When the service is unreachable — as on the machines
#             that only mirror the package index — the step says so and does not pretend to have audited.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var

echo "-- bandit (medium and high severity fail)"
.venv/bin/bandit -q -r backend media_pipeline --severity-level medium -f txt

echo "-- pip-audit (online: PyPI advisory data)"
status=0
.venv/bin/pip-audit --progress-spinner off --skip-editable --vulnerability-service pypi --format json \
  --output var/pip-audit.json >var/pip-audit.log 2>&1 || status=$?
.venv/bin/python - "$status" <<'PY'
import json
import sys

status = int(sys.argv[1])
try:
    report = json.load(open("var/pip-audit.json"))
except (OSError, ValueError):
    print(open("var/pip-audit.log").read()[-3000:])
    sys.exit(f"pip-audit did not run (exit {status})")
deps = report.get("dependencies", [])
vulnerable = [d for d in deps if d.get("vulns")]
skipped = [d for d in deps if d.get("skip_reason")]
for dep in vulnerable:
    for vuln in dep["vulns"]:
        print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} fixed in {', '.join(vuln.get('fix_versions', [])) or '?'}")
audited = len(deps) - len(skipped)
print(f"pip-audit: {audited} of {len(deps)} packages audited online, {len(vulnerable)} vulnerable")
if vulnerable:
    sys.exit(1)
if deps and not audited:
    print("pip-audit: the online advisory database is unreachable from this machine: NOT AUDITED "
          "(no offline database is configured: the ones installable here, safety-db 2021-07 and a 2024-10 "
          "snapshot of PyPA's advisory-database, are too old to clear current versions)")
PY
