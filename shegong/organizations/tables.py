"""Import and export table of the organizations app."""

from django.utils.translation import gettext_lazy

from shegong.core.tabular import columns as c
from shegong.core.tabular.spec import Match, StageColumn, TableSpec, register

from . import bulk
from .filters import OrganizationFilter
from .models import Organization, OrganizationKind, OrganizationStatus

KIND_WORDS = {
    OrganizationKind.SERVICE: "社会工作服务机构",
    OrganizationKind.ASSOCIATION: "社会工作行业协会",
    OrganizationKind.OTHER: "其他",
}
KIND_ALIASES = {
    OrganizationKind.SERVICE: ("社工机构", "服务机构", "社会工作机构", "民办社工机构", "社会服务机构"),
    OrganizationKind.ASSOCIATION: ("协会", "行业协会", "社会工作协会", "社工协会"),
    OrganizationKind.OTHER: ("其他机构", "其它"),
}
STATUS_WORDS = {
    OrganizationStatus.PENDING: "待审核",
    OrganizationStatus.ACTIVE: "正常",
    OrganizationStatus.REJECTED: "未通过",
    OrganizationStatus.WITHDRAWN: "已撤回",
    OrganizationStatus.SUSPENDED: "已暂停",
}


class OrganizationTable(TableSpec):
    def prepare(self, context):
        pass

    def clean_row(self, values, row):
        return bulk.clean_organization(values, row)

    def commit_batch(self, stage, lo, hi, context):
        return bulk.commit_organizations(stage, lo, hi, context)

    def export_rows(self, queryset, context):
        names = context.region_names()
        kind = self.by_name["kind"]
        status = self.by_name["status"]
        rows = queryset.order_by("pk").values_list(
            "credit_code", "name", "kind", "region_id", "contact_name", "contact_phone", "address", "status"
        )
        for code, name, org_kind, region, contact, phone, address, org_status in rows.iterator(chunk_size=5000):
            yield [
                code,
                name,
                kind.to_cell(org_kind),
                region,
                contact,
                phone,
                address,
                status.to_cell(org_status),
                names.get(region, ""),
            ]


organizations = register(
    OrganizationTable(
        name="organizations",
        title=gettext_lazy("Organizations"),
        description=gettext_lazy(
            "Social work service organizations, industry associations and other organizations, identified by the "
            "unified social credit code. A legacy code failing its check character is accepted with a warning, kept "
            "on the record."
        ),
        model=Organization,
        order=30,
        key=("credit_code",),
        filterset_class=OrganizationFilter,
        columns=[
            c.CreditCodeColumn(
                "credit_code",
                "统一社会信用代码",
                gettext_lazy("Unified social credit code"),
                required=True,
                aliases=("信用代码", "社会信用代码", "统一代码", "机构代码"),
                example="52440106MA5CJQ4N5J",
            ),
            c.TextColumn(
                "name",
                "机构名称",
                gettext_lazy("Name"),
                required=True,
                aliases=("名称", "单位名称", "组织名称", "机构全称"),
                example="广州市天河区示例社会工作服务中心",
                max_length=200,
                width=36,
            ),
            c.EnumColumn(
                "kind",
                "机构类型",
                gettext_lazy("Kind"),
                required=True,
                choices=OrganizationKind,
                words=KIND_WORDS,
                value_aliases=KIND_ALIASES,
                aliases=("类型", "类别", "机构类别", "组织类型"),
                example="社会工作服务机构",
                width=18,
            ),
            c.RegionColumn(
                "region",
                "所在地区",
                gettext_lazy("Region"),
                required=True,
                aliases=("登记地区", "登记管理机关所在地", "地区", "区县", "所属地区", "行政区划代码"),
                example="440106",
                help=gettext_lazy("The county-level unit of the registration authority; the record belongs to it."),
            ),
            c.TextColumn(
                "contact_name",
                "联系人",
                gettext_lazy("Contact person"),
                required=True,
                aliases=("负责人", "联系人姓名"),
                example="李四",
                max_length=100,
            ),
            c.IdentifierTextColumn(
                "contact_phone",
                "联系电话",
                gettext_lazy("Contact phone"),
                required=True,
                aliases=("电话", "联系方式", "手机"),
                example="020-12345678",
                max_length=30,
            ),
            c.TextColumn(
                "address",
                "地址",
                gettext_lazy("Address"),
                aliases=("办公地址", "住所", "通讯地址"),
                example="",
                max_length=300,
                width=36,
            ),
            c.EnumColumn(
                "status",
                "状态",
                gettext_lazy("Status"),
                choices=OrganizationStatus,
                words=STATUS_WORDS,
                aliases=("机构状态",),
                example="正常",
                help=gettext_lazy("Optional; new organizations are active unless the file says otherwise."),
                width=10,
            ),
        ],
        stage=(
            StageColumn("name"),
            StageColumn("kind"),
            StageColumn("region_id"),
            StageColumn("contact_name"),
            StageColumn("contact_phone"),
            StageColumn("address"),
            StageColumn("status"),
            StageColumn("credit_code_warning"),
            StageColumn("approved_at", "timestamp", volatile=True),
        ),
        match=Match(
            model=Organization,
            target_key="credit_code",
            compare=(
                ("name", "name"),
                ("kind", "kind"),
                ("region_id", "region_id"),
                ("contact_name", "contact_name"),
                ("contact_phone", "contact_phone"),
                ("address", "address"),
                ("status", "status"),
            ),
            target_region="t.region_id",
        ),
        export_only_headers=("所在地区名称",),
    )
)
