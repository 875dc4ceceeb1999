"""Demo data for a first start: a small catalog and a staff account to sign in with."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from leadcapture import DBSession, normalized_email

from .models import Product, User

CATALOG = [
    (
        "TEA-001",
        "sencha-green-tea",
        "Sencha green tea",
        "Grassy Japanese green tea, 100 g.",
        "8.50",
    ),
    ("TEA-002", "assam-breakfast", "Assam breakfast tea", "Malty black tea, 250 g.", "6.90"),
    ("MUG-001", "stoneware-mug", "Stoneware mug", "Hand-glazed, 300 ml.", "14.00"),
    ("POT-001", "cast-iron-teapot", "Cast-iron teapot", "Tetsubin, 0.8 l, with strainer.", "49.00"),
    ("INF-001", "steel-infuser", "Steel infuser", "Fine mesh, fits every mug.", "4.50"),
    ("GFT-001", "tasting-box", "Tasting box", "Six teas to try, 6 × 25 g.", "24.00"),
]

DEMO_STAFF_EMAIL = "staff@example.com"


def seed_catalog(session: DBSession) -> int:
    """Add the demo products when the catalog is empty; returns how many were added."""
    if session.scalar(select(func.count()).select_from(Product)):
        return 0
    for sku, slug, name, description, price in CATALOG:
        session.add(
            Product(sku=sku, slug=slug, name=name, description=description, price=Decimal(price))
        )
    return len(CATALOG)


def create_staff(session: DBSession, email: str, password: str, full_name: str = "Staff") -> User:
    """Make a staff account, or make an existing account staff with this password."""
    email = normalized_email(email)
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        user = User(email=email, full_name=full_name)
        session.add(user)
    user.is_staff = True
    user.set_password(password)
    return user


def seed_demo(session: DBSession, staff_password: str) -> bool:
    """The first-start demo: catalog, and the demo staff account if there is none.
    Returns whether this was the first start (the staff account was made now)."""
    seed_catalog(session)
    first = session.scalars(select(User).where(User.email == DEMO_STAFF_EMAIL)).first() is None
    if first:
        create_staff(session, DEMO_STAFF_EMAIL, staff_password, full_name="Demo Staff")
    session.commit()
    return first
