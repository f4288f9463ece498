"""Input and output serializers of the supervision API (unique names: drf-spectacular components)."""

from __future__ import annotations

from rest_framework import serializers

from backend.common.fields import ClientDateField
from backend.supervision.models import (
    AnnualReport,
    AnnualReportSubmission,
    CorrectionOrder,
    FaultCase,
    ProcuratorGrant,
    ProcuratorialSuggestion,
)


class SupervisedAgencyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()
    region_name = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    parent_name = serializers.CharField(source="parent.name", allow_null=True, default=None)


class _PersonField(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    name = serializers.CharField(source="__str__")


# --------------------------------------------------------------------------- orders


class OrderFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CorrectionOrder.Status.choices, required=False)
    agency = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class OrderIssueInputSerializer(serializers.Serializer):
    agency = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="被监督的执法主体")
    kind = serializers.ChoiceField(choices=CorrectionOrder.Kind.choices)
    case = serializers.UUIDField(required=False, allow_null=True, help_text="针对的案件（针对执法行为时可空）")
    subject = serializers.CharField(max_length=200)
    findings = serializers.CharField(max_length=5000)
    requirement = serializers.CharField(max_length=5000)
    legal_basis = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    deadline = ClientDateField(help_text="整改期限（须晚于今天）")


class OrderAnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000, help_text="整改情况")


class OrderReviewInputSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true 办结；false 退回重新整改")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    new_deadline = ClientDateField(required=False, allow_null=True, default=None)


class OrderOutputSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name")
    issuing_agency_name = serializers.CharField(source="issuing_agency.name")
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    case_number = serializers.CharField(source="case.case_number", allow_null=True, default=None)
    issued_by = _PersonField()
    answered_by = _PersonField(allow_null=True)

    class Meta:
        model = CorrectionOrder
        fields = [
            "id", "number", "kind", "kind_label", "status", "status_label", "issuing_agency", "issuing_agency_name",
            "agency", "agency_name", "case", "case_number", "subject", "findings", "requirement", "legal_basis",
            "deadline", "issued_by", "issued_at", "answer", "answered_by", "answered_at", "answered_late",
            "escalated_at", "closed_at", "close_note", "rejections",
        ]  # fmt: skip


# --------------------------------------------------------------------------- fault cases


class ChainActSerializer(serializers.Serializer):
    event_id = serializers.IntegerField()
    seq = serializers.IntegerField(allow_null=True)
    hash = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    transition = serializers.CharField(required=False)
    outcome = serializers.CharField(required=False, allow_null=True)
    opinion_number = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    opinion_sha256 = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    held_on = serializers.CharField(required=False, allow_null=True)
    conclusion = serializers.CharField(required=False, allow_null=True)
    chair = serializers.BooleanField(required=False)


class ChainPersonSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["handling_officer", "legal_reviewer", "head", "collective_discussion"])
    role_label = serializers.CharField()
    user_id = serializers.CharField()
    name = serializers.CharField()
    acts = ChainActSerializer(many=True)


class ResponsibleChainOutputSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    case_number = serializers.CharField()
    decision_number = serializers.CharField()
    decision_state = serializers.CharField()
    chain = ChainPersonSerializer(many=True)


class FaultOpenInputSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    reason = serializers.CharField(max_length=2000)


class ResponsiblePersonInputSerializer(serializers.Serializer):
    user_id = serializers.UUIDField()
    responsibility = serializers.CharField(max_length=1000, help_text="过错情形与责任")
    measure = serializers.CharField(
        max_length=200, help_text="追究方式：批评教育、责令书面检查、通报批评、暂扣执法证……"
    )


class FaultDecideInputSerializer(serializers.Serializer):
    finding = serializers.ChoiceField(choices=FaultCase.Finding.choices)
    reasoning = serializers.CharField(max_length=5000)
    responsible = ResponsiblePersonInputSerializer(many=True, required=False, default=list)


class FaultCloseInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class ResponsiblePersonOutputSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    responsibility = serializers.CharField()
    measure = serializers.CharField()


class FaultOutputSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.case_number")
    decision_number = serializers.CharField(source="case.decision_number")
    agency_name = serializers.CharField(source="agency.name")
    status_label = serializers.CharField(source="get_status_display")
    chain = ChainPersonSerializer(many=True)
    responsible = ResponsiblePersonOutputSerializer(many=True)

    class Meta:
        model = FaultCase
        fields = [
            "id", "agency", "agency_name", "case", "case_number", "decision_number", "correction_id",
            "trigger_kind", "trigger_by", "trigger_reason", "status", "status_label", "chain", "opened_at",
            "finding", "reasoning", "responsible", "decided_at", "closed_at", "close_note",
        ]  # fmt: skip


# --------------------------------------------------------------------------- procuratorate


class GrantCreateInputSerializer(serializers.Serializer):
    grantee = serializers.UUIDField(help_text="检察机关人员的用户 id")
    procuratorate = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=300)
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    cases = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=100)
    days = serializers.IntegerField(min_value=1, max_value=3650)


class GrantRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class GrantOutputSerializer(serializers.ModelSerializer):
    grantee = _PersonField()
    granted_by = _PersonField()
    state = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField()

    class Meta:
        model = ProcuratorGrant
        fields = [
            "id",
            "agency",
            "grantee",
            "procuratorate",
            "purpose",
            "reference",
            "cases",
            "granted_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "revoke_reason",
            "state",
        ]

    def get_state(self, grant: ProcuratorGrant) -> str:
        from django.utils import timezone

        return grant.state(timezone.now())

    def get_cases(self, grant: ProcuratorGrant) -> list[dict[str, str]]:
        return [{"id": str(c.pk), "case_number": c.case_number, "title": c.title} for c in grant.cases.all()]


class SuggestionFileInputSerializer(serializers.Serializer):
    grant = serializers.UUIDField()
    case = serializers.UUIDField()
    number = serializers.CharField(max_length=128, help_text="检察建议书文号")
    content = serializers.CharField(max_length=10000)


class SuggestionAnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=10000)


class SuggestionOutputSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.case_number", allow_null=True, default=None)
    agency_name = serializers.CharField(source="agency.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = ProcuratorialSuggestion
        fields = [
            "id",
            "agency",
            "agency_name",
            "grant",
            "case",
            "case_number",
            "procuratorate",
            "number",
            "content",
            "filed_at",
            "answer_due",
            "status",
            "status_label",
            "answer",
            "answered_at",
            "answered_late",
        ]


# --------------------------------------------------------------------------- 案卷评查


class StandardItemSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    label = serializers.CharField(max_length=50)  # type: ignore[assignment]  # a field named label (DRF)
    max_score = serializers.IntegerField(min_value=1, max_value=100)


class StandardCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    items = StandardItemSerializer(many=True, required=False, help_text="省略时为默认九项：主体合法、事实清楚……")


class StandardOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    issuing_agency = serializers.IntegerField(source="issuing_agency_id")
    version = serializers.IntegerField()
    title = serializers.CharField()
    items = StandardItemSerializer(many=True)
    created_at = serializers.DateTimeField()


class SampleDrawInputSerializer(serializers.Serializer):
    agency = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    year = serializers.IntegerField(min_value=2000, max_value=2199)
    size = serializers.IntegerField(min_value=1, max_value=500)
    stratify_by = serializers.ListField(
        child=serializers.ChoiceField(choices=["category", "procedure", "decision_outcome"]),
        required=False,
        default=list,
    )
    seed = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="重放一次抽样时给出原种子"
    )


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named label (DRF)
    item = serializers.CharField()
    found = serializers.BooleanField()
    detail = serializers.ListField(child=serializers.CharField())


class SampledCaseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case_number = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    procedure = serializers.CharField()
    decision_outcome = serializers.CharField()
    checks = CheckSerializer(many=True)


class SampleOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    year = serializers.IntegerField()
    seed = serializers.CharField()
    size = serializers.IntegerField()
    stratify_by = serializers.ListField(child=serializers.CharField())
    strata = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    case_ids = serializers.ListField(child=serializers.UUIDField())
    created_at = serializers.DateTimeField()


class SampleDetailOutputSerializer(SampleOutputSerializer):
    cases = SampledCaseSerializer(many=True)


class EvaluationItemInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0)
    finding = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EvaluationSubmitInputSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    standard = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    items = serializers.ListField(child=EvaluationItemInputSerializer(), min_length=1)


class EvaluationItemOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named label (DRF)
    max_score = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    finding = serializers.CharField(allow_blank=True)


class EvaluationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sample = serializers.UUIDField(source="sample_id")
    case = serializers.UUIDField(source="case_id")
    standard = serializers.IntegerField(source="standard_id")
    standard_version = serializers.IntegerField(source="standard.version")
    evaluator = _PersonField()
    items = EvaluationItemOutputSerializer(many=True)
    total = serializers.DecimalField(max_digits=6, decimal_places=1)
    max_total = serializers.IntegerField()
    checks = CheckSerializer(many=True)
    created_at = serializers.DateTimeField()


# --------------------------------------------------------------------------- 评议考核


class IndicatorRankingFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2199)
    by = serializers.ChoiceField(
        choices=[
            "decisions_on_time", "notices_on_time", "review_pass_rate", "decisions_changed", "overdue_deadlines",
            "recording_gaps", "corrections_answered",
        ],
        required=False,
        help_text="按单项指标排名（缺省：综合得分）",
    )  # fmt: skip


class IndicatorYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2199)


class IndicatorAgencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField(required=False)


class IndicatorFigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named label (DRF)
    better = serializers.ChoiceField(choices=["higher", "lower"], help_text="比率高为好还是低为好")
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True, help_text="百分比；无样本时为空")


class IndicatorItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["case", "notice", "review_round", "deadline", "correction", "order", "suggestion"]
    )
    id = serializers.CharField()
    case_id = serializers.UUIDField(allow_null=True)
    case_number = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    meets = serializers.BooleanField(help_text="计入分子（符合该指标所计的情形）")
    detail = serializers.CharField()


class AgencyIndicatorsOutputSerializer(serializers.Serializer):
    agency = IndicatorAgencySerializer()
    year = serializers.IntegerField()
    complete = serializers.BooleanField(help_text="该年度已结束（数据不再增加）")
    score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, help_text="综合得分（0–100）")
    indicators = IndicatorFigureSerializer(many=True)


class RankedIndicatorsOutputSerializer(AgencyIndicatorsOutputSerializer):
    rank = serializers.IntegerField(allow_null=True)


class IndicatorDetailOutputSerializer(IndicatorFigureSerializer):
    agency = IndicatorAgencySerializer()
    year = serializers.IntegerField()
    items = IndicatorItemSerializer(many=True)


# --------------------------------------------------------------------------- 年度行政执法数据


class AnnualReportPublishInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2199)
    correction_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="更正已公开的年度数据时必填"
    )


class AnnualReportSubmitInputSerializer(serializers.Serializer):
    recipient_kind = serializers.ChoiceField(choices=AnnualReportSubmission.Recipient.choices)
    recipient_name = serializers.CharField(max_length=200)
    submitted_on = ClientDateField()


class AnnualReportSubmissionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualReportSubmission
        fields = ["recipient_kind", "recipient_name", "submitted_on", "recorded_at"]


class AnnualReportOutputSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name")
    agency_uscc = serializers.CharField(source="agency.uscc")
    supersedes_version = serializers.IntegerField(source="supersedes.version", allow_null=True, default=None)
    sealed = serializers.SerializerMethodField()
    submissions = AnnualReportSubmissionOutputSerializer(many=True)

    class Meta:
        model = AnnualReport
        fields = [
            "id", "agency", "agency_name", "agency_uscc", "year", "version", "supersedes_version",
            "correction_reason", "sha256", "published_at", "published_late", "log_index", "sealed", "submissions",
        ]  # fmt: skip

    def get_sealed(self, obj: AnnualReport) -> bool:
        return obj.checkpoint_id is not None


class PublicAnnualReportVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    sha256 = serializers.CharField()
    published_at = serializers.DateTimeField()
    published_late = serializers.BooleanField()
    correction_reason = serializers.CharField(allow_blank=True)
    log_index = serializers.IntegerField(allow_null=True)
    bundle = serializers.CharField(help_text="可离线核验的证据包下载地址")


class PublicAnnualReportOutputSerializer(serializers.Serializer):
    agency_name = serializers.CharField()
    agency_uscc = serializers.CharField()
    year = serializers.IntegerField()
    deadline = serializers.DateField(help_text="应于该日前公开（次年1月31日）")
    current = serializers.DictField(help_text="最新版本的年度数据（冻结的 JSON 原文）")
    versions = PublicAnnualReportVersionSerializer(many=True)
    submissions = AnnualReportSubmissionOutputSerializer(many=True)
