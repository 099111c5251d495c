-- Lines per order, fixed at placement: a one-line order's status follows from its line alone, so
-- a restock need not read the order's lines again to refresh its status.
ALTER TABLE "orders" ADD COLUMN "line_count" integer;
--> statement-breakpoint
UPDATE "orders" o SET "line_count" = (SELECT count(*) FROM "order_lines" l WHERE l."order_id" = o."id");
--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "line_count" SET NOT NULL;
