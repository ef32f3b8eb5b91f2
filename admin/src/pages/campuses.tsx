import { CatalogueEditor } from '../components/catalogue-editor';
import { ErrorBanner } from '../components/form';
import { api, ok } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';

type CampusValues = { name: string; nameEn: string; timezone: string };

export function CampusesPage() {
  const state = useAppState();
  const t = state.t.value;
  const campuses = useResource(() => ok(api.campuses.$get()));
  return (
    <>
      <ErrorBanner error={campuses.error} />
      <CatalogueEditor
        title={t('campuses.title')}
        rows={campuses.data}
        blank={{ name: '', nameEn: '', timezone: 'Asia/Shanghai' }}
        fields={[
          { name: 'name', label: t('common.name'), kind: 'text', lang: 'zh-CN' },
          { name: 'nameEn', label: t('common.nameEn'), kind: 'text', lang: 'en' },
          { name: 'timezone', label: t('campuses.timezone'), kind: 'text' },
        ]}
        onCreate={async (v) => {
          await ok(api.campuses.$post({ json: v as CampusValues }));
          campuses.reload();
        }}
        onUpdate={async (id, v) => {
          await ok(api.campuses[':id'].$patch({ param: { id: String(id) }, json: v as Partial<CampusValues> }));
          campuses.reload();
        }}
      />
    </>
  );
}
