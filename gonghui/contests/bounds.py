"""The numbers the contests pages and API accept, each bound once from its column."""

from decimal import Decimal

from gonghui.contests.models import Aspect, Skill
from gonghui.core.bounds import Bound

# more than nothing, at most the whole of a scheme's hundred marks
MAX_MARK = Bound.of(Aspect, "max_mark", ge=Decimal("0.01"), le=100)
MINIMUM_COMPETITORS = Bound.of(Skill, "minimum_competitors", ge=1)
