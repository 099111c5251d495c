CREATE TABLE "order_incentives" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"order_id" text NOT NULL,
	"line_id" text NOT NULL,
	"after_days" integer NOT NULL,
	"kind" text NOT NULL,
	"percent" integer,
	"code" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"channel" text NOT NULL,
	"contact" text NOT NULL,
	"state" text NOT NULL,
	"signups" integer DEFAULT 1 NOT NULL,
	"message_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"notified_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "contact_preferences" (
	"store_id" text NOT NULL,
	"contact" text NOT NULL,
	"unsubscribed" boolean DEFAULT false NOT NULL,
	"email" boolean DEFAULT true NOT NULL,
	"sms" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "contact_preferences_store_id_contact_pk" PRIMARY KEY("store_id","contact")
);
--> statement-breakpoint
CREATE TABLE "line_promises_told" (
	"line_id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"order_id" text NOT NULL,
	"first_eta" date NOT NULL,
	"told_eta" date NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"store_id" text NOT NULL,
	"number" integer NOT NULL,
	"status" text NOT NULL,
	"response_code" integer,
	"response" text,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"store_id" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"event_id" text,
	"event_type" text,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"recipient" text NOT NULL,
	"order_id" text,
	"transactional" boolean NOT NULL,
	"subject" text,
	"body" text,
	"html" text,
	"payload" jsonb,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"give_up_at" timestamp with time zone NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messaging_settings" (
	"store_id" text PRIMARY KEY NOT NULL,
	"smtp_url" text,
	"email_from" text,
	"reply_to" text,
	"sms_base_url" text,
	"sms_account_sid" text,
	"sms_auth_token" text,
	"sms_from" text,
	"quiet_start_minute" smallint,
	"quiet_end_minute" smallint,
	"status_update_days" integer DEFAULT 7 NOT NULL,
	"delay_notice_days" integer DEFAULT 1 NOT NULL,
	"merchant_email" text,
	"public_url" text,
	"link_secret" text NOT NULL,
	"stock_alert_factor" numeric(6, 2) DEFAULT 1 NOT NULL,
	"delay_incentives" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "messaging_status_update_days" CHECK ("messaging_settings"."status_update_days" BETWEEN 0 AND 365),
	CONSTRAINT "messaging_delay_notice_days" CHECK ("messaging_settings"."delay_notice_days" BETWEEN 1 AND 365),
	CONSTRAINT "messaging_quiet_minutes" CHECK (("messaging_settings"."quiet_start_minute" IS NULL) = ("messaging_settings"."quiet_end_minute" IS NULL)
        AND coalesce("messaging_settings"."quiet_start_minute", 0) BETWEEN 0 AND 1439 AND coalesce("messaging_settings"."quiet_end_minute", 0) BETWEEN 0 AND 1439)
);
--> statement-breakpoint
CREATE TABLE "relay_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"xid" "xid8" NOT NULL,
	"seq" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_templates" (
	"store_id" text NOT NULL,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"subject" text,
	"body" text NOT NULL,
	"html" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "message_templates_store_id_kind_channel_pk" PRIMARY KEY("store_id","kind","channel")
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"url" text NOT NULL,
	"description" text,
	"event_types" text[] NOT NULL,
	"secret" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "variants" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
ALTER TABLE "message_attempts" ADD CONSTRAINT "message_attempts_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "order_incentives_rule_idx" ON "order_incentives" USING btree ("line_id","after_days");--> statement-breakpoint
CREATE INDEX "order_incentives_order_idx" ON "order_incentives" USING btree ("store_id","order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stock_alerts_waiting_idx" ON "stock_alerts" USING btree ("store_id","sku","contact") WHERE "stock_alerts"."state" = 'waiting';--> statement-breakpoint
CREATE INDEX "stock_alerts_queue_idx" ON "stock_alerts" USING btree ("store_id","sku","created_at") WHERE "stock_alerts"."state" = 'waiting';--> statement-breakpoint
CREATE INDEX "stock_alerts_notified_idx" ON "stock_alerts" USING btree ("store_id","sku","notified_at") WHERE "stock_alerts"."state" = 'notified';--> statement-breakpoint
CREATE UNIQUE INDEX "message_attempts_number_idx" ON "message_attempts" USING btree ("message_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_dedupe_idx" ON "messages" USING btree ("store_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "messages_store_seq_idx" ON "messages" USING btree ("store_id","seq");--> statement-breakpoint
CREATE INDEX "messages_order_idx" ON "messages" USING btree ("store_id","order_id");--> statement-breakpoint
CREATE INDEX "messages_due_idx" ON "messages" USING btree ("next_attempt_at") WHERE "messages"."state" IN ('queued', 'sending');--> statement-breakpoint
CREATE INDEX "webhook_endpoints_store_idx" ON "webhook_endpoints" USING btree ("store_id");--> statement-breakpoint
CREATE INDEX "events_xid_seq_idx" ON "events" USING btree ("xid","seq");--> statement-breakpoint
-- The relay starts after the events that exist now: upgrading must not message every past order.
INSERT INTO "relay_cursors" ("name", "xid", "seq", "updated_at")
  VALUES ('messages', pg_current_xact_id(), (SELECT coalesce(max("seq"), 0) FROM "events"), now());
