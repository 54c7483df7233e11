"""Input shapes of the follow-up pages."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    Consent,
    Donor,
    FollowUp,
    FollowUpEvent,
    Need,
)
from reviews.models import StateParty
from reviews.roles import STAFF_ROLES


class DeskForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=3650,
        initial=90,
        required=False,
        label=_("Days after the letter without an action plan"),
    )


class MappingForm(forms.Form):
    """Donor mapping's columns and the status of the projects it counts (none
    ticked: the default, `selectors.MAPPING_STATUSES`)."""

    by = forms.ChoiceField(
        choices=[
            ("type", _("By type")),
            ("article", _("By article")),
            ("region", _("By region")),
            ("state", _("By state")),
        ],
        required=False,
    )
    status = forms.MultipleChoiceField(
        choices=Assistance.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Status of the projects"),
    )


class ClusterForm(forms.Form):
    threshold = forms.IntegerField(
        min_value=2,
        max_value=50,
        initial=3,
        required=False,
        label=_("At least this many States"),
    )


class CoverageForm(forms.Form):
    """Confirm or correct a need's coverage; the reason is required."""

    coverage = forms.ChoiceField(choices=Need.Coverage.choices, label=_("Coverage"))
    remaining = forms.CharField(
        label=_("What still remains to be addressed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


# ---------------------------------------------------------------------------
# The follow-up recorded in the app: input shapes only (the services save)
# ---------------------------------------------------------------------------
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
ROWS = forms.Textarea(attrs={"rows": 3})


class PeriodMixin:
    """An end before the start is the `ends_on` field's error (the model's
    constraint would report it for the whole form)."""

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error(
                "ends_on", gettext("The assistance cannot end before it starts.")
            )
        return data


class NeedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, need) -> str:
        return str(need)


class NeedsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, need) -> str:
        return str(need)


def secretariat_users(keep=None):
    """Who may be responsible for a follow-up's next step: active secretariat
    staff and administrators (and `keep`, the one recorded, whoever it is now)."""
    staff = Q(is_active=True) & (
        Q(account__role__in=STAFF_ROLES) | Q(is_superuser=True)
    )
    return get_user_model().objects.filter(staff | Q(pk=keep)).order_by("username")


class FollowUpForm(forms.ModelForm):
    """The letter of paragraph 72, the reply, who follows up, the next step."""

    class Meta:
        model = FollowUp
        fields = [
            "letter_sent_on",
            "reply_received_on",
            "reply",
            "followed_up_by",
            "office",
            "responsible",
            "next_step",
            "next_step_due",
        ]
        widgets = {
            "letter_sent_on": DATE,
            "reply_received_on": DATE,
            "next_step_due": DATE,
            "reply": ROWS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        responsible = self.instance.responsible_id
        self.fields["responsible"].queryset = secretariat_users(keep=responsible)


class FollowUpEventForm(forms.ModelForm):
    class Meta:
        model = FollowUpEvent
        fields = ["date", "kind", "participants", "outcome"]
        widgets = {"date": DATE, "participants": ROWS, "outcome": ROWS}


class ActionPlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = [
            "title",
            "status",
            "started_on",
            "adopted_on",
            "superseded_on",
            "notes",
        ]
        widgets = {
            "started_on": DATE,
            "adopted_on": DATE,
            "superseded_on": DATE,
            "notes": ROWS,
        }


class ActionPlanItemForm(forms.ModelForm):
    """One ranked item; its needs are chosen among the State's (`needs` queryset set
    by the formset)."""

    needs = NeedsChoiceField(
        queryset=Need.objects.none(), required=False, label=_("Needs")
    )

    class Meta:
        model = ActionPlanItem
        fields = [
            "rank",
            "needs",
            "group",
            "responsible_authority",
            "due_on",
            "expected_result",
            "integration",
            "integration_reference",
            "completed",
        ]
        widgets = {"due_on": DATE, "expected_result": ROWS}

    def __init__(self, *args, needs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if needs is not None:
            self.fields["needs"].queryset = needs


class RowsFormSet(forms.BaseFormSet):
    """Rows kept, deleted or left blank: `rows()` gives the values of those kept."""

    def rows(self) -> list[dict]:
        delete = forms.formsets.DELETION_FIELD_NAME
        return [
            {name: value for name, value in form.cleaned_data.items() if name != delete}
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and not self._should_delete_form(form)
        ]


class NeedRowsFormSet(RowsFormSet):
    """Rows that choose among `needs` (a queryset); `unique` names the field that
    no two rows may share, and the error the second one gets."""

    unique: tuple[str, str] = ("", "")

    def __init__(self, *args, needs=None, **kwargs):
        self.needs = needs
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"needs": self.needs}

    def clean(self):
        name, message = self.unique
        seen = set()
        for form in self.forms:
            value = getattr(form, "cleaned_data", {}).get(name)
            if value is None or self._should_delete_form(form):
                continue
            if value in seen:
                form.add_error(name, str(message))
            seen.add(value)


class PlanItemFormSet(NeedRowsFormSet):
    unique = ("rank", _("Another item of this plan has this rank."))


class LinkFormSet(NeedRowsFormSet):
    unique = ("need", _("This assistance already addresses this need."))


def rows_formset(form, formset=RowsFormSet, extra=2):
    return forms.formset_factory(
        form, formset=formset, extra=extra, can_delete=True, can_delete_extra=False
    )


EventFormSet = rows_formset(FollowUpEventForm)
ItemFormSet = rows_formset(ActionPlanItemForm, PlanItemFormSet, extra=3)


class DonorForm(forms.ModelForm):
    class Meta:
        model = Donor
        fields = ["name", "kind", "home_country", "notes"]
        widgets = {"notes": ROWS}


class AssistanceForm(PeriodMixin, forms.ModelForm):
    """An assistance record; the needs it addresses are the links formset's."""

    class Meta:
        model = Assistance
        fields = [
            "title",
            "donors",
            "implementing_organization",
            "beneficiaries",
            "modality",
            "status",
            "starts_on",
            "ends_on",
            "budget",
            "currency",
            "source",
            "notes",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "notes": ROWS,
            "donors": forms.SelectMultiple(attrs={"size": 6}),
            "beneficiaries": forms.SelectMultiple(attrs={"size": 6}),
        }

    def clean(self):
        data = super().clean()
        if data.get("budget") is not None and not data.get("currency"):
            self.add_error("currency", gettext("A budget needs its currency."))
        beneficiaries = data.get("beneficiaries")
        national = data.get("modality") == Assistance.Modality.NATIONAL
        if national and beneficiaries is not None and len(beneficiaries) > 1:
            self.add_error(
                "modality",
                gettext("National assistance serves one State; use regional."),
            )
        return data


class AssistanceLinkForm(forms.Form):
    """A need the assistance addresses, in part or in full."""

    need = NeedChoiceField(queryset=Need.objects.none(), label=_("Need"))
    # The value a browser sends for an untouched row: an empty row is then
    # unchanged, and left out rather than refused for its missing need.
    coverage = forms.ChoiceField(
        choices=AssistanceNeed.Coverage.choices,
        initial=AssistanceNeed.Coverage.IN_PART,
        label=_("Addressed"),
    )
    note = forms.CharField(
        required=False,
        label=_("Note"),
        help_text=_("What this assistance covers."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, needs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if needs is not None:
            self.fields["need"].queryset = needs


LinksFormSet = rows_formset(AssistanceLinkForm, LinkFormSet, extra=3)


class NewDonorForm(forms.Form):
    """When confirming a report that names a donor not yet recorded: record it."""

    name = forms.CharField(
        required=False,
        max_length=200,
        label=_("Record a new donor named"),
        help_text=_("Leave empty if you chose the donor among those recorded."),
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *Donor.Kind.choices],
        label=_("Kind of donor"),
    )
    home_country = forms.ModelChoiceField(
        queryset=StateParty.objects.all(),
        required=False,
        label=_("Home country"),
        help_text=_("For a bilateral donor."),
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("kind"):
            self.add_error("kind", gettext("Say what kind of donor it is."))
        if data.get("name") and Donor.objects.filter(name__iexact=data["name"]):
            self.add_error(
                "name", gettext("A donor of this name is recorded: choose it.")
            )
        return data

    def donor(self) -> Donor | None:
        """The donor to record (unsaved), or None."""
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return Donor(
            name=data["name"], kind=data["kind"], home_country=data["home_country"]
        )


class ConsentForm(forms.Form):
    """What the State agreed to share, with whom, since when (paragraph 79); a
    subject already recorded is replaced."""

    subject = forms.ChoiceField(choices=Consent.Subject.choices, label=_("Subject"))
    audience = forms.ChoiceField(
        choices=Consent.Audience.choices, label=_("Shared with")
    )
    agreed_on = forms.DateField(widget=DATE, label=_("Agreed on"))
    notes = forms.CharField(required=False, widget=ROWS, label=_("Notes"))


class DecisionForm(forms.Form):
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Comment to the State"),
    )


class DeclineForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Why it is not confirmed"),
    )


class AssistanceReportForm(PeriodMixin, forms.ModelForm):
    """A focal point's report of assistance for its State's needs: the donor (chosen
    among those recorded, or its name typed), title, period, status, and for each
    need of the State whether it is addressed, in part or in full. Fields of the
    needs: need-<pk>."""

    NOT_ADDRESSED = ""

    class Meta:
        model = AssistanceReport
        fields = [
            "donor",
            "donor_name",
            "title",
            "starts_on",
            "ends_on",
            "status",
            "notes",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "notes": ROWS}

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = list(needs)
        self.fields["donor"].empty_label = gettext("— not in the list —")
        reported = {}
        if self.instance.pk:
            reported = dict(self.instance.links.values_list("need_id", "coverage"))
        choices = [
            (self.NOT_ADDRESSED, gettext("Not addressed by it")),
            *AssistanceNeed.Coverage.choices,
        ]
        for need in self.needs:
            self.fields[f"need-{need.pk}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=str(need),
                initial=reported.get(need.pk, self.NOT_ADDRESSED),
            )

    def need_fields(self):
        return [self[f"need-{need.pk}"] for need in self.needs]

    def detail_fields(self):
        return [self[name] for name in self._meta.fields]

    def clean(self):
        data = super().clean()
        if not self.links():
            self.add_error(
                None, gettext("Say which of the State's needs it addresses.")
            )
        return data

    def links(self) -> list[dict]:
        """[{"need", "coverage"}] of the needs marked addressed."""
        data = getattr(self, "cleaned_data", {})
        return [
            {"need": need, "coverage": data[f"need-{need.pk}"]}
            for need in self.needs
            if data.get(f"need-{need.pk}")
        ]
