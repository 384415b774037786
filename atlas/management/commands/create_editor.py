"""Create an editor: a staff account in the "editors" group.

The password is read from the environment variable ATLAS_EDITOR_PASSWORD, or asked for
twice at the terminal; it never appears on the command line.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from atlas.editors import EDITORS_GROUP, editors_group_sync

PASSWORD_VARIABLE = "ATLAS_EDITOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff account in the editors group. The password comes from "
        f"{PASSWORD_VARIABLE} or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The editor's e-mail address.")
        parser.add_argument(
            "--name",
            default="",
            help="The name the public sees beside the editor's changes (never the username "
            "or e-mail address).",
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
            is_staff=True,
        )
        try:
            user.full_clean(exclude=["password"])
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(editors_group_sync())
        self.stdout.write(
            self.style.SUCCESS(f"Editor {username!r} created (staff, group {EDITORS_GROUP!r}).")
        )
