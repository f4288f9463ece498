from django.urls import path

from backend.accounts import apis

urlpatterns = [
    path("auth/token/", apis.TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", apis.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("users/", apis.UserDirectoryApi.as_view(), name="user-directory"),
    path("accounts/users/", apis.AccountListCreateApi.as_view(), name="account-list"),
    path("accounts/users/<uuid:user_id>/", apis.AccountDetailApi.as_view(), name="account-detail"),
    path("accounts/users/<uuid:user_id>/roles/", apis.AccountRoleGrantApi.as_view(), name="account-role-grant"),
    path(
        "accounts/users/<uuid:user_id>/roles/revoke/", apis.AccountRoleRevokeApi.as_view(), name="account-role-revoke"
    ),
    path("accounts/users/<uuid:user_id>/deactivate/", apis.AccountDeactivateApi.as_view(), name="account-deactivate"),
    path("accounts/users/<uuid:user_id>/reactivate/", apis.AccountReactivateApi.as_view(), name="account-reactivate"),
    path("devices/", apis.DeviceListCreateApi.as_view(), name="device-list"),
    path("devices/<uuid:device_id>/revoke/", apis.DeviceRevokeApi.as_view(), name="device-revoke"),
]
