CREATE TABLE "payment_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"order_id" text NOT NULL,
	"line_id" text NOT NULL,
	"payment_id" text,
	"operation" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"message" text,
	"reference" text,
	"request" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"settled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "payment_lines" (
	"line_id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"order_id" text NOT NULL,
	"provider" text NOT NULL,
	"mode" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"discount" bigint NOT NULL,
	"deposit" bigint NOT NULL,
	"captured" bigint DEFAULT 0 NOT NULL,
	"refunded" bigint DEFAULT 0 NOT NULL,
	"ship_complete" boolean DEFAULT false NOT NULL,
	"method" jsonb NOT NULL,
	"due_since" timestamp with time zone,
	"failures" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_lines_money_adds_up" CHECK ("payment_lines"."amount" >= 0 AND "payment_lines"."deposit" BETWEEN 0 AND "payment_lines"."amount" AND "payment_lines"."refunded" BETWEEN 0 AND "payment_lines"."captured")
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"order_id" text NOT NULL,
	"line_id" text NOT NULL,
	"provider" text NOT NULL,
	"provider_payment_id" text NOT NULL,
	"state" text NOT NULL,
	"currency" text NOT NULL,
	"authorised" bigint NOT NULL,
	"captured" bigint NOT NULL,
	"refunded" bigint NOT NULL,
	"expires_at" timestamp with time zone,
	"reference" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payments_money_adds_up" CHECK ("payments"."captured" BETWEEN 0 AND "payments"."authorised" AND "payments"."refunded" BETWEEN 0 AND "payments"."captured")
);
--> statement-breakpoint
ALTER TABLE "variants" ADD COLUMN "payment_mode" text;--> statement-breakpoint
ALTER TABLE "variants" ADD COLUMN "deposit_percent" numeric(5, 2);--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "payment_provider" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "payment_mode" text DEFAULT 'upfront' NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "deposit_percent" numeric(5, 2) DEFAULT '20' NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "payment_grace_days" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "authorisation_days" integer DEFAULT 7 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_attempts_key_idx" ON "payment_attempts" USING btree ("store_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "payment_attempts_line_idx" ON "payment_attempts" USING btree ("line_id");--> statement-breakpoint
CREATE INDEX "payment_attempts_pending_idx" ON "payment_attempts" USING btree ("created_at") WHERE "payment_attempts"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "payment_lines_order_idx" ON "payment_lines" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "payment_lines_due_idx" ON "payment_lines" USING btree ("next_attempt_at") WHERE "payment_lines"."next_attempt_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "payments_line_idx" ON "payments" USING btree ("line_id");