from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reviews.models import Account
from reviews.services import password_setup_url, user_add


class Command(BaseCommand):
    help = _("Create a user with a role; prints the link where they choose a password.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        # argparse wraps the description with re, which needs a str, not a lazy one.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Account.Role.values)
        parser.add_argument("--state", help=_("State party code (focal points only)."))
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--organisation",
            choices=Account.Organisation.values,
            default="",
            help=_("For a viewer: donor-partner (the default) or un-entity."),
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
        # Translators: %(account)s is a user name and role, e.g. "carla (focal-point,
        # KEN)".
        created = gettext("Created %(account)s.") % {
            "account": f"{username} ({role}{f', {state}' if state else ''})"
        }
        self.stdout.write(self.style.SUCCESS(created))
        self.stdout.write(
            gettext(
                "They set their password at this one-time link (valid for three days):"
            )
            + "\n  "
            + password_setup_url(user)
        )
        # Translators: %(command)s is a shell command, not to be translated.
        fallback = gettext("Or an administrator runs: %(command)s") % {
            "command": f"python manage.py changepassword {username}"
        }
        self.stdout.write(fallback)
