"""Admin: users (with their roles and 执法证 inline), agencies, 执法证, devices, groups and revoked tokens.

Every add, change and deletion here is written to the audit trail (AuditedModelAdmin), password changes
included (as "changed", never the hash).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from rest_framework_simplejwt.token_blacklist.admin import BlacklistedTokenAdmin as BaseBlacklistedTokenAdmin
from rest_framework_simplejwt.token_blacklist.admin import OutstandingTokenAdmin as BaseOutstandingTokenAdmin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from backend.accounts import login_guard
from backend.accounts.models import Agency, Device, OfficerCredential, User, UserRole
from backend.ledger.admin_audit import AuditedModelAdmin, admin_audit_record


class GuardedAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form behind the API's login guard: the same per-address budget and per-username
    lock-out (backend/accounts/login_guard.py), counted before the password is checked."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        try:
            login_guard.login_address_check(request=self.request)
            login_guard.login_attempt_begin(username=username)
        except login_guard.LoginRefused as refused:
            raise ValidationError(refused.message, code=refused.code) from None
        cleaned = super().clean()
        login_guard.login_attempt_succeeded(username=username)
        return cleaned


admin.site.login_form = GuardedAdminAuthenticationForm


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


class CredentialInline(admin.TabularInline):
    model = OfficerCredential
    extra = 0


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    inlines = [UserRoleInline, CredentialInline]
    list_display = ["username", "full_name", "agency", "is_active"]
    list_filter = ["agency", "roles__role"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("执法", {"fields": ("full_name", "agency", "legal_qualification_no")}),
    )
    # Facts, not settings (the form would also round them to the minute on every save).
    readonly_fields = ("last_login", "date_joined")
    actions = ["deactivate_users"]

    @admin.action(description="停用所选用户（立即注销其全部登录凭证）", permissions=["change"])
    def deactivate_users(self, request: HttpRequest, queryset: Any) -> None:
        """Deactivation instead of deletion; saving ``is_active=False`` revokes every token (User.save)."""
        count = 0
        with transaction.atomic(using=router.db_for_write(User)):
            for user in queryset.select_for_update().filter(is_active=True):
                user.is_active = False
                user.save(update_fields=["is_active"])
                admin_audit_record(
                    request, action="admin.changed", obj=user,
                    data={"changes": {"is_active": {"old": True, "new": False}}},
                )  # fmt: skip
                count += 1
        self.message_user(request, f"已停用 {count} 个用户，其登录凭证已全部失效。")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deactivate instead (is_active): whoever acted on a case stays attributable in its record.
        return False

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """The password form saves the user itself (not through save_model): record it here, hash never."""
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        with transaction.atomic(using=router.db_for_write(User)):
            before = User.objects.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=id).first()
            if user is not None and user.password != before:
                admin_audit_record(
                    request, action="admin.changed", obj=user,
                    data={"changes": {"password": {"changed": True, "usable": user.has_usable_password()}}},
                )  # fmt: skip
        return response


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["name", "uscc", "region_name", "parent"]
    search_fields = ["name", "uscc"]


@admin.register(Device)
class DeviceAdmin(AuditedModelAdmin):
    """Devices register themselves with their key through the API; here they are looked at or revoked."""

    list_display = ["id", "model", "owner", "agency", "status"]
    list_filter = ["status", "agency"]
    readonly_fields = ["public_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a device without its own Ed25519 key could sign nothing


@admin.register(OfficerCredential)
class OfficerCredentialAdmin(AuditedModelAdmin):
    list_display = ["number", "user", "category", "valid_until", "status"]
    list_filter = ["status"]


# Third-party registrations, replaced so that they are audited too.
admin.site.unregister(Group)
admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin, BaseGroupAdmin):
    pass


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(AuditedModelAdmin, BaseOutstandingTokenAdmin):
    audit_secret_fields = ("token",)


@admin.register(BlacklistedToken)
class BlacklistedTokenAdmin(AuditedModelAdmin, BaseBlacklistedTokenAdmin):
    """Revoking a session (blacklisting its refresh token) is one-way: a revoked token is never revived."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
