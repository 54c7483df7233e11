"""Input shapes of the data exchange pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8) or XLSX with the needs export's columns: state_code, cycle, "
            "article, type, and any of description, priority, source, remaining."
        ),
    )


class IatiUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("An IATI activity file, version 2.01 to 2.03.")
    )
    governance_only = forms.BooleanField(
        label=_("Only anti-corruption and justice sectors"), required=False
    )


class ConfirmForm(forms.Form):
    accept = forms.BooleanField(
        label=_("Accept the imported needs now, as the secretariat's decision"),
        required=False,
    )
