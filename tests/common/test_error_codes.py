"""Every code the apps raise is a member of its app's ``ErrorCode`` enum, and the error guide is current."""

from __future__ import annotations

import ast
from pathlib import Path

from backend.common import error_catalog
from backend.common.errors import ApplicationError, Forbidden, NotFound, PreconditionFailed


def test_every_raised_code_is_in_its_apps_enum():
    missing = [
        f"{site.path}:{site.line} {site.code} (backend/{site.app}/error_codes.py)"
        for site in error_catalog.raise_sites()
        if site.code not in error_catalog.app_enum(site.app).__members__.values()
    ]
    assert not missing, "add these codes to the app's ErrorCode enum, then `make error-guide`:\n" + "\n".join(missing)


def test_every_enum_member_is_raised_by_its_app():
    raised = {(site.app, site.code) for site in error_catalog.raise_sites()}
    stale = [
        f"backend/{app}/error_codes.py {member.value}"
        for app in error_catalog.apps_with_codes()
        for member in error_catalog.app_enum(app)
        if (app, member.value) not in raised
    ]
    assert not stale, "codes no longer raised (remove them):\n" + "\n".join(stale)


def test_every_app_that_raises_codes_has_an_enum_module():
    for app in error_catalog.apps_with_codes():
        assert (Path(error_catalog.BACKEND) / app / "error_codes.py").is_file(), app


def test_a_code_built_at_run_time_is_reviewed_in_the_catalog():
    unknown = [f"{s.path}:{s.line}" for s in error_catalog.dynamic_sites() if s.path not in error_catalog.DYNAMIC_CODES]
    assert not unknown, "list the codes these sites can build in error_catalog.DYNAMIC_CODES:\n" + "\n".join(unknown)


def test_the_error_guide_is_generated_from_the_enums_and_current():
    assert error_catalog.GUIDE.read_text(encoding="utf-8") == error_catalog.render_guide(), "run `make error-guide`"


def test_the_scanner_reads_each_kind_of_raise_site(tmp_path, monkeypatch):
    """GIVEN a module raising codes in every form the catalog knows WHEN it is scanned THEN each code is found with
    its status, and a code computed at run time is reported as dynamic."""
    source = """
DATE_CODE = "date_in_future"
def f(x):
    raise ApplicationError("widget_invalid", "部件无效", status=422)
    raise PreconditionFailed("widget_locked", f"部件{x}已锁定")
    raise NotFound("部件不存在", code="widget_not_found")
    raise Forbidden("无权操作")
    raise ApplicationError(DATE_CODE, "日期晚于当前时间")
    raise ApplicationError("a_code" if x else "b_code", "二选一")
    raise ApplicationError(f"widget_{x}", "动态")
    _ensure_role(x, message="须负责人", code="head_required")
"""
    app = tmp_path / "backend" / "widgets"
    app.mkdir(parents=True)
    (app / "services.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(error_catalog, "ROOT", tmp_path)
    monkeypatch.setattr(error_catalog, "BACKEND", tmp_path / "backend")
    found = {(s.code, s.status) for s in error_catalog._sites_in("widgets", app / "services.py") if hasattr(s, "code")}
    assert found == {
        ("widget_invalid", 422), ("widget_locked", 409), ("widget_not_found", 404), ("permission_denied", 403),
        ("date_in_future", 400), ("a_code", 400), ("b_code", 400), ("head_required", 403),
    }  # fmt: skip
    dynamic = [s for s in error_catalog._sites_in("widgets", app / "services.py") if not hasattr(s, "code")]
    assert [s.line for s in dynamic] == [10]


def test_the_scanned_classes_are_our_error_classes():
    """The catalog's table of classes follows errors.py: a renamed class or a changed default code is caught."""
    assert error_catalog._CLASSES["ApplicationError"][0] == ApplicationError.status
    assert error_catalog._CLASSES["PreconditionFailed"][0] == PreconditionFailed.status
    assert NotFound().code == error_catalog._CLASSES["NotFound"][1]
    assert Forbidden().code == error_catalog._CLASSES["Forbidden"][1]
    tree = ast.parse(Path(error_catalog.BACKEND / "common" / "errors.py").read_text(encoding="utf-8"))
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    assert classes <= set(error_catalog._CLASSES)
