"""Pages of data exchange: the import of needs and of donors' IATI activities
(upload, preview, confirm), and the IATI file of the assistance a person sees."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from needs.exchange import iati, imports, services
from needs.exchange.forms import (
    AssistanceIatiForm,
    ConfirmForm,
    IatiConfirmForm,
    IatiUploadForm,
    UploadForm,
)
from needs.followup import selectors
from needs.models import Upload
from needs.permissions import (
    can_import_assistance,
    can_import_needs,
    can_view_donor_mapping,
)
from reviews.permissions import is_secretariat


def _check(request) -> None:
    if not can_import_needs(request.user):
        raise PermissionDenied(_("You cannot import needs."))


def needs_import(request):
    """Upload a file; it is kept on the server for the preview."""
    _check(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            imports.upload_save(user=request.user, uploaded=form.cleaned_data["file"])
        except imports.ImportRefused as refused:
            form.add_error("file", str(refused))
        else:
            return redirect("exchange:needs_import_preview")
    status = 400 if form.errors else 200
    return render(request, "exchange/needs_import.html", {"form": form}, status=status)


def needs_import_preview(request):
    """Every row's outcome of the user's own uploaded file; confirm writes it all."""
    _check(request)
    upload = imports.upload_for(user=request.user)
    if upload is None:
        return redirect("exchange:needs_import")
    form = ConfirmForm(request.POST or None)
    if not is_secretariat(request.user):
        del form.fields["accept"]
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.needs_import(
                imports.upload_handle(upload),
                user=request.user,
                accept=form.cleaned_data.get("accept", False),
                filename=upload.filename,
            )
        except imports.ImportRefused as refused:
            messages.error(request, str(refused))
            return redirect("exchange:needs_import_preview")
        upload.delete()
        messages.success(request, _imported_message(result))
        return redirect("needs:need_list")
    try:
        preview, refused = (
            imports.needs_preview(imports.upload_handle(upload), user=request.user),
            None,
        )
    except imports.ImportRefused as error:
        preview, refused = None, str(error)
    context = {"upload": upload, "preview": preview, "refused": refused, "form": form}
    if preview is not None:
        context |= _listing(preview)
    return render(request, "exchange/needs_import_preview.html", context)


# The preview lists every row but the unchanged ones, up to this many.
LISTED_ROWS = 1000
OUTCOME_LABELS = {
    imports.RowOutcome.NEW: _lazy("New"),
    imports.RowOutcome.CHANGED: _lazy("Changed"),
    imports.RowOutcome.UNCHANGED: _lazy("Unchanged"),
    imports.RowOutcome.REFUSED: _lazy("Refused"),
}


def _listing(preview) -> dict:
    counts = {outcome: preview.count(outcome) for outcome in OUTCOME_LABELS}
    listed = [r for r in preview.rows if r.outcome != imports.RowOutcome.UNCHANGED]
    for row in listed[:LISTED_ROWS]:
        row.outcome_label = OUTCOME_LABELS[row.outcome]
    return {
        "counts": counts,
        "shown": listed[:LISTED_ROWS],
        "hidden": max(len(listed) - LISTED_ROWS, 0),
    }


def _imported_message(result) -> str:
    # Translators: counts of the rows of an imported file.
    message = _(
        "Imported: %(created)s new, %(changed)s changed, %(unchanged)s unchanged."
    )
    message %= {
        "created": result.created,
        "changed": result.changed,
        "unchanged": result.unchanged,
    }
    if result.accepted:
        return f"{message} {_('Accepted as the secretariat’s decision.')}"
    return message


# ---------------------------------------------------------------------------
# Donors' IATI activities: upload, preview, confirm (the secretariat)
# ---------------------------------------------------------------------------
IATI_OUTCOME_LABELS = {
    iati.ActivityOutcome.NEW: _lazy("New"),
    iati.ActivityOutcome.UPDATED: _lazy("Updated"),
    iati.ActivityOutcome.UNCHANGED: _lazy("Unchanged"),
    iati.ActivityOutcome.SKIPPED: _lazy("Skipped"),
    iati.ActivityOutcome.REFUSED: _lazy("Refused"),
}


def _check_iati(request) -> None:
    if not can_import_assistance(request.user):
        raise PermissionDenied(_("Only the secretariat imports assistance."))


def _preview_url(governance_only: bool) -> str:
    url = reverse("exchange:iati_import_preview")
    return f"{url}?governance_only=on" if governance_only else url


def iati_import(request):
    """Upload an IATI activity file; it is kept on the server for the preview."""
    _check_iati(request)
    form = IatiUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            imports.upload_save(
                user=request.user,
                uploaded=form.cleaned_data["file"],
                kind=Upload.Kind.IATI,
            )
        except imports.ImportRefused as refused:
            form.add_error("file", str(refused))
        else:
            return redirect(_preview_url(form.cleaned_data["governance_only"]))
    status = 400 if form.errors else 200
    return render(request, "exchange/iati_import.html", {"form": form}, status=status)


def iati_import_preview(request):
    """What each activity of the user's own file becomes; confirm writes them all."""
    _check_iati(request)
    upload = imports.upload_for(user=request.user, kind=Upload.Kind.IATI)
    if upload is None:
        return redirect("exchange:iati_import")
    form = IatiConfirmForm(request.POST if request.method == "POST" else request.GET)
    governance_only = form.is_valid() and form.cleaned_data["governance_only"]
    if request.method == "POST":
        return _iati_confirm(request, upload, governance_only)
    try:
        preview = iati.activities_plan(
            imports.upload_handle(upload), governance_only=governance_only
        )
    except iati.IatiRefused as error:
        preview, refused = None, str(error)
    else:
        refused = None
    context = {"upload": upload, "preview": preview, "refused": refused, "form": form}
    if preview is not None:
        context |= _iati_listing(preview)
    return render(request, "exchange/iati_import_preview.html", context)


def _iati_confirm(request, upload, governance_only: bool):
    try:
        result = services.iati_import(
            imports.upload_handle(upload),
            user=request.user,
            governance_only=governance_only,
        )
    except iati.IatiRefused as refused:
        messages.error(request, str(refused))
        return redirect(_preview_url(governance_only))
    upload.delete()
    messages.success(request, _iati_message(result))
    return redirect(reverse("followup:desk") + "#imported-unlinked")


def _iati_listing(preview) -> dict:
    counts = {outcome: preview.count(outcome) for outcome in IATI_OUTCOME_LABELS}
    listed = preview.activities[:LISTED_ROWS]
    for item in listed:
        item.outcome_label = IATI_OUTCOME_LABELS[item.outcome]
    return {
        "counts": counts,
        "shown": listed,
        "hidden": max(len(preview.activities) - LISTED_ROWS, 0),
    }


def _iati_message(result) -> str:
    # Translators: counts of the activities of an imported IATI file.
    message = _(
        "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
        "%(skipped)s skipped."
    ) % {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": result.skipped,
    }
    if result.unknown_countries:
        # Translators: codes lists ISO 3166-1 alpha-2 codes, e.g. "XK, ZZ".
        unknown = _("Recipient countries left out (not States parties): %(codes)s.")
        message += " " + unknown % {"codes": ", ".join(result.unknown_countries)}
    return message


# ---------------------------------------------------------------------------
# The assistance a person sees, as an IATI 2.03 activity file
# ---------------------------------------------------------------------------
def assistance_iati(request):
    """The projects of donor mapping (or of a State's follow-up page), filtered as
    there, that the user may see, as an IATI 2.03 activity file."""
    if not can_view_donor_mapping(request.user):
        raise Http404
    form = AssistanceIatiForm(request.GET)
    form.is_valid()  # a value out of its choices falls back to the default
    projects = selectors.assistance_for_iati(
        user=request.user,
        statuses=tuple(form.cleaned_data.get("status") or ()),
        state=form.cleaned_data.get("state", ""),
    )
    vocabulary = request.build_absolute_uri(reverse("needs:need_list"))
    data = iati.activities_bytes(projects, vocabulary_uri=vocabulary)
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="assistance-iati.xml"'
    return response
