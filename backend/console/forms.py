"""HTML forms drawn from the API's own input serializers, and validated by them.

The console never declares its own form fields for an action the API has: it renders the fields of the
API's input serializer (the same defaults, choices and limits) and validates the posted form with that
serializer, so a value the API refuses is refused here with the same message. Only the labels are the
console's (the serializers speak to developers, the console to staff).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from rest_framework import serializers

from backend.common.errors import ApplicationError

# Fields every case step accepts but that only a field device fills (where and when it happened).
DEVICE_FIELDS = frozenset({"latitude", "longitude", "performed_at"})

LABELS: dict[str, str] = {
    "comment": "说明",
    "reason": "理由",
    "kind": "类别",
    "officer_ids": "承办人员",
    "registered_on": "立案日期",
    "serious_harm": "造成严重危害后果",
    "opinion": "意见",
    "report": "调查终结报告",
    "facts": "违法事实",
    "served_on": "送达日期",
    "requested_on": "申请日期",
    "hearing_date": "听证日期",
    "chair_id": "主持人",
    "place": "地点",
    "held_on": "举行日期",
    "defence_adoption": "陈述申辩采纳情况",
    "outcome": "结论",
    "receiver": "移送接收机关",
    "method": "送达方式",
    "electronic_consent": "当事人同意电子送达",
    "recipient": "受送达人",
    "retention_years": "保管期限（年）",
    "filed_on": "备案日期",
    "discretion": "裁量基准适用及理由",
    "investigation_report": "调查终结报告",
    "hearing_record": "听证笔录",
    "opinion_text": "审核意见及理由",
    "conclusion": "讨论结论",
    "discussion": "讨论情况",
    "recorder": "记录人",
    "participant_ids": "参加人员",
    "other_participants": "系统外参加人员",
    "note": "备注",
    "triggered_on": "决定被变更或撤销之日",
    "approve": "批准",
    "accept": "予以更正",
    "answer": "答复",
    "reviewer_id": "审核人员",
    "items": "需补充的材料",
    "code": "编码",
    "description": "公开表述",
    "order": "顺序",
    "party_types": "适用当事人类别",
    "amount": "数额标准（元）",
    "inclusive": "含本数（以上）",
    "measures": "处罚种类",
    "flag": "情形",
    "law_name": "法律法规名称",
    "title": "名称",
    "basis": "依据",
    "copy_from_id": "以该版本为起点",
    "effective_from": "施行日期",
    "document_number": "发文字号",
    "activity": "执法环节",
    "level": "要求",
    "retention": "保存期限",
    "response": "补充情况",
    "purpose": "调阅用途",
    # accounts
    "username": "用户名",
    "full_name": "姓名",
    "password": "初始密码",
    "roles": "角色",
    "role": "角色",
    "agency_id": "执法主体",
    "legal_qualification_no": "法律职业资格证书编号",
    # disclosure profile (公示设置与机关概况)
    "procedures": "执法程序",
    "remedies": "救济渠道",
    "service_guide": "服务指南/执法流程",
    "random_inspection_items": "随机抽查事项清单",
    "supervision_contact": "监督投诉电话",
    "penalty_deadline_workdays": "处罚决定公示期限（工作日）",
    "other_deadline_workdays": "其他决定公示期限（工作日）",
    "due_soon_workdays": "临期提醒（提前工作日）",
    "publish_warning_only": "公示仅警告的处罚",
    "display_months_default": "公示期（月）",
    "display_months_short": "短公示期（月）",
    "low_fine_threshold": "较低数额罚款上限（元）",
    "short_display_kinds": "适用短公示期的处罚种类",
    "correction_answer_workdays": "更正申请答复期限（工作日）",
    # holiday notice import
    "text": "通知全文",
    "year": "年份",
    "source": "文号/来源",
}

TEXTAREA_FIELDS = frozenset(
    {"procedures", "remedies", "service_guide", "random_inspection_items", "text",
     "comment", "reason", "report", "facts", "opinion", "discretion", "investigation_report", "hearing_record",
     "opinion_text", "conclusion", "discussion", "note", "answer", "items", "response", "defence_adoption"}
)  # fmt: skip


@dataclass
class FormField:
    name: str
    label: str
    widget: str  # text | password | textarea | date | checkbox | select | select_multiple | number | decimal
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    help_text: str = ""
    initial: Any = ""


@dataclass
class SerializerForm:
    fields: list[FormField]
    unsupported_required: list[str]  # required fields an HTML form cannot carry (nested data)

    @property
    def usable(self) -> bool:
        return not self.unsupported_required


# Labels for choices whose serializer lists bare codes (the reviews catalog's kinds, party types, flags).
CHOICE_LABELS: dict[str, str] = {"legal_review": "法制审核", "case_review": "案件审核"}


def _choice_labels() -> dict[str, str]:
    from backend.reviews import major

    labels = {**major.RULE_KIND_LABELS, **major.PARTY_TYPE_LABELS, **major.FLAG_LABELS}
    return {**{str(k): str(v) for k, v in labels.items()}, **CHOICE_LABELS}


def _choices(f: serializers.Field, people: list[tuple[str, str]] | None) -> list[tuple[str, str]]:
    if isinstance(f, serializers.ChoiceField):
        labels = _choice_labels()
        return [(str(k), labels.get(str(k), str(v)) if str(k) == str(v) else str(v)) for k, v in f.choices.items()]
    return list(people or [])


def form_for(serializer_class: type[serializers.Serializer], *, people: list[tuple[str, str]] | None = None,
             skip: frozenset[str] = DEVICE_FIELDS) -> SerializerForm:  # fmt: skip
    """The HTML fields of ``serializer_class`` (``people``: the choices of user-id fields)."""
    out: list[FormField] = []
    unsupported: list[str] = []
    for name, f in serializer_class().fields.items():
        if name in skip or f.read_only:
            continue
        label = LABELS.get(name, name)
        initial = f.default if f.default is not serializers.empty and not callable(f.default) else ""
        common = {"name": name, "label": label, "required": f.required, "help_text": str(f.help_text or "")}
        if isinstance(f, serializers.BooleanField):
            out.append(FormField(widget="checkbox", initial=bool(initial), **common))
        elif isinstance(f, serializers.ChoiceField):
            out.append(FormField(widget="select", choices=_choices(f, None), initial=initial or "", **common))
        elif isinstance(f, serializers.UUIDField):
            out.append(FormField(widget="select", choices=_choices(f, people), **common))
        elif isinstance(f, serializers.ListField) and isinstance(f.child, serializers.UUIDField):
            out.append(FormField(widget="select_multiple", choices=_choices(f, people), **common))
        elif isinstance(f, serializers.ListField) and isinstance(f.child, serializers.ChoiceField):
            out.append(FormField(widget="select_multiple", choices=_choices(f.child, None), **common))
        elif isinstance(f, serializers.ListField) and isinstance(f.child, serializers.CharField):
            common["help_text"] = common["help_text"] or "多项以逗号分隔"
            out.append(FormField(widget="text", **common))
        elif isinstance(f, serializers.DecimalField):
            out.append(FormField(widget="decimal", initial=initial if initial is not None else "", **common))
        elif isinstance(f, serializers.DateField):
            out.append(FormField(widget="date", **common))
        elif isinstance(f, serializers.IntegerField):
            out.append(FormField(widget="number", initial=initial if initial is not None else "", **common))
        elif isinstance(f, serializers.CharField):
            widget = "textarea" if name in TEXTAREA_FIELDS else "text"
            if (f.style or {}).get("input_type") == "password":
                widget = "password"
            out.append(FormField(widget=widget, initial=initial or "", **common))
        elif f.required:
            unsupported.append(name)
    return SerializerForm(out, unsupported)


def form_data(serializer_class: type[serializers.Serializer], post: QueryDict) -> dict[str, Any]:
    """The posted form as the JSON body the API would receive (blank optional fields left out)."""
    data: dict[str, Any] = {}
    for name, f in serializer_class().fields.items():
        if isinstance(f, serializers.BooleanField):
            data[name] = post.get(name) in ("on", "true", "1")
        elif isinstance(f, serializers.ListField):
            values = [v.strip() for v in post.getlist(name) if v.strip()]
            if isinstance(f.child, serializers.CharField) and not isinstance(f.child, serializers.ChoiceField):
                values = [part for v in values for part in re.split(r"[,，、\s]+", v) if part]
            if values or f.required:
                data[name] = values
        elif name in post and (post[name].strip() or f.required):
            data[name] = post[name]
    return data


def validated(serializer_class: type[serializers.Serializer], post: QueryDict) -> dict[str, Any]:
    """Validate the form with the API's serializer; a refusal is the API's 400 ``invalid``."""
    return validated_body(serializer_class, form_data(serializer_class, post))


def validated_body(serializer_class: type[serializers.Serializer], body: dict[str, Any]) -> dict[str, Any]:
    """Validate a body built from a form with the API's serializer (same messages, same limits)."""
    serializer = serializer_class(data=body)
    if not serializer.is_valid():
        fields = {LABELS.get(k, k): [str(m) for m in v] if isinstance(v, list) else [str(v)]
                  for k, v in serializer.errors.items()}  # fmt: skip
        raise ApplicationError("invalid", "请求数据无效：" + "；".join(
            f"{k}：{'，'.join(v)}" for k, v in fields.items()), status=400, fields=fields)  # fmt: skip
    return dict(serializer.validated_data)
