CREATE SCHEMA "order";
--> statement-breakpoint
CREATE TABLE "order"."checkout_plans" (
	"order_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"plan" jsonb NOT NULL,
	"reservation_expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order"."idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"status" text NOT NULL,
	"claim_token" text NOT NULL,
	"lease_until" timestamp with time zone,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "order"."order_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"position" integer NOT NULL,
	"variant_id" text NOT NULL,
	"sku" text NOT NULL,
	"title" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price" integer NOT NULL,
	"line_total" integer NOT NULL,
	CONSTRAINT "order_lines_quantity_positive" CHECK ("order"."order_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "order"."orders" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"cart_id" text NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"subtotal" integer NOT NULL,
	"discount" integer NOT NULL,
	"shipping" integer NOT NULL,
	"total" integer NOT NULL,
	"shipping_address" jsonb NOT NULL,
	"reservation_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"expired_at" timestamp with time zone,
	"cancel_reason" text,
	CONSTRAINT "orders_status_known" CHECK ("order"."orders"."status" in ('PENDING_PAYMENT', 'PAID', 'CANCELLED', 'EXPIRED'))
);
--> statement-breakpoint
CREATE TABLE "order"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"aggregate_id" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "order"."payments" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"amount" integer NOT NULL,
	"currency" text NOT NULL,
	"provider_ref" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payments_kind_known" CHECK ("order"."payments"."kind" in ('CHARGE', 'REFUND')),
	CONSTRAINT "payments_status_known" CHECK ("order"."payments"."status" in ('APPROVED', 'DECLINED'))
);
--> statement-breakpoint
ALTER TABLE "order"."order_lines" ADD CONSTRAINT "order_lines_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "order"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order"."payments" ADD CONSTRAINT "payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "order"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "checkout_plans_expiry_idx" ON "order"."checkout_plans" USING btree ("reservation_expires_at");--> statement-breakpoint
CREATE INDEX "order_lines_order_idx" ON "order"."order_lines" USING btree ("order_id","position");--> statement-breakpoint
CREATE INDEX "orders_user_created_idx" ON "order"."orders" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "orders_expiry_idx" ON "order"."orders" USING btree ("status","reservation_expires_at");--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "order"."outbox" USING btree ("id") WHERE "order"."outbox"."published_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_one_approved_per_kind" ON "order"."payments" USING btree ("order_id","kind") WHERE "order"."payments"."status" = 'APPROVED';