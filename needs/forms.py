"""Input shapes of the needs app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from needs.models import EntryDecision, Need
from needs.services import Decision


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

    def clean(self):
        """A description typed for a type that is not ticked would be lost: refuse
        the page (nothing is saved, the text stays) and say how to keep it."""
        data = super().clean()
        for article in self.articles:
            for need_type in self.types:
                prefix = self.prefix_for(article, need_type)
                text = (data.get(f"{prefix}-description") or "").strip()
                need = self.existing.get((article.pk, need_type.pk))
                recorded = need.proposed("description").strip() if need else ""
                if text and not data.get(f"{prefix}-on") and text != recorded:
                    self.add_error(
                        f"{prefix}-description",
                        _(
                            "You described this need but did not tick it: tick "
                            "the box to record it, or clear the description."
                        ),
                    )
        return data

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


class DecisionForm(forms.Form):
    """The secretariat's decisions on a submission: for each submitted proposal,
    accept, return or leave waiting, with a comment on that need; and a comment on
    the whole submission. Field names: decision-<id>, comment-<id>, version-<id>."""

    ACCEPT_ALL, RETURN_ALL = "accept-all", "return-all"
    LEAVE = ""

    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Comment on the whole submission"),
        help_text=_(
            "Sent to the State with the decisions; used for every returned need "
            "without a comment of its own."
        ),
    )

    def __init__(self, *args, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = pending
        choices = [
            (EntryDecision.Outcome.ACCEPTED, _("Accept")),
            (EntryDecision.Outcome.RETURNED, _("Return for revision")),
            (self.LEAVE, _("Decide later")),
        ]
        for item in pending:
            pk = item.proposal.pk
            self.fields[f"decision-{pk}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                initial=self.LEAVE,
                widget=forms.RadioSelect,
                label=_("Decision"),
            )
            self.fields[f"comment-{pk}"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=_("Comment on this need"),
            )
            self.fields[f"version-{pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=item.proposal.version
            )

    def items(self):
        """For the template: (pending decision, decision, comment, version fields)."""
        for item in self.pending:
            pk = item.proposal.pk
            yield (
                item,
                self[f"decision-{pk}"],
                self[f"comment-{pk}"],
                self[f"version-{pk}"],
            )

    def decisions(self, action: str) -> dict[int, Decision]:
        """The decisions to record: every need's own, or all at once (`action`)."""
        data = self.cleaned_data
        everything = {
            self.ACCEPT_ALL: EntryDecision.Outcome.ACCEPTED,
            self.RETURN_ALL: EntryDecision.Outcome.RETURNED,
        }.get(action)
        result = {}
        for item in self.pending:
            pk = item.proposal.pk
            outcome = everything or data[f"decision-{pk}"]
            if outcome == self.LEAVE:
                continue
            result[pk] = Decision(
                outcome=outcome,
                comment=data[f"comment-{pk}"].strip(),
                version=data[f"version-{pk}"],
            )
        return result
