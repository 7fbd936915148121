-- Row-level-security policies of the tables of the given namespaces, expressions as
-- PostgreSQL prints them back. polcmd: * = all, r = select, a = insert, w = update, d = delete.
SELECT n.nspname AS namespace,
       c.relname AS table_name,
       p.polname AS name,
       p.polcmd::text AS command,
       p.polpermissive AS permissive,
       ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r.oid)::text END
             FROM unnest(p.polroles) AS r(oid) ORDER BY 1) AS roles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr
FROM pg_catalog.pg_policy p
JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[])
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", p.polname COLLATE "C"
