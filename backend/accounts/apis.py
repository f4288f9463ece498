from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from backend.accounts import selectors, services
from backend.accounts.login_guard import LoginThrottle
from backend.accounts.models import Agency, Role
from backend.accounts.permissions import Action, HasRole, IsAgencyStaff
from backend.accounts.serializers import (
    AccountCreateInputSerializer,
    AccountFilterSerializer,
    AccountOutputSerializer,
    AccountRoleInputSerializer,
    AccountStatusInputSerializer,
    DeviceOutputSerializer,
    DeviceRegisterInputSerializer,
    DeviceRevokeInputSerializer,
    DirectoryEntryOutputSerializer,
    DirectoryFilterSerializer,
    LogoutInputSerializer,
    MeOutputSerializer,
    TokenPairOutputSerializer,
)
from backend.common.errors import ApplicationError, NotFound
from backend.common.idempotency import IdempotentAPIMixin
from backend.common.pagination import DefaultCursorPagination, paginated_response
from backend.ledger.services import audit_context_from_request


@extend_schema(tags=["auth"], responses={200: TokenPairOutputSerializer}, auth=[])
class TokenObtainApi(TokenObtainPairView):
    throttle_classes = [LoginThrottle]
    throttle_scope = "login"


@extend_schema(tags=["auth"], responses={200: TokenPairOutputSerializer}, auth=[])
class TokenRefreshApi(TokenRefreshView):
    throttle_classes = [LoginThrottle]
    throttle_scope = "login"


class LogoutApi(APIView):
    """Revoke the refresh token (blacklist). The short-lived access token simply expires."""

    request_action = Action.SESSION  # one's own session: every role, the read-only auditor included

    @extend_schema(tags=["auth"], request=LogoutInputSerializer, responses={205: None})
    def post(self, request: Request) -> Response:
        data = LogoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
        except TokenError:
            raise ApplicationError("token_invalid", "刷新令牌无效或已失效", status=400)
        if str(token.get("user_id")) != str(request.user.pk):
            raise ApplicationError("token_not_yours", "只能注销自己的令牌", status=400)
        token.blacklist()
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeApi(APIView):
    request_action = Action.SESSION  # who am I: any authenticated user, with or without a role
    @extend_schema(tags=["auth"], responses=MeOutputSerializer)
    def get(self, request: Request) -> Response:
        user = selectors.user_with_profile(user_id=request.user.pk)
        return Response(MeOutputSerializer(user).data)


class DeviceListCreateApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]
    pagination_class = DefaultCursorPagination

    @extend_schema(tags=["devices"], responses=DeviceOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        devices = selectors.device_list(user=request.user)  # newest first (the paginator's ordering)
        return paginated_response(self, request, devices, lambda page: DeviceOutputSerializer(page, many=True).data)

    @extend_schema(tags=["devices"], request=DeviceRegisterInputSerializer, responses={201: DeviceOutputSerializer})
    def post(self, request: Request) -> Response:
        data = DeviceRegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device = services.device_register(
            owner=request.user, context=audit_context_from_request(request), **data.validated_data
        )
        return Response(DeviceOutputSerializer(device).data, status=status.HTTP_201_CREATED)


class DeviceRevokeApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=["devices"], request=DeviceRevokeInputSerializer, responses=DeviceOutputSerializer)
    def post(self, request: Request, device_id: str) -> Response:
        data = DeviceRevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device = selectors.device_list(user=request.user).filter(pk=device_id).first()
        if device is None:
            raise NotFound("终端不存在")
        device = services.device_revoke(
            device=device,
            actor=request.user,
            reason=data.validated_data["reason"],
            context=audit_context_from_request(request),
        )
        return Response(DeviceOutputSerializer(device).data)




class DirectoryPagination(DefaultCursorPagination):
    ordering = "username"


class UserDirectoryApi(APIView):
    """Colleagues of the caller's agency, so apps and staff can pick handling officers, a chair or participants."""

    permission_classes = [IsAgencyStaff]
    pagination_class = DirectoryPagination

    @extend_schema(
        tags=["auth"],
        parameters=[DirectoryFilterSerializer],
        responses=DirectoryEntryOutputSerializer(many=True),
        summary="本机关人员名录（按角色、姓名、执法证状态筛选）",
    )
    def get(self, request: Request) -> Response:
        filters = DirectoryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.user_directory(
            user=request.user,
            role=filters.validated_data.get("role"),
            search=filters.validated_data.get("q", ""),
            credential=filters.validated_data.get("credential"),
        )
        return paginated_response(self, request, qs, lambda page: DirectoryEntryOutputSerializer(page, many=True).data)


# --------------------------------------------------------------------------- account administration
#
# Heads manage their own agency's accounts, system administrators every account; auditors read (and are refused
# every write with 403 read_only_role by the role table). Another agency's account answers 404.

IsAccountManagerOrAuditor = HasRole(Role.AGENCY_HEAD, Role.SYSTEM_ADMIN, Role.AUDITOR)


class AccountPagination(DefaultCursorPagination):
    ordering = "username"


class AccountListCreateApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAccountManagerOrAuditor]
    pagination_class = AccountPagination

    @extend_schema(tags=["accounts"], parameters=[AccountFilterSerializer],
                   responses=AccountOutputSerializer(many=True),
                   summary="人员账号（机关负责人：本机关；系统管理员：全部；监督人员：只读）")  # fmt: skip
    def get(self, request: Request) -> Response:
        filters = AccountFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.account_list(user=request.user, role=filters.validated_data.get("role"),
                                    search=filters.validated_data.get("q", ""),
                                    active=filters.validated_data.get("active"))  # fmt: skip
        return paginated_response(self, request, qs, lambda page: AccountOutputSerializer(page, many=True).data)

    @extend_schema(tags=["accounts"], request=AccountCreateInputSerializer, responses={201: AccountOutputSerializer},
                   summary="开设账号并授予角色")  # fmt: skip
    def post(self, request: Request) -> Response:
        data = AccountCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(actor=request.user, context=audit_context_from_request(request),
                                    **account_create_arguments(request.user, data.validated_data))  # fmt: skip
        user = selectors.account_get(user=request.user, account_id=user.pk)
        return Response(AccountOutputSerializer(user).data, status=status.HTTP_201_CREATED)


def account_create_arguments(actor, values: dict) -> dict:
    """The service's arguments from the validated create input (the API's and the console's): a head opens
    accounts of the own agency; an administrator names the agency, or none for another administrator."""
    values = dict(values)
    agency_id = values.pop("agency_id", None)
    if not actor.has_role(Role.SYSTEM_ADMIN):
        agency_id = actor.agency_id if agency_id is None else agency_id
    if agency_id is not None and not Agency.objects.filter(pk=agency_id).exists():
        raise ApplicationError("agency_unknown", "执法主体不存在", status=422, fields={"agency_id": ["执法主体不存在"]})
    return {**values, "agency_id": agency_id}


class AccountDetailApi(APIView):
    permission_classes = [IsAccountManagerOrAuditor]

    @extend_schema(tags=["accounts"], responses=AccountOutputSerializer)
    def get(self, request: Request, user_id: str) -> Response:
        return Response(AccountOutputSerializer(selectors.account_get(user=request.user, account_id=user_id)).data)


class _AccountActionApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAccountManagerOrAuditor]
    input_serializer: type = AccountRoleInputSerializer

    def act(self, request: Request, user, values: dict):  # pragma: no cover - each subclass
        raise NotImplementedError

    def post(self, request: Request, user_id: str) -> Response:
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = selectors.account_get(user=request.user, account_id=user_id)
        self.act(request, user, data.validated_data)
        return Response(AccountOutputSerializer(selectors.account_get(user=request.user, account_id=user_id)).data)


@extend_schema(tags=["accounts"], request=AccountRoleInputSerializer, responses=AccountOutputSerializer,
               summary="授予角色（该人员的全部令牌随即失效）")  # fmt: skip
class AccountRoleGrantApi(_AccountActionApi):
    def act(self, request: Request, user, values: dict):
        return services.user_role_grant(user=user, role=values["role"], actor=request.user,
                                        context=audit_context_from_request(request))  # fmt: skip


@extend_schema(tags=["accounts"], request=AccountRoleInputSerializer, responses=AccountOutputSerializer,
               summary="撤销角色（该人员的全部令牌随即失效）")  # fmt: skip
class AccountRoleRevokeApi(_AccountActionApi):
    def act(self, request: Request, user, values: dict):
        return services.user_role_revoke(user=user, role=values["role"], actor=request.user,
                                         context=audit_context_from_request(request))  # fmt: skip


@extend_schema(tags=["accounts"], request=AccountStatusInputSerializer, responses=AccountOutputSerializer,
               summary="停用账号（全部令牌和会话随即失效）")  # fmt: skip
class AccountDeactivateApi(_AccountActionApi):
    input_serializer = AccountStatusInputSerializer

    def act(self, request: Request, user, values: dict):
        return services.user_deactivate(user=user, reason=values["reason"], actor=request.user,
                                        context=audit_context_from_request(request))  # fmt: skip


@extend_schema(tags=["accounts"], request=AccountStatusInputSerializer, responses=AccountOutputSerializer,
               summary="重新启用账号")  # fmt: skip
class AccountReactivateApi(_AccountActionApi):
    input_serializer = AccountStatusInputSerializer

    def act(self, request: Request, user, values: dict):
        return services.user_reactivate(user=user, reason=values["reason"], actor=request.user,
                                        context=audit_context_from_request(request))  # fmt: skip
