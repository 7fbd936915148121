-- EnableRowLevelSecurity
ALTER TABLE "User" ENABLE ROW LEVEL SECURITY;

-- EnableRowLevelSecurity
ALTER TABLE "Agent" ENABLE ROW LEVEL SECURITY;

-- EnableRowLevelSecurity
ALTER TABLE "Tool" ENABLE ROW LEVEL SECURITY;

-- EnableRowLevelSecurity
ALTER TABLE "Conversation" ENABLE ROW LEVEL SECURITY;

-- EnableRowLevelSecurity
ALTER TABLE "Message" ENABLE ROW LEVEL SECURITY;

-- EnableRowLevelSecurity
ALTER TABLE "Document" ENABLE ROW LEVEL SECURITY;

-- ForceRowLevelSecurity
ALTER TABLE "User" FORCE ROW LEVEL SECURITY;

-- ForceRowLevelSecurity
ALTER TABLE "Agent" FORCE ROW LEVEL SECURITY;

-- ForceRowLevelSecurity
ALTER TABLE "Tool" FORCE ROW LEVEL SECURITY;

-- ForceRowLevelSecurity
ALTER TABLE "Conversation" FORCE ROW LEVEL SECURITY;

-- ForceRowLevelSecurity
ALTER TABLE "Message" FORCE ROW LEVEL SECURITY;

-- ForceRowLevelSecurity
ALTER TABLE "Document" FORCE ROW LEVEL SECURITY;

-- CreatePolicy
CREATE POLICY "refract_tenant_isolation" ON "User" FOR ALL
    USING (("tenantId" = current_setting('refract.tenant_id'::text, true)))
    WITH CHECK (("tenantId" = current_setting('refract.tenant_id'::text, true)));

-- CreatePolicy
CREATE POLICY "refract_tenant_isolation" ON "Agent" FOR ALL
    USING (("tenantId" = current_setting('refract.tenant_id'::text, true)))
    WITH CHECK (("tenantId" = current_setting('refract.tenant_id'::text, true)));

-- CreatePolicy
CREATE POLICY "refract_tenant_isolation" ON "Tool" FOR ALL
    USING (("tenantId" = current_setting('refract.tenant_id'::text, true)))
    WITH CHECK (("tenantId" = current_setting('refract.tenant_id'::text, true)));

-- CreatePolicy
CREATE POLICY "refract_tenant_global_read" ON "Tool" FOR SELECT
    USING ((("tenantId" IS NULL) AND (current_setting('refract.tenant_id'::text, true) <> ''::text)));

-- CreatePolicy
CREATE POLICY "refract_tenant_isolation" ON "Conversation" FOR ALL
    USING (("tenantId" = current_setting('refract.tenant_id'::text, true)))
    WITH CHECK ((("tenantId" = current_setting('refract.tenant_id'::text, true)) AND (EXISTS ( SELECT 1 FROM "Agent" p1 WHERE ((p1."id" = "Conversation"."agentId") AND (p1."tenantId" = current_setting('refract.tenant_id'::text, true)))))));

-- CreatePolicy
CREATE POLICY "refract_tenant_isolation" ON "Message" FOR ALL
    USING ((EXISTS ( SELECT 1 FROM "Conversation" p1 WHERE ((p1."id" = "Message"."convoId") AND (p1."tenantId" = current_setting('refract.tenant_id'::text, true))))))
    WITH CHECK ((EXISTS ( SELECT 1 FROM "Conversation" p1 WHERE ((p1."id" = "Message"."convoId") AND (p1."tenantId" = current_setting('refract.tenant_id'::text, true))))));

-- CreatePolicy
CREATE POLICY "refract_tenant_isolation" ON "Document" FOR ALL
    USING (("tenantId" = current_setting('refract.tenant_id'::text, true)))
    WITH CHECK (("tenantId" = current_setting('refract.tenant_id'::text, true)));
