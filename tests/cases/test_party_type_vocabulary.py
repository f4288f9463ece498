"""One vocabulary of party types (backend/common/parties.py): cases, review catalogs and notices all say
``natural_person``; the cases API's old ``person`` is still read during the transition, never answered."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from backend.cases.models import Case, PartyType
from backend.common import parties
from backend.disclosures import models as disclosure_models
from backend.reviews import major

BODY = {"title": "无照经营", "party_name": "张三", "party_id_number": "220402199202021237"}


def test_every_app_uses_the_same_words():
    words = ["natural_person", "sole_trader", "organisation"]
    assert [m.value for m in parties.PartyType] == words
    assert [value for value, _label in PartyType.choices] == words
    assert disclosure_models.PartyType is PartyType
    assert major.PartyType is parties.PartyType
    assert Case._meta.get_field("party_type").choices == PartyType.choices


@pytest.mark.parametrize(("sent", "stored"), [("natural_person", "natural_person"), ("person", "natural_person"),
                                              ("sole_trader", "sole_trader"), ("organisation", "organisation")])
def test_a_case_takes_the_word_and_the_old_word_and_answers_the_word(as_user, officer_a, sent, stored):
    client = as_user(officer_a)
    created = client.post("/api/v1/cases/", {**BODY, "party_type": sent}, format="json")
    assert created.status_code == 201, created.json()
    assert Case.objects.get(pk=created.json()["id"]).party_type == stored
    assert client.get(f"/api/v1/cases/{created.json()['id']}/").json()["party_type"] == stored


@pytest.mark.parametrize("sent", ["natural", "Person", "", "自然人"])
def test_anything_else_is_refused_with_the_field_named(as_user, officer_a, sent):
    response = as_user(officer_a).post("/api/v1/cases/", {**BODY, "party_type": sent}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "party_type" in response.json()["fields"]


def test_parse_party_type_maps_only_the_documented_old_word():
    assert parties.parse_party_type("person") is parties.PartyType.NATURAL_PERSON
    assert parties.parse_party_type("organisation") is parties.PartyType.ORGANISATION
    with pytest.raises(ValueError):
        parties.parse_party_type("individual")


def test_the_migration_renames_stored_cases_and_catalog_rules(agency_a):
    from backend.reviews.models import CatalogRule, MajorCatalog

    old = Case.objects.create(agency=agency_a, title="x", party_type="person", party_name="某人")
    org = Case.objects.create(agency=agency_a, title="y", party_type="organisation", party_name="某公司")
    catalog = MajorCatalog.objects.create(agency=agency_a, version=1, title="目录")
    rule = CatalogRule.objects.create(catalog=catalog, code="fine_person", kind="fine_amount", description="罚款",
                                      party_types=["person", "sole_trader"])
    everyone = CatalogRule.objects.create(catalog=catalog, code="any", kind="fine_amount", description="罚款")

    importlib.import_module("backend.cases.migrations.0007_party_type_natural_person").forwards(apps, None)
    importlib.import_module("backend.reviews.migrations.0003_party_type_natural_person").forwards(apps, None)

    old.refresh_from_db(), org.refresh_from_db(), rule.refresh_from_db(), everyone.refresh_from_db()
    assert (old.party_type, org.party_type) == ("natural_person", "organisation")
    assert rule.party_types == ["natural_person", "sole_trader"]
    assert everyone.party_types == []

    importlib.import_module("backend.cases.migrations.0007_party_type_natural_person").backwards(apps, None)
    old.refresh_from_db()
    assert old.party_type == "person"
