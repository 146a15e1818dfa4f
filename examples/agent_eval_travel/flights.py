"""Flight tools of the travel bundle (one of two registries combined by --registries)."""

from reward_kit.agent import ToolRegistry

R = ToolRegistry("flights", "Flight search")


@R.tool(description="List flights to a city", parameters={"city": str})
def find_flights(city, db):
    return db.fetch_all("SELECT id, city, price FROM flights WHERE city = ?", [city])
