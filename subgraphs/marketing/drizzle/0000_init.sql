CREATE SCHEMA "marketing";
--> statement-breakpoint
CREATE TYPE "marketing"."curated_badge_kind" AS ENUM('NEW', 'BESTSELLER');--> statement-breakpoint
CREATE TYPE "marketing"."promotion_kind" AS ENUM('PERCENT_OFF', 'THRESHOLD_DISCOUNT');--> statement-breakpoint
CREATE TABLE "marketing"."coupons" (
	"code" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"percent_off" integer NOT NULL,
	"max_discount" integer NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone NOT NULL,
	CONSTRAINT "coupons_code_upper_check" CHECK ("marketing"."coupons"."code" = upper("marketing"."coupons"."code")),
	CONSTRAINT "coupons_amounts_check" CHECK ("marketing"."coupons"."percent_off" between 1 and 100 and "marketing"."coupons"."max_discount" >= 0),
	CONSTRAINT "coupons_window_check" CHECK ("marketing"."coupons"."valid_to" > "marketing"."coupons"."valid_from")
);
--> statement-breakpoint
CREATE TABLE "marketing"."product_badges" (
	"product_id" text NOT NULL,
	"kind" "marketing"."curated_badge_kind" NOT NULL,
	"label" text NOT NULL,
	CONSTRAINT "product_badges_product_id_kind_pk" PRIMARY KEY("product_id","kind")
);
--> statement-breakpoint
CREATE TABLE "marketing"."promotions" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"kind" "marketing"."promotion_kind" NOT NULL,
	"shop_id" text,
	"percent_off" integer,
	"threshold_amount" integer,
	"discount_amount" integer,
	"badge_label" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "promotions_kind_amounts_check" CHECK (coalesce(("marketing"."promotions"."kind" = 'PERCENT_OFF' and "marketing"."promotions"."percent_off" between 1 and 100 and "marketing"."promotions"."threshold_amount" is null and "marketing"."promotions"."discount_amount" is null)
        or ("marketing"."promotions"."kind" = 'THRESHOLD_DISCOUNT' and "marketing"."promotions"."percent_off" is null and "marketing"."promotions"."threshold_amount" >= 0 and "marketing"."promotions"."discount_amount" > 0), false)),
	CONSTRAINT "promotions_window_check" CHECK ("marketing"."promotions"."ends_at" is null or "marketing"."promotions"."ends_at" > "marketing"."promotions"."starts_at")
);
--> statement-breakpoint
CREATE INDEX "promotions_shop_idx" ON "marketing"."promotions" USING btree ("shop_id");