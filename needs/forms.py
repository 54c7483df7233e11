"""Input shapes of the needs app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from needs.models import Need


class NeedForm(forms.ModelForm):
    """Edit one need; `expected_version` is the version the editor loaded. Coverage
    is confirmed or corrected with its own form (the coverage service)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Need
        fields = ["description", "priority", "source", "remaining"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "remaining": forms.Textarea(attrs={"rows": 3}),
        }


class ReturnForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Comment"),
        help_text=_("What the State should revise."),
    )


class NeedEntryForm(forms.Form):
    """Every article of one chapter of a review and the nine types: tick, describe,
    prioritize. Field names: a<article>-<type>-{on,description,priority,version}."""

    def __init__(self, *args, review, chapter, articles, types, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.review, self.chapter = review, chapter
        self.articles, self.types = articles, types
        self.existing = {(n.article_id, n.need_type_id): n for n in needs}
        for article in articles:
            for need_type in types:
                need = self.existing.get((article.pk, need_type.pk))
                prefix = self.prefix_for(article, need_type)
                self.fields[f"{prefix}-on"] = forms.BooleanField(
                    required=False,
                    label=need_type.label,
                    initial=need is not None and not need.withdrawal_requested,
                )
                self.fields[f"{prefix}-description"] = forms.CharField(
                    required=False,
                    label=_("Description"),
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=need.proposed("description") if need else "",
                )
                self.fields[f"{prefix}-priority"] = forms.ChoiceField(
                    choices=Need.Priority.choices,
                    label=_("Priority"),
                    initial=need.proposed("priority") if need else Need.Priority.UNSET,
                )
                self.fields[f"{prefix}-version"] = forms.IntegerField(
                    required=False,
                    widget=forms.HiddenInput,
                    initial=need.version if need else None,
                )

    @staticmethod
    def prefix_for(article, need_type) -> str:
        return f"a{article.number}-{need_type.slug}"

    def rows(self):
        """For the template: [(article, [(type, on, description, priority, version,
        need), …])]."""
        for article in self.articles:
            cells = []
            for need_type in self.types:
                prefix = self.prefix_for(article, need_type)
                cells.append(
                    (
                        need_type,
                        self[f"{prefix}-on"],
                        self[f"{prefix}-description"],
                        self[f"{prefix}-priority"],
                        self[f"{prefix}-version"],
                        self.existing.get((article.pk, need_type.pk)),
                    )
                )
            yield article, cells

    def entries(self) -> dict:
        """{(article, type): {"on", "description", "priority", "version"}} (cleaned)."""
        data = self.cleaned_data
        result = {}
        for article in self.articles:
            for need_type in self.types:
                prefix = self.prefix_for(article, need_type)
                result[(article, need_type)] = {
                    "on": data[f"{prefix}-on"],
                    "description": data[f"{prefix}-description"].strip(),
                    "priority": data[f"{prefix}-priority"],
                    "version": data[f"{prefix}-version"],
                }
        return result
