"""Technology: networking (ipaddress), versions, URLs, HTTP status codes, MIME types, UUIDs, JWTs,
storage and bandwidth arithmetic."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import math
import re
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from apigen.catalog import api

CATEGORY = "Technology"


@api(examples=[{"arguments": {"cidr": "192.168.10.0/26"}, "result": {"network": "192.168.10.0", "broadcast": "192.168.10.63", "netmask": "255.255.255.192",
                                                                     "prefix_length": 26, "usable_hosts": 62, "first_host": "192.168.10.1", "last_host": "192.168.10.62"}}])
def ipv4_subnet_info(cidr: str) -> dict:
    """Describe an IPv4 subnet in CIDR notation: network, broadcast, netmask, usable host count and range.

    Args:
        cidr: Subnet such as '192.168.10.0/26' (host bits are ignored).
    """
    net = ipaddress.IPv4Network(cidr, strict=False)
    usable = net.num_addresses - 2 if net.prefixlen < 31 else net.num_addresses
    hosts = list(net.hosts()) if net.num_addresses <= 4 else [net.network_address + 1, net.broadcast_address - 1]
    return {"network": str(net.network_address), "broadcast": str(net.broadcast_address), "netmask": str(net.netmask),
            "prefix_length": net.prefixlen, "usable_hosts": usable, "first_host": str(hosts[0]), "last_host": str(hosts[-1])}


@api(examples=[{"arguments": {"ip": "10.1.2.3", "network": "10.0.0.0/8"}, "result": True},
               {"arguments": {"ip": "2001:db8::1", "network": "2001:db8::/32"}, "result": True}])
def ip_in_network(ip: str, network: str) -> bool:
    """Check whether an IPv4 or IPv6 address belongs to a network given in CIDR notation.

    Args:
        ip: The address.
        network: The network, e.g. '10.0.0.0/8'.
    """
    return ipaddress.ip_address(ip) in ipaddress.ip_network(network, strict=False)


@api(examples=[{"arguments": {"ip": "192.168.1.20"}, "result": {"version": 4, "private": True, "global": False, "loopback": False, "multicast": False, "reserved": False}}])
def classify_ip_address(ip: str) -> dict:
    """Classify an IP address: version and whether it is private, global, loopback, multicast or reserved.

    Args:
        ip: An IPv4 or IPv6 address.
    """
    a = ipaddress.ip_address(ip)
    return {"version": a.version, "private": a.is_private, "global": a.is_global, "loopback": a.is_loopback,
            "multicast": a.is_multicast, "reserved": a.is_reserved}


@api(examples=[{"arguments": {"version_a": "1.10.0", "version_b": "1.9.3"}, "result": 1},
               {"arguments": {"version_a": "2.0.0-rc.1", "version_b": "2.0.0"}, "result": -1}])
def compare_versions(version_a: str, version_b: str) -> int:
    """Compare two semantic versions (MAJOR.MINOR.PATCH with optional -prerelease): -1, 0 or 1.

    Args:
        version_a: First version, e.g. '1.10.0'.
        version_b: Second version, e.g. '1.9.3'.
    """
    def key(v: str):
        m = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?", v.strip())
        if not m:
            raise ValueError(f"'{v}' is not a semantic version")
        pre = m.group(4)
        parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()
        return tuple(int(x) for x in m.groups()[:3]), pre is None, parts

    a, b = key(version_a), key(version_b)
    return (a > b) - (a < b)


@api(examples=[{"arguments": {"url": "https://user@example.com:8443/docs/page?q=api&lang=en#intro"},
                "result": {"scheme": "https", "host": "example.com", "port": 8443, "path": "/docs/page", "query": {"q": ["api"], "lang": ["en"]}, "fragment": "intro", "username": "user"}}])
def parse_url(url: str) -> dict:
    """Split a URL into scheme, host, port, path, decoded query parameters, fragment and user name.

    Args:
        url: An absolute URL.
    """
    parts = urlsplit(url)
    return {"scheme": parts.scheme, "host": parts.hostname or "", "port": parts.port, "path": parts.path,
            "query": parse_qs(parts.query), "fragment": parts.fragment, "username": parts.username or ""}


@api(examples=[{"arguments": {"code": 404}, "result": {"code": 404, "phrase": "Not Found", "class": "client error", "description": "Nothing matches the given URI"}}])
def http_status_info(code: int) -> dict:
    """Explain an HTTP status code: reason phrase, class (informational ... server error) and description.

    Args:
        code: The HTTP status code, e.g. 404.
    """
    from http import HTTPStatus

    status = HTTPStatus(code)
    classes = {1: "informational", 2: "success", 3: "redirection", 4: "client error", 5: "server error"}
    return {"code": code, "phrase": status.phrase, "class": classes[code // 100], "description": status.description}


@api(examples=[{"arguments": {"filename": "report.pdf"}, "result": {"mime_type": "application/pdf", "encoding": None}},
               {"arguments": {"filename": "data.csv.gz"}, "result": {"mime_type": "text/csv", "encoding": "gzip"}}])
def mime_type_for_filename(filename: str) -> dict:
    """Guess the MIME type and content encoding of a file from its name (Python's built-in type map).

    Args:
        filename: File name or path, e.g. 'report.pdf'.
    """
    import mimetypes

    mime, encoding = mimetypes.MimeTypes(filenames=()).guess_type(filename, strict=False)
    return {"mime_type": mime, "encoding": encoding}


@api(examples=[{"arguments": {"name": "example.com", "namespace": "dns"}, "result": "cfbff0d1-9375-5685-968c-48ce8b15ae17"}])
def uuid_v5(name: str, namespace: Literal["dns", "url", "oid", "x500"] = "dns") -> str:
    """Generate the deterministic name-based UUID version 5 (SHA-1) of a name in a standard namespace.

    Args:
        name: The name, e.g. a domain or a URL.
        namespace: Standard namespace: dns, url, oid or x500.
    """
    import uuid

    return str(uuid.uuid5(getattr(uuid, f"NAMESPACE_{namespace.upper()}"), name))


@api(examples=[{"arguments": {"token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"},
                "result": {"header": {"alg": "HS256", "typ": "JWT"}, "payload": {"sub": "1234567890", "name": "John Doe", "iat": 1516239022}, "issued_at": "2018-01-18T01:30:22+00:00"}}])
def decode_jwt(token: str) -> dict:
    """Decode the header and payload of a JSON Web Token without verifying its signature; 'iat' and 'exp' shown as UTC.

    Args:
        token: The compact JWT (three base64url parts separated by dots).
    """
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ValueError("a JWT has three dot-separated parts")
    decode = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))  # noqa: E731
    out = {"header": decode(parts[0]), "payload": decode(parts[1])}
    for claim, label in (("iat", "issued_at"), ("exp", "expires_at")):
        if isinstance(out["payload"].get(claim), (int, float)):
            out[label] = dt.datetime.fromtimestamp(out["payload"][claim], dt.timezone.utc).isoformat()
    return out


@api(examples=[{"arguments": {"size_bytes": 1536000, "system": "binary"}, "result": "1.46 MiB"},
               {"arguments": {"size_bytes": 1536000, "system": "decimal"}, "result": "1.54 MB"}])
def format_bytes(size_bytes: int, system: Literal["decimal", "binary"] = "decimal") -> str:
    """Format a byte count in human-readable units, decimal (kB, MB: powers of 1000) or binary (KiB, MiB: powers of 1024).

    Args:
        size_bytes: Number of bytes (non-negative).
        system: 'decimal' (SI) or 'binary' (IEC).
    """
    if size_bytes < 0:
        raise ValueError("size must be non-negative")
    base, units = (1000, ["B", "kB", "MB", "GB", "TB", "PB"]) if system == "decimal" else (1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"])
    power = min(int(math.log(size_bytes, base)) if size_bytes else 0, len(units) - 1)
    return f"{size_bytes} B" if power == 0 else f"{size_bytes / base ** power:.2f} {units[power]}"


@api(examples=[{"arguments": {"size_gb": 4.7, "bandwidth_mbps": 100}, "result": {"seconds": 376.0, "readable": "6m 16s"}}])
def transfer_time(size_gb: float, bandwidth_mbps: float) -> dict:
    """Estimate how long a download or upload takes: size in gigabytes (10^9 bytes) over a link in megabits per second.

    Args:
        size_gb: Data size in gigabytes.
        bandwidth_mbps: Link speed in megabits per second (positive).
    """
    if bandwidth_mbps <= 0:
        raise ValueError("bandwidth must be positive")
    seconds = size_gb * 8000 / bandwidth_mbps
    h, rest = divmod(round(seconds), 3600)
    m, s = divmod(rest, 60)
    return {"seconds": round(seconds, 2), "readable": (f"{h}h " if h else "") + f"{m}m {s}s"}


@api(examples=[{"arguments": {"timestamp": 1700000000}, "result": "2023-11-14T22:13:20+00:00"}])
def unix_time_to_iso(timestamp: float) -> str:
    """Convert a Unix timestamp (seconds since 1970-01-01 UTC) to an ISO 8601 UTC date-time.

    Args:
        timestamp: Seconds since the Unix epoch; milliseconds are not accepted.
    """
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat()


@api(examples=[{"arguments": {"address": "2001:db8::1"}, "result": {"expanded": "2001:0db8:0000:0000:0000:0000:0000:0001", "compressed": "2001:db8::1"}}])
def ipv6_normalize(address: str) -> dict:
    """Give the fully expanded and the canonical compressed forms of an IPv6 address.

    Args:
        address: An IPv6 address in any valid notation.
    """
    a = ipaddress.IPv6Address(address)
    return {"expanded": a.exploded, "compressed": a.compressed}
