"""Follow-up of the reviews (paragraphs 72-79 of the 2013 note): the secretariat's
letter and events, prioritized action plans, donors and the assistance they provide,
the State's consent to share, and the reminders sent."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from needs.models.needs import Need
from needs.permissions import action_plan_filter, follow_up_filter
from reviews.models import CountryReview, StateParty
from reviews.permissions import is_secretariat, review_filter


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(follow_up_filter(user, prefix="review__"))


class FollowUp(models.Model):
    """The follow-up of one concluded review: the letter offering to take the outcome
    forward (paragraph 72), who follows up, and the next step."""

    class Channel(models.TextChoices):
        HEADQUARTERS = "headquarters", "Headquarters"
        FIELD_OFFICE = "field-office", "Field office"
        REGIONAL_ADVISER = "regional-adviser", "Regional anti-corruption adviser"

    review = models.OneToOneField(
        CountryReview, on_delete=models.CASCADE, related_name="follow_up"
    )
    letter_sent_on = models.DateField(null=True, blank=True)
    reply = models.TextField(blank=True)
    reply_received_on = models.DateField(null=True, blank=True)
    followed_up_by = models.CharField(
        max_length=20, choices=Channel.choices, default=Channel.HEADQUARTERS
    )
    office = models.CharField(
        max_length=200, blank=True, help_text="Which field office or adviser."
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="Secretariat staff reminded of the next step.",
    )
    next_step = models.CharField(max_length=300, blank=True)
    next_step_due = models.DateField(null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["review__state__name"]
        verbose_name = "follow-up"

    def __str__(self) -> str:
        return f"Follow-up of {self.review}"

    def get_absolute_url(self) -> str:
        return reverse(
            "followup:state_follow_up", kwargs={"code": self.review.state.code}
        )

    def clean(self) -> None:
        if self.reply_received_on and not self.letter_sent_on:
            raise ValidationError({"reply_received_on": "Record the letter first."})
        if (
            self.reply_received_on
            and self.letter_sent_on
            and self.reply_received_on < self.letter_sent_on
        ):
            raise ValidationError(
                {"reply_received_on": "The reply cannot precede the letter."}
            )
        if self.next_step_due and not self.next_step:
            raise ValidationError({"next_step": "Say what is due."})


class FollowUpEvent(models.Model):
    """A country visit, a workshop led by the focal point, or a meeting with donors
    and partners (paragraphs 74 and 76)."""

    class Kind(models.TextChoices):
        COUNTRY_VISIT = "country-visit", "Country visit"
        WORKSHOP = "workshop", "Workshop led by the focal point"
        DONOR_MEETING = "donor-meeting", "Meeting with donors and partners"
        OTHER = "other", "Other"

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="events"
    )
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    participants = models.TextField(blank=True)
    outcome = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"


class ActionPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(action_plan_filter(user))

    def current(self):
        return self.exclude(status=ActionPlan.Status.SUPERSEDED)


class ActionPlan(models.Model):
    """A State's prioritized action plan for the needs identified in its review."""

    class Status(models.TextChoices):
        DRAFTING = "drafting", "Drafting"
        UNDER_DISCUSSION = "under-discussion", "Under discussion"
        ADOPTED = "adopted", "Adopted"
        SUPERSEDED = "superseded", "Superseded"

    state = models.ForeignKey(
        StateParty, on_delete=models.PROTECT, related_name="action_plans"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFTING
    )
    started_on = models.DateField(default=datetime.date.today)
    adopted_on = models.DateField(null=True, blank=True)
    superseded_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = ActionPlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["state__name", "-started_on"]

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("followup:state_follow_up", kwargs={"code": self.state.code})

    def clean(self) -> None:
        if self.status == self.Status.ADOPTED and not self.adopted_on:
            raise ValidationError({"adopted_on": "An adopted plan needs its date."})
        if self.adopted_on and self.started_on and self.adopted_on < self.started_on:
            raise ValidationError({"adopted_on": "Adoption cannot precede the start."})


class ActionPlanItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(plan__in=ActionPlan.objects.visible_to(user))

    def overdue(self, today):
        return self.filter(due_on__lt=today, completed=False)


class ActionPlanItem(models.Model):
    """One ranked entry of an action plan: needs, who acts, by when, to what end, and
    whether it has been integrated into programming (paragraph 72)."""

    class Integration(models.TextChoices):
        NONE = "none", "Not yet integrated"
        UNDAF = "undaf", "UN development assistance framework"
        COUNTRY_PROGRAMME = "country-programme", "UNODC country programme"
        REGIONAL_PROGRAMME = "regional-programme", "UNODC regional programme"
        BILATERAL = "bilateral", "Bilateral programming"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    rank = models.PositiveSmallIntegerField(help_text="1 is the highest priority.")
    group = models.CharField(max_length=200, blank=True, help_text="Thematic grouping.")
    needs = models.ManyToManyField(Need, blank=True, related_name="plan_items")
    responsible_authority = models.CharField(max_length=200)
    due_on = models.DateField("timeline", null=True, blank=True)
    expected_result = models.TextField(blank=True)
    integration = models.CharField(
        max_length=20, choices=Integration.choices, default=Integration.NONE
    )
    integration_reference = models.CharField(max_length=200, blank=True)
    completed = models.BooleanField(default=False)

    objects = ActionPlanItemQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[needs])

    class Meta:
        ordering = ["plan", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "rank"],
                name="one_item_per_rank",
                violation_error_message="Another item of this plan has this rank.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan.title} #{self.rank}: {self.responsible_authority}"

    def clean(self) -> None:
        if self.integration != self.Integration.NONE and not self.integration_reference:
            raise ValidationError(
                {"integration_reference": "Say where it was integrated (a reference)."}
            )


class Donor(models.Model):
    """A donor or partner that provides technical assistance (paragraph 78)."""

    class Kind(models.TextChoices):
        BILATERAL = "bilateral", "Bilateral"
        MULTILATERAL = "multilateral", "Multilateral"
        UN_ENTITY = "un-entity", "United Nations entity"
        REGIONAL = "regional", "Regional organization"
        NGO = "ngo", "Non-governmental organization"
        SOUTH_SOUTH = "south-south", "South-South partner"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    home_country = models.ForeignKey(
        StateParty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a bilateral donor.",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.BILATERAL and not self.home_country_id:
            raise ValidationError(
                {"home_country": "A bilateral donor has a home country."}
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
        PLANNED = "planned", "Planned"
        ONGOING = "ongoing", "Ongoing"
        COMPLETED = "completed", "Completed"
        ENDED = "ended-without-extension", "Ended without extension"

    class Modality(models.TextChoices):
        NATIONAL = "national", "National"
        REGIONAL = "regional", "Regional"
        SOUTH_SOUTH = "south-south", "South-South"

    class Source(models.TextChoices):
        CHECKLIST = "checklist", "Checklist response"
        COUNTRY_VISIT = "country-visit", "Direct dialogue during the country visit"
        DONOR_REPORT = "donor-report", "Donor report"

    title = models.CharField(max_length=300)
    donors = models.ManyToManyField(Donor, blank=True, related_name="assistance")
    implementing_organization = models.CharField(max_length=200, blank=True)
    beneficiaries = models.ManyToManyField(StateParty, related_name="assistance")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.PLANNED
    )
    modality = models.CharField(
        max_length=20, choices=Modality.choices, default=Modality.NATIONAL
    )
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(
        max_length=3, blank=True, help_text="ISO 4217, e.g. USD."
    )
    source = models.CharField(
        max_length=20, choices=Source.choices, default=Source.COUNTRY_VISIT
    )
    needs = models.ManyToManyField(
        Need, through="AssistanceNeed", related_name="assistance"
    )
    notes = models.TextField(blank=True)

    objects = AssistanceQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[donors, beneficiaries])

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name_plural = "assistance"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="assistance_period_ordered",
                violation_error_message="The assistance cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | ~models.Q(currency=""),
                name="assistance_budget_has_currency",
                violation_error_message="A budget needs its currency.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followup:assistance_detail", kwargs={"pk": self.pk})


class AssistanceNeed(models.Model):
    """A need that an assistance addresses, in part or in full."""

    class Coverage(models.TextChoices):
        IN_PART = "in-part", "In part"
        IN_FULL = "in-full", "In full"

    assistance = models.ForeignKey(
        Assistance, on_delete=models.CASCADE, related_name="links"
    )
    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="assistance_links"
    )
    coverage = models.CharField(max_length=10, choices=Coverage.choices)
    note = models.TextField(blank=True, help_text="What this assistance covers.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["assistance", "need"]
        constraints = [
            models.UniqueConstraint(
                fields=["assistance", "need"],
                name="one_link_per_assistance_and_need",
                violation_error_message="This assistance already addresses this need.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assistance} → {self.need} ({self.get_coverage_display()})"


class ConsentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(review_filter(user, prefix="review__"))


class Consent(models.Model):
    """What a State agreed to share from its review, with whom, since when.

    Paragraph 79: the full report is used for follow-up only with the State's
    agreement."""

    class Subject(models.TextChoices):
        SELF_ASSESSMENT = "self-assessment", "Self-assessment checklist"
        FULL_REPORT = "full-report", "Full country review report"
        ACTION_PLAN = "action-plan", "Action plan"
        NEED_DESCRIPTIONS = "need-descriptions", "Descriptions of its needs"

    class Audience(models.TextChoices):
        PUBLIC = "public", "Public"
        DONORS = "donors", "Donors and partners"
        UN_ONLY = "un-only", "United Nations only"

    review = models.ForeignKey(
        CountryReview, on_delete=models.CASCADE, related_name="consents"
    )
    subject = models.CharField(max_length=20, choices=Subject.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    agreed_on = models.DateField()
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["review", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "subject"],
                name="one_consent_per_subject",
                violation_error_message="This review already records consent for this.",
            )
        ]

    def __str__(self) -> str:
        subject, audience = self.get_subject_display(), self.get_audience_display()
        return f"{self.review.state}: {subject} → {audience}"


class Reminder(models.Model):
    """A reminder sent: once per item and period (due soon / overdue, per due date)."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField()
    subject = models.CharField(max_length=200)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key
