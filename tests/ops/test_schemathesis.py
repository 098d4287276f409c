"""Schemathesis over our OpenAPI schema: generated valid and invalid requests on every operation, 0 server errors.

Bounded and repeatable: a fixed number of examples per operation, derandomized generation, no
example database. Requests go through the real WSGI application (all middleware, parsers,
throttles and the test database) as an authenticated API client. Marked slow (CI runs it).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from research_assistant.wsgi import application
from tests.factories import DatasetFactory, UserFactory

EXAMPLES_PER_OPERATION = 30

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def api_token():
    DatasetFactory.create_batch(3)
    user = UserFactory(username="schemathesis")
    return Token.objects.create(user=user).key


@pytest.fixture(autouse=True)
def _generous_rate_limits():
    """Hundreds of requests from one client: the limits are tested elsewhere (test_limits.py)."""
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {"anon": "100000/min", "user": "100000/min"}
    yield
    SimpleRateThrottle.THROTTLE_RATES = original


# Loaded when the module is collected (pytest 9 cannot run schemathesis' lazy fixture schemas);
# fetching the schema through the WSGI app touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
    database="none",
)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_no_server_errors(case, api_token):
    case.call_and_validate(headers={"Authorization": f"Token {api_token}"}, checks=[not_a_server_error])
