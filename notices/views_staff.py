from django.http import Http404


def _not_yet(*args, **kwargs):
    raise Http404


objection = response = _not_yet
