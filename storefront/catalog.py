"""The catalog: the product list and each product's page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from .extensions import db
from .forms import CartLineForm
from .models import Product

bp = Blueprint("catalog", __name__)


@bp.route("/")
def index() -> Any:
    products = db.session.scalars(select(Product).order_by(Product.name))
    return render_template("catalog/index.html", products=list(products), form=CartLineForm())


@bp.route("/products/<slug:slug>")
def product(slug: str) -> Any:
    found = db.session.scalars(select(Product).where(Product.slug == slug)).first()
    if found is None:
        abort(404)
    return render_template(
        "catalog/product.html", product=found, form=CartLineForm(product_id=found.id)
    )


@bp.route("/contact")
def contact() -> Any:
    """The plug-in's web form, embedded as any other site would embed it."""
    return render_template("catalog/contact.html")
