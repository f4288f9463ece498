from django.urls import path

from backend.accounts import apis

urlpatterns = [
    path("auth/token/", apis.TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", apis.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("users/", apis.UserDirectoryApi.as_view(), name="user-directory"),
    path("devices/", apis.DeviceListCreateApi.as_view(), name="device-list"),
    path("devices/<uuid:device_id>/revoke/", apis.DeviceRevokeApi.as_view(), name="device-revoke"),
]
