ALTER TABLE "order"."orders" ADD COLUMN "cancel_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "order"."orders" ADD COLUMN "cancelled_by" text;--> statement-breakpoint
CREATE INDEX "orders_cancel_requested_idx" ON "order"."orders" USING btree ("cancel_requested_at") WHERE "order"."orders"."status" = 'PAID' and "order"."orders"."cancel_requested_at" is not null;