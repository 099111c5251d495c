CREATE TABLE "queue_counts" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"level" smallint NOT NULL,
	"bucket" bigint NOT NULL,
	"lines" integer NOT NULL,
	"units" integer NOT NULL,
	CONSTRAINT "queue_counts_store_id_sku_level_bucket_pk" PRIMARY KEY("store_id","sku","level","bucket")
);
--> statement-breakpoint
-- Counts of the queues that already exist: the rule of stock.queue.counts.ts (6-bit buckets, levels 1–4).
INSERT INTO "queue_counts" ("store_id", "sku", "level", "bucket", "lines", "units")
SELECT d.store_id, d.sku, k.level, d.bucket >> (6 * (k.level - 1)), sum(d.lines), sum(d.units)
  FROM (SELECT store_id, sku, queue_ticket >> 6 AS bucket, count(*) AS lines, sum(backordered) AS units
          FROM "order_lines" WHERE backordered > 0 AND queue_ticket IS NOT NULL
         GROUP BY 1, 2, 3) d
 CROSS JOIN (VALUES (1), (2), (3), (4)) AS k(level)
 GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
-- The tail buckets are updated by every placement batch: room in each page keeps those updates HOT.
ALTER TABLE "queue_counts" SET (fillfactor = 70);
