"""API-wide pieces: the exception handler that maps domain errors to HTTP."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    if isinstance(exc, RequestDataTooBig):
        from .input_guard import PayloadTooLarge

        exc = PayloadTooLarge()
    return drf_exception_handler(exc, context)
