"""Which requests to a short link are not counted as clicks: a pure decision on the method and the User-Agent.

Not counted: HEAD requests (link checkers, previews), requests without a User-Agent, and User-Agents of known
robots: search engines and crawlers ("bot", "crawl", "spider", "slurp"), link previews of chat and social apps
(Slack, Discord, Telegram, WhatsApp, Facebook, LinkedIn, Skype, iMessage), fediverse servers fetching a preview
card (every server that receives the post fetches the link once, so counting them would count followers' servers,
not people), and command-line clients and HTTP libraries. The User-Agent is read here and never stored.
"""

from __future__ import annotations

import re

_ROBOTS = re.compile(
    "|".join(
        (
            r"bot\b",
            r"bot/",
            r"crawl",
            r"spider",
            r"slurp",
            r"preview",
            r"facebookexternalhit",
            r"meta-externalagent",
            r"embedly",
            r"whatsapp",
            r"skypeuripreview",
            r"linkedinbot",
            r"outbrain",
            r"vkshare",
            r"redditbot",
            r"mastodon/",
            r"pleroma",
            r"akkoma",
            r"misskey",
            r"takahe",
            r"gotosocial",
            r"friendica",
            r"cardyb",
            r"http\.rb",
            r"python-requests",
            r"python-httpx",
            r"python-urllib",
            r"aiohttp",
            r"go-http-client",
            r"okhttp",
            r"java/",
            r"apache-httpclient",
            r"node-fetch",
            r"axios",
            r"curl/",
            r"wget",
            r"libwww",
            r"headless",
            r"lighthouse",
        )
    ),
    re.IGNORECASE,
)


def counts_as_click(method: str, user_agent: str) -> bool:
    """True for a person's click: a GET with a User-Agent that is no known robot's."""
    if method.upper() != "GET":
        return False
    agent = user_agent.strip()
    return bool(agent) and _ROBOTS.search(agent[:1000]) is None
