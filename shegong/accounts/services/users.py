"""Account administration verbs: create, reset password, disable/enable, change role, issue in bulk.

Every function checks the delegated-administration rules of ``permissions`` (a refusal raises
``PermissionDenied`` with the specific reason), works inside one transaction and writes the audit
log with the change before/after. No password, hash or other secret ever goes into the audit log;
initial passwords are returned to the caller, which shows them once (or writes them to a file that
expires) and never stores them.
"""

import os
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.accounts import actions, permissions
from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.core.audit import record
from shegong.regions.models import Level, Region
from shegong.regions.services import XPCC_CODE

# --- initial passwords ------------------------------------------------------------------

# Without look-alike characters (0/O, 1/l/I), since initial passwords are read off paper or a
# spreadsheet; and no symbol that a spreadsheet would take for the start of a formula (= + - @).
PASSWORD_CLASSES = (
    "ABCDEFGHJKLMNPQRSTUVWXYZ",
    "abcdefghijkmnpqrstuvwxyz",
    "23456789",
    "#$%*?!",  # no & < > " ': the password is shown in HTML and handed over on paper
)
INITIAL_PASSWORD_LENGTH = 14  # about 82 bits of entropy
_random = secrets.SystemRandom()


def generate_initial_password(length=INITIAL_PASSWORD_LENGTH):
    """A random one-time password with all four character classes (the policy asks for three)."""
    if length < 12:
        raise ValueError("initial passwords have at least 12 characters")
    chars = [secrets.choice(group) for group in PASSWORD_CLASSES]
    alphabet = "".join(PASSWORD_CLASSES)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    _random.shuffle(chars)
    return "".join(chars)


def initial_password_for(user):
    """A random initial password that also passes every configured validator for ``user``."""
    for _attempt in range(20):
        password = generate_initial_password()
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
    raise RuntimeError("could not generate an initial password that passes the password validators")


# Bulk issuing hashes thousands of one-time passwords. Argon2 with Django's parameters costs about
# 110 ms a hash here (3,000 accounts: 5.5 minutes), PBKDF2 with Django's 1,000,000 iterations 230 ms.
# An initial password is random with about 82 bits of entropy, so a slow hash adds nothing against
# guessing; it is valid only until the first sign-in, which must replace it, and Django re-hashes it
# with the preferred hasher (Argon2) on that sign-in. So bulk-issued passwords use PBKDF2-SHA256 with
# 10,000 iterations (about 2.3 ms), computed on all cores (hashlib releases the GIL): about 4 s for
# 3,200 accounts on 2 cores. Single accounts (create, reset) use the normal hasher.
INITIAL_PASSWORD_ITERATIONS = 10_000
_pbkdf2 = PBKDF2PasswordHasher()


def initial_password_hash(password):
    return _pbkdf2.encode(password, _pbkdf2.salt(), iterations=INITIAL_PASSWORD_ITERATIONS)


# --- single accounts --------------------------------------------------------------------

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{2,149}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")


def validate_username(username):
    if not USERNAME_RE.match(username or ""):
        raise ValidationError(
            _("Use 3 to 150 letters, digits and . @ _ -, starting with a letter or digit."), code="invalid_username"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The user name %(username)s is taken."), params={"username": username}, code="taken")


def validate_phone(phone):
    if phone and not PHONE_RE.match(phone):
        raise ValidationError(_("Enter a telephone number of digits (and - or spaces)."), code="invalid_phone")


def _deny(reason):
    if reason:
        raise PermissionDenied(reason)


def _region(region):
    if region is None or isinstance(region, Region):
        return region
    return Region.objects.filter(code=region).first()


def snapshot(user):
    """The audited fields of an account (never its password)."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "region": user.region_id or "",
        "phone": user.phone,
        "is_active": user.is_active,
    }


@transaction.atomic
def create_user(username, full_name, role, region, phone="", *, actor):
    """Create an account with a random initial password; returns ``(user, initial_password)``.

    The password is shown once to the administrator, who hands it over; the account must replace
    it at its first sign-in.
    """
    region = _region(region)
    _deny(permissions.refusal_to_grant(actor, role, region))
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    phone = (phone or "").strip()
    validate_username(username)
    validate_phone(phone)
    if not full_name:
        raise ValidationError(_("Enter the account holder's name."), code="required")
    user = User(username=username, full_name=full_name, role=role, region=region, phone=phone)
    password = initial_password_for(user)
    user.set_password(password)
    user.must_change_password = True
    user.save()
    record(actor, actions.USER_CREATE, user, changes={"after": snapshot(user)})
    return user, password


def _locked(target):
    return User.objects.select_for_update().get(pk=target.pk)


@transaction.atomic
def reset_password(target, *, actor):
    """Give ``target`` a new random initial password (returned); they must replace it at sign-in."""
    _deny(permissions.refusal_to_manage(actor, target))
    user = _locked(target)
    password = initial_password_for(user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record(
        actor,
        actions.USER_PASSWORD_RESET,
        user,
        changes={
            "before": {"must_change_password": target.must_change_password},
            "after": {"must_change_password": True},
        },
    )
    target.password, target.must_change_password = user.password, True
    return password


@transaction.atomic
def set_active(target, active, *, actor):
    """Disable (``active=False``) or enable an account. A disabled account cannot sign in, and its
    open sessions end at their next request."""
    _deny(permissions.refusal_to_manage(actor, target))
    user = _locked(target)
    active = bool(active)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        actor,
        actions.USER_ENABLE if active else actions.USER_DISABLE,
        user,
        changes={"before": {"is_active": not active}, "after": {"is_active": active}},
    )
    target.is_active = active
    return user


@transaction.atomic
def change_role(target, role, *, actor):
    """Give ``target`` another role within the rules (no switching between the three duties)."""
    _deny(permissions.refusal_to_change_role(actor, target, role))
    user = _locked(target)
    if user.role == role:
        return user
    before = user.role
    user.role = role
    user.save(update_fields=["role"])
    record(actor, actions.USER_ROLE_CHANGE, user, changes={"before": {"role": before}, "after": {"role": role}})
    target.role = role
    return user


# --- issuing admin accounts for every region -------------------------------------------

ISSUE_USERNAME_PREFIX = {
    Role.ADMIN: "admin",
    Role.STAFF: "staff",
    Role.SECURITY: "security",
    Role.AUDITOR: "auditor",
}
ISSUE_LEVELS = (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)
LEVEL_NAMES = {"province": Level.PROVINCE, "prefecture": Level.PREFECTURE, "county": Level.COUNTY}


def issued_username(role, region_code):
    """The username scheme of issued accounts: ``admin_440106``, ``auditor_440000``..."""
    return f"{ISSUE_USERNAME_PREFIX[role]}_{region_code}"


def parse_levels(levels):
    """Levels given as numbers or names (province, prefecture, county)."""
    parsed = set()
    for level in levels:
        if isinstance(level, str) and not level.isdigit():
            if level.strip().lower() not in LEVEL_NAMES:
                raise ValidationError(_("Unknown level: %(level)s."), params={"level": level}, code="invalid_level")
            parsed.add(LEVEL_NAMES[level.strip().lower()])
        else:
            if int(level) not in ISSUE_LEVELS:
                raise ValidationError(_("Unknown level: %(level)s."), params={"level": level}, code="invalid_level")
            parsed.add(Level(int(level)))
    if not parsed:
        raise ValidationError(_("Choose at least one level."), code="no_level")
    return tuple(sorted(parsed))


@dataclass
class IssuedAccount:
    region_code: str
    region_name: str
    level: int
    province_code: str
    province_name: str
    username: str
    password: str = field(repr=False)


@dataclass
class IssuePlan:
    root: Region
    role: str
    levels: tuple
    regions: list  # regions that get an account
    existing: int  # regions skipped: their account was issued before


@dataclass
class IssueResult:
    root: Region
    role: str
    levels: tuple
    accounts: list
    skipped: int
    seconds: dict = field(default_factory=dict)

    def by_province(self):
        groups = {}
        for account in self.accounts:
            groups.setdefault((account.province_code, account.province_name), []).append(account)
        return dict(sorted(groups.items()))


def refusal_to_issue(root, role, *, actor):
    if not permissions.can_issue_accounts(actor):
        return _("Only administrators of the ministry or of a province issue accounts for the regions below.")
    if root is None:
        return _("Choose the region the accounts are issued within.")
    if role not in ISSUE_USERNAME_PREFIX or role not in permissions.grantable_roles(actor):
        return _("You cannot grant the role “%(role)s”.") % {"role": permissions.role_label(role)}
    manager_root = permissions.management_root(actor)
    if not manager_root.contains(root.code):
        return _("You can only create accounts within %(root)s.") % {"root": manager_root}
    if not root.active or not root.administered:
        return _("%(region)s is not a region administered by this system.") % {"region": root}
    return None


def grouping_units_q():
    """The grouping units shegong adds to keep four levels (市辖区, 县, 省直辖县级行政区划): no office, no account.
    The 兵团 divisions are synthetic too but are real management units."""
    from django.db.models import Q

    return Q(synthetic=True, level=Level.PREFECTURE) & ~Q(parent_id=XPCC_CODE)


def plan_region_admins(root_region, levels=ISSUE_LEVELS, role=Role.ADMIN, *, actor):
    """Which regions would get an account: administered, active, within ``root_region``, below the
    actor's own region, at ``levels``, not grouping units, and without an issued account yet."""
    root = _region(root_region)
    _deny(refusal_to_issue(root, role, actor=actor))
    levels = parse_levels(levels)
    regions = (
        Region.objects.administered()
        .filter(root.subtree_q("code"), level__in=levels)
        .exclude(grouping_units_q())
        .order_by("code")
    )
    if actor is not None and actor.region_id:
        regions = regions.exclude(code=actor.region_id)
    prefix = ISSUE_USERNAME_PREFIX[role] + "_"
    taken = set(User.objects.filter(username__startswith=prefix).values_list("username", flat=True))
    todo, existing = [], 0
    for region in regions:
        if issued_username(role, region.code) in taken:
            existing += 1
        else:
            todo.append(region)
    return IssuePlan(root=root, role=role, levels=levels, regions=todo, existing=existing)


def _province_of(region, provinces):
    if region.level <= Level.PROVINCE:
        return region.code
    chain = region.ancestors()
    return next((code for code in chain if code in provinces), region.code)


def _hash_all(passwords, progress=None):
    workers = max(1, min(8, os.cpu_count() or 1))
    hashes, total = [], len(passwords)
    step = max(1, total // 20)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, hashed in enumerate(pool.map(initial_password_hash, passwords), start=1):
            hashes.append(hashed)
            if progress is not None and (done % step == 0 or done == total):
                progress(
                    5 + 70 * done // total,
                    _("Prepared %(done)s of %(total)s accounts") % {"done": done, "total": total},
                )
    return hashes


def issue_region_admins(
    root_region, levels=ISSUE_LEVELS, role=Role.ADMIN, *, actor, progress=None, deliver=None, audit_note=None
):
    """Create one ``role`` account per administered, active region below the actor within ``root_region``.

    Idempotent: a region whose issued account (``admin_<code>``) exists is skipped. Each account gets
    a random initial password that it must change at its first sign-in. ``deliver(result)`` runs
    inside the transaction, so when writing the passwords out fails no account is created (and no
    password is lost). Returns an ``IssueResult`` with the passwords; the audit log gets one
    ``user_create`` event per account and one ``accounts_issue`` summary (plus ``audit_note``, e.g.
    who ran the command), without passwords.
    """
    import time

    started = time.perf_counter()
    plan = plan_region_admins(root_region, levels, role, actor=actor)
    provinces = dict(Region.objects.filter(level=Level.PROVINCE).values_list("code", "name"))
    if progress is not None:
        progress(5, _("%(count)s accounts to create") % {"count": len(plan.regions)})
    passwords = [generate_initial_password() for _region in plan.regions]
    hashes = _hash_all(passwords, progress)
    hashed_at = time.perf_counter()
    role_label = str(Role(role).label)
    with transaction.atomic():
        taken = set(
            User.objects.filter(username__in=[issued_username(role, r.code) for r in plan.regions]).values_list(
                "username", flat=True
            )
            if len(plan.regions) <= 500
            else User.objects.filter(username__startswith=ISSUE_USERNAME_PREFIX[role] + "_").values_list(
                "username", flat=True
            )
        )
        users, accounts = [], []
        for region, password, hashed in zip(plan.regions, passwords, hashes, strict=True):
            username = issued_username(role, region.code)
            if username in taken:  # issued meanwhile by a concurrent run
                continue
            users.append(
                User(
                    username=username,
                    full_name=f"{region.full_name}{role_label}"[:100],
                    role=role,
                    region_id=region.code,
                    password=hashed,
                    must_change_password=True,
                    is_active=True,
                )
            )
            province = _province_of(region, provinces)
            accounts.append(
                IssuedAccount(
                    region_code=region.code,
                    region_name=region.full_name or region.name,
                    level=region.level,
                    province_code=province,
                    province_name=provinces.get(province, region.name),
                    username=username,
                    password=password,
                )
            )
        User.objects.bulk_create(users, batch_size=500)
        if progress is not None:
            progress(80, _("Created %(count)s accounts") % {"count": len(users)})
        if not users[:1] or users[0].pk is None:  # backends that do not return ids from bulk inserts
            ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
            for user in users:
                user.pk = user.id = ids[user.username]
        for user in users:
            record(actor, actions.USER_CREATE, user, changes={"after": snapshot(user), "via": "issue"})
        skipped = plan.existing + (len(plan.regions) - len(users))
        record(
            actor,
            actions.ACCOUNTS_ISSUE,
            plan.root,
            region_code=plan.root.code,
            changes={
                "root": plan.root.code,
                "role": role,
                "levels": [int(level) for level in plan.levels],
                "created": len(users),
                "skipped": skipped,
                **(audit_note or {}),
            },
        )
        result = IssueResult(root=plan.root, role=role, levels=plan.levels, accounts=accounts, skipped=skipped)
        created_at = time.perf_counter()
        if deliver is not None:
            deliver(result)
    result.seconds = {
        "hashing": round(hashed_at - started, 2),
        "writing": round(created_at - hashed_at, 2),
        "total": round(time.perf_counter() - started, 2),
    }
    return result


# --- the files handed to the regions ------------------------------------------------------


def issued_accounts_workbook(accounts, *, province_name, role, issued_by=""):
    """One province's accounts as an xlsx file (bytes): every column text, a warning on top."""
    import io

    import xlsxwriter
    from django.utils import timezone

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Accounts"))
    text = workbook.add_format({"num_format": "@"})
    header = workbook.add_format({"bold": True, "num_format": "@", "bottom": 1})
    note = workbook.add_format({"bold": True, "font_color": "#9C0006", "text_wrap": True, "valign": "top"})
    small = workbook.add_format({"font_color": "#555555"})
    sheet.merge_range(
        0,
        0,
        0,
        4,
        _(
            "Initial passwords: each is valid for one sign-in only and must be changed at the first sign-in. "
            "Hand each to its holder in person or through a secure channel, never by ordinary e-mail or chat, "
            "and delete this file afterwards."
        ),
        note,
    )
    sheet.set_row(0, 48)
    sheet.write_string(
        1,
        0,
        _("%(province)s · %(role)s · issued %(at)s %(by)s")
        % {
            "province": province_name,
            "role": Role(role).label,
            "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "by": issued_by,
        },
        small,
    )
    columns = [_("Region code"), _("Region name"), _("Level"), _("User name"), _("Initial password")]
    for col, title in enumerate(columns):
        sheet.write_string(3, col, str(title), header)
    for row, account in enumerate(accounts, start=4):
        values = [
            account.region_code,
            account.region_name,
            str(Level(account.level).label),
            account.username,
            account.password,
        ]
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, text)
    sheet.set_column(0, 0, 12, text)
    sheet.set_column(1, 1, 36, text)
    sheet.set_column(2, 2, 10, text)
    sheet.set_column(3, 3, 18, text)
    sheet.set_column(4, 4, 20, text)
    sheet.freeze_panes(4, 0)
    workbook.close()
    return buffer.getvalue()


def issued_workbook_name(province_code, province_name, role):
    return f"{ISSUE_USERNAME_PREFIX[role]}-accounts-{province_code}-{province_name}.xlsx"


def issued_workbooks(result, issued_by=""):
    """``{file name: xlsx bytes}``, one file per province."""
    return {
        issued_workbook_name(code, name, result.role): issued_accounts_workbook(
            accounts, province_name=name, role=result.role, issued_by=issued_by
        )
        for (code, name), accounts in result.by_province().items()
    }


def issued_zip(result, issued_by=""):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in issued_workbooks(result, issued_by).items():
            archive.writestr(name, content)
    return buffer.getvalue()
