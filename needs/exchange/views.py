"""Pages of data exchange: the import of needs (upload, preview, confirm)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from needs.exchange import imports
from needs.exchange.forms import ConfirmForm, UploadForm
from needs.permissions import can_import_needs
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
