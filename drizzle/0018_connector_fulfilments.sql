CREATE TABLE "connector_fulfilments" (
	"store_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"shipment_id" text NOT NULL,
	"order_id" text NOT NULL,
	"platform_order_id" text NOT NULL,
	"state" text NOT NULL,
	"platform_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "connector_fulfilments_pkey" PRIMARY KEY("store_id","connection_id","shipment_id")
);
--> statement-breakpoint
CREATE TABLE "connector_orders" (
	"store_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"platform_order_id" text NOT NULL,
	"order_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "connector_orders_pkey" PRIMARY KEY("store_id","connection_id","platform_order_id")
);
--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "push_fulfilments" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "connector_fulfilments" ADD CONSTRAINT "connector_fulfilments_connection_fk" FOREIGN KEY ("connection_id","store_id") REFERENCES "public"."connections"("id","store_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_orders" ADD CONSTRAINT "connector_orders_connection_fk" FOREIGN KEY ("connection_id","store_id") REFERENCES "public"."connections"("id","store_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connector_fulfilments_due_idx" ON "connector_fulfilments" USING btree ("next_attempt_at") WHERE "connector_fulfilments"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "connector_orders_order_idx" ON "connector_orders" USING btree ("store_id","order_id");--> statement-breakpoint
INSERT INTO "connector_orders" ("store_id", "connection_id", "platform_order_id", "order_id", "created_at")
SELECT DISTINCT ON ("store_id", "connection_id", "resource_id") "store_id", "connection_id", "resource_id", "order_id", "received_at"
  FROM "connector_events"
 WHERE "order_id" IS NOT NULL AND "topic" IN ('orders/create', 'orders/updated', 'orders/cancelled')
 ORDER BY "store_id", "connection_id", "resource_id", "received_at"
ON CONFLICT DO NOTHING;
