from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from backend.accounts.models import Agency, Device, OfficerCredential, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


class CredentialInline(admin.TabularInline):
    model = OfficerCredential
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserRoleInline, CredentialInline]
    list_display = ["username", "full_name", "agency", "is_active"]
    list_filter = ["agency", "roles__role"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("执法", {"fields": ("full_name", "agency", "legal_qualification_no")}),
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "region_name", "parent"]
    search_fields = ["name", "uscc"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["id", "model", "owner", "agency", "status"]
    list_filter = ["status", "agency"]
    readonly_fields = ["public_key"]


@admin.register(OfficerCredential)
class OfficerCredentialAdmin(admin.ModelAdmin):
    list_display = ["number", "user", "category", "valid_until", "status"]
    list_filter = ["status"]
