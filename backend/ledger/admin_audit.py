"""Every change made in the Django admin goes into the audit trail, in the transaction of the change.

Users, roles, 执法证, agencies, devices, holiday tables and agency parameters are edited in the admin;
those edits bypassed the services and so the ledger. :class:`AuditedModelAdmin` is the base of every
``ModelAdmin`` we register (tests/ledger/test_admin_audit.py checks the registry): it records

- ``admin.added`` — the new object's fields;
- ``admin.changed`` — each changed field with its old and new value (many-to-many fields as id lists);
- ``admin.deleted`` — the object's last fields and what the deletion cascaded to (counts per model);

for the object of the page, for each inline row added, changed or deleted on it (``data.parent`` names
the page's object), for list-editable rows and for the bulk "delete selected" action. Secrets are never
written: a password hash (or a token) appears only as ``{"changed": true}``. Django's own admin views
already run in a transaction (``changeform_view``, ``delete_view``, list editing); the bulk delete is
wrapped here. Custom admin actions or views must call :func:`admin_audit_record` themselves.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import admin
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.http import HttpRequest

from backend.ledger.services import audit_context_from_request, audit_record

# Never written to the trail by value, whatever the model (a ModelAdmin adds its own: audit_secret_fields).
SECRET_FIELDS = frozenset({"password"})
_PENDING = "_admin_audit_inline_events"


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's stored values: concrete fields (foreign keys as ids) and many-to-many id lists."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            continue  # updated_at: bookkeeping, the event has its own time
        values[field.name] = field.value_from_object(obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def _stored(obj: models.Model) -> dict[str, Any] | None:
    if obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(stored) if stored is not None else None


def _public(values: dict[str, Any], secret: frozenset[str]) -> dict[str, Any]:
    return {name: ({"set": bool(value)} if name in SECRET_FIELDS or name in secret else value)
            for name, value in values.items()}  # fmt: skip


def _changes(before: dict[str, Any], after: dict[str, Any], secret: frozenset[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in after:
        if before.get(name) == after[name]:
            continue
        if name in SECRET_FIELDS or name in secret:
            changes[name] = {"changed": True}
        else:
            changes[name] = {"old": before.get(name), "new": after[name]}
    return changes


def _cascade(obj: models.Model) -> dict[str, int]:
    """What deleting ``obj`` also deletes, as counts per model (the confirmation page lists the same)."""
    collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
    collector.collect([obj])
    counts: Counter[str] = Counter()
    for model, instances in collector.data.items():
        counts[model._meta.label_lower] += len(instances)
    for queryset in collector.fast_deletes:
        counts[queryset.model._meta.label_lower] += queryset.count()
    counts[obj._meta.label_lower] -= 1
    return {label: n for label, n in sorted(counts.items()) if n}


def admin_audit_record(
    request: HttpRequest,
    *,
    action: str,
    obj: models.Model,
    data: dict[str, Any],
    target_id: str | None = None,
) -> None:
    """Write one admin event (``admin.added|changed|deleted`` or a custom ``admin.<verb>``) for ``obj``."""
    audit_record(
        action=action,
        target=obj if target_id is None else None,
        target_type=obj._meta.label_lower,
        target_id=target_id or "",
        agency_id=getattr(obj, "agency_id", None),
        context=audit_context_from_request(request),
        data={"via": "admin", "model": obj._meta.label_lower, "object": str(obj)[:200], **data},
    )


class AuditedModelAdmin(admin.ModelAdmin):
    """Base of every registered ModelAdmin: adds, changes and deletions are written to the audit trail."""

    # Fields of this model to record only as changed/set, never by value (beyond SECRET_FIELDS).
    audit_secret_fields: tuple[str, ...] = ()

    def _secret_fields(self) -> frozenset[str]:
        return frozenset(self.audit_secret_fields)

    # --------------------------------------------------------------- add / change (the page's object)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj._admin_audit_before = _stored(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        setattr(request, _PENDING, [])
        super().save_related(request, form, formsets, change)  # many-to-many fields and inline rows
        obj = form.instance
        before = getattr(obj, "_admin_audit_before", None)
        after = snapshot(obj)
        secret = self._secret_fields()
        if before is None:
            admin_audit_record(request, action="admin.added", obj=obj, data={"fields": _public(after, secret)})
        else:
            changes = _changes(before, after, secret)
            if changes:
                admin_audit_record(request, action="admin.changed", obj=obj, data={"changes": changes})
        parent = f"{obj._meta.label_lower}:{obj.pk}"
        for action, row, data, target_id in getattr(request, _PENDING):
            admin_audit_record(request, action=action, obj=row, data={**data, "parent": parent}, target_id=target_id)
        setattr(request, _PENDING, [])

    # --------------------------------------------------------------- inline rows

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        existing = [f.instance for f in formset.initial_forms if f.instance.pk is not None]
        model = formset.model
        stored = {o.pk: snapshot(o) for o in model._default_manager.filter(pk__in=[o.pk for o in existing])}
        pks = {id(o): o.pk for o in existing}
        super().save_formset(request, form, formset, change)
        pending = getattr(request, _PENDING, None)
        if pending is None:  # called outside save_related (a custom view): record straight away
            pending = []
            setattr(request, _PENDING, pending)
        secret = self._secret_fields()
        for row in formset.new_objects:
            pending.append(("admin.added", row, {"fields": _public(snapshot(row), secret)}, None))
        for row, _names in formset.changed_objects:
            changes = _changes(stored.get(row.pk, {}), snapshot(row), secret)
            if changes:
                pending.append(("admin.changed", row, {"changes": changes}, None))
        for row in formset.deleted_objects:
            pk = pks.get(id(row))
            pending.append(("admin.deleted", row, {"fields": _public(stored.get(pk, {}), secret)}, str(pk)))

    # --------------------------------------------------------------- deletion

    def _record_deletion(self, request: HttpRequest, obj: Any) -> None:
        data = {"fields": _public(snapshot(obj), self._secret_fields()), "cascade": _cascade(obj)}
        admin_audit_record(request, action="admin.deleted", obj=obj, data=data)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._record_deletion(request, obj)  # delete_view runs in a transaction
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                self._record_deletion(request, obj)
            super().delete_queryset(request, queryset)


class ReadOnlyAdmin(AuditedModelAdmin):
    """For records that are evidence of what happened (cases, audit events, evidence items, reviews):
    the admin may look, never add, change or delete — not even a superuser."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
