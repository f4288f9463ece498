
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from backend.common.errors import ApplicationError
from backend.common.models import CalendarYear, HolidayOverride
from backend.ledger.admin_audit import AuditedModelAdmin
from backend.ledger.services import audit_context_from_request


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(AuditedModelAdmin):
    """Enter each year's State Council holiday notice here once it is published (usually in November)."""

    list_display = ["date", "is_workday", "name", "source"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


class HolidayNoticeForm(forms.Form):
    text = forms.CharField(
        label="通知全文", widget=forms.Textarea(attrs={"rows": 18, "cols": 100}),
        help_text="粘贴《国务院办公厅关于YYYY年部分节假日安排的通知》全文（含标题）。",
    )
    year = forms.IntegerField(label="年份", required=False, min_value=2004, max_value=2200,
                              help_text="留空则取标题中的年份。")
    source = forms.CharField(label="文号/来源", required=False, max_length=200,
                             help_text="留空则取通知中的文号，如 国办发明电〔2026〕X号。")


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedModelAdmin):
    """A year whose holidays are fully entered. New years come in through "导入国务院放假通知": paste the text,
    check the parsed days, confirm; the save is audited and every open deadline is recomputed."""

    list_display = ["year", "source"]
    change_list_template = "admin/common/calendaryear/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        custom = [path("import-notice/", self.admin_site.admin_view(self.import_notice_view),
                       name="common_calendaryear_import_notice")]
        return custom + super().get_urls()

    def import_notice_view(self, request: HttpRequest) -> HttpResponse:
        """Two steps: 预览 (parse, show the days and what changes) then 确认保存 (import and recompute)."""
        from backend.common.calendar import recompute_summary
        from backend.holiday_calendar.services import holiday_notice_import, holiday_notice_preview

        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = HolidayNoticeForm(request.POST or None)
        preview = None
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            text, year, source = form.cleaned_data["text"], form.cleaned_data["year"], form.cleaned_data["source"]
            try:
                if request.POST.get("confirm") == "1":
                    saved, changes = holiday_notice_import(
                        text=text, year=year, source=source, today=timezone.localdate(),
                        context=audit_context_from_request(request),
                    )
                    self.message_user(
                        request,
                        f"已导入{saved.notice.year}年放假安排（{len(saved.days)}天）；已重新计算：{recompute_summary(changes)}。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:common_calendaryear_changelist"))
                preview = holiday_notice_preview(text=text, year=year)
            except ApplicationError as exc:
                problems = list((exc.extra or {}).get("problems") or [exc.message])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入国务院放假通知",
            "form": form,
            "preview": preview,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/common/calendaryear/import_notice.html", context)
