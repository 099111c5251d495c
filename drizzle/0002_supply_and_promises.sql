CREATE TABLE "purchase_order_date_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"purchase_order_id" text NOT NULL,
	"previous_date" date,
	"expected_date" date NOT NULL,
	"reason" text,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "purchase_order_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"purchase_order_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"sku" text NOT NULL,
	"quantity" integer NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"unit_cost" integer NOT NULL,
	CONSTRAINT "purchase_order_lines_received_range" CHECK ("purchase_order_lines"."received" >= 0 AND "purchase_order_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "purchase_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"store_id" text NOT NULL,
	"supplier_id" text NOT NULL,
	"reference" text,
	"status" text NOT NULL,
	"expected_date" date NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "receipts" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"store_id" text NOT NULL,
	"purchase_order_id" text NOT NULL,
	"supplier_id" text NOT NULL,
	"lines" jsonb NOT NULL,
	"cross_dock" jsonb NOT NULL,
	"putaway" jsonb NOT NULL,
	"expected_date" date NOT NULL,
	"received_on" date NOT NULL,
	"late_days" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "suppliers" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"store_id" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"lead_time_days" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "variants" ADD COLUMN "backorder_limit_auto" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "variants" ADD COLUMN "release_date" date;--> statement-breakpoint
ALTER TABLE "variants" ADD COLUMN "supplier_id" text;--> statement-breakpoint
ALTER TABLE "inventory_levels" ADD COLUMN "backorder_limit_auto" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "inventory_levels" ADD COLUMN "promise_inputs" jsonb;--> statement-breakpoint
ALTER TABLE "inventory_levels" ADD COLUMN "promise_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "inventory_levels" ADD COLUMN "promise_applied" jsonb;--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "eta" date;--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "eta_latest" date;--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "eta_source" text;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "handling_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "default_lead_time_days" integer DEFAULT 14 NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "auto_limit_buffer" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "purchase_order_date_changes" ADD CONSTRAINT "purchase_order_date_changes_purchase_order_id_purchase_orders_id_fk" FOREIGN KEY ("purchase_order_id") REFERENCES "public"."purchase_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_order_lines" ADD CONSTRAINT "purchase_order_lines_purchase_order_id_purchase_orders_id_fk" FOREIGN KEY ("purchase_order_id") REFERENCES "public"."purchase_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_orders" ADD CONSTRAINT "purchase_orders_supplier_id_suppliers_id_fk" FOREIGN KEY ("supplier_id") REFERENCES "public"."suppliers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_purchase_order_id_purchase_orders_id_fk" FOREIGN KEY ("purchase_order_id") REFERENCES "public"."purchase_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "purchase_order_date_changes_po_idx" ON "purchase_order_date_changes" USING btree ("purchase_order_id","seq");--> statement-breakpoint
CREATE INDEX "purchase_order_lines_po_idx" ON "purchase_order_lines" USING btree ("purchase_order_id","line_no");--> statement-breakpoint
CREATE INDEX "purchase_order_lines_sku_idx" ON "purchase_order_lines" USING btree ("store_id","sku");--> statement-breakpoint
CREATE INDEX "purchase_orders_store_seq_idx" ON "purchase_orders" USING btree ("store_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "purchase_orders_reference_idx" ON "purchase_orders" USING btree ("store_id","reference");--> statement-breakpoint
CREATE INDEX "receipts_po_idx" ON "receipts" USING btree ("purchase_order_id","seq");--> statement-breakpoint
CREATE INDEX "receipts_supplier_idx" ON "receipts" USING btree ("supplier_id","seq");--> statement-breakpoint
CREATE INDEX "suppliers_store_seq_idx" ON "suppliers" USING btree ("store_id","seq");