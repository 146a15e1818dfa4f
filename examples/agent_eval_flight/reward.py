"""Score a flight booking by the final database: 1.0 when the passenger holds a paid booking."""

from reward_kit import EvaluateResult, MetricResult, reward_function


@reward_function
def evaluate(messages, ground_truth=None, *, db, task_achieved=None, passenger="", **kwargs):
    booked = db.fetch_val(
        "SELECT COUNT(*) FROM bookings WHERE passenger = ? AND status = 'paid'", [passenger]
    )
    searched = any(
        call["name"] == "search_flights" and call["ok"]
        for call in kwargs.get("state", {}).get("tool_calls", [])
    )
    return EvaluateResult(
        score=1.0 if booked else 0.0,
        reason=f"{passenger} has {booked} paid booking(s)",
        metrics={
            "booked": MetricResult(score=float(bool(booked)), reason=f"{booked} booking(s)"),
            "searched_first": MetricResult(score=float(searched), reason="searched before booking"),
        },
    )
