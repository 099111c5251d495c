-- Whether a line's order has other lines (fixed at placement), and an index over the waiting lines
-- of such orders: the console's overview counts waiting orders from the SKUs' waiting lines plus
-- these, instead of a count(DISTINCT order_id) over every waiting line.
ALTER TABLE "order_lines" ADD COLUMN "multi_line" boolean;
--> statement-breakpoint
UPDATE "order_lines" l SET "multi_line" = o."line_count" > 1
  FROM "orders" o WHERE o."id" = l."order_id" AND o."store_id" = l."store_id";
--> statement-breakpoint
ALTER TABLE "order_lines" ALTER COLUMN "multi_line" SET NOT NULL;
--> statement-breakpoint
CREATE INDEX "order_lines_multi_waiting_idx" ON "order_lines" USING btree ("store_id","order_id") WHERE "order_lines"."backordered" > 0 AND "order_lines"."multi_line";
