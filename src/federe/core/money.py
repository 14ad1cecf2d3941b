"""Money: amounts as ``Decimal`` (never float), in a workspace's currency (an ISO 4217 code).

- **Currencies.** ``CURRENCIES`` holds the ISO 4217 codes a workspace may choose: the active codes of the
  standard's list one (2024), without the funds, metals and testing codes (X… other than the CFA and CFP francs).
  Nothing is ever converted: a budget is in the workspace's currency.
- **Reading an amount** (``parse_amount``), as people type it in French or English spreadsheets: ``1234.5``,
  ``1 234,50``, ``1,234.50``, ``1.234,50``, ``€1,234``, ``1234,50 EUR``. The decimal mark is the last ``.`` or
  ``,`` followed by one or two digits at the end; any other ``.``, ``,``, space, no-break space or apostrophe is a
  thousands separator. A currency sign or code is dropped when it is the workspace's. Negative amounts, more than two
  decimals, or more than 12 digits before the mark are refused (``ValueError`` with the reason in words).
- **Showing one** (``format_amount``): two places, the reader's separators (Django's ``number_format``), the code
  after it: ``1 234,50 EUR`` / ``1,234.50 EUR``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# The data of the standard, in alphabetical order.
_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD
CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ
GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR
LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN
PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB
TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
"""
CURRENCIES = tuple(_CODES.split())
SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₣": "CHF"}
MAX_DIGITS = 12
CENT = Decimal("0.01")
_SEPARATORS = re.compile(r"[\s\u00a0\u202f'’]")
_DECIMAL_AT_END = re.compile(r"[.,](\d{1,2})$")


def is_currency(code: str) -> bool:
    return code in CURRENCIES


def parse_amount(text: str, currency: str = "EUR") -> Decimal:
    """The amount written in ``text``, or ``ValueError`` saying why in words."""
    cleaned = text.strip()
    for sign, code in SIGNS.items():
        if code == currency:
            cleaned = cleaned.replace(sign, "")
    cleaned = re.sub(rf"(?i)\b{re.escape(currency)}\b", "", cleaned).strip()
    if not cleaned:
        raise ValueError(_("No amount."))
    if cleaned.startswith("-"):
        raise ValueError(_("An amount cannot be negative."))
    cleaned = _SEPARATORS.sub("", cleaned)
    match = _DECIMAL_AT_END.search(cleaned)
    whole, cents = (cleaned[: match.start()], match.group(1)) if match else (cleaned, "")
    whole = whole.replace(",", "").replace(".", "")
    if not whole.isdigit() and not (whole == "" and cents):
        raise ValueError(
            _("%(text)s is not an amount in %(currency)s.") % {"text": text.strip()[:40], "currency": currency}
        )
    if len(whole.lstrip("0")) > MAX_DIGITS:
        raise ValueError(_("This amount is too large."))
    try:
        return Decimal(f"{whole or '0'}.{cents or '0'}").quantize(CENT, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # pragma: no cover - the text is only digits here
        raise ValueError(_("%(text)s is not an amount.") % {"text": text.strip()[:40]}) from None


def format_amount(amount: Decimal, currency: str) -> str:
    """``1 234,50 EUR`` in French, ``1,234.50 EUR`` in English."""
    return f"{number_format(amount.quantize(CENT), 2, force_grouping=True)}\u00a0{currency}"
