CREATE TABLE `invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`token` text NOT NULL,
	`name` text NOT NULL,
	`phone` text,
	`email` text,
	`locale` text DEFAULT 'zh' NOT NULL,
	`head_count` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`sent_at` integer,
	`opened_at` integer,
	`withdrawn_at` integer,
	`purged_at` integer,
	FOREIGN KEY (`request_id`) REFERENCES `visit_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_unique` ON `invitations` (`token`);--> statement-breakpoint
CREATE INDEX `invitations_request_idx` ON `invitations` (`request_id`);--> statement-breakpoint
ALTER TABLE `gates` ADD `address` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `gates` ADD `address_en` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `visit_requests` ADD `expected_visitors` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `visitors` ADD `declared_by` text DEFAULT 'filer' NOT NULL;--> statement-breakpoint
ALTER TABLE `visitors` ADD `invitation_id` integer REFERENCES invitations(id);--> statement-breakpoint
ALTER TABLE `visitors` ADD `commitment_signed_name` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `consent_id_at` integer;--> statement-breakpoint
ALTER TABLE `visitors` ADD `consent_health_at` integer;--> statement-breakpoint
ALTER TABLE `visitors` ADD `consent_rule_version` integer;--> statement-breakpoint
ALTER TABLE `visitors` ADD `locale` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `declared_at` integer;--> statement-breakpoint
ALTER TABLE `visitors` ADD `erasure_requested_at` integer;--> statement-breakpoint
-- Requests filed before invitations are for exactly the visitors the department entered.
UPDATE `visit_requests` SET `expected_visitors` = (SELECT count(*) FROM `visitors` v WHERE v.`request_id` = `visit_requests`.`id` AND v.`removed_at` IS NULL);
