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

-- refract-lint: allow require-concurrent-index-creation
CREATE INDEX "User_age_idx" ON "User"("age");
