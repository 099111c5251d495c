CREATE TABLE "rate_limit_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"hits" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD COLUMN "previous_link_secret" text;--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD COLUMN "previous_link_secret_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD COLUMN "link_secret_rotated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD COLUMN "link_lifetime_days" integer DEFAULT 90 NOT NULL;--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD COLUMN "link_secret_grace_days" integer DEFAULT 7 NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "scope" text DEFAULT 'full' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "last_used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "revoked_at" timestamp with time zone;--> statement-breakpoint
-- Keys created before scopes: a secret key is full, a publishable key is the storefront's.
UPDATE "api_keys" SET "scope" = CASE WHEN "kind" = 'publishable' THEN 'storefront' ELSE 'full' END,
                      "name" = CASE WHEN "kind" = 'publishable' THEN 'Publishable key' ELSE 'Secret key' END;--> statement-breakpoint
ALTER TABLE "api_keys" DROP COLUMN "kind";--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD CONSTRAINT "messaging_link_lifetime_days" CHECK ("messaging_settings"."link_lifetime_days" BETWEEN 1 AND 365);--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD CONSTRAINT "messaging_link_grace_days" CHECK ("messaging_settings"."link_secret_grace_days" BETWEEN 0 AND 365);