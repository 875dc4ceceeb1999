"""The shop as a person uses it: catalog, cart, sign-in, account."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask, get_flashed_messages
from sqlalchemy import select

from leadcapture import signals
from leadcapture.models import TrackedCart
from storefront.extensions import db
from storefront.models import CartItem, Order
from storefront.restore import restore_cart

from .helpers import Shopper, count, heard


def test_the_catalog_lists_seeded_products_with_prices(shopper: Shopper) -> None:
    page = shopper.get("/").get_data(as_text=True)
    assert "Sencha green tea" in page and "8.50 EUR" in page
    product = shopper.get("/products/cast-iron-teapot")
    assert product.status_code == 200 and "49.00" in product.get_data(as_text=True)
    assert shopper.get("/products/no-such-thing").status_code == 404


def test_a_guest_cart_lives_in_the_session(shopper: Shopper, other_shopper: Shopper) -> None:
    shopper.add_to_cart("TEA-001", 2)
    shopper.add_to_cart("MUG-001")
    page = shopper.get("/cart").get_data(as_text=True)
    assert "Sencha green tea" in page and "31.00 EUR" in page
    assert "Your cart is empty" in other_shopper.get("/cart").get_data(as_text=True)


def test_quantities_change_and_zero_removes_a_line(app: Flask, shopper: Shopper) -> None:
    from .helpers import product_id

    shopper.add_to_cart("TEA-001", 2)
    shopper.submit(
        "/cart", {"product_id": product_id(app, "TEA-001"), "quantity": 5}, action="/cart/update"
    )
    assert "42.50 EUR" in shopper.get("/cart").get_data(as_text=True)
    shopper.submit(
        "/cart", {"product_id": product_id(app, "TEA-001"), "quantity": 0}, action="/cart/update"
    )
    assert "Your cart is empty" in shopper.get("/cart").get_data(as_text=True)


def test_the_guest_cart_survives_sign_up(app: Flask, shopper: Shopper) -> None:
    shopper.add_to_cart("POT-001")
    shopper.register(email="jane@example.com")
    assert "Cast-iron teapot" in shopper.get("/cart").get_data(as_text=True)
    assert count(app, CartItem) == 1


def test_the_guest_cart_is_merged_into_the_account_at_login(
    app: Flask, shopper: Shopper, other_shopper: Shopper
) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001", 1)
    shopper.logout()

    other_shopper.add_to_cart("TEA-001", 2)
    other_shopper.add_to_cart("MUG-001", 1)
    assert other_shopper.login("jane@example.com").status_code == 302
    with app.app_context():
        items = {i.product.sku: i.quantity for i in db.session.scalars(select(CartItem))}
    assert items == {"TEA-001": 3, "MUG-001": 1}
    page = other_shopper.get("/cart").get_data(as_text=True)
    assert "39.50 EUR" in page


def test_a_signed_in_cart_is_kept_across_devices(shopper: Shopper, other_shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("GFT-001")
    other_shopper.login("jane@example.com")
    assert "Tasting box" in other_shopper.get("/cart").get_data(as_text=True)


def test_cart_changes_reach_the_plug_in(app: Flask, shopper: Shopper) -> None:
    with heard(signals.cart_changed) as changes:
        shopper.add_to_cart("TEA-001", 2)
    assert changes[-1]["lines"][0]["sku"] == "TEA-001"
    assert changes[-1]["currency"] == "EUR"
    with app.app_context():
        cart = db.session.scalars(select(TrackedCart)).one()
        assert cart.total == Decimal("17.00") and cart.item_count == 2
        assert cart.lines[0]["unit_price"] == "8.50"
        assert cart.last_activity_at.tzinfo is not None


def test_checkout_of_a_signed_in_user_marks_the_tracked_cart(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    with app.app_context():
        cart = db.session.scalars(select(TrackedCart).where(TrackedCart.user_id.is_not(None))).one()
        order = db.session.scalars(select(Order)).one()
        assert cart.checked_out_at is not None and cart.order_ref == order.number
    assert count(app, CartItem) == 0


def test_the_account_page_shows_orders_and_addresses(shopper: Shopper) -> None:
    shopper.register(full_name="Jane Doe")
    shopper.add_address("Billing")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    page = shopper.get("/account").get_data(as_text=True)
    assert "SO-00001" in page and "Jane Doe-Billing" in page


def test_checkout_is_prefilled_from_saved_addresses(shopper: Shopper) -> None:
    shopper.register(full_name="Jane Doe")
    shopper.add_address("Billing", city="Coimbra")
    shopper.add_to_cart("TEA-001")
    page = shopper.get("/checkout").get_data(as_text=True)
    assert 'value="Coimbra"' in page


def test_the_account_page_needs_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.location


def test_wrong_password_and_unknown_email_get_the_same_answer(
    shopper: Shopper, other_shopper: Shopper
) -> None:
    shopper.register(email="jane@example.com")
    shopper.logout()
    wrong = shopper.login("jane@example.com", "not the password")
    unknown = other_shopper.login("nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert "Email or password is wrong." in wrong.get_data(as_text=True)
    assert "Email or password is wrong." in unknown.get_data(as_text=True)


def test_passwords_are_stored_hashed(app: Flask, shopper: Shopper) -> None:
    from storefront.models import User

    shopper.register(email="jane@example.com", password="correct horse battery")
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "jane@example.com")).one()
        assert "correct horse" not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_staff_who_sign_in_land_in_the_back_office_and_shoppers_in_the_shop(app: Flask) -> None:
    staff = Shopper(app)
    landed = staff.login("staff@example.com", "staff-password")
    assert landed.status_code == 302 and landed.location.endswith("/backoffice/")
    shopper = Shopper(app)
    shopper.register(email="sam@example.com")
    shopper.logout()
    assert shopper.login("sam@example.com").location == "/"
    asked = Shopper(app)
    assert asked.login("staff@example.com", "staff-password", next="/cart").location == "/cart"


def test_missing_pages_are_the_shops_and_the_back_offices_own(app: Flask) -> None:
    missing = Shopper(app).get("/products/no-such-tea")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    assert "Leaf &amp; Kettle" in missing.get_data(as_text=True)
    staff = Shopper(app)
    staff.login("staff@example.com", "staff-password")
    gone = staff.get("/backoffice/leads/999999")
    assert gone.status_code == 404
    page = gone.get_data(as_text=True)
    assert "Not found" in page and "Back to the leads" in page and 'class="lc"' in page


def test_a_restored_cart_says_how_many_items_are_no_longer_sold(app: Flask) -> None:
    def said(skus: list[str]) -> list[str]:
        with app.test_request_context("/"):
            restore_cart([{"sku": sku, "quantity": 1} for sku in skus], None)
            return get_flashed_messages()

    assert "1 item is no longer sold and was left out." in said(["TEA-001", "GONE-1"])
    assert "2 items are no longer sold and were left out." in said(["GONE-1", "GONE-2"])
