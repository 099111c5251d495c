CREATE TABLE "connections" (
	"id" text NOT NULL,
	"store_id" text NOT NULL,
	"platform" text NOT NULL,
	"shop" text NOT NULL,
	"base_url" text NOT NULL,
	"credentials" text NOT NULL,
	"location_id" text,
	"state" text NOT NULL,
	"last_error" text,
	"last_sync_at" timestamp with time zone,
	"import_progress" jsonb NOT NULL,
	"drift" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "connections_pkey" PRIMARY KEY("id","store_id")
);
--> statement-breakpoint
CREATE TABLE "connector_events" (
	"id" text NOT NULL,
	"store_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"topic" text NOT NULL,
	"resource_id" text NOT NULL,
	"version" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"webhook_id" text,
	"payload" jsonb NOT NULL,
	"state" text NOT NULL,
	"waits_for" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"result" jsonb,
	"order_id" text,
	"received_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "connector_events_pkey" PRIMARY KEY("id","store_id")
);
--> statement-breakpoint
CREATE TABLE "connector_skus" (
	"store_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"sku" text NOT NULL,
	"product_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"inventory_item_id" text,
	"wanted_version" bigint DEFAULT 1 NOT NULL,
	"pushed_version" bigint DEFAULT 0 NOT NULL,
	"pushed_state" jsonb,
	"pushed_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "connector_skus_pkey" PRIMARY KEY("store_id","connection_id","sku")
);
--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_store_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_events" ADD CONSTRAINT "connector_events_connection_fk" FOREIGN KEY ("connection_id","store_id") REFERENCES "public"."connections"("id","store_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_skus" ADD CONSTRAINT "connector_skus_connection_fk" FOREIGN KEY ("connection_id","store_id") REFERENCES "public"."connections"("id","store_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connections_shop_idx" ON "connections" USING btree ("store_id","platform","shop");--> statement-breakpoint
CREATE INDEX "connections_id_idx" ON "connections" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "connector_events_dedupe_idx" ON "connector_events" USING btree ("store_id","connection_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "connector_events_state_idx" ON "connector_events" USING btree ("store_id","connection_id","state","received_at");--> statement-breakpoint
CREATE INDEX "connector_events_waits_idx" ON "connector_events" USING btree ("store_id","connection_id","waits_for") WHERE "connector_events"."state" = 'parked';--> statement-breakpoint
CREATE INDEX "connector_events_due_idx" ON "connector_events" USING btree ("next_attempt_at") WHERE "connector_events"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "connector_skus_sku_idx" ON "connector_skus" USING btree ("store_id","sku");--> statement-breakpoint
CREATE INDEX "connector_skus_item_idx" ON "connector_skus" USING btree ("store_id","connection_id","inventory_item_id");--> statement-breakpoint
CREATE INDEX "connector_skus_dirty_idx" ON "connector_skus" USING btree ("store_id","connection_id") WHERE "connector_skus"."wanted_version" > "connector_skus"."pushed_version";