"""A shop package with Flask-Migrate (``flask db init`` left its stock ``env.py``),
Flask-WTF's CSRF protection, string user ids and structured addresses.

Its lines for Leadcapture sit between marker comments, which the test counts.
"""

from __future__ import annotations

import os

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

# >>> leadcapture
from leadcapture import LeadCapture
# <<< leadcapture

db = SQLAlchemy()
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ.get("SHOP_SECRET_KEY", "dev")
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("SHOP_DATABASE_URL", "sqlite:///shop.db")
    app.config["LEADCAPTURE_ABANDONED_AFTER_MINUTES"] = int(os.environ.get("SHOP_IDLE_MINUTES", 60))
    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    login_manager.init_app(app)
    from . import models, views

    login_manager.user_loader(models.load_user)
    # >>> leadcapture
    LeadCapture(app, db=db, load_user=models.load_user)
    # <<< leadcapture
    app.register_blueprint(views.bp)
    return app
