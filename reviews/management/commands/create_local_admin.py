import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Command(BaseCommand):
    help = _(
        "Create a local administrator when the database has no user at all, and print "
        "how to log in. Does nothing when any user exists."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # argparse wraps the description with re, which needs a str, not a lazy one.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write(gettext("Users already exist; no administrator created."))
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        message = gettext(
            # Translators: %(username)s is quoted; %(url)s and %(command)s stay as
            # they are.
            "Created the local administrator %(username)s with the one-time "
            "password %(password)s\n"
            "Log in at %(url)s and change it with `%(command)s` (this password is "
            "shown only now)."
        ) % {
            "username": repr(username),
            "password": password,
            "url": "http://127.0.0.1:8000/accounts/login/",
            "command": f"python manage.py changepassword {username}",
        }
        self.stdout.write(self.style.SUCCESS(message))
