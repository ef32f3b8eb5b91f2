ALTER TABLE `visitors` ADD `override_codes` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `override_reason` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `override_by_user_id` integer REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `visitors` ADD `override_at` integer;