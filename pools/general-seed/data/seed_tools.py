"""Two invented functions, the kind a user hands `seer run --tools`: typed, one-line docstrings."""

ROOM_RATE = {"single": 85.0, "double": 120.0}


def room_price(nights: int, room: str) -> float:
    """Price in euros of a hotel stay of the given nights in a single or double room."""
    return ROOM_RATE[room.strip().lower()] * nights


def shoe_size_eu(us_size: float) -> float:
    """European shoe size for a US men's shoe size."""
    return round(us_size + 33, 1)
