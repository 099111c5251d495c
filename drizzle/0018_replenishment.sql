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
