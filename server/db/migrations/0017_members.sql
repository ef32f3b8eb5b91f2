CREATE TABLE `leaves` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`kind` text DEFAULT 'leave' NOT NULL,
	`from_at` integer NOT NULL,
	`to_at` integer NOT NULL,
	`destination` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`filed_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by_user_id` integer,
	`decision_note` text,
	`exited_at` integer,
	`exit_gate_id` integer,
	`returned_at` integer,
	`return_gate_id` integer,
	`cleared_at` integer,
	`cleared_by_user_id` integer,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`exit_gate_id`) REFERENCES `gates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`return_gate_id`) REFERENCES `gates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`cleared_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `leaves_member_idx` ON `leaves` (`member_id`,`status`);--> statement-breakpoint
CREATE INDEX `leaves_status_to_idx` ON `leaves` (`status`,`to_at`);--> statement-breakpoint
CREATE TABLE `member_check_ins` (
	`member_id` integer NOT NULL,
	`day` text NOT NULL,
	`at` integer NOT NULL,
	`temperature` real,
	`location` text,
	`symptoms` text,
	PRIMARY KEY(`member_id`, `day`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `member_check_ins_day_idx` ON `member_check_ins` (`day`);--> statement-breakpoint
CREATE TABLE `members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`number` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`worker_kind` text,
	`department_id` integer,
	`unit` text DEFAULT '' NOT NULL,
	`resident` integer NOT NULL,
	`id_hash` text,
	`id_last4` text,
	`phone` text,
	`link_token` text NOT NULL,
	`credential_serial` integer DEFAULT 1 NOT NULL,
	`locale` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deactivated_at` integer,
	`purged_at` integer,
	`change_seq` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_number_unique` ON `members` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `members_link_unique` ON `members` (`link_token`);--> statement-breakpoint
CREATE INDEX `members_department_idx` ON `members` (`department_id`);--> statement-breakpoint
CREATE INDEX `members_change_seq_idx` ON `members` (`change_seq`);--> statement-breakpoint
ALTER TABLE `gate_events` ADD `member_id` integer REFERENCES members(id);--> statement-breakpoint
ALTER TABLE `gate_events` ADD `escort_check` text;--> statement-breakpoint
CREATE INDEX `gate_events_member_idx` ON `gate_events` (`member_id`,`at`);--> statement-breakpoint
-- Tablets hold every member: each change to a member, their leave or their check-in takes the next
-- number of the one change counter (migration 0008), so the incremental snapshot carries it.
CREATE TRIGGER members_change_seq_insert AFTER INSERT ON members
BEGIN
  UPDATE change_counter SET value = value + 1 WHERE id = 1;
  UPDATE members SET change_seq = (SELECT value FROM change_counter WHERE id = 1) WHERE rowid = NEW.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER members_change_seq_update AFTER UPDATE ON members WHEN NEW.change_seq = OLD.change_seq
BEGIN
  UPDATE change_counter SET value = value + 1 WHERE id = 1;
  UPDATE members SET change_seq = (SELECT value FROM change_counter WHERE id = 1) WHERE rowid = NEW.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER leaves_touch_member_insert AFTER INSERT ON leaves
BEGIN
  UPDATE members SET updated_at = NEW.filed_at WHERE id = NEW.member_id;
END;
--> statement-breakpoint
CREATE TRIGGER leaves_touch_member_update AFTER UPDATE ON leaves
BEGIN
  UPDATE members SET updated_at = max(updated_at, coalesce(NEW.decided_at, NEW.filed_at)) WHERE id = NEW.member_id;
END;
--> statement-breakpoint
CREATE TRIGGER check_ins_touch_member_insert AFTER INSERT ON member_check_ins
BEGIN
  UPDATE members SET updated_at = max(updated_at, NEW.at) WHERE id = NEW.member_id;
END;
--> statement-breakpoint
CREATE TRIGGER check_ins_touch_member_update AFTER UPDATE ON member_check_ins
BEGIN
  UPDATE members SET updated_at = max(updated_at, NEW.at) WHERE id = NEW.member_id;
END;
