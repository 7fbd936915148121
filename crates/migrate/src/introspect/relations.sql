-- Tables, views and sequences of the given namespaces, in a stable order.
-- relkind: r = table, p = partitioned table, v = view, m = materialized view, S = sequence.
SELECT n.nspname AS namespace,
       c.relname AS name,
       c.relkind::text AS kind,
       c.relrowsecurity AS row_security,
       c.relforcerowsecurity AS force_row_security
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[])
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND NOT c.relispartition
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"
