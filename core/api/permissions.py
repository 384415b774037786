"""Who may do what through the API: read everyone, write the editors."""

from __future__ import annotations

from rest_framework.permissions import DjangoModelPermissions


class EditorPermissions(DjangoModelPermissions):
    """Reads open to everyone; each write needs the model's add/change/delete permission
    (granted to the "editors" group)."""

    authenticated_users_only = False

    def has_permission(self, request, view):
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405 Method Not Allowed, which says more
        return super().has_permission(request, view)
