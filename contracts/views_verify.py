"""/verify/: anyone checks a task book or an acceptance certificate (验收结论书), by the fingerprint in its footer (typed, or the QR code's
?fp=) or by uploading the PDF. No login. Shows who the parties are and where signing stands, never
the budget, the people or the scans. Not a `public_page`: it answers query strings and uploads."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import verification
from .forms_verify import FingerprintForm, UploadForm


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    context = {"searched": False, "task_books": [], "certificates": [], "upload": None}
    if request.method == "POST":
        fingerprint_form = FingerprintForm()
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            context["upload"] = _check_upload(upload_form.cleaned_data["file"])
    else:
        fingerprint_form = FingerprintForm(request.GET if "fp" in request.GET else None)
        upload_form = UploadForm()
        if fingerprint_form.is_valid():
            context["searched"] = True
            context["fp"] = fingerprint_form.cleaned_data["fp"]
            context["task_books"] = verification.task_books_by_fingerprint(context["fp"])
            context["certificates"] = verification.certificates_by_fingerprint(context["fp"])
    context.update(fingerprint_form=fingerprint_form, upload_form=upload_form)
    return render(request, "contracts/verify.html", context)


def _check_upload(upload) -> dict:
    """identical: the issued file byte for byte; otherwise what the file claims to be, if anything."""
    upload.seek(0)
    data = upload.read()
    issued = verification.task_book_by_pdf(data)
    if issued is not None:
        return {"identical": True, "task_book": issued}
    certificate = verification.certificate_by_pdf(data)
    if certificate is not None:
        return {"identical": True, "certificate": certificate}
    claimed = verification.claimed_fingerprint(data)
    claimed_books = verification.task_books_by_fingerprint(claimed) if claimed else []
    claimed_certificates = verification.certificates_by_fingerprint(claimed) if claimed else []
    return {"identical": False, "claimed": claimed, "claimed_books": claimed_books,
            "claimed_certificates": claimed_certificates}
