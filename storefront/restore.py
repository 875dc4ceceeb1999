"""What the shop does when a shopper opens a recovery link: the cart comes back."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for


def restore_cart(lines: list[dict[str, Any]], discount_code: str | None) -> Any:
    from . import cart

    missing = cart.restore(lines, discount_code)
    flash("Welcome back! Your cart is as you left it.", "success")
    if missing:
        said = (
            "1 item is no longer sold and was left out."
            if len(missing) == 1
            else f"{len(missing)} items are no longer sold and were left out."
        )
        flash(said, "error")
    if discount_code:
        flash(f"Your discount code {discount_code} is applied.", "success")
    return redirect(url_for("cart.show"))
