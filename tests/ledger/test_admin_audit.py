"""Every change made in the Django admin is in the audit trail: per registered model, through the admin's
own pages as a browser submits them (the form as rendered, one field changed), in the same transaction.

A registration without an entry in ``EDITABLE`` below fails the coverage test: a new admin page is either
read-only or says how it is tested here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from support import PASSWORD, make_agency, make_user

from backend.accounts.models import Agency, Device, OfficerCredential, Role, User, UserRole
from backend.cases.models import CaseRules
from backend.common.models import CalendarYear, HolidayOverride
from backend.disclosures.models import AgencyDisclosureProfile, DiscretionStandard, EnforcementItem
from backend.ledger.admin_audit import AuditedModelAdmin
from backend.ledger.models import AuditEvent
from backend.ledger.services import ledger_verify_chain
from backend.reviews.models import ReviewSettings

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- the admin form, as a browser sends it


class _FormFields(HTMLParser):
    """The fields of the admin's main form (``<form id="…_form">``) with the values the page shows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_form = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.in_form = a.get("id", "").endswith("_form")
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self.in_form = False


def form_data(client, url: str, **overrides: str) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200, url
    parser = _FormFields()
    parser.feed(page.content.decode())
    data: dict[str, Any] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    data = {k: v if len(v) > 1 else v[0] for k, v in data.items()}
    data.update(overrides)
    data["_save"] = "保存"
    return data


# --------------------------------------------------------------------------- what each editable page does


@dataclass
class Editable:
    make: Callable[[dict], Any]  # an existing object to change/delete
    add: Callable[[dict], dict[str, str]] | None = None  # form values for a new one
    change: tuple[str, Callable[[dict], str]] | None = None  # (field, new form value)
    delete: bool = True
    expect: dict[str, Any] = field(default_factory=dict)


def _fresh_agency(n: int) -> Agency:
    return make_agency(f"辽源市第{n}执法局", f"11220400MB{n:07d}Z")


EDITABLE: dict[str, Editable] = {
    "auth.group": Editable(
        make=lambda w: Group.objects.create(name="档案室"),
        add=lambda w: {"name": "法制审核组"},
        change=("name", lambda w: "法制审核科"),
    ),
    "token_blacklist.blacklistedtoken": Editable(
        make=lambda w: None,
        add=lambda w: {"token": str(w["outstanding"].pk)},  # revoke a session
        delete=False,
    ),
    "common.holidayoverride": Editable(
        make=lambda w: HolidayOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦"),
        add=lambda w: {"date": "2027-02-11", "name": "春节", "source": "国办发明电〔2026〕7号"},
        change=("name", lambda w: "元旦（调休后）"),
    ),
    "common.calendaryear": Editable(
        make=lambda w: CalendarYear.objects.create(year=2027),
        add=lambda w: {"year": "2028", "source": "国办发明电〔2027〕5号"},
        change=("source", lambda w: "国办发明电〔2026〕7号"),
    ),
    "accounts.user": Editable(
        make=lambda w: make_user("clerk", w["agency"], [Role.FIELD_OFFICER], full_name="周明"),
        add=lambda w: {
            "username": "new_officer",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
        change=("full_name", lambda w: "周明远"),
        delete=False,  # users are deactivated, never deleted: their acts stay attributable
    ),
    "accounts.agency": Editable(
        make=lambda w: _fresh_agency(1),
        add=lambda w: {"name": "辽源市应急管理局", "uscc": "11220400MB0000002B"},
        change=("contact", lambda w: "0437-3210000"),
    ),
    "accounts.device": Editable(
        make=lambda w: Device.objects.create(
            agency=w["agency"], owner=w["officer"], model="DSJ-V9", public_key="a" * 64
        ),
        change=("status", lambda w: "revoked"),
    ),
    "accounts.officercredential": Editable(
        make=lambda w: OfficerCredential.objects.get(user=w["officer"]),
        add=lambda w: {
            "user": str(w["officer2"].pk),
            "number": "A-0777",
            "category": "市场监管综合执法",
            "issued_on": "2025-01-02",
            "valid_until": "2030-01-01",
            "status": "active",
        },
        change=("status", lambda w: "suspended"),
    ),
    "cases.caserules": Editable(
        make=lambda w: CaseRules.objects.create(agency=_fresh_agency(2)),
        add=lambda w: {"agency": str(_fresh_agency(3).pk)},
        change=("min_officers", lambda w: "3"),
        delete=False,
    ),
    "reviews.reviewsettings": Editable(
        make=lambda w: ReviewSettings.objects.create(agency=_fresh_agency(4)),
        add=lambda w: {"agency": str(_fresh_agency(5).pk)},
        change=("legal_review_workdays", lambda w: "5"),
    ),
    "disclosures.agencydisclosureprofile": Editable(
        make=lambda w: AgencyDisclosureProfile.objects.create(agency=_fresh_agency(6)),
        add=lambda w: {"agency": str(_fresh_agency(7).pk)},
        change=("supervision_contact", lambda w: "12345 政务服务便民热线"),
    ),
    "disclosures.enforcementitem": Editable(
        make=lambda w: EnforcementItem.objects.create(agency=w["agency"], name="对销售过期食品的行政处罚"),
        add=lambda w: {
            "agency": str(w["agency"].pk),
            "name": "对无照经营的行政处罚",
            "kind": "行政处罚",
            "sort_order": "1",
        },
        change=("name", lambda w: "对销售超过保质期食品的行政处罚"),
    ),
    "disclosures.discretionstandard": Editable(
        make=lambda w: DiscretionStandard.objects.create(
            agency=w["agency"], violation="销售过期食品", circumstance="初次违法", penalty="警告"
        ),
        add=lambda w: {
            "agency": str(w["agency"].pk),
            "violation": "无照经营",
            "circumstance": "违法所得较少",
            "penalty": "罚款一万元以下",
            "sort_order": "1",
        },
        change=("penalty", lambda w: "警告或罚款五千元以下"),
    ),
}


@pytest.fixture
def world(agency_a, officer_a, officer_a2) -> dict:
    refresh = RefreshToken.for_user(officer_a)
    return {
        "agency": agency_a,
        "officer": officer_a,
        "officer2": officer_a2,
        "outstanding": OutstandingToken.objects.get(jti=refresh["jti"]),
    }


@pytest.fixture
def root(client):
    user = User.objects.create_superuser(username="root", password="root-password-2026")
    client.force_login(user)
    return client


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _events(action: str, model) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_type=model._meta.label_lower).order_by("seq"))


def _writable(model_admin, obj=None) -> set[str]:
    request = RequestFactory().post("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    return {
        op
        for op, allowed in (
            ("add", model_admin.has_add_permission(request)),
            ("change", model_admin.has_change_permission(request, obj)),
            ("delete", model_admin.has_delete_permission(request, obj)),
        )
        if allowed
    }


# --------------------------------------------------------------------------- the mechanism covers every page


def test_every_registered_admin_is_audited():
    plain = [m._meta.label for m, a in admin.site._registry.items() if not isinstance(a, AuditedModelAdmin)]
    assert plain == []


# Bulk actions, each with its test below.
AUDITED_ACTIONS = {"delete_selected", "deactivate_users"}


def test_every_writable_admin_page_is_tested_here_and_the_rest_are_read_only():
    for model, model_admin in admin.site._registry.items():
        spec = EDITABLE.get(model._meta.label_lower)
        expected = (
            set()
            if spec is None
            else {op for op, on in (("add", spec.add), ("change", spec.change), ("delete", spec.delete)) if on}
        )
        assert _writable(model_admin) == expected, model._meta.label
        request = RequestFactory().get("/")
        request.user = User(is_superuser=True, is_staff=True, is_active=True)
        assert set(model_admin.get_actions(request)) <= AUDITED_ACTIONS, model._meta.label


# --------------------------------------------------------------------------- per model: add, change, delete


@pytest.mark.parametrize("label", sorted(name for name, s in EDITABLE.items() if s.add))
def test_an_admin_add_is_audited(label, root, world):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    before = set(model._default_manager.values_list("pk", flat=True))
    values = EDITABLE[label].add(world)
    data = form_data(root, _url(model, "add"), **values)
    response = root.post(_url(model, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    (new,) = set(model._default_manager.values_list("pk", flat=True)) - before
    (event,) = _events("admin.added", model)
    assert event.target_id == str(new)
    assert event.actor.username == "root" and event.data["via"] == "admin"
    for name, value in values.items():
        if name in event.data["fields"]:
            assert str(event.data["fields"][name]) == value, name
    assert ledger_verify_chain().ok


@pytest.mark.parametrize("label", sorted(name for name, s in EDITABLE.items() if s.change))
def test_an_admin_change_is_audited_with_old_and_new_values(label, root, world):
    spec = EDITABLE[label]
    obj = spec.make(world)
    model = type(obj)
    name, new_value = spec.change[0], spec.change[1](world)
    old_value = getattr(obj, model._meta.get_field(name).attname)
    response = root.post(
        _url(model, "change", obj.pk), form_data(root, _url(model, "change", obj.pk), **{name: new_value})
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (event,) = _events("admin.changed", model)
    assert event.target_id == str(obj.pk)
    assert set(event.data["changes"]) == {name}, event.data["changes"]
    assert str(event.data["changes"][name]["old"]) == str(old_value)
    assert str(event.data["changes"][name]["new"]) == new_value
    # Saving again without a change writes nothing.
    root.post(_url(model, "change", obj.pk), form_data(root, _url(model, "change", obj.pk)))
    assert len(_events("admin.changed", model)) == 1


@pytest.mark.parametrize("label", sorted(name for name, s in EDITABLE.items() if s.delete))
def test_an_admin_delete_is_audited(label, root, world):
    obj = EDITABLE[label].make(world)
    model, pk, text = type(obj), obj.pk, str(obj)
    response = root.post(_url(model, "delete", pk), {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not model._default_manager.filter(pk=pk).exists()
    (event,) = _events("admin.deleted", model)
    assert event.target_id == str(pk) and event.data["object"] == text[:200]
    assert event.data["fields"]


# --------------------------------------------------------------------------- what the records say


def test_a_new_users_password_hash_never_reaches_the_trail(root, world):
    data = form_data(root, _url(User, "add"), **EDITABLE["accounts.user"].add(world))
    root.post(_url(User, "add"), data)
    user = User.objects.get(username="new_officer")
    (event,) = _events("admin.added", User)
    assert event.data["fields"]["password"] == {"set": True}
    assert user.password.split("$")[-1] not in json.dumps(event.data)


def test_a_password_change_is_recorded_as_changed_only(root, world):
    user = world["officer"]
    old_hash = user.password
    url = reverse("admin:auth_user_password_change", args=[user.pk])  # UserAdmin's fixed URL name
    response = root.post(
        url, {"password1": "new-password-for-2027", "password2": "new-password-for-2027", "usable_password": "true"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.password != old_hash
    (event,) = _events("admin.changed", User)
    assert event.data["changes"] == {"password": {"changed": True, "usable": True}}
    dumped = json.dumps(event.data)
    assert old_hash.split("$")[-1] not in dumped and user.password.split("$")[-1] not in dumped


def test_roles_and_credentials_edited_inline_on_the_user_page_are_audited(root, world):
    user = world["officer"]
    credential = OfficerCredential.objects.get(user=user)
    data = form_data(root, _url(User, "change", user.pk))
    roles_prefix = next(k.removesuffix("-TOTAL_FORMS") for k in data if k.endswith("-TOTAL_FORMS") and "role" in k)
    cred_prefix = next(k.removesuffix("-TOTAL_FORMS") for k in data if k.endswith("-TOTAL_FORMS") and "cred" in k)
    n = int(data[f"{roles_prefix}-TOTAL_FORMS"])
    data[f"{roles_prefix}-TOTAL_FORMS"] = str(n + 1)
    data[f"{roles_prefix}-{n}-role"] = Role.AGENCY_HEAD
    data[f"{roles_prefix}-{n}-user"] = str(user.pk)
    data[f"{cred_prefix}-0-status"] = "suspended"
    response = root.post(_url(User, "change", user.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    role = UserRole.objects.get(user=user, role=Role.AGENCY_HEAD)
    (added,) = _events("admin.added", UserRole)
    assert added.target_id == str(role.pk) and added.data["parent"] == f"accounts.user:{user.pk}"
    (changed,) = _events("admin.changed", OfficerCredential)
    assert changed.target_id == str(credential.pk)
    assert changed.data["changes"] == {"status": {"old": "active", "new": "suspended"}}


def test_a_bulk_delete_records_each_object(root):
    days = [
        HolidayOverride.objects.create(date=dt.date(2027, 10, d), is_workday=False, name="国庆节") for d in (1, 2, 3)
    ]
    response = root.post(
        _url(HolidayOverride, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(d.pk) for d in days],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not HolidayOverride.objects.exists()
    assert sorted(e.target_id for e in _events("admin.deleted", HolidayOverride)) == sorted(str(d.pk) for d in days)


def test_deactivating_users_records_each_of_them(root, world):
    officer = world["officer"]
    response = root.post(
        _url(User, "changelist"), {"action": "deactivate_users", "_selected_action": [str(officer.pk)]}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=officer.pk).is_active is False
    (event,) = [e for e in _events("admin.changed", User) if e.target_id == str(officer.pk)]
    assert event.data["changes"] == {"is_active": {"old": True, "new": False}}


def test_a_deletion_names_what_it_cascaded_to(root, world):
    group = Group.objects.create(name="档案室")
    world["officer"].groups.add(group)
    root.post(_url(Group, "delete", group.pk), {"post": "yes"})
    (event,) = _events("admin.deleted", Group)
    assert event.data["cascade"] == {"accounts.user_groups": 1}


def test_the_change_and_its_record_are_one_transaction(root, world, monkeypatch):
    from backend.ledger import admin_audit

    obj = HolidayOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")

    def ledger_down(**kwargs):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(admin_audit, "audit_record", ledger_down)
    data = form_data(root, _url(HolidayOverride, "change", obj.pk), name="改过的名字")
    with pytest.raises(RuntimeError):
        root.post(_url(HolidayOverride, "change", obj.pk), data)
    obj.refresh_from_db()
    assert obj.name == "元旦", "no change without its audit record"


def test_an_inline_row_deleted_on_the_user_page_is_audited(root, world):
    user = world["officer"]
    role = UserRole.objects.get(user=user)
    data = form_data(root, _url(User, "change", user.pk))
    prefix = next(k.removesuffix("-TOTAL_FORMS") for k in data if k.endswith("-TOTAL_FORMS") and "role" in k)
    row = next(
        k.removesuffix("-id")
        for k, v in data.items()
        if k.startswith(prefix) and k.endswith("-id") and v == str(role.pk)
    )
    data[f"{row}-DELETE"] = "on"
    response = root.post(_url(User, "change", user.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not UserRole.objects.filter(pk=role.pk).exists()
    (event,) = _events("admin.deleted", UserRole)
    assert event.target_id == str(role.pk)
    assert event.data["fields"]["role"] == Role.FIELD_OFFICER and event.data["parent"] == f"accounts.user:{user.pk}"
