"""1.0 when a hotel is reserved in the city the row asks for."""

from reward_kit import EvaluateResult, reward_function


@reward_function
def evaluate(messages, ground_truth=None, *, db, **kwargs):
    nights = db.fetch_val("SELECT SUM(nights) FROM reservations WHERE city = ?", [ground_truth])
    return EvaluateResult(score=1.0 if nights else 0.0, reason=f"{nights or 0} night(s) reserved")
