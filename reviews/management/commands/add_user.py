from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reviews.models import Account
from reviews.services import password_setup_url, user_add


class Command(BaseCommand):
    help = "Create a user with a role; prints the link where they choose a password."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Account.Role.values)
        parser.add_argument("--state", help="State party code (focal points only).")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--organisation",
            choices=Account.Organisation.values,
            default="",
            help="For a viewer: donor-partner (the default) or un-entity.",
        )

    def handle(self, *args, username, role, state, email, organisation, **options):
        try:
            user = user_add(
                username=username,
                role=role,
                state_code=state,
                email=email,
                organisation=organisation,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {username} ({role}{f', {state}' if state else ''})."
            )
        )
        self.stdout.write(
            "They set their password at this one-time link (valid for "
            "three days):\n  " + password_setup_url(user)
        )
        self.stdout.write(
            f"Or an administrator runs: python manage.py changepassword {username}"
        )
