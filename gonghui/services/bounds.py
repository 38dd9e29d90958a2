"""The numbers the hardship pages and API accept, each bound once."""

from decimal import Decimal

from gonghui.core.bounds import Bound
from gonghui.services.models import Assistance, HardshipFile

CENT = Decimal("0.01")
# a household's yearly figures (sealed, so bound here rather than by a column)
MONEY = Bound(Decimal(0), Decimal("9999999999.99"), 12, 2)
DIBAO_LINE = Bound.of(HardshipFile, "dibao_line", ge=CENT)
AMOUNT = Bound.of(Assistance, "amount", ge=CENT)
