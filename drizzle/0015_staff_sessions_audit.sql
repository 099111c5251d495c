-- Staff who sign in to the console (issue 12): accounts per store, sessions and one-time sign-in
-- links (hashes only), and the audit log of what staff changed. Every key starts with store_id.
CREATE TABLE "audit_log" (
	"id" text NOT NULL,
	"seq" bigserial NOT NULL,
	"store_id" text NOT NULL,
	"staff_id" text NOT NULL,
	"staff_email" text NOT NULL,
	"action" text NOT NULL,
	"method" text NOT NULL,
	"route" text NOT NULL,
	"target" text,
	"before" jsonb,
	"after" jsonb,
	"status" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "audit_log_pkey" PRIMARY KEY("id","store_id")
);
--> statement-breakpoint
CREATE TABLE "staff_accounts" (
	"id" text NOT NULL,
	"store_id" text NOT NULL,
	"email" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"role" text NOT NULL,
	"password_hash" text,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_sign_in_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "staff_accounts_pkey" PRIMARY KEY("id","store_id")
);
--> statement-breakpoint
CREATE TABLE "staff_sessions" (
	"id" text NOT NULL,
	"store_id" text NOT NULL,
	"staff_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "staff_sessions_pkey" PRIMARY KEY("id","store_id")
);
--> statement-breakpoint
CREATE TABLE "staff_sign_in_tokens" (
	"id" text NOT NULL,
	"store_id" text NOT NULL,
	"staff_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	CONSTRAINT "staff_sign_in_tokens_pkey" PRIMARY KEY("id","store_id")
);
--> statement-breakpoint
ALTER TABLE "staff_sessions" ADD CONSTRAINT "staff_sessions_staff_fk" FOREIGN KEY ("staff_id","store_id") REFERENCES "public"."staff_accounts"("id","store_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_sign_in_tokens" ADD CONSTRAINT "staff_sign_in_tokens_staff_fk" FOREIGN KEY ("staff_id","store_id") REFERENCES "public"."staff_accounts"("id","store_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_store_seq_idx" ON "audit_log" USING btree ("store_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_accounts_email_idx" ON "staff_accounts" USING btree ("store_id","email");--> statement-breakpoint
CREATE INDEX "staff_accounts_email_any_store_idx" ON "staff_accounts" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_sessions_token_idx" ON "staff_sessions" USING btree ("store_id","token_hash");--> statement-breakpoint
CREATE INDEX "staff_sessions_staff_idx" ON "staff_sessions" USING btree ("store_id","staff_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_sign_in_tokens_token_idx" ON "staff_sign_in_tokens" USING btree ("store_id","token_hash");