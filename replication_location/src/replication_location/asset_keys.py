"""The keys the replicated tables' assets have (DagsterSlingTranslator: "target" + stream name),
for the jobs and the analytics built on them."""

import dagster as dg

CUSTOMERS = dg.AssetKey(["target", "data", "customers"])
PRODUCTS = dg.AssetKey(["target", "data", "products"])
ORDERS = dg.AssetKey(["target", "data", "orders"])
TABLES = [CUSTOMERS, PRODUCTS, ORDERS]
