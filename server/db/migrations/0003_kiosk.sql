CREATE TABLE `device_enrollments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`gate_id` integer NOT NULL,
	`code_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_by_user_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`gate_id`) REFERENCES `gates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `devices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`gate_id` integer NOT NULL,
	`name` text NOT NULL,
	`api_token_id` integer NOT NULL,
	`app_version` text DEFAULT '' NOT NULL,
	`enrolled_at` integer NOT NULL,
	`enrolled_by_user_id` integer,
	`last_seen_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`gate_id`) REFERENCES `gates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_token_id`) REFERENCES `api_tokens`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enrolled_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `gate_events` (
	`id` text PRIMARY KEY NOT NULL,
	`device_id` integer NOT NULL,
	`gate_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`guard_user_id` integer,
	`pass_id` text,
	`verdict` text,
	`reasons` text NOT NULL,
	`checks` text NOT NULL,
	`input` text,
	`rule_version` integer,
	`server_verdict` text,
	`disagreement` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`gate_id`) REFERENCES `gates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `gate_events_gate_at_idx` ON `gate_events` (`gate_id`,`at`);--> statement-breakpoint
CREATE INDEX `gate_events_device_seq_idx` ON `gate_events` (`device_id`,`seq`);--> statement-breakpoint
CREATE INDEX `gate_events_pass_idx` ON `gate_events` (`pass_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `pin_hash` text;