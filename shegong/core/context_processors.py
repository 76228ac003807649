from django.conf import settings

from . import navigation


def shell(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    nav = navigation.items_for(user) if signed_in else []
    account = navigation.account_items_for(user) if signed_in else []
    navigation.mark_active(nav, request.path)
    navigation.mark_active(account, request.path)
    return {"system_name": settings.SYSTEM_NAME, "nav_items": nav, "account_items": account}
