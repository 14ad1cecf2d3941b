"""Importing a campaign's spending from a CSV file: ``check_file`` reports on every row and changes nothing;
``import_spend`` applies every row in one transaction, or none when one row is wrong (never half-imported).

**Columns** (first line, any order, English or French names; reading, encodings and limits are
``publishing/csvread.py``'s): ``category`` (required), ``spent`` (required: an amount, ``parse_amount``'s forms:
``1 234,50``, ``1,234.50``, ``€1,234``), ``planned`` (optional), ``note`` (optional). Amounts are in the workspace's
currency; a row naming another currency is refused.

**What a row does**: the amount spent is *added* to the campaign's line of that category (an invoice, a day's ad
spend), which is created when there is none (planned 0). A ``planned`` cell, when filled, sets the line's planned
amount. Several rows of one category add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federe.campaigns import services
from federe.campaigns.models import BudgetLine, Campaign
from federe.core import audit
from federe.core.money import CURRENCIES, parse_amount
from federe.core.refusals import error_text
from federe.publishing.csvread import Unreadable, read

COLUMNS = {
    "category": ("category", "categorie", "catégorie", "poste", "line", "ligne"),
    "spent": ("spent", "spend", "amount", "depense", "dépense", "depenses", "dépenses", "montant"),
    "planned": ("planned", "budget", "prevu", "prévu"),
    "note": ("note", "notes", "description", "libelle", "libellé"),
}
REQUIRED = ("category", "spent")
SAMPLE = [["category", "spent", "planned", "note"], ["Ads", "1 250,00", "3 000,00", "November invoice"]]


@dataclass
class RowReport:
    number: int
    category: str = ""
    spent: Decimal = Decimal(0)
    planned: Decimal | None = None
    note: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)  # about the whole file: nothing could be read
    notes: list[str] = field(default_factory=list)
    rows: list[RowReport] = field(default_factory=list)
    imported: bool = False

    @property
    def refused(self) -> list[RowReport]:
        return [row for row in self.rows if row.problems]

    @property
    def total(self) -> Decimal:
        return sum((row.spent for row in self.rows), Decimal(0))


def _amount(cell: str, currency: str, row: RowReport) -> Decimal | None:
    for code in CURRENCIES:
        if code != currency and code in cell.upper():
            row.problems.append(
                _("This amount is in %(code)s; the budget is in %(currency)s.") % {"code": code, "currency": currency}
            )
            return None
    try:
        return parse_amount(cell, currency)
    except ValueError as exc:
        row.problems.append(str(exc))
        return None


def check_file(campaign: Campaign, user: Any, data: bytes) -> Report:
    """Every row checked; nothing changed."""
    services.allowed(user, campaign.workspace)
    report = Report()
    try:
        sheet = read(data, COLUMNS, REQUIRED, _("The file has a header but no row of spending."))
    except Unreadable as exc:
        report.problems.append(str(exc))
        return report
    report.notes = sheet.notes
    currency = campaign.workspace.currency
    for found in sheet.rows:
        row = RowReport(found.number, note=found.cells.get("note", ""))
        spent = _amount(found.cells.get("spent", ""), currency, row)
        planned = _amount(found.cells["planned"], currency, row) if found.cells.get("planned") else None
        row.spent, row.planned = spent or Decimal(0), planned
        fields = services.LineFields(found.cells.get("category", ""), planned or Decimal(0), row.spent, row.note)
        try:
            services.check_line(fields)
        except ValidationError as exc:
            row.problems.extend(exc.messages)
        row.category = fields.category
        report.rows.append(row)
    return report


@transaction.atomic
def import_spend(campaign: Campaign, user: Any, data: bytes) -> Report:
    """Every row applied, or none (the report says why)."""
    report = check_file(campaign, user, data)
    if report.problems or report.refused:
        return report
    lines = {
        line.category.casefold(): line for line in BudgetLine.objects.select_for_update().filter(campaign=campaign)
    }
    for row in report.rows:
        line = lines.get(row.category.casefold())
        if line is None:
            line = lines[row.category.casefold()] = BudgetLine(
                workspace_id=campaign.workspace_id, campaign=campaign, category=row.category
            )
        line.spent += row.spent
        if row.planned is not None:
            line.planned = row.planned
        if row.note and not line.note:
            line.note = row.note[:200]
        try:
            services.check_line(services.LineFields(line.category, line.planned, line.spent, line.note))
        except ValidationError as exc:
            row.problems.append(error_text(exc))
    if report.refused:
        transaction.set_rollback(True)
        return report
    for line in lines.values():
        line.save()
    audit.record(
        "campaign.spend_imported",
        workspace=campaign.workspace,
        actor=user,
        target=campaign,
        details={"rows": len(report.rows)},
    )
    report.imported = True
    return report
