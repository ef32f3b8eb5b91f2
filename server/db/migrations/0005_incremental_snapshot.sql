ALTER TABLE `devices` ADD `last_snapshot_at` integer;--> statement-breakpoint
ALTER TABLE `devices` ADD `outbox_pending` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `gate_events` ADD `started_at` integer;--> statement-breakpoint
ALTER TABLE `passes` ADD `change_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `passes_change_seq_idx` ON `passes` (`change_seq`);--> statement-breakpoint
UPDATE `passes` SET `change_seq` = rowid;
--> statement-breakpoint
-- Every insert and update of a pass moves it past the tablets' snapshot cursor.
-- (recursive_triggers is off, so the trigger's own UPDATE does not fire it again.)
CREATE TRIGGER passes_change_seq_insert AFTER INSERT ON passes
BEGIN
  UPDATE passes SET change_seq = (SELECT coalesce(max(change_seq), 0) + 1 FROM passes) WHERE id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER passes_change_seq_update AFTER UPDATE ON passes WHEN NEW.change_seq = OLD.change_seq
BEGIN
  UPDATE passes SET change_seq = (SELECT coalesce(max(change_seq), 0) + 1 FROM passes) WHERE id = NEW.id;
END;
