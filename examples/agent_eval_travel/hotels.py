"""Hotel tools of the travel bundle; async, to show awaitable db calls."""

from reward_kit.agent import ToolRegistry

R = ToolRegistry("hotels", "Hotel booking")


@R.tool(
    description="Reserve a hotel in a city for some nights", parameters={"city": str, "nights": int}
)
async def reserve_hotel(city, nights, db):
    await db.execute("INSERT INTO reservations (city, nights) VALUES (?, ?)", [city, nights])
    return {"reserved": True, "city": city, "nights": nights}
