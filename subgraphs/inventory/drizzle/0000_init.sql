CREATE SCHEMA "inventory";
--> statement-breakpoint
CREATE TABLE "inventory"."idempotency_keys" (
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
CREATE TABLE "inventory"."reservation_lines" (
	"order_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"quantity" integer NOT NULL,
	CONSTRAINT "reservation_lines_order_id_variant_id_pk" PRIMARY KEY("order_id","variant_id"),
	CONSTRAINT "reservation_lines_quantity_positive" CHECK ("inventory"."reservation_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "inventory"."reservations" (
	"order_id" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reservations_state_known" CHECK ("inventory"."reservations"."state" in ('RESERVED', 'RELEASED', 'SOLD', 'RESTOCKED'))
);
--> statement-breakpoint
CREATE TABLE "inventory"."stock_levels" (
	"variant_id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"on_hand" integer NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"received_total" integer NOT NULL,
	"sold_total" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stock_levels_reserved_within_on_hand" CHECK ("inventory"."stock_levels"."on_hand" >= "inventory"."stock_levels"."reserved"),
	CONSTRAINT "stock_levels_reserved_non_negative" CHECK ("inventory"."stock_levels"."reserved" >= 0),
	CONSTRAINT "stock_levels_on_hand_non_negative" CHECK ("inventory"."stock_levels"."on_hand" >= 0),
	CONSTRAINT "stock_levels_sold_non_negative" CHECK ("inventory"."stock_levels"."sold_total" >= 0)
);
--> statement-breakpoint
CREATE TABLE "inventory"."stock_movements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"variant_id" text NOT NULL,
	"kind" text NOT NULL,
	"quantity" integer NOT NULL,
	"reference" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stock_movements_kind_known" CHECK ("inventory"."stock_movements"."kind" in ('RECEIVED', 'ADJUSTED', 'RESERVED', 'RELEASED', 'SOLD', 'RESTOCKED'))
);
--> statement-breakpoint
ALTER TABLE "inventory"."reservation_lines" ADD CONSTRAINT "reservation_lines_order_id_reservations_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "inventory"."reservations"("order_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory"."reservation_lines" ADD CONSTRAINT "reservation_lines_variant_id_stock_levels_variant_id_fk" FOREIGN KEY ("variant_id") REFERENCES "inventory"."stock_levels"("variant_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory"."stock_movements" ADD CONSTRAINT "stock_movements_variant_id_stock_levels_variant_id_fk" FOREIGN KEY ("variant_id") REFERENCES "inventory"."stock_levels"("variant_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reservations_live_expiry_idx" ON "inventory"."reservations" USING btree ("expires_at") WHERE "inventory"."reservations"."state" = 'RESERVED';--> statement-breakpoint
CREATE INDEX "stock_levels_product_idx" ON "inventory"."stock_levels" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "stock_movements_variant_idx" ON "inventory"."stock_movements" USING btree ("variant_id","id");--> statement-breakpoint
CREATE INDEX "stock_movements_reference_idx" ON "inventory"."stock_movements" USING btree ("reference");