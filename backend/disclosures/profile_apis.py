"""``/api/v1/disclosures/profile/``: the own agency's disclosure profile — read by its staff, changed by its head
(:func:`backend.disclosures.profile.profile_update`, audited)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import IsAgencyHead, IsAgencyStaff
from backend.cases.models import PenaltyKind
from backend.common.errors import Forbidden
from backend.disclosures import profile as profiles
from backend.disclosures.models import AgencyDisclosureProfile
from backend.ledger.services import audit_context_from_request


class DisclosureProfileInputSerializer(serializers.ModelSerializer):
    penalty_deadline_workdays = serializers.IntegerField(min_value=1, max_value=profiles.PENALTY_DEADLINE_MAX,
                                                         label="处罚决定公示期限（工作日）")  # fmt: skip
    other_deadline_workdays = serializers.IntegerField(min_value=1, max_value=profiles.OTHER_DEADLINE_MAX,
                                                       label="其他决定公示期限（工作日）")  # fmt: skip
    due_soon_workdays = serializers.IntegerField(min_value=0, max_value=10, label="临期提醒（工作日）")
    display_months_default = serializers.IntegerField(min_value=1, max_value=120, label="公示期（月）")
    display_months_short = serializers.IntegerField(min_value=1, max_value=120, label="短公示期（月）")
    correction_answer_workdays = serializers.IntegerField(min_value=1, max_value=60, label="更正申请答复期限（工作日）")
    low_fine_threshold = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                                  allow_null=True, label="较低数额罚款上限（元）")  # fmt: skip
    short_display_kinds = serializers.ListField(child=serializers.ChoiceField(choices=PenaltyKind.choices),
                                                required=False, max_length=len(PenaltyKind.choices),
                                                label="适用短公示期的处罚种类")  # fmt: skip

    class Meta:
        model = AgencyDisclosureProfile
        fields = list(profiles.PROFILE_FIELDS)


class DisclosureProfileOutputSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name")

    class Meta:
        model = AgencyDisclosureProfile
        fields = ["agency", "agency_name", *profiles.PROFILE_FIELDS, "updated_at"]


class DisclosureProfileApi(APIView):
    permission_classes = [IsAgencyStaff]

    def get_permissions(self):  # changing it is the head's (the auditor: 403 read_only_role)
        if self.request.method in ("PATCH", "PUT"):
            return [IsAgencyHead()]
        return super().get_permissions()

    def _agency(self, request: Request):
        if request.user.agency_id is None:
            raise Forbidden("未归属执法主体", code="no_agency")
        return request.user.agency

    @extend_schema(
        tags=["disclosures"], responses=DisclosureProfileOutputSerializer, summary="本机关公示设置与机关概况"
    )
    def get(self, request: Request) -> Response:
        return Response(DisclosureProfileOutputSerializer(profiles.profile_get(agency=self._agency(request))).data)

    @extend_schema(tags=["disclosures"], request=DisclosureProfileInputSerializer,
                   responses=DisclosureProfileOutputSerializer, summary="修改本机关公示设置（机关负责人）")  # fmt: skip
    def patch(self, request: Request) -> Response:
        agency = self._agency(request)
        data = DisclosureProfileInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = profiles.profile_update(agency=agency, actor=request.user,
                                          context=audit_context_from_request(request),
                                          **data.validated_data)  # fmt: skip
        return Response(DisclosureProfileOutputSerializer(profile).data)
