"""Register, sign in and out, and the account page."""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from leadcapture import addresses_of_web_user, normalized_email, signals, within_rate_limit

from .extensions import db
from .forms import LoginForm, LogoutForm, PasswordForm, RegisterForm
from .languages import current_language
from .models import Order, User
from .safety import safe_next
from .sessions import keep_this_session, sign_in, sign_out

bp = Blueprint("accounts", __name__)

EXISTS = "An account with this email exists already. Sign in instead."
TOO_MANY = "Too many attempts from here; wait a minute and try again."


@cache
def _stand_in() -> User:
    """A user no one is, checked when the email is unknown so both failures cost the same."""
    user = User()
    user.set_password(secrets.token_urlsafe(16))
    return user


def find_user(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == normalized_email(email))).first()


def _landing(user: User) -> str:
    """Where a sign-in without ``next`` lands: staff in the back office, shoppers in the shop."""
    if user.is_staff and "leadcapture_backoffice" in current_app.blueprints:
        return url_for("leadcapture_backoffice.leads")
    return url_for("catalog.index")


@bp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    form = RegisterForm()
    if form.is_submitted() and not within_rate_limit(
        "register", current_app.config["STOREFRONT_REGISTER_RATE_LIMIT"]
    ):
        form.form_errors.append(TOO_MANY)
        return render_template("account/register.html", form=form), 429
    if form.validate_on_submit():
        email = normalized_email(form.email.data)
        if db.session.scalar(
            select(func.count()).select_from(User).where(func.lower(User.email) == email)
        ):
            form.email.errors.append(EXISTS)
        else:
            user = User(
                email=email,
                full_name=form.full_name.data.strip(),
                phone=(form.phone.data or "").strip() or None,
                company_name=(form.company_name.data or "").strip() or None,
            )
            user.set_password(form.password.data)
            db.session.add(user)
            try:
                db.session.flush()
                # Sent before the commit: the plug-in keeps the event in this
                # transaction, so the account and its lead capture go in together.
                signals.user_registered.send(
                    current_app._get_current_object(),  # type: ignore[attr-defined]
                    user_id=str(user.id),
                    email=user.email,
                    full_name=user.full_name,
                    phone=user.phone,
                    company_name=user.company_name,
                    language=current_language(),
                )
                db.session.commit()
            except IntegrityError:  # the same email registered at this very moment
                db.session.rollback()
                form.email.errors.append(EXISTS)
                return render_template("account/register.html", form=form), 200
            sign_in(user)
            flash("Welcome! Add your addresses now, and checkout will be quicker.", "success")
            return redirect(url_for("leadcapture_portal.new_address"))
    return render_template("account/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.is_submitted() and not within_rate_limit(
        "login", current_app.config["STOREFRONT_LOGIN_RATE_LIMIT"]
    ):
        form.form_errors.append(TOO_MANY)
        return render_template("account/login.html", form=form), 429
    if form.validate_on_submit():
        user = find_user(form.email.data)
        password_ok = (user or _stand_in()).check_password(form.password.data)
        if user is not None and password_ok:
            sign_in(user)
            return redirect(safe_next(form.next.data) or _landing(user))
        form.form_errors.append("Email or password is wrong.")
    return render_template("account/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        sign_out(current_user)  # type: ignore[arg-type]
    return redirect(url_for("catalog.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """A new password; every other session of the account ends."""
    form = PasswordForm()
    user: User = current_user  # type: ignore[assignment]
    if form.validate_on_submit():
        if not user.check_password(form.current.data):
            form.current.errors.append("This is not your password.")
        else:
            user.set_password(form.password.data)
            db.session.commit()
            keep_this_session(user)
            flash("Your password is changed; your other sessions have ended.", "success")
            return redirect(url_for(".account"))
    return render_template("account/password.html", form=form)


@bp.route("/account")
@login_required
def account() -> Any:
    orders = db.session.scalars(
        select(Order).where(Order.user_id == current_user.id).order_by(Order.id.desc())
    )
    return render_template(
        "account/account.html",
        orders=list(orders),
        addresses=addresses_of_web_user(db.session, str(current_user.id)),
    )
