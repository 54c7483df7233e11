"""Input shapes of the data exchange pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from needs.models import Assistance


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8) or XLSX with the needs export's columns: state_code, cycle, "
            "article, type, and any of description, priority, source, remaining."
        ),
    )


GOVERNANCE_HELP = _(
    "Only the activities with a DAC sector of government and civil society (151xx: "
    "15113 anti-corruption organisations, 15130 legal and judicial development, …) "
    "or 15210 security system management; the others are skipped."
)


class IatiUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("An IATI activity file, version 2.01 to 2.03.")
    )
    governance_only = forms.BooleanField(
        label=_("Only anti-corruption and justice sectors"),
        required=False,
        help_text=GOVERNANCE_HELP,
    )


class IatiConfirmForm(forms.Form):
    """The preview's choice of sectors, carried to the confirmation."""

    governance_only = forms.BooleanField(
        label=_("Only anti-corruption and justice sectors"),
        required=False,
        help_text=GOVERNANCE_HELP,
    )


class ConfirmForm(forms.Form):
    accept = forms.BooleanField(
        label=_("Accept the imported needs now, as the secretariat's decision"),
        required=False,
    )


class AssistanceIatiForm(forms.Form):
    """The filters of the IATI file: donor mapping's statuses (none ticked: its
    default) and, from a State's follow-up page, the beneficiary State."""

    status = forms.MultipleChoiceField(
        choices=Assistance.Status.choices,
        required=False,
        label=_("Status of the projects"),
    )
    state = forms.CharField(max_length=8, required=False, label=_("State code"))
