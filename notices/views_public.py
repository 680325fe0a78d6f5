from django.http import Http404


def _not_yet(*args, **kwargs):
    raise Http404


notice_index = notice_detail = _not_yet
