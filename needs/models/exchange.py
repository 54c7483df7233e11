"""Files uploaded for import, kept on the server between the preview and the
confirmation (never a copy sent back by the browser)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the person who uploaded a file sees it again."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(uploaded_by=user)


class Upload(models.Model):
    """A file a person uploaded for import, awaiting their confirmation."""

    class Kind(models.TextChoices):
        NEEDS = "needs", _("Needs")
        IATI = "iati", _("IATI activities")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return self.filename
