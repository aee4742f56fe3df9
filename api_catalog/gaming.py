"""Gaming: dice and card probabilities, chess notation (FEN, SAN, knight moves, performance
rating), poker hands, puzzle validation and experience curves."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache

from apigen.catalog import api

CATEGORY = "Gaming"
_RANKS = "23456789TJQKA"
_HANDS = ["High card", "One pair", "Two pair", "Three of a kind", "Straight", "Flush", "Full house", "Four of a kind", "Straight flush"]


@cache
def _ways(dice: int, sides: int, total: int) -> int:
    if dice == 0:
        return int(total == 0)
    return sum(_ways(dice - 1, sides, total - f) for f in range(1, sides + 1) if total - f >= dice - 1)


@api(examples=[{"arguments": {"dice": 2, "sides": 6, "target": 7}, "result": {"exactly": 0.166667, "at_least": 0.583333, "at_most": 0.583333}}])
def dice_sum_probability(dice: int, sides: int, target: int) -> dict:
    """Compute the probability that the sum of fair dice is exactly, at least, or at most a target.

    Args:
        dice: Number of dice (1 to 20).
        sides: Sides per die (2 to 100).
        target: The total of interest.
    """
    if not (1 <= dice <= 20 and 2 <= sides <= 100):
        raise ValueError("need 1-20 dice with 2-100 sides")
    total = sides ** dice
    p = lambda lo, hi: sum(_ways(dice, sides, t) for t in range(max(lo, dice), min(hi, dice * sides) + 1)) / total  # noqa: E731
    return {"exactly": round(p(target, target), 6), "at_least": round(p(target, dice * sides), 6), "at_most": round(p(dice, target), 6)}


@api(examples=[{"arguments": {"notation": "3d6+2"}, "result": {"min": 5, "max": 20, "mean": 12.5}}])
def dice_roll_range(notation: str) -> dict:
    """Give the minimum, maximum and average total of a dice expression in standard notation such as '3d6+2' or '2d10-1'.

    Args:
        notation: Dice notation NdS with an optional +/- modifier.
    """
    m = re.fullmatch(r"\s*(\d*)d(\d+)\s*([+-]\s*\d+)?\s*", notation.lower())
    if not m:
        raise ValueError(f"'{notation}' is not dice notation like 3d6+2")
    n, s = int(m.group(1) or 1), int(m.group(2))
    mod = int(m.group(3).replace(" ", "")) if m.group(3) else 0
    return {"min": n + mod, "max": n * s + mod, "mean": n * (s + 1) / 2 + mod}


@api(examples=[{"arguments": {"drop_chance_percent": 1, "attempts": 100}, "result": 63.4}])
def loot_drop_chance(drop_chance_percent: float, attempts: int) -> float:
    """Compute the chance (percent, one decimal) of getting an item at least once in a number of independent attempts.

    Args:
        drop_chance_percent: Drop chance per attempt in percent.
        attempts: Number of attempts.
    """
    if not 0 <= drop_chance_percent <= 100 or attempts < 0:
        raise ValueError("chance must be 0-100 and attempts non-negative")
    return round((1 - (1 - drop_chance_percent / 100) ** attempts) * 100, 1)


@api(examples=[{"arguments": {"deck_size": 60, "copies_in_deck": 4, "cards_drawn": 7, "wanted_at_least": 1}, "result": 0.3995}])
def card_draw_probability(deck_size: int, copies_in_deck: int, cards_drawn: int, wanted_at_least: int = 1) -> float:
    """Compute the hypergeometric probability of drawing at least k copies of a card (e.g. an opening hand).

    Args:
        deck_size: Cards in the deck.
        copies_in_deck: Copies of the wanted card in the deck.
        cards_drawn: Cards drawn.
        wanted_at_least: Minimum copies wanted in the draw.
    """
    if not (0 <= copies_in_deck <= deck_size and 0 <= cards_drawn <= deck_size):
        raise ValueError("copies and draws must fit in the deck")
    total = math.comb(deck_size, cards_drawn)
    hits = sum(math.comb(copies_in_deck, k) * math.comb(deck_size - copies_in_deck, cards_drawn - k)
               for k in range(wanted_at_least, min(copies_in_deck, cards_drawn) + 1))
    return round(hits / total, 4)


@api(examples=[{"arguments": {"cards": ["AH", "KH", "QH", "JH", "TH"]}, "result": "Straight flush"},
               {"arguments": {"cards": ["2C", "2D", "9S", "9H", "9C"]}, "result": "Full house"}])
def poker_hand_rank(cards: list[str]) -> str:
    """Name the category of a five-card poker hand; cards are rank (2-9, T, J, Q, K, A) plus suit (C, D, H, S).

    Args:
        cards: Five cards such as ['AH', 'KH', 'QH', 'JH', 'TH'].
    """
    if len(cards) != 5 or len({c.upper() for c in cards}) != 5 or any(len(c) != 2 or c[0].upper() not in _RANKS or c[1].upper() not in "CDHS" for c in cards):
        raise ValueError("need five distinct cards like 'AH' or 'TD'")
    ranks = sorted((_RANKS.index(c[0].upper()) for c in cards), reverse=True)
    flush = len({c[1].upper() for c in cards}) == 1
    straight = len(set(ranks)) == 5 and (ranks[0] - ranks[4] == 4 or ranks == [12, 3, 2, 1, 0])
    counts = sorted(Counter(ranks).values(), reverse=True)
    if straight and flush:
        return _HANDS[8]
    if counts[0] == 4:
        return _HANDS[7]
    if counts == [3, 2]:
        return _HANDS[6]
    if flush:
        return _HANDS[5]
    if straight:
        return _HANDS[4]
    return _HANDS[{3: 3, 2: 2 if counts[1] == 2 else 1}.get(counts[0], 0)]


@api(examples=[{"arguments": {"fen": "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1"}, "result": {"valid": True, "side_to_move": "black", "fullmove": 1, "errors": []}}])
def validate_chess_fen(fen: str) -> dict:
    """Check the syntax of a chess position in Forsyth-Edwards Notation (FEN) and report whose move it is.

    Args:
        fen: The six-field FEN string.
    """
    errors = []
    fields = fen.split()
    if len(fields) != 6:
        return {"valid": False, "side_to_move": "", "fullmove": 0, "errors": ["FEN needs 6 space-separated fields"]}
    rows = fields[0].split("/")
    if len(rows) != 8 or any(sum(int(c) if c.isdigit() else 1 for c in r) != 8 or re.search(r"[^1-8pnbrqkPNBRQK]", r) for r in rows):
        errors.append("piece placement must have 8 ranks of 8 squares")
    if fields[0].count("K") != 1 or fields[0].count("k") != 1:
        errors.append("each side needs exactly one king")
    if fields[1] not in ("w", "b"):
        errors.append("active colour must be 'w' or 'b'")
    if not re.fullmatch(r"-|K?Q?k?q?", fields[2]) or not fields[2]:
        errors.append("castling field must be '-' or a subset of KQkq")
    if not re.fullmatch(r"-|[a-h][36]", fields[3]):
        errors.append("en passant field must be '-' or a square on rank 3 or 6")
    if not (fields[4].isdigit() and fields[5].isdigit() and int(fields[5]) >= 1):
        errors.append("halfmove and fullmove counters must be numbers (fullmove >= 1)")
    return {"valid": not errors, "side_to_move": {"w": "white", "b": "black"}.get(fields[1], ""),
            "fullmove": int(fields[5]) if fields[5].isdigit() else 0, "errors": errors}


@api(examples=[{"arguments": {"move": "Nbd7"}, "result": True}, {"arguments": {"move": "exd8=Q+"}, "result": True}, {"arguments": {"move": "Kz9"}, "result": False}])
def is_valid_san_move(move: str) -> bool:
    """Check that a chess move is well-formed Standard Algebraic Notation (SAN), e.g. 'e4', 'Nxf3+', 'O-O', 'e8=Q#'.

    Args:
        move: The move text.
    """
    pattern = r"(O-O(-O)?|[KQRBN][a-h]?[1-8]?x?[a-h][1-8]|[a-h](x[a-h])?[1-8](=[QRBN])?)[+#]?"
    return re.fullmatch(pattern, move.strip()) is not None


@api(examples=[{"arguments": {"square": "g1"}, "result": ["e2", "f3", "h3"]}])
def knight_moves(square: str) -> list[str]:
    """List the squares a knight can reach from a square on an empty chessboard, sorted.

    Args:
        square: Square in algebraic notation, e.g. 'g1'.
    """
    if not re.fullmatch(r"[a-h][1-8]", square.lower()):
        raise ValueError("square must be like 'e4'")
    f, r = ord(square[0].lower()) - 97, int(square[1]) - 1
    jumps = [(1, 2), (2, 1), (2, -1), (1, -2), (-1, -2), (-2, -1), (-2, 1), (-1, 2)]
    return sorted(f"{chr(97 + f + df)}{r + dr + 1}" for df, dr in jumps if 0 <= f + df < 8 and 0 <= r + dr < 8)


@api(examples=[{"arguments": {"opponent_ratings": [1800, 1900, 2000, 1700], "points": 3}, "result": 2050.0}])
def chess_performance_rating(opponent_ratings: list[float], points: float) -> float:
    """Estimate a tournament performance rating: average opponent rating + 400 x (wins - losses) / games.

    Args:
        opponent_ratings: Ratings of the opponents faced.
        points: Points scored (1 per win, 0.5 per draw).
    """
    n = len(opponent_ratings)
    if not n or not 0 <= points <= n:
        raise ValueError("need opponents and 0 <= points <= games")
    return round(sum(opponent_ratings) / n + 400 * (2 * points - n) / n, 1)


@api(examples=[{"arguments": {"board": ["XOX", "OXO", "OXX"]}, "result": "X"}, {"arguments": {"board": ["XO ", "   ", "   "]}, "result": "in progress"}])
def tic_tac_toe_winner(board: list[str]) -> str:
    """Decide a tic-tac-toe position: 'X', 'O', 'draw' or 'in progress'.

    Args:
        board: Three rows of three characters each: 'X', 'O' or a space.
    """
    if len(board) != 3 or any(len(r) != 3 or set(r) - set("XO ") for r in board):
        raise ValueError("board must be three rows of three of 'X', 'O', ' '")
    lines = board + ["".join(c) for c in zip(*board)] + [board[0][0] + board[1][1] + board[2][2], board[0][2] + board[1][1] + board[2][0]]
    for player in "XO":
        if player * 3 in lines:
            return player
    return "in progress" if any(" " in r for r in board) else "draw"


@api(examples=[{"arguments": {"level": 99}, "result": 13034431}, {"arguments": {"level": 2}, "result": 83}])
def runescape_xp_for_level(level: int) -> int:
    """Compute the total experience needed to reach a skill level in RuneScape (the classic 1-126 XP curve).

    Args:
        level: Target level (1 to 126).
    """
    if not 1 <= level <= 126:
        raise ValueError("level must be between 1 and 126")
    return sum(math.floor(n + 300 * 2 ** (n / 7)) for n in range(1, level)) // 4


@api(examples=[{"arguments": {"damage_per_hit": 100, "attacks_per_second": 1.5, "crit_chance_percent": 20, "crit_multiplier": 2}, "result": 180.0}])
def damage_per_second(damage_per_hit: float, attacks_per_second: float, crit_chance_percent: float = 0, crit_multiplier: float = 2) -> float:
    """Compute expected damage per second including critical hits: damage x rate x (1 + crit% x (multiplier - 1)).

    Args:
        damage_per_hit: Damage of a normal hit.
        attacks_per_second: Attacks per second.
        crit_chance_percent: Critical-hit chance in percent.
        crit_multiplier: Damage multiplier of a critical hit.
    """
    if not 0 <= crit_chance_percent <= 100:
        raise ValueError("crit chance must be 0-100")
    return round(damage_per_hit * attacks_per_second * (1 + crit_chance_percent / 100 * (crit_multiplier - 1)), 4)
