"""The one factory module of the suite (factory-boy): the one way to make a case in a test.

A test that needs a case *as the workflow makes it* walks it through the services (``tests/cases/casekit.py``
``new_case``/``walk``, or the API); a test that needs a case *in a given state* to exercise another app
(reviews, disclosures, evidence) builds the row with :class:`CaseFactory` and its traits::

    CaseFactory(agency=agency_a)                                     # a registered case, organisation party
    CaseFactory(agency=agency_a, person=True)                        # natural-person party (身份证号, 住址)
    CaseFactory(agency=agency_a, concluded=True, handling_officers=[officer_a, officer_a2])  # ready for review
    CaseFactory(agency=agency_a, decided=True, decided_on=date(2026, 3, 10))                # a penalty decision

Personas stay in ``tests/conftest.py``; agencies and users are still made by ``tests/support.py`` (their
credentials and roles are the accounts app's rules, kept in one helper).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from backend.cases.models import Case, PartyType

PERSON_ID = "220402199003071231"
PERSON_PHONE = "13912345678"
ORG_USCC = "91220400MA0Y3K2X1B"


class CaseFactory(factory.django.DjangoModelFactory):
    """A case row in a chosen state (no workflow steps, no audit events: use the services for those)."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    agency = None  # required: pass the persona's agency (another agency's case must be a deliberate choice)
    title = "销售超过保质期的食品案"
    procedure = "general"
    status = Case.Status.REGISTERED
    party_type = PartyType.ORGANISATION
    party_name = "辽源市恒通商贸有限公司"
    party_uscc = ORG_USCC
    party_legal_rep = "李建华"
    party_address = "吉林省辽源市西安区仙城大路1200号"
    violation_type = "销售超过保质期的食品"
    facts = "当事人在其经营场所销售超过保质期的预包装食品。"
    legal_basis = factory.LazyFunction(
        lambda: [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条第一款第（五）项"}]
    )
    registered_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=20))
    case_number = factory.Sequence(lambda n: f"辽市监立字〔2026〕{n + 1:04d}号")

    class Params:
        # A natural person (自然人) as party: the personal data the redaction and masking rules act on.
        person = factory.Trait(
            party_type=PartyType.NATURAL_PERSON,
            party_name="王小明",
            party_uscc="",
            party_legal_rep="",
            party_id_number=PERSON_ID,
            party_phone=PERSON_PHONE,
            party_address="吉林省辽源市龙山区向阳街道人民大街88号3单元502室",
        )
        # Investigation concluded with a proposed fine: the state a review package is submitted from.
        concluded = factory.Trait(
            status=Case.Status.INVESTIGATION_CONCLUDED,
            proposed_measures=factory.LazyFunction(lambda: [{"kind": "fine", "amount": "5000.00"}]),
            proposed_fine_amount=Decimal("5000.00"),
            investigation_concluded_on=factory.LazyFunction(timezone.localdate),
        )
        # A penalty decision (决定) with its number: the state a public notice is drafted from.
        decided = factory.Trait(
            status=Case.Status.DECIDED,
            decision_outcome="penalty",
            decided_on=dt.date(2026, 3, 10),
            decision_number=factory.Sequence(lambda n: f"辽市监罚〔2026〕{n + 1}号"),
            decided_measures=factory.LazyFunction(lambda: [{"kind": "warning"}, {"kind": "fine", "amount": "5000.00"}]),
            fine_amount=Decimal("5000.00"),
            registered_on=factory.LazyAttribute(lambda o: o.decided_on - dt.timedelta(days=30)),
        )

    @factory.post_generation
    def handling_officers(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.handling_officers.set(extracted)
