-- CreateIndex
CREATE INDEX "User_email_idx" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Post_slug_key" ON "public"."Post"("slug");

-- Safe: concurrently, or on a table created above.
CREATE INDEX CONCURRENTLY "User_name_idx" ON "User"("name");
CREATE TABLE "Fresh" ("id" TEXT NOT NULL);
CREATE INDEX "Fresh_id_idx" ON "Fresh"("id");

-- A quoted name is not the keyword.
CREATE INDEX "CONCURRENTLY" ON "User"("x");

-- A temporary table is the session's own.
CREATE TEMP TABLE "scratch" ON COMMIT DROP AS SELECT "id" FROM "User";
CREATE UNIQUE INDEX ON "scratch" ("id");

-- refract-lint: allow require-concurrent-index-creation
CREATE INDEX "User_age_idx" ON "User"("age");
