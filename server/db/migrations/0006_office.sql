CREATE TABLE `alert_acks` (
	`alert_key` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`at` integer NOT NULL,
	`note` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `daily_report_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`report_id` integer NOT NULL,
	`action` text NOT NULL,
	`user_id` integer NOT NULL,
	`at` integer NOT NULL,
	`reason` text,
	FOREIGN KEY (`report_id`) REFERENCES `daily_reports`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `daily_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`day` text NOT NULL,
	`scope` text NOT NULL,
	`gate_id` integer,
	`figures` text NOT NULL,
	`computed_at` integer NOT NULL,
	`signed_off_by_user_id` integer,
	`signed_off_at` integer,
	FOREIGN KEY (`gate_id`) REFERENCES `gates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`signed_off_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `daily_reports_day_scope` ON `daily_reports` (`day`,`scope`);--> statement-breakpoint
CREATE TABLE `device_contacts` (
	`device_id` integer NOT NULL,
	`minute` integer NOT NULL,
	PRIMARY KEY(`device_id`, `minute`),
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `presence_closures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`pass_id` text NOT NULL,
	`day` text NOT NULL,
	`closed_at` integer NOT NULL,
	`kind` text NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `gate_events`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `presence_closures_event` ON `presence_closures` (`event_id`);--> statement-breakpoint
CREATE INDEX `gate_events_at_idx` ON `gate_events` (`at`);--> statement-breakpoint
CREATE INDEX `gate_events_received_idx` ON `gate_events` (`received_at`);--> statement-breakpoint
CREATE INDEX `passes_visitor_idx` ON `passes` (`visitor_id`);--> statement-breakpoint
CREATE INDEX `requests_emergency_idx` ON `visit_requests` (`emergency`,`created_at`);