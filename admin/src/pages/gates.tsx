import { CatalogueEditor } from '../components/catalogue-editor';
import { ErrorBanner } from '../components/form';
import { api, ok } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';

type GateValues = {
  campusId: number;
  code: string;
  name: string;
  nameEn: string;
  address: string;
  addressEn: string;
  active: boolean;
};

export function GatesPage() {
  const state = useAppState();
  const t = state.t.value;
  const gates = useResource(() => ok(api.gates.$get()));
  const campuses = useResource(() => ok(api.campuses.$get()));
  const firstCampus = campuses.data?.[0]?.id ?? 1;
  return (
    <>
      <ErrorBanner error={gates.error ?? campuses.error} />
      <CatalogueEditor
        title={t('gates.title')}
        rows={gates.data}
        blank={{ campusId: firstCampus, code: '', name: '', nameEn: '', address: '', addressEn: '', active: true }}
        fields={[
          { name: 'code', label: t('common.code'), kind: 'text', lang: 'zxx' },
          { name: 'name', label: t('common.name'), kind: 'text', lang: 'zh-CN' },
          { name: 'nameEn', label: t('common.nameEn'), kind: 'text', lang: 'en' },
          { name: 'address', label: t('gates.address'), kind: 'text', lang: 'zh-CN' },
          { name: 'addressEn', label: t('gates.addressEn'), kind: 'text', lang: 'en' },
          {
            name: 'campusId',
            label: t('gates.campus'),
            kind: 'select',
            options: campuses.data?.map((c) => ({ value: c.id, label: state.nameOf(c) })) ?? [],
          },
          { name: 'active', label: t('common.active'), kind: 'checkbox' },
        ]}
        onCreate={async (v) => {
          await ok(api.gates.$post({ json: v as GateValues }));
          gates.reload();
        }}
        onUpdate={async (id, v) => {
          await ok(api.gates[':id'].$patch({ param: { id: String(id) }, json: v as Partial<GateValues> }));
          gates.reload();
        }}
      />
    </>
  );
}
