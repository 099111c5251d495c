CREATE TABLE "demand_cancellations" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"day" date NOT NULL,
	"reason" text NOT NULL,
	"units" integer DEFAULT 0 NOT NULL,
	"lines" integer DEFAULT 0 NOT NULL,
	"waiting_units" integer DEFAULT 0 NOT NULL,
	"waiting_lines" integer DEFAULT 0 NOT NULL,
	"promised_wait_days" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "demand_cancellations_store_id_sku_day_reason_pk" PRIMARY KEY("store_id","sku","day","reason")
);
--> statement-breakpoint
CREATE TABLE "demand_daily" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"day" date NOT NULL,
	"ordered_units" integer DEFAULT 0 NOT NULL,
	"ordered_lines" integer DEFAULT 0 NOT NULL,
	"allocated_units" integer DEFAULT 0 NOT NULL,
	"waiting_units" integer DEFAULT 0 NOT NULL,
	"waiting_lines" integer DEFAULT 0 NOT NULL,
	"alert_signups" integer DEFAULT 0 NOT NULL,
	"cancelled_units" integer DEFAULT 0 NOT NULL,
	"cancelled_lines" integer DEFAULT 0 NOT NULL,
	"cancelled_waiting_units" integer DEFAULT 0 NOT NULL,
	"shipped_units" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "demand_daily_store_id_sku_day_pk" PRIMARY KEY("store_id","sku","day")
);
--> statement-breakpoint
CREATE TABLE "demand_outcomes" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"day" date NOT NULL,
	"wait_days" integer NOT NULL,
	"error_days" integer NOT NULL,
	"by_latest" boolean NOT NULL,
	"lines" integer DEFAULT 0 NOT NULL,
	"units" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "demand_outcomes_store_id_sku_day_wait_days_error_days_by_latest_pk" PRIMARY KEY("store_id","sku","day","wait_days","error_days","by_latest")
);
--> statement-breakpoint
CREATE TABLE "demand_refusals" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"day" date NOT NULL,
	"reason" text NOT NULL,
	"units" integer DEFAULT 0 NOT NULL,
	"lines" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "demand_refusals_store_id_sku_day_reason_pk" PRIMARY KEY("store_id","sku","day","reason")
);
--> statement-breakpoint
CREATE TABLE "demand_tolerance" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"day" date NOT NULL,
	"promised_wait_days" integer NOT NULL,
	"waiting_lines" integer DEFAULT 0 NOT NULL,
	"cancelled_lines" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "demand_tolerance_store_id_sku_day_promised_wait_days_pk" PRIMARY KEY("store_id","sku","day","promised_wait_days")
);
--> statement-breakpoint
CREATE TABLE "demand_waits" (
	"store_id" text NOT NULL,
	"line_id" text NOT NULL,
	"sku" text NOT NULL,
	"placed_on" date NOT NULL,
	"waiting_units" integer NOT NULL,
	"promised_on" date NOT NULL,
	"promised_latest" date NOT NULL,
	"promised_wait_days" integer NOT NULL,
	"cancelled_on" date,
	"shipped_on" date,
	CONSTRAINT "demand_waits_store_id_line_id_pk" PRIMARY KEY("store_id","line_id")
);
--> statement-breakpoint
CREATE TABLE "replenishment_drafts" (
	"store_id" text NOT NULL,
	"purchase_order_id" text NOT NULL,
	"supplier_id" text NOT NULL,
	"explanations" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "replenishment_drafts_store_id_purchase_order_id_pk" PRIMARY KEY("store_id","purchase_order_id")
);
--> statement-breakpoint
CREATE TABLE "replenishment_rules" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"service_level" double precision,
	"min_units" integer,
	"max_units" integer,
	"moq" integer,
	"pack_size" integer,
	"max_order" integer,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "replenishment_rules_store_id_sku_pk" PRIMARY KEY("store_id","sku")
);
--> statement-breakpoint
CREATE TABLE "replenishment_settings" (
	"store_id" text PRIMARY KEY NOT NULL,
	"service_level" double precision DEFAULT 0.95 NOT NULL,
	"review_days" integer DEFAULT 7 NOT NULL,
	"history_days" integer DEFAULT 365 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "replenishment_suppliers" (
	"store_id" text NOT NULL,
	"supplier_id" text NOT NULL,
	"automatic" boolean NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "replenishment_suppliers_store_id_supplier_id_pk" PRIMARY KEY("store_id","supplier_id")
);
--> statement-breakpoint
CREATE INDEX "demand_daily_day_idx" ON "demand_daily" USING btree ("store_id","day");