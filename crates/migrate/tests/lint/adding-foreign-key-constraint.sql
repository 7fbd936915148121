-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Post" ADD COLUMN "editorId" TEXT REFERENCES "User"("id");

-- Safe: NOT VALID (validated in a later migration); a table created above.
ALTER TABLE "Post" ADD CONSTRAINT "Post_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") NOT VALID;
CREATE TABLE "Comment" ("id" TEXT NOT NULL, "postId" TEXT NOT NULL);
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id");

-- refract-lint: allow adding-foreign-key-constraint
ALTER TABLE "Post" ADD CONSTRAINT "Post_x_fkey" FOREIGN KEY ("x") REFERENCES "User"("id");
