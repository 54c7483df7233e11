"""Input shapes of the follow-up pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from needs.models import Assistance, Need


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
