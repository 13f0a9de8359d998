import { readFileSync } from "fs";
import { exec } from "child_process";

export interface Order {
  id: number;
  owner: string;
  total: number;
}

export class OrderBook {
  private orders = new Map<number, Order>();
  private nextId = 1;

  add(owner, total) {
    const order = { id: this.nextId++, owner, total };
    this.orders.set(order.id, order);
    return order;
  }

  byOwner(owner) {
    const found = [];
    for (const order of this.orders.values()) {
      if (order.owner === owner) {
        found.push(order);
      }
    }
    return found;
  }

  totalFor(owner) {
    let sum = 0;
    for (const order of this.byOwner(owner)) {
      sum += order.total;
    }
    return sum;
  }
}

export function loadConfig(path) {
  const text = readFileSync(path, "utf8");
  const config = JSON.parse(text);
  return config;
}

export const handler = async (req, res) => {
  const book = new OrderBook();
  const name = req.query.name;
  book.add(name, Number(req.query.total));
  exec("echo " + name, (err, stdout) => res.send(stdout));
  res.json({ total: book.totalFor(name) });
};
