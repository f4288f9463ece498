"""Where error codes are raised, read from the source, and the error guide generated from the apps' enums.

Every app lists the codes it raises in ``backend/<app>/error_codes.py`` (a :class:`~enum.StrEnum`, one member per
code). This module finds every raise site by reading the source (``ast``, no import of the apps), so a test can
hold the enums to the code (every raised code is a member of its app's enum; every member is raised) and
``make error-guide`` can write ``api_docs/guides/error-codes.md`` from the enums, with each code's HTTP statuses
and a message as raised.

A raise site is:

* a call of one of our error classes (:class:`~backend.common.errors.ApplicationError` and its subclasses) whose
  code is a string literal — the first argument, or ``code=`` for ``NotFound``/``Forbidden`` (their defaults
  otherwise); ``status=`` overrides the class's status;
* DRF's ``PermissionDenied(…, code=…)`` (a permission class naming its refusal keeps that code);
* in ``backend/common`` (the exception handler and middleware that answer outside a service), a dict literal with
  ``"code"`` and ``"message"`` keys, and the ``_DRF_CODES`` table.

A code built at run time (not a literal) cannot be checked here and is reported by :func:`dynamic_sites`.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
GUIDE = ROOT / "api_docs" / "guides" / "error-codes.md"

# Our error classes: (default status, default code when the code is not the first argument).
_CLASSES: dict[str, tuple[int, str | None]] = {
    "ApplicationError": (400, None),
    "PreconditionFailed": (409, None),
    "TusError": (400, None),
    "NotFound": (404, "not_found"),
    "Forbidden": (403, "permission_denied"),
    "LedgerInconsistent": (500, "ledger_inconsistent"),
}
_KEYWORD_CODE = {"NotFound", "Forbidden", "LedgerInconsistent"}
_FRAMEWORK_ANSWERS = {"common", "config"}  # apps whose answers are also built as plain dicts
# Helpers whose ``code`` parameter is the code they raise (with its status): a literal ``code=`` at a call, and the
# parameter's default, are raise sites too.
_CODE_HELPERS: dict[str, int] = {"parse_int": 400, "parse_client_datetime": 400, "parse_client_date": 400,
                                 "_ensure_role": 403}  # fmt: skip


# Codes built at run time, by the file that builds them (reviewed by hand: a new dynamic site fails
# tests/common/test_error_codes.py until it is listed here). A helper that forwards its ``code`` parameter lists
# nothing: its callers' literals and its default are read.
DYNAMIC_CODES: dict[str, tuple[tuple[str, int], ...]] = {
    # f"credential_{state}" for each state of backend.accounts.services.CREDENTIAL_MESSAGES
    "backend/accounts/services.py": tuple(
        (f"credential_{state}", 409) for state in ("expired", "suspended", "revoked", "not_yet_valid", "missing")
    ),
    # backend.cases.rules.cash_collection_problem's CashProblem codes
    "backend/cases/services/cash.py": (
        ("cash_collection_not_allowed", 409), ("cash_collection_not_requested", 409),
        ("cash_collection_without_fine", 409), ("cash_ground_note_required", 409), ("invalid_cash_ground", 409),
    ),
    # backend.execution.services.property._invalid: the 422 of a 清单 or a handling the rules refuse
    "backend/execution/services/property.py": (
        ("custody_required", 422),
        ("freeze_authority_required", 422),
        ("freeze_deposit_required", 422),
        ("handling_not_allowed", 422),
        ("invalid_measure_document", 422),
        ("recipient_required", 422),
    ),
    "backend/evidence/services/completion.py": (("sha256_mismatch", 422), ("kind_mismatch", 422)),  # a rejected upload
    "backend/sharing/services.py": (("share_revoked", 410), ("share_expired", 410), ("share_exhausted", 410)),
    # f"invalid_{name}_filter" for the public notice list's two enumerated filters
    "backend/disclosures/public_apis.py": (("invalid_party_type_filter", 400), ("invalid_penalty_kind_filter", 400)),
    "backend/common/inputs.py": (),
    "backend/reviews/services/common.py": (),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RaiseSite:
    app: str
    code: str
    status: int | None
    message: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class DynamicSite:
    app: str
    path: str
    line: int


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _message(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # an f-string: its literal parts, the fields as …
        parts = (v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "…" for v in node.values)
        return "".join(parts)
    return ""


def _branches(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.IfExp):
        body, orelse = _literal(node.body), _literal(node.orelse)
        if body is not None and orelse is not None:
            return [body, orelse]
    return []


def _int(node: ast.expr | None) -> int | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, int) else None


def app_modules() -> Iterator[tuple[str, Path]]:
    """(app, file) for every module of ``backend/`` outside migrations."""
    for path in sorted(BACKEND.rglob("*.py")):
        rel = path.relative_to(BACKEND)
        if "migrations" in rel.parts or rel.name == "error_codes.py":
            continue
        yield rel.parts[0], path


def _sites_in(app: str, path: Path) -> Iterator[RaiseSite | DynamicSite]:
    rel = str(path.relative_to(ROOT))
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    # Module-level ``NAME = "literal"`` constants, so ``ApplicationError(DATE_IN_FUTURE, …)`` is read too.
    constants = {
        t.id: n.value.value
        for n in tree.body
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
        for t in n.targets
        if isinstance(t, ast.Name)
    }

    def literal(node: ast.expr | None) -> str | None:
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        return _literal(node)

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in _CODE_HELPERS:
            args = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + list(node.args.defaults)
            defaults += list(node.args.kw_defaults)
            for arg, default in zip(args, defaults, strict=True):
                code = literal(default) if arg.arg == "code" and default is not None else None
                if code:
                    yield RaiseSite(app, code, _CODE_HELPERS[node.name], "", rel, node.lineno)
        if isinstance(node, ast.Call):
            name = _name(node.func)
            kwargs = {k.arg: k.value for k in node.keywords if k.arg}
            if name in _CODE_HELPERS and literal(kwargs.get("code")):
                yield RaiseSite(app, str(literal(kwargs["code"])), _CODE_HELPERS[name], "", rel, node.lineno)
            elif name in _CLASSES:
                status, default_code = _CLASSES[name]
                if name in _KEYWORD_CODE:
                    code_node, message_node = kwargs.get("code"), (node.args[0] if node.args else None)
                    code = literal(code_node) if code_node is not None else default_code
                else:
                    if not node.args:
                        continue  # e.g. super().__init__(…) forwarding, or a class reference
                    code_node = node.args[0]
                    message_node = node.args[1] if len(node.args) > 1 else kwargs.get("message")
                    code = literal(code_node)
                # ``"a" if … else "b"``: both codes are raised here.
                codes = [code] if code is not None else _branches(code_node)
                if not codes:
                    yield DynamicSite(app, rel, node.lineno)
                    continue
                for one in codes:
                    yield RaiseSite(
                        app, one, _int(kwargs.get("status")) or status, _message(message_node), rel, node.lineno
                    )
            elif name == "PermissionDenied" and "code" in kwargs:
                code = _literal(kwargs["code"])
                if code is not None:
                    message = _message(node.args[0] if node.args else kwargs.get("detail"))
                    yield RaiseSite(app, code, 403, message, rel, node.lineno)
        elif app in _FRAMEWORK_ANSWERS and isinstance(node, ast.Dict):
            keys = [_literal(k) if k is not None else None for k in node.keys]
            if "code" in keys and "message" in keys:
                code = _literal(node.values[keys.index("code")])
                if code:
                    yield RaiseSite(app, code, None, _message(node.values[keys.index("message")]), rel, node.lineno)
        elif app in _FRAMEWORK_ANSWERS and isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == "_DRF_CODES" for t in targets) and isinstance(
                node.value, ast.Dict
            ):
                for value in node.value.values:
                    if isinstance(value, ast.Tuple) and len(value.elts) == 2:
                        code = _literal(value.elts[0])
                        if code:
                            yield RaiseSite(app, code, None, _message(value.elts[1]), rel, value.lineno)


def raise_sites() -> list[RaiseSite]:
    sites = [s for app, path in app_modules() for s in _sites_in(app, path) if isinstance(s, RaiseSite)]
    for rel, codes in DYNAMIC_CODES.items():
        app = Path(rel).relative_to("backend").parts[0]
        sites += [RaiseSite(app, code, status, "", rel, 0) for code, status in codes]
    return sites


def dynamic_sites() -> list[DynamicSite]:
    return [s for app, path in app_modules() for s in _sites_in(app, path) if isinstance(s, DynamicSite)]


def apps_with_codes() -> list[str]:
    return sorted({site.app for site in raise_sites()})


def app_enum(app: str) -> type[StrEnum]:
    """The ``ErrorCode`` enum of ``backend/<app>/error_codes.py``."""
    module = importlib.import_module(f"backend.{app}.error_codes")
    enum: type[StrEnum] = module.ErrorCode
    return enum


def _statuses(sites: Iterable[RaiseSite]) -> str:
    found = sorted({s.status for s in sites if s.status is not None})
    return ", ".join(str(s) for s in found) or "—"


def render_guide() -> str:
    """The Markdown of ``api_docs/guides/error-codes.md``: every app's enum, each code with its HTTP statuses and a
    message as raised (the first raise site's literal text; ``…`` marks a value filled in at run time)."""
    by_code: dict[tuple[str, str], list[RaiseSite]] = {}
    for site in raise_sites():
        by_code.setdefault((site.app, site.code), []).append(site)
    lines = [
        "# Error codes",
        "",
        "<!-- Generated by `make error-guide` from backend/<app>/error_codes.py; do not edit by hand. -->",
        "",
        "Every error answer carries a stable `code` (see errors.md for the shape and what each HTTP status means).",
        "This is the complete list, per app, as the code raises them: switch on the code, never on the message.",
        "A code may be answered with more than one status where the situation differs (for example 404 for an",
        "object that is not yours, 409 for one in the wrong state).",
        "",
    ]
    for app in apps_with_codes():
        enum = app_enum(app)
        lines += [f"## {app}", "", "| code | status | message (as raised) |", "|---|---|---|"]
        for member in enum:
            sites = by_code.get((app, member.value), [])
            message = next((s.message for s in sites if s.message), "").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{member.value}` | {_statuses(sites)} | {message} |")
        lines.append("")
    return "\n".join(lines)


def render_enum_module(app: str) -> str:
    """Source of a ``backend/<app>/error_codes.py`` listing every code the app raises (for a new app, or after
    adding many codes: review the diff before committing)."""
    codes = sorted({site.code for site in raise_sites() if site.app == app})
    body = "\n".join(f'    {code.upper()} = "{code}"' for code in codes)
    return (
        f'"""Every error code the {app} app answers with.\n\n'
        "The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here\n"
        'in the same change that raises it (tests/common/test_error_codes.py)."""\n\n'
        "from __future__ import annotations\n\nfrom enum import StrEnum\n\n\n"
        f"class ErrorCode(StrEnum):\n{body}\n"
    )


def main() -> None:  # pragma: no cover - the make target
    import sys

    if sys.argv[1:2] == ["--write-enums"]:
        for app in apps_with_codes():
            (BACKEND / app / "error_codes.py").write_text(render_enum_module(app), encoding="utf-8")
    GUIDE.write_text(render_guide(), encoding="utf-8")
    print(f"wrote {GUIDE.relative_to(ROOT)}")


if __name__ == "__main__":  # pragma: no cover
    main()
