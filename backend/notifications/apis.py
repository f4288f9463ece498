"""The inbox over the API (``/api/v1/inbox/``): the same messages the console shows, for the mobile apps."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import Action
from backend.common.pagination import DefaultCursorPagination, paginated_response
from backend.notifications import selectors, services
from backend.notifications.serializers import (
    DeliveryPreferenceSerializer,
    InboxFilterSerializer,
    NotificationOutputSerializer,
)

TAG = "inbox"


class InboxListApi(APIView):
    request_action = Action.SESSION  # one's own inbox: every role (a procurator's overdue 检察建议 too)
    pagination_class = DefaultCursorPagination
    openapi_response_headers = {"get": ("X-Unread-Count",)}
    @extend_schema(tags=[TAG], parameters=[InboxFilterSerializer], responses=NotificationOutputSerializer(many=True),
                   summary="我的消息（期限与审核提醒），最新在前")  # fmt: skip
    def get(self, request: Request) -> Response:
        filters = InboxFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.inbox(user=request.user, unread=filters.validated_data["unread"]).prefetch_related("deliveries")
        response = paginated_response(
            self, request, qs, lambda page: NotificationOutputSerializer(page, many=True).data
        )
        response["X-Unread-Count"] = str(selectors.unread_count(user=request.user))
        return response


class InboxUnreadApi(APIView):
    request_action = Action.SESSION
    @extend_schema(tags=[TAG], responses=inline_serializer("InboxUnreadOutput", {"unread": serializers.IntegerField()}),
                   summary="未读消息数")  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count(user=request.user)})


class InboxReadApi(APIView):
    request_action = Action.SESSION  # one's own inbox: every role, the read-only auditor included
    @extend_schema(tags=[TAG], request=None, responses=NotificationOutputSerializer, summary="标记为已读")
    def post(self, request: Request, notification_id: uuid.UUID) -> Response:
        item = selectors.notification_get_for_user(user=request.user, notification_id=notification_id)
        item = services.notification_mark_read(notification=item, user=request.user)
        return Response(NotificationOutputSerializer(item).data)


class InboxPreferenceApi(APIView):
    request_action = Action.SESSION  # one's own delivery preferences: every role, the auditor included
    @extend_schema(tags=[TAG], responses=DeliveryPreferenceSerializer, summary="提醒方式（邮件、群机器人）")
    def get(self, request: Request) -> Response:
        return Response(DeliveryPreferenceSerializer(services.delivery_preference_get(user=request.user)).data)

    @extend_schema(tags=[TAG], request=DeliveryPreferenceSerializer, responses=DeliveryPreferenceSerializer,
                   summary="设置提醒方式")  # fmt: skip
    def put(self, request: Request) -> Response:
        data = DeliveryPreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pref = services.delivery_preference_set(user=request.user, **data.validated_data)
        return Response(DeliveryPreferenceSerializer(pref).data)
