"""Flight booking tools: search the flights table, book a seat."""

from reward_kit.agent import ToolRegistry

from ._pricing import total_price

R = ToolRegistry("flight_tools", "Search and book flights")


@R.tool(
    description="Find flights from origin to dest on a date (YYYY-MM-DD), cheapest first",
    parameters={"origin": str, "dest": str, "date": str},
)
def search_flights(origin, dest, date, db):
    return db.fetch_all(
        "SELECT id, origin, dest, date, price, seats FROM flights "
        "WHERE origin = :origin AND dest = :dest AND date = :date AND seats > 0 ORDER BY price",
        {"origin": origin, "dest": dest, "date": date},
    )


@R.tool(
    description="Book a seat on a flight for a passenger",
    parameters={
        "flight_id": int,
        "passenger": str,
        "seat_class": {"type": "string", "enum": ["economy", "business"]},
    },
)
def book_flight(flight_id, passenger, db, seat_class="economy"):
    flight = db.fetch_one("SELECT price, seats FROM flights WHERE id = ?", [flight_id])
    if flight is None or flight["seats"] < 1:
        return {"error": f"flight {flight_id} is not available"}
    db.execute("UPDATE flights SET seats = seats - 1 WHERE id = ?", [flight_id])
    db.execute(
        "INSERT INTO bookings (flight_id, passenger, seat_class, status) VALUES (?, ?, ?, 'paid')",
        [flight_id, passenger, seat_class],
    )
    booking_id = db.fetch_val("SELECT max(id) FROM bookings")
    return {"booking_id": booking_id, "price": total_price(flight["price"], seat_class)}
