CREATE TABLE "cart"."inbox" (
	"event_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"version" integer NOT NULL,
	"aggregate_id" text NOT NULL,
	"processed_at" timestamp with time zone NOT NULL
);
