"""Fetching a file a person uploaded to the bot's DM: files.info for its name, size and private URL, then the
bytes with the bot token. The token goes only to Slack's own host (or SLACK_API_URL's, and its subdomains such
as files.slack.com): a URL anywhere else is refused, and redirects are never followed."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackClientError

from bot.services.uploads import Attachment
from handlers.slack.client import GuardedWebClient

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"


class NotFetched(Exception):
    """The file could not be had from Slack; the message says why (for the log, not the person)."""


def file_info(client: GuardedWebClient, file_id: str) -> Attachment:
    """files.info: the upload's name, size and download URL."""
    try:
        answer = client.files_info(file=file_id)
    except (SlackClientError, OSError) as error:
        raise NotFetched(f"files.info failed: {error}") from None
    info: dict[str, Any] = answer.get("file") or {}
    url = info.get("url_private_download") or info.get("url_private")
    if not url:
        raise NotFetched("files.info gave no download URL")
    size = info.get("size")
    return Attachment(str(info.get("name") or info.get("title") or "upload"), str(url), size)


def allowed(url: str, api_url: str | None) -> bool:
    """The URL is on Slack's host (SLACK_API_URL's) or a subdomain of it, over the API's scheme or HTTPS."""
    api = urlsplit(api_url or SLACK_API)
    target = urlsplit(url)
    host, api_host = (target.hostname or "").lower(), (api.hostname or "").lower()
    if not host or not api_host or target.scheme not in {"https", api.scheme}:
        return False
    return host == api_host or host.endswith("." + api_host)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect would carry the token somewhere we did not check


def download(url: str, token: str, api_url: str | None, *, limit: int, timeout: float) -> bytes:
    """The file's bytes, with the bot token, from an allowed host only; at most ``limit`` bytes."""
    if not allowed(url, api_url):
        raise NotFetched(f"refused to send the bot token to {urlsplit(url).hostname!r}")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as answer:
            if "text/html" in answer.headers.get("Content-Type", ""):
                raise NotFetched("Slack answered with a web page (a login page: the token was not accepted)")
            content: bytes = answer.read(limit + 1)
    except (urllib.error.URLError, OSError) as error:
        raise NotFetched(f"download failed: {error}") from None
    if len(content) > limit:
        raise NotFetched("the file is larger than it said")
    return content
