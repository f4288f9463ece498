import json
import pytest
from rest_framework.test import APIClient
from support import client_for

pytestmark = pytest.mark.django_db

def c(user=None):
    cl = client_for(user)
    cl.raise_request_exception = False
    return cl

def test_probe(officer_a, auditor_a):
    anon = c()
    deep = "[" * 100000 + "]" * 100000
    out = []
    r = anon.post("/api/v1/auth/token/", deep, content_type="application/json"); out.append(("deep login", r.status_code))
    r = anon.post("/api/v1/auth/token/", "x" * (3 * 1024 * 1024), content_type="application/json"); out.append(("big login", r.status_code, r.content[:100]))
    r = anon.get("/api/v1/public/notices/?page_size=³"); out.append(("page_size", r.status_code))
    r = anon.get("/api/v1/public/notices/?before=³"); out.append(("before", r.status_code))
    r = anon.get("/api/v1/public/notices/?cursor=a³"); out.append(("cursor", r.status_code))
    r = anon.get("/api/v1/public/agencies/³/"); out.append(("agency", r.status_code))
    r = anon.get("/statistics/³/2024/"); out.append(("statpage", r.status_code))
    r = anon.get("/notices/?year=³"); out.append(("noticespage", r.status_code))
    r = anon.get("/notices/?agency=³"); out.append(("noticespage ag", r.status_code))
    r = anon.get("/api/v1/public/notices/?agency=³"); out.append(("notices ag", r.status_code))
    r = anon.get("/api/v1/public/statistics/?year=³"); out.append(("stats", r.status_code))
    o = c(officer_a)
    r = o.get("/api/v1/cases/?updated_since=0000-01-01T00:00:00"); out.append(("since0", r.status_code))
    r = o.get("/api/v1/cases/?updated_since=9999-12-31T23:59:59%2B14:00"); out.append(("since9999", r.status_code))
    r = o.get("/api/v1/cases/?updated_since=0001-01-01T00:00:00-14:00"); out.append(("since1", r.status_code))
    r = o.post("/api/v1/uploads/", HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="³"); out.append(("tus len", r.status_code))
    print(out)
