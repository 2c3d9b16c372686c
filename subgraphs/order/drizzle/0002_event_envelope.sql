ALTER TABLE "order"."outbox" ADD COLUMN "event_id" text DEFAULT gen_random_uuid()::text NOT NULL;--> statement-breakpoint
ALTER TABLE "order"."outbox" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "order"."outbox" ADD COLUMN "headers" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "order"."outbox" ADD CONSTRAINT "outbox_event_id_unique" UNIQUE("event_id");