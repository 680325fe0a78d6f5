from django.http import Http404


def ceremony(request, pk):
    raise Http404


def order_template(request):
    raise Http404
