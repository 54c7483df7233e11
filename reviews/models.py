"""Who was reviewed, when, on which chapters; the Convention's chapters and articles."""

import unicodedata

import pycountry
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reviews.permissions import review_filter, state_filter
from reviews.roles import Organisation, Role


class NamedInLanguages(models.Model):
    """Reference data named in the six official languages of the United Nations.

    The English name is the record's own field; `names` holds the others
    ({"fr": …, "zh-hans": …}), loaded with the reference data. `label` is the name in
    the active language (English where a translation is missing).
    """

    names = models.JSONField(
        _("names"),
        default=dict,
        blank=True,
        help_text=_("The name in each official language of the United Nations."),
    )

    NAME_FIELD = "name"

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        return label_in(self.names, getattr(self, self.NAME_FIELD))


def label_in(names: dict, default: str, language: str | None = None) -> str:
    """The name in `language` (the active one by default) from a record's `names`,
    else `default` (its English name): `NamedInLanguages.label`, for rows read as
    values."""
    language = language or get_language() or "en"
    return names.get(language) or names.get(language.split("-")[0]) or default


class RegionalGroup(NamedInLanguages):
    """One of the five United Nations regional groups."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = _("regional group")
        verbose_name_plural = _("regional groups")

    def __str__(self) -> str:
        return self.label


def sort_key(text: str) -> str:
    """`text` as names are ordered: its letters and digits, accents and case aside
    ("Côte d'Ivoire" → "cotedivoire", between "costarica" and "croatia").

    Spaces and punctuation go too: the key is then ordered alike by any collation,
    byte-wise (SQLite) or linguistic (PostgreSQL), which disagree on them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if unicodedata.category(c)[0] in "LN")


# Codes of reference data that ISO 3166-1 alpha-3 does not hold.
SPECIAL_ALPHA_2 = {"EUU": "EU"}


def alpha_2_of(code: str) -> str:
    """ISO 3166-1 alpha-2 of an alpha-3 code ("" for a code of no country)."""
    if code in SPECIAL_ALPHA_2:
        return SPECIAL_ALPHA_2[code]
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    return country.alpha_2 if country else ""


class StatePartyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(state_filter(user))

    def parties(self):
        return self.filter(party_status=StateParty.PartyStatus.YES)

    def real(self):
        """States of the world, not the demonstration data set (the anonymised States
        of the 2013 reconstruction)."""
        return self.filter(reconstructed=False)

    def demonstration(self):
        return self.filter(reconstructed=True)


class StateParty(NamedInLanguages):
    """A State (or the European Union) that may be reviewed under the Convention."""

    class PartyStatus(models.TextChoices):
        YES = "yes", _("Party")
        NO = "no", _("Not a party")
        UNKNOWN = "unknown", _("Unconfirmed")

    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9-]{2,7}$",
                _(
                    "Use ISO 3166-1 alpha-3 (e.g. KEN) or an upper-case code like "
                    "AF-01."
                ),
            )
        ],
        help_text=_("ISO 3166-1 alpha-3 for real States."),
    )
    name = models.CharField(_("name"), max_length=120, unique=True)
    sort_name = models.CharField(
        _("sort name"),
        max_length=120,
        blank=True,
        default="",
        editable=False,
        db_index=True,
        help_text=_("The name as lists order it (accents and case aside)."),
    )
    regional_group = models.ForeignKey(
        RegionalGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="states",
        verbose_name=_("regional group"),
        help_text=_(
            "Empty for parties in no regional group, such as the European Union."
        ),
    )
    party_status = models.CharField(
        _("party status"),
        max_length=8,
        choices=PartyStatus.choices,
        default=PartyStatus.YES,
    )
    reconstructed = models.BooleanField(
        _("reconstructed"),
        default=False,
        help_text=_("An anonymized State of the reconstructed 2013 data set."),
    )
    secretariat_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("secretariat officer"),
        help_text=_(
            "The secretariat officer responsible for the State: told of its "
            "submissions. Empty: the whole secretariat is told."
        ),
    )
    alpha_2 = models.CharField(
        _("ISO 3166-1 alpha-2"),
        max_length=2,
        blank=True,
        help_text=_(
            "The two-letter code (IATI's recipient-country), derived from the "
            "alpha-3 code; EU for the European Union."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = StatePartyQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name"]
        verbose_name = _("State party")
        verbose_name_plural = _("States parties")

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        """Keep `sort_name` in step with `name` (also when only some fields are
        saved, as `update_or_create` does)."""
        self.sort_name = sort_key(self.name)
        self.alpha_2 = self.alpha_2 or alpha_2_of(self.code)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        if update_fields is not None and "code" in update_fields:
            kwargs["update_fields"] = {*kwargs["update_fields"], "alpha_2"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("needs:state_detail", kwargs={"code": self.code})


class Chapter(NamedInLanguages):
    """A chapter of the Convention (II to V are reviewed)."""

    number = models.CharField(
        _("number"), max_length=4, unique=True, help_text=_("Roman numeral.")
    )
    ordinal = models.PositiveSmallIntegerField(_("ordinal"), unique=True)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["ordinal"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    NAME_FIELD = "title"

    def __str__(self) -> str:
        # Translators: a chapter of the Convention, e.g. "Chapter III: Criminalization
        # and law enforcement".
        return gettext("Chapter %(number)s: %(title)s") % {
            "number": self.number,
            "title": self.label,
        }


class ArticleQuerySet(models.QuerySet):
    def in_note_order(self):
        """Order of the secretariat's note: chapter, section, then article number."""
        return self.order_by("chapter__ordinal", "section", "number")


class Article(NamedInLanguages):
    """An article of the Convention, grouped as the secretariat's note groups it."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("chapter"),
    )
    section = models.CharField(
        _("section"),
        max_length=200,
        blank=True,
        help_text=_('Section heading, e.g. "A. Bribery offences".'),
    )
    subsection = models.CharField(_("subsection"), max_length=200, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    NAME_FIELD = "title"

    def __str__(self) -> str:
        # Translators: an article of the Convention, e.g. "Article 15: Bribery of
        # national public officials".
        return gettext("Article %(number)s: %(title)s") % {
            "number": self.number,
            "title": self.label,
        }


class ReviewCycle(models.Model):
    """A cycle of the Review Mechanism and the chapters it reviews."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    chapters = models.ManyToManyField(
        Chapter, related_name="cycles", verbose_name=_("chapters")
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="cycle_period_ordered",
                violation_error_message=_("A cycle cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        # Translators: a cycle of the Review Mechanism and its years (cycle 2: 2015 to
        # 2026); keep the dash between the years.
        return gettext("Cycle %(number)s (%(start_year)s–%(end_year)s)") % {
            "number": self.number,
            "start_year": self.start_year,
            "end_year": self.end_year,
        }


class CountryReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(review_filter(user))

    def completed_by(self, day):
        return self.filter(status=CountryReview.Status.COMPLETED, completed_on__lte=day)


class CountryReview(models.Model):
    """The review of one State party in one cycle of the Review Mechanism."""

    class Status(models.TextChoices):
        UNDER_WAY = "under-way", _("Under way")
        CLOSE_TO_COMPLETION = "close-to-completion", _("Close to completion")
        COMPLETED = "completed", _("Completed")

    state = models.ForeignKey(
        StateParty,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("state"),
    )
    cycle = models.ForeignKey(
        ReviewCycle,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("cycle"),
    )
    cycle_year = models.PositiveSmallIntegerField(
        _("cycle year"),
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Year of the cycle in which the State was reviewed (1, 2, …)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UNDER_WAY
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    has_executive_summary = models.BooleanField(
        _("has executive summary"), default=False
    )
    has_full_report = models.BooleanField(_("has full report"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CountryReviewQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle__number", "state__sort_name"]
        verbose_name = _("country review")
        verbose_name_plural = _("country reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["state", "cycle"],
                name="one_review_per_state_and_cycle",
                violation_error_message=_(
                    "This State already has a review in this cycle."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed")
                | models.Q(completed_on__isnull=False),
                name="completed_review_has_date",
                violation_error_message=_(
                    "A completed review needs its completion date."
                ),
            ),
        ]

    def __str__(self) -> str:
        # Translators: a country review, e.g. "Kenya — cycle 1, year 2".
        return gettext("%(state)s — cycle %(cycle)s, year %(cycle_year)s") % {
            "state": self.state,
            "cycle": self.cycle.number,
            "cycle_year": self.cycle_year,
        }

    def get_absolute_url(self) -> str:
        return reverse("needs:review_detail", kwargs={"pk": self.pk})


class Account(models.Model):
    """A person's role in tatracker and, for a focal point, the State they act for."""

    Role = Role
    Organisation = Organisation

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    state = models.ForeignKey(
        StateParty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="focal_points",
        verbose_name=_("state"),
        help_text=_("The State a focal point acts for; empty for every other role."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language the person reads tatracker and its e-mails in."),
    )
    organisation = models.CharField(
        _("organisation"),
        max_length=13,
        choices=Organisation.choices,
        blank=True,
        help_text=_("For a viewer: a donor or partner, or a United Nations entity."),
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="focal-point", state__isnull=False)
                    | (~models.Q(role="focal-point") & models.Q(state__isnull=True))
                ),
                name="focal_point_has_state",
                violation_error_message=_(
                    "A focal point acts for exactly one State; other roles for none."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role="viewer") & ~models.Q(organisation="")
                    | ~models.Q(role="viewer") & models.Q(organisation="")
                ),
                name="viewer_has_organisation",
                violation_error_message=_(
                    "A viewer works for a donor or partner or for a United Nations "
                    "entity; other roles for neither."
                ),
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.state.code})" if self.state_id else ""
        return f"{self.user.get_username()}: {self.get_role_display()}{where}"


class Handover(models.Model):
    """A State handed from a departing focal point to a successor."""

    state = models.ForeignKey(
        StateParty,
        on_delete=models.PROTECT,
        related_name="handovers",
        verbose_name=_("state"),
    )
    previous = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        # Translators: the departing focal point of a handover.
        verbose_name=_("previous"),
    )
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handovers",
        verbose_name=_("successor"),
    )
    handed_over_at = models.DateTimeField(_("handed over at"), auto_now_add=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-handed_over_at"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.state}: {self.previous} → {self.successor}"


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApiTokenQuerySet":
        """One's own tokens: nobody lists or revokes another person's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class ApiToken(models.Model):
    """A key with which an integration calls the API as its user.

    Only a digest of the key is stored (SHA-256: the key is random, 256 bits); the
    key itself is shown once, when the token is made. A token expires, can be
    revoked one by one, and is revoked with all the user's others when the user's
    password changes or the user leaves (reviews.services).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    # Translators: the name a user gives a token: the integration that uses it.
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    # The key's first characters, to tell one's tokens apart; not enough to use one.
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.prefix}"
