-- AlterTable
ALTER TABLE "Post" RENAME COLUMN "body" TO "content";

-- CreateIndex
CREATE UNIQUE INDEX "Post_authorId_title_key" ON "Post"("authorId", "title");
