"""URLconf for bench/bench_ledger_writes.py and bench/bench_case_list.py: the real site plus what they measure
beside it in the same run.

* ``/bench/plain/``: a plain ``JsonResponse`` (no database), the ceiling of the stack and the readiness probe;
* ``/bench/ledger/write/<case id>/`` (POST): one request-like write — lock the case row, bump its version,
  ``audit_record`` the change — in one transaction, as every case service does (no authentication, so the
  figure is the write path, not the JWT check);
* ``/bench/cases/drf/``: a bare DRF ``ListAPIView`` + ``ModelSerializer`` over the same cases (one agency, the
  same columns, cursor pagination on the same ordering and page size), no permission or throttle checks: the
  baseline of ``GET /api/v1/cases/``.
"""

from django.db import transaction
from django.db.models import F
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny

from backend.cases.models import Case
from backend.ledger.services import audit_context_from_request, audit_record


def plain(request):
    return JsonResponse({"ok": True})


@csrf_exempt
def ledger_write(request, case_id):
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
        event = audit_record(
            action="case.updated",
            target=case,
            case_id=case.id,
            context=audit_context_from_request(request),
            data={"changed": {"title": [case.title, case.title]}, "version": case.version + 1},
        )
    return JsonResponse({"id": event.id, "seq": event.seq})


class BareCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = (
            "id",
            "case_number",
            "title",
            "procedure",
            "category",
            "status",
            "party_type",
            "party_name",
            "handling_officers",
            "registered_on",
            "decided_on",
            "decision_number",
            "is_major",
            "missing_recordings",
            "version",
            "created_at",
            "updated_at",
        )


class BarePagination(CursorPagination):
    ordering = ("-created_at", "id")
    page_size = 50  # as backend.common.pagination.DefaultCursorPagination


class BareCaseList(generics.ListAPIView):
    serializer_class = BareCaseSerializer
    pagination_class = BarePagination
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    def get_queryset(self):
        return Case.objects.filter(agency_id=int(self.request.GET["agency"])).prefetch_related("handling_officers")


urlpatterns = [
    path("bench/plain/", plain),
    path("bench/ledger/write/<uuid:case_id>/", ledger_write),
    path("bench/cases/drf/", BareCaseList.as_view()),
    path("", include("backend.config.urls")),
]
