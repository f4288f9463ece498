"""The directory: colleagues of the agency with their roles and 执法证 state (the API's ``/api/v1/users/``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backend.accounts import selectors
from backend.accounts.models import Role
from backend.accounts.permissions import IsAgencyStaff
from backend.accounts.serializers import DirectoryEntryOutputSerializer, DirectoryFilterSerializer
from backend.console.security import console_view
from backend.console.selectors import CREDENTIAL_LABELS


@console_view(IsAgencyStaff)
def directory(request: HttpRequest) -> HttpResponse:
    filters = DirectoryFilterSerializer(data={k: v for k, v in request.GET.items() if v})
    values = dict(filters.validated_data) if filters.is_valid() else {}
    qs = selectors.user_directory(user=request.user, role=values.get("role"), search=values.get("q", ""),
                                  credential=values.get("credential"))  # fmt: skip
    people = DirectoryEntryOutputSerializer(qs[:500], many=True).data
    labels = dict(Role.choices)
    for person in people:
        person["role_labels"] = [str(labels.get(r, r)) for r in person["roles"]]
        person["credential_label"] = CREDENTIAL_LABELS.get(person["credential_status"], person["credential_status"])
    context = {"title": "人员名录", "people": people, "roles": Role.choices, "filters": request.GET,
               "errors": filters.errors if not filters.is_valid() else {}}  # fmt: skip
    return render(request, "console/directory.html", context)
