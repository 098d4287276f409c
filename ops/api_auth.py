"""API tokens for API clients, and the permission that keeps catalog writes to staff.

``/api/auth/token``:
- ``GET``: whether the caller has a token (and when it was made); the key itself is never shown again.
- ``POST``: create the caller's token, or rotate it (the old key stops working at once). The
  caller is the logged-in user (session, CSRF applies), a token holder, or an API client that
  sends ``username`` and ``password`` in the body. The key is shown once, in this response.
- ``DELETE``: revoke the caller's token.

Clients then send ``Authorization: Token <key>``.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .throttling import API_THROTTLES


class IsStaffForWrites(permissions.BasePermission):
    """Anyone may read; only staff may create, change or delete (catalog write endpoints)."""

    message = "Only staff can change the catalog."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


# --- Services ----------------------------------------------------------------------------------


@transaction.atomic
def token_rotate(*, user) -> Token:
    """Give ``user`` a fresh token, replacing any previous one (which stops working at once)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def token_revoke(*, user) -> bool:
    """Delete ``user``'s token; True when there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0


# --- API ---------------------------------------------------------------------------------------


class TokenCredentialsSerializer(serializers.Serializer):
    # Bounded like Django's login form: failed attempts are recorded (django-axes) in a 255-character column.
    username = serializers.CharField(required=False, max_length=150)
    password = serializers.CharField(required=False, max_length=4096, style={"input_type": "password"}, write_only=True)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    created = serializers.DateTimeField()
    username = serializers.CharField()


class TokenStatusSerializer(serializers.Serializer):
    has_token = serializers.BooleanField()
    created = serializers.DateTimeField(allow_null=True)


class TokenView(APIView):
    throttle_classes = API_THROTTLES

    def _caller(self, request):
        if request.user and request.user.is_authenticated:
            return request.user
        data = TokenCredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username, password = data.validated_data.get("username"), data.validated_data.get("password")
        if not (username and password):
            raise NotAuthenticated("Log in, send a token, or send username and password.")
        user = authenticate(request._request, username=username, password=password)
        if user is None or not user.is_active:
            raise AuthenticationFailed("Invalid username or password.")
        return user

    @extend_schema(responses=TokenStatusSerializer)
    def get(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        token = Token.objects.filter(user=request.user).first()
        return Response(
            TokenStatusSerializer({"has_token": token is not None, "created": getattr(token, "created", None)}).data
        )

    @extend_schema(request=TokenCredentialsSerializer, responses={201: TokenOutputSerializer})
    def post(self, request):
        user = self._caller(request)
        token = token_rotate(user=user)
        data = TokenOutputSerializer(
            {"token": token.key, "created": token.created, "username": user.get_username()}
        ).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
