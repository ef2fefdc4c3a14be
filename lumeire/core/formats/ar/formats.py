"""The store's Arabic dates: "8 ديسمبر 2026" with Arabic month names and the Arabic
comma "،" (Django's Arabic locale has no DATETIME_FORMAT, so dates with a time fell back to the
English "Dec. 8, 2026, 2:05 p.m." with a Latin comma). Digits stay Western, as the store's prices.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y، H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y، H:i"
FIRST_DAY_OF_WEEK = 0
