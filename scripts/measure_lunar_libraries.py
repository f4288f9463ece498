"""Which lunar-calendar library gives the statutory holidays of a year chinese-calendar does not cover?

Measures, for each candidate installed in the environment:

1. statutory days 2004–2026: every day of 《全国年节及纪念日放假办法》第二条 (under the revision in force that
   year, as in backend/common/holidays.py) computed from the library's lunar dates and 清明, checked to be a
   rest day in chinese-calendar's data (the State Council's notices);
2. 清明 1950–2100: the library's day of the solar term against PyEphem (sun's apparent geocentric ecliptic
   longitude = 15°, found by bisection, as a Beijing-time date);
3. time to compute one year's dates (cold caches).

Run: ``.venv/bin/pip install lunar-python tyme4py lunardate ephem && .venv/bin/python
scripts/measure_lunar_libraries.py``. The printed output of the last run is committed beside it
(``scripts/measure_lunar_libraries.out``). Not part of the test suite: PyEphem and the losing candidates are
not dependencies of the service.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import chinese_calendar
import ephem

ONE = dt.timedelta(days=1)
BEIJING = dt.timedelta(hours=8)


@dataclass
class Candidate:
    name: str
    version: str
    lunar_to_solar: Callable[[int, int, int], dt.date]
    qingming: Callable[[int], dt.date] | None


def _lunar_python() -> Candidate:
    from importlib.metadata import version

    from lunar_python import Lunar

    def to_solar(y: int, m: int, d: int) -> dt.date:
        s = Lunar.fromYmd(y, m, d).getSolar()
        return dt.date(s.getYear(), s.getMonth(), s.getDay())

    def qingming(y: int) -> dt.date:
        s = Lunar.fromYmd(y, 2, 15).getJieQiTable()["清明"]
        return dt.date(s.getYear(), s.getMonth(), s.getDay())

    return Candidate("lunar-python", version("lunar-python"), to_solar, qingming)


def _tyme4py() -> Candidate:
    from importlib.metadata import version

    from tyme4py.lunar import LunarDay
    from tyme4py.solar import SolarTerm

    def to_solar(y: int, m: int, d: int) -> dt.date:
        s = LunarDay.from_ymd(y, m, d).get_solar_day()
        return dt.date(s.get_year(), s.get_month(), s.get_day())

    def qingming(y: int) -> dt.date:
        s = SolarTerm.from_name(y, "清明").get_julian_day().get_solar_day()
        return dt.date(s.get_year(), s.get_month(), s.get_day())

    return Candidate("tyme4py", version("tyme4py"), to_solar, qingming)


def _lunardate() -> Candidate:
    from importlib.metadata import version

    from lunardate import LunarDate

    def to_solar(y: int, m: int, d: int) -> dt.date:
        return LunarDate(y, m, d).to_solar_date()

    return Candidate("lunardate", version("lunardate"), to_solar, None)  # no solar terms


def statutory_days(c: Candidate, year: int) -> dict[dt.date, str]:
    """第二条 under the revision in force in ``year`` (1999 / 2007 / 2013 / 2024 texts)."""
    spring = c.lunar_to_solar(year, 1, 1)
    days = {dt.date(year, 1, 1): "元旦"}
    if year <= 2007:
        spring_days, labour, lunar = [spring + i * ONE for i in range(3)], 3, False
    elif year <= 2013:
        spring_days, labour, lunar = [spring + i * ONE for i in range(-1, 2)], 1, True
    elif year <= 2024:
        spring_days, labour, lunar = [spring + i * ONE for i in range(3)], 1, True
    else:
        spring_days, labour, lunar = [spring + i * ONE for i in range(-1, 3)], 2, True
    days.update(dict.fromkeys(spring_days, "春节"))
    if lunar:
        if c.qingming is None:
            raise LookupError("no solar terms")
        days[c.qingming(year)] = "清明节"
        days[c.lunar_to_solar(year, 5, 5)] = "端午节"
        days[c.lunar_to_solar(year, 8, 15)] = "中秋节"
    days.update({dt.date(year, 5, 1) + i * ONE: "劳动节" for i in range(labour)})
    days.update({dt.date(year, 10, 1) + i * ONE: "国庆节" for i in range(3)})
    return {d: n for d, n in days.items() if d.year == year}


def ephem_qingming(year: int) -> dt.date:
    """Beijing date when the sun's apparent ecliptic longitude reaches 15° (清明)."""

    def lon(t: float) -> float:
        sun = ephem.Sun(ephem.Date(t))
        ecl = ephem.Ecliptic(ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=ephem.Date(t)), epoch=ephem.Date(t))
        return float(ecl.lon)

    lo = float(ephem.Date((year, 3, 30)))  # UTC
    hi = float(ephem.Date((year, 4, 10)))
    target = 15 * ephem.pi / 180
    for _ in range(60):
        mid = (lo + hi) / 2
        if lon(mid) < target:
            lo = mid
        else:
            hi = mid
    return (ephem.Date(hi).datetime() + BEIJING).date()


def main() -> None:
    candidates = []
    for make in (_lunar_python, _tyme4py, _lunardate):
        try:
            candidates.append(make())
        except ImportError as exc:
            print(f"skip: {exc}")
    print(f"chinese-calendar {chinese_calendar.__version__}; ephem {ephem.__version__}")
    truth_qm = {y: ephem_qingming(y) for y in range(1950, 2101)}
    for c in candidates:
        print(f"\n== {c.name} {c.version}")
        total = matched = 0
        misses: list[str] = []
        try:
            for year in range(2004, 2027):
                for day, name in statutory_days(c, year).items():
                    total += 1
                    if chinese_calendar.is_holiday(day):
                        matched += 1
                    else:
                        misses.append(f"{day} {name}")
            print(f"statutory days 2004–2026: {matched}/{total} are rest days in chinese-calendar; misses: {misses}")
        except LookupError as exc:
            print(f"statutory days 2004–2026: not computable ({exc})")
        if c.qingming is not None:
            wrong = [f"{y}: {c.qingming(y)} vs {truth_qm[y]}" for y in truth_qm if c.qingming(y) != truth_qm[y]]
            print(f"清明 1950–2100 vs PyEphem: {len(truth_qm) - len(wrong)}/{len(truth_qm)} equal; differ: {wrong}")
        else:
            print("清明 1950–2100 vs PyEphem: not available (library has no solar terms)")
        t0 = time.perf_counter()
        years = range(2027, 2077)
        try:
            for y in years:
                statutory_days(c, y)
            per_year = (time.perf_counter() - t0) / len(years) * 1000
            print(f"time: {per_year:.2f} ms per year (statutory days of 2027–2076)")
        except LookupError:
            pass
        from importlib.metadata import metadata

        meta = metadata(c.name)
        licence = meta.get("License") or next(
            (v for k, v in meta.items() if k == "Classifier" and "License" in v), "(none declared)"
        )
        print(f"licence declared in package metadata: {licence}")
    # Lunar festival days (初一, 端午, 中秋) 1950–2100: do the candidates agree with each other?
    keys = [(y, m, d) for y in range(1950, 2101) for (m, d) in ((1, 1), (5, 5), (8, 15))]
    reference = candidates[0]
    for c in candidates[1:]:
        differ: list[object] = []
        for k in keys:
            try:
                if c.lunar_to_solar(*k) != reference.lunar_to_solar(*k):
                    differ.append(k)
            except ValueError as exc:  # lunardate stops at 2099
                differ.append(f"{k}: {exc}")
        print(f"\nlunar days 1950–2100 (初一/端午/中秋, {len(keys)}): {c.name} vs {reference.name}: "
              f"{len(keys) - len(differ)} equal; differ: {differ}")


if __name__ == "__main__":
    main()
