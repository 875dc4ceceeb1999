"""The shop's own tables: accounts, catalog, carts and orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "shop_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(140))
    phone: Mapped[str | None] = mapped_column(String(40))
    company_name: Mapped[str | None] = mapped_column(String(140))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Each session remembers the version it began with; counting it up (sign-out, a new
    #: password) ends every session of the user, wherever its cookie is.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def set_password(self, password: str) -> None:
        """A new password ends the user's other sessions."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Product(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "shop_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))


class CartItem(db.Model):  # type: ignore[name-defined,misc]
    """A line of a signed-in shopper's cart; guests keep theirs in the session."""

    __tablename__ = "shop_cart_items"
    __table_args__ = (UniqueConstraint("user_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("shop_users.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("shop_products.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    product: Mapped[Product] = relationship()


class Order(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "shop_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("shop_users.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(140))
    phone: Mapped[str | None] = mapped_column(String(40))
    billing_line1: Mapped[str] = mapped_column(String(240))
    billing_line2: Mapped[str | None] = mapped_column(String(240))
    billing_city: Mapped[str] = mapped_column(String(140))
    billing_state: Mapped[str | None] = mapped_column(String(140))
    billing_pincode: Mapped[str | None] = mapped_column(String(20))
    billing_country: Mapped[str] = mapped_column(String(140))
    shipping_line1: Mapped[str] = mapped_column(String(240))
    shipping_line2: Mapped[str | None] = mapped_column(String(240))
    shipping_city: Mapped[str] = mapped_column(String(140))
    shipping_state: Mapped[str | None] = mapped_column(String(140))
    shipping_pincode: Mapped[str | None] = mapped_column(String(20))
    shipping_country: Mapped[str] = mapped_column(String(140))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    #: The key of the checkout form that placed it: the same form sent again (a double
    #: click, twenty parallel submits) finds this order instead of placing another.
    order_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    discount: Mapped[Decimal] = mapped_column(
        Numeric(12, 2), default=Decimal("0"), server_default="0"
    )
    coupon_code: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.id")

    @property
    def number(self) -> str:
        return f"SO-{self.id:05d}"

    def address(self, kind: str) -> dict[str, str | None]:
        """The billing or shipping address in the plug-in's field names."""
        return {
            "address_line1": getattr(self, f"{kind}_line1"),
            "address_line2": getattr(self, f"{kind}_line2"),
            "city": getattr(self, f"{kind}_city"),
            "state": getattr(self, f"{kind}_state"),
            "pincode": getattr(self, f"{kind}_pincode"),
            "country": getattr(self, f"{kind}_country"),
            "phone": self.phone,
        }


class OrderLine(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "shop_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("shop_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("shop_products.id"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    order: Mapped[Order] = relationship(back_populates="lines")


class Coupon(db.Model):  # type: ignore[name-defined,misc]
    """A single-use discount code, such as the one a recovery email carries."""

    __tablename__ = "shop_coupons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    percent_off: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
