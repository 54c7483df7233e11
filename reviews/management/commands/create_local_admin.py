import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create a local administrator when the database has no user at all, and print "
        "how to log in. Does nothing when any user exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write("Users already exist; no administrator created.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the local administrator {username!r} with the one-time "
                f"password {password}\n"
                f"Log in at http://127.0.0.1:8000/accounts/login/ and change it with "
                f"`python manage.py changepassword {username}` (this password is shown "
                f"only now)."
            )
        )
