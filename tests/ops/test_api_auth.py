"""API tokens: create, use, rotate, revoke; staff-only writes."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from ops.api_auth import IsStaffForWrites

URL = "/api/auth/token"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("analyst", password="correct-horse-battery-9")


@pytest.mark.django_db
def test_logged_in_user_creates_uses_rotates_and_revokes_a_token(user):
    session = APIClient()
    session.force_login(user)
    assert session.get(URL).json() == {"has_token": False, "created": None}

    created = session.post(URL)
    assert created.status_code == 201
    key = created.json()["token"]
    assert Token.objects.get(user=user).key == key

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    status = api.get(URL)
    assert status.status_code == 200 and status.json()["has_token"] is True
    assert "token" not in status.json()  # the key is shown once, at creation

    rotated = api.post(URL)
    assert rotated.status_code == 201
    new_key = rotated.json()["token"]
    assert new_key != key
    assert api.get(URL).status_code in {401, 403}  # the old key stopped working
    api.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert api.get(URL).status_code == 200

    assert api.delete(URL).status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert api.get(URL).status_code in {401, 403}


@pytest.mark.django_db
def test_api_client_gets_a_token_with_username_and_password(user):
    api = APIClient()
    response = api.post(URL, {"username": "analyst", "password": "correct-horse-battery-9"}, format="json")
    assert response.status_code == 201
    assert response.json()["username"] == "analyst"
    wrong = api.post(URL, {"username": "analyst", "password": "nope-nope-nope"}, format="json")
    assert wrong.status_code in {401, 403}
    assert Token.objects.filter(user=user).count() == 1
    assert api.post(URL, {}, format="json").status_code in {401, 403}
    assert api.delete(URL).status_code in {401, 403}


class _Writable(APIView):
    permission_classes = [IsStaffForWrites]

    def get(self, request):
        from rest_framework.response import Response

        return Response({"read": True})

    def post(self, request):
        from rest_framework.response import Response

        return Response({"written": True}, status=201)


@pytest.mark.django_db
def test_writes_are_staff_only(user, django_user_model):
    factory = APIRequestFactory()
    view = _Writable.as_view()
    from rest_framework.test import force_authenticate

    assert view(factory.get("/x")).status_code == 200
    assert view(factory.post("/x")).status_code in {401, 403}
    request = factory.post("/x")
    force_authenticate(request, user=user)
    assert view(request).status_code == 403
    staff = django_user_model.objects.create_user("curator", password="x-curator-pw-1", is_staff=True)
    request = factory.post("/x")
    force_authenticate(request, user=staff)
    assert view(request).status_code == 201
