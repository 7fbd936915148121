-- Which of the given namespaces exist.
SELECT nspname AS name
FROM pg_catalog.pg_namespace
WHERE nspname = ANY($1::text[])
ORDER BY nspname COLLATE "C"
