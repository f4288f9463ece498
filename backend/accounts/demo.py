"""Demo agencies and people (embedded default only; see ``manage.py seed_demo``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from backend.accounts.models import Agency, OfficerCredential, Role, User, UserRole

DEMO_PASSWORD = "enforce-demo-2026"

AGENCIES = [
    {
        # The supervising body of the two enforcement agencies below (Agency.parent): its 执法监督人员 read their
        # records and run 案卷评查, 责令纠正 and 评议考核 (backend/supervision).
        "key": "justice",
        "name": "辽源市司法局",
        "uscc": "11220400MB0000010A",
        "region_code": "220400",
        "region_name": "吉林省辽源市",
        "region_bbox": [124.6, 42.5, 126.0, 43.3],
        "enforcement_categories": ["行政执法监督"],
        "legal_basis": "《吉林省行政执法监督条例》",
        "duties": "负责本级人民政府行政执法监督工作，组织案卷评查和行政执法评议考核。",
        "contact": "0437-3221148",
        "address": "吉林省辽源市龙山区",
    },
    {
        "key": "market",
        "parent": "justice",
        "name": "辽源市市场监督管理局",
        "uscc": "11220400MB1234567X",
        "region_code": "220400",
        "region_name": "吉林省辽源市",
        "region_bbox": [124.6, 42.5, 126.0, 43.3],
        "enforcement_categories": ["市场监管", "食品安全", "价格监督", "知识产权"],
        "legal_basis": "《中华人民共和国行政处罚法》《市场监督管理行政处罚程序规定》（国家市场监督管理总局令第2号）",
        "duties": "负责辖区内市场综合监督管理，统一登记市场主体，组织市场监管综合执法。",
        "contact": "0437-3212315",
        "address": "吉林省辽源市龙山区人民大街",
    },
    {
        "key": "urban",
        "parent": "justice",
        "name": "辽源市城市管理综合执法局",
        "uscc": "11220400MB7654321Y",
        "region_code": "220400",
        "region_name": "吉林省辽源市",
        "region_bbox": [124.6, 42.5, 126.0, 43.3],
        "enforcement_categories": ["城市管理", "市容环境", "园林绿化"],
        "legal_basis": "《中华人民共和国行政处罚法》《城市管理执法办法》（住房和城乡建设部令第34号）",
        "duties": "负责城市管理领域相对集中行政处罚权的行使。",
        "contact": "0437-12319",
        "address": "吉林省辽源市西安区",
    },
]

PEOPLE = [
    ("officer1", "张伟", "market", [Role.FIELD_OFFICER], "22040020260001"),
    ("officer2", "李娜", "market", [Role.FIELD_OFFICER], "22040020260002"),
    ("officer3", "王强", "urban", [Role.FIELD_OFFICER], "22040020260003"),
    ("reviewer1", "赵敏", "market", [Role.LEGAL_REVIEWER], None),
    ("head1", "刘建国", "market", [Role.AGENCY_HEAD], None),
    ("discloser1", "陈静", "market", [Role.DISCLOSURE_MANAGER], None),
    ("auditor1", "孙立", "market", [Role.AUDITOR], None),
    ("supervisor1", "高秀兰", "justice", [Role.SUPERVISOR], None),
    ("procurator1", "林海", None, [Role.PROCURATOR], None),  # reads only the cases an agency grants it
    ("admin", "系统管理员", None, [Role.SYSTEM_ADMIN], None),
]


def seed_demo_data(state: dict[str, Any]) -> None:
    agencies: dict[str, Agency] = {}
    for spec in AGENCIES:
        fields: dict[str, Any] = {k: v for k, v in spec.items() if k not in {"key", "uscc", "parent"}}
        fields["parent"] = agencies[str(spec["parent"])] if "parent" in spec else None
        agency, _ = Agency.objects.update_or_create(uscc=spec["uscc"], defaults=fields)
        agencies[str(spec["key"])] = agency
    today = timezone.localdate()
    users: dict[str, User] = {}
    for username, full_name, agency_key, roles, credential_no in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        user.full_name = full_name
        user.agency = agencies.get(agency_key) if agency_key else None
        user.demo_account = True
        user.is_staff = Role.SYSTEM_ADMIN in roles
        user.is_superuser = Role.SYSTEM_ADMIN in roles
        if username == "reviewer1":
            user.legal_qualification_no = "A20182200000001"
        user.save()
        for role in roles:
            UserRole.objects.get_or_create(user=user, role=role)
        if credential_no:
            OfficerCredential.objects.update_or_create(
                number=credential_no,
                defaults={
                    "user": user,
                    "category": "市场监管综合执法" if agency_key == "market" else "城市管理综合执法",
                    "scope": "辽源市",
                    "issuer": "吉林省人民政府",
                    "issued_on": today - datetime.timedelta(days=365),
                    "valid_until": today + datetime.timedelta(days=365 * 3),
                    "status": OfficerCredential.Status.ACTIVE,
                },
            )
        users[username] = user
    state["agencies"] = agencies
    state["users"] = users
