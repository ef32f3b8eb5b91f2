CREATE TABLE `block_list` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id_hash` text,
	`id_last4` text,
	`name` text,
	`name_norm` text,
	`phone_norm` text,
	`reason` text NOT NULL,
	`expires_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by_user_id` integer,
	`removed_at` integer,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `commitment_texts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`text_zh` text NOT NULL,
	`text_en` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by_user_id` integer,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);
--> statement-breakpoint
CREATE TABLE `passes` (
	`id` text PRIMARY KEY NOT NULL,
	`visitor_id` integer NOT NULL,
	`request_id` integer NOT NULL,
	`kid` integer NOT NULL,
	`token` text NOT NULL,
	`code_secret` text NOT NULL,
	`link_token` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer NOT NULL,
	`gate_ids` text NOT NULL,
	`entries_allowed` integer NOT NULL,
	`entries_used` integer DEFAULT 0 NOT NULL,
	`printable` integer NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`revoke_reason` text,
	FOREIGN KEY (`visitor_id`) REFERENCES `visitors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`request_id`) REFERENCES `visit_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `passes_link_unique` ON `passes` (`link_token`);--> statement-breakpoint
CREATE INDEX `passes_request_idx` ON `passes` (`request_id`);--> statement-breakpoint
CREATE INDEX `passes_valid_idx` ON `passes` (`valid_to`);--> statement-breakpoint
CREATE TABLE `request_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`at` integer NOT NULL,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`from_status` text,
	`to_status` text,
	`note` text,
	FOREIGN KEY (`request_id`) REFERENCES `visit_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `history_request_idx` ON `request_history` (`request_id`);--> statement-breakpoint
CREATE TABLE `risk_areas` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`region_code` text NOT NULL,
	`level` text NOT NULL,
	`effective_from` text NOT NULL,
	`effective_to` text,
	`note` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`removed_at` integer
);
--> statement-breakpoint
CREATE TABLE `rule_sets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` integer NOT NULL,
	`actor_label` text NOT NULL,
	`reason` text NOT NULL,
	`settings` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` integer PRIMARY KEY NOT NULL,
	`public_key` text NOT NULL,
	`private_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer
);
--> statement-breakpoint
CREATE TABLE `visit_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`department_id` integer NOT NULL,
	`filed_by_label` text NOT NULL,
	`filed_by_user_id` integer,
	`status` text NOT NULL,
	`queue` text DEFAULT 'normal' NOT NULL,
	`visit_date_from` text NOT NULL,
	`visit_date_to` text NOT NULL,
	`time_from` text NOT NULL,
	`time_to` text NOT NULL,
	`gate_ids` text NOT NULL,
	`purpose` text NOT NULL,
	`destination` text NOT NULL,
	`escort_name` text NOT NULL,
	`escort_phone` text NOT NULL,
	`vehicle_plate` text,
	`prevention_plan` text,
	`rule_version` integer NOT NULL,
	`review_reasons` text,
	`emergency` integer DEFAULT false NOT NULL,
	`emergency_reason` text,
	`backfill_due_at` integer,
	`backfilled_at` integer,
	`decided_at` integer,
	`decided_by_user_id` integer,
	`decision_reason_code` text,
	`decision_note` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`filed_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `requests_dept_idx` ON `visit_requests` (`department_id`,`status`);--> statement-breakpoint
CREATE INDEX `requests_status_idx` ON `visit_requests` (`status`,`visit_date_from`);--> statement-breakpoint
CREATE TABLE `visitors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`name` text NOT NULL,
	`name_norm` text NOT NULL,
	`id_type` text NOT NULL,
	`id_hash` text NOT NULL,
	`id_last4` text NOT NULL,
	`phone` text NOT NULL,
	`from_region` text NOT NULL,
	`visited_regions` text NOT NULL,
	`close_contact` integer NOT NULL,
	`commitment_version` integer,
	`commitment_accepted_at` integer,
	`test_taken_at` integer,
	`test_result` text,
	`out_of_city` integer NOT NULL,
	`checks` text NOT NULL,
	`purged_at` integer,
	FOREIGN KEY (`request_id`) REFERENCES `visit_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `visitors_request_idx` ON `visitors` (`request_id`);--> statement-breakpoint
CREATE INDEX `visitors_id_hash_idx` ON `visitors` (`id_hash`);--> statement-breakpoint
ALTER TABLE `users` ADD `dept_approver` integer DEFAULT false NOT NULL;