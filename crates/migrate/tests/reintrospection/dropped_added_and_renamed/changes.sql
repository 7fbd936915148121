DROP TABLE "Legacy";
ALTER TABLE accounts RENAME COLUMN user_handle TO handle_v2;
ALTER TABLE sessions ADD COLUMN revoked_by INT REFERENCES accounts(id);
ALTER TABLE "Audit" ADD COLUMN account_id INT REFERENCES accounts(id) ON DELETE SET NULL;
CREATE TABLE "Blob" (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), data bytea);
