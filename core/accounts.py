"""Accounts of the people who work on the knowledge base: editors and readers.

The groups they belong to (`group_sync`) and the commands that make them
(`AccountCommand`: `create_editor`, `create_reader`) are written once, here, and each app
that has a kind of account says only its group, its permissions and whether it is staff.
Only Django's own auth is used: core imports no app.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

# Where `create_editor` and `create_reader` read the password, if not at a terminal.
PASSWORD_VARIABLE = "ATLAS_EDITOR_PASSWORD"


def group_sync(
    name: str,
    codenames: dict[str, list[str]],
    *,
    apps=django_apps,
    using: str = "default",
):
    """Create the group `name` if needed and give it exactly the permissions `codenames`
    (per app label). Permissions are normally created after `migrate`; a data migration
    must make them itself, so they are made here first."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        if app_config.label in {*codenames, "auth", "contenttypes"}:
            module = getattr(app_config, "models_module", None)
            app_config.models_module = True
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
            app_config.models_module = module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=name)
    wanted = []
    for app_label, names in codenames.items():
        found = list(
            Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename__in=names
            )
        )
        missing = set(names) - {p.codename for p in found}
        if missing:
            raise LookupError(f"Permissions missing in {app_label}: {', '.join(sorted(missing))}")
        wanted += found
    group.permissions.set(wanted)
    return group


class AccountCommand(BaseCommand):
    """Create an account in one group. The password is read from ATLAS_EDITOR_PASSWORD, or
    asked for twice at the terminal; it never appears on the command line."""

    kind = "account"  # as the messages name it: "editor", "reader"
    group_name = ""
    staff = False
    group_sync: Callable[[], Group]  # makes (or repairs) the group, returns it

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help=f"The {self.kind}'s e-mail address.")
        parser.add_argument(
            "--name",
            default="",
            help=f"The name the public sees beside the {self.kind}'s work (never the "
            "username or e-mail address).",
        )

    def read_password(self) -> str:
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is not None:
            return password
        if not sys.stdin.isatty():
            raise CommandError(f"Set {PASSWORD_VARIABLE}, or run at a terminal to be asked.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password

    def handle(self, *args, username: str, email: str, name: str, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"--email: {email!r} is not an e-mail address.") from None
        password = self.read_password()
        # The public name is the account's full name (first and last name).
        first_name, _, last_name = name.strip().rpartition(" ")
        if not first_name:
            first_name, last_name = last_name, ""
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_staff=self.staff,
        )
        try:
            user.full_clean(exclude=["password"])
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(type(self).group_sync())
        staff = "staff, " if self.staff else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{self.kind.capitalize()} {username!r} created ({staff}group {self.group_name!r})."
            )
        )
