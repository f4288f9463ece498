from django.urls import path

from backend.notifications import apis

urlpatterns = [
    path("inbox/", apis.InboxListApi.as_view(), name="inbox-list"),
    path("inbox/unread/", apis.InboxUnreadApi.as_view(), name="inbox-unread"),
    path("inbox/preferences/", apis.InboxPreferenceApi.as_view(), name="inbox-preferences"),
    path("inbox/<uuid:notification_id>/read/", apis.InboxReadApi.as_view(), name="inbox-read"),
]
