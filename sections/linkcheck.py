"""Is each external link still alive? Checked the way a careful browser would, many at a time.

Per address: HEAD first (cheap), then GET when HEAD gets an error status or a
dropped connection (many servers answer HEAD badly); redirects are followed
(at most 10) and the final address is kept; every request has a time-out, so a
server that never answers costs at most that long. Nothing here writes to the
database: ``services.record_link_results`` does, in the calling thread.

Health: ``ok`` (2xx at the address itself), ``redirected`` (2xx after one or
more redirects: worth updating the link), ``broken`` (the server answered 4xx
or 5xx), ``unreachable`` (no answer: time-out, refused, unknown host, TLS
failure; or the site refused the check with 401/403/429, which says nothing
about whether a person can read it, so learners get no warning for those).
"""
import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from .models import Resource

USER_AGENT = "Mozilla/5.0 (compatible; DuurzaamSamenwerken-linkcontrole/1.0)"
HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "nl,en;q=0.8",
}
REFUSED_STATUSES = {401, 403, 429}
Health = Resource.Health


@dataclass(frozen=True)
class LinkResult:
    url: str
    health: str
    status_code: int | None
    final_url: str
    detail: str
    checked_at: datetime
    seconds: float


class _BlockedAddress(Exception):
    pass


def _is_private(host: str) -> bool:
    """Does ``host`` resolve to this machine or a private network?"""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False  # unknown host: the request itself will say so
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved \
                or address.is_multicast or address.is_unspecified:
            return True
    return False


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects (urllib's rules, at most 10) and remembers that it did."""

    def __init__(self, block_private: bool):
        super().__init__()
        self.block_private = block_private
        self.hops = 0

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if self.block_private and _is_private(urlsplit(newurl).hostname or ""):
            raise _BlockedAddress(newurl)
        self.hops += 1
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _request(url: str, method: str, timeout: float, block_private: bool):
    """One request with redirects followed: (status, final URL, hops)."""
    redirects = _Redirects(block_private)
    opener = urllib.request.build_opener(redirects)
    request = urllib.request.Request(url, method=method, headers=HEADERS)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.geturl(), redirects.hops
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, error.geturl() or url, redirects.hops


def _explain(error: BaseException, timeout: float) -> str:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"Geen antwoord binnen {timeout:g} s"
    if isinstance(reason, socket.gaierror):
        return "Onbekende servernaam"
    if isinstance(reason, ConnectionRefusedError):
        return "Verbinding geweigerd"
    if isinstance(reason, ssl.SSLError):
        return "Beveiligde verbinding mislukt"
    if isinstance(reason, (ConnectionResetError, HTTPException)):
        return "Verbinding verbroken"
    return str(reason)[:200] or reason.__class__.__name__


def _is_timeout(error: BaseException) -> bool:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return isinstance(reason, (TimeoutError, socket.timeout))


def check_url(url: str, *, timeout: float | None = None, block_private: bool | None = None) -> LinkResult:
    """Check one address; never raises for anything the network does."""
    timeout = settings.LINK_CHECK_TIMEOUT if timeout is None else timeout
    block_private = settings.LINK_CHECK_BLOCK_PRIVATE if block_private is None else block_private
    started = time.monotonic()

    def result(health, status=None, final="", detail=""):
        return LinkResult(url=url, health=health, status_code=status, final_url=final, detail=detail,
                          checked_at=timezone.now(), seconds=time.monotonic() - started)

    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return result(Health.BROKEN, detail="Geen geldig webadres")
    if block_private and _is_private(parts.hostname):
        return result(Health.UNREACHABLE, detail="Intern adres: niet gecontroleerd")

    outcome, failure = None, None
    for method in ("HEAD", "GET"):
        try:
            outcome = _request(url, method, timeout, block_private)
            failure = None
        except _BlockedAddress:
            return result(Health.UNREACHABLE, detail="Verwijst naar een intern adres: niet gecontroleerd")
        except (urllib.error.URLError, OSError, HTTPException, ValueError) as error:
            outcome, failure = None, error
            if _is_timeout(error):
                break  # a server that does not answer HEAD in time will not answer GET either
            continue
        if outcome[0] < 300:
            break

    if outcome is None:
        return result(Health.UNREACHABLE, detail=_explain(failure, timeout))
    status, final_url, hops = outcome
    if status in REFUSED_STATUSES:
        return result(Health.UNREACHABLE, status, final_url, "De site weigerde de controle")
    if status >= 400:
        return result(Health.BROKEN, status, final_url)
    if status >= 300:  # urllib stopped following: a loop or more than 10 redirects
        return result(Health.BROKEN, status, final_url, "Doorverwijzingen zonder einde")
    if hops and final_url != url:
        return result(Health.REDIRECTED, status, final_url)
    return result(Health.OK, status, final_url)


def check_urls(urls, *, workers: int | None = None, timeout: float | None = None,
               block_private: bool | None = None) -> dict[str, LinkResult]:
    """Check many addresses at once (a thread per request, ``workers`` at a time)."""
    urls = list(dict.fromkeys(urls))
    if not urls:
        return {}
    workers = settings.LINK_CHECK_WORKERS if workers is None else workers
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(urls)))) as pool:
        results = pool.map(lambda u: check_url(u, timeout=timeout, block_private=block_private), urls)
        return {r.url: r for r in results}
