CREATE TABLE "connector_fulfilments" (
	"store_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"shipment_id" text NOT NULL,
	"order_id" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"result" text,
	"created_at" timestamp with time zone NOT NULL,
	"pushed_at" timestamp with time zone,
	CONSTRAINT "connector_fulfilments_pkey" PRIMARY KEY("store_id","connection_id","shipment_id")
);
--> statement-breakpoint
ALTER TABLE "connector_fulfilments" ADD CONSTRAINT "connector_fulfilments_connection_fk" FOREIGN KEY ("connection_id","store_id") REFERENCES "public"."connections"("id","store_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connector_fulfilments_due_idx" ON "connector_fulfilments" USING btree ("next_attempt_at") WHERE "connector_fulfilments"."state" = 'pending';