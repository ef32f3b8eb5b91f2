-- One counter for every change a tablet keeps a cursor on (issue 11). Migration 0005 numbered
-- passes max(change_seq) + 1: when an edit deleted the passes holding the highest numbers, later
-- passes reused numbers tablets had already passed, and those tablets never learned of them.
CREATE TABLE `change_counter` (
	`id` integer PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `change_counter` (`id`, `value`) SELECT 1, coalesce(max(`change_seq`), 0) FROM `passes`;
--> statement-breakpoint
CREATE TABLE `snapshot_tombstones` (
	`seq` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `snapshot_resyncs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` integer NOT NULL,
	`at` integer NOT NULL,
	`cause` text NOT NULL,
	`expected_digest` text,
	`reported_digest` text,
	`requested_by_user_id` integer,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `snapshot_resyncs_at_idx` ON `snapshot_resyncs` (`at`);
--> statement-breakpoint
-- The pass-page link moves from the pass to its visitor: a re-issued pass keeps the visitor's link.
-- (SQLite adds a NOT NULL column only with a default; every row is filled below and every insert sets it.)
ALTER TABLE `visitors` ADD `link_token` text NOT NULL DEFAULT '';
--> statement-breakpoint
ALTER TABLE `visitors` ADD `removed_at` integer;
--> statement-breakpoint
UPDATE `visitors` SET `link_token` = coalesce(
	(SELECT p.`link_token` FROM `passes` p WHERE p.`visitor_id` = `visitors`.`id` ORDER BY p.`created_at` DESC, p.`rowid` DESC LIMIT 1),
	lower(hex(randomblob(24))));
--> statement-breakpoint
CREATE UNIQUE INDEX `visitors_link_unique` ON `visitors` (`link_token`);
--> statement-breakpoint
DROP INDEX `passes_link_unique`;
--> statement-breakpoint
ALTER TABLE `passes` DROP COLUMN `link_token`;
--> statement-breakpoint
-- Every tablet's cursor was issued under the old numbering: none is trusted. The new cursor format
-- (three parts) makes each tablet's next sync a full snapshot; these start empty.
ALTER TABLE `devices` ADD `snapshot_cursor` text;
--> statement-breakpoint
ALTER TABLE `devices` ADD `snapshot_digest` text;
--> statement-breakpoint
ALTER TABLE `devices` ADD `resync_requested_at` integer;
--> statement-breakpoint
DROP TRIGGER `passes_change_seq_insert`;
--> statement-breakpoint
DROP TRIGGER `passes_change_seq_update`;
--> statement-breakpoint
-- (recursive_triggers is off, so a trigger's own UPDATE of passes does not fire it again.)
CREATE TRIGGER passes_change_seq_insert AFTER INSERT ON passes
BEGIN
  UPDATE change_counter SET value = value + 1 WHERE id = 1;
  UPDATE passes SET change_seq = (SELECT value FROM change_counter WHERE id = 1) WHERE rowid = NEW.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER passes_change_seq_update AFTER UPDATE ON passes WHEN NEW.change_seq = OLD.change_seq
BEGIN
  UPDATE change_counter SET value = value + 1 WHERE id = 1;
  UPDATE passes SET change_seq = (SELECT value FROM change_counter WHERE id = 1) WHERE rowid = NEW.rowid;
END;
--> statement-breakpoint
-- Nothing in the app deletes a pass any more; should a row go all the same, tablets learn it.
CREATE TRIGGER passes_tombstone AFTER DELETE ON passes
BEGIN
  UPDATE change_counter SET value = value + 1 WHERE id = 1;
  INSERT INTO snapshot_tombstones (seq, kind, key, at) VALUES ((SELECT value FROM change_counter WHERE id = 1), 'pass', OLD.id, CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
