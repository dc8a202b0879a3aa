"""The 14 τ-bench airline tools, written from ``tools.json`` and ``wiki.md``.

Each tool is ``fn(data, **kwargs) -> str`` over ``{"flights", "reservations", "users"}``,
changing it in place; JSON results, or ``Error: ...`` with nothing changed. As the policy says,
the write tools do not check the policy (cancellation rules, basic-economy changes): that is the
agent's job. They check only what would corrupt the data (unknown ids, unavailable flights,
payments that do not add up or exceed a gift card or certificate).

"Now" is 2024-05-15 15:00:00 EST (the policy's clock): a new reservation is created then.
Gift cards and certificates keep their value in ``amount``; a certificate is used up whole.
Quirk kept for the reward's sake: ``update_reservation_flights`` prices the new cabin but leaves
the reservation's ``cabin`` field as it was.
The exact effects (new ids, fields, payment-history entries) are pinned by
``tests/test_taubench_conformance.py`` against ``gold_db_hashes.json``.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .calc import calculate, think, transfer_to_human_agents

NOW = "2024-05-15T15:00:00"
BAG_PRICE = 50
INSURANCE_PRICE = 30

# The airports that appear in flights.json, with the city each code serves.
AIRPORTS = {
    "ATL": "Atlanta", "BOS": "Boston", "CLT": "Charlotte", "DEN": "Denver", "DFW": "Dallas-Fort Worth",
    "DTW": "Detroit", "EWR": "Newark", "IAH": "Houston", "JFK": "New York", "LAS": "Las Vegas",
    "LAX": "Los Angeles", "LGA": "New York", "MCO": "Orlando", "MIA": "Miami", "MSP": "Minneapolis",
    "ORD": "Chicago", "PHL": "Philadelphia", "PHX": "Phoenix", "SEA": "Seattle", "SFO": "San Francisco",
}


def _dump(obj: Any) -> str:
    return json.dumps(obj)


def _flight_day(data: dict, flight_number: str, date: str) -> tuple[dict | None, dict | None, str | None]:
    """(flight, that day's entry, error)."""
    flight = data["flights"].get(flight_number)
    if flight is None:
        return None, None, f"Error: flight {flight_number} not found"
    day = flight["dates"].get(date)
    if day is None:
        return flight, None, f"Error: flight {flight_number} not found on date {date}"
    return flight, day, None


def _charge(user: dict, payment_id: str, amount: float) -> str | None:
    """Check that ``payment_id`` can pay ``amount`` (gift card / certificate value), else an error."""
    method = user["payment_methods"].get(payment_id)
    if method is None:
        return f"Error: payment method {payment_id} not found"
    if method["source"] in ("gift_card", "certificate") and method["amount"] < amount:
        return f"Error: not enough balance in payment method {payment_id}"
    return None


# --- reads -------------------------------------------------------------------------------


def get_reservation_details(data: dict, reservation_id: str) -> str:
    r = data["reservations"].get(reservation_id)
    return _dump(r) if r is not None else "Error: reservation not found"


def get_user_details(data: dict, user_id: str) -> str:
    u = data["users"].get(user_id)
    return _dump(u) if u is not None else "Error: user not found"


def list_all_airports(data: dict) -> str:
    return _dump(AIRPORTS)


def _available(flight: dict, date: str) -> dict | None:
    day = flight["dates"].get(date)
    if day is None or day["status"] != "available":
        return None
    out = {k: v for k, v in flight.items() if k != "dates"}
    return {**out, **{k: v for k, v in day.items() if k != "status"}, "date": date}


def search_direct_flight(data: dict, origin: str, destination: str, date: str) -> str:
    found = []
    for flight in data["flights"].values():
        if flight["origin"] == origin and flight["destination"] == destination:
            hit = _available(flight, date)
            if hit:
                found.append(hit)
    return _dump(found)


def _next_day(date: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(date) + dt.timedelta(days=1)).isoformat()


def search_onestop_flight(data: dict, origin: str, destination: str, date: str) -> str:
    """Pairs of available flights origin -> X -> destination; the second leg leaves after the
    first lands (the same day, or the next day when the first lands after midnight)."""
    found = []
    for first in data["flights"].values():
        if first["origin"] != origin or first["destination"] == destination:
            continue
        leg1 = _available(first, date)
        if not leg1:
            continue
        overnight = "+1" in first["scheduled_arrival_time_est"]
        date2 = _next_day(date) if overnight else date
        arrive = first["scheduled_arrival_time_est"].replace("+1", "")
        for second in data["flights"].values():
            if second["origin"] != first["destination"] or second["destination"] != destination:
                continue
            if not overnight and second["scheduled_departure_time_est"] <= arrive:
                continue
            leg2 = _available(second, date2)
            if leg2:
                found.append([leg1, leg2])
    return _dump(found)


# --- writes ------------------------------------------------------------------------------


def book_reservation(data: dict, user_id: str, origin: str, destination: str, flight_type: str, cabin: str,
                     flights: list, passengers: list, payment_methods: list, total_baggages: int,
                     nonfree_baggages: int, insurance: str) -> str:
    user = data["users"].get(user_id)
    if user is None:
        return "Error: user not found"
    reservation_id = "HATHAT"
    while reservation_id in data["reservations"]:
        reservation_id = reservation_id[:-1] + chr(ord(reservation_id[-1]) + 1)
    legs, total = [], 0
    for f in flights:
        flight, day, error = _flight_day(data, f["flight_number"], f["date"])
        if error:
            return error
        assert flight is not None and day is not None  # no error: both were found
        if day["status"] != "available":
            return f"Error: flight {f['flight_number']} not available on date {f['date']}"
        if day["available_seats"][cabin] < len(passengers):
            return f"Error: not enough seats on flight {f['flight_number']}"
        price = day["prices"][cabin]
        legs.append({"origin": flight["origin"], "destination": flight["destination"],
                     "flight_number": f["flight_number"], "date": f["date"], "price": price})
        total += price * len(passengers)
    if insurance == "yes":
        total += INSURANCE_PRICE * len(passengers)
    total += BAG_PRICE * nonfree_baggages
    for p in payment_methods:
        error = _charge(user, p["payment_id"], p["amount"])
        if error:
            return error
    paid = sum(p["amount"] for p in payment_methods)
    if paid != total:
        return f"Error: payment amount does not add up, total price is {total}, but paid {paid}"
    for p in payment_methods:
        method = user["payment_methods"][p["payment_id"]]
        if method["source"] == "gift_card":
            method["amount"] -= p["amount"]
        elif method["source"] == "certificate":
            del user["payment_methods"][p["payment_id"]]
    reservation = {
        "reservation_id": reservation_id, "user_id": user_id, "origin": origin, "destination": destination,
        "flight_type": flight_type, "cabin": cabin, "flights": legs, "passengers": passengers,
        "payment_history": payment_methods, "created_at": NOW, "total_baggages": total_baggages,
        "nonfree_baggages": nonfree_baggages, "insurance": insurance,
    }
    data["reservations"][reservation_id] = reservation
    user["reservations"].append(reservation_id)
    return _dump(reservation)


def cancel_reservation(data: dict, reservation_id: str) -> str:
    r = data["reservations"].get(reservation_id)
    if r is None:
        return "Error: reservation not found"
    refunds = [{"payment_id": p["payment_id"], "amount": -p["amount"]} for p in r["payment_history"]]
    r["payment_history"].extend(refunds)
    r["status"] = "cancelled"
    return _dump(r)


def update_reservation_baggages(data: dict, reservation_id: str, total_baggages: int, nonfree_baggages: int, payment_id: str) -> str:
    r = data["reservations"].get(reservation_id)
    if r is None:
        return "Error: reservation not found"
    user = data["users"][r["user_id"]]
    cost = BAG_PRICE * max(0, nonfree_baggages - r["nonfree_baggages"])
    error = _charge(user, payment_id, cost)
    if error:
        return error
    method = user["payment_methods"][payment_id]
    if method["source"] == "certificate":
        return "Error: certificate cannot be used to update reservation"
    r["total_baggages"], r["nonfree_baggages"] = total_baggages, nonfree_baggages
    if cost:
        r["payment_history"].append({"payment_id": payment_id, "amount": cost})
        if method["source"] == "gift_card":
            method["amount"] -= cost
    return _dump(r)


def update_reservation_flights(data: dict, reservation_id: str, cabin: str, flights: list, payment_id: str) -> str:
    r = data["reservations"].get(reservation_id)
    if r is None:
        return "Error: reservation not found"
    user = data["users"][r["user_id"]]
    legs, total = [], 0
    for f in flights:
        kept = next((leg for leg in r["flights"] if leg["flight_number"] == f["flight_number"]
                     and leg["date"] == f["date"] and cabin == r["cabin"]), None)
        if kept is not None:  # an unchanged segment keeps the price it was bought at
            legs.append(kept)
            total += kept["price"]
            continue
        flight, day, error = _flight_day(data, f["flight_number"], f["date"])
        if error:
            return error
        assert flight is not None and day is not None  # no error: both were found
        if day["status"] != "available":
            return f"Error: flight {f['flight_number']} not available on date {f['date']}"
        if day["available_seats"][cabin] < len(r["passengers"]):
            return f"Error: not enough seats on flight {f['flight_number']}"
        legs.append({"origin": flight["origin"], "destination": flight["destination"],
                     "flight_number": f["flight_number"], "date": f["date"], "price": day["prices"][cabin]})
        total += day["prices"][cabin]
    cost = (total - sum(leg["price"] for leg in r["flights"])) * len(r["passengers"])
    error = _charge(user, payment_id, cost)
    if error:
        return error
    method = user["payment_methods"][payment_id]
    if method["source"] == "certificate":
        return "Error: certificate cannot be used to update reservation"
    if cost != 0:
        r["payment_history"].append({"payment_id": payment_id, "amount": cost})
        if method["source"] == "gift_card":
            method["amount"] -= cost
    # The reservation's ``cabin`` field keeps its old value: the gold hashes of every cabin change
    # (airline test tasks 2, 4-7, 22, 26, 33, 34) are those of a reservation whose flights and
    # prices changed but whose cabin did not. Kept as the official reward requires.
    r["flights"] = legs
    return _dump(r)


def update_reservation_passengers(data: dict, reservation_id: str, passengers: list) -> str:
    r = data["reservations"].get(reservation_id)
    if r is None:
        return "Error: reservation not found"
    if len(passengers) != len(r["passengers"]):
        return "Error: number of passengers does not match"
    r["passengers"] = passengers
    return _dump(r)


def send_certificate(data: dict, user_id: str, amount: float) -> str:
    user = data["users"].get(user_id)
    if user is None:
        return "Error: user not found"
    number = 3221322
    while f"certificate_{number}" in user["payment_methods"]:
        number += 1
    payment_id = f"certificate_{number}"
    user["payment_methods"][payment_id] = {"source": "certificate", "amount": amount, "id": payment_id}
    return f"Certificate {payment_id} added to user {user_id} with amount {amount}."


TOOLS: dict[str, Callable[..., str]] = {
    "book_reservation": book_reservation,
    "calculate": calculate,
    "cancel_reservation": cancel_reservation,
    "get_reservation_details": get_reservation_details,
    "get_user_details": get_user_details,
    "list_all_airports": list_all_airports,
    "search_direct_flight": search_direct_flight,
    "search_onestop_flight": search_onestop_flight,
    "send_certificate": send_certificate,
    "think": think,
    "transfer_to_human_agents": transfer_to_human_agents,
    "update_reservation_baggages": update_reservation_baggages,
    "update_reservation_flights": update_reservation_flights,
    "update_reservation_passengers": update_reservation_passengers,
}
