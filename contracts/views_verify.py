from django.http import Http404


def verify(request):
    raise Http404
