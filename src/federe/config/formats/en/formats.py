# English dates as most of our English-speaking users (UK, Ireland, Europe) write them: 23 Nov 2026, 14:05.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
# 12,345: grouped by three wherever a template or a sentence asks for grouping (intcomma, force_grouping).
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
# A day in a chart's axis: 2 Dec.
MONTH_DAY_FORMAT = "j M"
