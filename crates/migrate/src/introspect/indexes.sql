-- Indexes other than primary keys. Expression and partial indexes are flagged with
-- `is_expression` / `is_partial` for the caller to treat as Prisma does.
-- indoption bit 1 = DESC. `included` are INCLUDE (...) columns, not part of the key.
SELECT n.nspname AS namespace,
       c.relname AS table_name,
       ic.relname AS name,
       i.indisunique AS is_unique,
       am.amname AS method,
       (i.indexprs IS NOT NULL) AS is_expression,
       (i.indpred IS NOT NULL) AS is_partial,
       ARRAY(SELECT COALESCE(a.attname::text, '')
             FROM generate_subscripts(i.indkey, 1) AS s(pos)
             LEFT JOIN pg_catalog.pg_attribute a
                    ON a.attrelid = i.indrelid AND a.attnum = i.indkey[s.pos]
             WHERE s.pos < i.indnkeyatts
             ORDER BY s.pos) AS columns,
       ARRAY(SELECT COALESCE(a.attname::text, '')
             FROM generate_subscripts(i.indkey, 1) AS s(pos)
             LEFT JOIN pg_catalog.pg_attribute a
                    ON a.attrelid = i.indrelid AND a.attnum = i.indkey[s.pos]
             WHERE s.pos >= i.indnkeyatts
             ORDER BY s.pos) AS included,
       ARRAY(SELECT (i.indoption[s.pos] & 1) = 1
             FROM generate_subscripts(i.indoption, 1) AS s(pos)
             WHERE s.pos < i.indnkeyatts
             ORDER BY s.pos) AS descending,
       ARRAY(SELECT opc.opcname::text
             FROM generate_subscripts(i.indclass, 1) AS s(pos)
             JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[s.pos]
             WHERE s.pos < i.indnkeyatts
             ORDER BY s.pos) AS opclasses,
       ARRAY(SELECT opc.opcdefault
             FROM generate_subscripts(i.indclass, 1) AS s(pos)
             JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[s.pos]
             WHERE s.pos < i.indnkeyatts
             ORDER BY s.pos) AS opclass_defaults,
       EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
               WHERE con.conindid = i.indexrelid AND con.contype = 'u') AS is_constraint
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
WHERE n.nspname = ANY($1::text[])
  AND NOT i.indisprimary
  AND c.relkind IN ('r', 'p')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", ic.relname COLLATE "C"
