# French numbers as French typography writes them: 12 345 with a narrow no-break space, 2,5 with a comma.
# Everything else (dates, decimal separator) comes from Django's own French formats.
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
# A day in a chart's axis: 2 déc (French months are lower case).
MONTH_DAY_FORMAT = "j b"
