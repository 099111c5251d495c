-- Every table of a store keeps store_id in its primary key and in every foreign key, so the schema
-- can be distributed by store (Citus; docs/deploy.md). Ids stay first in each key, so look-ups by
-- id alone still use the key's index. Two tables get the column, filled from their parent rows.
-- On large tables, build the new keys' unique indexes CONCURRENTLY first (docs/deploy.md).
ALTER TABLE "message_attempts" DROP CONSTRAINT "message_attempts_message_id_messages_id_fk";
--> statement-breakpoint
ALTER TABLE "order_lines" DROP CONSTRAINT "order_lines_order_id_orders_id_fk";
--> statement-breakpoint
ALTER TABLE "shipment_lines" DROP CONSTRAINT "shipment_lines_shipment_id_shipments_id_fk";
--> statement-breakpoint
ALTER TABLE "shipments" DROP CONSTRAINT "shipments_order_id_orders_id_fk";
--> statement-breakpoint
ALTER TABLE "purchase_order_date_changes" DROP CONSTRAINT "purchase_order_date_changes_purchase_order_id_purchase_orders_id_fk";
--> statement-breakpoint
ALTER TABLE "purchase_order_lines" DROP CONSTRAINT "purchase_order_lines_purchase_order_id_purchase_orders_id_fk";
--> statement-breakpoint
ALTER TABLE "purchase_orders" DROP CONSTRAINT "purchase_orders_supplier_id_suppliers_id_fk";
--> statement-breakpoint
ALTER TABLE "receipts" DROP CONSTRAINT "receipts_purchase_order_id_purchase_orders_id_fk";
--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD COLUMN "store_id" text;
--> statement-breakpoint
UPDATE "shipment_lines" c SET "store_id" = p."store_id" FROM "shipments" p WHERE p."id" = c."shipment_id";
--> statement-breakpoint
ALTER TABLE "shipment_lines" ALTER COLUMN "store_id" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "purchase_order_date_changes" ADD COLUMN "store_id" text;
--> statement-breakpoint
UPDATE "purchase_order_date_changes" c SET "store_id" = p."store_id" FROM "purchase_orders" p WHERE p."id" = c."purchase_order_id";
--> statement-breakpoint
ALTER TABLE "purchase_order_date_changes" ALTER COLUMN "store_id" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_pkey";
--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "inventory_adjustments" DROP CONSTRAINT "inventory_adjustments_pkey";
--> statement-breakpoint
ALTER TABLE "inventory_adjustments" ADD CONSTRAINT "inventory_adjustments_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "stock_movements" DROP CONSTRAINT "stock_movements_pkey";
--> statement-breakpoint
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "orders" DROP CONSTRAINT "orders_pkey";
--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "order_lines" DROP CONSTRAINT "order_lines_pkey";
--> statement-breakpoint
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "shipments" DROP CONSTRAINT "shipments_pkey";
--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "suppliers" DROP CONSTRAINT "suppliers_pkey";
--> statement-breakpoint
ALTER TABLE "suppliers" ADD CONSTRAINT "suppliers_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "purchase_orders" DROP CONSTRAINT "purchase_orders_pkey";
--> statement-breakpoint
ALTER TABLE "purchase_orders" ADD CONSTRAINT "purchase_orders_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "purchase_order_lines" DROP CONSTRAINT "purchase_order_lines_pkey";
--> statement-breakpoint
ALTER TABLE "purchase_order_lines" ADD CONSTRAINT "purchase_order_lines_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "purchase_order_date_changes" DROP CONSTRAINT "purchase_order_date_changes_pkey";
--> statement-breakpoint
ALTER TABLE "purchase_order_date_changes" ADD CONSTRAINT "purchase_order_date_changes_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "receipts" DROP CONSTRAINT "receipts_pkey";
--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "payment_lines" DROP CONSTRAINT "payment_lines_pkey";
--> statement-breakpoint
ALTER TABLE "payment_lines" ADD CONSTRAINT "payment_lines_pkey" PRIMARY KEY ("line_id", "store_id");
--> statement-breakpoint
ALTER TABLE "payments" DROP CONSTRAINT "payments_pkey";
--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "payment_attempts" DROP CONSTRAINT "payment_attempts_pkey";
--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD CONSTRAINT "payment_attempts_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_pkey";
--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "message_attempts" DROP CONSTRAINT "message_attempts_pkey";
--> statement-breakpoint
ALTER TABLE "message_attempts" ADD CONSTRAINT "message_attempts_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "line_promises_told" DROP CONSTRAINT "line_promises_told_pkey";
--> statement-breakpoint
ALTER TABLE "line_promises_told" ADD CONSTRAINT "line_promises_told_pkey" PRIMARY KEY ("line_id", "store_id");
--> statement-breakpoint
ALTER TABLE "order_incentives" DROP CONSTRAINT "order_incentives_pkey";
--> statement-breakpoint
ALTER TABLE "order_incentives" ADD CONSTRAINT "order_incentives_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "stock_alerts" DROP CONSTRAINT "stock_alerts_pkey";
--> statement-breakpoint
ALTER TABLE "stock_alerts" ADD CONSTRAINT "stock_alerts_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "webhook_endpoints_pkey";
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "shipment_lines" DROP CONSTRAINT "shipment_lines_shipment_id_line_id_pk";
--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_pkey" PRIMARY KEY ("shipment_id", "line_id", "store_id");
--> statement-breakpoint
ALTER TABLE "message_attempts" ADD CONSTRAINT "message_attempts_message_fk" FOREIGN KEY ("message_id", "store_id") REFERENCES "public"."messages"("id", "store_id");
--> statement-breakpoint
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_order_fk" FOREIGN KEY ("order_id", "store_id") REFERENCES "public"."orders"("id", "store_id");
--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_order_fk" FOREIGN KEY ("order_id", "store_id") REFERENCES "public"."orders"("id", "store_id");
--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_shipment_fk" FOREIGN KEY ("shipment_id", "store_id") REFERENCES "public"."shipments"("id", "store_id");
--> statement-breakpoint
ALTER TABLE "purchase_orders" ADD CONSTRAINT "purchase_orders_supplier_fk" FOREIGN KEY ("supplier_id", "store_id") REFERENCES "public"."suppliers"("id", "store_id");
--> statement-breakpoint
ALTER TABLE "purchase_order_lines" ADD CONSTRAINT "purchase_order_lines_po_fk" FOREIGN KEY ("purchase_order_id", "store_id") REFERENCES "public"."purchase_orders"("id", "store_id");
--> statement-breakpoint
ALTER TABLE "purchase_order_date_changes" ADD CONSTRAINT "purchase_order_date_changes_po_fk" FOREIGN KEY ("purchase_order_id", "store_id") REFERENCES "public"."purchase_orders"("id", "store_id");
--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_po_fk" FOREIGN KEY ("purchase_order_id", "store_id") REFERENCES "public"."purchase_orders"("id", "store_id");
