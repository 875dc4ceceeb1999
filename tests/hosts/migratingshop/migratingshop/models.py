from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from . import db


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    email: Mapped[str] = mapped_column(sa.String(200), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80))
    password: Mapped[str] = mapped_column(sa.String(200))
    is_staff: Mapped[bool] = mapped_column(default=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Order(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey(User.id))
    street: Mapped[str] = mapped_column(sa.String(200))
    city: Mapped[str] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(100))
    total: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))


def load_user(user_id: str) -> User | None:
    return db.session.get(User, user_id)
