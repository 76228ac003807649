from django.conf import settings

from . import navigation


def shell(request):
    user = getattr(request, "user", None)
    nav = navigation.items_for(user) if user is not None and user.is_authenticated else []
    current = request.path
    for entry in nav:
        entry["active"] = current.startswith(entry["url"]) and entry["url"] != "/"
    return {"system_name": settings.SYSTEM_NAME, "nav_items": nav}
