"""Follow-up of the reviews (paragraphs 72-79 of the 2013 note): the secretariat's
letter and events, prioritized action plans, donors and the assistance they provide,
the State's consent to share, and the reminders sent."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from needs.models.needs import Need
from needs.permissions import (
    action_plan_filter,
    assistance_report_filter,
    follow_up_filter,
)
from reviews.models import CountryReview, StateParty
from reviews.permissions import is_secretariat, review_filter


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(follow_up_filter(user, prefix="review__"))


class FollowUp(models.Model):
    """The follow-up of one concluded review: the letter offering to take the outcome
    forward (paragraph 72), who follows up, and the next step."""

    class Channel(models.TextChoices):
        HEADQUARTERS = "headquarters", _("Headquarters")
        FIELD_OFFICE = "field-office", _("Field office")
        REGIONAL_ADVISER = "regional-adviser", _("Regional anti-corruption adviser")

    review = models.OneToOneField(
        CountryReview,
        on_delete=models.CASCADE,
        related_name="follow_up",
        verbose_name=_("review"),
    )
    letter_sent_on = models.DateField(_("letter sent on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    reply_received_on = models.DateField(_("reply received on"), null=True, blank=True)
    followed_up_by = models.CharField(
        _("followed up by"),
        max_length=20,
        choices=Channel.choices,
        default=Channel.HEADQUARTERS,
    )
    office = models.CharField(
        _("office"),
        max_length=200,
        blank=True,
        help_text=_("Which field office or adviser."),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("responsible"),
        help_text=_("Secretariat staff reminded of the next step."),
    )
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["review__state__sort_name"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        # Translators: %(review)s is a country review, e.g. "Kenya — cycle 1, year 2".
        return gettext("Follow-up of %(review)s") % {"review": self.review}

    def get_absolute_url(self) -> str:
        return reverse(
            "followup:state_follow_up", kwargs={"code": self.review.state.code}
        )

    def clean(self) -> None:
        if self.reply_received_on and not self.letter_sent_on:
            raise ValidationError(
                {"reply_received_on": gettext("Record the letter first.")}
            )
        if (
            self.reply_received_on
            and self.letter_sent_on
            and self.reply_received_on < self.letter_sent_on
        ):
            raise ValidationError(
                {"reply_received_on": gettext("The reply cannot precede the letter.")}
            )
        if self.next_step_due and not self.next_step:
            raise ValidationError({"next_step": gettext("Say what is due.")})


class FollowUpEvent(models.Model):
    """A country visit, a workshop led by the focal point, or a meeting with donors
    and partners (paragraphs 74 and 76)."""

    class Kind(models.TextChoices):
        COUNTRY_VISIT = "country-visit", _("Country visit")
        WORKSHOP = "workshop", _("Workshop led by the focal point")
        DONOR_MEETING = "donor-meeting", _("Meeting with donors and partners")
        OTHER = "other", _("Other")

    follow_up = models.ForeignKey(
        FollowUp,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("follow up"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    participants = models.TextField(_("participants"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        # Translators: a country visit, workshop or meeting of the follow-up.
        verbose_name = _("follow up event")
        verbose_name_plural = _("follow up events")

    def __str__(self) -> str:
        # Translators: an event of the follow-up, e.g. "Country visit on 2024-03-18".
        return gettext("%(kind)s on %(date)s") % {
            "kind": self.get_kind_display(),
            "date": self.date,
        }


class ActionPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(action_plan_filter(user))

    def current(self):
        return self.exclude(status=ActionPlan.Status.SUPERSEDED)


class ActionPlan(models.Model):
    """A State's prioritized action plan for the needs identified in its review."""

    class Status(models.TextChoices):
        DRAFTING = "drafting", _("Drafting")
        UNDER_DISCUSSION = "under-discussion", _("Under discussion")
        ADOPTED = "adopted", _("Adopted")
        SUPERSEDED = "superseded", _("Superseded")

    state = models.ForeignKey(
        StateParty,
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("state"),
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFTING
    )
    started_on = models.DateField(_("started on"), default=datetime.date.today)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ActionPlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["state__sort_name", "-started_on"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("followup:state_follow_up", kwargs={"code": self.state.code})

    def clean(self) -> None:
        if self.status == self.Status.ADOPTED and not self.adopted_on:
            raise ValidationError(
                {"adopted_on": gettext("An adopted plan needs its date.")}
            )
        if self.adopted_on and self.started_on and self.adopted_on < self.started_on:
            raise ValidationError(
                {"adopted_on": gettext("Adoption cannot precede the start.")}
            )


class ActionPlanItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(plan__in=ActionPlan.objects.visible_to(user))

    def overdue(self, today):
        return self.filter(due_on__lt=today, completed=False)


class ActionPlanItem(models.Model):
    """One ranked entry of an action plan: needs, who acts, by when, to what end, and
    whether it has been integrated into programming (paragraph 72)."""

    class Integration(models.TextChoices):
        NONE = "none", _("Not yet integrated")
        UNDAF = "undaf", _("UN development assistance framework")
        COUNTRY_PROGRAMME = "country-programme", _("UNODC country programme")
        REGIONAL_PROGRAMME = "regional-programme", _("UNODC regional programme")
        BILATERAL = "bilateral", _("Bilateral programming")

    plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("plan"),
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("1 is the highest priority.")
    )
    group = models.CharField(
        _("group"), max_length=200, blank=True, help_text=_("Thematic grouping.")
    )
    needs = models.ManyToManyField(
        Need, blank=True, related_name="plan_items", verbose_name=_("needs")
    )
    responsible_authority = models.CharField(_("responsible authority"), max_length=200)
    due_on = models.DateField(_("timeline"), null=True, blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    integration = models.CharField(
        _("integration"),
        max_length=20,
        choices=Integration.choices,
        default=Integration.NONE,
    )
    integration_reference = models.CharField(
        _("integration reference"), max_length=200, blank=True
    )
    completed = models.BooleanField(_("completed"), default=False)

    objects = ActionPlanItemQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[needs])

    class Meta:
        ordering = ["plan", "rank", "pk"]
        verbose_name = _("action plan item")
        verbose_name_plural = _("action plan items")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "rank"],
                name="one_item_per_rank",
                violation_error_message=_("Another item of this plan has this rank."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan.title} #{self.rank}: {self.responsible_authority}"

    def clean(self) -> None:
        if self.integration != self.Integration.NONE and not self.integration_reference:
            raise ValidationError(
                {
                    "integration_reference": gettext(
                        "Say where it was integrated (a reference)."
                    )
                }
            )


class Donor(models.Model):
    """A donor or partner that provides technical assistance (paragraph 78)."""

    class Kind(models.TextChoices):
        BILATERAL = "bilateral", _("Bilateral")
        MULTILATERAL = "multilateral", _("Multilateral")
        UN_ENTITY = "un-entity", _("United Nations entity")
        REGIONAL = "regional", _("Regional organization")
        NGO = "ngo", _("Non-governmental organization")
        SOUTH_SOUTH = "south-south", _("South-South partner")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    iati_ref = models.CharField(
        _("IATI organisation identifier"), max_length=150, blank=True
    )
    home_country = models.ForeignKey(
        StateParty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home country"),
        help_text=_("For a bilateral donor."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.BILATERAL and not self.home_country_id:
            raise ValidationError(
                {"home_country": gettext("A bilateral donor has a home country.")}
            )


class AssistanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Assistance with at least one beneficiary State the user may see (the
        secretariat also sees assistance whose beneficiaries are not yet recorded)."""
        if is_secretariat(user):
            return self.all()
        visible = StateParty.objects.visible_to(user)
        return self.filter(pk__in=self.model.objects.filter(beneficiaries__in=visible))


class Assistance(models.Model):
    """A technical assistance project or activity and the needs it addresses."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        ENDED = "ended-without-extension", _("Ended without extension")
        CANCELLED = "cancelled", _("Cancelled")
        SUSPENDED = "suspended", _("Suspended")

    class Modality(models.TextChoices):
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Regional")
        SOUTH_SOUTH = "south-south", _("South-South")

    class Source(models.TextChoices):
        CHECKLIST = "checklist", _("Checklist response")
        COUNTRY_VISIT = (
            "country-visit",
            _("Direct dialogue during the country visit"),
        )
        DONOR_REPORT = "donor-report", _("Donor report")
        STATE_REPORT = "state-report", _("Reported by the State's focal point")

    title = models.CharField(_("title"), max_length=300)
    donors = models.ManyToManyField(
        Donor, blank=True, related_name="assistance", verbose_name=_("donors")
    )
    implementing_organization = models.CharField(
        _("implementing organization"), max_length=200, blank=True
    )
    beneficiaries = models.ManyToManyField(
        StateParty, related_name="assistance", verbose_name=_("beneficiaries")
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.PLANNED
    )
    modality = models.CharField(
        _("modality"),
        max_length=20,
        choices=Modality.choices,
        default=Modality.NATIONAL,
    )
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("ISO 4217, e.g. USD.")
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=Source.choices,
        default=Source.COUNTRY_VISIT,
    )
    needs = models.ManyToManyField(
        Need,
        through="AssistanceNeed",
        related_name="assistance",
        verbose_name=_("needs"),
    )
    notes = models.TextField(_("notes"), blank=True)
    iati_identifier = models.CharField(
        _("IATI identifier"),
        max_length=150,
        blank=True,
        help_text=_("The activity's iati-identifier, when it came from IATI."),
    )
    sectors = models.JSONField(
        _("sectors"),
        default=list,
        blank=True,
        help_text=_("Sector codes of the IATI activity (vocabulary and code)."),
    )

    objects = AssistanceQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[donors, beneficiaries])

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="assistance_period_ordered",
                violation_error_message=_(
                    "The assistance cannot end before it starts."
                ),
            ),
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=~models.Q(iati_identifier=""),
                name="one_assistance_per_iati_identifier",
                violation_error_message=_(
                    "Another assistance record has this IATI identifier."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | ~models.Q(currency=""),
                name="assistance_budget_has_currency",
                violation_error_message=_("A budget needs its currency."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followup:assistance_detail", kwargs={"pk": self.pk})


class AssistanceNeed(models.Model):
    """A need that an assistance addresses, in part or in full."""

    class Coverage(models.TextChoices):
        IN_PART = "in-part", _("In part")
        IN_FULL = "in-full", _("In full")

    assistance = models.ForeignKey(
        Assistance,
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name=_("assistance"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.CASCADE,
        related_name="assistance_links",
        verbose_name=_("need"),
    )
    coverage = models.CharField(_("coverage"), max_length=10, choices=Coverage.choices)
    note = models.TextField(
        _("note"), blank=True, help_text=_("What this assistance covers.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["assistance", "need"]
        verbose_name = _("assistance need")
        verbose_name_plural = _("assistance needs")
        constraints = [
            models.UniqueConstraint(
                fields=["assistance", "need"],
                name="one_link_per_assistance_and_need",
                violation_error_message=_(
                    "This assistance already addresses this need."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.assistance} → {self.need} ({self.get_coverage_display()})"


class AssistanceReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The secretariat's, and a focal point's own State's; never a viewer's."""
        return self.filter(assistance_report_filter(user))

    def awaiting(self):
        return self.filter(confirmation=AssistanceReport.Confirmation.AWAITING)


class AssistanceReport(models.Model):
    """Assistance that a State's focal point reports as addressing its needs
    (paragraphs 75-76): a report, not a fact. It counts for nothing (coverage, donor
    mapping, what donors see) until the secretariat confirms it, possibly correcting
    it; confirming records an `Assistance` with its links to the needs."""

    class Confirmation(models.TextChoices):
        AWAITING = "awaiting", _("Reported, awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Not confirmed")

    SERVICE_OWNED_FIELDS = (
        "state",
        "confirmation",
        "reported_by",
        "reported_at",
        "decided_by",
        "decided_at",
        "decision_comment",
        "assistance",
    )

    state = models.ForeignKey(
        StateParty,
        on_delete=models.PROTECT,
        related_name="assistance_reports",
        verbose_name=_("state"),
    )
    title = models.CharField(_("title"), max_length=300)
    donor = models.ForeignKey(
        Donor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("donor"),
    )
    donor_name = models.CharField(
        _("donor's name"),
        max_length=200,
        blank=True,
        help_text=_("If the donor is not in the list."),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=Assistance.Status.choices,
        default=Assistance.Status.ONGOING,
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("What it provides, and anything else.")
    )
    confirmation = models.CharField(
        _("confirmation"),
        max_length=10,
        choices=Confirmation.choices,
        default=Confirmation.AWAITING,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), null=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or declined by"),
    )
    decided_at = models.DateTimeField(
        _("confirmed or declined at"), null=True, blank=True
    )
    decision_comment = models.TextField(_("secretariat's comment"), blank=True)
    assistance = models.OneToOneField(
        Assistance,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report",
        verbose_name=_("assistance recorded"),
    )

    objects = AssistanceReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["reported_at", "pk"]
        verbose_name = _("assistance report")
        verbose_name_plural = _("assistance reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="assistance_report_period_ordered",
                violation_error_message=_(
                    "The assistance cannot end before it starts."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followup:state_follow_up", kwargs={"code": self.state.code})

    @property
    def donor_label(self) -> str:
        """The donor as reported: the one chosen, else the name typed."""
        return str(self.donor) if self.donor_id else self.donor_name

    def clean(self) -> None:
        if not self.donor_id and not self.donor_name.strip():
            raise ValidationError(
                {"donor": gettext("Choose the donor, or type its name.")}
            )
        if self.donor_id and self.donor_name.strip():
            raise ValidationError(
                {"donor_name": gettext("Choose the donor or type a name, not both.")}
            )


class AssistanceReportNeed(models.Model):
    """A need that reported assistance addresses, in part or in full, as reported."""

    report = models.ForeignKey(
        AssistanceReport,
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name=_("assistance report"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.CASCADE,
        related_name="reported_links",
        verbose_name=_("need"),
    )
    coverage = models.CharField(
        _("coverage"), max_length=10, choices=AssistanceNeed.Coverage.choices
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "need"]
        verbose_name = _("need of an assistance report")
        verbose_name_plural = _("needs of assistance reports")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "need"],
                name="one_link_per_report_and_need",
                violation_error_message=_("This report already names this need."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.need} ({self.get_coverage_display()})"


class ConsentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(review_filter(user, prefix="review__"))


class Consent(models.Model):
    """What a State agreed to share from its review, with whom, since when.

    Paragraph 79: the full report is used for follow-up only with the State's
    agreement."""

    class Subject(models.TextChoices):
        SELF_ASSESSMENT = "self-assessment", _("Self-assessment checklist")
        FULL_REPORT = "full-report", _("Full country review report")
        ACTION_PLAN = "action-plan", _("Action plan")
        NEED_DESCRIPTIONS = "need-descriptions", _("Descriptions of its needs")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public")
        DONORS = "donors", _("Donors and partners")
        UN_ONLY = "un-only", _("United Nations only")

    review = models.ForeignKey(
        CountryReview,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("review"),
    )
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    agreed_on = models.DateField(_("agreed on"))
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["review", "subject"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "subject"],
                name="one_consent_per_subject",
                violation_error_message=_(
                    "This review already records consent for this."
                ),
            )
        ]

    def __str__(self) -> str:
        subject, audience = self.get_subject_display(), self.get_audience_display()
        return f"{self.review.state}: {subject} → {audience}"


class Reminder(models.Model):
    """A reminder sent: once per item and period (due soon / overdue, per due date)."""

    key = models.CharField(_("key"), max_length=120, unique=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=200)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return self.key
