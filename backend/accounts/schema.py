"""OpenAPI description of our JWT authentication (drf-spectacular extension)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class EnforcementJWTScheme(SimpleJWTScheme):
    target_class = "backend.accounts.authentication.EnforcementJWTAuthentication"
    name = "jwtAuth"
