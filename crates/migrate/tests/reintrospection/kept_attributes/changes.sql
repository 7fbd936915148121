-- The database now holds a default: it wins over the client-side one.
ALTER TABLE docs ALTER COLUMN slug SET DEFAULT 'x';
-- No longer a timestamp. Prisma 7.10 keeps `@updatedAt` on the `String` field, a schema that
-- then fails its own validation; refract drops it (the one line where the snapshot differs).
ALTER TABLE docs ALTER COLUMN touched_at TYPE text;
-- A new table using the renamed enum and one of its renamed values.
CREATE TABLE notes (id SERIAL PRIMARY KEY, doc_id TEXT REFERENCES docs(id), status status NOT NULL DEFAULT 'archived');
