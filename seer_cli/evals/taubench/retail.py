"""The 16 τ-bench retail tools, written from ``tools.json`` and ``wiki.md``.

Each tool is ``fn(data, **kwargs) -> str``: ``data`` is the loaded database ``{"orders",
"products", "users"}`` and is changed in place; the result is a JSON string, or a string starting
with ``Error:`` when the call is refused (then nothing has changed). What a write does to the
tables (which fields, in which order payment-history entries are appended, how money is rounded)
is fixed by ``gold_db_hashes.json``: ``tests/test_taubench_conformance.py`` replays every gold
action and compares the hash of the result.

Money: gift-card balances and an exchange's price difference are rounded to cents; the refund or
payment a pending-order item change appends is the plain float sum (as the gold hashes require).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .calc import calculate, think, transfer_to_human_agents

CANCEL_REASONS = ("no longer needed", "ordered by mistake")


def _dump(obj: Any) -> str:
    return json.dumps(obj)


def _order(data: dict, order_id: str) -> dict | None:
    return data["orders"].get(order_id)


def _gift_card(method_id: str) -> bool:
    return method_id.startswith("gift_card")


# --- reads -------------------------------------------------------------------------------


def find_user_id_by_email(data: dict, email: str) -> str:
    for user_id, user in data["users"].items():
        if user["email"].lower() == email.lower():
            return user_id
    return "Error: user not found"


def find_user_id_by_name_zip(data: dict, first_name: str, last_name: str, zip: str) -> str:
    for user_id, user in data["users"].items():
        name = user["name"]
        if (name["first_name"].lower() == first_name.lower() and name["last_name"].lower() == last_name.lower()
                and user["address"]["zip"] == zip):
            return user_id
    return "Error: user not found"


def get_order_details(data: dict, order_id: str) -> str:
    order = _order(data, order_id)
    return _dump(order) if order is not None else "Error: order not found"


def get_product_details(data: dict, product_id: str) -> str:
    product = data["products"].get(product_id)
    return _dump(product) if product is not None else "Error: product not found"


def get_user_details(data: dict, user_id: str) -> str:
    user = data["users"].get(user_id)
    return _dump(user) if user is not None else "Error: user not found"


def list_all_product_types(data: dict) -> str:
    names = {p["name"]: p["product_id"] for p in data["products"].values()}
    return _dump(dict(sorted(names.items())))


# --- writes ------------------------------------------------------------------------------


def _user_method(data: dict, order: dict, method_id: str) -> dict | None:
    return data["users"][order["user_id"]]["payment_methods"].get(method_id)


def _items_in_order(order: dict, item_ids: list[str]) -> str | None:
    """None when every id in ``item_ids`` (duplicates counted) is in the order, else an error."""
    have = [it["item_id"] for it in order["items"]]
    for item_id in item_ids:
        if have.count(item_id) < item_ids.count(item_id):
            return f"Error: {item_id} not found"
    return None


def _swap_cost(data: dict, order: dict, item_ids: list[str], new_item_ids: list[str]) -> tuple[float, str | None]:
    """Price difference of swapping ``item_ids`` for ``new_item_ids`` (same product, available),
    unrounded: a pending order's payment history records it as summed (the gold hashes say so)."""
    if len(item_ids) != len(new_item_ids):
        return 0.0, "Error: the number of items to be exchanged should match"
    diff = 0.0
    for old_id, new_id in zip(item_ids, new_item_ids):
        item = next(it for it in order["items"] if it["item_id"] == old_id)
        variants = data["products"][item["product_id"]]["variants"]
        new = variants.get(new_id)
        if new is None or not new["available"]:
            return 0.0, f"Error: new item {new_id} not found or available"
        diff += new["price"] - item["price"]
    return diff, None


def cancel_pending_order(data: dict, order_id: str, reason: str) -> str:
    order = _order(data, order_id)
    if order is None:
        return "Error: order not found"
    if order["status"] != "pending":
        return "Error: non-pending order cannot be cancelled"
    if reason not in CANCEL_REASONS:
        return "Error: invalid reason"
    refunds = []
    for payment in order["payment_history"]:
        refunds.append({"transaction_type": "refund", "amount": payment["amount"], "payment_method_id": payment["payment_method_id"]})
        method = _user_method(data, order, payment["payment_method_id"])
        if method is not None and "balance" in method:
            method["balance"] = round(method["balance"] + payment["amount"], 2)
    order["status"] = "cancelled"
    order["cancel_reason"] = reason
    order["payment_history"].extend(refunds)
    return _dump(order)


def exchange_delivered_order_items(data: dict, order_id: str, item_ids: list, new_item_ids: list, payment_method_id: str) -> str:
    order = _order(data, order_id)
    if order is None:
        return "Error: order not found"
    if order["status"] != "delivered":
        return "Error: non-delivered order cannot be exchanged"
    error = _items_in_order(order, item_ids)
    if error:
        return error
    diff, error = _swap_cost(data, order, item_ids, new_item_ids)
    if error:
        return error
    method = _user_method(data, order, payment_method_id)
    if method is None:
        return "Error: payment method not found"
    if method["source"] == "gift_card" and method["balance"] < round(diff, 2):
        return "Error: insufficient gift card balance to pay for the price difference"
    order["status"] = "exchange requested"
    order["exchange_items"] = sorted(item_ids)
    order["exchange_new_items"] = sorted(new_item_ids)
    order["exchange_payment_method_id"] = payment_method_id
    order["exchange_price_difference"] = round(diff, 2)
    return _dump(order)


def _address(address1: str, address2: str, city: str, state: str, country: str, zip: str) -> dict:
    return {"address1": address1, "address2": address2, "city": city, "state": state, "country": country, "zip": zip}


def modify_pending_order_address(data: dict, order_id: str, address1: str, address2: str, city: str, state: str,
                                 country: str, zip: str) -> str:
    order = _order(data, order_id)
    if order is None:
        return "Error: order not found"
    if order["status"] != "pending":
        return "Error: non-pending order cannot be modified"
    order["address"] = _address(address1, address2, city, state, country, zip)
    return _dump(order)


def modify_pending_order_items(data: dict, order_id: str, item_ids: list, new_item_ids: list, payment_method_id: str) -> str:
    order = _order(data, order_id)
    if order is None:
        return "Error: order not found"
    if order["status"] != "pending":
        return "Error: non-pending order cannot be modified"
    error = _items_in_order(order, item_ids)
    if error:
        return error
    diff, error = _swap_cost(data, order, item_ids, new_item_ids)
    if error:
        return error
    method = _user_method(data, order, payment_method_id)
    if method is None:
        return "Error: payment method not found"
    if method["source"] == "gift_card" and method["balance"] < diff:
        return "Error: insufficient gift card balance to pay for the new item"
    order["payment_history"].append(
        {"transaction_type": "payment" if diff > 0 else "refund", "amount": abs(diff), "payment_method_id": payment_method_id}
    )
    if method["source"] == "gift_card":
        method["balance"] = round(method["balance"] - diff, 2)
    for old_id, new_id in zip(item_ids, new_item_ids):
        item = next(it for it in order["items"] if it["item_id"] == old_id)
        new = data["products"][item["product_id"]]["variants"][new_id]
        item["item_id"], item["price"], item["options"] = new_id, new["price"], new["options"]
    order["status"] = "pending (item modified)"
    return _dump(order)


def modify_pending_order_payment(data: dict, order_id: str, payment_method_id: str) -> str:
    order = _order(data, order_id)
    if order is None:
        return "Error: order not found"
    if order["status"] != "pending":
        return "Error: non-pending order cannot be modified"
    method = _user_method(data, order, payment_method_id)
    if method is None:
        return "Error: payment method not found"
    history = order["payment_history"]
    if len(history) != 1 or history[0]["transaction_type"] != "payment":
        return "Error: there should be exactly one payment for a pending order"
    old_id, amount = history[0]["payment_method_id"], history[0]["amount"]
    if old_id == payment_method_id:
        return "Error: the new payment method should be different from the current one"
    if method["source"] == "gift_card" and method["balance"] < amount:
        return "Error: insufficient gift card balance to pay for the order"
    history.append({"transaction_type": "payment", "amount": amount, "payment_method_id": payment_method_id})
    history.append({"transaction_type": "refund", "amount": amount, "payment_method_id": old_id})
    if method["source"] == "gift_card":
        method["balance"] = round(method["balance"] - amount, 2)
    old = _user_method(data, order, old_id)
    if old is not None and old["source"] == "gift_card":
        old["balance"] = round(old["balance"] + amount, 2)
    return _dump(order)


def modify_user_address(data: dict, user_id: str, address1: str, address2: str, city: str, state: str, country: str, zip: str) -> str:
    user = data["users"].get(user_id)
    if user is None:
        return "Error: user not found"
    user["address"] = _address(address1, address2, city, state, country, zip)
    return _dump(user)


def return_delivered_order_items(data: dict, order_id: str, item_ids: list, payment_method_id: str) -> str:
    order = _order(data, order_id)
    if order is None:
        return "Error: order not found"
    if order["status"] != "delivered":
        return "Error: non-delivered order cannot be returned"
    if payment_method_id not in data["users"][order["user_id"]]["payment_methods"]:
        return "Error: payment method not found"
    if payment_method_id != order["payment_history"][0]["payment_method_id"] and not _gift_card(payment_method_id):
        return "Error: payment method should be either the original payment method or a gift card"
    error = _items_in_order(order, item_ids)
    if error:
        return error
    order["status"] = "return requested"
    order["return_items"] = sorted(item_ids)
    order["return_payment_method_id"] = payment_method_id
    return _dump(order)


TOOLS: dict[str, Callable[..., str]] = {
    "calculate": calculate,
    "cancel_pending_order": cancel_pending_order,
    "exchange_delivered_order_items": exchange_delivered_order_items,
    "find_user_id_by_email": find_user_id_by_email,
    "find_user_id_by_name_zip": find_user_id_by_name_zip,
    "get_order_details": get_order_details,
    "get_product_details": get_product_details,
    "get_user_details": get_user_details,
    "list_all_product_types": list_all_product_types,
    "modify_pending_order_address": modify_pending_order_address,
    "modify_pending_order_items": modify_pending_order_items,
    "modify_pending_order_payment": modify_pending_order_payment,
    "modify_user_address": modify_user_address,
    "return_delivered_order_items": return_delivered_order_items,
    "think": think,
    "transfer_to_human_agents": transfer_to_human_agents,
}
