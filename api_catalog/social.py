"""Social: text analysis of posts (hashtags, mentions, length, threads, word frequency) and social
media metrics (engagement, growth, share of voice, virality)."""

from __future__ import annotations

import re
from collections import Counter

from apigen.catalog import api

CATEGORY = "Social"


@api(examples=[{"arguments": {"text": "Loving the #sunset at #Malibu! #sunset"}, "result": ["#sunset", "#Malibu"]}])
def extract_hashtags(text: str, unique: bool = True) -> list[str]:
    """Extract hashtags from a post in order of appearance (optionally de-duplicated, case-insensitively).

    Args:
        text: The post text.
        unique: Keep only the first occurrence of each hashtag.
    """
    tags = re.findall(r"(?<!\w)#\w+", text)
    if not unique:
        return tags
    seen: set[str] = set()
    return [t for t in tags if not (t.lower() in seen or seen.add(t.lower()))]


@api(examples=[{"arguments": {"text": "Thanks @alice and @bob_99, see you @alice!"}, "result": ["alice", "bob_99"]}])
def extract_mentions(text: str) -> list[str]:
    """Extract the distinct @-mentioned user names from a post, in order of first appearance.

    Args:
        text: The post text.
    """
    return list(dict.fromkeys(re.findall(r"(?<![\w@])@(\w{1,30})", text)))


@api(examples=[{"arguments": {"likes": 320, "comments": 45, "shares": 35, "followers": 10000}, "result": 4.0}])
def engagement_rate(likes: int, comments: int, shares: int, followers: int) -> float:
    """Compute a post's engagement rate by followers: (likes + comments + shares) / followers in percent.

    Args:
        likes: Likes or reactions.
        comments: Comments.
        shares: Shares, reposts or retweets.
        followers: Follower count of the account (positive).
    """
    if followers <= 0:
        raise ValueError("followers must be positive")
    return round((likes + comments + shares) / followers * 100, 2)


@api(examples=[{"arguments": {"start_followers": 12000, "end_followers": 13500, "days": 30}, "result": {"growth_percent": 12.5, "daily_compound_percent": 0.3934, "net_new": 1500}}])
def follower_growth(start_followers: int, end_followers: int, days: int) -> dict:
    """Compute follower growth over a period: total percent, equivalent compound daily rate and net new followers.

    Args:
        start_followers: Followers at the start (positive).
        end_followers: Followers at the end.
        days: Length of the period in days (positive).
    """
    if start_followers <= 0 or days <= 0 or end_followers < 0:
        raise ValueError("start followers and days must be positive")
    return {"growth_percent": round((end_followers / start_followers - 1) * 100, 2),
            "daily_compound_percent": round(((end_followers / start_followers) ** (1 / days) - 1) * 100, 4),
            "net_new": end_followers - start_followers}


@api(examples=[{"arguments": {"text": "Short update", "limit": 280}, "result": {"characters": 12, "remaining": 268, "fits": True}}])
def post_length_check(text: str, limit: int = 280) -> dict:
    """Check a post against a platform's character limit (counted as Unicode code points; 280 on X, 500 on Threads).

    Args:
        text: The post text.
        limit: Character limit of the platform.
    """
    return {"characters": len(text), "remaining": limit - len(text), "fits": len(text) <= limit}


@api(examples=[{"arguments": {"text": "one two three four five six seven", "limit": 20}, "result": ["one two three (1/3)", "four five six (2/3)", "seven (3/3)"]}])
def split_into_thread(text: str, limit: int = 280) -> list[str]:
    """Split a long text into numbered thread posts of at most `limit` characters each, breaking between words.

    Args:
        text: The full text.
        limit: Character limit per post, including the ' (i/n)' counter (at least 20).
    """
    if limit < 20:
        raise ValueError("limit must be at least 20")
    words = text.split()
    for reserve in range(6, limit):
        posts, current = [], ""
        for w in words:
            candidate = f"{current} {w}".strip()
            if len(candidate) + reserve > limit and current:
                posts.append(current)
                candidate = w
            current = candidate
        posts.append(current)
        if len(f" ({len(posts)}/{len(posts)})") <= reserve:
            return [f"{p} ({i}/{len(posts)})" for i, p in enumerate(posts, 1)]
    raise ValueError("cannot split with this limit")


@api(examples=[{"arguments": {"text": "The quick brown fox jumps over the lazy dog. The dog sleeps.", "top_n": 2}, "result": [["dog", 2], ["quick", 1]]}])
def top_words(text: str, top_n: int = 10, skip_common: bool = True) -> list[list]:
    """Find the most frequent words in a text (case-insensitive), optionally skipping common English stop words.

    Args:
        text: The text to analyse.
        top_n: Number of words to return.
        skip_common: Skip words such as 'the', 'and', 'of'.
    """
    stop = {"the", "a", "an", "and", "or", "of", "to", "in", "on", "is", "it", "for", "with", "at", "by", "over", "this", "that", "be", "are", "was"}
    words = [w for w in re.findall(r"[a-z']+", text.lower()) if not (skip_common and w in stop)]
    return [[w, c] for w, c in sorted(Counter(words).items(), key=lambda kv: (-kv[1], words.index(kv[0])))[:top_n]]


@api(examples=[{"arguments": {"handle": "@jack_dorsey"}, "result": {"valid": True, "reason": ""}}, {"arguments": {"handle": "this-is-too-long-name"}, "result": {"valid": False, "reason": "only letters, digits and underscores are allowed"}}])
def validate_x_handle(handle: str) -> dict:
    """Check a username against X (Twitter) rules: 4-15 characters of letters, digits and underscores.

    Args:
        handle: The user name, with or without the leading '@'.
    """
    name = handle[1:] if handle.startswith("@") else handle
    if not re.fullmatch(r"\w+", name, re.ASCII):
        return {"valid": False, "reason": "only letters, digits and underscores are allowed"}
    if not 4 <= len(name) <= 15:
        return {"valid": False, "reason": "must be 4 to 15 characters long"}
    return {"valid": True, "reason": ""}


@api(examples=[{"arguments": {"brand_mentions": 450, "competitor_mentions": [300, 150, 100]}, "result": 45.0}])
def share_of_voice(brand_mentions: int, competitor_mentions: list[int]) -> float:
    """Compute share of voice: a brand's mentions as a percentage of all mentions in its market.

    Args:
        brand_mentions: Mentions of the brand.
        competitor_mentions: Mentions of each competitor.
    """
    total = brand_mentions + sum(competitor_mentions)
    if total <= 0:
        raise ValueError("no mentions at all")
    return round(brand_mentions / total * 100, 2)


@api(examples=[{"arguments": {"invites_per_user": 5, "conversion_percent": 30}, "result": {"k_factor": 1.5, "viral": True}}])
def viral_coefficient(invites_per_user: float, conversion_percent: float) -> dict:
    """Compute the viral coefficient K = invites per user x invite conversion rate; K > 1 means self-sustaining growth.

    Args:
        invites_per_user: Average invitations or shares sent per user.
        conversion_percent: Share of invitations that become new users, in percent.
    """
    k = invites_per_user * conversion_percent / 100
    return {"k_factor": round(k, 4), "viral": k > 1}


@api(examples=[{"arguments": {"clicks": 250, "impressions": 10000}, "result": 2.5}])
def click_through_rate(clicks: int, impressions: int) -> float:
    """Compute the click-through rate of a post or ad in percent.

    Args:
        clicks: Link clicks.
        impressions: Times the post or ad was shown (positive).
    """
    if impressions <= 0:
        raise ValueError("impressions must be positive")
    return round(clicks / impressions * 100, 2)


@api(examples=[{"arguments": {"text": "Big news: our new app is live!!! Check it out"}, "result": {"words": 10, "exclamations": 3, "questions": 0, "uppercase_ratio": 0.0625, "emoji": 0}}])
def post_style_stats(text: str) -> dict:
    """Describe a post's style: words, exclamation and question marks, share of uppercase letters and emoji count.

    Args:
        text: The post text.
    """
    letters = [c for c in text if c.isalpha()]
    emoji = sum(1 for c in text if 0x1F300 <= ord(c) <= 0x1FAFF or 0x2600 <= ord(c) <= 0x27BF)
    return {"words": len(text.split()), "exclamations": text.count("!"), "questions": text.count("?"),
            "uppercase_ratio": round(sum(c.isupper() for c in letters) / len(letters), 4) if letters else 0.0, "emoji": emoji}
