from django.http import Http404


def team_dashboard(request):
    raise Http404  # being written
