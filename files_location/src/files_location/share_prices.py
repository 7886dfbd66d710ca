"""The CSV format users drop into the landing folder (the course's share-price files): its columns,
the one declaration the contract, the tables' DDL, the loads and the tests derive from."""

# Column name -> DuckDB type, in the order the warehouse tables keep them.
COLUMNS: dict[str, str] = {
    "date": "DATE",
    "share_price": "DOUBLE",
    "amount": "DOUBLE",
    "spend": "DOUBLE",
    "shift": "DOUBLE",
    "spread": "DOUBLE",
}
