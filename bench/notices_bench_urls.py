"""URLconf for bench/bench_notices.py: the real site plus the two baselines measured in the same run.

* ``/bench/drf/``: a bare DRF ``ListAPIView`` with a ``ModelSerializer`` over the same table, the same
  columns, the same visibility filter, cursor pagination on the same index, and no throttling at all
  (the public API does throttle, so the comparison is stricter than like-for-like).
* ``/bench/plain/``: a plain Django ``JsonResponse`` (no database): the ceiling of the stack.
"""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny

from backend.disclosures.models import Notice
from backend.disclosures.selectors import PUBLIC_LIST_FIELDS


class BareNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = [f for f in PUBLIC_LIST_FIELDS if f != "agency_id"] + ["agency"]


class BarePagination(CursorPagination):
    ordering = "-public_seq"
    page_size = 20


class BareNoticeList(generics.ListAPIView):
    queryset = Notice.objects.filter(listed=True)
    serializer_class = BareNoticeSerializer
    pagination_class = BarePagination
    permission_classes = [AllowAny]
    # No throttles: DRF's default ones keep every request time of the window (O(rate) per request, and the
    # 'user' scope also limits anonymous clients), which would make the baseline look worse than "bare".
    throttle_classes: list = []


def plain(request):
    return JsonResponse({"status": "ok", "results": []})


urlpatterns = [
    path("bench/drf/", BareNoticeList.as_view()),
    path("bench/plain/", plain),
    path("", include("backend.config.urls")),
]
