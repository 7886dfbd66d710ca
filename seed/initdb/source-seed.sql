-- Deterministic seed: the same rows on every machine (dates relative to the day of init).
-- 1,000 customers, 200 products, 100,000 orders over the last 180 days.
INSERT INTO data.customers (first_name, last_name, email)
SELECT (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Margaret','Ken','Frances','John'])[1 + i % 10],
       (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Hamilton','Thompson','Allen','Backus'])[1 + (i / 10) % 10],
       format('customer%s@example.com', i)
FROM generate_series(1, 1000) AS i;

INSERT INTO data.products (name, description, price)
SELECT format('Product %s', i),
       format('%s %s', (ARRAY['Small','Large','Blue','Red','Premium','Basic','Eco','Smart'])[1 + i % 8],
                       (ARRAY['widget','gadget','sprocket','gizmo','doohickey'])[1 + i % 5]),
       round((5 + (i * 37) % 995 + (i % 100) / 100.0)::numeric, 2)
FROM generate_series(1, 200) AS i;

INSERT INTO data.orders (customer_id, product_id, quantity, total_amount, order_date)
SELECT (1 + (i::bigint * 7919) % 1000)::int,
       p.product_id,
       q.quantity,
       q.quantity * p.price,
       date_trunc('day', now()) - interval '180 days' + (i * interval '155.52 seconds')
FROM generate_series(1, 100000) AS i
CROSS JOIN LATERAL (SELECT (1 + (i::bigint * 104729) % 5)::int AS quantity) AS q
JOIN data.products AS p ON p.product_id = 1 + (i::bigint * 31) % 200;
