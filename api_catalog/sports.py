"""Sports: ratings (Elo, NFL passer rating, golf handicap differential), pace and race-time
prediction, scoring statistics and round-robin scheduling."""

from __future__ import annotations

from apigen.catalog import api

CATEGORY = "Sports"


@api(examples=[{"arguments": {"rating_a": 1600, "rating_b": 1500, "score_a": 1, "k_factor": 32}, "result": {"expected_a": 0.6401, "new_rating_a": 1611.52, "new_rating_b": 1488.48}}])
def elo_rating_update(rating_a: float, rating_b: float, score_a: float, k_factor: float = 32) -> dict:
    """Update two players' Elo ratings after a game: expected score of A and both new ratings.

    Args:
        rating_a: Rating of player or team A before the game.
        rating_b: Rating of player or team B before the game.
        score_a: A's result: 1 win, 0.5 draw, 0 loss.
        k_factor: K-factor controlling how much one game moves the ratings.
    """
    if score_a not in (0, 0.5, 1):
        raise ValueError("score_a must be 0, 0.5 or 1")
    expected = 1 / (1 + 10 ** ((rating_b - rating_a) / 400))
    change = k_factor * (score_a - expected)
    return {"expected_a": round(expected, 4), "new_rating_a": round(rating_a + change, 2), "new_rating_b": round(rating_b - change, 2)}


@api(examples=[{"arguments": {"completions": 20, "attempts": 30, "yards": 250, "touchdowns": 2, "interceptions": 1}, "result": 100.7}])
def nfl_passer_rating(completions: int, attempts: int, yards: int, touchdowns: int, interceptions: int) -> float:
    """Compute the NFL passer rating (0 to 158.3) from a quarterback's passing line.

    Args:
        completions: Completed passes.
        attempts: Pass attempts (positive).
        yards: Passing yards.
        touchdowns: Touchdown passes.
        interceptions: Interceptions thrown.
    """
    if attempts <= 0:
        raise ValueError("attempts must be positive")
    clamp = lambda x: max(0.0, min(2.375, x))  # noqa: E731
    a = clamp((completions / attempts - 0.3) * 5)
    b = clamp((yards / attempts - 3) * 0.25)
    c = clamp(touchdowns / attempts * 20)
    d = clamp(2.375 - interceptions / attempts * 25)
    return round((a + b + c + d) / 6 * 100, 1)


@api(examples=[{"arguments": {"distance_km": 10, "time": "50:00"}, "result": {"pace_per_km": "5:00", "pace_per_mile": "8:03", "speed_kmh": 12.0}}])
def running_pace(distance_km: float, time: str) -> dict:
    """Compute running pace per kilometre and per mile, and average speed, from distance and finishing time.

    Args:
        distance_km: Distance in kilometres (positive).
        time: Finishing time as 'H:MM:SS' or 'MM:SS'.
    """
    seconds = sum(int(p) * 60 ** i for i, p in enumerate(reversed(time.split(":"))))
    if distance_km <= 0 or seconds <= 0:
        raise ValueError("distance and time must be positive")
    fmt = lambda s: f"{int(s // 60)}:{round(s % 60):02d}" if round(s % 60) < 60 else f"{int(s // 60) + 1}:00"  # noqa: E731
    return {"pace_per_km": fmt(seconds / distance_km), "pace_per_mile": fmt(seconds / distance_km * 1.609344),
            "speed_kmh": round(distance_km / seconds * 3600, 2)}


@api(examples=[{"arguments": {"known_distance_km": 10, "known_time_minutes": 50, "target_distance_km": 21.0975}, "result": 110.3}])
def predict_race_time(known_distance_km: float, known_time_minutes: float, target_distance_km: float, exponent: float = 1.06) -> float:
    """Predict a race time (minutes, one decimal) at a new distance from a known result with Riegel's formula T2 = T1 (D2/D1)^1.06.

    Args:
        known_distance_km: Distance of the known race in km.
        known_time_minutes: Time of the known race in minutes.
        target_distance_km: Distance to predict in km.
        exponent: Fatigue exponent (1.06 in Riegel's original).
    """
    if min(known_distance_km, known_time_minutes, target_distance_km) <= 0:
        raise ValueError("distances and time must be positive")
    return round(known_time_minutes * (target_distance_km / known_distance_km) ** exponent, 1)


@api(examples=[{"arguments": {"teams": ["A", "B", "C", "D"]}, "result": [[["A", "D"], ["B", "C"]], [["A", "C"], ["D", "B"]], [["A", "B"], ["C", "D"]]]}])
def round_robin_schedule(teams: list[str]) -> list[list[list[str]]]:
    """Build a single round-robin schedule with the circle method: each round lists [home, away] pairs; an odd count adds byes.

    Args:
        teams: Team names (2 to 40, unique).
    """
    if not 2 <= len(teams) <= 40 or len(set(teams)) != len(teams):
        raise ValueError("need 2 to 40 unique teams")
    slots = list(teams) + (["BYE"] if len(teams) % 2 else [])
    n, rounds = len(slots), []
    for _ in range(n - 1):
        pairs = [[slots[i], slots[n - 1 - i]] for i in range(n // 2)]
        rounds.append([p for p in pairs if "BYE" not in p])
        slots = [slots[0], slots[-1]] + slots[1:-1]
    return rounds


@api(examples=[{"arguments": {"hits": 150, "at_bats": 500, "walks": 60, "hit_by_pitch": 5, "sacrifice_flies": 5, "total_bases": 250},
                "result": {"batting_average": 0.3, "on_base_percentage": 0.377, "slugging": 0.5, "ops": 0.877}}])
def baseball_batting_stats(hits: int, at_bats: int, walks: int, hit_by_pitch: int, sacrifice_flies: int, total_bases: int) -> dict:
    """Compute batting average, on-base percentage, slugging percentage and OPS (three decimals).

    Args:
        hits: Hits.
        at_bats: At-bats (positive).
        walks: Bases on balls.
        hit_by_pitch: Times hit by a pitch.
        sacrifice_flies: Sacrifice flies.
        total_bases: Total bases from hits.
    """
    if at_bats <= 0:
        raise ValueError("at_bats must be positive")
    obp = (hits + walks + hit_by_pitch) / (at_bats + walks + hit_by_pitch + sacrifice_flies)
    slg = total_bases / at_bats
    return {"batting_average": round(hits / at_bats, 3), "on_base_percentage": round(obp, 3), "slugging": round(slg, 3), "ops": round(obp + slg, 3)}


@api(examples=[{"arguments": {"earned_runs": 50, "innings_pitched": 180}, "result": 2.5}])
def earned_run_average(earned_runs: int, innings_pitched: float) -> float:
    """Compute a pitcher's ERA: earned runs per nine innings (two decimals).

    Args:
        earned_runs: Earned runs allowed.
        innings_pitched: Innings pitched (partial innings as thirds, e.g. 180.33).
    """
    if innings_pitched <= 0:
        raise ValueError("innings must be positive")
    return round(earned_runs * 9 / innings_pitched, 2)


@api(examples=[{"arguments": {"points": 30, "field_goal_attempts": 20, "free_throw_attempts": 8}, "result": 63.78}])
def true_shooting_percentage(points: int, field_goal_attempts: int, free_throw_attempts: int) -> float:
    """Compute basketball true shooting percentage: PTS / (2 (FGA + 0.44 FTA)) in percent.

    Args:
        points: Points scored.
        field_goal_attempts: Field-goal attempts.
        free_throw_attempts: Free-throw attempts.
    """
    denominator = 2 * (field_goal_attempts + 0.44 * free_throw_attempts)
    if denominator <= 0:
        raise ValueError("needs at least one attempt")
    return round(points / denominator * 100, 2)


@api(examples=[{"arguments": {"runs_scored": 800, "runs_allowed": 700, "games": 162}, "result": {"expected_win_percent": 56.08, "expected_wins": 90.8}}])
def pythagorean_expectation(runs_scored: float, runs_allowed: float, games: int, exponent: float = 1.83) -> dict:
    """Estimate a team's expected winning percentage and wins from points scored and allowed (Pythagorean expectation).

    Args:
        runs_scored: Runs or points scored.
        runs_allowed: Runs or points allowed.
        games: Games in the season.
        exponent: 1.83 for baseball, about 13.9 for the NBA, 2.37 for the NFL.
    """
    if runs_scored <= 0 or runs_allowed <= 0:
        raise ValueError("scored and allowed must be positive")
    p = runs_scored ** exponent / (runs_scored ** exponent + runs_allowed ** exponent)
    return {"expected_win_percent": round(p * 100, 2), "expected_wins": round(p * games, 1)}


@api(examples=[{"arguments": {"adjusted_gross_score": 90, "course_rating": 71.2, "slope_rating": 128}, "result": 16.6}])
def golf_score_differential(adjusted_gross_score: float, course_rating: float, slope_rating: int, pcc: float = 0) -> float:
    """Compute a World Handicap System score differential: (113 / slope) x (score - course rating - PCC).

    Args:
        adjusted_gross_score: Adjusted gross score of the round.
        course_rating: Course rating of the tees played.
        slope_rating: Slope rating (55 to 155).
        pcc: Playing conditions calculation adjustment (-1 to +3).
    """
    if not 55 <= slope_rating <= 155:
        raise ValueError("slope rating must be between 55 and 155")
    return round(113 / slope_rating * (adjusted_gross_score - course_rating - pcc), 1)


@api(examples=[{"arguments": {"runs_for": 1800, "overs_faced": "350.0", "runs_against": 1700, "overs_bowled": "345.3"}, "result": {"net_run_rate": 0.222, "run_rate_for": 5.143, "run_rate_against": 4.92}}])
def cricket_net_run_rate(runs_for: int, overs_faced: str, runs_against: int, overs_bowled: str) -> dict:
    """Compute cricket run rates and net run rate; overs are written 'overs.balls' (6 balls per over).

    Args:
        runs_for: Runs scored by the team.
        overs_faced: Overs faced, e.g. '49.4' for 49 overs and 4 balls.
        runs_against: Runs conceded.
        overs_bowled: Overs bowled, same notation.
    """
    def overs(text: str) -> float:
        whole, _, balls = text.partition(".")
        if balls and not 0 <= int(balls) <= 5:
            raise ValueError("balls after the dot must be 0-5")
        return int(whole) + int(balls or 0) / 6

    rf, ra = runs_for / overs(overs_faced), runs_against / overs(overs_bowled)
    return {"net_run_rate": round(rf - ra, 3), "run_rate_for": round(rf, 3), "run_rate_against": round(ra, 3)}


@api(examples=[{"arguments": {"wins": 10, "losses": 5, "ties": 2}, "result": 0.647}])
def win_percentage(wins: int, losses: int, ties: int = 0) -> float:
    """Compute a win percentage (three decimals) counting ties as half a win, as in the NFL.

    Args:
        wins: Games won.
        losses: Games lost.
        ties: Games tied.
    """
    games = wins + losses + ties
    if games <= 0:
        raise ValueError("no games played")
    return round((wins + ties / 2) / games, 3)


@api(examples=[{"arguments": {"distance_m": 100, "time_s": 9.58}, "result": {"m_per_s": 10.44, "km_per_h": 37.58, "mph": 23.35}}])
def average_speed(distance_m: float, time_s: float) -> dict:
    """Compute average speed in m/s, km/h and mph from a distance and time.

    Args:
        distance_m: Distance in metres.
        time_s: Time in seconds (positive).
    """
    if time_s <= 0:
        raise ValueError("time must be positive")
    v = distance_m / time_s
    return {"m_per_s": round(v, 2), "km_per_h": round(v * 3.6, 2), "mph": round(v / 0.44704, 2)}
