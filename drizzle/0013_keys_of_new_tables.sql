-- The tables added beside 0012 keep store_id in their primary keys too (test/distribution.test.ts).
ALTER TABLE "short_links" DROP CONSTRAINT "short_links_pkey";
--> statement-breakpoint
ALTER TABLE "short_links" ADD CONSTRAINT "short_links_pkey" PRIMARY KEY ("id", "store_id");
--> statement-breakpoint
ALTER TABLE "shipping_lines" DROP CONSTRAINT "shipping_lines_pkey";
--> statement-breakpoint
ALTER TABLE "shipping_lines" ADD CONSTRAINT "shipping_lines_pkey" PRIMARY KEY ("line_id", "store_id");
