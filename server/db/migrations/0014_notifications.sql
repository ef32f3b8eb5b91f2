CREATE TABLE `notification_channels` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`department_id` integer,
	`settings` text NOT NULL,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_until` integer,
	`events` text NOT NULL,
	`locale` text DEFAULT 'zh' NOT NULL,
	`rate_per_minute` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `notification_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` text NOT NULL,
	`cause` text NOT NULL,
	`event` text NOT NULL,
	`channel_id` integer NOT NULL,
	`address` text NOT NULL,
	`locale` text NOT NULL,
	`audience` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`last_answer` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`channel_id`) REFERENCES `notification_channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_outbox_once` ON `notification_outbox` (`cause`,`event`,`channel_id`,`address`);--> statement-breakpoint
CREATE INDEX `notification_outbox_due` ON `notification_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notification_outbox_created` ON `notification_outbox` (`created_at`);--> statement-breakpoint
CREATE TABLE `notification_routing` (
	`event` text NOT NULL,
	`department_id` integer NOT NULL,
	`audiences` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`event`, `department_id`)
);
--> statement-breakpoint
ALTER TABLE `users` ADD `email` text;--> statement-breakpoint
ALTER TABLE `users` ADD `locale` text DEFAULT 'zh' NOT NULL;--> statement-breakpoint
ALTER TABLE `visit_requests` ADD `escort_email` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `email` text;