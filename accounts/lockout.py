"""Sign-in lockouts kept by django-axes: what a locked-out user sees, and what staff can check and clear.

django-axes counts failed logins per username and per client address (settings
AXES_LOCKOUT_PARAMETERS) and refuses logins once a count reaches AXES_FAILURE_LIMIT within
AXES_COOLOFF_TIME. Its AccessAttempt rows hold one (username, address, user agent) each, with the
number of failures and the time of the latest one; the functions here read and clear those rows.
"""

import datetime
import math

from axes.helpers import get_client_parameters, get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.services import activity_record


def _lock_state(filters: dict, *, now: datetime.datetime) -> tuple[int, datetime.datetime | None]:
    """Failures that still count for `filters` (e.g. {"username": "alice"}), and until when they lock.

    Axes adds up the failures of the rows whose latest failure is within the cool-off; a lock so
    lasts until the row that brought the sum to the limit, counted from the newest, drops out.
    """
    cool_off = get_cool_off()
    rows = (
        AccessAttempt.objects.filter(**filters, attempt_time__gte=now - cool_off)
        .order_by("-attempt_time")
        .values_list("attempt_time", "failures_since_start")
    )
    limit = settings.AXES_FAILURE_LIMIT
    failures = 0
    until = None
    for attempt_time, count in rows:
        failures += count
        if until is None and failures >= limit:
            until = attempt_time + cool_off
    return failures, until


def login_lockout_status(*, username: str) -> dict | None:
    """Failed logins on record for `username` within the cool-off, or None if there are none.

    Returns {"locked": bool, "until": aware datetime or None, "failures": int}. Only the count
    per username is considered: a lock on the user's address is not the account's.
    """
    failures, until = _lock_state({"username": username}, now=timezone.now())
    if failures == 0:
        return None
    return {"locked": until is not None, "until": until, "failures": failures}


@transaction.atomic
def login_lockout_clear(*, username: str, by) -> int:
    """Forget the failed logins of `username`, which lifts its lock; returns the rows removed.

    Writes "解除登录锁定" to the user's activity log when the username belongs to a user and
    anything was removed. A lock on a client address (failures on several accounts from one
    address) stays until its cool-off ends.
    """
    if not username:
        return 0  # reset() without a username would clear every lock
    removed = reset(username=username)
    user = get_user_model().objects.filter(username=username).first()
    if removed and user is not None:
        activity_record(target=user, by=by, action=_("解除登录锁定"))
    return removed


def login_lockout_addresses() -> list[dict]:
    """Client addresses locked now by failed logins (over any accounts), newest lock first:
    [{"ip_address", "until", "failures"}]. One query, however many addresses tried: the rows
    within the cool-off are summed per address the way `_lock_state` sums them for one."""
    now = timezone.now()
    cool_off = get_cool_off()
    limit = settings.AXES_FAILURE_LIMIT
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=now - cool_off).exclude(ip_address__isnull=True)
        .order_by("ip_address", "-attempt_time").values_list("ip_address", "attempt_time", "failures_since_start")
    )
    state: dict[str, dict] = {}
    for address, attempt_time, count in rows:
        entry = state.setdefault(address, {"ip_address": address, "until": None, "failures": 0})
        entry["failures"] += count
        if entry["until"] is None and entry["failures"] >= limit:
            entry["until"] = attempt_time + cool_off
    locked = [entry for entry in state.values() if entry["until"] is not None]
    return sorted(locked, key=lambda row: row["until"], reverse=True)


@transaction.atomic
def login_lockout_clear_address(*, ip_address: str, by) -> int:
    """Forget the failed logins from one client address (an office behind one NAT address locked
    out by several people's typos). Logged on the acting administrator's account."""
    if not ip_address:
        return 0  # reset() without an address would clear every lock
    removed = reset(ip=ip_address)
    if removed:
        activity_record(target=by, by=by, action=_("解除网络地址登录锁定"), note=ip_address)
    return removed


def _retry_time(until: datetime.datetime, now: datetime.datetime) -> dict:
    """Minutes to wait and the wall-clock time (Beijing time) after which to try again."""
    # Round up to the minute, so that "after 14:35" is never a moment that is still locked.
    shown = timezone.localtime(until)
    if shown.second or shown.microsecond:
        shown = shown.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    same_day = shown.date() == timezone.localtime(now).date()
    return {
        "minutes": max(1, math.ceil((until - now).total_seconds() / 60)),
        "time": date_format(shown, "H:i" if same_day else _("n月j日 H:i")),
    }


def lockout_message(request, credentials: dict | None = None) -> str:
    """The sentence shown on the login page to a refused username or address."""
    now = timezone.now()
    username = get_client_username(request, credentials)
    locks = []  # (until, counted by username?)
    for filters in get_client_parameters(
        username, request.axes_ip_address, request.axes_user_agent, request, credentials
    ):
        _failures, until = _lock_state(filters, now=now)
        if until is not None:
            locks.append((until, "username" in filters))
    if not locks:
        # Axes refused, but the rows are gone (cleared in between): say so without a time.
        return _("登录失败次数过多，请稍后再试。")
    by_account = [until for until, is_account in locks if is_account]
    if by_account:
        return _("登录失败次数过多，账号已暂时锁定，请于 %(minutes)s 分钟后（%(time)s 之后）再试。") % _retry_time(
            max(by_account), now
        )
    return _("此网络地址登录失败次数过多，已暂时禁止登录，请于 %(minutes)s 分钟后（%(time)s 之后）再试。") % _retry_time(
        max(until for until, _is_account in locks), now
    )


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """AXES_LOCKOUT_CALLABLE: the portal's login page with the lockout message, status 429.

    The form is unbound: binding it to the POST would authenticate again and count another failure.
    """
    username = get_client_username(request, credentials) or ""
    redirect_to = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        redirect_to, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        redirect_to = ""
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": redirect_to,
        "lockout_message": lockout_message(request, credentials),
        "failure_limit": get_failure_limit(request, credentials),
    }
    return render(request, "registration/login.html", context, status=429)
