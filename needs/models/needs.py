"""What a State needs: need types and the needs identified in country reviews."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from needs.permissions import (
    description_shared_filter,
    need_filter,
    proposal_filter,
    sees_entry_workflow,
)
from reviews.models import Article, CountryReview, NamedInLanguages
from reviews.permissions import is_secretariat


class NeedTypeQuerySet(models.QuerySet):
    def resolve(self, label: str) -> "NeedType":
        """Return the type a slug, name or alias label denotes.

        Raises NeedType.DoesNotExist with the known labels when none matches.
        """
        text = " ".join(label.split()).casefold()
        for need_type in self.prefetch_related("aliases"):
            names = {need_type.slug, need_type.name.casefold()}
            names |= {alias.label.casefold() for alias in need_type.aliases.all()}
            if text in names:
                return need_type
        # Translators: %(label)s is the label as given, quoted.
        message = gettext("Unknown type of need: %(label)s.") % {"label": repr(label)}
        raise NeedType.DoesNotExist(message)


class NeedType(NamedInLanguages):
    """A category of the comprehensive self-assessment checklist."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), unique=True)

    objects = NeedTypeQuerySet.as_manager()

    class Meta:
        ordering = ["display_order"]
        verbose_name = _("need type")
        verbose_name_plural = _("need types")

    def __str__(self) -> str:
        return self.label


class NeedTypeAlias(models.Model):
    """Another label for a need type, as the note's tables spell it."""

    need_type = models.ForeignKey(
        NeedType,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("need type"),
    )
    label = models.CharField(_("label"), max_length=100, unique=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("need type alias")
        verbose_name_plural = _("need type aliases")

    def __str__(self) -> str:
        return self.label


class NeedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The needs `user` may see (`needs.permissions.need_filter`)."""
        return self.filter(need_filter(user))

    def with_sharing(self, user):
        """Annotate `description_shared`: whether `user` may read the description;
        and `workflow_shown`: whether `user` sees where the need stands in the entry
        workflow (`sees_entry_workflow`)."""
        shown = models.Value(sees_entry_workflow(user))
        if is_secretariat(user):
            return self.annotate(
                description_shared=models.Value(True), workflow_shown=shown
            )
        return self.annotate(
            description_shared=models.Case(
                models.When(description_shared_filter(user), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
            workflow_shown=shown,
        )

    def counted(self):
        """Needs the statistics count: accepted by the secretariat at least once;
        their values are the accepted ones (a State's change is a NeedProposal)."""
        return self.filter(accepted_at__isnull=False)

    def pending(self):
        """Entered or changed by the State and not yet submitted."""
        return self.filter(status__in=[Need.Status.DRAFT, Need.Status.RETURNED])

    def with_related(self):
        return self.select_related(
            "review__state__regional_group",
            "review__cycle",
            "article__chapter",
            "need_type",
        )

    def unaddressed(self):
        return self.filter(coverage=Need.Coverage.NOT_YET_ADDRESSED)

    def in_note_order(self):
        return self.order_by(
            "review__state__sort_name",
            "article__chapter__ordinal",
            "article__section",
            "article__number",
            "need_type__display_order",
        )


class Need(models.Model):
    """One technical assistance need: a State's review, an article and a type.

    The counting unit of every statistic is one distinct (review, article, type);
    the review determines the State. Its fields hold the accepted values (what counts
    and what others see); while a State's change is under way it also has a proposal
    (`NeedProposal`), and `status` says where that proposal stands. A need that was
    never accepted (`accepted_at` empty) is itself the State's proposal: only the
    State's focal points and the secretariat see it, and it does not count.
    """

    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")
        UNSET = "unset", _("Not prioritized")

    class Source(models.TextChoices):
        CHECKLIST = "checklist", _("Self-assessment checklist")
        COUNTRY_REPORT = "country-report", _("Country review report")
        EXECUTIVE_SUMMARY = "executive-summary", _("Executive summary")
        COUNTRY_VISIT = (
            "country-visit",
            _("Direct dialogue during the country visit"),
        )

    class Coverage(models.TextChoices):
        NOT_YET_ADDRESSED = "not-yet-addressed", _("Not yet addressed")
        MET_IN_PART = "met-in-part", _("Met in part")
        MET_FULLY = "met-fully", _("Met fully")

    class CoverageBasis(models.TextChoices):
        DERIVED = "derived", _("From the assistance recorded")
        CONFIRMED = "confirmed", _("Confirmed")
        CORRECTED = "corrected", _("Corrected")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the secretariat")
        RETURNED = "returned", _("Returned for revision")
        ACCEPTED = "accepted", _("Accepted")

    review = models.ForeignKey(
        CountryReview,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("review"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("article"),
    )
    need_type = models.ForeignKey(
        NeedType,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("type of need"),
    )
    description = models.TextField(_("description"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.UNSET
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=Source.choices,
        default=Source.EXECUTIVE_SUMMARY,
    )
    coverage = models.CharField(
        _("coverage"),
        max_length=20,
        choices=Coverage.choices,
        default=Coverage.NOT_YET_ADDRESSED,
    )
    remaining = models.TextField(
        _("what still remains to be addressed"),
        blank=True,
        help_text=_("Paragraph 75: what still needs to be addressed to fill the gap."),
    )
    coverage_basis = models.CharField(
        _("coverage basis"),
        max_length=10,
        choices=CoverageBasis.choices,
        default=CoverageBasis.DERIVED,
        help_text=_(
            "Whether the coverage follows the assistance or was set by a person."
        ),
    )
    coverage_reason = models.TextField(_("coverage reason"), blank=True)
    coverage_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coverage set by"),
    )
    coverage_set_at = models.DateTimeField(_("coverage set at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED
    )
    accepted_at = models.DateTimeField(
        _("accepted at"),
        null=True,
        blank=True,
        default=timezone.now,
        help_text=_("First acceptance by the secretariat; only accepted needs count."),
    )
    withdrawal_requested = models.BooleanField(
        _("withdrawal requested"),
        default=False,
        help_text=_("The State asks that this need be withdrawn."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised by every save."),
    )
    # What others see move: every save raises `version` and `updated_at` (a State's
    # proposal saves the row too); these move only when the accepted values change
    # (`accepted_values_changed`), and a viewer reads them in their place. The
    # database's defaults serve rows written in SQL (the benchmark's data).
    accepted_version = models.PositiveIntegerField(
        _("version of the accepted values"),
        default=1,
        db_default=1,
        editable=False,
        help_text=_("Raised each time the accepted values change."),
    )
    accepted_changed_at = models.DateTimeField(
        _("accepted values changed at"),
        default=timezone.now,
        db_default=Now(),
        editable=False,
        help_text=_("When the accepted values last changed."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NeedQuerySet.as_manager()
    # The history is read by need (`id`) and by date (the statistics "as of"); the
    # copies of the foreign keys are not searched, and an index on each would cost
    # every write (an import writes a historical row per need).
    history = HistoricalRecords(
        no_db_index=["review", "article", "need_type", "coverage_set_by"]
    )

    # Written only by their services (the entry workflow in `needs.services`, coverage
    # in `needs.followup.services`); read-only in every form, serializer and admin.
    SERVICE_OWNED_FIELDS = (
        "status",
        "accepted_at",
        "withdrawal_requested",
        "version",
        "accepted_version",
        "accepted_changed_at",
        "coverage",
        "coverage_basis",
        "coverage_reason",
        "coverage_set_by",
        "coverage_set_at",
    )

    class Meta:
        ordering = [
            "review__state__sort_name",
            "article__number",
            "need_type__display_order",
        ]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        # The statistics (`needs.reports.queries`) read counted needs by article or
        # chapter, by type or by coverage: each index covers the four columns they
        # count, so that a filtered document is an index-only range scan.
        indexes = [
            models.Index(
                fields=[leading, *rest],
                condition=models.Q(accepted_at__isnull=False),
                name=f"need_counted_by_{name}",
            )
            for name, leading, rest in [
                ("article", "article", ["review", "need_type", "coverage"]),
                ("type", "need_type", ["review", "article", "coverage"]),
                ("coverage", "coverage", ["review", "article", "need_type"]),
            ]
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "article", "need_type"],
                name="one_need_per_review_article_type",
                violation_error_message=_(
                    "This review already records this type of need for this article; "
                    "edit the existing need instead."
                ),
            )
        ]

    def __str__(self) -> str:
        # Translators: a need, e.g. "Kenya · art. 15 · Legislative assistance"
        # ("art." abbreviates "article").
        return gettext("%(state)s · art. %(article)s · %(need_type)s") % {
            "state": self.review.state,
            "article": self.article.number,
            "need_type": self.need_type,
        }

    # The fields that say which need this is (one per review, article and type).
    KEY_FIELDS = ("review", "article", "need_type")

    def save(self, *args, update_version: bool = True, **kwargs):
        """Every save of an existing need raises its version (optimistic locking)."""
        if self.pk and update_version:
            self.version += 1
        super().save(*args, **kwargs)
        self._stored_key = self._key()

    def get_absolute_url(self) -> str:
        return reverse("needs:need_detail", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        need = super().from_db(db, field_names, values, **kwargs)
        need._stored_key = need._key()
        return need

    def _key(self) -> tuple:
        # (From __dict__: a deferred field is not loaded for this.)
        return tuple(self.__dict__.get(f"{name}_id") for name in self.KEY_FIELDS)

    def key_as_stored(self) -> bool:
        """Whether review, article and type are as the database holds them (then
        they were validated when stored: they exist, the article is in a chapter
        of the review's cycle, no other need of the review has them)."""
        return getattr(self, "_stored_key", None) == self._key()

    def accepted_values_changed(self, at) -> None:
        """Record that the accepted values change at `at` (not saved). Called only
        by the services that change them (an acceptance, the secretariat's own
        change, coverage), once per change, so that a viewer sees the need move
        then and only then. A State's new need has version 0 until accepted
        (`accepted_at` set): a change before that is none."""
        if self.accepted_at is None:
            return
        self.accepted_version += 1
        self.accepted_changed_at = at

    def last_changed(self, *, workflow_shown: bool) -> tuple:
        """(when, version) of the need as a reader sees it: every save for those
        who see the entry workflow (`sees_entry_workflow`), the accepted values'
        last change for the others."""
        if workflow_shown:
            return self.updated_at, self.version
        return self.accepted_changed_at, self.accepted_version

    @property
    def pending_proposal(self) -> "NeedProposal | None":
        """The State's proposal under way, if any."""
        try:
            return self.proposal
        except NeedProposal.DoesNotExist:
            return None

    def proposed(self, field: str):
        """The value the State proposes for `field` (the accepted one if none)."""
        proposal = self.pending_proposal
        if proposal is None or proposal.kind == NeedProposal.Kind.WITHDRAWAL:
            return getattr(self, field)
        return getattr(proposal, field)

    def clean(self) -> None:
        super().clean()
        if self.review_id and self.article_id and not self.key_as_stored():
            allowed = set(self.review.cycle.chapters.values_list("pk", flat=True))
            if self.article.chapter_id not in allowed:
                numbers = ", ".join(
                    self.review.cycle.chapters.order_by("ordinal").values_list(
                        "number", flat=True
                    )
                )
                message = gettext(
                    # Translators: %(chapter)s is a Roman numeral; %(chapters)s a
                    # list of them, e.g. "II, V".
                    "Article %(article)s is in chapter %(chapter)s, which cycle "
                    "%(cycle)s does not review (it reviews chapters %(chapters)s)."
                ) % {
                    "article": self.article.number,
                    "chapter": self.article.chapter.number,
                    "cycle": self.review.cycle.number,
                    "chapters": numbers,
                }
                raise ValidationError({"article": message})


class NeedProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Proposals of the needs `user` may see, for those who may see proposals
        (the State's focal points and the secretariat; never a viewer)."""
        return self.filter(need__in=Need.objects.visible_to(user)).filter(
            proposal_filter(user)
        )

    def unchanged_since_return(self):
        """Proposals the secretariat returned whose kind and values are now those
        it returned (untouched since, or changed and changed back): their last
        historical row returned holds the same values. One subquery."""
        history = NeedProposal.history.model.objects
        last_return = history.filter(
            id=models.OuterRef(models.OuterRef("pk")),
            status=NeedProposal.Status.RETURNED,
        ).order_by("-history_date", "-history_id")
        same = history.filter(
            history_id=models.Subquery(last_return.values("history_id")[:1]),
            **{field: models.OuterRef(field) for field in NeedProposal.COMPARED_FIELDS},
        )
        return self.filter(models.Exists(same))


class NeedProposal(models.Model):
    """A State's proposed new need, change or withdrawal, until the secretariat decides.

    Draft, then submitted; accepted (its values become the need's accepted values
    and the proposal goes) or returned with a comment (it stays with the State).
    """

    class Kind(models.TextChoices):
        NEW = "new", _("New need")
        CHANGE = "change", _("Change")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the secretariat")
        RETURNED = "returned", _("Returned for revision")

    need = models.OneToOneField(
        Need,
        on_delete=models.CASCADE,
        related_name="proposal",
        verbose_name=_("need"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    description = models.TextField(_("description"), blank=True)
    priority = models.CharField(
        _("priority"),
        max_length=8,
        choices=Need.Priority.choices,
        default=Need.Priority.UNSET,
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=Need.Source.choices,
        default=Need.Source.CHECKLIST,
    )
    remaining = models.TextField(_("what still remains to be addressed"), blank=True)
    coverage = models.CharField(
        _("coverage"),
        max_length=20,
        choices=Need.Coverage.choices,
        blank=True,
        help_text=_("Coverage the State reports (paragraph 75); empty: unchanged."),
    )
    coverage_reason = models.TextField(_("coverage reason"), blank=True)
    return_comment = models.TextField(_("return comment"), blank=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        help_text=_("The need's version when the proposal was last written."),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    submitted_at = models.DateTimeField(
        _("submitted at"),
        null=True,
        blank=True,
        help_text=_("When the State last submitted it to the secretariat."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NeedProposalQuerySet.as_manager()
    # Read by need (`need_id`) and by date; the proposer's copy is not searched.
    history = HistoricalRecords(no_db_index=["proposed_by"])

    VALUE_FIELDS = ("description", "priority", "source", "remaining")
    # What a resubmission is compared on with what the secretariat returned.
    COMPARED_FIELDS = ("kind", *VALUE_FIELDS, "coverage", "coverage_reason")

    class Meta:
        ordering = ["need"]
        verbose_name = _("need proposal")
        verbose_name_plural = _("need proposals")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.need}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, accepted value, proposed value) for each field that differs."""
        if self.kind == self.Kind.WITHDRAWAL:
            return []
        fields = list(self.VALUE_FIELDS)
        if self.coverage:
            fields.append("coverage")
        return [
            (field, getattr(self.need, field), getattr(self, field))
            for field in fields
            if self.kind == self.Kind.NEW
            or getattr(self.need, field) != getattr(self, field)
        ]


class EntryEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Steps of the entry workflow: the State's focal points and the secretariat."""
        return self.filter(proposal_filter(user, prefix=""))


class EntryEvent(models.Model):
    """A step of the entry workflow of a review's needs (submitted, accepted, …)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted to the secretariat")
        ACCEPTED = "accepted", _("Accepted by the secretariat")
        RETURNED = "returned", _("Returned for revision")

    review = models.ForeignKey(
        CountryReview,
        on_delete=models.CASCADE,
        related_name="entry_events",
        verbose_name=_("review"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Translators: when the step of the entry workflow happened (a date and time).
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    need_count = models.PositiveIntegerField(_("need count"), default=0)

    objects = EntryEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("entry event")
        verbose_name_plural = _("entry events")

    def __str__(self) -> str:
        return f"{self.review}: {self.get_action_display()} ({self.at:%Y-%m-%d})"


class EntryDecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(event__in=EntryEvent.objects.visible_to(user))


class EntryDecision(models.Model):
    """The secretariat's decision on one proposal of a submission: accepted or
    returned, with the comment on that need. The need, its article and type are kept
    as they were (an accepted withdrawal deletes the need)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for revision")

    event = models.ForeignKey(
        EntryEvent,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("decision"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("need"),
    )
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="+", verbose_name=_("article")
    )
    need_type = models.ForeignKey(
        NeedType,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("type of need"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NeedProposal.Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True)

    objects = EntryDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["event", "article__number", "need_type__display_order"]
        verbose_name = _("decision on a need")
        verbose_name_plural = _("decisions on needs")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.article} · {self.need_type}"
