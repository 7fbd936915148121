-- The types are known from the applied migration (`.applied.sql`): only rewrites are reported.
-- Safe: widening a varchar, varchar to text, raising a numeric's precision.
ALTER TABLE "Customer" ALTER COLUMN "name" SET DATA TYPE VARCHAR(100);
ALTER TABLE "Customer" ALTER COLUMN "name" SET DATA TYPE TEXT,
ALTER COLUMN "price" SET DATA TYPE DECIMAL(12,2),
ALTER COLUMN "tags" SET DATA TYPE TEXT[];

-- Rewrites: integer to bigint, text back to a bounded varchar, any USING.
ALTER TABLE "Customer" ALTER COLUMN "n" SET DATA TYPE BIGINT;
ALTER TABLE "Customer" ALTER COLUMN "name" SET DATA TYPE VARCHAR(10);
ALTER TABLE "Customer" ALTER COLUMN "id" SET DATA TYPE TEXT USING trim("id");

-- refract-lint: allow changing-column-type
ALTER TABLE "Customer" ALTER COLUMN "n" SET DATA TYPE SMALLINT;
