import json
import re
import sqlite3
from pathlib import Path

from .models import Cart, Item

SKU_PATTERN = re.compile(r"^[A-Z]{3}-\d{4}$")


def load_catalog(path):
    text = Path(path).read_text()
    raw = json.loads(text)
    catalog = {}
    for entry in raw:
        if not SKU_PATTERN.match(entry["sku"]):
            continue
        catalog[entry["sku"]] = Item(entry["sku"], float(entry["price"]))
    return catalog


def open_db(path):
    conn = sqlite3.connect(path)
    conn.execute("create table if not exists orders (owner text, total real)")
    return conn


def checkout(conn, cart, coupon=None):
    total = cart.total()
    if coupon is not None and coupon.startswith("HALF"):
        total = total / 2
    cur = conn.cursor()
    cur.execute("insert into orders values (?, ?)", (cart.owner, total))
    conn.commit()
    return cur.lastrowid


def find_orders(conn, owner):
    query = "select total from orders where owner = '" + owner + "'"
    rows = conn.execute(query).fetchall()
    return [row[0] for row in rows]


def new_cart(owner, skus, catalog):
    cart = Cart(owner)
    for sku in skus:
        item = catalog.get(sku)
        if item:
            cart.add(item)
    return cart
