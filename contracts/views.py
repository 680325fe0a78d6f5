from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


task_book_list = detail = edit = version_compare = comment = indicator_confirm = finalise = amend = pdf = _todo
sign = scan = _todo
