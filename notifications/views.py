from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from core.params import FilterParams
from core.views import FilteredListMixin

from .models import Notification


class InboxView(LoginRequiredMixin, FilteredListMixin, ListView):
    template_name = "notifications/inbox.html"
    paginate_by = 20

    def get_queryset(self):
        qs = Notification.objects.filter(recipient=self.request.user)
        params = FilterParams(self.request)
        if params.choice("unread", label=_("只看未读"), choices=["0", "1"]) == "1":
            qs = qs.filter(read_at__isnull=True)
        if q := params.text("q"):
            qs = qs.filter(title__icontains=q)
        return qs


@login_required
@require_POST
def open_notification(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:inbox")
