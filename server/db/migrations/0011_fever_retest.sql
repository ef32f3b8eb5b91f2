ALTER TABLE `gate_events` ADD `fever_retest` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Events synced before the engine's answer was recorded: the comparison the report made until now,
-- with each decision's own rule version, readings rounded to 0.1 °C as the protocol rounds them.
UPDATE `gate_events` SET `fever_retest` = 1
WHERE `type` = 'decision' AND `input` IS NOT NULL AND EXISTS (
  SELECT 1 FROM json_each(`gate_events`.`input`, '$.temperatures') t
  LEFT JOIN `rule_sets` v ON v.`id` = `gate_events`.`rule_version`
  WHERE round(json_extract(t.value, '$.celsius'), 1) >= coalesce(json_extract(v.`settings`, '$.feverThresholdC'), 37.3)
    AND round(json_extract(t.value, '$.celsius'), 1) <= coalesce(json_extract(v.`settings`, '$.plausibleMaxC'), 42.5)
);
