-- The course's application tables.
CREATE SCHEMA data;

CREATE TABLE data.customers (
    customer_id serial PRIMARY KEY,
    first_name  varchar(100),
    last_name   varchar(100),
    email       varchar(255) UNIQUE
);

CREATE TABLE data.products (
    product_id  serial PRIMARY KEY,
    name        varchar(255),
    description text,
    price       decimal(10, 2)
);

CREATE TABLE data.orders (
    order_id     serial PRIMARY KEY,
    customer_id  integer REFERENCES data.customers (customer_id),
    product_id   integer REFERENCES data.products (product_id),
    quantity     integer DEFAULT 1,
    total_amount decimal(10, 2),
    order_date   timestamp NOT NULL DEFAULT now()
);
CREATE INDEX orders_order_date_idx ON data.orders (order_date);
