"""The importer's scope: which region codes a row may belong to, in Python and in SQL.

It is THE access rule (``standard_scope_q(user, EDIT, region_field=...)``) applied to the division
table once per import, so that each row is checked with a set lookup instead of a query. A system
import (the command line without ``--user``) is scoped to the region it names.
"""

from django.utils.translation import gettext as _

from shegong.core.scoping import EDIT, standard_scope_q


class ImportScope:
    def __init__(self, *, user=None, region=None):
        from shegong.regions.models import Level, Region, scope_prefixes

        self.user = user
        queryset = Region.objects.all()
        if user is not None:
            q = standard_scope_q(user, EDIT, region_field="code")
            queryset = queryset.filter(q) if q is not None else queryset.none()
            if region is None or (user.region_id and user.region.level > region.level):
                region = user.region
        if region is not None and region.level != Level.NATIONAL:
            queryset = queryset.filter(region.subtree_q("code"))
        self.region = region
        self.codes = frozenset(queryset.values_list("code", flat=True))
        self.national = region is None or region.level == Level.NATIONAL
        if self.national:
            self.include, self.exclude = [], []
        else:
            self.include, self.exclude = scope_prefixes(region.code, region.prefix)

    def __bool__(self):
        return bool(self.codes)

    def contains(self, code):
        return code in self.codes

    def sql(self, column):
        """(condition, params) true when ``column`` holds a code in scope."""
        if self.national:
            return "1=1", []
        if not self.codes:
            return "1=0", []
        parts, params = [], []
        for prefix in self.include:
            parts.append(f"{column} LIKE %s")
            params.append(prefix + "%")
        condition = "(" + " OR ".join(parts) + ")" if parts else "1=0"
        for prefix in self.exclude:
            condition += f" AND {column} NOT LIKE %s"
            params.append(prefix + "%")
        return condition, params

    def refusal(self, code, describe):
        return _("%(region)s is outside your region; you can import rows of your own region only.") % {
            "region": describe(code)
        }
