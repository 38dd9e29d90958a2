"""Working days: Monday to Friday, except public holidays, plus weekends made working days.

The exceptions are data (`CalendarDay`), entered each year when the State Council publishes
the holiday arrangement (调休).
"""

from __future__ import annotations

from datetime import date, timedelta

from gonghui.honours.models import CalendarDay


def _exceptions(start: date, end: date) -> dict[date, bool]:
    return dict(
        CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
    )


def is_working_day(day: date, exceptions: dict[date, bool] | None = None) -> bool:
    exceptions = _exceptions(day, day) if exceptions is None else exceptions
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def notice_end(start: date, working_days: int) -> date:
    """The last day of a notice that starts on `start` and lasts `working_days` working days.

    The start day counts when it is a working day; a notice published on a holiday starts
    counting on the next working day.
    """
    if working_days < 1:
        raise ValueError("a notice lasts at least one working day")
    # generous window: even the Spring Festival leaves far more than one working day in three
    exceptions = _exceptions(start, start + timedelta(days=working_days * 3 + 30))
    day, counted = start, 0
    while True:
        if is_working_day(day, exceptions):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)
