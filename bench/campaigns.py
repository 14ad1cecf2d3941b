"""How long a campaign's impact takes: ``impact.measure`` (every figure, both windows) on an existing database, and
the exact test at its largest size. Prints figures; asserts nothing.

    FEDERE_ENV=development FEDERE_DATA_DIR=/tmp/demo federe demo --no-serve     # or any database with campaigns
    FEDERE_ENV=development FEDERE_DATA_DIR=/tmp/demo .venv/bin/python bench/campaigns.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federe.config.settings")
    import django

    django.setup()
    from django.utils import timezone

    from federe.campaigns import impact
    from federe.campaigns.models import Campaign
    from federe.campaigns.stats import EXACT_UP_TO, binomial_two_sided
    from federe.inbox.models import Message

    print(f"messages in the database: {Message.objects.count()}")
    for campaign in Campaign.objects.select_related("workspace")[:5]:
        times = []
        for _run in range(args.runs):
            start = time.perf_counter()
            impact.measure(campaign, timezone.now())
            times.append(time.perf_counter() - start)
        median, worst = statistics.median(times) * 1000, max(times) * 1000
        print(f"impact of campaign {campaign.pk}: median {median:.1f} ms, max {worst:.1f} ms over {args.runs} runs")
    start = time.perf_counter()
    binomial_two_sided(EXACT_UP_TO // 2 + 150, EXACT_UP_TO, 0.5)
    print(f"exact binomial test at n = {EXACT_UP_TO}: {(time.perf_counter() - start) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
