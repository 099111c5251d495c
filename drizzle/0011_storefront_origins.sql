ALTER TABLE "stores" ADD COLUMN "allowed_origins" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "stores_allowed_origins_idx" ON "stores" USING gin ("allowed_origins");