-- Enum types of the given namespaces with their values in declaration order.
SELECT n.nspname AS namespace,
       t.typname AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS values
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY($1::text[])
  AND t.typtype = 'e'
ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C"
