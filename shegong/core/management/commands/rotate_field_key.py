"""Re-encrypt every encrypted personal identifier under the current field key, in batches."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shegong.core import crypto
from shegong.core.audit import actions, record

HELP = """Re-encrypt personal identifiers from an old field key to the current one.

Procedure:
  1. Generate a new key (e.g. `python -c "import secrets; print(secrets.token_urlsafe(32))"`).
  2. On every app server and background worker set SHEGONG_FIELD_KEY_FALLBACKS to the key in use now
     (several old keys may be listed, comma-separated) and SHEGONG_FIELD_KEY to the new key; restart
     them. From then on values are written under the new key, old values stay readable, and
     lookups by ID number try the blind index under every key.
  3. Run `manage.py rotate_field_key` (safe to interrupt and run again; it only touches rows still
     under an old key, one batch per transaction, rows locked while their batch is rewritten).
     `--dry-run` only counts.
  4. When it reports "0 rows remain under old keys", remove SHEGONG_FIELD_KEY_FALLBACKS and restart.
     Keep the old key in the secret store until the backups made before the rotation expire.
"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--dry-run", action="store_true", help="Count the rows under old keys; change nothing.")

    def handle(self, *args, batch_size=2000, dry_run=False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be positive.")
        current = crypto.current_key_id()
        known = {current} | {key.key_id for key in crypto.old_keys()}
        self.stdout.write(f"Current key {current}; old keys: {', '.join(sorted(known - {current})) or 'none'}")
        totals = {}
        for model, field in crypto.encrypted_fields():
            label = f"{model._meta.label}.{field.name}"
            rotated = self.rotate_field(model, field, batch_size, dry_run, known)
            totals[label] = rotated
            verb = "to rotate" if dry_run else "rotated"
            self.stdout.write(f"  {label}: {rotated} {verb}")
        remaining = sum(totals.values()) if dry_run else 0
        if not dry_run:
            for model, field in crypto.encrypted_fields():
                remaining += self.count_old(model, field)
            record(None, actions.FIELD_KEY_ROTATION, changes={"key_id": current, "rotated": totals})
        self.stdout.write(f"{remaining} rows remain under old keys.")

    def batches(self, model, field, batch_size):
        last = None
        while True:
            rows = model._base_manager.order_by("pk")
            if last is not None:
                rows = rows.filter(pk__gt=last)
            chunk = list(rows.values_list("pk", field.attname)[:batch_size])
            if not chunk:
                return
            last = chunk[-1][0]
            yield chunk

    def count_old(self, model, field):
        count = 0
        for chunk in self.batches(model, field, 5000):
            count += sum(1 for _pk, token in chunk if crypto.needs_rotation(token))
        return count

    def rotate_field(self, model, field, batch_size, dry_run, known):
        index_field = field.blind_index_field
        rotated = 0
        if dry_run:
            return self.count_old(model, field)
        last = None
        while True:
            with transaction.atomic():
                rows = model._base_manager.order_by("pk")
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                chunk = list(rows.select_for_update().values_list("pk", field.attname)[:batch_size])
                if not chunk:
                    break
                last = chunk[-1][0]
                updates = []
                for pk, token in chunk:
                    if not crypto.needs_rotation(token):
                        continue
                    if crypto.key_id_of(token) not in known:
                        raise CommandError(
                            f"{model._meta.label} pk={pk} is encrypted under an unknown key "
                            f"{crypto.key_id_of(token)}: add it to SHEGONG_FIELD_KEY_FALLBACKS."
                        )
                    plain = crypto.decrypt(token)
                    obj = model(pk=pk)
                    setattr(obj, field.attname, crypto.encrypt(plain))
                    if index_field:
                        setattr(obj, index_field, crypto.blind_index(plain))
                    updates.append(obj)
                if updates:
                    fields = [field.name] + ([index_field] if index_field else [])
                    model._base_manager.bulk_update(updates, fields, batch_size=500)
                    rotated += len(updates)
        return rotated
