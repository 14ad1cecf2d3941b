"""What the recorded dialogue was made with, shared by the recorder, the kit and the tests."""

HOST = "news.example.org"
USER = "community"
PASSWORD = "kit-news-secret"  # the real password is written as this in the recording
GROUP = "local.community"
MODERATED = "local.community.moderated"
FROM = "community@example.com"
APPROVER = "moderator@example.com"
REPLY_KEY = "11111111-2222-4333-8444-555555555555"
POST_KEY = "fixture-delivery-key"
CONFIG = {
    "host": HOST,
    "user": USER,
    "targets": [GROUP, MODERATED],
    "from_address": FROM,
    "from_name": "L'équipe",
    "approved_by": APPROVER,
    "page_size": 2,
}
