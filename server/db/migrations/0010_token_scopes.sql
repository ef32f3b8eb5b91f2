ALTER TABLE `api_tokens` ADD `scopes` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` integer;--> statement-breakpoint
-- Integration tokens made before scopes existed could only file for their department: say so.
UPDATE `api_tokens` SET `scopes` = '["requests:file"]' WHERE `role` = 'filer';
