CREATE TABLE "short_links" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"target" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shipping_lines" (
	"line_id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"order_id" text NOT NULL,
	"method" text NOT NULL,
	"ordered_method" text,
	"upgraded_from" text,
	"upgraded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "shipping_methods" (
	"store_id" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"transit_days_min" smallint NOT NULL,
	"transit_days_max" smallint NOT NULL,
	"cutoff_minute" smallint,
	"position" integer NOT NULL,
	"retired" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "shipping_methods_store_id_code_pk" PRIMARY KEY("store_id","code"),
	CONSTRAINT "shipping_methods_transit" CHECK ("shipping_methods"."transit_days_min" >= 0 AND "shipping_methods"."transit_days_max" >= "shipping_methods"."transit_days_min")
);
--> statement-breakpoint
CREATE TABLE "shipping_settings" (
	"store_id" text PRIMARY KEY NOT NULL,
	"working_days" text[] NOT NULL,
	"closed_dates" text[] DEFAULT '{}'::text[] NOT NULL,
	"default_method" text,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "variants" ADD COLUMN "url" text;--> statement-breakpoint
ALTER TABLE "variants" ADD COLUMN "image_url" text;--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD COLUMN "alert_batch_interval_minutes" integer DEFAULT 15 NOT NULL;--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD COLUMN "refunds_automatic" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "short_links_expiry_idx" ON "short_links" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "shipping_lines_order_idx" ON "shipping_lines" USING btree ("store_id","order_id");--> statement-breakpoint
CREATE INDEX "events_eta_changed_order_idx" ON "events" USING btree ("store_id",("data"->>'orderId'),"seq") WHERE "events"."type" = 'backorder.eta_changed';--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD CONSTRAINT "messaging_alert_batch_interval" CHECK ("messaging_settings"."alert_batch_interval_minutes" BETWEEN 1 AND 10080);