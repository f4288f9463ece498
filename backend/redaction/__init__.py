"""Privacy redaction of enforcement decisions before publication (DOMAIN.md §6).

Pure Python (no Django). There is no single national redaction standard for published administrative
penalty decisions, so the default policy is the strictest combination of:

* 行政处罚法 第四十八条、第五十条 — decisions are published; state secrets, commercial secrets and personal
  privacy are kept confidential.
* 个人信息保护法 第二十八条 — sensitive personal information (health, a minor's data, financial accounts …).
* 政府信息公开条例 第十五条、第三十七条 — privacy that would harm third parties is not published;
  mixed content is split and redacted ("区分处理").
* 市场监督管理行政处罚信息公示规定 第六条、第七条 — personal information is processed as necessary; apart
  from that the published decision must be identical to the one served (hence every change is a span
  that a reviewer sees on the side-by-side screen).
* 内蒙古自治区三项制度办法 第十条第二款 — remove bank accounts, 动产/不动产权属证书编号, property status,
  and the party's 家庭住址, 身份证号 and 通讯方式.
* 法释〔2016〕19号 第八条至第十条 — names anonymised as surname + "某"; delete 家庭住址、通讯方式、身份证号码、
  银行账号、健康状况、车牌号码、动产或不动产权属证书编号. The 2013 technical rules keep only the
  county/district of a residence.
* DOMAIN.md §6.5 policy table (natural person / 个体工商户 / organisation), configurable per agency.

In a public notice every natural person other than the officers is named by surname + 某 — the party,
relatives, witnesses, customers, employees, the operator of a 个体工商户; organisation data (name, 统一社会
信用代码, registered address, legal representative, licence numbers) stays.

Modules: ``policy`` (vocabulary, policy), ``validators`` (check digits), ``names`` and ``taggers`` (person
names), ``addresses``, ``patterns`` (shaped and contextual data), ``fields`` (structured party data),
``engine`` (``redact_text``), ``parties`` (``redact_party``), ``check`` (the publish-time check).
"""

from backend.redaction.addresses import cut_address_to_district
from backend.redaction.check import Finding, check_fields
from backend.redaction.engine import (
    Candidate,
    Persons,
    RedactionResult,
    RedactionSpan,
    recognise_persons,
    redact_text,
)
from backend.redaction.fields import party_hints, sole_trader_has_trade_name
from backend.redaction.names import COMPOUND_SURNAMES, looks_like_person_name, mask_person_name
from backend.redaction.parties import (
    FieldChange,
    PartyRedaction,
    parse_party_type,
    public_party_name,
    publication_blockers,
    redact_party,
)
from backend.redaction.policy import (
    DEFAULT_POLICY,
    Action,
    Category,
    PartyField,
    PartyType,
    RedactionPolicy,
)
from backend.redaction.validators import (
    birth_date_from_id,
    is_valid_id_number,
    is_valid_uscc,
    luhn_valid,
)

__all__ = [
    "COMPOUND_SURNAMES",
    "DEFAULT_POLICY",
    "Action",
    "Candidate",
    "Category",
    "FieldChange",
    "Finding",
    "PartyField",
    "PartyRedaction",
    "PartyType",
    "Persons",
    "RedactionPolicy",
    "RedactionResult",
    "RedactionSpan",
    "birth_date_from_id",
    "check_fields",
    "cut_address_to_district",
    "is_valid_id_number",
    "is_valid_uscc",
    "looks_like_person_name",
    "luhn_valid",
    "mask_person_name",
    "parse_party_type",
    "party_hints",
    "public_party_name",
    "publication_blockers",
    "recognise_persons",
    "redact_party",
    "redact_text",
    "sole_trader_has_trade_name",
]
