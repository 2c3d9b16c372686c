CREATE SCHEMA "pricing";
--> statement-breakpoint
CREATE TABLE "pricing"."price_calendar" (
	"id" text PRIMARY KEY NOT NULL,
	"variant_id" text NOT NULL,
	"amount" integer NOT NULL,
	"compare_at_amount" integer,
	"currency" text NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	CONSTRAINT "price_calendar_amount_check" CHECK ("pricing"."price_calendar"."amount" >= 0),
	CONSTRAINT "price_calendar_compare_at_check" CHECK ("pricing"."price_calendar"."compare_at_amount" is null or "pricing"."price_calendar"."compare_at_amount" > "pricing"."price_calendar"."amount"),
	CONSTRAINT "price_calendar_window_check" CHECK ("pricing"."price_calendar"."valid_to" is null or "pricing"."price_calendar"."valid_to" > "pricing"."price_calendar"."valid_from")
);
--> statement-breakpoint
CREATE TABLE "pricing"."shipping_rules" (
	"shop_id" text PRIMARY KEY NOT NULL,
	"flat_fee" integer NOT NULL,
	"free_threshold" integer NOT NULL,
	"currency" text NOT NULL,
	CONSTRAINT "shipping_rules_amounts_check" CHECK ("pricing"."shipping_rules"."flat_fee" >= 0 and "pricing"."shipping_rules"."free_threshold" >= 0)
);
--> statement-breakpoint
CREATE TABLE "pricing"."variant_prices" (
	"variant_id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"shop_id" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pricing"."price_calendar" ADD CONSTRAINT "price_calendar_variant_id_variant_prices_variant_id_fk" FOREIGN KEY ("variant_id") REFERENCES "pricing"."variant_prices"("variant_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "price_calendar_variant_from_idx" ON "pricing"."price_calendar" USING btree ("variant_id","valid_from");--> statement-breakpoint
CREATE INDEX "variant_prices_product_idx" ON "pricing"."variant_prices" USING btree ("product_id");