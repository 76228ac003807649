"""Import and export tables of the workers app: social workers and their qualification certificates."""

from django.db.models import Case, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.identifiers import Sex, mask_id_number
from shegong.core.tabular import columns as c
from shegong.core.tabular.spec import Match, StageColumn, TableSpec, register

from . import bulk
from .filters import CertificateFilter, PersonFilter
from .holder_tables import HOLDER_STAGE, holder_columns, holder_lookup, holder_reason, reject_name_mismatch
from .models import Certificate, CertificateLevel, Education, Person
from .status import RegistrationState, derive_status

SEX_WORDS = {Sex.MALE: "男", Sex.FEMALE: "女"}
LEVEL_WORDS = {
    CertificateLevel.ASSISTANT: "助理社会工作师",
    CertificateLevel.INTERMEDIATE: "社会工作师",
    CertificateLevel.SENIOR: "高级社会工作师",
}
LEVEL_RANK = (CertificateLevel.ASSISTANT, CertificateLevel.INTERMEDIATE, CertificateLevel.SENIOR)
EDUCATION_WORDS = {
    Education.BELOW_HIGH_SCHOOL: "高中以下",
    Education.HIGH_SCHOOL: "高中/中专",
    Education.JUNIOR_COLLEGE: "大专",
    Education.BACHELOR: "本科",
    Education.MASTER: "硕士研究生",
    Education.DOCTORATE: "博士研究生",
}
EDUCATION_ALIASES = {
    Education.BELOW_HIGH_SCHOOL: ("初中", "初中及以下", "小学"),
    Education.HIGH_SCHOOL: ("高中", "中专", "职高", "技校"),
    Education.JUNIOR_COLLEGE: ("专科", "大学专科", "高职"),
    Education.BACHELOR: ("大学本科", "学士"),
    Education.MASTER: ("硕士", "研究生"),
    Education.DOCTORATE: ("博士",),
}
LEVEL_ALIASES = {
    CertificateLevel.ASSISTANT: ("助理", "初级", "助理社工师", "初级社会工作者"),
    CertificateLevel.INTERMEDIATE: ("中级", "社工师", "中级社会工作者"),
    CertificateLevel.SENIOR: ("高级", "高级社工师"),
}


def _id_for_export(token, context):
    from shegong.core import crypto

    try:
        number = crypto.decrypt(token)
    except crypto.DecryptionError:
        return ""
    return number if context.unmask else mask_id_number(number)


class PersonTable(TableSpec):
    has_personal_ids = True

    def prepare(self, context):
        bulk.prepare(context)

    def clean_row(self, values, row):
        return bulk.clean_person(values, row)

    def commit_batch(self, stage, lo, hi, context):
        return bulk.commit_persons(stage, lo, hi, context)

    def reason_message(self, reason, ref, context):
        if reason == "target_scope":  # a person held by another region: never which one
            from .services import registered_elsewhere_message

            return registered_elsewhere_message()
        return super().reason_message(reason, ref, context)

    def export_rows(self, queryset, context):
        names = context.region_names()
        fields = (
            "id_encrypted",
            "name",
            "sex",
            "birth_date",
            "region_id",
            "household_region_id",
            "phone",
            "checked",
            "email",
            "education",
            "major",
            "address",
        )
        education = self.by_name["education"]
        checked = self.by_name["checked"]
        sex = self.by_name["sex"]
        # The registry's questions of a person: the highest certificate level, the registration status
        # (status.py, THE derivation) and the last day of validity (none for a person never registered).
        rank = Case(
            *(When(certificates__level=value, then=Value(number)) for number, value in enumerate(LEVEL_RANK, start=1)),
            default=Value(0),
        )
        queryset = queryset.annotate(top_level=Max(rank))
        today = timezone.localdate()
        for (
            token,
            name,
            person_sex,
            born,
            region,
            household,
            phone,
            is_checked,
            email,
            level,
            major,
            address,
            top,
            state,
            valid_to,
        ) in (
            queryset.order_by("pk")
            .values_list(*fields, "top_level", "registration_state", "registration_valid_to")
            .iterator(chunk_size=5000)
        ):
            status = derive_status(state, valid_to, today)
            yield [
                _id_for_export(token, context),
                name,
                sex.to_cell(person_sex),
                born,
                region,
                household or "",
                phone,
                checked.to_cell(is_checked),
                email,
                education.to_cell(level),
                major,
                address,
                names.get(region, ""),
                LEVEL_WORDS.get(LEVEL_RANK[top - 1], "") if top else "",
                str(status.label),
                valid_to if valid_to is not None and state != RegistrationState.NONE else "",
            ]


persons = register(
    PersonTable(
        name="workers",
        title=gettext_lazy("Social workers"),
        description=gettext_lazy(
            "The registry of certificate holders (社工库). One row per person; the ID number identifies the person. "
            "Sex and date of birth follow from the ID number: if the file has these columns they must agree with it."
        ),
        model=Person,
        filterset_class=PersonFilter,
        order=10,
        key=("id_number",),
        columns=[
            c.id_number_column(help=gettext_lazy("The person's resident ID number (or residence permit number).")),
            c.TextColumn(
                "name",
                "姓名",
                gettext_lazy("Name"),
                required=True,
                aliases=("社工姓名", "持证人姓名"),
                example="张三",
                max_length=100,
                width=12,
            ),
            c.EnumColumn(
                "sex",
                "性别",
                gettext_lazy("Sex"),
                choices=Sex,
                words=SEX_WORDS,
                value_aliases={Sex.MALE: ("M",), Sex.FEMALE: ("F",)},
                example="男",
                help=gettext_lazy("Optional; checked against the ID number."),
                width=8,
            ),
            c.DateColumn(
                "birth_date",
                "出生日期",
                gettext_lazy("Date of birth"),
                aliases=("出生年月日", "生日"),
                example="1990-01-01",
                help=gettext_lazy("Optional; checked against the ID number."),
            ),
            c.RegionColumn(
                "region",
                "工作地区",
                gettext_lazy("Work region"),
                required=True,
                aliases=(
                    "工作所在地",
                    "所在地区",
                    "所在区县",
                    "工作区县",
                    "区县",
                    "地区",
                    "行政区划代码",
                    "地区代码",
                    "所属地区",
                ),
                example="440106",
                help=gettext_lazy("The county-level unit where the person works; the record belongs to it."),
            ),
            c.RegionColumn(
                "household_region",
                "户籍地",
                gettext_lazy("Household registration region"),
                aliases=("户籍所在地", "户籍地区", "户口所在地"),
                example="",
                help=gettext_lazy("Optional: the county-level unit of the household registration."),
            ),
            c.IdentifierTextColumn(
                "phone",
                "手机号码",
                gettext_lazy("Mobile phone"),
                aliases=("手机", "手机号", "联系电话", "电话"),
                example="13800138000",
                width=14,
                leading_zeros=False,
            ),
            c.BoolColumn(
                "checked",
                "已核对",
                gettext_lazy("Checked"),
                aliases=("是否核对", "核对"),
                example="是",
                help=gettext_lazy("Whether the record was checked against the certificate holder database."),
            ),
            c.TextColumn(
                "email",
                "电子邮箱",
                gettext_lazy("E-mail"),
                aliases=("邮箱", "电子邮件", "Email"),
                example="",
                max_length=254,
                width=24,
            ),
            c.EnumColumn(
                "education",
                "学历",
                gettext_lazy("Education"),
                choices=Education,
                words=EDUCATION_WORDS,
                value_aliases=EDUCATION_ALIASES,
                aliases=("最高学历", "文化程度"),
                example="本科",
                width=12,
            ),
            c.TextColumn(
                "major",
                "专业",
                gettext_lazy("Major"),
                aliases=("所学专业",),
                example="社会工作",
                max_length=100,
                width=14,
            ),
            c.TextColumn(
                "address",
                "通讯地址",
                gettext_lazy("Address"),
                aliases=("地址", "联系地址"),
                example="",
                max_length=200,
                width=30,
            ),
        ],
        stage=(
            StageColumn("name"),
            StageColumn("sex"),
            StageColumn("birth_date", "date"),
            StageColumn("id_kind"),
            StageColumn("phone"),
            StageColumn("household_region_id"),
            StageColumn("region_id"),
            StageColumn("checked", "bool"),
            StageColumn("email"),
            StageColumn("education"),
            StageColumn("major"),
            StageColumn("address"),
            StageColumn("id_encrypted", volatile=True),
        ),
        match=Match(
            model=Person,
            target_key="id_blind_index",
            compare=(
                ("name", "name"),
                ("phone", "phone"),
                ("household_region_id", "household_region_id"),
                ("region_id", "region_id"),
                ("checked", "checked"),
                ("email", "email"),
                ("education", "education"),
                ("major", "major"),
                ("address", "address"),
            ),
            target_region="t.region_id",
        ),
        export_only_headers=("工作地区名称", "证书等级", "登记状态", "登记有效期至"),
        notes=(
            gettext_lazy(
                "An empty cell leaves the stored value as it is when a record is updated; sex, date of birth and the "
                "ID number itself never change through an import."
            ),
        ),
    )
)


class CertificateTable(TableSpec):
    has_personal_ids = True

    def prepare(self, context):
        bulk.prepare(context)

    def clean_row(self, values, row):
        return bulk.clean_certificate(values, row)

    def after_lookups(self, stage, context):
        reject_name_mismatch(stage)

    def reason_message(self, reason, ref, context):
        if reason == "owner":
            return _("This management number belongs to another person's certificate.")
        if reason == "target_scope":  # the certificate's holder is registered by another region: never which one
            from .services import registered_elsewhere_message

            return registered_elsewhere_message()
        return holder_reason(reason, ref)

    def commit_batch(self, stage, lo, hi, context):
        return bulk.commit_certificates(stage, lo, hi, context)

    def export_rows(self, queryset, context):
        level = self.by_name["level"]
        rows = queryset.order_by("pk").values_list(
            "person__id_encrypted",
            "person__name",
            "level",
            "management_no",
            "exam_year",
            "issued_on",
            "person__region_id",
        )
        names = context.region_names()
        for token, name, cert_level, number, year, issued, region in rows.iterator(chunk_size=5000):
            yield [
                _id_for_export(token, context),
                name,
                level.to_cell(cert_level),
                number,
                year,
                issued,
                names.get(region, ""),
            ]


certificates = register(
    CertificateTable(
        name="certificates",
        title=gettext_lazy("Qualification certificates"),
        description=gettext_lazy(
            "The professional-level certificates (职业水平证书) of persons already in the registry: import the social "
            "workers first. The management number identifies the certificate."
        ),
        model=Certificate,
        filterset_class=CertificateFilter,
        order=20,
        key=("management_no",),
        columns=[
            *holder_columns(
                id_help=gettext_lazy("The holder's ID number; the holder must be in the registry."),
                example="440106199001011234",
            ),
            c.EnumColumn(
                "level",
                "证书等级",
                gettext_lazy("Level"),
                required=True,
                choices=CertificateLevel,
                words=LEVEL_WORDS,
                value_aliases=LEVEL_ALIASES,
                aliases=("等级", "级别", "证书级别", "资格等级", "职业水平等级"),
                example="助理社会工作师",
                width=16,
            ),
            c.IdentifierTextColumn(
                "management_no",
                "管理号",
                gettext_lazy("Management number"),
                required=True,
                aliases=("证书管理号", "证书编号", "证书号", "管理编号"),
                example="20204401060000001",
                width=22,
                help=gettext_lazy("The number printed on the certificate (管理号); treated as an opaque string."),
            ),
            c.IntColumn(
                "exam_year",
                "考试年度",
                gettext_lazy("Exam year"),
                required=True,
                aliases=("考试年份", "取得年度", "取得年份", "年度"),
                example=2020,
                min_value=2008,
                max_value=2100,
            ),
            c.DateColumn(
                "issued_on",
                "发证日期",
                gettext_lazy("Issued on"),
                aliases=("签发日期", "取得日期", "发证时间"),
                example="2020-12-01",
                past_only=True,
            ),
        ],
        stage=(
            *HOLDER_STAGE,
            StageColumn("level"),
            StageColumn("exam_year", "int"),
            StageColumn("issued_on", "date"),
        ),
        lookups=(holder_lookup(),),
        match=Match(
            model=Certificate,
            target_key="management_no",
            compare=(("level", "level"), ("exam_year", "exam_year"), ("issued_on", "issued_on")),
            target_region="tp.region_id",
            region_join="JOIN workers_person tp ON tp.id = t.person_id",
            owner_check=(("person_id", "person_id"),),
        ),
        export_only_headers=("工作地区名称",),
        region_field="person__region__code",
    )
)
