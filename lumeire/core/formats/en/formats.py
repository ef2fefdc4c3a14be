"""The store's English dates: "8 December 2026", "8 December 2026, 14:05" on every page and email.

Django's own English formats mix "Dec. 8, 2026" with "8 December"; one pattern per language keeps
a page, its email and its export the same (``lumeire.core.formatting`` reads these).
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday, as the Saudi week starts
