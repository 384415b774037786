"""API keys in the Authorization header: `Bearer <key>`, as standard clients send them, and
`Token <key>`, DRF's own keyword, which existing callers use.

Any other scheme is not ours: the request goes on to the next authentication (the session)
or stays anonymous. A key in the query string is refused before this runs
(`core.api.filters.query_string_check`).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header


class BearerTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, under the `Bearer` keyword as well as `Token`."""

    keyword = "Bearer"  # the one a 401 names in WWW-Authenticate
    keywords = ("Bearer", "Token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in {k.lower().encode() for k in self.keywords}:
            return None
        # DRF's own checks, whichever keyword came.
        if len(parts) == 1:
            raise exceptions.AuthenticationFailed("Invalid token header. No credentials provided.")
        if len(parts) > 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header. Token string should not contain spaces."
            )
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                "Invalid token header. Token string should not contain invalid characters."
            ) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key):
        # A key no token can have (too long, a control character: PostgreSQL refuses a NUL
        # in a query) is wrong without asking the database.
        longest = getattr(self.get_model()._meta.get_field("key"), "max_length", None) or 0
        if len(key) > longest or not key.isprintable():
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Declared as HTTP bearer, the scheme that generated clients send by default."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"
    priority = 1  # before drf-spectacular's own scheme for TokenAuthentication's subclasses

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An editor's API key: `Authorization: Bearer <key>` "
            "(`Token <key>` is accepted too). Create one with "
            "`python manage.py drf_create_token <user>`.",
        }
