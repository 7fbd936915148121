-- Tenancy's statements (row-level security and policies, as `migrate dev` writes them for
-- `tenantModel`) take only short locks on existing tables: no findings.
-- EnableRowLevelSecurity
ALTER TABLE "Message" ENABLE ROW LEVEL SECURITY;

-- ForceRowLevelSecurity
ALTER TABLE "Message" FORCE ROW LEVEL SECURITY;

-- CreatePolicy
CREATE POLICY "refract_tenant_isolation" ON "Message" FOR ALL
    USING ((EXISTS ( SELECT 1 FROM "Conversation" p1 WHERE ((p1."id" = "Message"."convoId") AND (p1."tenantId" = current_setting('refract.tenant_id'::text, true))))))
    WITH CHECK ((EXISTS ( SELECT 1 FROM "Conversation" p1 WHERE ((p1."id" = "Message"."convoId") AND (p1."tenantId" = current_setting('refract.tenant_id'::text, true))))));

-- DropPolicy
DROP POLICY "refract_tenant_isolation" ON "Message";

-- DisableRowLevelSecurity
ALTER TABLE "Message" NO FORCE ROW LEVEL SECURITY;
ALTER TABLE "Message" DISABLE ROW LEVEL SECURITY;
