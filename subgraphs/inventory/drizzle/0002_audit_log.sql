CREATE TABLE "inventory"."audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"actor_roles" text[] NOT NULL,
	"action" text NOT NULL,
	"targets" text[] NOT NULL,
	"result" text NOT NULL,
	"code" text,
	"replay" boolean DEFAULT false NOT NULL,
	"idempotency_key" text,
	"request_id" text NOT NULL,
	"trace_id" text
);
--> statement-breakpoint
ALTER TABLE "inventory"."stock_movements" ADD COLUMN "actor" text;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "inventory"."audit_log" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "inventory"."audit_log" USING btree ("actor","at");--> statement-breakpoint
CREATE INDEX "audit_log_targets_idx" ON "inventory"."audit_log" USING gin ("targets");