import { levelOf } from '../../../server/domain/policy';
import { useAppState } from '../lib/state';
import { LangSwitch } from './lang-switch';

/** Who, where, and whether the tablet can still decide alone: always on screen. */
export function StatusBar() {
  const state = useAppState();
  const t = state.t.value;
  const gate = state.device.value?.gate;
  const rules = state.snapshot.value?.rules.rules;
  const ageMin = Math.floor(state.snapshotAgeMs() / 60_000);
  const fresh = state.snapshotFresh();
  const level = rules ? levelOf(rules) : null;
  return (
    <header class="kiosk-bar">
      <strong>
        {gate ? t('shell.gate', { gate: state.lang.value === 'en' && gate.nameEn ? gate.nameEn : gate.name }) : ''}
      </strong>
      {level && (
        <span class={`level level-${level.id}`} data-testid="level" data-level={level.id}>
          {t('shell.level', { level: state.lang.value === 'en' ? level.nameEn : level.nameZh })}
        </span>
      )}
      <span data-testid="on-campus">{t('shell.onCampus', { n: state.onCampus.value })}</span>
      <span class={state.online.value ? 'net online' : 'net offline'} data-testid="net">
        {state.online.value ? t('shell.online') : t('shell.offline')}
        {state.pending.value > 0 && ` · ${t('shell.pending', { n: state.pending.value })}`}
      </span>
      {state.syncProgress.value && (
        <label class="sync-progress">
          {t('shell.syncing', { done: state.syncProgress.value.done, total: state.syncProgress.value.total })}
          <progress
            data-testid="sync-progress"
            max={state.syncProgress.value.total}
            value={state.syncProgress.value.done}
          />
        </label>
      )}
      <span class={fresh ? 'age' : 'age stale'} data-testid="snapshot-age">
        {fresh
          ? t('shell.snapshotAge', { minutes: Number.isFinite(ageMin) ? ageMin : 0 })
          : t('shell.snapshotStale', { hours: rules?.snapshotMaxAgeHours ?? 24 })}
      </span>
      {state.storageState.value && (
        <span
          class={state.storageState.value === 'persisted' ? 'storage' : 'storage stale'}
          data-testid="storage"
          data-storage={state.storageState.value}
        >
          {t(state.storageState.value === 'persisted' ? 'shell.storagePersisted' : 'shell.storageEvictable')}
        </span>
      )}
      <span>{state.guard.value && t('shell.guard', { name: state.guard.value.displayName })}</span>
      <LangSwitch />
      <button type="button" class="big" onClick={() => state.endShift()}>
        {t('shell.logout')}
      </button>
    </header>
  );
}
