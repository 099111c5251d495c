-- The built-in outbox channel (email/SMS kept as delivered) and the indexes the console's overview reads.
ALTER TABLE "messaging_settings" ADD COLUMN "email_outbox" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "messaging_settings" ADD COLUMN "sms_outbox" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "messages_failed_idx" ON "messages" USING btree ("store_id","updated_at") WHERE "messages"."state" = 'failed';--> statement-breakpoint
CREATE INDEX "payment_lines_held_idx" ON "payment_lines" USING btree ("store_id") WHERE "payment_lines"."captured" > "payment_lines"."refunded";--> statement-breakpoint
CREATE INDEX "order_lines_waiting_idx" ON "order_lines" USING btree ("store_id","eta_latest","created_at","order_id") WHERE "order_lines"."backordered" > 0;--> statement-breakpoint
CREATE INDEX "purchase_orders_open_idx" ON "purchase_orders" USING btree ("store_id","expected_date") WHERE "purchase_orders"."status" IN ('ordered', 'partially_received');--> statement-breakpoint
CREATE INDEX "events_queue_fills_idx" ON "events" USING btree ("store_id","created_at") WHERE "events"."type" = 'order.line.allocated' AND ("events"."data"->>'source') = 'queue';