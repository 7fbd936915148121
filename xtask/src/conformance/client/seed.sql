-- The data of `cargo xtask conformance client`: every scenario starts from these rows.
-- Edge cases on purpose: NULLs, empty strings and lists, mixed case and case-only
-- duplicates, unicode, `%` `_` `\` in text, ties in orderings, a BigInt beyond 2^53, Bytes
-- (empty too), Json of every shape (object, nested, array, string, number, bool, JSON null,
-- and SQL NULL), a maker with no gadgets, a label on no gadget, parts fitted to nothing.
INSERT INTO "Maker" ("id", "handle", "name", "bio", "tier", "rating", "balance", "visits", "avatar", "joinedAt", "nicknames", "luckyNumbers", "mentorId") VALUES
  (1, 'ada', 'Ada', 'Writes the first program', 'PRO', 4.5, 1250.5, 9007199254740993, '\x00ff10', '2021-03-04 05:06:07.891', '{Countess,Ada}', '{7,13}', NULL),
  (2, 'BOB', 'bob', NULL, 'FREE', NULL, 0, 0, NULL, '2022-01-01 00:00:00', '{}', '{}', 1),
  (3, 'zoe', 'Zoë Ångström', '100% natural', 'ENTERPRISE', 3.25, -17.125, 42, '\x', '2020-02-29 23:59:59.999', '{Zo,ÅNG}', '{1,2,3}', 1),
  (4, 'snake_case', 'under_score', 'path\to\thing', 'PRO', 5, 99999999.9999, -5, '\xdeadbeef', '2023-07-15 12:00:00.5', '{x_y}', '{13}', 3),
  (5, 'pct', '50% off', '', 'FREE', 0, 0.0001, 1, NULL, '2024-12-31 23:59:59', '{Ada}', '{7}', 3),
  (6, 'lonely', 'ADA', 'no gadgets', 'FREE', 2.5, 10, 100, NULL, '2019-06-01 08:30:00', '{}', '{}', NULL),
  (7, 'émile', 'Émile', 'Ünïcødé ✓ 日本語', 'PRO', 4.5, 1250.5, 7, '\x41', '2021-03-04 05:06:07.891', '{Em,ada}', '{7,7}', 1),
  (8, 'null_bio', 'nobody', NULL, 'ENTERPRISE', NULL, 3.3333, 3, NULL, '2019-01-01 00:00:00', '{}', '{0}', NULL);

INSERT INTO "Gadget" ("id", "makerId", "title", "sku", "price", "weight", "stock", "specs", "colors", "sizes", "releasedOn", "status") VALUES
  (1, 1, 'Analytical Engine', 'AE-1', 1000.00, 500.5, 3, '{"color": "brass", "dims": {"w": 10, "h": 2}, "tags": ["steam", "gear"], "gears": 42}', '{brass,black}', '{1,2}', '1837-01-01', 'LIVE'),
  (2, 1, 'Difference Engine', 'DE-2', 750.50, NULL, 0, '[1, 2, 3]', '{brass}', '{}', NULL, 'RETIRED'),
  (3, 3, 'Kettle', 'K_1', 19.99, 1.25, 10, '["red", "green", "blue"]', '{red,green}', '{3}', '2022-05-05', 'LIVE'),
  (4, 3, 'kettle', 'k%2', NULL, 1.25, 0, '"plain string"', '{}', '{}', NULL, 'DRAFT'),
  (5, 4, 'Back\slash', 'B\3', 5.00, 0.1, 7, '42', '{blue}', '{5,6,7}', '2023-01-01', 'LIVE'),
  (6, 4, '100% Juice', 'J-100', 2.50, NULL, 100, 'true', '{orange}', '{1}', NULL, 'DRAFT'),
  (7, 5, 'Zoë Lamp', 'ZL-7', 45.00, 3, 1, 'null', '{white,blue}', '{2,4}', '2024-02-29', 'LIVE'),
  (8, 7, 'Ünïcode Clock', 'UC-8', 120.00, 2.2, 4, '{"color": "Red", "nested": {"deep": {"deeper": [1, {"x": "y"}]}}, "tags": ["alarm"]}', '{red}', '{}', '2021-11-11', 'RETIRED'),
  (9, 3, 'Toaster', 'T-9', 29.99, NULL, 0, NULL, '{silver,red}', '{2}', NULL, 'DRAFT'),
  (10, 2, 'Widget', 'W-10', 0.00, 0, 2, '{"color": "red_ish", "tags": []}', '{red,blue,green}', '{1,2,3}', '2020-01-01', 'LIVE');

INSERT INTO "Part" ("id", "ref", "gadgetId", "name", "qty") VALUES
  (1, 'part-0001', 1, 'Gear', 40),
  (2, 'part-0002', 1, 'Crank', 1),
  (3, 'part-0003', 3, 'Spout', 1),
  (4, 'part-0004', 3, 'Lid', 1),
  (5, 'part-0005', NULL, 'Loose screw', 12),
  (6, 'part-0006', 8, 'Hand', 2),
  (7, 'part-0007', 10, 'Cog_wheel', 3),
  (8, 'part-0008', NULL, 'spare GEAR', 5);

INSERT INTO "Label" ("id", "name") VALUES
  (1, 'vintage'), (2, 'Kitchen'), (3, 'kitchen'), (4, 'steam'), (5, 'gift'), (6, 'unused');

INSERT INTO "_GadgetToLabel" ("A", "B") VALUES
  (1, 1), (1, 4), (2, 1), (2, 4), (3, 2), (3, 5), (4, 3), (7, 5), (8, 1), (8, 5), (10, 5);

INSERT INTO "Badge" ("id", "code", "makerId", "issuedAt") VALUES
  (1, 'badge-ada', 1, '2021-04-01 10:00:00'),
  (2, 'badge-zoe', 3, '2020-03-01 10:00:00'),
  (3, 'badge-snake', 4, '2023-08-01 10:00:00'),
  (4, 'badge-emile', 7, '2021-04-01 10:00:00');

SELECT setval(pg_get_serial_sequence('"Maker"', 'id'), 100);
SELECT setval(pg_get_serial_sequence('"Gadget"', 'id'), 100);
SELECT setval(pg_get_serial_sequence('"Part"', 'id'), 100);
SELECT setval(pg_get_serial_sequence('"Label"', 'id'), 100);
SELECT setval(pg_get_serial_sequence('"Badge"', 'id'), 100);
