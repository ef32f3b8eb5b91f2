ALTER TABLE `devices` ADD `clock_skew_ms` integer;--> statement-breakpoint
ALTER TABLE `gate_events` ADD `server_reasons` text;--> statement-breakpoint
ALTER TABLE `gate_events` ADD `pass_mismatch` text;--> statement-breakpoint
ALTER TABLE `gate_events` ADD `clock_suspect` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `gate_events` ADD `app_version` text;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `rotated_at` integer;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `accept_until` integer;--> statement-breakpoint
ALTER TABLE `visit_requests` ADD `print_allowed` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Filing fingerprints were unkeyed SHA-256 digests of bodies that held full ID numbers: recoverable
-- from a copy of the database. They are replaced by a keyed MAC from now on; the old ones are
-- destroyed, so a retry of a filing sent before the upgrade is refused (409) rather than filed twice.
UPDATE `idempotency_keys` SET `request_hash` = 'erased-unkeyed-digest';
