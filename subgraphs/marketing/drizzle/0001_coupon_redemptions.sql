CREATE TABLE "marketing"."coupon_redemptions" (
	"order_id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"user_id" text NOT NULL,
	"redeemed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "marketing"."inbox" (
	"event_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"version" integer NOT NULL,
	"aggregate_id" text NOT NULL,
	"processed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "marketing"."coupons" ADD COLUMN "max_redemptions" integer;--> statement-breakpoint
ALTER TABLE "marketing"."coupons" ADD COLUMN "once_per_user" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "marketing"."coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_code_coupons_code_fk" FOREIGN KEY ("code") REFERENCES "marketing"."coupons"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coupon_redemptions_code_user_idx" ON "marketing"."coupon_redemptions" USING btree ("code","user_id");--> statement-breakpoint
ALTER TABLE "marketing"."coupons" ADD CONSTRAINT "coupons_max_redemptions_check" CHECK ("marketing"."coupons"."max_redemptions" is null or "marketing"."coupons"."max_redemptions" >= 0);--> statement-breakpoint
-- The demo seed runs once per database: a database seeded before this migration learns the WELCOME10 rule here.
UPDATE "marketing"."coupons" SET "once_per_user" = true WHERE "code" = 'WELCOME10';
