-- Monthly totals of what the service report reads (demand_monthly, demand_refusals_monthly,
-- demand_outcomes_monthly), kept by statement-level triggers on the daily tables: each statement
-- that writes daily rows adds its net change (new rows minus old rows) to the months they fall in,
-- in the same transaction. A report over whole months reads these; the days at its ends, the daily
-- rows through the new (store_id, day) indexes.
CREATE TABLE "demand_monthly" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"month" date NOT NULL,
	"ordered_units" integer DEFAULT 0 NOT NULL,
	"allocated_units" integer DEFAULT 0 NOT NULL,
	"waiting_units" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "demand_monthly_store_id_sku_month_pk" PRIMARY KEY("store_id","sku","month")
);
--> statement-breakpoint
CREATE TABLE "demand_outcomes_monthly" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"month" date NOT NULL,
	"wait_days" integer NOT NULL,
	"error_days" integer NOT NULL,
	"by_latest" boolean NOT NULL,
	"lines" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "demand_outcomes_monthly_store_id_sku_month_wait_days_error_days_by_latest_pk" PRIMARY KEY("store_id","sku","month","wait_days","error_days","by_latest")
);
--> statement-breakpoint
CREATE TABLE "demand_refusals_monthly" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"month" date NOT NULL,
	"units" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "demand_refusals_monthly_store_id_sku_month_pk" PRIMARY KEY("store_id","sku","month")
);
--> statement-breakpoint
CREATE INDEX "demand_outcomes_day_idx" ON "demand_outcomes" USING btree ("store_id","day");--> statement-breakpoint
CREATE INDEX "demand_refusals_day_idx" ON "demand_refusals" USING btree ("store_id","day");
--> statement-breakpoint
INSERT INTO "demand_monthly" ("store_id", "sku", "month", "ordered_units", "allocated_units", "waiting_units")
SELECT "store_id", "sku", date_trunc('month', "day"::timestamp)::date, sum("ordered_units"), sum("allocated_units"), sum("waiting_units")
  FROM "demand_daily" GROUP BY 1, 2, 3
HAVING sum("ordered_units") <> 0 OR sum("allocated_units") <> 0 OR sum("waiting_units") <> 0;
--> statement-breakpoint
INSERT INTO "demand_refusals_monthly" ("store_id", "sku", "month", "units")
SELECT "store_id", "sku", date_trunc('month', "day"::timestamp)::date, sum("units") FROM "demand_refusals" GROUP BY 1, 2, 3
HAVING sum("units") <> 0;
--> statement-breakpoint
INSERT INTO "demand_outcomes_monthly" ("store_id", "sku", "month", "wait_days", "error_days", "by_latest", "lines")
SELECT "store_id", "sku", date_trunc('month', "day"::timestamp)::date, "wait_days", "error_days", "by_latest", sum("lines")
  FROM "demand_outcomes" GROUP BY 1, 2, 3, 4, 5, 6
HAVING sum("lines") <> 0;
--> statement-breakpoint
CREATE FUNCTION "demand_daily_to_monthly"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its trigger declares.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO demand_monthly AS m (store_id, sku, month, ordered_units, allocated_units, waiting_units)
    SELECT store_id, sku, month, sum(ordered_units), sum(allocated_units), sum(waiting_units) FROM (SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, ordered_units, allocated_units, waiting_units FROM new_rows) x
     GROUP BY 1, 2, 3 HAVING sum(ordered_units) <> 0 OR sum(allocated_units) <> 0 OR sum(waiting_units) <> 0
    ON CONFLICT (store_id, sku, month) DO UPDATE SET
      ordered_units = m.ordered_units + excluded.ordered_units,
      allocated_units = m.allocated_units + excluded.allocated_units,
      waiting_units = m.waiting_units + excluded.waiting_units;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO demand_monthly AS m (store_id, sku, month, ordered_units, allocated_units, waiting_units)
    SELECT store_id, sku, month, sum(ordered_units), sum(allocated_units), sum(waiting_units) FROM (SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, ordered_units, allocated_units, waiting_units FROM new_rows
      UNION ALL SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, -ordered_units AS ordered_units, -allocated_units AS allocated_units, -waiting_units AS waiting_units FROM old_rows) x
     GROUP BY 1, 2, 3 HAVING sum(ordered_units) <> 0 OR sum(allocated_units) <> 0 OR sum(waiting_units) <> 0
    ON CONFLICT (store_id, sku, month) DO UPDATE SET
      ordered_units = m.ordered_units + excluded.ordered_units,
      allocated_units = m.allocated_units + excluded.allocated_units,
      waiting_units = m.waiting_units + excluded.waiting_units;
  ELSE
    INSERT INTO demand_monthly AS m (store_id, sku, month, ordered_units, allocated_units, waiting_units)
    SELECT store_id, sku, month, sum(ordered_units), sum(allocated_units), sum(waiting_units) FROM (SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, -ordered_units AS ordered_units, -allocated_units AS allocated_units, -waiting_units AS waiting_units FROM old_rows) x
     GROUP BY 1, 2, 3 HAVING sum(ordered_units) <> 0 OR sum(allocated_units) <> 0 OR sum(waiting_units) <> 0
    ON CONFLICT (store_id, sku, month) DO UPDATE SET
      ordered_units = m.ordered_units + excluded.ordered_units,
      allocated_units = m.allocated_units + excluded.allocated_units,
      waiting_units = m.waiting_units + excluded.waiting_units;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "demand_refusals_to_monthly"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its trigger declares.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO demand_refusals_monthly AS m (store_id, sku, month, units)
    SELECT store_id, sku, month, sum(units) FROM (SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, units FROM new_rows) x
     GROUP BY 1, 2, 3 HAVING sum(units) <> 0
    ON CONFLICT (store_id, sku, month) DO UPDATE SET
      units = m.units + excluded.units;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO demand_refusals_monthly AS m (store_id, sku, month, units)
    SELECT store_id, sku, month, sum(units) FROM (SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, units FROM new_rows
      UNION ALL SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, -units AS units FROM old_rows) x
     GROUP BY 1, 2, 3 HAVING sum(units) <> 0
    ON CONFLICT (store_id, sku, month) DO UPDATE SET
      units = m.units + excluded.units;
  ELSE
    INSERT INTO demand_refusals_monthly AS m (store_id, sku, month, units)
    SELECT store_id, sku, month, sum(units) FROM (SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, -units AS units FROM old_rows) x
     GROUP BY 1, 2, 3 HAVING sum(units) <> 0
    ON CONFLICT (store_id, sku, month) DO UPDATE SET
      units = m.units + excluded.units;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "demand_outcomes_to_monthly"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its trigger declares.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO demand_outcomes_monthly AS m (store_id, sku, month, wait_days, error_days, by_latest, lines)
    SELECT store_id, sku, month, wait_days, error_days, by_latest, sum(lines) FROM (SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, wait_days, error_days, by_latest, lines FROM new_rows) x
     GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(lines) <> 0
    ON CONFLICT (store_id, sku, month, wait_days, error_days, by_latest) DO UPDATE SET
      lines = m.lines + excluded.lines;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO demand_outcomes_monthly AS m (store_id, sku, month, wait_days, error_days, by_latest, lines)
    SELECT store_id, sku, month, wait_days, error_days, by_latest, sum(lines) FROM (SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, wait_days, error_days, by_latest, lines FROM new_rows
      UNION ALL SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, wait_days, error_days, by_latest, -lines AS lines FROM old_rows) x
     GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(lines) <> 0
    ON CONFLICT (store_id, sku, month, wait_days, error_days, by_latest) DO UPDATE SET
      lines = m.lines + excluded.lines;
  ELSE
    INSERT INTO demand_outcomes_monthly AS m (store_id, sku, month, wait_days, error_days, by_latest, lines)
    SELECT store_id, sku, month, wait_days, error_days, by_latest, sum(lines) FROM (SELECT store_id, sku, date_trunc('month', day::timestamp)::date AS month, wait_days, error_days, by_latest, -lines AS lines FROM old_rows) x
     GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(lines) <> 0
    ON CONFLICT (store_id, sku, month, wait_days, error_days, by_latest) DO UPDATE SET
      lines = m.lines + excluded.lines;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "demand_daily_monthly_insert" AFTER INSERT ON "demand_daily" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "demand_daily_to_monthly"();
--> statement-breakpoint
CREATE TRIGGER "demand_daily_monthly_update" AFTER UPDATE ON "demand_daily" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "demand_daily_to_monthly"();
--> statement-breakpoint
CREATE TRIGGER "demand_daily_monthly_delete" AFTER DELETE ON "demand_daily" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "demand_daily_to_monthly"();
--> statement-breakpoint
CREATE TRIGGER "demand_refusals_monthly_insert" AFTER INSERT ON "demand_refusals" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "demand_refusals_to_monthly"();
--> statement-breakpoint
CREATE TRIGGER "demand_refusals_monthly_update" AFTER UPDATE ON "demand_refusals" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "demand_refusals_to_monthly"();
--> statement-breakpoint
CREATE TRIGGER "demand_refusals_monthly_delete" AFTER DELETE ON "demand_refusals" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "demand_refusals_to_monthly"();
--> statement-breakpoint
CREATE TRIGGER "demand_outcomes_monthly_insert" AFTER INSERT ON "demand_outcomes" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "demand_outcomes_to_monthly"();
--> statement-breakpoint
CREATE TRIGGER "demand_outcomes_monthly_update" AFTER UPDATE ON "demand_outcomes" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "demand_outcomes_to_monthly"();
--> statement-breakpoint
CREATE TRIGGER "demand_outcomes_monthly_delete" AFTER DELETE ON "demand_outcomes" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "demand_outcomes_to_monthly"();
