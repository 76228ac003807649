from django.utils.translation import gettext_lazy as _

from shegong.core import dashboard

from .models import Level
from .services import level_counts


@dashboard.register(order=10)
def my_region(request):
    """Officials see their region and how many units below it are managed here (regions.services.level_counts)."""
    user = request.user
    if not getattr(user, "is_official", False):
        return None
    region = user.region
    counts = level_counts(within=region)
    return {
        "template": "regions/_panel_my_region.html",
        "title": _("My region"),
        "region": region,
        "counts": [
            (level.label, counts[level.label]["administered"])
            for level in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)
            if counts[level.label]["administered"]
        ],
    }
