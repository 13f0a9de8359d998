import datetime
from dataclasses import dataclass, field


@dataclass
class Item:
    sku: str
    price: float
    tags: list[str] = field(default_factory=list)


class Cart:
    def __init__(self, owner):
        self.owner = owner
        self.items = []
        self.created = datetime.datetime.now()

    def add(self, item, quantity=1):
        for _ in range(quantity):
            self.items.append(item)
        return len(self.items)

    def total(self):
        amount = 0.0
        for item in self.items:
            amount += item.price
        return round(amount, 2)

    def describe(self):
        names = ", ".join(item.sku for item in self.items)
        return f"{self.owner}: {names}"
