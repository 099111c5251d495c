-- Only rows with an item (Shopify's) in the item index: indexing every row, led by (store, connection)
-- and smaller than the key, it was the planner's pick for joins on the key before a first ANALYZE.
DROP INDEX "connector_skus_item_idx";--> statement-breakpoint
CREATE INDEX "connector_skus_item_idx" ON "connector_skus" USING btree ("store_id","connection_id","inventory_item_id") WHERE "connector_skus"."inventory_item_id" IS NOT NULL;