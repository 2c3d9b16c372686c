CREATE TABLE "product"."inbox" (
	"event_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"version" integer NOT NULL,
	"aggregate_id" text NOT NULL,
	"processed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product"."sales" (
	"order_id" text NOT NULL,
	"product_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"reversed_at" timestamp with time zone,
	CONSTRAINT "sales_order_id_product_id_pk" PRIMARY KEY("order_id","product_id")
);
